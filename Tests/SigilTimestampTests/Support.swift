// Test helpers: reading timestamps out of real Sigstore bundles, trusted-root TSAs, OpenSSL fixtures, and
// byte patching for tamper tables.

import Foundation
import SigilTesting
import SigilTimestamp
import SwiftASN1
import Testing
import X509

enum TestData {
    /// Parses a JSON fixture.
    static func json(_ path: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes(path)))
        return try #require(object as? [String: Any], "\(path) is not a JSON object")
    }

    static func base64(_ string: Any?) throws -> [UInt8] {
        let text = try #require(string as? String, "expected a base64 string")
        return [UInt8](try #require(Data(base64Encoded: text), "bad base64"))
    }

    /// The DER TimeStampResps of a bundle (`rfc3161Timestamps[].signedTimestamp`).
    static func bundleTimestamps(_ path: String) throws -> [[UInt8]] {
        let bundle = try json(path)
        let material = try #require(bundle["verificationMaterial"] as? [String: Any])
        let data = try #require(material["timestampVerificationData"] as? [String: Any])
        let timestamps = try #require(data["rfc3161Timestamps"] as? [[String: Any]])
        return try timestamps.map { try base64($0["signedTimestamp"]) }
    }

    /// The signature bytes a bundle's timestamps cover: `messageSignature.signature`, or the DSSE envelope's
    /// only signature.
    static func bundleSignature(_ path: String) throws -> [UInt8] {
        let bundle = try json(path)
        if let message = bundle["messageSignature"] as? [String: Any] {
            return try base64(message["signature"])
        }
        let envelope = try #require(bundle["dsseEnvelope"] as? [String: Any])
        let signatures = try #require(envelope["signatures"] as? [[String: Any]])
        return try base64(try #require(signatures.first)["sig"])
    }

    static func date(_ text: String) throws -> Date {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try #require(plain.date(from: text) ?? fractional.date(from: text), "bad date \(text)")
    }

    /// The `timestampAuthorities` of a TrustedRoot (or ClientTrustConfig) JSON fixture.
    static func authorities(trustedRoot path: String) throws -> [TimestampAuthority] {
        var root = try json(path)
        if let inner = root["trustedRoot"] as? [String: Any] { root = inner }
        let entries = try #require(root["timestampAuthorities"] as? [[String: Any]])
        return try entries.map { entry in
            let chain = try #require(entry["certChain"] as? [String: Any])
            let certificates = try #require(chain["certificates"] as? [[String: Any]])
            let validFor = try #require(entry["validFor"] as? [String: Any])
            let start = try date(try #require(validFor["start"] as? String))
            let end = try (validFor["end"] as? String).map(date)
            return try TimestampAuthority(
                derCertificates: certificates.map { try base64($0["rawBytes"]) }, validFrom: start, validUntil: end)
        }
    }

    static var staging: [TimestampAuthority] {
        get throws { try authorities(trustedRoot: "sigstore-public/trust/staging/trusted_root.json") }
    }

    static var production: [TimestampAuthority] {
        get throws { try authorities(trustedRoot: "sigstore-public/trust/production/trusted_root.json") }
    }

    /// sigstore-python's test TSA (`test/assets/tsa/ca.json`), which signed `tsa/bundle.txt.sigstore`'s two
    /// timestamps. The file has no `validFor`; the window starts at the leaf's notBefore.
    static var sigstorePythonTestTSA: [TimestampAuthority] {
        get throws {
            let file = try json("timestamp/sigstore-python-tsa-ca.json")
            let chain = try #require(file["certChain"] as? [String: Any])
            let certificates = try #require(chain["certificates"] as? [[String: Any]])
            return [
                try TimestampAuthority(
                    derCertificates: certificates.map { try base64($0["rawBytes"]) },
                    validFrom: try date("2024-10-31T10:16:42Z"))
            ]
        }
    }

    static func pem(_ name: String) throws -> Certificate {
        try Certificate(pemEncoded: try Fixtures.text("timestamp/openssl/\(name).pem"))
    }

    /// An authority from OpenSSL fixture certificates (leaf first), open-ended from 2000.
    static func opensslAuthority(_ names: [String], validFrom: Date? = nil, validUntil: Date? = nil) throws
        -> TimestampAuthority
    {
        TimestampAuthority(
            certificateChain: try names.map(pem),
            validFrom: try validFrom ?? date("2000-01-01T00:00:00Z"), validUntil: validUntil)
    }

    static func openssl(_ name: String) throws -> [UInt8] {
        try Fixtures.bytes("timestamp/openssl/\(name)")
    }
}

extension Array where Element == UInt8 {
    /// The start of the `occurrence`-th (0-based) appearance of `pattern`.
    func index(of pattern: [UInt8], occurrence: Int = 0) -> Int? {
        guard !pattern.isEmpty, pattern.count <= count else { return nil }
        var seen = 0
        for start in 0...(count - pattern.count) where self[start..<(start + pattern.count)].elementsEqual(pattern) {
            if seen == occurrence { return start }
            seen += 1
        }
        return nil
    }

    func flipping(at index: Int, mask: UInt8 = 0x01) -> [UInt8] {
        var copy = self
        copy[index] ^= mask
        return copy
    }
}

/// Runs `body` and checks that it throws a `TimestampError` with `code`.
func expectTimestampError<T>(
    _ code: TimestampError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async {
    do {
        let value = try await body()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as TimestampError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected TimestampError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
