// The TSA's signing key: ECDSA P-256 or P-384 from swift-crypto, with PEM helpers. Storing the PEM (mode 0600)
// is the caller's job.

import Crypto
import Foundation
import SigilTimestamp
import X509

/// An ECDSA P-256 or P-384 private key that signs timestamp tokens. A P-256 key signs with SHA-256
/// (ecdsa-with-SHA256), a P-384 key with SHA-384 (ecdsa-with-SHA384); the CMS digest algorithm is the same hash.
public struct TimestampSigningKey: Sendable {
    private enum Backing: Sendable {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
    }

    private let backing: Backing

    /// The largest PEM accepted by `init(pemRepresentation:)`, in bytes.
    public static let maxPEMSize = 16 * 1024

    public init(_ key: P256.Signing.PrivateKey) { backing = .p256(key) }
    public init(_ key: P384.Signing.PrivateKey) { backing = .p384(key) }

    /// A new random P-256 key.
    public static func generateP256() -> TimestampSigningKey { TimestampSigningKey(P256.Signing.PrivateKey()) }
    /// A new random P-384 key.
    public static func generateP384() -> TimestampSigningKey { TimestampSigningKey(P384.Signing.PrivateKey()) }

    /// Loads a P-256 or P-384 private key from PEM: PKCS#8 (`PRIVATE KEY`) or SEC 1 (`EC PRIVATE KEY`).
    public init(pemRepresentation pem: String) throws(TSAError) {
        guard pem.utf8.count <= Self.maxPEMSize else {
            throw TSAError(.invalidPEM, "expected a key PEM of at most \(Self.maxPEMSize) bytes, got \(pem.utf8.count)")
        }
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            backing = .p256(key)
        } else if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) {
            backing = .p384(key)
        } else {
            throw TSAError(.unsupportedKey, "expected a PEM ECDSA P-256 or P-384 private key, got something else")
        }
    }

    /// The key as PKCS#8 PEM (RFC 7468 label "PRIVATE KEY").
    public var pemRepresentation: String {
        switch backing {
        case .p256(let key): key.pemRepresentation
        case .p384(let key): key.pemRepresentation
        }
    }

    /// The public key, as certificates carry it.
    public var publicKey: Certificate.PublicKey {
        switch backing {
        case .p256(let key): Certificate.PublicKey(key.publicKey)
        case .p384(let key): Certificate.PublicKey(key.publicKey)
        }
    }

    /// The key as swift-certificates uses it to sign certificates.
    public var certificatePrivateKey: Certificate.PrivateKey {
        switch backing {
        case .p256(let key): Certificate.PrivateKey(key)
        case .p384(let key): Certificate.PrivateKey(key)
        }
    }

    /// The hash the key signs with, which is also the SignerInfo's digest algorithm.
    public var digestAlgorithm: TimestampHashAlgorithm {
        switch backing {
        case .p256: .sha256
        case .p384: .sha384
        }
    }

    /// The SignerInfo's signatureAlgorithm (RFC 5754 §3.3).
    public var signatureAlgorithm: CMSAlgorithmIdentifier {
        switch backing {
        case .p256: .ecdsaWithSHA256
        case .p384: .ecdsaWithSHA384
        }
    }

    /// The certificate signature algorithm matching the key.
    public var certificateSignatureAlgorithm: Certificate.SignatureAlgorithm {
        switch backing {
        case .p256: .ecdsaWithSHA256
        case .p384: .ecdsaWithSHA384
        }
    }

    /// The DER `ECDSA-Sig-Value` over `bytes` (hashed with `digestAlgorithm`).
    public func signature(for bytes: [UInt8]) throws -> [UInt8] {
        switch backing {
        case .p256(let key): Array(try key.signature(for: bytes).derRepresentation)
        case .p384(let key): Array(try key.signature(for: bytes).derRepresentation)
        }
    }
}
