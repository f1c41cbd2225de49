// Key and certificate creation for a local timestamp authority (`sigil up`, `sigil tsa serve`): a self-signed
// ECDSA P-384 root and a TSA leaf with the profile sigstore-python and `openssl ts -verify` require. Built with
// swift-certificates' `Certificate` initialiser; nothing is written to disk here.

import Crypto
import Foundation
import SigilTimestamp
import SwiftASN1
import X509

/// A TSA root and leaf with their keys. `chain` is what the TSA serves and what a trusted root lists
/// (`timestampAuthorities[].certChain`): the leaf first, the root last.
public struct TSACertificates: Sendable {
    /// The root's key (ECDSA P-384). Needed only to issue another leaf.
    public let rootKey: P384.Signing.PrivateKey
    /// The self-signed root: critical BasicConstraints CA (path length 0), critical KeyUsage keyCertSign and
    /// cRLSign, SubjectKeyIdentifier.
    public let root: Certificate
    /// The leaf's key, which signs timestamp tokens.
    public let signingKey: TimestampSigningKey
    /// The TSA leaf: critical BasicConstraints not-a-CA, critical KeyUsage digitalSignature, critical extended
    /// key usage exactly id-kp-timeStamping, SubjectKeyIdentifier, AuthorityKeyIdentifier of the root.
    public let leaf: Certificate

    /// Leaf first, root last.
    public var chain: [Certificate] { [leaf, root] }

    /// `CN=sigil-tsa-root, O=sigil`.
    public static func defaultRootSubject() throws(TSAError) -> DistinguishedName {
        try name(commonName: "sigil-tsa-root")
    }

    /// `CN=sigil-tsa, O=sigil`.
    public static func defaultLeafSubject() throws(TSAError) -> DistinguishedName {
        try name(commonName: "sigil-tsa")
    }

    private static func name(commonName: String) throws(TSAError) -> DistinguishedName {
        do {
            return try DistinguishedName {
                OrganizationName("sigil")
                CommonName(commonName)
            }
        } catch {
            throw TSAError(.certificateCreation, "cannot build the name \(commonName): \(error)")
        }
    }

    /// Creates a root and a TSA leaf, both valid from `notValidBefore` to `notValidAfter`.
    ///
    /// - Parameters:
    ///   - signingKey: the leaf's key (P-256 or P-384); a new P-256 key by default.
    ///   - rootKey: the root's key; a new P-384 key by default.
    ///   - rootSubject, leafSubject: the names; `defaultRootSubject()` / `defaultLeafSubject()` when `nil`.
    public static func create(
        notValidBefore: Date, notValidAfter: Date, signingKey: TimestampSigningKey = .generateP256(),
        rootKey: P384.Signing.PrivateKey = P384.Signing.PrivateKey(), rootSubject: DistinguishedName? = nil,
        leafSubject: DistinguishedName? = nil
    ) throws(TSAError) -> TSACertificates {
        guard notValidBefore < notValidAfter else {
            throw TSAError(
                .invalidConfiguration, "expected notValidBefore < notValidAfter, got \(notValidBefore) ≥ \(notValidAfter)")
        }
        let rootName = if let rootSubject { rootSubject } else { try defaultRootSubject() }
        let leafName = if let leafSubject { leafSubject } else { try defaultLeafSubject() }
        let rootPublicKey = Certificate.PublicKey(rootKey.publicKey)
        let rootKeyID = SubjectKeyIdentifier(hash: rootPublicKey)
        do {
            let root = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: rootPublicKey,
                notValidBefore: notValidBefore, notValidAfter: notValidAfter, issuer: rootName, subject: rootName,
                signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    rootKeyID
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey))
            // SPEC: services.md §5.4/§5.5 (sigstore/timestamp-authority VerifyCertChain, OpenSSL timestamp
            // purpose) — the leaf is not a CA, has exactly one EKU, id-kp-timeStamping, marked critical, and key
            // usage digitalSignature only.
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signingKey.publicKey,
                notValidBefore: notValidBefore, notValidAfter: notValidAfter, issuer: rootName, subject: leafName,
                signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    Critical(try ExtendedKeyUsage([.timeStamping]))
                    SubjectKeyIdentifier(hash: signingKey.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: rootKeyID.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey))
            // Round-trip through DER so the values are exactly what a peer parses from the PEM.
            return TSACertificates(
                rootKey: rootKey, root: try reparsed(root), signingKey: signingKey, leaf: try reparsed(leaf))
        } catch let error as TSAError {
            throw error
        } catch {
            throw TSAError(.certificateCreation, "cannot build the TSA certificates: \(error)")
        }
    }

    private static func reparsed(_ certificate: Certificate) throws -> Certificate {
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        return try Certificate(derEncoded: coder.serializedBytes)
    }

    private init(rootKey: P384.Signing.PrivateKey, root: Certificate, signingKey: TimestampSigningKey, leaf: Certificate) {
        self.rootKey = rootKey
        self.root = root
        self.signingKey = signingKey
        self.leaf = leaf
    }
}
