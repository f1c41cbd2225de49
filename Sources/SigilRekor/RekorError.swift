// Errors of the Rekor v2 personality: one struct with an extensible code (STYLE.md habit 6). How each code
// reaches an HTTP client is decided in exactly one place, `RekorError.httpResponse` (RekorHTTP.swift).

/// Why a Rekor v2 request was refused, or why the log could not answer it. Tests match on `code`; `reason`
/// says what was expected and what was found, and is what the HTTP client reads as `message`.
public struct RekorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case requestTooLarge, entryTooLarge, invalidJSON, unknownField, wrongType, missingField,
                conflictingFields, invalidBase64, invalidEnumValue, unsupportedEntryKind, unsupportedAlgorithm,
                invalidVerifier, keyMismatch, invalidDigest, signatureInvalid, duplicateEntry, unavailable,
                logFrozen, invalidConfiguration, internalError
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The request body is larger than the service's cap (rekor-tiles `--max-request-body-size`, 4 MiB).
        public static let requestTooLarge = Code(.requestTooLarge)
        /// The canonical entry would not fit a tlog-tiles entry bundle (uint16 length prefix: 65,535 bytes).
        public static let entryTooLarge = Code(.entryTooLarge)
        /// The body is not strict JSON (RFC 8259, UTF-8, no duplicate keys, no trailing bytes, depth-bounded).
        public static let invalidJSON = Code(.invalidJSON)
        /// A member the protobuf schema does not define (protojson with `DiscardUnknown: false`).
        public static let unknownField = Code(.unknownField)
        /// A field has the wrong JSON type (an object where a string belongs, …).
        public static let wrongType = Code(.wrongType)
        /// A field the entry needs is absent or empty (digest, signature content, verifier, key bytes, keyDetails).
        public static let missingField = Code(.missingField)
        /// Both members of a oneof are set (`publicKey` and `x509Certificate`), or a field under both spellings.
        public static let conflictingFields = Code(.conflictingFields)
        /// A bytes field is not padded standard base64 (RFC 4648 §4).
        public static let invalidBase64 = Code(.invalidBase64)
        /// `keyDetails` is not a `PublicKeyDetails` name or number.
        public static let invalidEnumValue = Code(.invalidEnumValue)
        /// The request is not a `hashedRekordRequestV002`: the deprecated `dsseRequestV002`, another member, or
        /// none at all (rekor-tiles: "invalid type, must be hashedrekord").
        public static let unsupportedEntryKind = Code(.unsupportedEntryKind)
        /// `keyDetails` names an algorithm this log does not accept (pure Ed25519, RSA, PSS, …).
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// The verifier is not a DER X.509 certificate or DER SubjectPublicKeyInfo, or its key type is unknown.
        public static let invalidVerifier = Code(.invalidVerifier)
        /// The verifier's key is not the key `keyDetails` describes (curve, algorithm).
        public static let keyMismatch = Code(.keyMismatch)
        /// The digest is not as long as the hash `keyDetails` implies.
        public static let invalidDigest = Code(.invalidDigest)
        /// The signature is not a DER ECDSA signature, or does not verify over the digest with the key.
        public static let signatureInvalid = Code(.signatureInvalid)
        /// An identical entry is already in the log (``RekorError/existingIndex`` says where).
        public static let duplicateEntry = Code(.duplicateEntry)
        /// Storage pushed back or failed; the client should retry (Tessera `ErrPushback`).
        public static let unavailable = Code(.unavailable)
        /// The log is frozen (read-only) and accepts no new entries.
        public static let logFrozen = Code(.logFrozen)
        /// The log's own setup is wrong (an origin with a space, a log key of an unknown type). Never caused by
        /// client input; a service should refuse to start with it.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A bug on our side (a response the log built does not check out). Never caused by client input.
        public static let internalError = Code(.internalError)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String
    /// For ``Code/duplicateEntry``: the index of the entry already in the log (the `x-log-index` header).
    public var existingIndex: UInt64?
    /// For ``Code/unavailable``: seconds the client should wait before retrying (`Retry-After`).
    public var retryAfterSeconds: Int?

    public init(_ code: Code, _ reason: String, existingIndex: UInt64? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.existingIndex = existingIndex
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// An identical entry already sits at `index` (rekor-tiles' message, which clients may show).
    public static func duplicate(existingIndex index: UInt64) -> RekorError {
        RekorError(
            .duplicateEntry, "an equivalent entry already exists in the transparency log with index \(index)",
            existingIndex: index)
    }

    /// Storage pushback: retry after `seconds` (rekor-tiles' message).
    public static func pushback(retryAfterSeconds seconds: Int = 1) -> RekorError {
        RekorError(.unavailable, "reached max pushback; retry", retryAfterSeconds: seconds)
    }

    /// A frozen (read-only) log's refusal, in rekor-tiles' words (HTTP 405).
    public static let frozen = RekorError(.logFrozen, "This log has been frozen, please switch to the latest log.")

    public var description: String { "Rekor: \(code): \(reason)" }
}
