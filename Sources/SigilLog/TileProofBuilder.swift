// Inclusion and consistency proofs read from stored hash tiles (c2sp.org/tlog-tiles), the way Tessera's
// `client.NewProofBuilder` does. The proof algorithms are SigilMerkle's; this file only finds the nodes they ask
// for. `Merkle.inclusionProof`/`consistencyProof` take a synchronous node reader, so a proof is built in two
// passes: the first records which nodes the algorithm asks for (positions depend only on index and sizes), the
// tiles holding them are fetched, and the second pass answers from what was fetched.

import SigilMerkle
import SigilTlog
import Synchronization

/// A tree node position: `level` 0 is the leaves.
struct NodePosition: Hashable, Sendable {
    let level: Int
    let index: UInt64
}

/// A tile's hashes with the roots of every complete, aligned subtree inside it (level `k` holds the roots over
/// `2^k` consecutive hashes), so a proof node inside a tile is a lookup instead of up to 255 hashes per proof.
struct TileNodes: Sendable {
    /// `levels[0]` is the tile's hashes; `levels[k][j]` is the root of hashes `j·2^k ..< (j+1)·2^k`.
    let levels: [[MerkleHash]]

    init(_ hashes: [MerkleHash]) {
        var levels = [hashes]
        while let below = levels.last, below.count >= 2 {
            var above: [MerkleHash] = []
            above.reserveCapacity(below.count / 2)
            var index = 0
            while index + 1 < below.count {
                above.append(Merkle.nodeHash(below[index], below[index + 1]))
                index += 2
            }
            levels.append(above)
        }
        self.levels = levels
    }

    var hashes: [MerkleHash] { levels[0] }

    /// The root over `count` hashes from `first`: a lookup when the range is an aligned power of two (what a
    /// tree node inside a tile always is), otherwise computed.
    func root(first: Int, count: Int) -> MerkleHash {
        if count > 0, count & (count - 1) == 0, first % count == 0 {
            let level = count.trailingZeroBitCount
            if level < levels.count, first >> level < levels[level].count { return levels[level][first >> level] }
        }
        return Merkle.root(ofLeafHashes: levels[0][first..<(first + count)])
    }
}

/// A tile path names immutable bytes (a partial tile's path carries its width), so any tile can be cached; the
/// cache is simply emptied when it reaches its capacity.
final class FullTileCache: Sendable {
    private let capacity: Int
    private let tiles = Mutex<[TileID: TileNodes]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func get(_ id: TileID) -> TileNodes? { tiles.withLock { $0[id] } }

    func put(_ id: TileID, _ hashes: [MerkleHash]) { put(id, TileNodes(hashes)) }

    func put(_ id: TileID, _ nodes: TileNodes) {
        tiles.withLock { tiles in
            if tiles.count >= capacity { tiles.removeAll(keepingCapacity: true) }
            tiles[id] = nodes
        }
    }
}

/// Builds RFC 9162 proofs for the tree of `treeSize` leaves from the hash tiles in a ``LogStorage``.
public struct TileProofBuilder: Sendable {
    /// Where the tiles are.
    public let storage: any LogStorage
    /// The tree the proofs are for; its tiles (at this size's widths, or wider ones) must be stored.
    public let treeSize: UInt64
    /// A larger integrated size whose partial tiles may stand in for missing ones of `treeSize` (a tile of a
    /// larger width starts with the same hashes).
    let widerSize: UInt64?
    let cache: FullTileCache?

    /// A builder for the tree of `treeSize` leaves. Tiles are read at `treeSize`'s widths, falling back to the
    /// full tile, then to the width at `integratedSize` (the latest tree the log integrated), if given.
    public init(storage: any LogStorage, treeSize: UInt64, integratedSize: UInt64? = nil) {
        self.init(storage: storage, treeSize: treeSize, widerSize: integratedSize, cache: nil)
    }

    init(storage: any LogStorage, treeSize: UInt64, widerSize: UInt64?, cache: FullTileCache?) {
        self.storage = storage
        self.treeSize = treeSize
        self.widerSize = widerSize
        self.cache = cache
    }

    /// The inclusion proof of leaf `index` in the tree of ``treeSize`` leaves.
    /// Throws ``LogError/Code-swift.struct/indexOutOfRange`` when `index >= treeSize`.
    public func inclusionProof(index: UInt64) async throws -> [MerkleHash] {
        guard index < treeSize else {
            throw LogError(.indexOutOfRange, "leaf index \(index) is not below tree size \(treeSize)")
        }
        let size = treeSize
        return try await build { reader in try Merkle.inclusionProof(index: index, size: size, nodes: reader) }
    }

    /// The consistency proof from the tree of `size1` leaves to the tree of ``treeSize`` leaves.
    public func consistencyProof(from size1: UInt64) async throws -> [MerkleHash] {
        guard size1 <= treeSize else {
            throw LogError(.indexOutOfRange, "tree size \(size1) is above tree size \(treeSize)")
        }
        let size2 = treeSize
        return try await build { reader in try Merkle.consistencyProof(from: size1, to: size2, nodes: reader) }
    }

    /// The hash of the node at (`level`, `index`), which must be complete in the tree of ``treeSize`` leaves.
    public func node(level: Int, index: UInt64) async throws -> MerkleHash {
        let position = NodePosition(level: level, index: index)
        guard let hash = try await nodes([position])[position] else {
            throw LogError(.corruptStorage, "node (\(level), \(index)) not found in tiles")
        }
        return hash
    }

    /// Runs `make` twice: once synchronously to record the nodes it asks for, then (after those nodes are fetched)
    /// again to answer from them. The closure never crosses a suspension point: each pass is a synchronous call.
    private func build(_ make: @Sendable (MerkleNodeReader) throws -> [MerkleHash]) async throws -> [MerkleHash] {
        let wanted = try Self.record(make)
        let found = try await nodes(wanted)
        return try Self.answer(make, from: found)
    }

    private static func record(_ make: (MerkleNodeReader) throws -> [MerkleHash]) throws -> [NodePosition] {
        var wanted: [NodePosition] = []
        _ = try make { level, index in
            wanted.append(NodePosition(level: level, index: index))
            return Merkle.emptyRoot  // placeholder: which nodes are asked for does not depend on their values
        }
        return wanted
    }

    private static func answer(
        _ make: (MerkleNodeReader) throws -> [MerkleHash], from found: [NodePosition: MerkleHash]
    ) throws -> [MerkleHash] {
        try make { level, index in
            guard let hash = found[NodePosition(level: level, index: index)] else {
                throw MerkleError(.nodeUnavailable, "node (\(level), \(index)) was not prefetched")
            }
            return hash
        }
    }

    func nodes(_ positions: [NodePosition]) async throws -> [NodePosition: MerkleHash] {
        var byTile: [TileID: [(NodePosition, TileNodeLocation)]] = [:]
        for position in positions {
            let location: TileNodeLocation
            do {
                location = try TileID.locate(nodeLevel: position.level, nodeIndex: position.index, treeSize: treeSize)
            } catch {
                throw LogError(.indexOutOfRange, error.reason)
            }
            byTile[location.tile, default: []].append((position, location))
        }
        var out: [NodePosition: MerkleHash] = [:]
        for (tile, wanted) in byTile {
            let nodes = try await tileNodes(tile)
            for (position, location) in wanted {
                let end = location.firstHash + location.hashCount
                guard end <= nodes.hashes.count else {
                    throw LogError(.corruptStorage, "tile \(tile.path) has \(nodes.hashes.count) hashes, need \(end)")
                }
                out[position] = nodes.root(first: location.firstHash, count: location.hashCount)
            }
        }
        return out
    }

    /// The hashes of `tile` (or of a wider tile at the same level and index, which starts with them), with the
    /// subtree roots inside it.
    func tileNodes(_ tile: TileID) async throws -> TileNodes {
        var candidates = [tile]
        if tile.isPartial, let full = try? TileID(level: tile.level, index: tile.index) { candidates.append(full) }
        if let widerSize {
            let width = TileID.width(level: tile.level, index: tile.index, treeSize: widerSize)
            if width > tile.width, width < TileID.fullWidth,
                let wider = try? TileID(level: tile.level, index: tile.index, width: width)
            {
                candidates.append(wider)
            }
        }
        for candidate in candidates {
            if let cached = cache?.get(candidate) { return cached }
            let stored = try await withStorage("read \(candidate.path)") { try await storage.tile(candidate) }
            guard let bytes = stored else { continue }
            let parsed: HashTile
            do { parsed = try HashTile(bytes: bytes, width: candidate.width) } catch {
                throw LogError(.corruptStorage, "\(candidate.path): \(error.reason)")
            }
            let nodes = TileNodes(parsed.hashes)
            cache?.put(candidate, nodes)
            return nodes
        }
        throw LogError(.corruptStorage, "tile \(tile.path) is not stored (nor a wider one)")
    }
}

/// Runs a storage call, turning whatever it throws into ``LogError/Code-swift.struct/storageFailure`` (a
/// `LogError` the engine itself raised passes through unchanged).
///
/// The body is `@Sendable` and the function not isolated on purpose: a variant taking `isolated (any Actor)? =
/// #isolation` with a non-Sendable body aborted under Swift 6.3.1 ("freed pointer was not the last allocation"
/// once storage calls threw): the shape of swiftlang/swift#91639, whose trigger here was MerkleHash's former
/// 32-byte vector storage (see SigilMerkle/MerkleHash.swift).
func withStorage<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as LogError where error.code != .injectedFault {
        throw error
    } catch {
        throw LogError(.storageFailure, "\(what): \(error)")
    }
}
