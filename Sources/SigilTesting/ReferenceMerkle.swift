// A deliberately slow Merkle tree written straight from RFC 6962 §2.1's recursive definitions
// (MTH, PATH, PROOF/SUBPROOF), over the full list of leaves. The fast code in SigilMerkle and the log's
// tile integrator are cross-checked against it (STYLE.md habit 9). It shares nothing with SigilMerkle but
// the two hash primitives, which the RFC vectors pin down on their own.

import SigilMerkle

/// RFC 6962 §2.1, literally. O(n) per call; for tests only.
public struct ReferenceMerkleTree: Sendable {
    /// The leaf hashes, in order.
    public let leaves: [MerkleHash]

    public init(leafHashes: [MerkleHash]) {
        self.leaves = leafHashes
    }

    /// A tree whose leaf data are `prefix` followed by the leaf's index in decimal (distinct, deterministic).
    public init(size: Int, prefix: String = "leaf-") {
        self.leaves = (0..<size).map { Merkle.leafHash(Array("\(prefix)\($0)".utf8)) }
    }

    /// k: the largest power of two smaller than n (n > 1).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH(D[n]).
    public func root(size: Int? = nil) -> MerkleHash {
        Self.mth(leaves[0..<(size ?? leaves.count)])
    }

    static func mth(_ d: ArraySlice<MerkleHash>) -> MerkleHash {
        let n = d.count
        if n == 0 { return Merkle.emptyRoot }
        if n == 1 { return d[d.startIndex] }
        let k = split(n)
        let lo = d.startIndex
        return Merkle.nodeHash(mth(d[lo..<(lo + k)]), mth(d[(lo + k)...]))
    }

    /// PATH(m, D[n]): the audit path of leaf `m` in the first `size` leaves.
    public func inclusionProof(index m: Int, size: Int? = nil) -> [MerkleHash] {
        Self.path(m, leaves[0..<(size ?? leaves.count)])
    }

    static func path(_ m: Int, _ d: ArraySlice<MerkleHash>) -> [MerkleHash] {
        let n = d.count
        if n <= 1 { return [] }
        let k = split(n)
        let lo = d.startIndex
        if m < k {
            return path(m, d[lo..<(lo + k)]) + [mth(d[(lo + k)...])]
        } else {
            return path(m - k, d[(lo + k)...]) + [mth(d[lo..<(lo + k)])]
        }
    }

    /// PROOF(m, D[n]): the consistency proof from the first `m` leaves to the first `size` leaves.
    public func consistencyProof(from m: Int, to size: Int? = nil) -> [MerkleHash] {
        let d = leaves[0..<(size ?? leaves.count)]
        if m == 0 || m == d.count { return [] }
        return Self.subproof(m, d, true)
    }

    static func subproof(_ m: Int, _ d: ArraySlice<MerkleHash>, _ b: Bool) -> [MerkleHash] {
        let n = d.count
        if m == n { return b ? [] : [mth(d)] }
        let k = split(n)
        let lo = d.startIndex
        if m <= k {
            return subproof(m, d[lo..<(lo + k)], b) + [mth(d[(lo + k)...])]
        } else {
            return subproof(m - k, d[(lo + k)...], false) + [mth(d[lo..<(lo + k)])]
        }
    }

    /// The hash of the perfect subtree at (`level`, `index`): what a tile store would hold.
    public func node(level: Int, index: UInt64) -> MerkleHash {
        let width = 1 << level
        let begin = Int(index) * width
        return Self.mth(leaves[begin..<(begin + width)])
    }
}
