// Signing against an in-process VirtualSigstore built from Sigil's real CA, CT log, tile log and TSA: the
// bundles verify with SigilVerify's `Verifier`, read back equal, and stop verifying once tampered with.

import Crypto
import Foundation
import SigilBundle
import SigilCT
import SigilSign
import SigilTesting
import SigilVerify
import SigilX509
import Testing
import X509

@Suite("Signing with VirtualSigstore")
struct SignerTests {
    static let email = "alice@sigil.test"

    @Test("a message signature bundle verifies, names the identity, and reads back equal")
    func messageSignature() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let session = try await sigstore.signer().session(identityToken: sigstore.identityToken(email: Self.email))
        #expect(session.identity == Self.email)
        #expect(session.issuer == VirtualSigstore.defaultIssuer)
        let artifact = Array("hello, sigil\n".utf8)
        let bundle = try await session.sign(artifact: artifact)

        #expect(bundle.mediaType == .v0_3)
        #expect(bundle.verificationMaterial.tlogEntries.count == 1)
        #expect(bundle.verificationMaterial.rfc3161Timestamps.count == 1)
        #expect(bundle.verificationMaterial.leafCertificate != nil)
        let reparsed = try SigstoreBundle.parse(bundle.jsonBytes())
        #expect(reparsed == bundle)

        let verifier = try SigilVerify.Verifier(trustedRoot: sigstore.trustedRoot)
        let result = try await verifier.verify(
            reparsed, artifact: Artifact(bytes: artifact),
            policy: .identity(Self.email, issuer: VirtualSigstore.defaultIssuer))
        #expect(result.identity == Self.email)
        #expect(result.logEntries.map(\.logIndex) == [0])
        #expect(result.logEntries.first?.kind == "hashedrekord")

        // Another identity, another artifact: both refused.
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                reparsed, artifact: Artifact(bytes: artifact),
                policy: .identity("mallory@sigil.test", issuer: VirtualSigstore.defaultIssuer))
        }
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                reparsed, artifact: Artifact(bytes: Array("hello, sigil!\n".utf8)),
                policy: .identity(Self.email, issuer: VirtualSigstore.defaultIssuer))
        }
    }

    @Test("one session signs several artifacts with one certificate, each at its own log index")
    func oneCertificateManyFiles() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let session = try await sigstore.signer().session(identityToken: sigstore.identityToken(email: Self.email))
        var indices: [Int64] = []
        var leaves: Set<[UInt8]> = []
        for number in 0..<3 {
            let bundle = try await session.sign(artifact: Array("file \(number)\n".utf8))
            indices.append(contentsOf: bundle.verificationMaterial.tlogEntries.map(\.logIndex))
            if let leaf = bundle.verificationMaterial.leafCertificate { leaves.insert(leaf.rawBytes) }
        }
        #expect(indices == [0, 1, 2])
        #expect(leaves.count == 1)
        let records = await sigstore.precertificateLog.records
        #expect(records.count == 1)
    }

    @Test("a DSSE attestation's statement names the artifact, and the bundle verifies")
    func attestation() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let session = try await sigstore.signer().session(identityToken: sigstore.identityToken(email: Self.email))
        let artifact = Array("release.tar.gz contents".utf8)
        let predicate = try JSONValue.parse(Array(#"{"buildDefinition":{"buildType":"https://sigil.test/b"}}"#.utf8))
        let bundle = try await session.attest(
            artifact: artifact, name: "release.tar.gz", predicateType: "https://slsa.dev/provenance/v1",
            predicate: predicate)
        guard case .dsseEnvelope(let envelope) = bundle.content else {
            Issue.record("expected a DSSE envelope")
            return
        }
        #expect(envelope.payloadType == DSSEEnvelope.inTotoPayloadType)
        let statement = try InTotoStatement.parse(envelope.payload)
        #expect(statement.predicateType == "https://slsa.dev/provenance/v1")
        #expect(statement.subjects.map(\.name) == ["release.tar.gz"])
        #expect(statement.hasSubject(algorithm: "sha256", digest: Array(SHA256.hash(data: artifact))))
        #expect(try SigstoreBundle.parse(bundle.jsonBytes()) == bundle)

        let verifier = try SigilVerify.Verifier(trustedRoot: sigstore.trustedRoot)
        let result = try await verifier.verify(
            bundle, artifact: Artifact(bytes: artifact),
            policy: .identity(Self.email, issuer: VirtualSigstore.defaultIssuer))
        #expect(result.payloadType == DSSEEnvelope.inTotoPayloadType)
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                bundle, artifact: Artifact(bytes: Array("other".utf8)),
                policy: .identity(Self.email, issuer: VirtualSigstore.defaultIssuer))
        }
    }

    @Test("a managed P-256 key signs a bundle with a key hint that verifies with the key policy only")
    func keyBasedRoundTrip() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let key = P256.Signing.PrivateKey()
        let session = try sigstore.signer().session(privateKeyPEM: key.pemRepresentation)
        #expect(session.certificate == nil)
        let artifact = Array("signed with a managed key".utf8)
        let bundle = try await session.sign(artifact: artifact)
        guard case .publicKey(let hint) = bundle.verificationMaterial.content else {
            Issue.record("expected a public key hint")
            return
        }
        #expect(!hint.hint.isEmpty)
        #expect(try SigstoreBundle.parse(bundle.jsonBytes()) == bundle)
        let verifier = try SigilVerify.Verifier(trustedRoot: sigstore.trustedRoot)
        let spki = Array(key.publicKey.derRepresentation)
        _ = try await verifier.verify(
            bundle, artifact: Artifact(bytes: artifact), policy: .publicKey(subjectPublicKeyInfo: spki))
        let otherKey = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                bundle, artifact: Artifact(bytes: artifact), policy: .publicKey(subjectPublicKeyInfo: otherKey))
        }
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                bundle, artifact: Artifact(bytes: artifact),
                policy: .identity(Self.email, issuer: VirtualSigstore.defaultIssuer))
        }
    }

    @Test("a private key that is not PEM P-256 is refused")
    func badKey() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let signer = try sigstore.signer()
        for pem in ["", "not a key", P384.Signing.PrivateKey().pemRepresentation] {
            #expect {
                _ = try signer.session(privateKeyPEM: pem)
            } throws: { ($0 as? SignError)?.code == .invalidKey }
        }
    }

    @Test("a token the CA does not accept fails as certificate issuance")
    func refusedToken() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        await #expect {
            _ = try await sigstore.signer().session(identityToken: "eyJhbGciOiJub25lIn0.e30.")
        } throws: { ($0 as? SignError)?.code == .certificateIssuance }
    }

    @Test("without any timestamp authority a Rekor v2 bundle is refused before it is returned")
    func noTimestamper() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let signer = try Signer(
            trustedRoot: sigstore.trustedRoot, certificateIssuer: sigstore, logSubmitter: sigstore, timestampers: [],
            clock: sigstore.clock)
        let session = try await signer.session(identityToken: sigstore.identityToken(email: Self.email))
        await #expect {
            _ = try await session.sign(artifact: [1, 2, 3])
        } throws: { ($0 as? SignError)?.code == .noTimestamp }
    }

    @Test("a trusted root without the virtual CT log's key refuses the certificate's SCT")
    func unknownCTLog() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        var root = sigstore.trustedRoot
        let otherSPKI = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        root.ctlogs = [
            TransparencyLogInstance(
                baseUrl: "https://ct.other.test",
                publicKey: PublicKey(
                    rawBytes: otherSPKI, keyDetails: .pkixECDSAP256SHA256, validFor: root.ctlogs[0].publicKey.validFor),
                logId: LogId(keyId: CertificateCoding.sha256(otherSPKI)))
        ]
        let signer = try Signer(
            trustedRoot: root, certificateIssuer: sigstore, logSubmitter: sigstore, timestampers: [sigstore],
            clock: sigstore.clock)
        await #expect {
            _ = try await signer.session(identityToken: sigstore.identityToken(email: Self.email))
        } throws: { ($0 as? SignError)?.code == .sctInvalid }
    }
}
