// The one error type of SigilBundle: a struct with an extensible code (STYLE.md habit 6).

/// Why a JSON document, a protobuf-JSON message, or a Sigstore format could not be read or written.
/// Tests match on `code`; `reason` starts with the field path when there is one
/// (`tlogEntries[0].inclusionProof.treeSize: expected string or integer, got object`) and says what was
/// expected and what was found.
public struct BundleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case inputTooLarge, nestingTooDeep, invalidJSON, invalidUTF8, invalidEscape, invalidNumber,
                duplicateKey, trailingData, notCanonicalizable, wrongType, missingField, conflictingFields,
                invalidBase64, invalidInteger, invalidEnumValue, invalidTimestamp, unsupportedMediaType,
                fieldNotAllowedInVersion, unsupportedEntryKind, invalidEntryBody, unsupportedStatementType,
                invalidValue
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The input is longer than the parser's byte limit.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// Arrays and objects nest deeper than the parser's depth limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// The text is not JSON (RFC 8259 grammar): bad token, missing comma, leading zero, BOM, etc.
        public static let invalidJSON = Code(.invalidJSON)
        /// The input is not well-formed UTF-8 (RFC 3629): overlong forms, surrogates, bytes above U+10FFFF.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A string escape is malformed, or a `\u` escape leaves a lone surrogate.
        public static let invalidEscape = Code(.invalidEscape)
        /// A number does not follow the RFC 8259 number grammar.
        public static let invalidNumber = Code(.invalidNumber)
        /// An object has two members with the same name (RFC 8259 §4 "SHOULD be unique"; we require it).
        public static let duplicateKey = Code(.duplicateKey)
        /// Bytes other than whitespace follow the JSON value.
        public static let trailingData = Code(.trailingData)
        /// RFC 8785 cannot represent the value (a non-finite number, an integer beyond 2^53 that would change).
        public static let notCanonicalizable = Code(.notCanonicalizable)
        /// A field has the wrong JSON type (string where an object belongs, …).
        public static let wrongType = Code(.wrongType)
        /// A field that the format requires is absent.
        public static let missingField = Code(.missingField)
        /// Two fields that exclude each other are both present (a oneof, or a field under its lowerCamel and
        /// its snake_case name).
        public static let conflictingFields = Code(.conflictingFields)
        /// A bytes field is not padded standard base64 (RFC 4648 §4), or a hex field is not lowercase hex.
        public static let invalidBase64 = Code(.invalidBase64)
        /// An integer field is not a decimal integer in range.
        public static let invalidInteger = Code(.invalidInteger)
        /// An enum field holds a name or number the schema does not define.
        public static let invalidEnumValue = Code(.invalidEnumValue)
        /// A timestamp is not an RFC 3339 date-time in the protobuf Timestamp range.
        public static let invalidTimestamp = Code(.invalidTimestamp)
        /// `mediaType` is not one this library reads (for a bundle: v0.1, v0.2, or either v0.3 spelling).
        public static let unsupportedMediaType = Code(.unsupportedMediaType)
        /// The field is defined, but not for this bundle version (e.g. `certificate` in a v0.1 bundle).
        public static let fieldNotAllowedInVersion = Code(.fieldNotAllowedInVersion)
        /// A Rekor entry body has a kind/apiVersion pair this library does not model.
        public static let unsupportedEntryKind = Code(.unsupportedEntryKind)
        /// A Rekor entry body is not the JSON its kind/apiVersion prescribes.
        public static let invalidEntryBody = Code(.invalidEntryBody)
        /// An in-toto statement has a `_type` other than `https://in-toto.io/Statement/v1`.
        public static let unsupportedStatementType = Code(.unsupportedStatementType)
        /// A value has the right type but a value the format forbids (empty where non-empty is required, …).
        public static let invalidValue = Code(.invalidValue)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "SigilBundle: \(code): \(reason)" }
}

extension BundleError {
    /// `path: message`, or just the message at the document root.
    static func at(_ path: String, _ code: Code, _ message: String) -> BundleError {
        BundleError(code, path.isEmpty ? message : "\(path): \(message)")
    }
}
