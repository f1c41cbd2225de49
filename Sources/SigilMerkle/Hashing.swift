// RFC 9162 §2.1.1 (= RFC 6962 §2.1): the Merkle Tree Hash.
//
//   MTH({})    = SHA-256()
//   leaf hash  = SHA-256(0x00 || d)
//   node hash  = SHA-256(0x01 || left || right)

import Crypto

/// The hash functions and proof algorithms of RFC 9162 §2.1. All of them are pure.
public enum Merkle {
    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = MerkleHash(SHA256.hash(data: [UInt8]()))

    /// RFC 9162 §2.1.1: the hash of one leaf, `SHA-256(0x00 || data)`.
    @inlinable
    public static func leafHash(_ data: UnsafeRawBufferPointer) -> MerkleHash {
        var hasher = SHA256()
        Swift.withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: data)
        return MerkleHash(hasher.finalize())
    }

    /// RFC 9162 §2.1.1: the hash of one leaf, `SHA-256(0x00 || data)`.
    @inlinable
    public static func leafHash(_ data: some Collection<UInt8>) -> MerkleHash {
        if let hash = data.withContiguousStorageIfAvailable({ leafHash(UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        return Array(data).withUnsafeBytes { leafHash($0) }
    }

    /// RFC 9162 §2.1.1: the hash of an interior node, `SHA-256(0x01 || left || right)`.
    @inlinable
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        Swift.withUnsafeBytes(of: UInt8(1)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return MerkleHash(hasher.finalize())
    }

    /// The Merkle Tree Hash of a list of leaf hashes, computed in one pass with a compact range.
    public static func root(ofLeafHashes leafHashes: some Sequence<MerkleHash>) -> MerkleHash {
        var range = CompactRange()
        for leaf in leafHashes { range.append(leaf) }
        return range.root
    }
}
