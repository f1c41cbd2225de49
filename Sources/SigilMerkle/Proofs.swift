// RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency): verifying and building proofs.
//
// Verification follows the RFC's algorithms, rearranged so the expected proof length is known before any
// hashing (the same decomposition as transparency-dev/merkle's `proof` package, written here from the RFC):
// an inclusion path is `inner` hashes of siblings inside the smallest perfect subtree shared by the leaf and
// the last leaf, then `border` hashes of left siblings along the right border.

extension Merkle {
    /// RFC 9162 §2.1.3.2: checks that `leafHash` is the leaf at `index` of the tree of `size` leaves whose root
    /// is `root`. Throws the first mismatch; returns normally only when the proof recomputes `root`.
    public static func verifyInclusion(
        leafHash: MerkleHash, index: UInt64, size: UInt64, proof: [MerkleHash], root: MerkleHash
    ) throws(MerkleError) {
        let computed = try rootFromInclusionProof(leafHash: leafHash, index: index, size: size, proof: proof)
        // SPEC: RFC 9162 §2.1.3.2 step 6: the computed root must equal the expected root.
        guard computed == root else {
            throw MerkleError(.rootMismatch, "inclusion proof computes root \(computed), want \(root)")
        }
    }

    /// The root that an inclusion proof recomputes for `leafHash` at `index` in a tree of `size`.
    public static func rootFromInclusionProof(
        leafHash: MerkleHash, index: UInt64, size: UInt64, proof: [MerkleHash]
    ) throws(MerkleError) -> MerkleHash {
        // SPEC: RFC 9162 §2.1.3.2 step 1: leaf_index must be below tree_size.
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not below tree size \(size)")
        }
        // SPEC: RFC 9162 §2.1.3.2 steps 4.a and 6 (sn runs out exactly at the end of the path), checked up front.
        let (inner, border) = inclusionShape(index: index, size: size)
        guard proof.count == inner + border else {
            throw MerkleError(.wrongProofSize, "wrong inclusion proof size \(proof.count), want \(inner + border)")
        }
        var hash = chainInner(leafHash, proof[0..<inner], index: index)
        hash = chainBorderRight(hash, proof[inner...])
        return hash
    }

    /// RFC 9162 §2.1.4.2: checks that the tree of `size2` leaves with root `root2` extends the tree of `size1`
    /// leaves with root `root1`.
    ///
    /// Errors, in the order they are checked:
    /// - ``MerkleError/Code-swift.struct/sizesOutOfOrder`` when `size1 > size2`;
    /// - ``MerkleError/Code-swift.struct/wrongProofSize`` when the proof has more or fewer hashes than the two
    ///   sizes need (it must be empty when `size1 == size2` or `size1 == 0`);
    /// - ``MerkleError/Code-swift.struct/secondRootMismatch`` when `size1 == size2` and the roots differ;
    /// - ``MerkleError/Code-swift.struct/firstRootMismatch`` when the proof's hashes do not rebuild `root1`;
    /// - ``MerkleError/Code-swift.struct/secondRootMismatch`` when they (with `root1`) do not rebuild `root2`.
    ///
    /// When `size1` is a power of two the old tree is a complete subtree of the new one, so `root1` is itself the
    /// first hash of the path and nothing rebuilds it: a wrong `root1` (or a tampered path) is then reported as
    /// `secondRootMismatch`. Every tree extends the empty tree, so `root1` is not checked when `size1 == 0`.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, root1: MerkleHash, root2: MerkleHash, proof: [MerkleHash]
    ) throws(MerkleError) {
        // SPEC: RFC 9162 §2.1.4: a consistency proof goes from a smaller (or equal) tree to a larger one.
        guard size1 <= size2 else {
            throw MerkleError(.sizesOutOfOrder, "first tree size \(size1) is larger than second tree size \(size2)")
        }
        if size1 == size2 {
            guard proof.isEmpty else {
                throw MerkleError(.wrongProofSize, "wrong consistency proof size \(proof.count), want 0 for equal sizes")
            }
            guard root1 == root2 else {
                throw MerkleError(.secondRootMismatch, "trees of equal size \(size1) have different roots \(root1) and \(root2)")
            }
            return
        }
        if size1 == 0 {
            // Every tree extends the empty tree; the proof is empty.
            guard proof.isEmpty else {
                throw MerkleError(.wrongProofSize, "wrong consistency proof size \(proof.count), want 0 from the empty tree")
            }
            return
        }
        // 0 < size1 < size2. The RFC seeds with root1 when size1 is a power of two (the old tree is then a
        // complete subtree of the new one); otherwise the proof's first hash is the seed.
        let shift = size1.trailingZeroBitCount
        var (inner, border) = inclusionShape(index: size1 - 1, size: size2)
        inner -= shift
        let seedFromRoot = size1 == UInt64(1) << shift
        let start = seedFromRoot ? 0 : 1
        guard proof.count == start + inner + border else {
            throw MerkleError(.wrongProofSize, "wrong consistency proof size \(proof.count), want \(start + inner + border)")
        }
        let seed = seedFromRoot ? root1 : proof[0]
        let innerProof = proof[start..<(start + inner)]
        let borderProof = proof[(start + inner)...]
        let mask = (size1 - 1) >> UInt64(shift)

        // SPEC: RFC 9162 §2.1.4.2 steps 2-7: fr rebuilds the first root, sr the second.
        var computed1 = chainInnerRight(seed, innerProof, index: mask)
        computed1 = chainBorderRight(computed1, borderProof)
        guard computed1 == root1 else {
            throw MerkleError(.firstRootMismatch, "consistency proof computes first root \(computed1), want \(root1)")
        }
        var computed2 = chainInner(seed, innerProof, index: mask)
        computed2 = chainBorderRight(computed2, borderProof)
        guard computed2 == root2 else {
            throw MerkleError(.secondRootMismatch, "consistency proof computes second root \(computed2), want \(root2)")
        }
    }

    /// Splits an inclusion path for `index` in a tree of `size` into its inner and border parts.
    static func inclusionShape(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        let border = (index >> UInt64(inner)).nonzeroBitCount
        return (inner, border)
    }

    /// Hashes `seed` up through the inner path: the sibling is on the right where `index`'s bit is 0.
    static func chainInner(_ seed: MerkleHash, _ proof: ArraySlice<MerkleHash>, index: UInt64) -> MerkleHash {
        var hash = seed
        for (offset, sibling) in proof.enumerated() {
            if (index >> UInt64(offset)) & 1 == 0 {
                hash = nodeHash(hash, sibling)
            } else {
                hash = nodeHash(sibling, hash)
            }
        }
        return hash
    }

    /// Like `chainInner`, but uses only the left siblings: this rebuilds the smaller tree's root.
    static func chainInnerRight(_ seed: MerkleHash, _ proof: ArraySlice<MerkleHash>, index: UInt64) -> MerkleHash {
        var hash = seed
        for (offset, sibling) in proof.enumerated() where (index >> UInt64(offset)) & 1 == 1 {
            hash = nodeHash(sibling, hash)
        }
        return hash
    }

    /// Hashes `seed` with the left siblings along the right border.
    static func chainBorderRight(_ seed: MerkleHash, _ proof: ArraySlice<MerkleHash>) -> MerkleHash {
        var hash = seed
        for sibling in proof { hash = nodeHash(sibling, hash) }
        return hash
    }
}

// MARK: - Building proofs

/// Supplies the hash of the perfect subtree at `level` and `index`: the root over leaves
/// `[index << level, (index + 1) << level)`. Level 0 is the leaf hashes. The log reads these from tiles.
public typealias MerkleNodeReader = (_ level: Int, _ index: UInt64) throws -> MerkleHash

extension Merkle {
    /// RFC 9162 §2.1.3.1: the inclusion path of leaf `index` in the tree of `size` leaves. Throws
    /// ``MerkleError/Code-swift.struct/indexOutOfRange`` when `index >= size`, and passes on unchanged whatever
    /// `nodes` throws.
    public static func inclusionProof(index: UInt64, size: UInt64, nodes: MerkleNodeReader) throws -> [MerkleHash] {
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not below tree size \(size)")
        }
        var proof: [MerkleHash] = []
        // PATH(m, D[begin, begin+n)), iteratively; siblings are collected root-down (the RFC lists them leaf-up),
        // so reverse at the end.
        var begin: UInt64 = 0
        var count = size
        var m = index
        var siblings: [MerkleHash] = []
        while count > 1 {
            let k = largestPowerOfTwo(below: count)
            if m < k {
                siblings.append(try subtreeRoot(begin: begin + k, count: count - k, nodes: nodes))
                count = k
            } else {
                siblings.append(try subtreeRoot(begin: begin, count: k, nodes: nodes))
                begin += k
                count -= k
                m -= k
            }
        }
        proof = siblings.reversed()
        return proof
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from the tree of `size1` leaves to the tree of `size2`. Throws
    /// ``MerkleError/Code-swift.struct/sizesOutOfOrder`` when `size1 > size2`, and passes on unchanged whatever
    /// `nodes` throws. The proof is empty when `size1` is 0 or equals `size2`.
    public static func consistencyProof(from size1: UInt64, to size2: UInt64, nodes: MerkleNodeReader) throws -> [MerkleHash] {
        guard size1 <= size2 else {
            throw MerkleError(.sizesOutOfOrder, "first tree size \(size1) is larger than second tree size \(size2)")
        }
        if size1 == 0 || size1 == size2 { return [] }
        // SUBPROOF(m, D[begin, begin+n), b), iteratively; pieces are collected top-down, so reverse at the end.
        var pieces: [MerkleHash] = []
        var begin: UInt64 = 0
        var count = size2
        var m = size1
        var wholeOldTree = true
        while m != count {
            let k = largestPowerOfTwo(below: count)
            if m <= k {
                pieces.append(try subtreeRoot(begin: begin + k, count: count - k, nodes: nodes))
                count = k
            } else {
                pieces.append(try subtreeRoot(begin: begin, count: k, nodes: nodes))
                begin += k
                count -= k
                m -= k
                wholeOldTree = false
            }
        }
        if !wholeOldTree {
            pieces.append(try subtreeRoot(begin: begin, count: count, nodes: nodes))
        }
        return pieces.reversed()
    }

    /// MTH(D[begin, begin+count)) for a subrange that RFC 9162's splitting produces: `begin` is a multiple of
    /// the largest power of two not above `count`, so it decomposes into perfect subtrees, left to right.
    static func subtreeRoot(begin: UInt64, count: UInt64, nodes: MerkleNodeReader) throws -> MerkleHash {
        var parts: [MerkleHash] = []
        var start = begin
        var remaining = count
        while remaining > 0 {
            let level = UInt64.bitWidth - 1 - remaining.leadingZeroBitCount
            let width = UInt64(1) << UInt64(level)
            parts.append(try nodes(level, start >> UInt64(level)))
            start += width
            remaining -= width
        }
        guard var root = parts.last else { return emptyRoot }
        for part in parts.dropLast().reversed() { root = nodeHash(part, root) }
        return root
    }

    /// The largest power of two strictly below `n` (n ≥ 2): RFC 9162's split point `k`.
    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        UInt64(1) << UInt64(UInt64.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}

// MARK: - Hashes from the wire

extension MerkleHash {
    /// Reads a hash that arrived from outside (a proof element, a root in a checkpoint or a bundle).
    /// Throws ``MerkleError/Code-swift.struct/malformedHash`` naming `what` when it is not exactly 32 bytes.
    public init(validating bytes: some Collection<UInt8>, as what: String = "hash") throws(MerkleError) {
        guard let hash = MerkleHash(bytes: bytes) else {
            throw MerkleError(.malformedHash, "\(what) is \(bytes.count) bytes, want \(MerkleHash.byteCount)")
        }
        self = hash
    }
}

extension Merkle {
    /// Reads the elements of a proof as they arrived on the wire. Throws
    /// ``MerkleError/Code-swift.struct/malformedHash`` naming the first element that is not exactly 32 bytes.
    public static func proofHashes(_ elements: [[UInt8]]) throws(MerkleError) -> [MerkleHash] {
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            hashes.append(try MerkleHash(validating: element, as: "proof hash \(position)"))
        }
        return hashes
    }
}
