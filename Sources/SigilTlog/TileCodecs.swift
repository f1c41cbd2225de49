// c2sp.org/tlog-tiles tile and entry-bundle bodies. Written by hand: no allowed package implements them.
// Both parsers cap the input first and reject any trailing or missing byte.

import SigilMerkle

/// A hash tile's body: the concatenation of its 1...256 32-byte hashes.
public struct HashTile: Hashable, Sendable {
    /// The largest tile body, 256 hashes (8,192 bytes).
    public static let maxBytes = TileID.fullWidth * MerkleHash.byteCount

    /// The hashes, left to right.
    public let hashes: [MerkleHash]

    /// A tile of 1...256 hashes.
    public init(hashes: [MerkleHash]) throws(TlogError) {
        guard (1...TileID.fullWidth).contains(hashes.count) else {
            throw TlogError(.malformedTile, "a tile holds 1...256 hashes, got \(hashes.count)")
        }
        self.hashes = hashes
    }

    /// Parses a tile body; with `width`, it must hold exactly that many hashes.
    public init(bytes: [UInt8], width: Int? = nil) throws(TlogError) {
        // SPEC: c2sp.org/tlog-tiles "Merkle Tree": full tiles are exactly 256 hashes (8,192 bytes); partial
        // tiles hold 1...255.
        guard bytes.count <= Self.maxBytes else {
            throw TlogError(.oversize, "tile of \(bytes.count) bytes, cap \(Self.maxBytes)")
        }
        guard !bytes.isEmpty, bytes.count % MerkleHash.byteCount == 0 else {
            throw TlogError(
                .malformedTile, "tile of \(bytes.count) bytes is not a whole, non-zero number of 32-byte hashes")
        }
        let count = bytes.count / MerkleHash.byteCount
        if let width, width != count {
            throw TlogError(.malformedTile, "expected a tile of width \(width), got \(count) hashes")
        }
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(count)
        for start in stride(from: 0, to: bytes.count, by: MerkleHash.byteCount) {
            guard let hash = MerkleHash(bytes: bytes[start..<(start + MerkleHash.byteCount)]) else {
                throw TlogError(.malformedTile, "hash at byte \(start) is not 32 bytes")
            }
            hashes.append(hash)
        }
        self.hashes = hashes
    }

    /// The tile body.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hashes.count * MerkleHash.byteCount)
        for hash in hashes { out += hash.bytes }
        return out
    }
}

/// An entry bundle's body: 1...256 entries, each `uint16 big-endian length ‖ entry`.
public struct EntryBundle: Hashable, Sendable {
    /// The largest entry (uint16 length).
    public static let maxEntryBytes = Int(UInt16.max)
    /// The largest bundle body: 256 entries of the largest size.
    public static let maxBytes = TileID.fullWidth * (2 + maxEntryBytes)

    /// The entries, in log order.
    public let entries: [[UInt8]]

    /// A bundle of 1...256 entries of at most 65,535 bytes each.
    public init(entries: [[UInt8]]) throws(TlogError) {
        guard (1...TileID.fullWidth).contains(entries.count) else {
            throw TlogError(.malformedEntryBundle, "a bundle holds 1...256 entries, got \(entries.count)")
        }
        if let big = entries.firstIndex(where: { $0.count > Self.maxEntryBytes }) {
            throw TlogError(.oversize, "entry \(big) has \(entries[big].count) bytes, cap \(Self.maxEntryBytes)")
        }
        self.entries = entries
    }

    /// Parses a bundle body; with `width`, it must hold exactly that many entries.
    public init(bytes: [UInt8], width: Int? = nil) throws(TlogError) {
        // SPEC: c2sp.org/tlog-tiles "Log entries": a sequence of big-endian uint16 length-prefixed entries,
        // one per hash of the matching level-0 tile (so 1...256 of them).
        guard bytes.count <= Self.maxBytes else {
            throw TlogError(.oversize, "bundle of \(bytes.count) bytes, cap \(Self.maxBytes)")
        }
        var entries: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard entries.count < TileID.fullWidth else {
                throw TlogError(.malformedEntryBundle, "bundle holds more than 256 entries")
            }
            guard bytes.count - offset >= 2 else {
                throw TlogError(.malformedEntryBundle, "truncated length prefix at byte \(offset)")
            }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard bytes.count - offset >= length else {
                throw TlogError(
                    .malformedEntryBundle, "entry \(entries.count) needs \(length) bytes, \(bytes.count - offset) left")
            }
            entries.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        guard !entries.isEmpty else { throw TlogError(.malformedEntryBundle, "bundle is empty") }
        if let width, width != entries.count {
            throw TlogError(.malformedEntryBundle, "expected a bundle of width \(width), got \(entries.count) entries")
        }
        self.entries = entries
    }

    /// The bundle body.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for entry in entries {
            out.append(UInt8(entry.count >> 8 & 0xff))
            out.append(UInt8(entry.count & 0xff))
            out += entry
        }
        return out
    }

    /// The RFC 6962 leaf hashes of the entries: what the matching level-0 tile must hold.
    public var leafHashes: [MerkleHash] { entries.map { Merkle.leafHash($0) } }
}
