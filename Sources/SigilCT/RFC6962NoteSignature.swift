// The checkpoint signature of a static-ct-api log (c2sp.org/static-ct-api "Checkpoints"): a c2sp.org/signed-note
// signature of type 0x05 whose body is an RFC 6962 §3.5 tree head signature. Written by hand: SigilTlog's
// `NoteSigner` signs note texts, and this signature covers a TLS structure instead.

import Crypto
import SigilMerkle
import SigilTlog

/// RFC 6962 tree head signatures as signed-note signature lines (`RFC6962NoteSignature`).
///
/// ```
/// digitally-signed struct {                 // RFC 6962 §3.5
///     Version version;                      // v1 (0)
///     SignatureType signature_type;         // tree_hash (1)
///     uint64 timestamp;
///     uint64 tree_size;
///     opaque sha256_root_hash[32];
/// } TreeHeadSignature;
///
/// struct {                                  // c2sp.org/static-ct-api
///     uint64 timestamp;
///     TreeHeadSignature signature;          // hash sha256 (4), signature ecdsa (3), opaque signature<0..2^16-1>
/// } RFC6962NoteSignature;
/// ```
public enum RFC6962NoteSignature {
    /// The signed-note signature type byte.
    public static let typeByte: UInt8 = 0x05

    /// The key ID: the first four bytes of `SHA-256(key name ‖ 0x0A ‖ 0x05 ‖ log ID)`, big-endian.
    public static func keyID(name: String, logID: [UInt8]) -> UInt32 {
        let hash = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, typeByte] + logID))
        return hash.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The bytes the log key signs: the RFC 6962 §3.5 `TreeHeadSignature` input.
    public static func treeHeadSignatureInput(timestamp: UInt64, treeSize: UInt64, rootHash: MerkleHash) -> [UInt8] {
        var out: [UInt8] = [0, 1]
        out.appendBigEndian(timestamp, bytes: 8)
        out.appendBigEndian(treeSize, bytes: 8)
        out += rootHash.bytes
        return out
    }

    /// The signature line `— <name> base64(key ID ‖ RFC6962NoteSignature)\n` for a checkpoint of `treeSize` and
    /// `rootHash`, signed with the log's ECDSA P-256 key at `timestamp` (ms since the epoch).
    public static func line(
        name: String, signingKey: P256.Signing.PrivateKey, timestamp: UInt64, treeSize: UInt64, rootHash: MerkleHash
    ) throws(CTError) -> String {
        // SPEC: c2sp.org/static-ct-api "Checkpoints": RFC6962NoteSignature with the RFC 6962 §3.5 TreeHeadSignature
        let logID = Array(SHA256.hash(data: Array(signingKey.publicKey.derRepresentation)))
        let signature: [UInt8]
        do {
            signature = Array(
                try signingKey.signature(
                    for: treeHeadSignatureInput(timestamp: timestamp, treeSize: treeSize, rootHash: rootHash)
                ).derRepresentation)
        } catch {
            throw CTError(.signingFailed, "ECDSA signing of the tree head failed: \(error)")
        }
        var body: [UInt8] = []
        body.appendBigEndian(UInt64(keyID(name: name, logID: logID)), bytes: 4)
        body.appendBigEndian(timestamp, bytes: 8)
        body += [4, 3]
        body.appendBigEndian(UInt64(signature.count), bytes: 2)
        body += signature
        return "\u{2014} \(name) \(Base64.encode(body))\n"
    }
}
