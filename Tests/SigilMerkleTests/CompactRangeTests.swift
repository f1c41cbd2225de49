// CompactRange: append, root, restoring from (size, hashes), and the visit callback that reports every node
// as it becomes complete (the log's tile writer relies on it).

import SigilMerkle
import SigilTesting
import Testing

@Suite("CompactRange")
struct CompactRangeTests {
    static let reference = ReferenceMerkleTree(size: 130)

    /// The perfect subtrees covering [0, size), largest first, as (level, index).
    static func decomposition(of size: UInt64) -> [(level: Int, index: UInt64)] {
        var parts: [(level: Int, index: UInt64)] = []
        var begin: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            parts.append((level, begin >> UInt64(level)))
            begin += UInt64(1) << UInt64(level)
        }
        return parts
    }

    @Test("an empty range has size 0, no hashes and the empty root")
    func emptyRange() {
        let range = CompactRange()
        #expect(range.size == 0)
        #expect(range.hashes.isEmpty)
        #expect(range.root == Merkle.emptyRoot)
        #expect(Merkle.root(ofLeafHashes: [MerkleHash]()) == Merkle.emptyRoot)
    }

    @Test("after each append up to 130 the hashes are the roots of the perfect subtrees covering the range")
    func hashesAreTheLeftEdge() {
        let reference = Self.reference
        var range = CompactRange()
        var mismatches = Mismatches()
        for size in 1...130 {
            range.append(reference.leaves[size - 1])
            let expected = Self.decomposition(of: UInt64(size)).map { reference.node(level: $0.level, index: $0.index) }
            if range.hashes != expected { mismatches.add("hashes at size \(size)") }
            if range.hashes.count != UInt64(size).nonzeroBitCount { mismatches.add("hash count at size \(size)") }
        }
        mismatches.expectNone("compact range hashes")
    }

    @Test("append reports the leaf and then every node it completes, bottom up, with the reference's hash")
    func visitReportsEveryCompletedNode() {
        let reference = Self.reference
        var range = CompactRange()
        var seen: [Int: [UInt64: MerkleHash]] = [:]
        var mismatches = Mismatches()
        for position in 0..<130 {
            var reported: [(level: Int, index: UInt64, hash: MerkleHash)] = []
            range.append(reference.leaves[position]) { level, index, hash in reported.append((level, index, hash)) }
            // Appending leaf p completes the leaf and one more node per trailing 1-bit of p.
            let completes = 1 + (~UInt64(position)).trailingZeroBitCount
            if reported.count != completes { mismatches.add("leaf \(position) reported \(reported.count) nodes, want \(completes)") }
            for (offset, node) in reported.enumerated() {
                if node.level != offset { mismatches.add("leaf \(position) report \(offset) is at level \(node.level)") }
                if node.index != UInt64(position) >> UInt64(offset) {
                    mismatches.add("leaf \(position) report \(offset) has index \(node.index)")
                }
                if node.hash != reference.node(level: node.level, index: node.index) {
                    mismatches.add("node \(node.level)/\(node.index) hash")
                }
                if seen[node.level]?[node.index] != nil { mismatches.add("node \(node.level)/\(node.index) reported twice") }
                seen[node.level, default: [:]][node.index] = node.hash
            }
        }
        // Every complete node of the 130-leaf tree was reported exactly once.
        for level in 0...7 {
            let complete = 130 >> level
            if seen[level, default: [:]].count != complete {
                mismatches.add("level \(level): \(seen[level, default: [:]].count) nodes reported, want \(complete)")
            }
        }
        mismatches.expectNone("visit callback")
    }

    @Test("a range restored from its size and hashes equals the original and appends to the same roots")
    func restoreRoundTrip() throws {
        let reference = Self.reference
        var range = CompactRange()
        for size in 0...130 {
            let restored = try CompactRange(size: range.size, hashes: range.hashes)
            #expect(restored == range, "restore at size \(size)")
            var continued = restored
            for leaf in reference.leaves[size..<130] { continued.append(leaf) }
            #expect(continued.root == reference.root(), "continue from size \(size)")
            if size < 130 { range.append(reference.leaves[size]) }
        }
    }

    @Test("restoring with one hash too many or too few fails with wrongProofSize", arguments: [
        UInt64(0), 1, 2, 3, 5, 6, 7, 8, 100, 127, 130, UInt64.max >> 2, UInt64.max >> 1,
    ])
    func restoreWithWrongCount(size: UInt64) {
        let someHash = Merkle.leafHash([UInt8(1)])
        let right = size.nonzeroBitCount
        var counts = [right + 1]
        if right > 0 { counts.append(right - 1) }
        for count in counts {
            let hashes = Array(repeating: someHash, count: count)
            let code = outcome { () throws(MerkleError) in _ = try CompactRange(size: size, hashes: hashes) }
            #expect(code == .wrongProofSize, "size \(size) with \(count) hashes")
        }
    }

    @Test("restoring a range above 2^63 - 1 leaves fails with sizeTooLarge, so append can never overflow the size",
          arguments: [UInt64.max >> 1 + 1, UInt64(1) << 63 | 5, UInt64.max - 1, UInt64.max])
    func restoreTooLarge(size: UInt64) {
        let hashes = Array(repeating: Merkle.emptyRoot, count: size.nonzeroBitCount)
        let code = outcome { () throws(MerkleError) in _ = try CompactRange(size: size, hashes: hashes) }
        #expect(code == .sizeTooLarge)
    }

    @Test("the largest restorable range still appends and computes its root")
    func restoreLargestSize() throws {
        let size = CompactRange.maximumRestoredSize
        let hashes = (0..<size.nonzeroBitCount).map { Merkle.leafHash([UInt8($0)]) }
        var range = try CompactRange(size: size, hashes: hashes)
        var expected = hashes[hashes.count - 1]
        for hash in hashes.dropLast().reversed() { expected = Merkle.nodeHash(hash, expected) }
        #expect(range.root == expected)
        let leaf = Merkle.leafHash([UInt8(0xff)])
        range.append(leaf)
        // 2^63 - 1 leaves plus one make one perfect subtree of 2^63 leaves.
        #expect(range.size == UInt64(1) << 63)
        #expect(range.hashes.count == 1)
        var merged = leaf
        for hash in hashes.reversed() { merged = Merkle.nodeHash(hash, merged) }
        #expect(range.root == merged)
    }
}
