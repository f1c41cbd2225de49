// Errors of RFC 3161 timestamp parsing and verification: a struct with an extensible code (STYLE.md habit 6).

/// Why a timestamp could not be parsed or did not verify. Tests match on `code`; `reason` says what was
/// expected and what was found.
public struct TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case oversize, malformed, unsupportedVersion, unsupportedAlgorithm, statusNotGranted, missingToken,
                wrongContentType, signerCount, imprintMismatch, nonceMismatch, missingSignedAttributes,
                contentTypeAttributeMismatch, messageDigestMismatch, signingCertificateMismatch, signerNotFound,
                signerCertificateMismatch, invalidSignature, notTimestampingCertificate, keyUsage, untrustedChain,
                outsideValidityWindow, noAuthorities
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The input is larger than the parser's cap, or has more elements than it allows.
        public static let oversize = Code(.oversize)
        /// The bytes are not the DER structure expected (truncated, trailing bytes, wrong tags, bad values).
        public static let malformed = Code(.malformed)
        /// A version field holds a value this profile does not accept.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A digest or signature algorithm is not one Sigil verifies.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// The response's PKIStatus is neither granted nor grantedWithMods.
        public static let statusNotGranted = Code(.statusNotGranted)
        /// The response is granted but carries no TimeStampToken.
        public static let missingToken = Code(.missingToken)
        /// The token is not SignedData, or its encapsulated content is not id-ct-TSTInfo.
        public static let wrongContentType = Code(.wrongContentType)
        /// The SignedData does not have exactly one SignerInfo.
        public static let signerCount = Code(.signerCount)
        /// The TSTInfo's message imprint is not the hash of the given signature bytes.
        public static let imprintMismatch = Code(.imprintMismatch)
        /// The TSTInfo's nonce is not the nonce of the request.
        public static let nonceMismatch = Code(.nonceMismatch)
        /// The SignerInfo has no signed attributes (RFC 5652 §5.3 requires them for non-id-data content).
        public static let missingSignedAttributes = Code(.missingSignedAttributes)
        /// The content-type signed attribute is missing, repeated or not id-ct-TSTInfo.
        public static let contentTypeAttributeMismatch = Code(.contentTypeAttributeMismatch)
        /// The message-digest signed attribute is missing or is not the digest of the TSTInfo bytes.
        public static let messageDigestMismatch = Code(.messageDigestMismatch)
        /// The ESS signing-certificate(-v2) attribute does not name the signer certificate.
        public static let signingCertificateMismatch = Code(.signingCertificateMismatch)
        /// No given timestamp authority's leaf certificate is the SignerInfo's signer.
        public static let signerNotFound = Code(.signerNotFound)
        /// An embedded certificate claims the signer's identity but differs from the authority's leaf.
        public static let signerCertificateMismatch = Code(.signerCertificateMismatch)
        /// The CMS signature over the signed attributes does not verify with the signer's key.
        public static let invalidSignature = Code(.invalidSignature)
        /// The signer's extended key usage is not exactly id-kp-timeStamping, or is not critical.
        public static let notTimestampingCertificate = Code(.notTimestampingCertificate)
        /// The signer's key usage allows neither digitalSignature nor nonRepudiation, or allows more.
        public static let keyUsage = Code(.keyUsage)
        /// The signer certificate does not chain to the authority's root at genTime.
        public static let untrustedChain = Code(.untrustedChain)
        /// genTime lies outside the authority's validity window in the trusted root.
        public static let outsideValidityWindow = Code(.outsideValidityWindow)
        /// The verifier was given no timestamp authority (or one with an empty chain).
        public static let noAuthorities = Code(.noAuthorities)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "RFC 3161 timestamp: \(code): \(reason)" }
}
