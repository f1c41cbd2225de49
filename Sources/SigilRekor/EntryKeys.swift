// The keys and algorithms a hashedrekord 0.0.2 entry may be signed with, and the signature check over a
// digest the client computed (SigilX509's `PrehashedSignature`). The cryptography is swift-crypto; the key
// parsing is swift-certificates.
//
// What rekor-tiles accepts (sigstore/rekor-tiles internal/algorithmregistry, PR #927 "Remove pure Ed25519 and
// restrict allowed signature algorithms"): RSA PKCS#1 v1.5 2048/3072/4096 + SHA-256, ECDSA P-256/SHA-256,
// P-384/SHA-384, P-521/SHA-512, Ed25519ph. Pure Ed25519 is refused: a hashedrekord carries only the digest, and
// pure Ed25519 signs the message itself. Sigil accepts the ECDSA subset: swift-crypto has no Ed25519ph, and RSA
// verification over a digest needs `_CryptoExtras`, which is outside this target's imports. Both are refused
// with `unsupportedAlgorithm`, like any algorithm outside the allowed list.

import Crypto
import SigilBundle
import SigilX509
import SwiftASN1
import X509

/// A verifier's public key, sorted by what can check a hashedrekord signature.
enum EntryKey {
    case p256
    case p384
    case p521
    case ed25519
    /// RSA or anything else swift-certificates parses.
    case other

    init(_ key: Certificate.PublicKey) {
        if P256.Signing.PublicKey(key) != nil {
            self = .p256
        } else if P384.Signing.PublicKey(key) != nil {
            self = .p384
        } else if P521.Signing.PublicKey(key) != nil {
            self = .p521
        } else if Curve25519.Signing.PublicKey(key) != nil {
            self = .ed25519
        } else {
            self = .other
        }
    }

    var name: String {
        switch self {
        case .p256: "ECDSA P-256"
        case .p384: "ECDSA P-384"
        case .p521: "ECDSA P-521"
        case .ed25519: "Ed25519"
        case .other: "a non-ECDSA key (RSA or other)"
        }
    }

    /// The `keyDetails` that describes this key, when Sigil can verify with it.
    var keyDetails: PublicKeyDetails? {
        switch self {
        case .p256: .pkixECDSAP256SHA256
        case .p384: .pkixECDSAP384SHA384
        case .p521: .pkixECDSAP521SHA512
        case .ed25519, .other: nil
        }
    }
}

/// An algorithm a log may accept: its `keyDetails` and the digest it signs.
struct EntryAlgorithm: Sendable {
    let keyDetails: PublicKeyDetails
    let hash: HashAlgorithm
    let digestLength: Int

    /// The algorithms Sigil can verify, in rekor-tiles' order.
    static let supported: [EntryAlgorithm] = [
        EntryAlgorithm(keyDetails: .pkixECDSAP256SHA256, hash: .sha2_256, digestLength: 32),
        EntryAlgorithm(keyDetails: .pkixECDSAP384SHA384, hash: .sha2_384, digestLength: 48),
        EntryAlgorithm(keyDetails: .pkixECDSAP521SHA512, hash: .sha2_512, digestLength: 64),
    ]

    static func named(_ keyDetails: PublicKeyDetails) -> EntryAlgorithm? {
        supported.first { $0.keyDetails == keyDetails }
    }
}

enum VerifierParsing {
    /// A DER SubjectPublicKeyInfo, in its one canonical encoding (Go's `x509.ParsePKIXPublicKey`, which
    /// rekor-tiles uses, takes only uncompressed EC points and no trailing bytes; the re-encoding check gives
    /// the same answer without reimplementing it).
    static func publicKey(_ der: [UInt8]) throws(RekorError) -> Certificate.PublicKey {
        let key: Certificate.PublicKey
        do {
            key = try Certificate.PublicKey(derEncoded: der)
        } catch {
            throw RekorError(
                .invalidVerifier,
                "signature.verifier.publicKey.rawBytes: expected a DER SubjectPublicKeyInfo (\(error))")
        }
        var serializer = DER.Serializer()
        do { try serializer.serialize(key) } catch {
            throw RekorError(
                .invalidVerifier, "signature.verifier.publicKey.rawBytes: the key cannot be re-encoded (\(error))")
        }
        guard serializer.serializedBytes == der else {
            throw RekorError(
                .invalidVerifier,
                "signature.verifier.publicKey.rawBytes: expected the canonical DER SubjectPublicKeyInfo "
                    + "(uncompressed point, no trailing bytes), got a \(der.count)-byte variant")
        }
        return key
    }

    /// A DER X.509 certificate. Like rekor-tiles (Go `x509.ParseCertificate`), nothing but the encoding is
    /// checked: no chain, no validity period, no identity, no SCT. Those are the verifier's business.
    static func certificate(_ der: [UInt8]) throws(RekorError) -> Certificate {
        do {
            return try CertificateCoding.certificate(der: der)
        } catch {
            throw RekorError(
                .invalidVerifier,
                "signature.verifier.x509Certificate.rawBytes: expected a DER X.509 certificate (\(error.reason))")
        }
    }
}
