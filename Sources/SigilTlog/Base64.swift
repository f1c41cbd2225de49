// RFC 4648 §4 base64, standard alphabet, padded. Written by hand because the pure targets import no
// Foundation; strict on input: no whitespace, no URL-safe letters, canonical padding and pad bits.

/// Standard padded base64 (RFC 4648 §4), as signed notes and protobuf JSON use it.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, letter) in alphabet.enumerated() { table[Int(letter)] = UInt8(value) }
        return table
    }()

    /// Encodes bytes as padded standard base64.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let n = UInt32(input[index]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        case 2:
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded standard base64; `nil` for anything else (wrong length, foreign letters, whitespace,
    /// misplaced padding, or non-zero pad bits, which would let two texts decode to the same bytes).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    /// Decodes padded standard base64 from its UTF-8 bytes; `nil` when not canonical.
    public static func decode(utf8 input: [UInt8]) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        if input.isEmpty { return [] }
        let pad = UInt8(ascii: "=")
        let padding = input[input.count - 1] == pad ? (input[input.count - 2] == pad ? 2 : 1) : 0
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var n: UInt32 = 0
            for offset in 0..<4 {
                let letter = input[index + offset]
                if isLast && offset >= 4 - padding {
                    n <<= 6
                    continue
                }
                let value = decodeTable[Int(letter)]
                guard value != 0xff else { return nil }
                n = n << 6 | UInt32(value)
            }
            out.append(UInt8(n >> 16 & 0xff))
            if !(isLast && padding == 2) { out.append(UInt8(n >> 8 & 0xff)) } else if n & 0xffff != 0 { return nil }
            if !(isLast && padding >= 1) { out.append(UInt8(n & 0xff)) } else if n & 0xff != 0 { return nil }
            index += 4
        }
        return out
    }
}
