// A JSON value that keeps what matters for signatures: numbers as their exact text and object members in
// document order. Written by hand because the pure targets import no Foundation (no JSONSerialization).

/// A JSON number kept as the exact text it was written with (RFC 8259 §6 grammar), so nothing is rounded
/// on the way through.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number's text, e.g. `-12`, `4.50`, `1E30`.
    public let text: String

    /// Wraps text that is already known to follow the RFC 8259 number grammar (the parser's output).
    init(validatedText: String) { self.text = validatedText }

    /// An integer.
    public init(_ value: Int64) { self.text = String(value) }

    /// An unsigned integer.
    public init(_ value: UInt64) { self.text = String(value) }

    /// Number text, checked against the RFC 8259 grammar; `nil` when it is not a JSON number.
    public init?(text: String) {
        guard JSONNumber.isValid(Array(text.utf8)) else { return nil }
        self.text = text
    }

    /// Whether the text is a plain integer (no fraction, no exponent).
    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }

    /// The value as `Int64` when the text is a plain integer in range.
    public var int64: Int64? { isInteger ? Int64(text) : nil }

    /// The value as `UInt64` when the text is a plain non-negative integer in range.
    public var uint64: UInt64? { isInteger ? UInt64(text) : nil }

    /// The nearest IEEE 754 double (infinite when the text is out of range).
    public var double: Double? { Double(text) }

    public var description: String { text }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit(index) else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while digit(index) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        return index == bytes.count
    }
}

/// A JSON object: members in document order, names unique (the parser rejects duplicates).
///
/// Names are compared by their UTF-8 bytes, not by Swift's Unicode canonical equivalence: JSON (and
/// RFC 8785 sorting) treats `"é"` precomposed and decomposed as two different names.
public struct JSONObject: Hashable, Sendable, Sequence {
    /// One `name: value` member.
    public struct Member: Hashable, Sendable {
        public var name: String
        public var value: JSONValue

        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// The members in document (or insertion) order.
    public private(set) var members: [Member]
    /// Member positions by name, built only once the object is larger than ``linearLimit``: below that a scan
    /// comparing UTF-8 bytes is cheaper than hashing a byte array per insert and lookup (Rekor requests and
    /// answers have objects of one to seven members, parsed and built once per request).
    private var index: [[UInt8]: Int]?

    private static let linearLimit = 16

    /// An empty object.
    public init() {
        members = []
        index = nil
    }

    /// An object from members; `nil` when two members share a name.
    public init?(_ members: [Member]) {
        self.init()
        for member in members {
            guard insert(member.name, member.value) else { return nil }
        }
    }

    /// Adds a member at the end; `false` (and no change) when the name is already present.
    @discardableResult
    public mutating func insert(_ name: String, _ value: JSONValue) -> Bool {
        guard position(of: name) == nil else { return false }
        if index != nil {
            index?[Array(name.utf8)] = members.count
        } else if members.count >= Self.linearLimit {
            var built: [[UInt8]: Int] = [:]
            for (position, member) in members.enumerated() { built[Array(member.name.utf8)] = position }
            built[Array(name.utf8)] = members.count
            index = built
        }
        members.append(Member(name, value))
        return true
    }

    /// The value of the member with this exact name.
    public subscript(name: String) -> JSONValue? {
        guard let position = position(of: name) else { return nil }
        return members[position].value
    }

    private func position(of name: String) -> Int? {
        if let index { return index[Array(name.utf8)] }
        return members.firstIndex { $0.name.utf8.elementsEqual(name.utf8) }
    }

    public var count: Int { members.count }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.name.utf8.elementsEqual($1.name.utf8) && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(Array(member.name.utf8))
            hasher.combine(member.value)
        }
    }
}

/// A JSON value (RFC 8259). Numbers keep their text; objects keep member order.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type's name, as error messages say it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// An object from `(name, value)` pairs in order. Names must be distinct (a programming error otherwise,
    /// which this initializer reports by keeping the first).
    public static func makeObject(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        var object = JSONObject()
        for (name, value) in pairs { object.insert(name, value) }
        return .object(object)
    }

    /// A decimal integer number.
    public static func integer(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
