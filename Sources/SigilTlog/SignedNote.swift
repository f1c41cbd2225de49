// c2sp.org/signed-note: parse, serialize, sign and verify. Written by hand: no allowed package implements
// signed notes. Parsing works on bytes, caps the size first and never traps.

/// One signature line of a note: `— <name> <base64(key ID ‖ signature)>\n`.
public struct NoteSignature: Hashable, Sendable {
    /// The key name.
    public let name: String
    /// The 32-bit key ID (big-endian first four bytes of the base64 payload).
    public let keyID: UInt32
    /// The signature bytes after the key ID (at least one byte).
    public let signature: [UInt8]

    /// A signature line's parts. The name must be a valid key name and the signature non-empty.
    public init(name: String, keyID: UInt32, signature: [UInt8]) throws(TlogError) {
        try NoteKeyName.check(name)
        guard !signature.isEmpty else { throw TlogError(.malformedNote, "signature of \(name) is empty") }
        self.init(unchecked: name, keyID: keyID, signature: signature)
    }

    init(unchecked name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The signature line, newline included.
    public var line: String {
        "\u{2014} \(name) \(Base64.encode(NoteKeyID.bytes(keyID) + signature))\n"
    }
}

/// A signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then one or more
/// signature lines. Parsing checks the form only; nothing in `text` is to be trusted before `verify`.
public struct SignedNote: Hashable, Sendable {
    /// The largest note accepted, in bytes. The spec asks verifiers to accept at least 16 signatures of up
    /// to ~5 kB each; 256 KiB leaves room for that.
    public static let maxSize = 256 * 1024
    /// The most signature lines accepted (the spec's minimum is 16).
    public static let maxSignatures = 100

    /// The note text, final newline included, separating blank line excluded.
    public let text: String
    /// The signatures, in note order.
    public let signatures: [NoteSignature]

    /// A note from its text and signatures, checked like a parsed note.
    public init(text: String, signatures: [NoteSignature]) throws(TlogError) {
        try Self.checkText(Array(text.utf8))
        guard !signatures.isEmpty else { throw TlogError(.malformedNote, "a signed note needs at least one signature") }
        guard signatures.count <= Self.maxSignatures else {
            throw TlogError(.oversize, "\(signatures.count) signatures, cap \(Self.maxSignatures)")
        }
        self.text = text
        self.signatures = signatures
        let size = serialized.utf8.count
        guard size <= Self.maxSize else { throw TlogError(.oversize, "note of \(size) bytes, cap \(Self.maxSize)") }
    }

    /// Parses a signed note from its text.
    public init(parsing text: some StringProtocol) throws(TlogError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses a signed note from its UTF-8 bytes.
    public init(parsing bytes: [UInt8]) throws(TlogError) {
        // SPEC: c2sp.org/signed-note "Format": verifiers SHOULD cap the note size (and MUST accept 16 signatures).
        guard bytes.count <= Self.maxSize else {
            throw TlogError(.oversize, "note of \(bytes.count) bytes, cap \(Self.maxSize)")
        }
        // SPEC: c2sp.org/signed-note "Format": valid UTF-8, no control characters below U+0020 but newline.
        try Self.checkCharacters(bytes)
        guard bytes.last == 0x0A else { throw TlogError(.malformedNote, "note does not end in a newline") }
        // SPEC: c2sp.org/signed-note "Format": the text is separated from the signatures by the last empty line;
        // the text includes its final newline but not the blank line.
        guard let split = Self.lastBlankLine(bytes) else {
            throw TlogError(.malformedNote, "no blank line between the note text and the signatures")
        }
        let textBytes = Array(bytes[..<(split + 1)])
        var rest = bytes[(split + 2)...]
        var signatures: [NoteSignature] = []
        // SPEC: c2sp.org/signed-note "Format": one or more lines `— <key name> <base64>\n`.
        guard !rest.isEmpty else { throw TlogError(.malformedNote, "no signature lines after the blank line") }
        while let newline = rest.firstIndex(of: 0x0A) {
            guard signatures.count < Self.maxSignatures else {
                throw TlogError(.oversize, "more than \(Self.maxSignatures) signatures")
            }
            signatures.append(try Self.parseSignatureLine(Array(rest[..<newline])))
            rest = rest[(newline + 1)...]
        }
        // The note ends in a newline, so nothing is left over here.
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    /// The note as text: the text, a blank line, the signature lines.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Signs `text` with each signer in turn (log signers; cosigners use `NoteSigner.cosign`).
    public static func sign(_ text: String, with signers: [NoteSigner]) throws(TlogError) -> SignedNote {
        var signatures: [NoteSignature] = []
        for signer in signers { signatures.append(try signer.sign(text)) }
        return try SignedNote(text: text, signatures: signatures)
    }

    /// This note with more signatures appended (e.g. witness cosignatures).
    public func appending(_ more: [NoteSignature]) throws(TlogError) -> SignedNote {
        try SignedNote(text: text, signatures: signatures + more)
    }

    /// Verifies the note against a set of keys.
    ///
    /// - Signatures whose (name, key ID) matches no key are ignored.
    /// - Every signature from a known key must verify, or the whole note is rejected (`signatureInvalid`).
    /// - At least one known signature must be present (`noKnownSignature`).
    ///
    /// Keys of the cosignature kind verify the c2sp.org/tlog-cosignature message and report its timestamp.
    public func verify(keys: [NoteVerifierKey]) throws(TlogError) -> VerifiedNote {
        let verified = try verifiedSignatures(keys: keys)
        // SPEC: c2sp.org/signed-note "Signatures": if no signature from a known key verifies, clients MUST reject.
        guard !verified.isEmpty else {
            let names = signatures.map { "\($0.name)+\(NoteKeyID.hex($0.keyID))" }.joined(separator: ", ")
            throw TlogError(.noKnownSignature, "no signature from a known key; the note is signed by: \(names)")
        }
        return VerifiedNote(note: self, signatures: verified)
    }

    /// The signatures by known keys, each verified; throws if any of them fails. May be empty.
    func verifiedSignatures(keys: [NoteVerifierKey]) throws(TlogError) -> [VerifiedNoteSignature] {
        let textBytes = Array(text.utf8)
        var verified: [VerifiedNoteSignature] = []
        for signature in signatures {
            // SPEC: c2sp.org/signed-note "Signatures": verifiers MUST ignore signatures from unknown keys, even if
            // they share a name or ID (but not both) with a known key.
            let candidates = keys.filter { $0.name == signature.name && $0.keyID == signature.keyID }
            if candidates.isEmpty { continue }
            // SPEC: c2sp.org/signed-note "Signatures": a known key's signature MUST be verified; if it fails the
            // client SHOULD reject the whole note (we do).
            var match: VerifiedNoteSignature?
            for key in candidates where match == nil {
                match = try Self.check(signature, by: key, text: textBytes)
            }
            guard let match else {
                throw TlogError(
                    .signatureInvalid,
                    "signature by \(signature.name)+\(NoteKeyID.hex(signature.keyID)) does not verify")
            }
            verified.append(match)
        }
        return verified
    }

    /// The verified form of `signature` by `key`, or `nil` if it does not verify.
    private static func check(_ signature: NoteSignature, by key: NoteVerifierKey, text: [UInt8]) throws(TlogError)
        -> VerifiedNoteSignature?
    {
        if key.algorithm.isCosignature {
            // SPEC: c2sp.org/tlog-cosignature "Format" and "Ed25519 signed message".
            guard let cosignature = try? Cosignature(signature) else {
                throw TlogError(
                    .malformedCosignature, "cosignature by \(signature.name) is not timestamp ‖ 64-byte signature")
            }
            let message = Cosignature.signedMessage(text: text, timestamp: cosignature.timestamp)
            guard key.isValidSignature(cosignature.signature, for: message) else { return nil }
            return VerifiedNoteSignature(key: key, signature: signature, timestamp: cosignature.timestamp)
        }
        guard key.isValidSignature(signature.signature, for: text) else { return nil }
        return VerifiedNoteSignature(key: key, signature: signature, timestamp: nil)
    }

    // MARK: - Parsing helpers

    static func checkText(_ bytes: [UInt8]) throws(TlogError) {
        guard bytes.count <= maxSize else {
            throw TlogError(.oversize, "note text of \(bytes.count) bytes, cap \(maxSize)")
        }
        try checkCharacters(bytes)
        guard bytes.last == 0x0A else { throw TlogError(.malformedNote, "note text does not end in a newline") }
    }

    private static func checkCharacters(_ bytes: [UInt8]) throws(TlogError) {
        if let bad = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw TlogError(
                .malformedNote, "control character 0x\(NoteKeyID.hex(UInt32(bytes[bad])).suffix(2)) at byte \(bad)")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw TlogError(.malformedNote, "note is not valid UTF-8")
        }
    }

    /// The index of the first newline of the last `\n\n` in `bytes`.
    private static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        var index = bytes.count - 1
        while index > 0 {
            if bytes[index] == 0x0A && bytes[index - 1] == 0x0A { return index - 1 }
            index -= 1
        }
        return nil
    }

    private static let dashSpace: [UInt8] = [0xE2, 0x80, 0x94, 0x20]

    private static func parseSignatureLine(_ line: [UInt8]) throws(TlogError) -> NoteSignature {
        guard line.starts(with: dashSpace) else {
            throw TlogError(.malformedNote, "signature line does not start with an em dash and a space")
        }
        let body = line.dropFirst(dashSpace.count)
        guard let space = body.firstIndex(of: 0x20) else {
            throw TlogError(.malformedNote, "signature line has no space between key name and signature")
        }
        let name = String(decoding: body[..<space], as: UTF8.self)
        guard NoteKeyName.isValid(name) else {
            throw TlogError(.malformedNote, "invalid key name \"\(name)\" in a signature line")
        }
        guard let payload = Base64.decode(utf8: Array(body[(space + 1)...])) else {
            throw TlogError(.malformedNote, "signature of \(name) is not canonical padded base64")
        }
        guard payload.count >= 5 else {
            throw TlogError(
                .malformedNote,
                "signature of \(name) has \(payload.count) bytes, expected a 4-byte key ID and a signature")
        }
        return NoteSignature(unchecked: name, keyID: NoteKeyID.uint32(payload), signature: Array(payload.dropFirst(4)))
    }
}

/// A note whose signatures were checked by `SignedNote.verify(keys:)`. Only that function makes one.
public struct VerifiedNote: Hashable, Sendable {
    /// The note, as parsed.
    public let note: SignedNote
    /// The signatures that verified, one per known signature line, in note order.
    public let signatures: [VerifiedNoteSignature]

    /// The verified text.
    public var text: String { note.text }

    init(note: SignedNote, signatures: [VerifiedNoteSignature]) {
        self.note = note
        self.signatures = signatures
    }
}

/// One signature that verified, with the key that verified it.
public struct VerifiedNoteSignature: Hashable, Sendable {
    /// The key that verified the signature.
    public let key: NoteVerifierKey
    /// The signature line.
    public let signature: NoteSignature
    /// The cosignature's timestamp (POSIX seconds) for cosignature keys; `nil` for log signatures.
    public let timestamp: UInt64?

    init(key: NoteVerifierKey, signature: NoteSignature, timestamp: UInt64?) {
        self.key = key
        self.signature = signature
        self.timestamp = timestamp
    }
}
