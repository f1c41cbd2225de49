// Tamper tables: each tampered proof must fail with a specific code. Where the code depends on the tree shape
// (a wrong index or size), the expected code comes from LiteralRFC9162, the RFC's own fn/sn algorithm.

import SigilMerkle
import SigilTesting
import Testing

@Suite("Tampered inclusion proofs")
struct InclusionTamperTests {
    static let reference = ReferenceMerkleTree(size: 64)

    /// Every (index, size, proof, root) of the 64-leaf reference tree with size <= `maxSize`.
    static func cases(maxSize: Int) -> [(index: Int, size: Int, proof: [MerkleHash], root: MerkleHash)] {
        var out: [(index: Int, size: Int, proof: [MerkleHash], root: MerkleHash)] = []
        for size in 1...maxSize {
            let root = reference.root(size: size)
            for index in 0..<size {
                out.append((index, size, reference.inclusionProof(index: index, size: size), root))
            }
        }
        return out
    }

    func verify(_ leaf: MerkleHash, _ index: UInt64, _ size: UInt64, _ proof: [MerkleHash], _ root: MerkleHash) -> MerkleError.Code? {
        outcome { () throws(MerkleError) in
            try Merkle.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root)
        }
    }

    @Test("a flipped bit anywhere in any proof element gives rootMismatch")
    func bitFlipInEachElement() {
        var mismatches = Mismatches()
        var tried = 0
        for c in Self.cases(maxSize: 64) {
            let leaf = Self.reference.leaves[c.index]
            for position in c.proof.indices {
                // Every bit of every element for small trees; one bit per element (rotating) for the rest.
                let bits = c.size <= 12 ? Array(0..<256) : [(position * 37 + c.index) % 256]
                for bit in bits {
                    var proof = c.proof
                    proof[position] = flipped(proof[position], bit: bit)
                    let code = verify(leaf, UInt64(c.index), UInt64(c.size), proof, c.root)
                    if code != .rootMismatch { mismatches.add("(\(c.index), \(c.size)) element \(position) bit \(bit): \(describe(code))") }
                    tried += 1
                }
            }
        }
        #expect(tried > 10_000)
        mismatches.expectNone("bit flips")
    }

    @Test("a wrong leaf hash, a wrong root or another size's root gives rootMismatch")
    func wrongLeafOrRoot() {
        var mismatches = Mismatches()
        for c in Self.cases(maxSize: 64) {
            let leaf = Self.reference.leaves[c.index]
            let (index, size) = (UInt64(c.index), UInt64(c.size))
            let otherRoot = Self.reference.root(size: c.size == 64 ? 63 : c.size + 1)
            let otherLeaf = Self.reference.leaves[(c.index + 1) % 64]
            for (what, code) in [
                ("flipped leaf", verify(flipped(leaf), index, size, c.proof, c.root)),
                ("another leaf", verify(otherLeaf, index, size, c.proof, c.root)),
                ("flipped root", verify(leaf, index, size, c.proof, flipped(c.root, bit: 255))),
                ("another size's root", verify(leaf, index, size, c.proof, otherRoot)),
                ("empty tree root", verify(leaf, index, size, c.proof, Merkle.emptyRoot)),
            ] where code != .rootMismatch {
                mismatches.add("(\(c.index), \(c.size)) \(what): \(describe(code))")
            }
        }
        mismatches.expectNone("wrong leaf or root")
    }

    @Test("a truncated proof or one with an extra hash at either end gives wrongProofSize")
    func truncatedAndOverlong() {
        var mismatches = Mismatches()
        let extra = Merkle.leafHash(Array("extra".utf8))
        for c in Self.cases(maxSize: 64) {
            let leaf = Self.reference.leaves[c.index]
            var variants: [(String, [MerkleHash])] = [
                ("appended hash", c.proof + [extra]),
                ("appended root", c.proof + [c.root]),
                ("prepended hash", [extra] + c.proof),
                ("doubled", c.proof + c.proof + [extra]),
            ]
            if !c.proof.isEmpty {
                variants.append(("last dropped", Array(c.proof.dropLast())))
                variants.append(("first dropped", Array(c.proof.dropFirst())))
                variants.append(("empty", []))
            }
            for (what, proof) in variants {
                let code = verify(leaf, UInt64(c.index), UInt64(c.size), proof, c.root)
                if code != .wrongProofSize { mismatches.add("(\(c.index), \(c.size)) \(what): \(describe(code))") }
            }
        }
        mismatches.expectNone("proof sizes")
    }

    static let outOfRange: [(UInt64, UInt64)] = [
        (0, 0), (1, 0), (1, 1), (8, 8), (9, 8), (UInt64.max, 8), (UInt64.max, UInt64.max), (UInt64.max - 1, UInt64.max - 1),
    ]

    @Test("an index at or past the tree size gives indexOutOfRange", arguments: outOfRange)
    func indexOutOfRange(index: UInt64, size: UInt64) {
        let leaf = Self.reference.leaves[0]
        #expect(verify(leaf, index, size, [], leaf) == .indexOutOfRange)
        #expect(verify(leaf, index, size, [leaf, leaf, leaf], leaf) == .indexOutOfRange)
        #expect(LiteralRFC9162.inclusion(leaf: leaf, index: index, size: size, proof: [], root: leaf) == .indexOutOfRange)
    }

    @Test("the right proof at index - 1 or index + 1 never verifies and fails as the RFC's algorithm says")
    func neighbouringIndex() {
        var mismatches = Mismatches()
        var seen: [MerkleError.Code: Int] = [:]
        for c in Self.cases(maxSize: 64) {
            let leaf = Self.reference.leaves[c.index]
            // index - 1 wraps to UInt64.max at index 0, as an attacker's value may.
            for wrong in [UInt64(c.index) &- 1, UInt64(c.index) + 1] {
                let code = verify(leaf, wrong, UInt64(c.size), c.proof, c.root)
                let literal = LiteralRFC9162.inclusion(leaf: leaf, index: wrong, size: UInt64(c.size), proof: c.proof, root: c.root)
                if code != literal { mismatches.add("(\(c.index) -> \(wrong), \(c.size)): \(describe(code)), RFC \(describe(literal))") }
                if code == nil { mismatches.add("(\(c.index) -> \(wrong), \(c.size)) verified") }
                if wrong >= UInt64(c.size) && code != .indexOutOfRange { mismatches.add("(\(wrong), \(c.size)) not out of range") }
                if let code { seen[code, default: 0] += 1 }
            }
        }
        mismatches.expectNone("neighbouring indices")
        // The table exercises all three failures.
        #expect(seen[.indexOutOfRange, default: 0] > 0)
        #expect(seen[.wrongProofSize, default: 0] > 0)
        #expect(seen[.rootMismatch, default: 0] > 0)
    }

    /// Size ± 1 with the right proof and root. An inclusion proof does not commit to the tree size: only the root
    /// does (RFC 9162 §2.1.3.2 checks the path against the root of the signed tree head). So when the wrong size
    /// gives the same path shape, the proof still verifies; these rows pin that down along with the failures.
    @Test("size - 1 and size + 1: a changed path shape gives wrongProofSize, an unchanged one still verifies",
          arguments: [
            // (index, true size, claimed size, expected code or "valid")
            (0, 8, 9, "wrongProofSize"), (7, 8, 7, "indexOutOfRange"), (2, 4, 3, "wrongProofSize"),
            (0, 1, 2, "wrongProofSize"), (0, 2, 1, "wrongProofSize"), (1, 2, 1, "indexOutOfRange"),
            (0, 3, 4, "valid"), (5, 8, 7, "valid"), (2, 6, 5, "valid"), (4, 5, 6, "wrongProofSize"),
          ])
    func wrongSizeTable(index: Int, size: Int, claimed: Int, expected: String) {
        let leaf = Self.reference.leaves[index]
        let proof = Self.reference.inclusionProof(index: index, size: size)
        let code = verify(leaf, UInt64(index), UInt64(claimed), proof, Self.reference.root(size: size))
        #expect(describe(code) == expected)
    }

    @Test("size - 1 and size + 1 for every proof up to 64 leaves fail exactly as the RFC's algorithm says")
    func wrongSizeEverywhere() {
        var mismatches = Mismatches()
        var seen: [String: Int] = [:]
        for c in Self.cases(maxSize: 64) {
            let leaf = Self.reference.leaves[c.index]
            for claimed in [UInt64(c.size) - 1, UInt64(c.size) + 1] {
                let code = verify(leaf, UInt64(c.index), claimed, c.proof, c.root)
                let literal = LiteralRFC9162.inclusion(leaf: leaf, index: UInt64(c.index), size: claimed, proof: c.proof, root: c.root)
                if code != literal { mismatches.add("(\(c.index), \(c.size) -> \(claimed)): \(describe(code)), RFC \(describe(literal))") }
                seen[describe(code), default: 0] += 1
            }
        }
        mismatches.expectNone("wrong sizes")
        #expect(seen["wrongProofSize", default: 0] > 0)
        #expect(seen["indexOutOfRange", default: 0] > 0)
    }
}

@Suite("Tampered consistency proofs")
struct ConsistencyTamperTests {
    static let reference = ReferenceMerkleTree(size: 48)
    static let roots = (0...48).map { reference.root(size: $0) }

    /// Every (size1, size2, proof) with 0 < size1 < size2 <= `maxSize`.
    static func cases(maxSize: Int) -> [(size1: Int, size2: Int, proof: [MerkleHash])] {
        var out: [(size1: Int, size2: Int, proof: [MerkleHash])] = []
        for size2 in 2...maxSize {
            for size1 in 1..<size2 {
                out.append((size1, size2, reference.consistencyProof(from: size1, to: size2)))
            }
        }
        return out
    }

    static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }

    func verify(_ size1: UInt64, _ size2: UInt64, _ root1: MerkleHash, _ root2: MerkleHash, _ proof: [MerkleHash]) -> MerkleError.Code? {
        outcome { () throws(MerkleError) in
            try Merkle.verifyConsistency(size1: size1, size2: size2, root1: root1, root2: root2, proof: proof)
        }
    }

    @Test("a flipped bit in any proof element gives firstRootMismatch or secondRootMismatch, as documented")
    func bitFlipInEachElement() {
        var mismatches = Mismatches()
        var seen: [String: Int] = [:]
        for c in Self.cases(maxSize: 48) {
            let (root1, root2) = (Self.roots[c.size1], Self.roots[c.size2])
            for position in c.proof.indices {
                let bits = c.size2 <= 10 ? Array(0..<256) : [(position * 53 + c.size1) % 256]
                for bit in bits {
                    var proof = c.proof
                    proof[position] = flipped(proof[position], bit: bit)
                    let code = verify(UInt64(c.size1), UInt64(c.size2), root1, root2, proof)
                    let literal = LiteralRFC9162.consistency(
                        size1: UInt64(c.size1), size2: UInt64(c.size2), root1: root1, root2: root2, proof: proof)
                    if code != literal { mismatches.add("\(c.size1)->\(c.size2) [\(position)] bit \(bit): \(describe(code)), RFC \(describe(literal))") }
                    // Documented: when size1 is a power of two, root1 starts the path and only root2 is rebuilt.
                    if Self.isPowerOfTwo(c.size1) && code != .secondRootMismatch {
                        mismatches.add("\(c.size1)->\(c.size2) [\(position)]: \(describe(code)), want secondRootMismatch")
                    }
                    // Otherwise the first element is the seed of both roots, so the first root breaks first.
                    if !Self.isPowerOfTwo(c.size1) && position == 0 && code != .firstRootMismatch {
                        mismatches.add("\(c.size1)->\(c.size2) [0]: \(describe(code)), want firstRootMismatch")
                    }
                    if code != .firstRootMismatch && code != .secondRootMismatch {
                        mismatches.add("\(c.size1)->\(c.size2) [\(position)]: \(describe(code))")
                    }
                    seen[describe(code), default: 0] += 1
                }
            }
        }
        mismatches.expectNone("bit flips")
        #expect(seen["firstRootMismatch", default: 0] > 0)
        #expect(seen["secondRootMismatch", default: 0] > 0)
    }

    @Test("a wrong first root, a wrong second root and swapped roots give the documented mismatch code")
    func wrongAndSwappedRoots() {
        var mismatches = Mismatches()
        for c in Self.cases(maxSize: 48) {
            let (size1, size2) = (UInt64(c.size1), UInt64(c.size2))
            let (root1, root2) = (Self.roots[c.size1], Self.roots[c.size2])
            let firstCode: MerkleError.Code = Self.isPowerOfTwo(c.size1) ? .secondRootMismatch : .firstRootMismatch
            for (what, code, want) in [
                ("flipped root1", verify(size1, size2, flipped(root1), root2, c.proof), firstCode),
                ("root1 of size1 - 1", verify(size1, size2, Self.roots[c.size1 - 1], root2, c.proof), firstCode),
                ("flipped root2", verify(size1, size2, root1, flipped(root2), c.proof), MerkleError.Code.secondRootMismatch),
                ("root2 of size2 - 1", verify(size1, size2, root1, Self.roots[c.size2 - 1], c.proof), .secondRootMismatch),
                ("swapped roots", verify(size1, size2, root2, root1, c.proof), firstCode),
            ] where code != want {
                mismatches.add("\(c.size1)->\(c.size2) \(what): \(describe(code)), want \(want)")
            }
        }
        mismatches.expectNone("wrong roots")
    }

    @Test("a truncated proof or one with an extra hash at either end gives wrongProofSize")
    func truncatedAndOverlong() {
        var mismatches = Mismatches()
        let extra = Merkle.leafHash(Array("extra".utf8))
        for c in Self.cases(maxSize: 48) {
            let (root1, root2) = (Self.roots[c.size1], Self.roots[c.size2])
            let variants: [(String, [MerkleHash])] = [
                ("last dropped", Array(c.proof.dropLast())),
                ("first dropped", Array(c.proof.dropFirst())),
                ("empty", []),
                ("appended hash", c.proof + [extra]),
                ("appended root1", c.proof + [root1]),
                ("appended root2", c.proof + [root2]),
                ("prepended root1", [root1] + c.proof),
                ("prepended first element", [c.proof[0]] + c.proof),
            ]
            for (what, proof) in variants {
                let code = verify(UInt64(c.size1), UInt64(c.size2), root1, root2, proof)
                if code != .wrongProofSize { mismatches.add("\(c.size1)->\(c.size2) \(what): \(describe(code))") }
            }
        }
        mismatches.expectNone("proof sizes")
    }

    static let outOfOrder: [(UInt64, UInt64)] = [(1, 0), (2, 1), (8, 7), (9, 8), (UInt64.max, 0), (UInt64.max, UInt64.max - 1)]

    @Test("a first size larger than the second gives sizesOutOfOrder", arguments: outOfOrder)
    func sizesOutOfOrder(size1: UInt64, size2: UInt64) {
        let root = Self.roots[1]
        #expect(verify(size1, size2, root, root, []) == .sizesOutOfOrder)
        #expect(verify(size1, size2, root, root, [root]) == .sizesOutOfOrder)
        let builder = outcome { () throws(MerkleError) in
            do {
                _ = try Merkle.consistencyProof(from: size1, to: size2) { level, index in Self.reference.node(level: level, index: index) }
            } catch let error as MerkleError {
                throw error
            } catch {
                throw MerkleError(.nodeUnavailable, "unexpected \(error)")
            }
        }
        #expect(builder == .sizesOutOfOrder)
    }

    @Test("equal sizes and the empty first tree: any proof hash gives wrongProofSize, different equal-size roots give secondRootMismatch")
    func equalSizesAndEmptyFirstTree() {
        let (a, b) = (Self.roots[5], Self.roots[6])
        // Equal sizes.
        #expect(verify(5, 5, a, a, []) == nil)
        #expect(verify(5, 5, a, a, [a]) == .wrongProofSize)
        #expect(verify(5, 5, a, b, []) == .secondRootMismatch)
        #expect(verify(0, 0, Merkle.emptyRoot, Merkle.emptyRoot, []) == nil)
        #expect(verify(0, 0, Merkle.emptyRoot, a, []) == .secondRootMismatch)
        #expect(verify(0, 0, Merkle.emptyRoot, Merkle.emptyRoot, [Merkle.emptyRoot]) == .wrongProofSize)
        // From the empty tree: every tree extends it, with an empty proof.
        #expect(verify(0, 6, Merkle.emptyRoot, b, []) == nil)
        #expect(verify(0, 6, Merkle.emptyRoot, b, [b]) == .wrongProofSize)
        #expect(verify(0, 6, Merkle.emptyRoot, b, [a, b]) == .wrongProofSize)
        // root1 is not looked at for size 0 (as in transparency-dev/merkle): documented on verifyConsistency.
        #expect(verify(0, 6, a, b, []) == nil)
    }

    @Test("size1 +- 1 and size2 +- 1 with the right proof fail exactly as the RFC's algorithm says")
    func wrongSizesEverywhere() {
        var mismatches = Mismatches()
        var seen: [String: Int] = [:]
        for c in Self.cases(maxSize: 40) {
            let (root1, root2) = (Self.roots[c.size1], Self.roots[c.size2])
            let (size1, size2) = (UInt64(c.size1), UInt64(c.size2))
            for (s1, s2) in [(size1 - 1, size2), (size1 + 1, size2), (size1, size2 - 1), (size1, size2 + 1)] {
                let code = verify(s1, s2, root1, root2, c.proof)
                let literal = LiteralRFC9162.consistency(size1: s1, size2: s2, root1: root1, root2: root2, proof: c.proof)
                if code != literal { mismatches.add("\(c.size1)->\(c.size2) as \(s1)->\(s2): \(describe(code)), RFC \(describe(literal))") }
                seen[describe(code), default: 0] += 1
            }
        }
        mismatches.expectNone("wrong sizes")
        #expect(seen["wrongProofSize", default: 0] > 0)
    }
}
