// Issuing Fulcio code-signing certificates: the certificate profile (sigstore/fulcio
// docs/certificate-specification.md), the RFC 6962 precertificate flow through `SigilCT`, and the final
// certificate with the SCT embedded. Clock and serial-number source are injected.

import Crypto
import Foundation  // Date
import SigilCT
import SigilX509
import SwiftASN1
import X509

/// A certificate the CA issued, with everything needed to answer the request.
public struct IssuedCertificate: Sendable {
    /// The leaf, with the SCT embedded.
    public let certificate: Certificate
    /// The CA chain after the leaf: intermediate, root.
    public let chain: [Certificate]
    /// The SCT embedded in the leaf.
    public let signedCertificateTimestamp: SignedCertificateTimestamp
    /// The precertificate the CT log recorded.
    public let precertificate: Certificate

    /// Leaf, intermediate, root as PEM: the `chain.certificates` of Fulcio's response.
    public var certificatesPEM: [String] {
        ([certificate] + chain).map { (try? $0.serializeAsPEM().pemString) ?? "" }
    }
}

/// A Fulcio-profile certificate authority over a CT log.
public struct CertificateAuthority: Sendable {
    public let material: CAMaterial
    public let ctLog: CTLog
    /// Leaf lifetime in seconds (Fulcio: 10 minutes).
    public let certificateLifetime: TimeInterval
    private let clock: @Sendable () -> Date
    private let serialNumbers: @Sendable () -> [UInt8]

    /// A CA issuing under `material`, logging precertificates in `ctLog`, reading time from `clock` and
    /// serial numbers from `serialNumbers` (normalized to a positive integer of at most 20 octets).
    public init(
        material: CAMaterial, ctLog: CTLog, clock: @escaping @Sendable () -> Date,
        serialNumbers: @escaping @Sendable () -> [UInt8] = CertificateAuthority.randomSerialNumber,
        certificateLifetime: TimeInterval = 600
    ) {
        self.material = material
        self.ctLog = ctLog
        self.clock = clock
        self.serialNumbers = serialNumbers
        self.certificateLifetime = certificateLifetime
    }

    /// 20 random octets with the top bit clear and a non-zero first octet: a positive 20-octet serial number
    /// (RFC 5280 §4.1.2.2 allows at most 20; cryptography refuses more than 159 bits).
    @Sendable public static func randomSerialNumber() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[0] = (bytes[0] & 0x7F) | 0x01
        return bytes
    }

    /// Issues a certificate for `identity` binding `key`:
    ///
    /// 1. builds the leaf's extensions (Fulcio profile): KeyUsage digitalSignature (critical), EKU
    ///    codeSigning, SKI, AKI = the intermediate's key ID, the identity as the only SAN (critical, the
    ///    subject is empty), then the identity's Fulcio extensions (issuer .1 raw and .8 UTF8String, ...);
    /// 2. signs the precertificate (same extensions + critical poison) and gets an SCT from the CT log;
    /// 3. signs the final certificate (same extensions + the SCT list, last) and checks that its TBS minus
    ///    the SCT list is the TBS the SCT was signed over.
    public func issue(for identity: Identity, key: ProvenPublicKey) async throws(CAError) -> IssuedCertificate {
        let notBefore = Self.wholeSeconds(clock())
        let notAfter = notBefore + certificateLifetime
        let serial = Self.normalizedSerial(serialNumbers())
        // SPEC: sigstore/fulcio docs/certificate-specification.md "Issued Certificate"
        var base: [Certificate.Extension]
        do {
            base = [
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false),
                try Certificate.Extension(SubjectKeyIdentifier(hash: key.publicKey), critical: false),
                try Certificate.Extension(
                    AuthorityKeyIdentifier(keyIdentifier: material.intermediateKeyIdentifier), critical: false),
                try Certificate.Extension(
                    SubjectAlternativeNames([try Self.generalName(identity.subjectAlternativeName)]), critical: true),
            ]
            // SPEC: sigstore/fulcio docs/oid-info.md: .1 raw and .8 DER UTF8String issuer, then the rest
            base += try identity.extensions.certificateExtensions()
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.issuanceFailed, "cannot encode the leaf extensions: \(error)")
        }
        guard identity.extensions.issuer != nil, identity.extensions.issuerV2 != nil else {
            throw CAError(.issuanceFailed, "identity has no issuer extension value")
        }

        // SPEC: RFC 6962 §3.1: precertificate = the same TBS plus the critical poison extension
        let precertificate = try sign(
            serial: serial, key: key.publicKey, notBefore: notBefore, notAfter: notAfter,
            extensions: base + [Precertificate.poisonExtension])
        let sct: SignedCertificateTimestamp
        do {
            sct = try await ctLog.addPreChain(precertificate, chain: [material.intermediate, material.root])
        } catch {
            if error.code == .logUnavailable { throw CAError(.ctLogUnavailable, error.reason) }
            throw CAError(.issuanceFailed, "CT log refused the precertificate: \(error)")
        }
        // SPEC: RFC 6962 §3.3: the final certificate carries the SCT list in extension 1.3.6.1.4.1.11129.2.4.2
        let sctList: Certificate.Extension
        do {
            sctList = Certificate.Extension(
                oid: FulcioOID.sctList, critical: false,
                value: try SignedCertificateTimestampList.serialize(extensionValue: [sct])[...])
        } catch {
            throw CAError(.issuanceFailed, "cannot encode the SCT list: \(error)")
        }
        let leaf = try sign(
            serial: serial, key: key.publicKey, notBefore: notBefore, notAfter: notAfter, extensions: base + [sctList])
        // The SCT must verify over the final certificate: its TBS minus the SCT list is the precert TBS minus
        // the poison. A mismatch is our bug; never hand out a certificate whose SCT cannot verify.
        do {
            guard try PrecertificateTBS.reconstruct(from: leaf) == (try Precertificate.tbsWithoutPoison(precertificate))
            else {
                throw CAError(.issuanceFailed, "final TBS minus SCT differs from the precertificate TBS minus poison")
            }
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.issuanceFailed, "cannot reconstruct the precertificate TBS: \(error)")
        }
        return IssuedCertificate(
            certificate: leaf, chain: [material.intermediate, material.root], signedCertificateTimestamp: sct,
            precertificate: precertificate)
    }

    private func sign(
        serial: [UInt8], key: Certificate.PublicKey, notBefore: Date, notAfter: Date,
        extensions: [Certificate.Extension]
    ) throws(CAError) -> Certificate {
        do {
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: key,
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: material.intermediate.subject,
                subject: DistinguishedName(), signatureAlgorithm: material.signatureAlgorithm,
                extensions: try Certificate.Extensions(extensions), issuerPrivateKey: material.signingKey)
        } catch {
            throw CAError(.issuanceFailed, "cannot sign the certificate: \(error)")
        }
    }

    /// The SAN for an identity: rfc822Name, URI, or the username OtherName (1.3.6.1.4.1.57264.1.7, UTF8String).
    static func generalName(_ name: SubjectAlternativeName) throws -> GeneralName {
        switch name.kind {
        case .email: return .rfc822Name(name.value)
        case .uri: return .uniformResourceIdentifier(name.value)
        case .username:
            let value = try ASN1Any(erasing: ASN1UTF8String(name.value))
            return .otherName(GeneralName.OtherName(typeID: FulcioOID.otherNameSAN, value: value))
        default:
            throw CAError(.issuanceFailed, "no SAN form for identity kind \(name.kind)")
        }
    }

    /// A positive INTEGER of at most 20 octets from arbitrary bytes (top bit cleared, leading zeros dropped).
    static func normalizedSerial(_ bytes: [UInt8]) -> [UInt8] {
        var serial = Array(bytes.suffix(20))
        if serial.isEmpty { serial = [1] }
        serial[0] &= 0x7F
        while serial.count > 1, serial[0] == 0, serial[1] & 0x80 == 0 { serial.removeFirst() }
        if serial == [0] { serial = [1] }
        return serial
    }

    /// Certificates carry whole seconds; cut the fraction so precertificate and final certificate agree.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
