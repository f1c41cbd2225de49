// The subset of CMS (RFC 5652) that RFC 3161 timestamp tokens use, parsed strictly with swift-asn1.
//
// Written by hand: swift-certificates has a CMS implementation, but it is `@_spi(CMS)` and its verifier only
// accepts id-data content, while a timestamp token encapsulates id-ct-TSTInfo. Only parsing lives here; the
// checks of what the fields mean are in `TimestampVerifier.swift`. Raw DER bytes are kept wherever a
// signature or digest is computed over them, so verification never depends on re-encoding.

import SwiftASN1
import X509

/// Object identifiers used by timestamp tokens.
enum OID {
    /// id-signedData (RFC 5652 §5.1).
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    /// id-ct-TSTInfo (RFC 3161 §2.4.2).
    static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 4]
    /// id-contentType signed attribute (RFC 5652 §11.1).
    static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 3]
    /// id-messageDigest signed attribute (RFC 5652 §11.2).
    static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 4]
    /// id-aa-signingCertificate (RFC 2634 §5.4).
    static let signingCertificate: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 2, 12]
    /// id-aa-signingCertificateV2 (RFC 5035 §3).
    static let signingCertificateV2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 2, 47]

    static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 13]
}

/// Bounds on what a timestamp token may contain. Real Sigstore responses are 1–5 KiB with 0–3 certificates
/// and 3–5 signed attributes.
enum Limits {
    static let maxCertificates = 16
    static let maxAttributes = 32
    static let maxAttributeValues = 8
}

/// A DER value kept as its exact bytes.
func rawBytes(_ node: ASN1Node) -> [UInt8] { Array(node.encodedBytes) }

/// ```
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
public struct CMSAlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var algorithm: ASN1ObjectIdentifier
    public var parameters: ASN1Any?

    public init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return CMSAlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// True when the parameters are absent or an ASN.1 NULL (both occur for hash and RSA algorithms).
    var parametersAbsentOrNull: Bool {
        guard let parameters else { return true }
        return (try? ASN1Null(asn1Any: parameters)) != nil
    }
}

/// ```
/// Attribute ::= SEQUENCE {
///     attrType    OBJECT IDENTIFIER,
///     attrValues  SET OF AttributeValue }
/// ```
public struct CMSAttribute: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var type: ASN1ObjectIdentifier
    public var values: [ASN1Any]

    public init(type: ASN1ObjectIdentifier, values: [ASN1Any]) {
        self.type = type
        self.values = values
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard let set = nodes.next() else {
                throw TimestampError(.malformed, "attribute \(type) has no value set")
            }
            let values = try DER.set(set, identifier: .set) { inner in
                var values: [ASN1Any] = []
                while let value = inner.next() {
                    guard values.count < Limits.maxAttributeValues else {
                        throw TimestampError(.oversize, "attribute \(type) has more than \(Limits.maxAttributeValues) values")
                    }
                    values.append(ASN1Any(derEncoded: value))
                }
                return values
            }
            guard !values.isEmpty else {
                throw TimestampError(.malformed, "attribute \(type) has an empty value set")
            }
            return CMSAttribute(type: type, values: values)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(type)
            try coder.serializeSetOf(values)
        }
    }
}

/// ```
/// IssuerAndSerialNumber ::= SEQUENCE {
///     issuer        Name,
///     serialNumber  CertificateSerialNumber }
/// ```
public struct IssuerAndSerialNumber: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var issuer: DistinguishedName
    /// The serial number as an unsigned big-endian magnitude without leading zero bytes.
    public var serialNumber: [UInt8]

    public init(issuer: DistinguishedName, serialNumber: [UInt8]) {
        self.issuer = issuer
        self.serialNumber = serialNumber
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            guard let issuerNode = nodes.next() else {
                throw TimestampError(.malformed, "IssuerAndSerialNumber has no issuer")
            }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
            return IssuerAndSerialNumber(issuer: issuer, serialNumber: Array(serial))
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(issuer)
            try coder.serialize(ArraySlice(serialNumber))
        }
    }

    /// True when `certificate` has this issuer and serial number.
    func identifies(_ certificate: Certificate) -> Bool {
        certificate.issuer == issuer && Array(certificate.serialNumber.bytes) == serialNumber
    }
}

/// ```
/// SignerIdentifier ::= CHOICE {
///     issuerAndSerialNumber IssuerAndSerialNumber,
///     subjectKeyIdentifier [0] SubjectKeyIdentifier }
/// ```
/// Exactly one of the two properties is set.
public struct SignerIdentifier: Hashable, Sendable {
    public let issuerAndSerialNumber: IssuerAndSerialNumber?
    public let subjectKeyIdentifier: [UInt8]?

    init(node: ASN1Node) throws {
        if node.identifier == .sequence {
            issuerAndSerialNumber = try IssuerAndSerialNumber(derEncoded: node)
            subjectKeyIdentifier = nil
        } else if node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            issuerAndSerialNumber = nil
            subjectKeyIdentifier = Array(try ASN1OctetString(derEncoded: node, withIdentifier: node.identifier).bytes)
        } else {
            throw TimestampError(.malformed, "SignerIdentifier has unexpected tag \(node.identifier)")
        }
    }

    /// True when `certificate` is the one this identifier names.
    func identifies(_ certificate: Certificate) -> Bool {
        if let issuerAndSerialNumber {
            return issuerAndSerialNumber.identifies(certificate)
        }
        if let subjectKeyIdentifier,
            let ski = try? certificate.extensions.subjectKeyIdentifier
        {
            return Array(ski.keyIdentifier) == subjectKeyIdentifier
        }
        return false
    }
}

/// ```
/// SignerInfo ::= SEQUENCE {
///     version CMSVersion,
///     sid SignerIdentifier,
///     digestAlgorithm DigestAlgorithmIdentifier,
///     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///     signatureAlgorithm SignatureAlgorithmIdentifier,
///     signature SignatureValue,
///     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
/// Unsigned attributes are checked for shape and otherwise ignored.
public struct SignerInfo: Hashable, Sendable {
    public let version: Int
    public let sid: SignerIdentifier
    public let digestAlgorithm: CMSAlgorithmIdentifier
    /// The signed attributes, in their encoded order; `nil` when absent.
    public let signedAttributes: [CMSAttribute]?
    /// The exact bytes the signature covers: the signed attributes' DER with the `[0] IMPLICIT` tag replaced by
    /// the universal SET OF tag (0x31), as RFC 5652 §5.4 prescribes. `nil` when there are no signed attributes.
    public let signedAttributesDER: [UInt8]?
    public let signatureAlgorithm: CMSAlgorithmIdentifier
    public let signature: [UInt8]

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard let sidNode = nodes.next() else {
                throw TimestampError(.malformed, "SignerInfo has no sid")
            }
            let sid = try SignerIdentifier(node: sidNode)
            let digestAlgorithm = try CMSAlgorithmIdentifier(derEncoded: &nodes)
            var signedAttributes: [CMSAttribute]?
            var signedAttributesDER: [UInt8]?
            try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { attrsNode in
                guard case .constructed(let children) = attrsNode.content else {
                    throw TimestampError(.malformed, "signedAttrs is not constructed")
                }
                var attributes: [CMSAttribute] = []
                for child in children {
                    guard attributes.count < Limits.maxAttributes else {
                        throw TimestampError(.oversize, "more than \(Limits.maxAttributes) signed attributes")
                    }
                    attributes.append(try CMSAttribute(derEncoded: child))
                }
                guard !attributes.isEmpty else {
                    throw TimestampError(.malformed, "signedAttrs is present but empty (SIZE (1..MAX))")
                }
                var der = rawBytes(attrsNode)
                // The tag is one byte ([0] constructed = 0xA0); re-tag it as SET OF (0x31).
                guard der.first == 0xA0 else {
                    throw TimestampError(.malformed, "signedAttrs tag is not 0xA0")
                }
                der[0] = 0x31
                signedAttributes = attributes
                signedAttributesDER = der
            }
            let signatureAlgorithm = try CMSAlgorithmIdentifier(derEncoded: &nodes)
            let signature = try ASN1OctetString(derEncoded: &nodes)
            try DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { unsigned in
                guard case .constructed = unsigned.content else {
                    throw TimestampError(.malformed, "unsignedAttrs is not constructed")
                }
            }
            return SignerInfo(
                version: version, sid: sid, digestAlgorithm: digestAlgorithm, signedAttributes: signedAttributes,
                signedAttributesDER: signedAttributesDER, signatureAlgorithm: signatureAlgorithm,
                signature: Array(signature.bytes))
        }
    }

    init(
        version: Int, sid: SignerIdentifier, digestAlgorithm: CMSAlgorithmIdentifier,
        signedAttributes: [CMSAttribute]?, signedAttributesDER: [UInt8]?,
        signatureAlgorithm: CMSAlgorithmIdentifier, signature: [UInt8]
    ) {
        self.version = version
        self.sid = sid
        self.digestAlgorithm = digestAlgorithm
        self.signedAttributes = signedAttributes
        self.signedAttributesDER = signedAttributesDER
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    /// The signed attributes of `type`.
    func attributes(_ type: ASN1ObjectIdentifier) -> [CMSAttribute] {
        (signedAttributes ?? []).filter { $0.type == type }
    }
}

/// ```
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
///
/// EncapsulatedContentInfo ::= SEQUENCE {
///     eContentType ContentType,
///     eContent [0] EXPLICIT OCTET STRING OPTIONAL }
/// ```
/// Only X.509 certificates are accepted in `certificates`; `crls` is checked for shape and ignored.
public struct SignedData: Hashable, Sendable {
    public let version: Int
    public let digestAlgorithms: [CMSAlgorithmIdentifier]
    public let encapsulatedContentType: ASN1ObjectIdentifier
    /// The eContent OCTET STRING's content bytes (the DER TSTInfo for a timestamp token).
    public let encapsulatedContent: [UInt8]?
    /// The certificates embedded in the token, in their encoded order.
    public let certificates: [Certificate]
    public let signerInfos: [SignerInfo]

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            let digestAlgorithms = try DER.set(of: CMSAlgorithmIdentifier.self, identifier: .set, nodes: &nodes)
            guard let encapNode = nodes.next() else {
                throw TimestampError(.malformed, "SignedData has no encapContentInfo")
            }
            let (contentType, content) = try DER.sequence(encapNode, identifier: .sequence) { inner in
                let type = try ASN1ObjectIdentifier(derEncoded: &inner)
                let content = try DER.optionalExplicitlyTagged(&inner, tagNumber: 0, tagClass: .contextSpecific) {
                    try ASN1OctetString(derEncoded: $0)
                }
                return (type, content.map { Array($0.bytes) })
            }
            var certificates: [Certificate] = []
            try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { certsNode in
                guard case .constructed(let children) = certsNode.content else {
                    throw TimestampError(.malformed, "certificates is not constructed")
                }
                for child in children {
                    guard certificates.count < Limits.maxCertificates else {
                        throw TimestampError(.oversize, "more than \(Limits.maxCertificates) certificates")
                    }
                    guard child.identifier == .sequence else {
                        throw TimestampError(
                            .malformed, "certificate choice \(child.identifier) is not an X.509 certificate")
                    }
                    certificates.append(try Certificate(derEncoded: child))
                }
            }
            try DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { crls in
                guard case .constructed = crls.content else {
                    throw TimestampError(.malformed, "crls is not constructed")
                }
            }
            guard let signerInfosNode = nodes.next() else {
                throw TimestampError(.malformed, "SignedData has no signerInfos")
            }
            let signerInfos = try DER.set(signerInfosNode, identifier: .set) { inner in
                var infos: [SignerInfo] = []
                while let next = inner.next() {
                    guard infos.count < Limits.maxCertificates else {
                        throw TimestampError(.oversize, "more than \(Limits.maxCertificates) SignerInfos")
                    }
                    infos.append(try SignerInfo(derEncoded: next))
                }
                return infos
            }
            return SignedData(
                version: version, digestAlgorithms: digestAlgorithms, encapsulatedContentType: contentType,
                encapsulatedContent: content, certificates: certificates, signerInfos: signerInfos)
        }
    }

    init(
        version: Int, digestAlgorithms: [CMSAlgorithmIdentifier], encapsulatedContentType: ASN1ObjectIdentifier,
        encapsulatedContent: [UInt8]?, certificates: [Certificate], signerInfos: [SignerInfo]
    ) {
        self.version = version
        self.digestAlgorithms = digestAlgorithms
        self.encapsulatedContentType = encapsulatedContentType
        self.encapsulatedContent = encapsulatedContent
        self.certificates = certificates
        self.signerInfos = signerInfos
    }
}
