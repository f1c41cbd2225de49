// One `Verifier` used for many bundles, as a long-running service uses it: what it learns from a good bundle
// (the TSA chain of its trusted root, checked once) never lets a tampered bundle through.

import Foundation
import SigilBundle
import SigilTesting
import SigilVerify
import Testing

/// Verifies with `verifier` and returns the error code, or `nil` when verified.
func code(
    _ verifier: Verifier, _ bundle: SigstoreBundle, artifact: String, identity: String, issuer: String
) async throws -> VerificationError.Code? {
    do {
        _ = try await verifier.verify(
            bundle, artifact: try PublicTrust.artifact(artifact), policy: .identity(identity, issuer: issuer))
        return nil
    } catch let error as VerificationError {
        return error.code
    }
}

/// The bundle with the last byte of its signing certificate flipped: the certificate still parses, but the
/// issuer's signature over it no longer verifies.
func withTamperedCertificateSignature(_ bundle: SigstoreBundle) throws -> SigstoreBundle {
    var copy = bundle
    switch copy.verificationMaterial.content {
    case .certificate(var certificate):
        certificate.rawBytes[certificate.rawBytes.count - 1] ^= 0x01
        copy.verificationMaterial.content = .certificate(certificate)
    case .x509CertificateChain(var chain):
        let leaf = try #require(chain.certificates.first)
        var tampered = leaf
        tampered.rawBytes[tampered.rawBytes.count - 1] ^= 0x01
        chain.certificates[0] = tampered
        copy.verificationMaterial.content = .x509CertificateChain(chain)
    case .publicKey:
        Issue.record("expected a bundle with a certificate")
    }
    return copy
}

/// The bundle with the last byte of its first RFC 3161 timestamp flipped (inside the TSA's signature).
func withTamperedTimestampSignature(_ bundle: SigstoreBundle) throws -> SigstoreBundle {
    var copy = bundle
    var data = try #require(copy.verificationMaterial.timestampVerificationData)
    var first = try #require(data.rfc3161Timestamps.first)
    first.signedTimestamp[first.signedTimestamp.count - 1] ^= 0x01
    data.rfc3161Timestamps[0] = first
    copy.verificationMaterial.timestampVerificationData = data
    return copy
}

@Suite("A verifier reused across bundles keeps rejecting tampered ones")
struct ReusedVerifierTests {
    @Test("after a good bundle, the same verifier rejects one whose certificate signature is tampered")
    func tamperedCertificateAfterGoodBundle() async throws {
        let verifier = try PublicTrust.verifier("staging")
        for c in [(V1.bundle, V1.artifact, V1.identity, V1.issuer), (V2.bundle, V2.artifact, V2.identity, V2.issuer)] {
            let good = try publicBundle(c.0)
            #expect(try await code(verifier, good, artifact: c.1, identity: c.2, issuer: c.3) == nil)
            let tampered = try withTamperedCertificateSignature(good)
            #expect(try await code(verifier, tampered, artifact: c.1, identity: c.2, issuer: c.3) == .certificateInvalid)
            // And the good one still verifies afterwards: a failure is not remembered either.
            #expect(try await code(verifier, good, artifact: c.1, identity: c.2, issuer: c.3) == nil)
        }
    }

    @Test("after a good timestamped bundle, the same verifier rejects one whose timestamp signature is tampered")
    func tamperedTimestampAfterGoodBundle() async throws {
        let verifier = try PublicTrust.verifier("staging")
        let good = try publicBundle(V2.bundle)
        for _ in 0..<2 {
            #expect(try await code(verifier, good, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == nil)
        }
        let tampered = try withTamperedTimestampSignature(good)
        #expect(try await code(verifier, tampered, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == .timestampInvalid)
        #expect(try await code(verifier, good, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == nil)
    }

    @Test("once the trusted root's P-384 keys have tables, tampered certificate and timestamp signatures are still rejected")
    func tamperedAfterTablesAreBuilt() async throws {
        let verifier = try PublicTrust.verifier("staging")
        let good = try publicBundle(V2.bundle)
        #expect(verifier.keysWithTables == 0)
        #expect(try await code(verifier, good, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == nil)
        #expect(verifier.keysWithTables == 0)  // one use: swift-crypto, no table
        for _ in 0..<2 {
            #expect(try await code(verifier, good, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == nil)
        }
        // The Fulcio intermediate that issued the leaf and the TSA leaf are P-384 keys: both have tables now.
        #expect(verifier.keysWithTables == 2)
        let tamperedCertificate = try withTamperedCertificateSignature(good)
        #expect(try await code(verifier, tamperedCertificate, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == .certificateInvalid)
        let tamperedTimestamp = try withTamperedTimestampSignature(good)
        #expect(try await code(verifier, tamperedTimestamp, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == .timestampInvalid)
        #expect(try await code(verifier, good, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer) == nil)
        // A wrong identity is still refused at the policy step.
        #expect(try await code(verifier, good, artifact: V2.artifact, identity: "someone@else", issuer: V2.issuer) == .identityMismatch)
    }

    @Test("verifying many bundles concurrently with one verifier gives each its own result")
    func concurrentUse() async throws {
        let verifier = try PublicTrust.verifier("staging")
        let good = try publicBundle(V2.bundle)
        let tampered = try withTamperedCertificateSignature(good)
        let codes = try await withThrowingTaskGroup(of: (Bool, VerificationError.Code?).self) { group in
            for index in 0..<16 {
                let isGood = index % 2 == 0
                group.addTask {
                    (isGood, try await code(verifier, isGood ? good : tampered, artifact: V2.artifact, identity: V2.identity, issuer: V2.issuer))
                }
            }
            var all: [(Bool, VerificationError.Code?)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(codes.count == 16)
        for (isGood, code) in codes {
            #expect(code == (isGood ? nil : .certificateInvalid))
        }
    }
}
