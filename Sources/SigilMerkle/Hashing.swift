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
        // Speed (BENCHMARKS.md, Merkle): each swift-crypto `update` call costs a uniqueness check, exclusivity
        // checks and a BoringSSL call, a sizeable part of hashing a 65-byte input, so a small leaf is copied
        // behind its prefix into a stack buffer and hashed with one `update`. Large leaves take two updates.
        guard data.count <= singleUpdateLimit else {
            var hasher = SHA256()
            Swift.withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: data)
            return MerkleHash(hasher.finalize())
        }
        return withUnsafeTemporaryAllocation(byteCount: 1 + data.count, alignment: 1) { buffer in
            buffer[0] = 0
            UnsafeMutableRawBufferPointer(rebasing: buffer[1...]).copyMemory(from: data)
            return sha256(UnsafeRawBufferPointer(buffer))
        }
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
        // The 65 bytes are laid out from offset 7 of an 8-aligned 72-byte stack buffer, so both hashes land on
        // 8-byte boundaries, and are hashed with one `update` (see `leafHash`).
        withUnsafeTemporaryAllocation(byteCount: 72, alignment: 8) { buffer in
            buffer.storeBytes(of: 1, toByteOffset: 7, as: UInt8.self)
            buffer.storeBytes(of: left.storage, toByteOffset: 8, as: MerkleHash.Words.self)
            buffer.storeBytes(of: right.storage, toByteOffset: 40, as: MerkleHash.Words.self)
            return sha256(UnsafeRawBufferPointer(rebasing: buffer[7..<72]))
        }
    }

    /// Leaves up to this many bytes are hashed from a stack copy in one `update` call.
    @inlinable
    static var singleUpdateLimit: Int { 512 }

    /// SHA-256 of `bytes` in one `update` call.
    @inlinable
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return MerkleHash(hasher.finalize())
    }

    /// The Merkle Tree Hash of a list of leaf hashes, computed in one pass with a compact range.
    @inlinable  // specialised at the call site: no generic dispatch per leaf
    public static func root(ofLeafHashes leafHashes: some Sequence<MerkleHash>) -> MerkleHash {
        var range = CompactRange()
        for leaf in leafHashes { range.append(leaf) }
        return range.root
    }
}
