// A bundle signed through VirtualSigstore stops verifying when any part of it is changed afterwards, and a
// signer whose log answers with the wrong entry refuses to return a bundle.

import Crypto
import Foundation
import SigilBundle
import SigilSign
import SigilTesting
import SigilVerify
import Testing

private func flip(_ bytes: [UInt8], at index: Int? = nil) -> [UInt8] {
    guard !bytes.isEmpty else { return [1] }
    var copy = bytes
    let position = index ?? bytes.count / 2
    copy[position] ^= 0x01
    return copy
}

/// A log that answers every request with one fixed entry (an earlier, real one).
private struct StaleLog: LogSubmitter {
    let entry: TransparencyLogEntry
    func submit(_ request: CreateEntryRequest) async throws -> TransparencyLogEntry { entry }
}

@Suite("Tampering after signing")
struct TamperTests {
    static let email = "tamper@sigil.test"

    static func mutations(other: SigstoreBundle) -> [(String, (inout SigstoreBundle) -> Void)] {
        [
            ("signature bit flip", { bundle in
                if case .messageSignature(var signature) = bundle.content {
                    signature.signature = flip(signature.signature)
                    bundle.content = .messageSignature(signature)
                }
            }),
            ("message digest bit flip", { bundle in
                if case .messageSignature(var signature) = bundle.content, var digest = signature.messageDigest {
                    digest.digest = flip(digest.digest, at: 0)
                    signature.messageDigest = digest
                    bundle.content = .messageSignature(signature)
                }
            }),
            ("certificate of another session", { bundle in
                bundle.verificationMaterial.content = other.verificationMaterial.content
            }),
            ("log entry of another artifact", { bundle in
                bundle.verificationMaterial.tlogEntries = other.verificationMaterial.tlogEntries
            }),
            ("canonicalized body bit flip", { bundle in
                bundle.verificationMaterial.tlogEntries[0].canonicalizedBody = flip(
                    bundle.verificationMaterial.tlogEntries[0].canonicalizedBody)
            }),
            ("inclusion proof root bit flip", { bundle in
                if var proof = bundle.verificationMaterial.tlogEntries[0].inclusionProof {
                    proof.rootHash = flip(proof.rootHash, at: 0)
                    bundle.verificationMaterial.tlogEntries[0].inclusionProof = proof
                }
            }),
            ("checkpoint text changed", { bundle in
                if var proof = bundle.verificationMaterial.tlogEntries[0].inclusionProof,
                    let envelope = proof.checkpoint?.envelope
                {
                    proof.checkpoint = Checkpoint(envelope: envelope.replacingOccurrences(of: "\n1\n", with: "\n2\n"))
                    bundle.verificationMaterial.tlogEntries[0].inclusionProof = proof
                }
            }),
            ("log index moved", { bundle in
                bundle.verificationMaterial.tlogEntries[0].logIndex += 1
                bundle.verificationMaterial.tlogEntries[0].inclusionProof?.logIndex += 1
            }),
            ("timestamps removed", { bundle in
                bundle.verificationMaterial.timestampVerificationData = nil
            }),
            ("timestamp bit flip", { bundle in
                let stamp = bundle.verificationMaterial.rfc3161Timestamps[0].signedTimestamp
                bundle.verificationMaterial.timestampVerificationData = TimestampVerificationData(
                    rfc3161Timestamps: [RFC3161SignedTimestamp(signedTimestamp: flip(stamp, at: stamp.count - 10))])
            }),
            ("timestamp of another signature", { bundle in
                bundle.verificationMaterial.timestampVerificationData = other.verificationMaterial.timestampVerificationData
            }),
        ]
    }

    @Test("every mutation of a verified bundle makes it fail verification")
    func tamperTable() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let signer = try sigstore.signer()
        let artifact = Array("the artifact\n".utf8)
        let bundle = try await signer.session(identityToken: sigstore.identityToken(email: Self.email))
            .sign(artifact: artifact)
        let other = try await signer.session(identityToken: sigstore.identityToken(email: Self.email))
            .sign(artifact: Array("another artifact\n".utf8))
        let verifier = try SigilVerify.Verifier(trustedRoot: sigstore.trustedRoot)
        let policy = VerificationPolicy.identity(Self.email, issuer: VirtualSigstore.defaultIssuer)
        _ = try await verifier.verify(bundle, artifact: Artifact(bytes: artifact), policy: policy)

        let mutations = Self.mutations(other: other)
        #expect(mutations.count > 10)
        for (name, mutate) in mutations {
            var tampered = bundle
            mutate(&tampered)
            #expect(tampered != bundle, "\(name) changed nothing")
            await #expect(throws: VerificationError.self, "\(name)") {
                _ = try await verifier.verify(tampered, artifact: Artifact(bytes: artifact), policy: policy)
            }
        }
    }

    @Test("a log that answers with another entry makes the signer refuse its own bundle")
    func staleLog() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let first = try await sigstore.signer().session(identityToken: sigstore.identityToken(email: Self.email))
            .sign(artifact: Array("first".utf8))
        let signer = try Signer(
            trustedRoot: sigstore.trustedRoot, certificateIssuer: sigstore,
            logSubmitter: StaleLog(entry: first.verificationMaterial.tlogEntries[0]), timestampers: [sigstore],
            clock: sigstore.clock)
        let session = try await signer.session(identityToken: sigstore.identityToken(email: Self.email))
        await #expect {
            _ = try await session.sign(artifact: Array("second".utf8))
        } throws: { ($0 as? SignError)?.code == .selfVerification }
    }
}
