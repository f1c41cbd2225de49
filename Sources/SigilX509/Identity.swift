// The identity a Fulcio certificate binds: its SubjectAlternativeName in one of the three forms Fulcio
// issues. Decoding of the SAN itself is swift-certificates'; this file picks the Sigstore forms and decodes
// the username OtherName (1.3.6.1.4.1.57264.1.7, UTF8String), which no package knows.

import SwiftASN1
import X509

/// One Sigstore identity from a certificate's SubjectAlternativeName.
public struct SubjectAlternativeName: Hashable, Sendable, CustomStringConvertible {
    /// Which SAN form the identity came from. New kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// rfc822Name: an email address (Fulcio `email` issuers).
        public static let email = Kind("email")
        /// uniformResourceIdentifier: a URI (CI workflows, SPIFFE, Kubernetes, `uri` issuers).
        public static let uri = Kind("uri")
        /// otherName 1.3.6.1.4.1.57264.1.7 with a UTF8String value (Fulcio `username` issuers).
        public static let username = Kind("username")

        public var description: String { name }
    }

    public var kind: Kind
    public var value: String

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    public var description: String { "\(kind):\(value)" }
}

/// Reading the signer identity out of a Fulcio certificate.
public enum FulcioIdentity {
    /// Every email, URI and username-OtherName SAN of the certificate, in certificate order. Other SAN forms
    /// (DNS names, IP addresses, other OtherNames) are not Sigstore identities and are left out.
    public static func subjectAlternativeNames(of certificate: Certificate) throws(X509Error)
        -> [SubjectAlternativeName]
    {
        // SPEC: sigstore/fulcio docs/certificate-specification.md "Subject Alternative Name"; oid-info.md .7
        let names: SubjectAlternativeNames
        do {
            guard let decoded = try certificate.extensions.subjectAlternativeNames else { return [] }
            names = decoded
        } catch {
            throw X509Error(.malformedSubjectAlternativeName, "SubjectAlternativeName does not decode: \(error)")
        }
        var result: [SubjectAlternativeName] = []
        for name in names {
            switch name {
            case .rfc822Name(let email):
                result.append(SubjectAlternativeName(kind: .email, value: email))
            case .uniformResourceIdentifier(let uri):
                result.append(SubjectAlternativeName(kind: .uri, value: uri))
            case .otherName(let otherName) where otherName.typeID == FulcioOID.otherNameSAN:
                guard let value = otherName.value else {
                    throw X509Error(.malformedSubjectAlternativeName, "username OtherName has no value")
                }
                let string: ASN1UTF8String
                do {
                    string = try ASN1UTF8String(asn1Any: value)
                } catch {
                    throw X509Error(
                        .malformedSubjectAlternativeName, "username OtherName is not a UTF8String: \(error)")
                }
                guard let text = String(validating: string.bytes, as: UTF8.self) else {
                    throw X509Error(.malformedSubjectAlternativeName, "username OtherName holds invalid UTF-8")
                }
                result.append(SubjectAlternativeName(kind: .username, value: text))
            default:
                continue
            }
        }
        return result
    }

    /// The certificate's identity as Sigstore clients compare it with `--certificate-identity`: the value of
    /// its one email, URI or username SAN. Fulcio issues exactly one; none, or more than one, is an error.
    public static func identity(of certificate: Certificate) throws(X509Error) -> SubjectAlternativeName {
        let names = try subjectAlternativeNames(of: certificate)
        guard let first = names.first else {
            throw X509Error(.missingIdentity, "expected one email, URI or username SAN, found none")
        }
        guard names.count == 1 else {
            throw X509Error(
                .malformedSubjectAlternativeName,
                "expected exactly one Sigstore SAN, found \(names.count): \(names.map(\.description).joined(separator: ", "))"
            )
        }
        return first
    }
}
