// Each verification step, fed one tampered input, fails with that step's code (STYLE.md habit 8).

import Crypto
import Foundation
import SigilBundle
import SigilTesting
import SigilVerify
import Testing

/// Loads a public-good bundle as a value the tests can edit.
func publicBundle(_ name: String) throws -> SigstoreBundle {
    try Verifier.parseBundle(try Fixtures.bytes("sigstore-public/\(name)"))
}

func publicRoot(_ environment: String) throws -> TrustedRoot {
    try Verifier.parseTrustedRoot(try Fixtures.bytes("sigstore-public/trust/\(environment)/trusted_root.json"))
}

func flipped(_ bytes: [UInt8], at index: Int = 10) -> [UInt8] {
    var copy = bytes
    copy[index % copy.count] ^= 0x01
    return copy
}

/// Verifies and returns the error code, or `nil` when verified.
func verifyCode(
    _ bundle: SigstoreBundle, artifact: String, root: TrustedRoot, identity: String, issuer: String
) async throws -> VerificationError.Code? {
    do {
        _ = try await Verifier(trustedRoot: root).verify(
            bundle, artifact: try PublicTrust.artifact(artifact), policy: .identity(identity, issuer: issuer))
        return nil
    } catch let error as VerificationError {
        return error.code
    }
}

/// bundle_v3.txt.sigstore: v0.3, Rekor v1 with SET, proof and checkpoint, no timestamps.
enum V1 {
    static let bundle = "bundle_v3.txt.sigstore"
    static let artifact = "bundle_v3.txt"
    static let identity = "william@yossarian.net"
    static let issuer = PublicCases.githubOAuth

    static func code(_ edit: (inout SigstoreBundle) throws -> Void, root: TrustedRoot? = nil) async throws -> VerificationError.Code? {
        var bundle = try publicBundle(Self.bundle)
        try edit(&bundle)
        return try await verifyCode(bundle, artifact: artifact, root: try root ?? publicRoot("staging"), identity: identity, issuer: issuer)
    }
}

/// staging-rekor-v2.txt.sigstore.json: v0.3, Rekor v2 with proof and checkpoint, one RFC 3161 timestamp.
enum V2 {
    static let bundle = "staging-rekor-v2.txt.sigstore.json"
    static let artifact = "staging-rekor-v2.txt"
    static let identity = "jku@goto.fi"
    static let issuer = PublicCases.githubOAuth

    static func code(_ edit: (inout SigstoreBundle) throws -> Void, root: TrustedRoot? = nil) async throws -> VerificationError.Code? {
        var bundle = try publicBundle(Self.bundle)
        try edit(&bundle)
        return try await verifyCode(bundle, artifact: artifact, root: try root ?? publicRoot("staging"), identity: identity, issuer: issuer)
    }
}

extension SigstoreBundle {
    var firstEntry: TransparencyLogEntry {
        get { verificationMaterial.tlogEntries[0] }
        set { verificationMaterial.tlogEntries[0] = newValue }
    }
}

@Suite("Each verification step rejects its own tampered input")
struct TamperTests {
    @Test("the untampered bundles verify (the baseline every tamper case departs from)")
    func baselines() async throws {
        #expect(try await V1.code { _ in } == nil)
        #expect(try await V2.code { _ in } == nil)
    }

    @Test("signature: a flipped signature byte fails the signature step")
    func signatureByte() async throws {
        let code = try await V1.code { bundle in
            guard case .messageSignature(var message) = bundle.content else { Issue.record("not a message signature"); return }
            message.signature = flipped(message.signature, at: 20)
            bundle.content = .messageSignature(message)
        }
        #expect(code == .signatureInvalid)
    }

    @Test("signature: another artifact than the one signed fails with artifactMismatch")
    func wrongArtifact() async throws {
        let bundle = try publicBundle(V1.bundle)
        let code = try await verifyCode(bundle, artifact: "bundle.txt", root: try publicRoot("staging"), identity: V1.identity, issuer: V1.issuer)
        #expect(code == .artifactMismatch)
    }

    @Test("time: a flipped byte in the signed entry timestamp fails the inclusion promise")
    func setByte() async throws {
        let code = try await V1.code { bundle in
            let set = try #require(bundle.firstEntry.inclusionPromise)
            bundle.firstEntry.inclusionPromise = InclusionPromise(signedEntryTimestamp: flipped(set.signedEntryTimestamp, at: 30))
        }
        #expect(code == .inclusionPromiseInvalid)
    }

    @Test("time: a bundle whose only time source is removed has no verified time")
    func noTime() async throws {
        #expect(try await V1.code { $0.firstEntry.inclusionPromise = nil } == .noVerifiedTime)
    }

    @Test("timestamp: a timestamp over other signature bytes fails the timestamp step")
    func timestampImprint() async throws {
        let other = try publicBundle("a.dsse.staging-rekor-v2.txt.sigstore.json")
        let code = try await V2.code { bundle in
            bundle.verificationMaterial.timestampVerificationData = other.verificationMaterial.timestampVerificationData
        }
        #expect(code == .timestampInvalid)
    }

    @Test("timestamp: a trusted root with another instance's TSA fails the timestamp step")
    func timestampChain() async throws {
        var root = try publicRoot("staging")
        root.timestampAuthorities = try publicRoot("production").timestampAuthorities
        #expect(try await V2.code({ _ in }, root: root) == .timestampInvalid)
    }

    @Test("limits: 33 timestamps, or one timestamp twice, are refused")
    func timestampLimits() async throws {
        let code33 = try await V2.code { bundle in
            let one = bundle.verificationMaterial.rfc3161Timestamps[0]
            bundle.verificationMaterial.timestampVerificationData = TimestampVerificationData(
                rfc3161Timestamps: (0..<33).map { RFC3161SignedTimestamp(signedTimestamp: one.signedTimestamp + [UInt8($0)]) })
        }
        #expect(code33 == .limitExceeded)
        let twice = try await V2.code { bundle in
            let one = bundle.verificationMaterial.rfc3161Timestamps[0]
            bundle.verificationMaterial.timestampVerificationData = TimestampVerificationData(rfc3161Timestamps: [one, one])
        }
        #expect(twice == .limitExceeded)
    }

    @Test("certificate: a timestamp taken after the certificate expired fails the certificate step")
    func certificateValidity() async throws {
        let c = try #require(PublicCases.all.first { $0.bundle == "tsa/bundle.txt.late_timestamp.sigstore" })
        #expect(try await PublicTrust.outcome(c) == .certificateInvalid)
    }

    @Test("certificate: a trusted root without the issuing Fulcio CA fails the certificate step")
    func certificateChain() async throws {
        var root = try publicRoot("staging")
        root.certificateAuthorities = try publicRoot("production").certificateAuthorities
        #expect(try await V1.code({ _ in }, root: root) == .certificateInvalid)
    }

    @Test("SCT: a CT log key that did not sign the SCT, under the same log ID, fails the SCT check")
    func sctSignature() async throws {
        var root = try publicRoot("staging")
        let stranger = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        root.ctlogs = root.ctlogs.map { log in
            var log = log
            log.publicKey = PublicKey(rawBytes: stranger, keyDetails: .pkixECDSAP256SHA256, validFor: log.publicKey.validFor)
            return log
        }
        #expect(try await V1.code({ _ in }, root: root) == .sctInvalid)
    }

    @Test("log: an entry naming a log the trusted root does not list fails with unknownLog")
    func logKeyID() async throws {
        #expect(try await V1.code { $0.firstEntry.logId = LogId(keyId: flipped($0.firstEntry.logId.keyId, at: 0)) } == .unknownLog)
        #expect(try await V2.code { $0.firstEntry.logId = LogId(keyId: flipped($0.firstEntry.logId.keyId, at: 0)) } == .unknownLog)
    }

    @Test("log: a flipped bit in an inclusion proof hash fails the inclusion proof", arguments: [0, 1, 2])
    func proofHash(position: Int) async throws {
        for version in [1, 2] {
            let edit: (inout SigstoreBundle) throws -> Void = { bundle in
                var proof = try #require(bundle.firstEntry.inclusionProof)
                try #require(position < proof.hashes.count)
                proof.hashes[position] = flipped(proof.hashes[position], at: 5)
                bundle.firstEntry.inclusionProof = proof
            }
            let code = version == 1 ? try await V1.code(edit) : try await V2.code(edit)
            #expect(code == .inclusionProofInvalid, "Rekor v\(version)")
        }
    }

    @Test("log: a flipped character in the checkpoint signature fails the checkpoint")
    func checkpointSignature() async throws {
        for version in [1, 2] {
            let edit: (inout SigstoreBundle) throws -> Void = { bundle in
                var proof = try #require(bundle.firstEntry.inclusionProof)
                var text = Array(try #require(proof.checkpoint).envelope.utf8)
                let position = text.count - 6
                text[position] = text[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                proof.checkpoint = SigilBundle.Checkpoint(envelope: String(decoding: text, as: UTF8.self))
                bundle.firstEntry.inclusionProof = proof
            }
            let code = version == 1 ? try await V1.code(edit) : try await V2.code(edit)
            #expect(code == .checkpointInvalid, "Rekor v\(version)")
        }
    }

    @Test("log: a genuine checkpoint of the same log for another tree fails the checkpoint root check")
    func checkpointRoot() async throws {
        let other = try publicBundle("bundle.txt.sigstore")
        let code = try await V1.code { bundle in
            var proof = try #require(bundle.firstEntry.inclusionProof)
            proof.checkpoint = other.firstEntry.inclusionProof?.checkpoint
            bundle.firstEntry.inclusionProof = proof
        }
        #expect(code == .checkpointInvalid)
    }

    @Test("log: a genuine entry of another signing fails the entry-consistency step")
    func entryFromAnotherBundle() async throws {
        // A Rekor v2 bundle's time comes from its timestamp, so swapping in another v2 entry changes only the
        // entry. (Swapping Rekor v1 entries also swaps the SET's time, which the certificate step rejects first.)
        let other = try publicBundle("a.dsse.staging-rekor-v2.txt.sigstore.json")
        #expect(try await V2.code { $0.firstEntry = other.firstEntry } == .entryInconsistent)
        let v1Other = try publicBundle("bundle.txt.sigstore")
        #expect(try await V1.code { $0.firstEntry = v1Other.firstEntry } == .certificateInvalid)
    }

    @Test("DSSE: a flipped payload byte fails the signature; another artifact fails the in-toto subject check")
    func dsse() async throws {
        let c = try #require(PublicCases.passing.first { $0.bundle.hasPrefix("a.dsse") })
        var bundle = try publicBundle(c.bundle)
        guard case .dsseEnvelope(var envelope) = bundle.content else { Issue.record("not DSSE"); return }
        envelope.payload = flipped(envelope.payload, at: 40)
        bundle.content = .dsseEnvelope(envelope)
        let root = try publicRoot("staging")
        #expect(try await verifyCode(bundle, artifact: c.artifact, root: root, identity: c.identity, issuer: c.issuer) == .signatureInvalid)

        let genuine = try publicBundle(c.bundle)
        #expect(try await verifyCode(genuine, artifact: "bundle.txt", root: root, identity: c.identity, issuer: c.issuer) == .subjectMismatch)
    }

    @Test("policy: a key policy refuses a certificate bundle")
    func keyPolicyOnCertificateBundle() async throws {
        let bundle = try publicBundle(V1.bundle)
        let key = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        await #expect {
            _ = try await Verifier(trustedRoot: try publicRoot("staging")).verify(
                bundle, artifact: try PublicTrust.artifact(V1.artifact), policy: .publicKey(subjectPublicKeyInfo: key))
        } throws: { ($0 as? VerificationError)?.code == .publicKeyMismatch }
    }
}
