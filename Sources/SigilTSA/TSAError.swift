// Errors of the timestamp authority's set-up (keys, certificates, PEM): a struct with an extensible code
// (STYLE.md habit 6). Requests a client sends wrong are never errors: they are answered with a rejection
// `TimeStampResp` (see `TimeStampSigner`).

/// Why the timestamp authority could not be set up. Tests match on `code`; `reason` says what was expected and
/// what was found.
public struct TSAError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case emptyChain, notTimestampingCertificate, keyMismatch, brokenChain, invalidPEM, unsupportedKey,
                certificateCreation, invalidConfiguration
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The certificate chain has no certificate.
        public static let emptyChain = Code(.emptyChain)
        /// The leaf certificate may not sign timestamps (EKU not exactly a critical id-kp-timeStamping, key
        /// usage other than digitalSignature/nonRepudiation, or a CA certificate).
        public static let notTimestampingCertificate = Code(.notTimestampingCertificate)
        /// The signing key is not the leaf certificate's key.
        public static let keyMismatch = Code(.keyMismatch)
        /// A certificate of the chain is not issued and signed by the next one.
        public static let brokenChain = Code(.brokenChain)
        /// A PEM document is not what was expected (wrong label, bad base64, bad DER, too large, empty).
        public static let invalidPEM = Code(.invalidPEM)
        /// A key is not an ECDSA P-256 or P-384 key.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// swift-certificates could not build or sign a certificate.
        public static let certificateCreation = Code(.certificateCreation)
        /// A setting is unusable: the default policy is not accepted, the validity period is empty, a
        /// negative accuracy.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "timestamp authority: \(code): \(reason)" }
}
