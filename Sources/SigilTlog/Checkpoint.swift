// c2sp.org/tlog-checkpoint: the note text of a transparency log's signed tree head. Written by hand: no
// allowed package implements it. Parsing is strict: one canonical spelling per checkpoint.

import SigilMerkle

/// A checkpoint body, parsed but not verified:
///
///     <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
///
/// Only `Checkpoint.verify(_:origin:keys:cosigners:)` says whether a log signed it.
public struct Checkpoint: Hashable, Sendable {
    /// The largest checkpoint text accepted, in bytes.
    public static let maxTextSize = 64 * 1024
    /// The most extension lines accepted.
    public static let maxExtensions = 64

    /// The log's identity line (non-empty; for Rekor v2 the log's host name, for Rekor v1 `<host> - <tree ID>`).
    public let origin: String
    /// The number of leaves in the tree.
    public let size: UInt64
    /// The RFC 6962 Merkle tree hash at `size`.
    public let rootHash: MerkleHash
    /// Extension lines (opaque, non-empty), in order.
    public let extensions: [String]

    /// A checkpoint from its parts. The origin and extension lines must be non-empty single lines without
    /// control characters.
    public init(origin: String, size: UInt64, rootHash: MerkleHash, extensions: [String] = []) throws(TlogError) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
        // One set of rules: the parts must parse back to themselves.
        let parsed = try Checkpoint(text: text)
        guard parsed == self else {
            throw TlogError(.malformedCheckpoint, "origin or extension lines do not form single lines")
        }
    }

    private init(unchecked origin: String, size: UInt64, rootHash: MerkleHash, extensions: [String]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// Parses a checkpoint body (a note text, final newline included).
    public init(text: some StringProtocol) throws(TlogError) {
        try self.init(text: Array(text.utf8))
    }

    /// Parses a checkpoint body from its UTF-8 bytes.
    public init(text bytes: [UInt8]) throws(TlogError) {
        guard bytes.count <= Self.maxTextSize else {
            throw TlogError(.oversize, "checkpoint text of \(bytes.count) bytes, cap \(Self.maxTextSize)")
        }
        // A checkpoint body is a note text: valid UTF-8, no control characters but newline, final newline.
        do throws(TlogError) { try SignedNote.checkText(bytes) } catch {
            throw TlogError(.malformedCheckpoint, error.reason)
        }
        // SPEC: c2sp.org/tlog-checkpoint "Note text": at least three non-empty lines separated by newlines.
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count >= 3 else {
            throw TlogError(.malformedCheckpoint, "expected at least 3 lines, got \(lines.count)")
        }
        guard lines.count - 3 <= Self.maxExtensions else {
            throw TlogError(.oversize, "\(lines.count - 3) extension lines, cap \(Self.maxExtensions)")
        }
        if let empty = lines.firstIndex(where: \.isEmpty) {
            throw TlogError(
                .malformedCheckpoint, "line \(empty + 1) is empty; origin, size, root and extension lines must not be")
        }
        // SPEC: c2sp.org/tlog-checkpoint "Note text" 2: tree size in ASCII decimal with no leading zeroes.
        let size = try Self.parseSize(Array(lines[1]))
        // SPEC: c2sp.org/tlog-checkpoint "Note text" 3: base64 of the RFC 6962 root hash (SHA-256, 32 bytes).
        guard let rootBytes = Base64.decode(utf8: Array(lines[2])), let root = MerkleHash(bytes: rootBytes) else {
            throw TlogError(.malformedRootHash, "root hash line is not canonical base64 of 32 bytes")
        }
        // RFC 6962 §2.1: the hash of the empty tree is SHA-256 of the empty string; a size-0 checkpoint with any
        // other root cannot be consistent with anything.
        guard size != 0 || root == Merkle.emptyRoot else {
            throw TlogError(.malformedRootHash, "a tree of size 0 has root \(Merkle.emptyRoot.hex), got \(root.hex)")
        }
        self.init(
            unchecked: String(decoding: lines[0], as: UTF8.self), size: size, rootHash: root,
            extensions: lines.dropFirst(3).map { String(decoding: $0, as: UTF8.self) })
    }

    /// The checkpoint body (the note text), final newline included.
    public var text: String {
        ([origin, String(size), Base64.encode(rootHash.bytes)] + extensions).map { $0 + "\n" }.joined()
    }

    /// Signs the checkpoint with log signers (the key names SHOULD be the origin).
    public func sign(with signers: [NoteSigner]) throws(TlogError) -> SignedNote {
        try SignedNote.sign(text, with: signers)
    }

    /// Parses and verifies a signed checkpoint.
    ///
    /// - Parameters:
    ///   - note: the signed note text (for Sigstore bundles, `inclusionProof.checkpoint.envelope`).
    ///   - origin: the origin the caller expects (the log's identity, from its own configuration).
    ///   - keys: the log's keys (Ed25519 or ECDSA). At least one signature by one of them must verify.
    ///   - cosigners: witness keys (`cosignatureV1`). Their cosignatures are verified when present and
    ///     reported; none is required here: a witness quorum is the caller's policy.
    /// - Throws: `TlogError` with `oversize`, `malformedNote`, `malformedCheckpoint`, `nonCanonicalSize`,
    ///   `malformedRootHash`, `unsupportedKey`, `wrongOrigin`, `signatureInvalid`, `malformedCosignature` or
    ///   `noKnownSignature`.
    public static func verify(
        _ note: some StringProtocol, origin: String, keys: [NoteVerifierKey], cosigners: [NoteVerifierKey] = []
    ) throws(TlogError) -> VerifiedCheckpoint {
        try verify(Array(note.utf8), origin: origin, keys: keys, cosigners: cosigners)
    }

    /// Parses and verifies a signed checkpoint given as UTF-8 bytes (see the `String` overload).
    public static func verify(
        _ note: [UInt8], origin: String, keys: [NoteVerifierKey], cosigners: [NoteVerifierKey] = []
    ) throws(TlogError) -> VerifiedCheckpoint {
        try verify(
            note, expecting: "origin \"\(origin)\"", originMatches: { $0 == origin }, keys: keys, cosigners: cosigners)
    }

    /// Parses and verifies a signed checkpoint whose exact origin the caller cannot know in advance, but can
    /// recognise. Sigstore's Rekor v1 shards share one key and differ only in the origin's tree ID
    /// (`rekor.sigstore.dev - 2605736670972794746`), which trusted roots do not carry; a verifier then accepts
    /// `{ $0.hasPrefix(host + " - ") }`. Prefer the exact-origin overload whenever the origin is known.
    public static func verify(
        _ note: [UInt8], originMatching originMatches: (String) -> Bool, keys: [NoteVerifierKey],
        cosigners: [NoteVerifierKey] = []
    ) throws(TlogError) -> VerifiedCheckpoint {
        try verify(
            note, expecting: "an accepted origin", originMatches: originMatches, keys: keys, cosigners: cosigners)
    }

    private static func verify(
        _ note: [UInt8], expecting: String, originMatches: (String) -> Bool, keys: [NoteVerifierKey],
        cosigners: [NoteVerifierKey]
    ) throws(TlogError) -> VerifiedCheckpoint {
        if let key = keys.first(where: \.algorithm.isCosignature) {
            throw TlogError(.unsupportedKey, "\(key) is a cosigner key, given as a log key")
        }
        if let key = cosigners.first(where: { !$0.algorithm.isCosignature }) {
            throw TlogError(.unsupportedKey, "\(key) is a log key, given as a cosigner key")
        }
        let signed = try SignedNote(parsing: note)
        let checkpoint = try Checkpoint(text: signed.text)
        // SPEC: c2sp.org/tlog-checkpoint "Note text" 1: the origin identifies the log; it must be the one expected.
        guard originMatches(checkpoint.origin) else {
            throw TlogError(.wrongOrigin, "expected \(expecting), got \"\(checkpoint.origin)\"")
        }
        // SPEC: c2sp.org/signed-note "Signatures": at least one known log signature verifies, none fails.
        let verified = try signed.verify(keys: keys)
        // SPEC: c2sp.org/tlog-cosignature: known cosignatures are verified like any known signature.
        let cosignatures = try signed.verifiedSignatures(keys: cosigners)
        return VerifiedCheckpoint(
            checkpoint: checkpoint, note: signed, signatures: verified.signatures, cosignatures: cosignatures)
    }

    // SPEC: c2sp.org/tlog-checkpoint "Note text" 2: ASCII decimal, no leading zeroes unless the size is 0.
    static func parseSize(_ digits: [UInt8]) throws(TlogError) -> UInt64 {
        let shown = String(decoding: digits.prefix(24), as: UTF8.self)
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw TlogError(.nonCanonicalSize, "tree size \"\(shown)\" is not ASCII decimal digits")
        }
        guard digits.count == 1 || digits[0] != UInt8(ascii: "0") else {
            throw TlogError(.nonCanonicalSize, "tree size \"\(shown)\" has a leading zero")
        }
        guard digits.count <= 20 else {
            throw TlogError(.nonCanonicalSize, "tree size \"\(shown)\" does not fit 64 bits")
        }
        var value: UInt64 = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                throw TlogError(.nonCanonicalSize, "tree size \"\(shown)\" does not fit 64 bits")
            }
            value = sum
        }
        return value
    }
}

/// A checkpoint signed by a known log key, made only by `Checkpoint.verify(_:origin:keys:cosigners:)`.
public struct VerifiedCheckpoint: Hashable, Sendable {
    /// The verified checkpoint body.
    public let checkpoint: Checkpoint
    /// The signed note it came from (all its signature lines, known or not).
    public let note: SignedNote
    /// The log signatures that verified (at least one).
    public let signatures: [VerifiedNoteSignature]
    /// The witness cosignatures that verified (possibly none), with their timestamps.
    public let cosignatures: [VerifiedNoteSignature]

    init(
        checkpoint: Checkpoint, note: SignedNote, signatures: [VerifiedNoteSignature],
        cosignatures: [VerifiedNoteSignature]
    ) {
        self.checkpoint = checkpoint
        self.note = note
        self.signatures = signatures
        self.cosignatures = cosignatures
    }

    /// The log's origin line.
    public var origin: String { checkpoint.origin }
    /// The tree size.
    public var size: UInt64 { checkpoint.size }
    /// The root hash at `size`.
    public var rootHash: MerkleHash { checkpoint.rootHash }
    /// The extension lines.
    public var extensions: [String] { checkpoint.extensions }
    /// The log key whose signature verified first (`verify` never makes a value without one).
    public var verifiedBy: NoteVerifierKey { signatures[0].key }
}
