// Errors of the SigilTlog formats (signed notes, checkpoints, cosignatures, tiles): one struct with an
// extensible code (STYLE.md habit 6).

/// Why a signed note, checkpoint, cosignature, key, tile path or tile could not be parsed or verified.
/// Tests match on `code`; `reason` says what was expected and what was found.
public struct TlogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case oversize, malformedNote, noKnownSignature, signatureInvalid, malformedCheckpoint,
                nonCanonicalSize, malformedRootHash, wrongOrigin, malformedKey, unsupportedKey, malformedCosignature,
                malformedPath, malformedTile, malformedEntryBundle, outOfRange
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The input is larger than the format's cap (bytes, signatures, entries or hashes).
        public static let oversize = Code(.oversize)
        /// The signed note does not follow c2sp.org/signed-note: no blank line before the signatures, text not
        /// ending in a newline, a bad signature line, a control character, invalid UTF-8, no signature at all.
        public static let malformedNote = Code(.malformedNote)
        /// No signature of the note came from a known key (name and key ID), so nothing vouches for its text.
        public static let noKnownSignature = Code(.noKnownSignature)
        /// A signature from a known key (name and key ID match) does not verify.
        public static let signatureInvalid = Code(.signatureInvalid)
        /// The note text is not a c2sp.org/tlog-checkpoint body (fewer than three lines, empty origin or
        /// extension line, an empty line in the text).
        public static let malformedCheckpoint = Code(.malformedCheckpoint)
        /// The tree size line is not canonical decimal (leading zero, sign, non-digit) or does not fit 64 bits.
        public static let nonCanonicalSize = Code(.nonCanonicalSize)
        /// The root hash line is not canonical padded base64 of exactly 32 bytes.
        public static let malformedRootHash = Code(.malformedRootHash)
        /// The checkpoint's origin line is not the origin the caller expects.
        public static let wrongOrigin = Code(.wrongOrigin)
        /// A key name, vkey, public key or SubjectPublicKeyInfo is malformed, or its key ID does not match.
        public static let malformedKey = Code(.malformedKey)
        /// The key's algorithm is not supported here, or the key is of the wrong kind for this use (a
        /// cosigner key given as a log key, or the reverse).
        public static let unsupportedKey = Code(.unsupportedKey)
        /// A cosignature's bytes are not `uint64 timestamp ‖ 64-byte Ed25519 signature` with a timestamp below 2^63.
        public static let malformedCosignature = Code(.malformedCosignature)
        /// A tile or entry-bundle path is not in the canonical c2sp.org/tlog-tiles form.
        public static let malformedPath = Code(.malformedPath)
        /// A hash tile is not a whole number (1...256) of 32-byte hashes, or not the expected width.
        public static let malformedTile = Code(.malformedTile)
        /// An entry bundle is not a sequence of 1...256 uint16-length-prefixed entries, or not the expected width.
        public static let malformedEntryBundle = Code(.malformedEntryBundle)
        /// A tile level, index, width or node position lies outside what the tree or the format allows.
        public static let outOfRange = Code(.outOfRange)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "tlog: \(code): \(reason)" }
}
