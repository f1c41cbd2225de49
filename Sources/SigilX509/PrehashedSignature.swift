// ECDSA signatures over a digest the signer already computed: a hashedrekord and a Sigstore message signature
// carry the artifact's digest, not the artifact. swift-crypto verifies over any `Digest`, but has no public way
// to make one from bytes, so the small wrapper below is written by hand; the cryptography is swift-crypto's.

import Crypto
import X509

/// Checks DER ECDSA signatures over a digest given as bytes (no rehashing).
public enum PrehashedSignature {
    /// Whether `signature` (DER ECDSA) verifies over `digest` (32, 48 or 64 bytes) with `key`; `nil` when `key`
    /// is not an ECDSA key (Ed25519 and RSA do not sign a bare digest here).
    public static func isValid(_ signature: [UInt8], overDigest digest: [UInt8], key: Certificate.PublicKey) -> Bool? {
        switch digest.count {
        case 32: return isValid(signature, PrehashedDigest<Width32>(digest), key)
        case 48: return isValid(signature, PrehashedDigest<Width48>(digest), key)
        case 64: return isValid(signature, PrehashedDigest<Width64>(digest), key)
        default: return isECDSA(key) ? false : nil
        }
    }

    private static func isECDSA(_ key: Certificate.PublicKey) -> Bool {
        P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil || P521.Signing.PublicKey(key) != nil
    }

    private static func isValid<W: DigestWidth>(_ signature: [UInt8], _ digest: PrehashedDigest<W>?, _ key: Certificate.PublicKey) -> Bool? {
        if let p256 = P256.Signing.PublicKey(key) {
            guard let digest, let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p256.isValidSignature(sig, for: digest)
        }
        if let p384 = P384.Signing.PublicKey(key) {
            guard let digest, let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p384.isValidSignature(sig, for: digest)
        }
        if let p521 = P521.Signing.PublicKey(key) {
            guard let digest, let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p521.isValidSignature(sig, for: digest)
        }
        return nil
    }
}

/// A digest computed elsewhere; `Width` fixes its length, as `Digest.byteCount` is static.
struct PrehashedDigest<Width: DigestWidth>: Digest {
    static var byteCount: Int { Width.byteCount }
    let bytes: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard bytes.count == Width.byteCount else { return nil }
        self.bytes = bytes
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }
    var description: String { "prehashed digest of \(bytes.count) bytes" }
}

protocol DigestWidth: Sendable { static var byteCount: Int { get } }
enum Width32: DigestWidth { static var byteCount: Int { 32 } }
enum Width48: DigestWidth { static var byteCount: Int { 48 } }
enum Width64: DigestWidth { static var byteCount: Int { 64 } }
