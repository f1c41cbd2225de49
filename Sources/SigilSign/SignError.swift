// Errors of signing: a struct with an extensible code (STYLE.md habit 6).

/// Why signing failed. Tests match on `code`; `reason` says what was expected and what was found, and names
/// the service involved when one refused or failed.
public struct SignError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case invalidKey, invalidInput, certificateIssuance, invalidCertificate, sctInvalid, logSubmission,
                invalidLogEntry, timestamping, invalidTimestamp, noTimestamp, selfVerification, serviceUnavailable,
                serviceRefused, invalidConfiguration, noService
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A signing key could not be made or loaded (bad PEM, unsupported curve).
        public static let invalidKey = Code(.invalidKey)
        /// The input to sign (artifact, predicate) is unusable.
        public static let invalidInput = Code(.invalidInput)
        /// The certificate authority did not issue a certificate.
        public static let certificateIssuance = Code(.certificateIssuance)
        /// The issued chain is malformed or does not bind the signing key.
        public static let invalidCertificate = Code(.invalidCertificate)
        /// The leaf does not carry exactly one SCT that verifies against a current CT log key of the trusted root.
        public static let sctInvalid = Code(.sctInvalid)
        /// The transparency log did not accept the entry.
        public static let logSubmission = Code(.logSubmission)
        /// The log's answer is not an entry for what was submitted.
        public static let invalidLogEntry = Code(.invalidLogEntry)
        /// A timestamp authority did not answer with a timestamp.
        public static let timestamping = Code(.timestamping)
        /// A timestamp authority answered with a refusal or a timestamp over something else.
        public static let invalidTimestamp = Code(.invalidTimestamp)
        /// A Rekor v2 entry carries no time, and no timestamp authority gave one.
        public static let noTimestamp = Code(.noTimestamp)
        /// The finished bundle does not verify against the trusted root: a bug, never written out.
        public static let selfVerification = Code(.selfVerification)
        /// A service could not be reached, timed out, or stayed unavailable (503) after the retries.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// A service answered with an error status (4xx/5xx) or an answer that does not parse.
        public static let serviceRefused = Code(.serviceRefused)
        /// A trust configuration or signing configuration is unusable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The signing configuration offers no usable service of a kind.
        public static let noService = Code(.noService)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "sign: \(code): \(reason)" }
}
