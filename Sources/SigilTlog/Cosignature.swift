// c2sp.org/tlog-cosignature, the Ed25519 `cosignature/v1` form (signature type 0x04). Written by hand: no
// allowed package implements it. Time is always a value given by the caller, never read from a clock.

/// A witness cosignature: `timestamped_signature { u64 timestamp; opaque ed25519_signature[64]; }` in a
/// note signature line.
public struct Cosignature: Hashable, Sendable {
    /// The cosigner's key name.
    public let name: String
    /// The cosigner's key ID (`SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]`).
    public let keyID: UInt32
    /// When the cosigner signed, in POSIX seconds (below 2^63).
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    init(name: String, keyID: UInt32, timestamp: UInt64, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.timestamp = timestamp
        self.signature = signature
    }

    /// Reads the cosignature form of a note signature line. This checks the layout only; verify the note
    /// with a cosigner key (`NoteVerifierKey.cosignatureV1`) to check the signature.
    public init(_ line: NoteSignature) throws(TlogError) {
        // SPEC: c2sp.org/tlog-cosignature "Format": the signature is a timestamped_signature, the timestamp
        // big-endian and not above 2^63 - 1; Ed25519 signatures are 64 bytes.
        guard line.signature.count == 8 + 64 else {
            throw TlogError(
                .malformedCosignature, "expected 72 bytes (timestamp ‖ Ed25519 signature), got \(line.signature.count)")
        }
        let timestamp = line.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard timestamp <= UInt64(Int64.max) else {
            throw TlogError(.malformedCosignature, "cosignature timestamp \(timestamp) exceeds 2^63 - 1")
        }
        self.init(
            name: line.name, keyID: line.keyID, timestamp: timestamp, signature: Array(line.signature.dropFirst(8)))
    }

    /// The note signature line carrying this cosignature.
    public var noteSignature: NoteSignature {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(72)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(timestamp >> UInt64(shift) & 0xff)) }
        return NoteSignature(unchecked: name, keyID: keyID, signature: bytes + signature)
    }

    /// The message an Ed25519 cosigner signs:
    /// `cosignature/v1\n` ‖ `time <timestamp>\n` ‖ the checkpoint note text (extension lines included).
    public static func signedMessage(text: [UInt8], timestamp: UInt64) -> [UInt8] {
        // SPEC: c2sp.org/tlog-cosignature "Ed25519 signed message": header line, timestamp line in decimal
        // without leading zeroes, then the whole note body with its final newline.
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + text
    }
}
