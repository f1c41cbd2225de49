// Strict RFC 8259 JSON parser. Written by hand because the pure targets import no Foundation; it is the
// front door for every untrusted document SigilBundle reads, so it is bounded and total: the size cap is
// checked first, nesting is capped, every index is checked, and nothing traps.

/// Limits applied before and during parsing.
public struct JSONLimits: Hashable, Sendable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of arrays and objects (the top-level container is depth 1).
    public var maxDepth: Int

    public init(maxBytes: Int, maxDepth: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// 32 MiB and depth 128: room for a bundle with a large DSSE payload, far below what hurts.
    public static let `default` = JSONLimits(maxBytes: 32 << 20, maxDepth: 128)
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259) strictly.
    ///
    /// Rejected, each with its own `BundleError.Code`: input over `limits.maxBytes` (`inputTooLarge`),
    /// nesting over `limits.maxDepth` (`nestingTooDeep`), ill-formed UTF-8 anywhere (`invalidUTF8`), a byte
    /// order mark, unescaped control characters, leading zeros and other grammar errors (`invalidJSON` /
    /// `invalidNumber`), bad escapes and lone surrogates (`invalidEscape`), duplicate object member names
    /// (`duplicateKey`), and anything but whitespace after the value (`trailingData`).
    public static func parse(_ bytes: some Collection<UInt8>, limits: JSONLimits = .default) throws -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw BundleError(.inputTooLarge, "JSON input is \(bytes.count) bytes, limit is \(limits.maxBytes)")
        }
        var parser = JSONParser(bytes: Array(bytes), maxDepth: limits.maxDepth)
        return try parser.parseDocument()
    }

    /// Parses the UTF-8 of a string.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }
}

struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw error(.trailingData, "expected end of input after the JSON value, found more bytes")
        }
        return value
    }

    private func error(_ code: BundleError.Code, _ message: String) -> BundleError {
        BundleError(code, "at byte \(position): \(message)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "end of input" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard let byte = current else { throw error(.invalidJSON, "expected a JSON value, found end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), 0x30...0x39:
            return .number(try parseNumber())
        default:
            throw error(.invalidJSON, "expected a JSON value, found \(describe(byte))")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let expected = literal.withUTF8Buffer { Array($0) }
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected
        else { throw error(.invalidJSON, "expected '\(literal)'") }
        position += expected.count
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error(.nestingTooDeep, "nesting deeper than \(maxDepth)") }
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error(.invalidJSON, "expected a member name string, found \(describe(current))")
            }
            let namePosition = position
            let name = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error(.invalidJSON, "expected ':', found \(describe(current))") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard object.insert(name, value) else {
                throw BundleError(.duplicateKey, "at byte \(namePosition): duplicate object member \"\(name)\"")
            }
            skipWhitespace()
            switch current ?? 0 {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(object)
            default: throw error(.invalidJSON, "expected ',' or '}', found \(describe(current))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error(.nestingTooDeep, "nesting deeper than \(maxDepth)") }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current ?? 0 {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw error(.invalidJSON, "expected ',' or ']', found \(describe(current))")
            }
        }
    }

    private mutating func parseNumber() throws -> JSONNumber {
        let start = position
        while let byte = current,
            (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        {
            position += 1
        }
        let text = Array(bytes[start..<position])
        guard JSONNumber.isValid(text) else {
            throw BundleError(.invalidNumber, "at byte \(start): \"\(String(decoding: text, as: UTF8.self))\" is not an RFC 8259 number (leading zero, missing digits, …)")
        }
        return JSONNumber(validatedText: String(decoding: text, as: UTF8.self))
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    /// Reads the four hex digits after `\u`.
    private mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error(.invalidEscape, "truncated \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(bytes[position + offset]) else {
                throw error(.invalidEscape, "\\u escape needs four hex digits")
            }
            value = value << 4 | digit
        }
        position += 4
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Length of the well-formed UTF-8 sequence at `position` (RFC 3629 §4 table), or `nil`.
    private func utf8SequenceLength() -> Int? {
        guard let lead = current else { return nil }
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            position + offset < bytes.count && range.contains(bytes[position + offset])
        }
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : nil
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : nil
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : nil  // no UTF-16 surrogates
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: return nil
        }
    }

    private mutating func parseString() throws -> String {
        position += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw error(.invalidJSON, "unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard let escape = current else { throw error(.invalidEscape, "truncated escape") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try parseHex4()
                    if (0xDC00...0xDFFF).contains(unit) {
                        throw error(.invalidEscape, "lone low surrogate \\u\(String(unit, radix: 16))")
                    }
                    if (0xD800...0xDBFF).contains(unit) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw error(.invalidEscape, "lone high surrogate \\u\(String(unit, radix: 16))") }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw error(.invalidEscape, "high surrogate \\u\(String(unit, radix: 16)) not followed by a low surrogate")
                        }
                        Self.appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), to: &out)
                    } else {
                        Self.appendUTF8(unit, to: &out)
                    }
                default:
                    throw error(.invalidEscape, "unknown escape \\\(describe(escape))")
                }
            case 0x00..<0x20:
                throw error(.invalidJSON, "unescaped control character \(describe(byte)) in string")
            case 0x20..<0x80:
                // A run of printable ASCII other than the quote and the backslash is copied in one go (base64
                // fields are long runs of it).
                var end = position + 1
                while end < bytes.count {
                    let next = bytes[end]
                    guard next >= 0x20, next < 0x80, next != UInt8(ascii: "\""), next != UInt8(ascii: "\\") else { break }
                    end += 1
                }
                out.append(contentsOf: bytes[position..<end])
                position = end
            default:
                guard let length = utf8SequenceLength() else {
                    throw error(.invalidUTF8, "ill-formed UTF-8 sequence starting with \(describe(byte))")
                }
                out.append(contentsOf: bytes[position..<position + length])
                position += length
            }
        }
    }
}
