// Log IDs and origins, checked against the public staging trusted root.

import Crypto
import Foundation
import SigilBundle
import SigilRekor
import SigilTesting
import SigilTlog
import Testing

@Suite("Rekor log identity")
struct LogIdentityTests {
    static func stagingLogs() throws -> [TransparencyLogInstance] {
        try TrustedRoot.parse(try Fixtures.bytes("sigstore-public/trust/staging/trusted_root.json")).tlogs
    }

    @Test("every staging log ID is the C2SP key hash of the log's key with the host of its base URL as origin")
    func stagingLogIDs() throws {
        let logs = try Self.stagingLogs()
        #expect(logs.count == 4)
        for log in logs {
            let origin = try RekorLogIdentity.origin(forBaseURL: log.baseUrl)
            let identity = try RekorLogIdentity(
                origin: origin, subjectPublicKeyInfo: try #require(log.publicKey.rawBytes))
            #expect(identity.logID == log.logId.keyId, "\(log.baseUrl)")
        }
    }

    @Test("an Ed25519 log's identity from its key equals the one from its SPKI, and its vkey parses back")
    func ed25519Identity() throws {
        let key = Curve25519.Signing.PrivateKey()
        let fromKey = try RekorLogIdentity(origin: "log.sigil.test", publicKey: key.publicKey)
        let fromSPKI = try RekorLogIdentity(
            origin: "log.sigil.test", subjectPublicKeyInfo: fromKey.subjectPublicKeyInfo)
        #expect(fromKey == fromSPKI)
        #expect(fromKey.logID.count == 32)
        #expect(
            fromKey.logID
                == Array(
                    SHA256.hash(data: Array("log.sigil.test\n".utf8) + [0x01] + Array(key.publicKey.rawRepresentation)))
        )
        let vkey = try #require(fromKey.vkey)
        #expect(try NoteVerifierKey(vkey: vkey).keyHash == fromKey.logID)
        #expect(
            fromKey.keyHint == UInt32(fromKey.logID[0]) << 24 | UInt32(fromKey.logID[1]) << 16 | UInt32(
                fromKey.logID[2]) << 8 | UInt32(fromKey.logID[3]))
    }

    @Test("the staging alpha3 log's vkey fixture has the trusted root's log ID")
    func alpha3VKey() throws {
        let vkey = try Fixtures.text("tlog/log2025-alpha3.vkey").trimmingCharacters(in: .whitespacesAndNewlines)
        let key = try NoteVerifierKey(vkey: vkey)
        let identity = try RekorLogIdentity(origin: key.name, subjectPublicKeyInfo: key.subjectPublicKeyInfo)
        let log = try #require(try Self.stagingLogs().first { $0.baseUrl.hasSuffix(key.name) })
        #expect(identity.logID == log.logId.keyId)
        #expect(identity.vkey == vkey)
    }

    @Test("a different origin gives a different log ID for the same Ed25519 key")
    func originIsPartOfTheID() throws {
        let key = Curve25519.Signing.PrivateKey().publicKey
        #expect(
            try RekorLogIdentity(origin: "a.test", publicKey: key).logID
                != RekorLogIdentity(origin: "b.test", publicKey: key).logID)
    }

    @Test(
        "origins come from base URLs without scheme or path; a port stays",
        arguments: [
            ("https://log2025-1.rekor.sigstore.dev", "log2025-1.rekor.sigstore.dev"),
            ("https://log2025-alpha1.rekor.sigstage.dev/", "log2025-alpha1.rekor.sigstage.dev"),
            ("http://127.0.0.1:3003", "127.0.0.1:3003"),
            ("http://localhost:8080/api/v2", "localhost:8080"),
            ("log.example", "log.example"),
        ])
    func originFromBaseURL(url: String, origin: String) throws {
        #expect(try RekorLogIdentity.origin(forBaseURL: url) == origin)
    }

    @Test(
        "origins with spaces, '+', control characters, or nothing at all are refused",
        arguments: [
            "", "log example", "log+example", "log\nexample", "log\u{7F}", "log\u{00A0}x",
            String(repeating: "a", count: 257),
        ])
    func badOrigins(origin: String) throws {
        expectRekorError(.invalidConfiguration, status: 500) { try RekorLogIdentity.origin(forBaseURL: origin) }
        expectRekorError(.invalidConfiguration) {
            try RekorLogIdentity(origin: origin, publicKey: Curve25519.Signing.PrivateKey().publicKey)
        }
    }

    @Test("a base URL with no host gives no origin")
    func noHost() {
        expectRekorError(.invalidConfiguration) { try RekorLogIdentity.origin(forBaseURL: "https://") }
        expectRekorError(.invalidConfiguration) { try RekorLogIdentity.origin(forBaseURL: "https:///path") }
    }
}
