// The public-good bundles of Tests/Fixtures/sigstore-public give exactly the results its README lists
// (checked there with sigstore-python 4.5.1), by file and by digest.

import Foundation
import SigilBundle
import SigilTesting
import SigilVerify
import Testing

/// One row of the fixtures README.
struct PublicCase: Sendable, CustomTestStringConvertible {
    let bundle: String
    /// A fixture path, or `sha256:HEX`.
    let artifact: String
    let environment: String
    let identity: String
    let issuer: String
    /// `nil`: verifies.
    let expected: VerificationError.Code?

    var testDescription: String { bundle }
}

enum PublicCases {
    static let github = "https://token.actions.githubusercontent.com"
    static let githubOAuth = "https://github.com/login/oauth"
    static let google = "https://accounts.google.com"

    static let all: [PublicCase] = [
        PublicCase(
            bundle: "bundle_v3_github.whl.sigstore",
            artifact: "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201", environment: "production",
            identity: "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
            issuer: github, expected: nil),
        PublicCase(bundle: "bundle.txt.sigstore", artifact: "bundle.txt", environment: "staging", identity: "a@tny.town", issuer: githubOAuth, expected: nil),
        PublicCase(bundle: "bundle_v3.txt.sigstore", artifact: "bundle_v3.txt", environment: "staging", identity: "william@yossarian.net", issuer: githubOAuth, expected: nil),
        PublicCase(bundle: "staging-rekor-v2.txt.sigstore.json", artifact: "staging-rekor-v2.txt", environment: "staging", identity: "jku@goto.fi", issuer: githubOAuth, expected: nil),
        PublicCase(
            bundle: "a.dsse.staging-rekor-v2.txt.sigstore.json", artifact: "a.dsse.staging-rekor-v2.subject.txt", environment: "staging",
            identity: "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            issuer: github, expected: nil),
        PublicCase(bundle: "tsa/bundle.txt.sigstore", artifact: "tsa/bundle.txt", environment: "staging", identity: "alexis.challande@trailofbits.com", issuer: google, expected: nil),

        PublicCase(bundle: "bundle_cve_2022_36056.txt.sigstore", artifact: "bundle_cve_2022_36056.txt", environment: "staging", identity: "william@yossarian.net", issuer: githubOAuth, expected: .entryInconsistent),
        PublicCase(bundle: "bundle_invalid_version.txt.sigstore", artifact: "bundle_invalid_version.txt", environment: "staging", identity: "william@yossarian.net", issuer: githubOAuth, expected: .malformedBundle),
        PublicCase(bundle: "bundle_no_cert_v1.txt.sigstore", artifact: "bundle_no_cert_v1.txt", environment: "staging", identity: "william@yossarian.net", issuer: githubOAuth, expected: .bundleInvalid),
        PublicCase(bundle: "bundle_no_log_entry.txt.sigstore", artifact: "bundle_no_log_entry.txt", environment: "staging", identity: "alex.cameron@trailofbits.com", issuer: google, expected: .bundleInvalid),
        PublicCase(bundle: "bundle_v3_no_signed_time.txt.sigstore.json", artifact: "bundle_v3_no_signed_time.txt", environment: "staging", identity: "william@yossarian.net", issuer: githubOAuth, expected: .noVerifiedTime),
        PublicCase(
            bundle: "tsa/bundle.txt.late_timestamp.sigstore", artifact: "tsa/bundle.txt", environment: "staging",
            identity: "insecure-cloudtop-shared-user@cloudtop-prod-us-east.iam.gserviceaccount.com", issuer: google, expected: .certificateInvalid),
        PublicCase(
            bundle: "integration/Python-3.12.5.tgz.sigstore",
            artifact: "sha256:38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405", environment: "production",
            identity: "thomas@python.org", issuer: google, expected: .checkpointMissing),
    ]

    static var passing: [PublicCase] { all.filter { $0.expected == nil } }
}

/// Verifiers for the two public-good environments, built once.
enum PublicTrust {
    static func verifier(_ environment: String) throws -> Verifier {
        let root = try Verifier.parseTrustedRoot(try Fixtures.bytes("sigstore-public/trust/\(environment)/trusted_root.json"))
        return try Verifier(trustedRoot: root)
    }

    static func artifact(_ spec: String, byDigest: Bool = false) throws -> Artifact {
        if spec.hasPrefix("sha256:") {
            let hex = Array(spec.dropFirst(7).utf8)
            var bytes: [UInt8] = []
            var index = 0
            while index + 1 < hex.count {
                bytes.append(UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16)!)
                index += 2
            }
            return try Artifact(sha256: bytes)
        }
        let bytes = try Fixtures.bytes("sigstore-public/\(spec)")
        return byDigest ? try Artifact(sha256: Artifact(bytes: bytes).sha256) : Artifact(bytes: bytes)
    }

    /// Parses and verifies; returns the error code, or `nil` when verified.
    static func outcome(_ c: PublicCase, policy: VerificationPolicy? = nil, environment: String? = nil, byDigest: Bool = false) async throws -> VerificationError.Code? {
        let verifier = try verifier(environment ?? c.environment)
        do {
            let bundle = try Verifier.parseBundle(try Fixtures.bytes("sigstore-public/\(c.bundle)"))
            _ = try await verifier.verify(
                bundle, artifact: try artifact(c.artifact, byDigest: byDigest),
                policy: policy ?? .identity(c.identity, issuer: c.issuer))
            return nil
        } catch let error as VerificationError {
            return error.code
        }
    }
}

@Suite("Public-good bundles give the results sigstore-python gives")
struct PublicBundleTests {
    @Test("the table covers every bundle in the fixtures folder")
    func tableIsComplete() throws {
        #expect(PublicCases.all.count == 13)
        #expect(PublicCases.passing.count == 6)
        let listed = Set(PublicCases.all.map(\.bundle))
        var onDisk = try Fixtures.files(in: "sigstore-public").filter { $0.contains(".sigstore") }
        onDisk += try Fixtures.files(in: "sigstore-public/tsa").filter { $0.contains(".sigstore") }.map { "tsa/\($0)" }
        onDisk += try Fixtures.files(in: "sigstore-public/integration").map { "integration/\($0)" }
        #expect(Set(onDisk) == listed)
    }

    @Test("each bundle verifies or fails with the expected code, given the artifact", arguments: PublicCases.all)
    func byFile(_ c: PublicCase) async throws {
        let outcome = try await PublicTrust.outcome(c)
        #expect(outcome == c.expected)
    }

    @Test("each bundle gives the same result given only the artifact's digest", arguments: PublicCases.all)
    func byDigest(_ c: PublicCase) async throws {
        let outcome = try await PublicTrust.outcome(c, byDigest: true)
        #expect(outcome == c.expected)
    }

    @Test("every passing bundle fails with a wrong identity", arguments: PublicCases.passing)
    func wrongIdentity(_ c: PublicCase) async throws {
        let outcome = try await PublicTrust.outcome(c, policy: .identity("mallory@example.com", issuer: c.issuer))
        #expect(outcome == .identityMismatch)
    }

    @Test("every passing bundle fails with a wrong issuer", arguments: PublicCases.passing)
    func wrongIssuer(_ c: PublicCase) async throws {
        let outcome = try await PublicTrust.outcome(c, policy: .identity(c.identity, issuer: "https://issuer.example.com"))
        #expect(outcome == .issuerMismatch)
    }

    @Test("every passing bundle fails against the other environment's trusted root", arguments: PublicCases.passing)
    func wrongInstance(_ c: PublicCase) async throws {
        let other = c.environment == "staging" ? "production" : "staging"
        let outcome = try await PublicTrust.outcome(c, environment: other)
        #expect(outcome != nil)
    }

    @Test("an identity pattern matches the whole SAN, not a part of it")
    func identityPattern() async throws {
        let c = try #require(PublicCases.passing.first { $0.bundle == "bundle_v3.txt.sigstore" })
        #expect(try await PublicTrust.outcome(c, policy: .identity(matching: ".*@yossarian\\.net", issuer: c.issuer)) == nil)
        #expect(try await PublicTrust.outcome(c, policy: .identity(matching: "yossarian", issuer: c.issuer)) == .identityMismatch)
    }
}
