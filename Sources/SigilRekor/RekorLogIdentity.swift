// Who a Rekor v2 log is: its origin (checkpoint first line and note key name) and its signing key, from which
// the C2SP key ID and Sigstore's log ID follow. The key-ID arithmetic is SigilTlog's `NoteVerifierKey`.
//
// SPEC: sigstore/rekor-tiles pkg/note/note.go `KeyHash` and internal/server (`logID`, the untruncated hash):
// - Ed25519: SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ 32-byte key), c2sp.org/signed-note type 0x01;
// - ECDSA: SHA-256(DER SubjectPublicKeyInfo), no origin (c2sp.org/signed-note type 0x02).
// The log ID (`logId.keyId` of every answer, `tlogs[].logId.keyId` of a trusted root) is the full 32 bytes; the
// first four are the key hint that prefixes the log's checkpoint signatures.

import Crypto
import SigilTlog

/// A log's origin and public key, and the identifiers derived from them.
public struct RekorLogIdentity: Hashable, Sendable {
    /// The checkpoint origin, also the key name of the log's signature lines.
    public let origin: String
    /// The note verifier key (name = origin).
    public let noteKey: NoteVerifierKey

    /// The 32-byte log ID: the untruncated C2SP key hash.
    public var logID: [UInt8] { noteKey.keyHash }
    /// The 4-byte key hint, as signature lines carry it.
    public var keyHint: UInt32 { noteKey.keyID }
    /// The DER SubjectPublicKeyInfo a trusted root lists for the log (`tlogs[].publicKey.rawBytes`).
    public var subjectPublicKeyInfo: [UInt8] { noteKey.subjectPublicKeyInfo }
    /// The C2SP vkey `<origin>+<hint>+<base64(0x01 ‖ key)>` of an Ed25519 log; `nil` for ECDSA.
    public var vkey: String? { noteKey.vkey }

    /// An Ed25519 log (what Sigil's log uses; tlog-tiles witnesses need an Ed25519 log signature).
    public init(origin: String, publicKey: Curve25519.Signing.PublicKey) throws(RekorError) {
        try Self.checkOrigin(origin)
        do {
            self.noteKey = try NoteVerifierKey.ed25519(name: origin, publicKey: publicKey)
        } catch {
            throw RekorError(.invalidConfiguration, "the log key cannot name origin \"\(origin)\": \(error.reason)")
        }
        self.origin = origin
    }

    /// A log from the SubjectPublicKeyInfo a trusted root lists (Ed25519 or ECDSA P-256/384/521).
    public init(origin: String, subjectPublicKeyInfo: [UInt8]) throws(RekorError) {
        try Self.checkOrigin(origin)
        do {
            self.noteKey = try NoteVerifierKey.log(name: origin, subjectPublicKeyInfo: subjectPublicKeyInfo)
        } catch {
            throw RekorError(.invalidConfiguration, "log key for \"\(origin)\": \(error.reason)")
        }
        self.origin = origin
    }

    /// The origin a Sigstore client expects for a log at `baseURL`: the URL without its scheme and path
    /// (`https://log2025-1.rekor.sigstore.dev` → `log2025-1.rekor.sigstore.dev`; a port stays, as in
    /// `127.0.0.1:3003`). Public Rekor v2 shards use exactly this; Sigil's verifier matches checkpoints on it.
    public static func origin(forBaseURL baseURL: String) throws(RekorError) -> String {
        var rest = Array(baseURL.utf8)
        let separator = Array("://".utf8)
        if rest.count >= separator.count,
            let start = (0...(rest.count - separator.count)).first(where: {
                rest[$0..<($0 + separator.count)].elementsEqual(separator)
            })
        {
            rest = Array(rest[(start + separator.count)...])
        }
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) { rest = Array(rest[..<slash]) }
        let origin = String(decoding: rest, as: UTF8.self)
        try checkOrigin(origin)
        return origin
    }

    /// The largest origin accepted, in bytes (a host name is at most 253).
    public static let maxOriginBytes = 256

    /// SPEC: rekor-tiles pkg/note/note.go and c2sp.org/signed-note: the origin is the key name, so it must be
    /// non-empty UTF-8 without Unicode spaces or `+`; c2sp.org/tlog-checkpoint: one line, no control characters.
    public static func checkOrigin(_ origin: String) throws(RekorError) {
        guard !origin.isEmpty else { throw RekorError(.invalidConfiguration, "the log origin is empty") }
        guard origin.utf8.count <= maxOriginBytes else {
            throw RekorError(
                .invalidConfiguration, "the log origin is \(origin.utf8.count) bytes, limit \(maxOriginBytes)")
        }
        for scalar in origin.unicodeScalars {
            guard scalar != "+", scalar.value >= 0x20, scalar.value != 0x7F, !scalar.properties.isWhitespace else {
                throw RekorError(
                    .invalidConfiguration,
                    "the log origin \"\(origin)\" contains U+\(String(scalar.value, radix: 16, uppercase: true)), "
                        + "which an origin may not (spaces, '+', control characters)")
            }
        }
    }
}
