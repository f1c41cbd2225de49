// Proto3 JSON mapping (protobuf.dev "ProtoJSON Format") for the Sigstore messages, by hand: no protoc,
// no SwiftProtobuf, no Foundation. Only what the Sigstore schemas use.
//
// Reading:
// - a field is accepted under its lowerCamel JSON name and its snake_case proto name; both present is
//   `conflictingFields`. `null` means "absent" (proto3 JSON). Unknown fields are ignored.
// - bytes: padded standard base64 only (RFC 4648 §4, via SigilTlog `Base64`); URL-safe or unpadded text is
//   `invalidBase64`. (Proto3 JSON parsers accept both alphabets; Sigstore's clients emit and sigstore-python
//   demands standard padded base64, so we are that strict.)
// - int64/uint64: a JSON string holding a decimal integer, or a JSON number written as a plain integer.
//   (Proto3 JSON allows both; we accept both but never exponent or fraction forms, and always write strings.)
// - uint32/int32: a JSON number written as a plain integer, or a string holding one; written as numbers.
// - enums: by name (any name of the form [A-Z0-9_]+ is kept, so a verifier can report an unsupported
//   algorithm by name), or by a number the schema defines. Written by name.
// - wrong JSON types are `wrongType`, with the field path in the reason.
//
// Writing: lowerCamel names, int64 as strings, standard base64, unset optional fields left out.

import SigilTlog

/// A proto3 enum kept by its name. Known values are static members of each conforming type.
public protocol ProtoEnum: Hashable, Sendable, CustomStringConvertible {
    /// The enum value's name as the schema spells it, e.g. `PKIX_ECDSA_P256_SHA_256`.
    var name: String { get }
    init(name: String)
    /// The schema's numbers for its names (what a JSON number maps to).
    static var numbers: [Int64: String] { get }
}

extension ProtoEnum {
    public var description: String { name }
    /// The schema's number for this name, when the schema defines it.
    public var number: Int64? { Self.numbers.first { $0.value == name }?.key }
}

/// A Sigstore protobuf message that reads and writes its proto3 JSON form.
public protocol ProtoJSONMessage: Hashable, Sendable {
    /// Reads the message from a JSON object (the reader knows the field path for error messages).
    init(protoJSON: ProtoJSONObject) throws
    /// The message's proto3 JSON form: lowerCamel names, unset optional fields left out.
    var protoJSON: JSONValue { get }
}

extension ProtoJSONMessage {
    /// Reads the message from a parsed JSON value (which must be an object).
    public init(json: JSONValue) throws {
        try self.init(protoJSON: try ProtoJSONObject(json))
    }

    /// Parses the message from JSON bytes (strict JSON, bounded by `limits`).
    public static func parse(_ bytes: some Collection<UInt8>, limits: JSONLimits = .default) throws -> Self {
        try Self(json: try JSONValue.parse(bytes, limits: limits))
    }

    /// The compact JSON bytes of `protoJSON`.
    public func jsonBytes() -> [UInt8] { protoJSON.serialized() }
}

/// A JSON object read as a protobuf message: field lookup by lowerCamel name (and its snake_case twin),
/// typed accessors that fail with the field's path.
public struct ProtoJSONObject: Sendable {
    /// Where this object sits in the document, e.g. `verificationMaterial.tlogEntries[0]`; empty at the root.
    public let path: String
    /// The JSON object itself.
    public let object: JSONObject
    /// Whether snake_case spellings are accepted (true for protobuf messages; false for the Go-JSON Rekor v1
    /// bodies, which have one spelling only).
    public let acceptsSnakeCase: Bool

    /// Wraps a JSON value that must be an object.
    public init(_ value: JSONValue, path: String = "", acceptsSnakeCase: Bool = true) throws {
        guard case .object(let object) = value else {
            throw BundleError.at(path, .wrongType, "expected object, got \(value.typeName)")
        }
        self.path = path
        self.object = object
        self.acceptsSnakeCase = acceptsSnakeCase
    }

    /// `path.name`.
    public func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// The snake_case proto field name for a lowerCamel JSON name: `x509CertificateChain` →
    /// `x509_certificate_chain`, `hashedRekordV002` → `hashed_rekord_v002`.
    public static func snakeCase(_ camel: String) -> String {
        // Byte-wise: only ASCII capitals change, and every other byte (UTF-8 continuation bytes included) is
        // copied, so this is the per-character mapping without walking grapheme clusters (it runs for every
        // field lookup).
        let isCapital = { (byte: UInt8) in byte >= 0x41 && byte <= 0x5A }
        guard camel.utf8.contains(where: isCapital) else { return camel }
        var out: [UInt8] = []
        out.reserveCapacity(camel.utf8.count + 4)
        for byte in camel.utf8 {
            if isCapital(byte) {
                out.append(UInt8(ascii: "_"))
                out.append(byte + 0x20)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The field's value (nil when absent or `null`), under either spelling.
    public func value(_ name: String) throws -> JSONValue? {
        let camel = object[name]
        let snakeName = ProtoJSONObject.snakeCase(name)
        let snake = acceptsSnakeCase && snakeName != name ? object[snakeName] : nil
        if camel != nil && snake != nil {
            throw BundleError.at(childPath(name), .conflictingFields, "field present as both \"\(name)\" and \"\(snakeName)\"")
        }
        switch camel ?? snake {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    /// Whether the field is present (and not `null`).
    public func has(_ name: String) throws -> Bool { try value(name) != nil }

    private func missing(_ name: String) -> BundleError {
        BundleError.at(childPath(name), .missingField, "required field is missing")
    }

    private func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> BundleError {
        BundleError.at(childPath(name), .wrongType, "expected \(expected), got \(value.typeName)")
    }

    // MARK: strings

    public func string(_ name: String) throws -> String? {
        guard let value = try value(name) else { return nil }
        guard case .string(let string) = value else { throw wrongType(name, "string", value) }
        return string
    }

    public func requiredString(_ name: String) throws -> String {
        guard let string = try string(name) else { throw missing(name) }
        return string
    }

    /// A required string that must not be empty.
    public func nonEmptyString(_ name: String) throws -> String {
        let string = try requiredString(name)
        guard !string.isEmpty else { throw BundleError.at(childPath(name), .invalidValue, "expected a non-empty string") }
        return string
    }

    // MARK: bytes

    static func decodeBytes(_ value: JSONValue, path: String) throws -> [UInt8] {
        guard case .string(let text) = value else {
            throw BundleError.at(path, .wrongType, "expected base64 string, got \(value.typeName)")
        }
        guard let bytes = Base64.decode(text) else {
            throw BundleError.at(path, .invalidBase64, "expected padded standard base64, got \(text.utf8.count) characters that are not")
        }
        return bytes
    }

    public func bytes(_ name: String) throws -> [UInt8]? {
        guard let value = try value(name) else { return nil }
        return try ProtoJSONObject.decodeBytes(value, path: childPath(name))
    }

    public func requiredBytes(_ name: String) throws -> [UInt8] {
        guard let bytes = try bytes(name) else { throw missing(name) }
        return bytes
    }

    /// Required bytes that must not be empty (proto3 writers omit empty bytes, so empty means absent).
    public func nonEmptyBytes(_ name: String) throws -> [UInt8] {
        let bytes = try requiredBytes(name)
        guard !bytes.isEmpty else { throw BundleError.at(childPath(name), .missingField, "required bytes field is empty") }
        return bytes
    }

    public func repeatedBytes(_ name: String) throws -> [[UInt8]] {
        try repeated(name) { value, path in try ProtoJSONObject.decodeBytes(value, path: path) }
    }

    // MARK: integers

    private func integerText(_ name: String, _ value: JSONValue) throws -> String {
        switch value {
        case .string(let text):
            let bytes = Array(text.utf8)
            guard JSONNumber.isValid(bytes), JSONNumber(validatedText: text).isInteger else {
                throw BundleError.at(childPath(name), .invalidInteger, "expected a decimal integer, got \"\(text)\"")
            }
            return text
        case .number(let number):
            guard number.isInteger else {
                throw BundleError.at(childPath(name), .invalidInteger, "expected an integer, got \(number.text)")
            }
            return number.text
        default:
            throw wrongType(name, "string or integer", value)
        }
    }

    /// int64 (accepted as string or number; see the file header).
    public func int64(_ name: String) throws -> Int64? {
        guard let value = try value(name) else { return nil }
        let text = try integerText(name, value)
        guard let integer = Int64(text) else {
            throw BundleError.at(childPath(name), .invalidInteger, "\(text) is out of the int64 range")
        }
        return integer
    }

    /// uint64 (accepted as string or number).
    public func uint64(_ name: String) throws -> UInt64? {
        guard let value = try value(name) else { return nil }
        let text = try integerText(name, value)
        guard let integer = UInt64(text) else {
            throw BundleError.at(childPath(name), .invalidInteger, "\(text) is out of the uint64 range")
        }
        return integer
    }

    /// uint32 (accepted as number or string).
    public func uint32(_ name: String) throws -> UInt32? {
        guard let value = try value(name) else { return nil }
        let text = try integerText(name, value)
        guard let integer = UInt32(text) else {
            throw BundleError.at(childPath(name), .invalidInteger, "\(text) is out of the uint32 range")
        }
        return integer
    }

    public func bool(_ name: String) throws -> Bool? {
        guard let value = try value(name) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(name, "boolean", value) }
        return flag
    }

    // MARK: enums

    static func decodeEnum<E: ProtoEnum>(_ value: JSONValue, as type: E.Type, path: String) throws -> E {
        switch value {
        case .string(let name):
            let valid = !name.isEmpty && name.utf8.allSatisfy {
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_")
            }
            guard valid else { throw BundleError.at(path, .invalidEnumValue, "\"\(name)\" is not an enum value name") }
            return E(name: name)
        case .number(let number):
            guard let integer = number.int64, let name = E.numbers[integer] else {
                throw BundleError.at(path, .invalidEnumValue, "\(number.text) is not a defined enum number")
            }
            return E(name: name)
        default:
            throw BundleError.at(path, .wrongType, "expected enum name string, got \(value.typeName)")
        }
    }

    public func enumValue<E: ProtoEnum>(_ name: String, as type: E.Type) throws -> E? {
        guard let value = try value(name) else { return nil }
        return try ProtoJSONObject.decodeEnum(value, as: type, path: childPath(name))
    }

    public func requiredEnum<E: ProtoEnum>(_ name: String, as type: E.Type) throws -> E {
        guard let value = try enumValue(name, as: type) else { throw missing(name) }
        return value
    }

    // MARK: messages

    /// A nested object read by `read`, with the nested path.
    public func object<T>(_ name: String, _ read: (ProtoJSONObject) throws -> T) throws -> T? {
        guard let value = try value(name) else { return nil }
        return try read(try ProtoJSONObject(value, path: childPath(name), acceptsSnakeCase: acceptsSnakeCase))
    }

    public func requiredObject<T>(_ name: String, _ read: (ProtoJSONObject) throws -> T) throws -> T {
        guard let result = try object(name, read) else { throw missing(name) }
        return result
    }

    public func message<M: ProtoJSONMessage>(_ name: String, as type: M.Type) throws -> M? {
        try object(name) { try M(protoJSON: $0) }
    }

    public func requiredMessage<M: ProtoJSONMessage>(_ name: String, as type: M.Type) throws -> M {
        try requiredObject(name) { try M(protoJSON: $0) }
    }

    /// A repeated field (absent or `null` is empty), each element read by `read` with `name[i]` as its path.
    public func repeated<T>(_ name: String, _ read: (JSONValue, String) throws -> T) throws -> [T] {
        guard let value = try value(name) else { return [] }
        guard case .array(let elements) = value else { throw wrongType(name, "array", value) }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            result.append(try read(element, "\(childPath(name))[\(position)]"))
        }
        return result
    }

    public func repeatedMessages<M: ProtoJSONMessage>(_ name: String, of type: M.Type) throws -> [M] {
        let snake = acceptsSnakeCase
        return try repeated(name) { value, path in try M(protoJSON: try ProtoJSONObject(value, path: path, acceptsSnakeCase: snake)) }
    }

    public func repeatedStrings(_ name: String) throws -> [String] {
        try repeated(name) { value, path in
            guard case .string(let string) = value else {
                throw BundleError.at(path, .wrongType, "expected string, got \(value.typeName)")
            }
            return string
        }
    }

    /// The raw JSON of a field kept as-is (e.g. an in-toto predicate).
    public func json(_ name: String) throws -> JSONValue? { try value(name) }
}

/// Builds a proto3 JSON object: lowerCamel names in the order added, unset optionals skipped.
public struct ProtoJSONBuilder: Sendable {
    public private(set) var object = JSONObject()

    public init() {}

    public var value: JSONValue { .object(object) }

    public mutating func add(_ name: String, _ value: JSONValue?) {
        guard let value else { return }
        object.insert(name, value)
    }

    public mutating func add(_ name: String, string: String?) { add(name, string.map { .string($0) }) }

    public mutating func add(_ name: String, bytes: [UInt8]?) { add(name, bytes.map { .string(Base64.encode($0)) }) }

    /// int64/uint64 as a decimal string.
    public mutating func add(_ name: String, int64: Int64?) { add(name, int64.map { .string(String($0)) }) }

    /// uint32 as a JSON number.
    public mutating func add(_ name: String, uint32: UInt32?) { add(name, uint32.map { .number(JSONNumber(UInt64($0))) }) }

    public mutating func add<E: ProtoEnum>(_ name: String, enum value: E?) { add(name, value.map { .string($0.name) }) }

    public mutating func add<M: ProtoJSONMessage>(_ name: String, message: M?) { add(name, message?.protoJSON) }

    public mutating func add<M: ProtoJSONMessage>(_ name: String, messages: [M]) { add(name, .array(messages.map(\.protoJSON))) }

    public mutating func add(_ name: String, bytesList: [[UInt8]]) { add(name, .array(bytesList.map { .string(Base64.encode($0)) })) }
}
