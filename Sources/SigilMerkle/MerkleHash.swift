// A 32-byte SHA-256 tree hash, stored inline so hashing a leaf or a node allocates nothing.
//
// The storage is two 16-byte vectors, not one `SIMD4<UInt64>`: Swift lays a `SIMD4<UInt64>` out with alignment 16,
// but LLVM's `<4 x i64>` asks for 32, and Swift 6.3's coroutine splitting sizes an async frame that spills such a
// value with one alignment and writes it with the other. The frame then runs past the async context allocated for
// it and corrupts the task allocator ("freed pointer was not the last allocation"; swiftlang/swift#91639, fixed
// for 6.4 in swiftlang/llvm-project#14048). A release `sigil log serve` aborted at start because of it. No type of
// this package may hold a vector wider than 16 bytes (SigilMerkleTests checks the layout).

import Crypto

/// A node or leaf hash of an RFC 6962/9162 Merkle tree (SHA-256, 32 bytes).
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    /// The number of bytes in a hash.
    public static let byteCount = 32

    /// The 32 bytes as two 16-byte vectors (bytes 0..<16, then 16..<32), laid out contiguously.
    @usableFromInline
    internal struct Words: Hashable, Sendable {
        @usableFromInline var low: SIMD2<UInt64>
        @usableFromInline var high: SIMD2<UInt64>

        @inlinable
        init(low: SIMD2<UInt64>, high: SIMD2<UInt64>) {
            self.low = low
            self.high = high
        }
    }

    @usableFromInline
    internal var storage: Words

    @inlinable
    internal init(storage: Words) {
        self.storage = storage
    }

    /// Wraps a SHA-256 digest.
    @inlinable
    public init(_ digest: SHA256Digest) {
        self.storage = digest.withUnsafeBytes { $0.loadUnaligned(as: Words.self) }
    }

    /// Reads a hash from exactly 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var storage = Words(low: .zero, high: .zero)
        Swift.withUnsafeMutableBytes(of: &storage) { raw in
            var offset = 0
            for byte in bytes {
                raw[offset] = byte
                offset += 1
            }
        }
        self.storage = storage
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] {
        Swift.withUnsafeBytes(of: storage) { Array($0) }
    }

    /// Calls `body` with the 32 bytes of the hash.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// Lower-case hexadecimal.
    public var hex: String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        withUnsafeBytes { raw in
            for byte in raw {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
        }
        return out
    }

    /// Parses 64 hexadecimal digits (either case); `nil` otherwise.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 2 * Self.byteCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    public var description: String { hex }
}
