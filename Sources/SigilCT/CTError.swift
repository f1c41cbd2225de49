// Errors of the CT precertificate flow: a struct with an extensible code (STYLE.md habit 6).

/// Why a precertificate was refused or could not be logged. Tests match on `code`; `reason` says what was
/// expected and what was found.
public struct CTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case malformedPrecertificate, missingPoison, malformedPoison, emptyChain, wrongIssuer,
                logUnavailable, signingFailed, malformedEntry, unknownIssuer, corruptLog
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The precertificate (or an issuer certificate) is not a well-formed DER certificate, or its
        /// TBSCertificate cannot be re-encoded.
        public static let malformedPrecertificate = Code(.malformedPrecertificate)
        /// The certificate has no precertificate poison extension (1.3.6.1.4.1.11129.2.4.3), or more than one.
        public static let missingPoison = Code(.missingPoison)
        /// The poison extension is not critical, or its value is not an ASN.1 NULL (RFC 6962 §3.1).
        public static let malformedPoison = Code(.malformedPoison)
        /// No issuer certificate was given with the precertificate.
        public static let emptyChain = Code(.emptyChain)
        /// The precertificate's signature does not verify with the first chain certificate's key.
        public static let wrongIssuer = Code(.wrongIssuer)
        /// The precertificate logger failed (storage down, overloaded): retry later.
        public static let logUnavailable = Code(.logUnavailable)
        /// The log key could not sign the SCT.
        public static let signingFailed = Code(.signingFailed)
        /// A static-ct-api entry (TileLeaf, TimestampedEntry, CtExtensions) is malformed or does not fit its
        /// TLS length bounds.
        public static let malformedEntry = Code(.malformedEntry)
        /// The submitted chain names an issuer certificate the CT log does not accept (it serves every issuer it
        /// logs at `issuer/<fingerprint>`, so it logs only issuers it was configured with).
        public static let unknownIssuer = Code(.unknownIssuer)
        /// The CT log's storage holds something the log did not write: an entry at an index other than the one
        /// it was written for, or an entry that does not parse.
        public static let corruptLog = Code(.corruptLog)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "CT: \(code): \(reason)" }
}
