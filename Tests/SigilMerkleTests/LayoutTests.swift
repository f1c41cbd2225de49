// Regression guard for the Swift 6.3 async-frame bug that made a release `sigil log serve` abort at start (see the
// header of Sources/SigilMerkle/MerkleHash.swift): no value the log engine keeps across an `await` may hold a SIMD
// vector wider than 16 bytes. MerkleHash is in nearly every such value (checkpoints, compact ranges, proofs).

import SigilMerkle
import Testing

@Suite("MerkleHash layout")
struct LayoutTests {
    /// Every SIMD vector stored (at any depth) in `value`, with its size in bytes.
    static func vectors(in value: Any) -> [(type: String, bytes: Int)] {
        func size(_ vector: some SIMD) -> Int { MemoryLayout.size(ofValue: vector) }
        var found: [(type: String, bytes: Int)] = []
        if let vector = value as? any SIMD { found.append((String(describing: type(of: vector)), size(vector))) }
        for child in Mirror(reflecting: value).children { found += vectors(in: child.value) }
        return found
    }

    @Test("a hash is 32 contiguous bytes and holds no vector wider than 16 bytes")
    func noWideVectors() throws {
        let hash = try #require(MerkleHash(bytes: (0..<32).map { UInt8($0) }))
        #expect(MemoryLayout<MerkleHash>.size == 32)
        #expect(hash.bytes == (0..<32).map { UInt8($0) })
        let vectors = Self.vectors(in: hash)
        #expect(!vectors.isEmpty, "the layout check found no stored vectors; it would not notice a wide one")
        for vector in vectors {
            #expect(vector.bytes <= 16, "MerkleHash stores a \(vector.bytes)-byte \(vector.type)")
        }
    }

    @Test("the checker itself flags a 32-byte vector")
    func checkerFlagsWideVector() {
        struct Wide { var storage = SIMD4<UInt64>(1, 2, 3, 4); var name = "x" }
        #expect(Self.vectors(in: Wide()).map(\.bytes) == [32])
    }
}
