// google.protobuf.Timestamp in its JSON form (RFC 3339), parsed and printed by hand: SigilBundle imports
// no Foundation, so no `Date` and no `ISO8601DateFormatter`.

/// A point in time as protobuf's Timestamp holds it: seconds since 1970-01-01T00:00:00Z and nanoseconds.
/// The JSON range is 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999999Z.
public struct ProtoTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let seconds: Int64
    /// 0 ... 999,999,999.
    public let nanos: Int32

    public static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    public static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    /// A timestamp from its parts; `nil` when out of the protobuf range.
    public init?(seconds: Int64, nanos: Int32 = 0) {
        guard seconds >= Self.minSeconds, seconds <= Self.maxSeconds, nanos >= 0, nanos < 1_000_000_000 else { return nil }
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func < (lhs: ProtoTimestamp, rhs: ProtoTimestamp) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }

    // Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // The inverse (civil_from_days).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses an RFC 3339 `date-time` (§5.6): `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, uppercase `T` and
    /// `Z`, 1–9 fraction digits, no leap second (protobuf has none); the result must be in range.
    public init(rfc3339 text: String) throws {
        let bytes = Array(text.utf8)
        let failure = BundleError(.invalidTimestamp, "expected an RFC 3339 date-time like 2025-01-02T03:04:05Z, got \"\(text)\"")
        var index = 0
        func number(_ width: Int) throws -> Int64 {
            guard index + width <= bytes.count else { throw failure }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 0x30 && byte <= 0x39 else { throw failure }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += width
            return value
        }
        func expect(_ character: Character) throws {
            guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { throw failure }
            index += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        try expect("T")
        let hour = try number(2)
        try expect(":")
        let minute = try number(2)
        try expect(":")
        let second = try number(2)
        guard year >= 1, (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { throw failure }
        var nanos: Int64 = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                guard digits < 9 else { throw failure }
                nanos = nanos * 10 + Int64(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw failure }
            for _ in digits..<9 { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { throw failure }
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            index += 1
            let offsetHours = try number(2)
            try expect(":")
            let offsetMinutes = try number(2)
            guard offsetHours < 24, offsetMinutes < 60 else { throw failure }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            throw failure
        }
        guard index == bytes.count else { throw failure }
        let seconds = Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard let timestamp = ProtoTimestamp(seconds: seconds, nanos: Int32(nanos)) else {
            throw BundleError(.invalidTimestamp, "\"\(text)\" is outside 0001-01-01 … 9999-12-31 UTC")
        }
        self = timestamp
    }

    /// The protobuf JSON form: UTC with `Z`, fraction of 0, 3, 6 or 9 digits.
    public var rfc3339: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(days: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if nanos != 0 {
            if nanos % 1_000_000 == 0 {
                text += "." + pad(Int64(nanos / 1_000_000), 3)
            } else if nanos % 1000 == 0 {
                text += "." + pad(Int64(nanos / 1000), 6)
            } else {
                text += "." + pad(Int64(nanos), 9)
            }
        }
        return text + "Z"
    }

    public var description: String { rfc3339 }
}

extension ProtoJSONObject {
    /// A google.protobuf.Timestamp field (RFC 3339 string).
    public func timestamp(_ name: String) throws -> ProtoTimestamp? {
        guard let text = try string(name) else { return nil }
        do {
            return try ProtoTimestamp(rfc3339: text)
        } catch let error as BundleError {
            throw BundleError.at(childPath(name), error.code, error.reason)
        }
    }
}
