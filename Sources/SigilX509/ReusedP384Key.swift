// A P-384 key of a trusted root (a Fulcio CA, a TSA) that a long-lived verifier uses for many signatures: the
// first verification is swift-crypto's, the second builds the key's `P384PrecomputedKey` tables and every later
// one uses them (P384Verification.swift). A one-off `sigil verify` never pays for a table it would use once.
//
// The checks mirror swift-certificates' `Certificate.PublicKey.isValidSignature` for P-384 keys (the same
// algorithms accepted, the same digests), so a caller can use either and get the same answer.

import Crypto
import Foundation  // DataProtocol only
import Synchronization
import X509

/// A P-384 public key that verifies many signatures, with its tables built on the second use.
public final class ReusedP384Key: Sendable {
    /// The key.
    public let key: P384.Signing.PublicKey
    private let state = Mutex(State())

    private struct State {
        var uses = 0
        var building = false
        var table: P384PrecomputedKey?
    }

    /// `nil` unless `publicKey` is a P-384 key.
    public init?(_ publicKey: Certificate.PublicKey) {
        guard let key = P384.Signing.PublicKey(publicKey) else { return nil }
        self.key = key
    }

    /// Whether the tables are built (for tests).
    public var hasTable: Bool { state.withLock { $0.table != nil } }

    /// Whether `certificate`'s signature verifies with this key: ECDSA with SHA-256, SHA-384 or SHA-512 over
    /// its TBSCertificate, as swift-certificates checks a P-384 issuer's signature.
    public func isValidSignature(of certificate: Certificate) -> Bool {
        isValidSignature(certificate.signature.rawRepresentation, for: certificate.tbsCertificateBytes,
                         signatureAlgorithm: certificate.signatureAlgorithm)
    }

    /// Whether `signatureDER` (a DER ECDSA-Sig-Value) verifies over `bytes` with `signatureAlgorithm`
    /// (ecdsaWithSHA256, ecdsaWithSHA384 or ecdsaWithSHA512; any other algorithm is `false`).
    public func isValidSignature(
        _ signatureDER: [UInt8], for bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm
    ) -> Bool {
        guard let signature = try? P384.Signing.ECDSASignature(derRepresentation: signatureDER) else { return false }
        switch signatureAlgorithm {
        case .ecdsaWithSHA256: return isValidSignature(signature, for: SHA256.hash(data: bytes))
        case .ecdsaWithSHA384: return isValidSignature(signature, for: SHA384.hash(data: bytes))
        case .ecdsaWithSHA512: return isValidSignature(signature, for: SHA512.hash(data: bytes))
        default: return false
        }
    }

    /// ECDSA verification over `digest`, with the tables once they are built.
    public func isValidSignature(_ signature: P384.Signing.ECDSASignature, for digest: some Digest) -> Bool {
        if let table = tableForThisUse() {
            return table.isValidSignature(signature, digest: Array(digest))
        }
        return key.isValidSignature(signature, for: digest)
    }

    /// The tables, building them (outside the lock, once) on the second use.
    private func tableForThisUse() -> P384PrecomputedKey? {
        let (table, build) = state.withLock { state -> (P384PrecomputedKey?, Bool) in
            if let table = state.table { return (table, false) }
            state.uses += 1
            guard state.uses >= 2, !state.building else { return (nil, false) }
            state.building = true
            return (nil, true)
        }
        if let table { return table }
        guard build else { return nil }
        let built = P384PrecomputedKey(key)
        state.withLock { $0.table = built }
        return built
    }
}

/// The `ReusedP384Key` of each certificate a long-lived verifier meets again and again (a trusted root's TSA
/// leaves), at most `capacity` certificates; certificates are compared in full.
public final class ReusedKeyMemo: Sendable {
    public static let capacity = 16
    private let entries = Mutex<[(certificate: Certificate, key: ReusedP384Key?)]>([])

    public init() {}

    /// How many remembered keys have their tables built (for tests and diagnostics).
    public var keysWithTables: Int { entries.withLock { $0.count { $0.key?.hasTable ?? false } } }

    /// The prepared key of `certificate`: `nil` when its key is not P-384, or when `capacity` other
    /// certificates are already remembered (the caller then verifies the usual way).
    public func key(for certificate: Certificate) -> ReusedP384Key? {
        entries.withLock { entries in
            if let found = entries.first(where: { $0.certificate == certificate }) { return found.key }
            guard entries.count < Self.capacity else { return nil }
            let key = ReusedP384Key(certificate.publicKey)
            entries.append((certificate, key))
            return key
        }
    }
}
