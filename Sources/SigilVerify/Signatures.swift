// Signature checks over a message or over a digest the signer already computed (Sigstore signs the artifact's
// SHA-256 digest for message signatures, so the verifier must accept a prehashed input: SigilX509's
// `PrehashedSignature`).

import Crypto
import Foundation
import SigilX509
import X509

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
    /// a prehashed digest (Ed25519 signs the message itself).
    static func isValid(signature: [UInt8], digest: [UInt8], key: Certificate.PublicKey) -> Bool? {
        PrehashedSignature.isValid(signature, overDigest: digest, key: key)
    }
}
