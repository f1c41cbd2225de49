// CA certificates and the intermediate's key: generated (root and intermediate ECDSA P-384, the Fulcio
// certmaker profile) or loaded from PEM and checked. Keys are values; writing them to disk (mode 0600) is
// the caller's job. Certificate building and signing are swift-certificates'.

import Crypto
import Foundation  // Date
import SigilX509
import SwiftASN1
import X509

/// The CA chain a `CertificateAuthority` issues under: a root, an intermediate signed by it, and the
/// intermediate's private key.
public struct CAMaterial: Sendable {
    /// The self-signed root (trust anchor).
    public let root: Certificate
    /// The intermediate that signs leaves and precertificates.
    public let intermediate: Certificate
    let signingKey: Certificate.PrivateKey

    /// Checks and wraps CA material: the root is self-signed; the intermediate is signed by the root, has
    /// a critical BasicConstraints CA:TRUE and KeyUsage keyCertSign (sigstore-python's verifier requires
    /// both), no EKU other than codeSigning; `intermediateKey` is the intermediate's key; CA keys are ECDSA
    /// P-256/P-384 (sigstore-python refuses Ed25519 CA keys).
    public init(root: Certificate, intermediate: Certificate, intermediateKey: Certificate.PrivateKey) throws(CAError) {
        // SPEC: services.md §0 fact 7 / §4.3: what cryptography's client verifier demands of the chain
        guard root.publicKey.isValidSignature(root.signature, for: root) else {
            throw CAError(.invalidCAMaterial, "root certificate is not self-signed")
        }
        guard root.publicKey.isValidSignature(intermediate.signature, for: intermediate) else {
            throw CAError(.invalidCAMaterial, "intermediate certificate is not signed by the root")
        }
        guard intermediateKey.publicKey == intermediate.publicKey else {
            throw CAError(.invalidCAMaterial, "intermediate key does not match the intermediate certificate")
        }
        for certificate in [root, intermediate] {
            guard
                P256.Signing.PublicKey(certificate.publicKey) != nil
                    || P384.Signing.PublicKey(certificate.publicKey) != nil
            else {
                throw CAError(.invalidCAMaterial, "CA key of \(certificate.subject) must be ECDSA P-256 or P-384")
            }
            guard let constraints = certificate.extensions[oid: .X509ExtensionID.basicConstraints],
                constraints.critical,
                case .isCertificateAuthority? = try? certificate.extensions.basicConstraints
            else {
                throw CAError(.invalidCAMaterial, "\(certificate.subject) lacks a critical BasicConstraints CA:TRUE")
            }
            guard let usage = try? certificate.extensions.keyUsage, usage.keyCertSign else {
                throw CAError(.invalidCAMaterial, "\(certificate.subject) lacks KeyUsage keyCertSign")
            }
            if let eku = try? certificate.extensions.extendedKeyUsage, !eku.contains(.codeSigning) {
                throw CAError(.invalidCAMaterial, "\(certificate.subject) has an ExtendedKeyUsage without codeSigning")
            }
        }
        self.root = root
        self.intermediate = intermediate
        self.signingKey = intermediateKey
    }

    /// CA material from PEM: the root and intermediate certificates and the intermediate's private key
    /// (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
    public init(rootPEM: String, intermediatePEM: String, intermediateKeyPEM: String) throws(CAError) {
        let root: Certificate
        let intermediate: Certificate
        let key: Certificate.PrivateKey
        do {
            root = try Certificate(pemEncoded: rootPEM)
            intermediate = try Certificate(pemEncoded: intermediatePEM)
        } catch {
            throw CAError(.invalidCAMaterial, "CA certificate PEM does not parse: \(error)")
        }
        do {
            key = try Certificate.PrivateKey(pemEncoded: intermediateKeyPEM)
        } catch {
            throw CAError(.invalidCAMaterial, "intermediate key PEM does not parse")
        }
        try self.init(root: root, intermediate: intermediate, intermediateKey: key)
    }

    /// The CA certificates as PEM, intermediate first (the order after the leaf in a Fulcio chain).
    public var certificatesPEM: [String] {
        [intermediate, root].map { (try? $0.serializeAsPEM().pemString) ?? "" }
    }

    /// The intermediate's signature algorithm (ECDSA with the hash that matches its curve).
    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        P384.Signing.PublicKey(signingKey.publicKey) != nil ? .ecdsaWithSHA384 : .ecdsaWithSHA256
    }

    /// The intermediate's key identifier (its SubjectKeyIdentifier, else the RFC 5280 SHA-1 of its key).
    var intermediateKeyIdentifier: ArraySlice<UInt8> {
        if let ski = try? intermediate.extensions.subjectKeyIdentifier { return ski.keyIdentifier }
        return SubjectKeyIdentifier(hash: intermediate.publicKey).keyIdentifier
    }
}

/// Freshly generated CA material with both private keys as PEM (PKCS#8), for the caller to store.
public struct GeneratedCA: Sendable {
    public let material: CAMaterial
    /// The root's private key. Only needed to make a new intermediate; keep it offline.
    public let rootKeyPEM: String
    /// The intermediate's private key: what `CAMaterial(rootPEM:intermediatePEM:intermediateKeyPEM:)` loads.
    public let intermediateKeyPEM: String
}

extension CAMaterial {
    /// Generates a root and an intermediate, both ECDSA P-384 (Fulcio certmaker profile): root CA:TRUE
    /// pathlen 1, KeyUsage keyCertSign+cRLSign (critical), SKI; intermediate CA:TRUE pathlen 0 (critical),
    /// KeyUsage keyCertSign+cRLSign (critical), EKU codeSigning, SKI, AKI. Both valid from `now`.
    public static func generate(
        at now: Date, organization: String = "Sigil", commonName: String = "sigil",
        rootLifetime: TimeInterval = 10 * 365 * 86400, intermediateLifetime: TimeInterval = 3 * 365 * 86400
    ) throws(CAError) -> GeneratedCA {
        guard intermediateLifetime > 0, rootLifetime >= intermediateLifetime else {
            throw CAError(
                .invalidConfiguration, "lifetimes must be positive and the root's at least the intermediate's")
        }
        let start = CertificateAuthority.wholeSeconds(now)
        let rootKey = P384.Signing.PrivateKey()
        let intermediateKey = P384.Signing.PrivateKey()
        do {
            let rootName = try DistinguishedName {
                OrganizationName(organization)
                CommonName("\(commonName) root")
            }
            let intermediateName = try DistinguishedName {
                OrganizationName(organization)
                CommonName("\(commonName) intermediate")
            }
            let rootPublic = Certificate.PublicKey(rootKey.publicKey)
            let rootSKI = SubjectKeyIdentifier(hash: rootPublic)
            let root = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(bytes: CertificateAuthority.randomSerialNumber()),
                publicKey: rootPublic, notValidBefore: start, notValidAfter: start + rootLifetime,
                issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    rootSKI
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey))
            let intermediatePublic = Certificate.PublicKey(intermediateKey.publicKey)
            let intermediate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(bytes: CertificateAuthority.randomSerialNumber()),
                publicKey: intermediatePublic, notValidBefore: start, notValidAfter: start + intermediateLifetime,
                issuer: rootName, subject: intermediateName, signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    try ExtendedKeyUsage([.codeSigning])
                    SubjectKeyIdentifier(hash: intermediatePublic)
                    AuthorityKeyIdentifier(keyIdentifier: rootSKI.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey))
            let material = try CAMaterial(
                root: root, intermediate: intermediate, intermediateKey: Certificate.PrivateKey(intermediateKey))
            return GeneratedCA(
                material: material, rootKeyPEM: rootKey.pemRepresentation,
                intermediateKeyPEM: intermediateKey.pemRepresentation)
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.issuanceFailed, "cannot build CA certificates: \(error)")
        }
    }
}
