// PEM <-> DER and certificate decoding helpers. The PEM codec is SwiftASN1's `PEMDocument`; the certificate
// parser is swift-certificates'. This file only maps their errors to `X509Error` and adds SPKI hashing.

import Crypto
import SwiftASN1
import X509

/// Decoding and encoding of certificates and keys as DER and PEM.
public enum CertificateCoding {
    /// The largest DER certificate accepted (Fulcio leaves are ~1 KB; real CA certificates stay well under this).
    public static let maxCertificateSize = 64 * 1024

    /// Parses one DER-encoded X.509 certificate.
    public static func certificate(der: some Collection<UInt8>) throws(X509Error) -> Certificate {
        let bytes = Array(der)
        guard bytes.count <= maxCertificateSize else {
            throw X509Error(.malformedCertificate, "certificate is \(bytes.count) bytes, limit \(maxCertificateSize)")
        }
        do {
            return try Certificate(derEncoded: bytes)
        } catch {
            throw X509Error(.malformedCertificate, "not a DER X.509 certificate: \(error)")
        }
    }

    /// Parses every `CERTIFICATE` block of a PEM text, in order. Other block types are an error; so is a text
    /// with no block at all.
    public static func certificates(pem: String) throws(X509Error) -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pem)
        } catch {
            throw X509Error(.malformedPEM, "not PEM: \(error)")
        }
        guard !documents.isEmpty else { throw X509Error(.malformedPEM, "expected a CERTIFICATE block, found none") }
        var result: [Certificate] = []
        for document in documents {
            guard document.discriminator == "CERTIFICATE" else {
                throw X509Error(.malformedPEM, "expected a CERTIFICATE block, found \(document.discriminator)")
            }
            result.append(try certificate(der: document.derBytes))
        }
        return result
    }

    /// The DER bytes inside one PEM block of the given type (e.g. `PUBLIC KEY`, `CERTIFICATE`).
    public static func der(pem: String, type: String) throws(X509Error) -> [UInt8] {
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: pem)
        } catch {
            throw X509Error(.malformedPEM, "not a single PEM block: \(error)")
        }
        guard document.discriminator == type else {
            throw X509Error(.malformedPEM, "expected a \(type) block, found \(document.discriminator)")
        }
        return document.derBytes
    }

    /// PEM text (64-column base64 lines) for DER bytes under the given type.
    public static func pem(der: [UInt8], type: String) -> String {
        PEMDocument(type: type, derBytes: der).pemString
    }

    /// The DER encoding of a certificate (the bytes it was parsed from, for a parsed certificate).
    public static func der(_ certificate: Certificate) throws(X509Error) -> [UInt8] {
        do {
            return try derEncoded(certificate)
        } catch {
            throw X509Error(.malformedCertificate, "certificate does not serialize: \(error)")
        }
    }

    /// The DER encoding of any SwiftASN1-serializable value.
    public static func derEncoded(_ value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }

    /// The certificate's SubjectPublicKeyInfo, DER-encoded exactly as it appears in the certificate (not
    /// re-encoded from the parsed key, so hashes match what the issuer hashed).
    public static func subjectPublicKeyInfo(_ certificate: Certificate) throws(X509Error) -> [UInt8] {
        let root: ASN1Node
        do {
            root = try DER.parse(certificate.tbsCertificateBytes)
        } catch {
            throw X509Error(.malformedCertificate, "TBSCertificate does not parse: \(error)")
        }
        guard case .constructed(let nodes) = root.content else {
            throw X509Error(.malformedCertificate, "TBSCertificate is not a SEQUENCE")
        }
        // TBSCertificate ::= SEQUENCE { version [0] EXPLICIT (absent in v1), serialNumber, signature, issuer,
        //                               validity, subject, subjectPublicKeyInfo, ... }  (RFC 5280 §4.1)
        var children = Array(nodes)
        if let first = children.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        {
            children.removeFirst()
        }
        guard children.count > 5 else {
            throw X509Error(
                .malformedCertificate, "TBSCertificate has \(children.count) fields, no subjectPublicKeyInfo")
        }
        return Array(children[5].encodedBytes)
    }

    /// SHA-256 of the certificate's SubjectPublicKeyInfo DER (RFC 6962 issuer_key_hash; a CT/Rekor key ID).
    public static func subjectPublicKeyInfoSHA256(_ certificate: Certificate) throws(X509Error) -> [UInt8] {
        sha256(try subjectPublicKeyInfo(certificate))
    }

    /// SHA-256 of DER bytes, e.g. of a SubjectPublicKeyInfo (a CT log ID, RFC 6962 §3.2 issuer_key_hash).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }
}
