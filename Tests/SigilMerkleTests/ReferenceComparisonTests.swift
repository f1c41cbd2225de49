// The fast code against RFC 6962's recursive definitions (SigilTesting.ReferenceMerkleTree): every tree size
// 1...130 exhaustively, then random sizes up to 100,000 with swift-property-based.

import PropertyBased
import SigilMerkle
import SigilTesting
import Testing

@Suite("Against the RFC 6962 reference")
struct ReferenceComparisonTests {
    static let smallTree = ReferenceMerkleTree(size: 130)

    @Test("for every size 1...130 the root of a list and the compact range root are MTH")
    func everySmallRoot() {
        let reference = Self.smallTree
        var range = CompactRange()
        var mismatches = Mismatches()
        for size in 1...130 {
            range.append(reference.leaves[size - 1])
            let expected = reference.root(size: size)
            if Merkle.root(ofLeafHashes: reference.leaves[0..<size]) != expected { mismatches.add("root(ofLeafHashes:) size \(size)") }
            if range.root != expected { mismatches.add("CompactRange.root size \(size)") }
            if range.size != UInt64(size) { mismatches.add("CompactRange.size \(range.size), want \(size)") }
        }
        mismatches.expectNone("roots")
    }

    @Test("for every size 1...130 and every index the inclusion proof is PATH and verifies")
    func everySmallInclusionProof() throws {
        let reference = Self.smallTree
        let nodes = CachedReferenceNodes(reference)
        var mismatches = Mismatches()
        var checked = 0
        for size in 1...130 {
            let root = reference.root(size: size)
            for index in 0..<size {
                let built = try Merkle.inclusionProof(index: UInt64(index), size: UInt64(size), nodes: nodes.node)
                if built != reference.inclusionProof(index: index, size: size) {
                    mismatches.add("PATH(\(index), D[\(size)])")
                }
                let verified = outcome { () throws(MerkleError) in
                    try Merkle.verifyInclusion(
                        leafHash: reference.leaves[index], index: UInt64(index), size: UInt64(size), proof: built, root: root)
                }
                if verified != nil { mismatches.add("verifyInclusion(\(index), \(size)): \(describe(verified))") }
                let recomputed = try Merkle.rootFromInclusionProof(
                    leafHash: reference.leaves[index], index: UInt64(index), size: UInt64(size), proof: built)
                if recomputed != root { mismatches.add("rootFromInclusionProof(\(index), \(size))") }
                checked += 1
            }
        }
        #expect(checked == 130 * 131 / 2)
        mismatches.expectNone("inclusion proofs")
    }

    @Test("for every pair of sizes 0 <= m <= n <= 130 the consistency proof is PROOF(m, D[n]) and verifies")
    func everySmallConsistencyProof() throws {
        let reference = Self.smallTree
        let nodes = CachedReferenceNodes(reference)
        let roots = (0...130).map { reference.root(size: $0) }
        var mismatches = Mismatches()
        var checked = 0
        for size2 in 1...130 {
            for size1 in 0...size2 {
                let built = try Merkle.consistencyProof(from: UInt64(size1), to: UInt64(size2), nodes: nodes.node)
                if built != reference.consistencyProof(from: size1, to: size2) {
                    mismatches.add("PROOF(\(size1), D[\(size2)])")
                }
                let verified = outcome { () throws(MerkleError) in
                    try Merkle.verifyConsistency(
                        size1: UInt64(size1), size2: UInt64(size2), root1: roots[size1], root2: roots[size2], proof: built)
                }
                if verified != nil { mismatches.add("verifyConsistency(\(size1), \(size2)): \(describe(verified))") }
                checked += 1
            }
        }
        #expect(checked == (2...131).reduce(0, +))
        mismatches.expectNone("consistency proofs")
    }

    // MARK: Random sizes up to 100,000

    static let bigSize = 100_000
    static let bigTree = ReferenceMerkleTree(size: bigSize)

    @Test("for random sizes up to 100,000 roots, compact ranges, inclusion and consistency proofs match the reference")
    func randomLargeTrees() async throws {
        let reference = Self.bigTree
        var samples = 0
        await propertyCheck(
            count: 6, input: Gen.int(in: 1...Self.bigSize), Gen.int(in: 0...Int(Int32.max)), Gen.int(in: 0...Int(Int32.max))
        ) { size, indexSeed, size1Seed in
            let index = indexSeed % size
            let size1 = size1Seed % (size + 1)
            let root = reference.root(size: size)

            // Root of a list and the compact range; the range's visit callback fills a node store.
            var store: [Int: [UInt64: MerkleHash]] = [:]
            var range = CompactRange()
            for leaf in reference.leaves[0..<size] {
                range.append(leaf) { level, nodeIndex, hash in store[level, default: [:]][nodeIndex] = hash }
            }
            #expect(range.root == root, "compact range root of size \(size)")
            #expect(Merkle.root(ofLeafHashes: reference.leaves[0..<size]) == root, "root of size \(size)")

            // Inclusion: built from the reference's nodes, and again from the nodes the compact range reported.
            let path = reference.inclusionProof(index: index, size: size)
            let built = try Merkle.inclusionProof(index: UInt64(index), size: UInt64(size), nodes: reference.node)
            #expect(built == path, "PATH(\(index), D[\(size)])")
            let fromVisited = try Merkle.inclusionProof(index: UInt64(index), size: UInt64(size)) { level, nodeIndex in
                try #require(store[level]?[nodeIndex], "compact range did not report node \(level)/\(nodeIndex)")
            }
            #expect(fromVisited == path, "PATH(\(index), D[\(size)]) from visited nodes")
            #expect(outcome { () throws(MerkleError) in
                try Merkle.verifyInclusion(
                    leafHash: reference.leaves[index], index: UInt64(index), size: UInt64(size), proof: built, root: root)
            } == nil)

            // Consistency from a random smaller size.
            let proof = reference.consistencyProof(from: size1, to: size)
            let builtProof = try Merkle.consistencyProof(from: UInt64(size1), to: UInt64(size), nodes: reference.node)
            #expect(builtProof == proof, "PROOF(\(size1), D[\(size)])")
            let root1 = reference.root(size: size1)
            #expect(outcome { () throws(MerkleError) in
                try Merkle.verifyConsistency(size1: UInt64(size1), size2: UInt64(size), root1: root1, root2: root, proof: builtProof)
            } == nil)

            // A restored compact range continues where the first one stopped.
            var restored = try CompactRange(size: range.size, hashes: range.hashes)
            #expect(restored == range)
            if size < Self.bigSize {
                restored.append(reference.leaves[size])
                #expect(restored.root == reference.root(size: size + 1))
            }
            samples += 1
        }
        #expect(samples >= 6)
    }
}
