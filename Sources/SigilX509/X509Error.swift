// Errors of the Fulcio certificate profile, SCT and chain checks: a struct with an extensible code
// (STYLE.md habit 6, the swift-certificates `CertificateError` shape).

/// Why a certificate, an SCT or a chain was rejected. Tests match on `code`; `reason` says what was expected
/// and what was found.
public struct X509Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case malformedCertificate, malformedPEM, malformedExtension, malformedSubjectAlternativeName,
                missingIdentity, malformedSCT, sctMissing, sctInvalid, sctUnknownLog, sctOutsideLogValidity,
                unsupportedSCTAlgorithm, malformedLogKey, chainNotValid, notValidAtTime, missingCodeSigningEKU,
                missingDigitalSignature, missingTrustAnchor
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// Bytes that should be a DER X.509 certificate are not one.
        public static let malformedCertificate = Code(.malformedCertificate)
        /// Text that should be PEM (of the expected kind) is not.
        public static let malformedPEM = Code(.malformedPEM)
        /// A Fulcio extension (1.3.6.1.4.1.57264.1.*) has a value of the wrong encoding.
        public static let malformedExtension = Code(.malformedExtension)
        /// The SubjectAlternativeName extension cannot be decoded, or an OtherName value is not a UTF8String.
        public static let malformedSubjectAlternativeName = Code(.malformedSubjectAlternativeName)
        /// The certificate carries no identity Sigstore understands (email, URI or username OtherName SAN).
        public static let missingIdentity = Code(.missingIdentity)
        /// The SCT list extension or an SCT in it does not follow RFC 6962 §3.3 exactly.
        public static let malformedSCT = Code(.malformedSCT)
        /// The certificate has no SCT list extension, or no SCT in it.
        public static let sctMissing = Code(.sctMissing)
        /// An SCT names a known CT log but its signature does not verify over the precertificate entry.
        public static let sctInvalid = Code(.sctInvalid)
        /// No SCT in the certificate was issued by a CT log the caller trusts.
        public static let sctUnknownLog = Code(.sctUnknownLog)
        /// The SCT's timestamp, or a verified time, lies outside the CT log key's validity window.
        public static let sctOutsideLogValidity = Code(.sctOutsideLogValidity)
        /// The SCT uses a hash or signature algorithm other than SHA-256 with ECDSA or RSA PKCS#1 v1.5.
        public static let unsupportedSCTAlgorithm = Code(.unsupportedSCTAlgorithm)
        /// A CT log key is not a usable ECDSA (P-256/P-384) or RSA public key, or its log ID is not 32 bytes.
        public static let malformedLogKey = Code(.malformedLogKey)
        /// No chain from the leaf to a trust anchor meets the Sigstore policy; the reason quotes swift-certificates.
        public static let chainNotValid = Code(.chainNotValid)
        /// The verified time lies outside the leaf certificate's validity window.
        public static let notValidAtTime = Code(.notValidAtTime)
        /// The leaf has no ExtendedKeyUsage extension containing id-kp-codeSigning.
        public static let missingCodeSigningEKU = Code(.missingCodeSigningEKU)
        /// The leaf has no KeyUsage extension with digitalSignature set.
        public static let missingDigitalSignature = Code(.missingDigitalSignature)
        /// Chain verification was asked with no trust anchor at all.
        public static let missingTrustAnchor = Code(.missingTrustAnchor)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "X.509: \(code): \(reason)" }
}
