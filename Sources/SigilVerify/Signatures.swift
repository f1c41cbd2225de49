// Signature checks over a message or over a digest the signer already computed (Sigstore signs the artifact's
// SHA-256 digest for message signatures, so the verifier must accept a prehashed input).

import Crypto
import Foundation
import X509

/// A digest computed elsewhere, wrapped so swift-crypto's ECDSA can verify a signature over it without hashing
/// again. `Width` fixes the length, as `Digest.byteCount` is static.
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
    var description: String { "prehashed digest \(bytes.count) bytes" }
}

protocol DigestWidth: Sendable { static var byteCount: Int { get } }
enum Width32: DigestWidth { static var byteCount: Int { 32 } }
enum Width48: DigestWidth { static var byteCount: Int { 48 } }
enum Width64: DigestWidth { static var byteCount: Int { 64 } }

enum Signatures {
    static func sha256(_ bytes: some DataProtocol) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// The hash that goes with an ECDSA curve in Sigstore's key details (P-256/SHA-256, P-384/SHA-384,
    /// P-521/SHA-512), which is also what `signatureAlgorithm` picks for a message signature.
    static func signatureAlgorithm(for key: Certificate.PublicKey) -> Certificate.SignatureAlgorithm {
        if P256.Signing.PublicKey(key) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(key) != nil { return .ecdsaWithSHA512 }
        if Curve25519.Signing.PublicKey(key) != nil { return .ed25519 }
        return .sha256WithRSAEncryption
    }

    /// Checks `signature` over `message` with `key`, hashing with the algorithm that goes with the key.
    static func isValid(signature: [UInt8], message: [UInt8], key: Certificate.PublicKey) -> Bool {
        key.isValidSignature(signature, for: message, signatureAlgorithm: signatureAlgorithm(for: key))
    }

    /// Checks an ECDSA `signature` (DER) over a digest the signer computed; `nil` when the key cannot verify
    /// a prehashed digest (Ed25519 signs the message itself; RSA is not used for Sigstore signing keys here).
    static func isValid(signature: [UInt8], digest: [UInt8], key: Certificate.PublicKey) -> Bool? {
        switch digest.count {
        case 32: return isValid(signature: signature, digest: PrehashedDigest<Width32>(digest), key: key)
        case 48: return isValid(signature: signature, digest: PrehashedDigest<Width48>(digest), key: key)
        case 64: return isValid(signature: signature, digest: PrehashedDigest<Width64>(digest), key: key)
        default: return false
        }
    }

    private static func isValid<W: DigestWidth>(signature: [UInt8], digest: PrehashedDigest<W>?, key: Certificate.PublicKey) -> Bool? {
        guard let digest else { return false }
        if let p256 = P256.Signing.PublicKey(key) {
            guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p256.isValidSignature(sig, for: digest)
        }
        if let p384 = P384.Signing.PublicKey(key) {
            guard let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p384.isValidSignature(sig, for: digest)
        }
        if let p521 = P521.Signing.PublicKey(key) {
            guard let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return p521.isValidSignature(sig, for: digest)
        }
        return nil
    }
}
