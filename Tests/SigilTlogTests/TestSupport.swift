// Shared helpers for the SigilTlog tests: values dug out of the real Sigstore bundles and trusted roots with
// Foundation (independent of the code under test), deterministic test keys, and an error-code probe.

import Crypto
import Foundation
import SigilMerkle
import SigilTesting
import SigilTlog
import Testing

/// The code of the `TlogError` that `body` throws, or `nil` when it succeeds. Any other error is a test
/// failure (the public API throws only `TlogError`).
func errorCode<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> TlogError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as TlogError {
        return error.code
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Bytes from standard base64 via Foundation (not the Base64 under test).
func foundationBase64(_ text: String) throws -> [UInt8] {
    guard let data = Data(base64Encoded: text) else { throw FixtureError("not base64: \(text)") }
    return [UInt8](data)
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The tlog entry facts of a real bundle.
struct BundleEntry {
    var envelope: String
    var rootHash: [UInt8]
    var treeSize: UInt64
    var logIndex: UInt64
    var logID: [UInt8]

    init(_ path: String) throws {
        let json = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes(path)))
        guard let bundle = json as? [String: Any],
            let material = bundle["verificationMaterial"] as? [String: Any],
            let entries = material["tlogEntries"] as? [[String: Any]], let entry = entries.first,
            let logID = (entry["logId"] as? [String: Any])?["keyId"] as? String,
            let proof = entry["inclusionProof"] as? [String: Any],
            let root = proof["rootHash"] as? String, let size = proof["treeSize"] as? String,
            let index = proof["logIndex"] as? String,
            let envelope = (proof["checkpoint"] as? [String: Any])?["envelope"] as? String,
            let treeSize = UInt64(size), let logIndex = UInt64(index)
        else { throw FixtureError("\(path): no tlogEntries[0].inclusionProof.checkpoint") }
        self.envelope = envelope
        self.rootHash = try foundationBase64(root)
        self.treeSize = treeSize
        self.logIndex = logIndex
        self.logID = try foundationBase64(logID)
    }
}

/// A `tlogs[]` element of a real trusted root.
struct TrustedLog {
    var host: String
    var spki: [UInt8]
    var keyDetails: String
    var logID: [UInt8]

    static func all(_ environment: String) throws -> [TrustedLog] {
        let path = "sigstore-public/trust/\(environment)/trusted_root.json"
        let json = try JSONSerialization.jsonObject(with: Data(try Fixtures.bytes(path)))
        guard let root = json as? [String: Any], let tlogs = root["tlogs"] as? [[String: Any]] else {
            throw FixtureError("\(path): no tlogs")
        }
        return try tlogs.map { tlog in
            guard let baseURL = tlog["baseUrl"] as? String, let host = URL(string: baseURL)?.host,
                let key = tlog["publicKey"] as? [String: Any], let raw = key["rawBytes"] as? String,
                let details = key["keyDetails"] as? String,
                let logID = (tlog["logId"] as? [String: Any])?["keyId"] as? String
            else { throw FixtureError("\(path): malformed tlog") }
            return TrustedLog(
                host: host, spki: try foundationBase64(raw), keyDetails: details, logID: try foundationBase64(logID))
        }
    }

    /// The note verifier key: name = host of the base URL, key from the SPKI.
    func noteKey() throws -> NoteVerifierKey {
        try NoteVerifierKey.log(name: host, subjectPublicKeyInfo: spki)
    }
}

/// The note keys of every log in a trusted root.
func logKeys(_ environment: String) throws -> [NoteVerifierKey] {
    try TrustedLog.all(environment).map { try $0.noteKey() }
}

/// The Ed25519 cosigner keys of the three witnesses that cosigned the DSSE bundle's checkpoint.
func witnessKeys() throws -> [NoteVerifierKey] {
    try Fixtures.text("tlog/witness-vkeys.txt").split(separator: "\n").map { try NoteVerifierKey(vkey: $0) }
}

/// A deterministic Ed25519 private key.
func ed25519Key(_ seed: UInt8) throws -> Curve25519.Signing.PrivateKey {
    try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
}

/// A deterministic P-256 private key.
func p256Key(_ seed: UInt8) throws -> P256.Signing.PrivateKey {
    try P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [seed])
}

/// Replaces the last signature line's base64 payload by `transform(payload)`.
func withPayload(of note: String, line: Int, _ transform: ([UInt8]) -> [UInt8]) throws -> String {
    var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let signatureLines = lines.indices.filter { lines[$0].hasPrefix("\u{2014} ") }
    let target = signatureLines[line]
    let parts = lines[target].split(separator: " ")
    let payload = try foundationBase64(String(parts[2]))
    lines[target] = "\(parts[0]) \(parts[1]) \(Data(transform(payload)).base64EncodedString())"
    return lines.joined(separator: "\n")
}

/// The real bundles whose entries carry a checkpoint, with their environment and the origin a verifier
/// is configured with (Rekor v2: the log's host name; Rekor v1: `<host> - <tree ID>` of the shard).
let realCheckpoints: [(bundle: String, environment: String, origin: String)] = [
    ("sigstore-public/staging-rekor-v2.txt.sigstore.json", "staging", "log2025-alpha1.rekor.sigstage.dev"),
    ("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json", "staging", "log2025-alpha3.rekor.sigstage.dev"),
    ("sigstore-public/bundle_v3.txt.sigstore", "staging", "rekor.sigstage.dev - 8050909264565447525"),
    ("sigstore-public/bundle.txt.sigstore", "staging", "rekor.sigstage.dev - 8050909264565447525"),
    ("sigstore-public/bundle_v3_github.whl.sigstore", "production", "rekor.sigstore.dev - 2605736670972794746"),
    (
        "sigstore-public/bundle_v3_no_signed_time.txt.sigstore.json", "production",
        "rekor.sigstore.dev - 1193050959916656506"
    ),
]
