// The integrator's arithmetic: given the tree so far (a compact range), the next sequenced entries, and the
// current rightmost partial tiles and bundle, compute the new tree and every tile and bundle that changes.
// Written by hand: tile maintenance is what no allowed package does.
//
// SPEC: c2sp.org/tlog-tiles "Merkle Tree": tile N at level L holds the tree nodes of level 8·L with indices
// 256·N ..< 256·N + W; a partial tile holds the W = floor(s / 256^L) mod 256 nodes complete at size s; a partial
// tile is never hashed into the level above (the level above only holds nodes of complete 256-wide subtrees).
// SPEC: c2sp.org/tlog-tiles "Log entries": entry bundle N holds the entries whose leaf hashes tile 0/N holds.

import SigilMerkle
import SigilTlog

/// What one integration step writes.
struct IntegrationStep: Sendable {
    let tree: CompactRange
    let tiles: [StoredTile]
    /// The hashes of every tile in `tiles` (for the proof cache).
    let tileHashes: [TileID: [MerkleHash]]
    let bundles: [StoredEntryBundle]
    /// The new partial tiles' hashes and the new partial bundle's entries, for the next step.
    let partialTiles: [TileID: [MerkleHash]]
    let partialBundles: [EntryBundleID: [[UInt8]]]
}

enum Integrator {
    /// The partial tiles and bundle of the tree at `oldSize` that gain hashes when it grows to `newSize`: what
    /// ``integrate(tree:entries:existingTiles:existingBundles:)`` needs to be given.
    static func partialsNeeded(from oldSize: UInt64, to newSize: UInt64) throws -> (tiles: [TileID], bundles: [EntryBundleID]) {
        var tiles: [TileID] = []
        var bundles: [EntryBundleID] = []
        for tile in try TileID.tiles(growingFrom: oldSize, to: newSize) {
            let oldWidth = TileID.width(level: tile.level, index: tile.index, treeSize: oldSize)
            guard oldWidth > 0 else { continue }
            tiles.append(try TileID(level: tile.level, index: tile.index, width: oldWidth))
            if tile.level == 0 { bundles.append(try EntryBundleID(index: tile.index, width: oldWidth)) }
        }
        return (tiles, bundles)
    }

    /// Appends `entries` (whose indices must continue `tree`) and returns the tiles and bundles to write.
    /// `existingTiles` and `existingBundles` hold the partial tiles and bundle at the old size
    /// (``partialsNeeded(from:to:)``).
    static func integrate(
        tree: CompactRange, entries: [SequencedEntry], existingTiles: [TileID: [MerkleHash]],
        existingBundles: [EntryBundleID: [[UInt8]]]
    ) throws -> IntegrationStep {
        let oldSize = tree.size
        var tree = tree
        // Nodes completed in this step at tree levels 8·L, by tile level L and node index.
        var completed: [Int: [UInt64: MerkleHash]] = [:]
        for (offset, entry) in entries.enumerated() {
            guard entry.index == oldSize + UInt64(offset) else {
                throw LogError(
                    .corruptStorage, "entry at position \(offset) has index \(entry.index), want \(oldSize + UInt64(offset))")
            }
            tree.append(Merkle.leafHash(entry.data)) { level, index, hash in
                if level % TileID.height == 0 { completed[level / TileID.height, default: [:]][index] = hash }
            }
        }
        let newSize = tree.size
        let fullWidth = UInt64(TileID.fullWidth)

        var tiles: [StoredTile] = []
        var tileHashes: [TileID: [MerkleHash]] = [:]
        var partialTiles: [TileID: [MerkleHash]] = [:]
        let grown: [TileID]
        do { grown = try TileID.tiles(growingFrom: oldSize, to: newSize) } catch {
            throw LogError(.indexOutOfRange, error.reason)
        }
        for tile in grown {
            let oldWidth = TileID.width(level: tile.level, index: tile.index, treeSize: oldSize)
            var hashes: [MerkleHash] = []
            hashes.reserveCapacity(tile.width)
            if oldWidth > 0 {
                let old = try TileID(level: tile.level, index: tile.index, width: oldWidth)
                guard let existing = existingTiles[old] else {
                    throw LogError(.corruptStorage, "partial tile \(old.path) was not supplied")
                }
                hashes = existing
                guard hashes.count == oldWidth else {
                    throw LogError(.corruptStorage, "tile \(old.path) has \(hashes.count) hashes")
                }
            }
            let first = tile.index * fullWidth
            for nodeIndex in (first + UInt64(oldWidth))..<(first + UInt64(tile.width)) {
                guard let hash = completed[tile.level]?[nodeIndex] else {
                    throw LogError(.corruptStorage, "node \(nodeIndex) of tile level \(tile.level) was not completed")
                }
                hashes.append(hash)
            }
            tiles.append(StoredTile(id: tile, bytes: try HashTile(hashes: hashes).bytes))
            tileHashes[tile] = hashes
            if tile.isPartial { partialTiles[tile] = hashes }
        }

        var bundles: [StoredEntryBundle] = []
        var partialBundles: [EntryBundleID: [[UInt8]]] = [:]
        for tile in grown where tile.level == 0 {
            let id = try EntryBundleID(index: tile.index, width: tile.width)
            let oldWidth = EntryBundleID.width(index: tile.index, treeSize: oldSize)
            var data: [[UInt8]] = []
            data.reserveCapacity(tile.width)
            if oldWidth > 0 {
                let old = try EntryBundleID(index: tile.index, width: oldWidth)
                guard let existing = existingBundles[old] else {
                    throw LogError(.corruptStorage, "partial bundle \(old.path) was not supplied")
                }
                data = existing
                guard data.count == oldWidth else {
                    throw LogError(.corruptStorage, "bundle \(old.path) has \(data.count) entries")
                }
            }
            let first = tile.index * fullWidth + UInt64(oldWidth)
            for entryIndex in first..<(tile.index * fullWidth + UInt64(tile.width)) {
                data.append(entries[Int(entryIndex - oldSize)].data)
            }
            bundles.append(StoredEntryBundle(id: id, bytes: try EntryBundle(entries: data).bytes))
            if id.isPartial { partialBundles[id] = data }
        }
        return IntegrationStep(
            tree: tree, tiles: tiles, tileHashes: tileHashes, bundles: bundles, partialTiles: partialTiles,
            partialBundles: partialBundles)
    }
}
