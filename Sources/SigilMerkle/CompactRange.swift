// A compact range over [0, size): the roots of the perfect subtrees that make up the tree's left edge,
// one per set bit of `size`, largest first. Appending a leaf merges equal-sized subtrees, so the root of an
// append-only tree is always available in O(log n) space (the "Merkle tree frontier").

/// The append-only state of a Merkle tree: enough to compute its root and to keep appending.
public struct CompactRange: Hashable, Sendable {
    /// The number of leaves covered.
    public private(set) var size: UInt64
    /// Roots of the perfect subtrees covering [0, size), largest (leftmost) first.
    public private(set) var hashes: [MerkleHash]

    /// An empty range.
    public init() {
        size = 0
        hashes = []
    }

    /// The largest size ``init(size:hashes:)`` accepts: 2^63 - 1. A range restored from storage or from the network
    /// could otherwise sit at 2^64 - 1 leaves, where the next `append` would overflow `size`; from 2^63 - 1 that
    /// takes 2^63 appends.
    public static let maximumRestoredSize: UInt64 = UInt64.max >> 1

    /// Restores a range from its size and perfect-subtree roots (as `hashes` gave them out).
    /// Fails with ``MerkleError/Code-swift.struct/sizeTooLarge`` when `size` is above ``maximumRestoredSize``, and
    /// with ``MerkleError/Code-swift.struct/wrongProofSize`` when the count does not match `size`.
    public init(size: UInt64, hashes: [MerkleHash]) throws(MerkleError) {
        guard size <= Self.maximumRestoredSize else {
            throw MerkleError(.sizeTooLarge, "compact range size \(size) is above \(Self.maximumRestoredSize)")
        }
        guard hashes.count == size.nonzeroBitCount else {
            throw MerkleError(.wrongProofSize, "compact range of size \(size) needs \(size.nonzeroBitCount) hashes, got \(hashes.count)")
        }
        self.size = size
        self.hashes = hashes
    }

    /// Appends one leaf hash.
    public mutating func append(_ leafHash: MerkleHash) {
        append(leafHash) { _, _, _ in }
    }

    /// Appends one leaf hash and reports every node that becomes complete, the leaf itself included, as
    /// `(level, index, hash)`: level 0 is the leaf level, and `index` counts nodes from the left at that level.
    public mutating func append(_ leafHash: MerkleHash, visit: (_ level: Int, _ index: UInt64, _ hash: MerkleHash) throws -> Void) rethrows {
        var hash = leafHash
        var index = size
        var level = 0
        try visit(0, index, hash)
        while index & 1 == 1 {
            hash = Merkle.nodeHash(hashes.removeLast(), hash)
            index >>= 1
            level += 1
            try visit(level, index, hash)
        }
        hashes.append(hash)
        size += 1
    }

    /// The Merkle Tree Hash of the leaves appended so far.
    public var root: MerkleHash {
        guard var root = hashes.last else { return Merkle.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            root = Merkle.nodeHash(hash, root)
        }
        return root
    }
}
