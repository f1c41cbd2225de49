// A throwaway P-256 PKI built with swift-certificates, shaped like Fulcio's (root → intermediate → leaf),
// so each test can change one property and see which check rejects it.

import Crypto
import Foundation
import SigilX509
import SwiftASN1
import X509

/// A certificate and its private key.
struct Issued {
    var certificate: Certificate
    var key: P256.Signing.PrivateKey
}

enum TestPKI {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let caValidity = start.addingTimeInterval(-86_400)...start.addingTimeInterval(86_400 * 365)
    static let leafValidity = start...start.addingTimeInterval(600)
    static var inside: Date { start.addingTimeInterval(60) }

    static func name(_ commonName: String) throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName("sigil.test")
            CommonName(commonName)
        }
    }

    static func caExtensions(
        keyUsage: KeyUsage = KeyUsage(keyCertSign: true, cRLSign: true),
        eku: ExtendedKeyUsage? = nil, pathLength: Int? = nil
    ) throws -> [Certificate.Extension] {
        var result = [
            try Certificate.Extension(keyUsage, critical: true),
            try Certificate.Extension(
                BasicConstraints.isCertificateAuthority(maxPathLength: pathLength), critical: true),
        ]
        if let eku { result.append(try Certificate.Extension(eku, critical: false)) }
        return result
    }

    static func root(extensions: [Certificate.Extension]? = nil) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let name = try name("test root")
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: caValidity.lowerBound, notValidAfter: caValidity.upperBound, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions ?? caExtensions(pathLength: 1)),
            issuerPrivateKey: .init(key))
        return Issued(certificate: certificate, key: key)
    }

    static func intermediate(
        under issuer: Issued, extensions: [Certificate.Extension]? = nil,
        validity: ClosedRange<Date> = caValidity
    ) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound,
            issuer: issuer.certificate.subject, subject: try name("test intermediate"),
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(
                extensions ?? caExtensions(eku: try ExtendedKeyUsage([.codeSigning]), pathLength: 0)),
            issuerPrivateKey: .init(issuer.key))
        return Issued(certificate: certificate, key: key)
    }

    /// Fulcio's leaf extensions, in Fulcio's order, for an email identity.
    static func leafExtensions(
        keyUsage: KeyUsage? = KeyUsage(digitalSignature: true),
        eku: ExtendedKeyUsage? = try? ExtendedKeyUsage([.codeSigning]),
        san: [GeneralName] = [.rfc822Name("signer@sigil.test")],
        fulcio: FulcioExtensions = defaultFulcio, extra: [Certificate.Extension] = []
    ) throws -> [Certificate.Extension] {
        var result: [Certificate.Extension] = []
        if let keyUsage { result.append(try Certificate.Extension(keyUsage, critical: true)) }
        if let eku { result.append(try Certificate.Extension(eku, critical: false)) }
        if !san.isEmpty { result.append(try Certificate.Extension(SubjectAlternativeNames(san), critical: true)) }
        result += try fulcio.certificateExtensions()
        return result + extra
    }

    static var defaultFulcio: FulcioExtensions {
        var fulcio = FulcioExtensions()
        fulcio.issuer = "https://issuer.sigil.test"
        fulcio.issuerV2 = "https://issuer.sigil.test"
        return fulcio
    }

    static func leaf(
        under issuer: Issued, extensions: [Certificate.Extension]? = nil, key: P256.Signing.PrivateKey = .init(),
        serial: Certificate.SerialNumber = .init()
    ) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: serial, publicKey: .init(key.publicKey),
            notValidBefore: leafValidity.lowerBound, notValidAfter: leafValidity.upperBound,
            issuer: issuer.certificate.subject, subject: DistinguishedName(),
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions ?? leafExtensions()),
            issuerPrivateKey: .init(issuer.key))
    }
}
