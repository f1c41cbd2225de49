// JSON writers: a compact one that keeps member order and number text, and the RFC 8785 (JCS) canonical
// one used wherever bytes are hashed or signed (Rekor entry bodies, SETs). Written by hand: no Foundation,
// and `JSONEncoder` key order must never decide signed bytes (DESIGN.md §3).
//
// Numbers in canonical form (RFC 8785 §3.2.2.3 serializes IEEE 754 doubles the ECMAScript way):
// - a plain integer of at most 15 digits is written as its digits (it is exact, and ECMAScript agrees);
// - any other number is read as the nearest double and written with ECMAScript Number.prototype.toString
//   rules, using the shortest round-trip digits of Swift's `Double.description` (shortest, then closest,
//   as ECMAScript requires): `4.50` → `4.5`, `1E30` → `1e+30`, `-0` → `0`;
// - a plain integer that a double cannot hold exactly (e.g. 9007199254740993) is refused with
//   `notCanonicalizable` rather than silently changed, and so are numbers that overflow to infinity.

extension JSONValue {
    /// Compact JSON (no insignificant whitespace), members in their stored order, numbers as their text,
    /// strings escaped the RFC 8785 way.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.write(self, canonical: false, into: &out)
        return out
    }

    /// RFC 8785 canonical JSON: members sorted by the UTF-16 code units of their names, no whitespace,
    /// RFC 8785 string escaping, ECMAScript number form (see the file header for what happens to numbers).
    public func canonicalized() throws -> [UInt8] {
        var out: [UInt8] = []
        try JSONWriter.writeCanonical(self, into: &out)
        return out
    }
}

extension JSONNumber {
    /// The ECMAScript `Number.prototype.toString` form of the number's nearest double (RFC 8785 §3.2.2.3);
    /// `nil` when that double is not finite. Plain integers that are not exactly representable are also
    /// `nil` (see the file header).
    public var canonicalText: String? {
        let utf8 = Array(text.utf8)
        if isInteger && text != "-0" {
            let digitCount = utf8.first == UInt8(ascii: "-") ? utf8.count - 1 : utf8.count
            if digitCount <= 15 { return text }
            guard let value = Double(text), value.isFinite else { return nil }
            let formatted = JSONNumber.ecmascriptString(value)
            return formatted == text ? formatted : nil
        }
        guard let value = Double(text), value.isFinite else { return nil }
        return JSONNumber.ecmascriptString(value)
    }

    /// ECMAScript Number::toString for a finite double (ECMA-262 §6.1.6.1.20), built on the shortest
    /// round-trip decimal digits that Swift's `description` produces.
    public static func ecmascriptString(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        let negative = value < 0
        let description = Array((negative ? -value : value).description.utf8)
        // Split Swift's form ("4.5", "1e+30", "9.007199254740992e+15", "5e-324") into digits and exponent.
        var digits: [UInt8] = []
        var pointPosition: Int?
        var exponent = 0
        var index = 0
        while index < description.count {
            let byte = description[index]
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let parsed = Int(String(decoding: description[(index + 1)...], as: UTF8.self)) else { return nil }
                exponent = parsed
                break
            }
            if byte == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte)
            } else {
                return nil
            }
            index += 1
        }
        // value = 0.DIGITS × 10^n
        var n = (pointPosition ?? digits.count) + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            n -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        guard !digits.isEmpty else { return "0" }
        let k = digits.count
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            out += digits
            out += [UInt8](repeating: zero, count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits[0..<n]
            out.append(UInt8(ascii: "."))
            out += digits[n...]
        } else if -6 < n && n <= 0 {
            out += [zero, UInt8(ascii: ".")]
            out += [UInt8](repeating: zero, count: -n)
            out += digits
        } else {
            let e = n - 1
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out += digits[1...]
            }
            out.append(UInt8(ascii: "e"))
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out += Array(String(e < 0 ? -e : e).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum JSONWriter {
    static func write(_ value: JSONValue, canonical: Bool, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): out.append(contentsOf: number.text.utf8)
        case .string(let string): writeString(string, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(element, canonical: canonical, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.name, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, canonical: canonical, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeCanonical(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .number(let number):
            guard let text = number.canonicalText else {
                throw BundleError(.notCanonicalizable, "number \(number.text) has no exact RFC 8785 form")
            }
            out.append(contentsOf: text.utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                try writeCanonical(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            // RFC 8785 §3.2.3: sort by the names' UTF-16 code units, compared as unsigned integers.
            let sorted = object.members.map { (Array($0.name.utf16), $0) }
                .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            out.append(UInt8(ascii: "{"))
            for (position, entry) in sorted.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeString(entry.1.name, into: &out)
                out.append(UInt8(ascii: ":"))
                try writeCanonical(entry.1.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            write(value, canonical: true, into: &out)
        }
    }

    /// RFC 8785 §3.2.2.2 string form: `\"` `\\` `\b` `\f` `\n` `\r` `\t`, other controls as `\u00xx`
    /// (lowercase hex), everything else as UTF-8.
    static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (base64, names, numbers as strings) need no escape: copy them in one go.
        let needsEscape: (UInt8) -> Bool = { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        let plain =
            string.utf8.withContiguousStorageIfAvailable { !$0.contains(where: needsEscape) }
            ?? !string.utf8.contains(where: needsEscape)
        if plain {
            out.append(contentsOf: string.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x00..<0x20:
                out += Array("\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
