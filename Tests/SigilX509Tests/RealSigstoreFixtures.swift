// Real Sigstore leaf certificates and trust roots from Tests/Fixtures/sigstore-public (see its README.md),
// read with Foundation's JSON parser (tests only).

import Foundation
import SigilTesting
import SigilX509
import X509

/// One expected-PASS bundle of the fixtures README with its leaf certificate and expected identity.
struct RealLeaf: CustomStringConvertible, Sendable {
    var bundle: String
    var environment: String
    var identity: String
    var identityKind: SubjectAlternativeName.Kind
    var issuer: String

    var description: String { bundle }

    /// The leaf DER: v0.3 `verificationMaterial.certificate.rawBytes`, v0.1/v0.2
    /// `x509CertificateChain.certificates[0].rawBytes`.
    func leafDER() throws -> [UInt8] {
        let json = try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("sigstore-public/\(bundle)")))
        let material = (json as? [String: Any])?["verificationMaterial"] as? [String: Any]
        let base64: String?
        if let certificate = material?["certificate"] as? [String: Any] {
            base64 = certificate["rawBytes"] as? String
        } else {
            let chain = material?["x509CertificateChain"] as? [String: Any]
            base64 = ((chain?["certificates"] as? [[String: Any]])?.first)?["rawBytes"] as? String
        }
        guard let base64, let der = Data(base64Encoded: base64) else { throw FixtureError("no leaf in \(bundle)") }
        return [UInt8](der)
    }

    func leaf() throws -> Certificate { try CertificateCoding.certificate(der: leafDER()) }
}

/// The expected-PASS table of Tests/Fixtures/sigstore-public/README.md, plus the CPython release leaf.
let realLeaves: [RealLeaf] = [
    RealLeaf(
        bundle: "bundle_v3_github.whl.sigstore", environment: "production",
        identity: "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
        identityKind: .uri, issuer: "https://token.actions.githubusercontent.com"),
    RealLeaf(
        bundle: "bundle.txt.sigstore", environment: "staging", identity: "a@tny.town", identityKind: .email,
        issuer: "https://github.com/login/oauth"),
    RealLeaf(
        bundle: "bundle_v3.txt.sigstore", environment: "staging", identity: "william@yossarian.net",
        identityKind: .email, issuer: "https://github.com/login/oauth"),
    RealLeaf(
        bundle: "staging-rekor-v2.txt.sigstore.json", environment: "staging", identity: "jku@goto.fi",
        identityKind: .email, issuer: "https://github.com/login/oauth"),
    RealLeaf(
        bundle: "a.dsse.staging-rekor-v2.txt.sigstore.json", environment: "staging",
        identity:
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
        identityKind: .uri, issuer: "https://token.actions.githubusercontent.com"),
    RealLeaf(
        bundle: "tsa/bundle.txt.sigstore", environment: "staging", identity: "alexis.challande@trailofbits.com",
        identityKind: .email, issuer: "https://accounts.google.com"),
    // Expected FAIL in the README only because its inclusion proof lacks a checkpoint; the certificate (a real
    // production CPython release signer) is genuine.
    RealLeaf(
        bundle: "integration/Python-3.12.5.tgz.sigstore", environment: "production", identity: "thomas@python.org",
        identityKind: .email, issuer: "https://accounts.google.com"),
]

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The Fulcio CAs and CT log keys of a `trusted_root.json`.
struct TrustedRootFixture {
    /// The last certificate of each `certificateAuthorities[].certChain`.
    var anchors: [Certificate] = []
    /// The other certificates of each chain.
    var intermediates: [Certificate] = []
    var ctLogs: [CTLogKey] = []

    init(environment: String) throws {
        let data = try Data(Fixtures.bytes("sigstore-public/trust/\(environment)/trusted_root.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let authorities = root["certificateAuthorities"] as? [[String: Any]],
            let logs = root["ctlogs"] as? [[String: Any]]
        else { throw FixtureError("trusted root \(environment) has no CAs or CT logs") }
        for authority in authorities {
            let chain = (authority["certChain"] as? [String: Any])?["certificates"] as? [[String: Any]] ?? []
            let certificates = try chain.map { try CertificateCoding.certificate(der: Self.base64($0["rawBytes"])) }
            guard let last = certificates.last else { throw FixtureError("empty certChain") }
            anchors.append(last)
            intermediates += certificates.dropLast()
        }
        for log in logs {
            let key = log["publicKey"] as? [String: Any] ?? [:]
            let validFor = key["validFor"] as? [String: Any] ?? [:]
            let raw = try Self.base64(key["rawBytes"])
            let logID = try Self.base64((log["logId"] as? [String: Any])?["keyId"])
            let from = try Self.date(validFor["start"])
            let until = try Self.date(validFor["end"])
            if key["keyDetails"] as? String == "PKCS1_RSA_PKCS1V5" {
                ctLogs.append(try CTLogKey(pkcs1RSAPublicKey: raw, logID: logID, validFrom: from, validUntil: until))
            } else {
                ctLogs.append(try CTLogKey(subjectPublicKeyInfo: raw, logID: logID, validFrom: from, validUntil: until))
            }
        }
    }

    static func base64(_ value: Any?) throws -> [UInt8] {
        guard let text = value as? String, let data = Data(base64Encoded: text) else {
            throw FixtureError("expected base64, got \(String(describing: value))")
        }
        return [UInt8](data)
    }

    static func date(_ value: Any?) throws -> Date? {
        guard let text = value as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { throw FixtureError("bad date \(text)") }
        return date
    }
}

extension Certificate {
    /// A time inside the certificate's validity: one minute after notBefore.
    var timeInsideValidity: Date { notValidBefore.addingTimeInterval(60) }
}
