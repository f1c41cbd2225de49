// c2sp.org/tlog-tiles: tile and entry-bundle paths and the tile arithmetic a tiled log needs. Written by
// hand: no allowed package implements tlog-tiles. Paths parse strictly: each tile has exactly one path.

/// A Merkle tree hash tile, `tile/<L>/<N>[.p/<W>]`: up to 256 consecutive hashes of tree level `8·L`.
public struct TileID: Hashable, Sendable, CustomStringConvertible {
    /// Tree levels per tile: a tile holds the leaves of a height-8 subtree.
    public static let height = 8
    /// Hashes in a full tile.
    public static let fullWidth = 256
    /// The highest tile level a path may name.
    public static let maxLevel = 63

    /// The tile level `L` (its hashes are tree nodes of level `8·L`).
    public let level: Int
    /// The tile index `N` within its level.
    public let index: UInt64
    /// The number of hashes: 256 for a full tile, 1...255 for a partial one.
    public let width: Int

    /// Whether the tile is partial (`.p/<W>`).
    public var isPartial: Bool { width < Self.fullWidth }

    /// A tile by level (0...63), index and width (1...256, 256 meaning full).
    public init(level: Int, index: UInt64, width: Int = TileID.fullWidth) throws(TlogError) {
        guard (0...Self.maxLevel).contains(level) else {
            throw TlogError(.outOfRange, "tile level \(level) is not in 0...63")
        }
        guard (1...Self.fullWidth).contains(width) else {
            throw TlogError(.outOfRange, "tile width \(width) is not in 1...256")
        }
        self.level = level
        self.index = index
        self.width = width
    }

    /// Parses `tile/<L>/<N>[.p/<W>]` (the path after the log prefix and its slash), accepting only the
    /// canonical spelling.
    public init(path: some StringProtocol) throws(TlogError) {
        let components = try TilePath.components(path)
        guard components.count >= 2 else { throw TlogError(.malformedPath, "tile path has no level and index") }
        // SPEC: c2sp.org/tlog-tiles "Merkle Tree": <L> is decimal 0...63 with no additional leading zeroes.
        guard let level = TilePath.smallDecimal(components[0], max: UInt64(Self.maxLevel)) else {
            throw TlogError(
                .malformedPath,
                "tile level \"\(String(decoding: components[0], as: UTF8.self))\" is not canonical 0...63")
        }
        let (index, width) = try TilePath.indexAndWidth(components.dropFirst())
        try self.init(level: Int(level), index: index, width: width)
    }

    /// The canonical path, `tile/<L>/<N>[.p/<W>]`.
    public var path: String { "tile/\(level)/" + TilePath.encode(index: index, width: width) }

    public var description: String { path }

    /// The width the tile `index` at `level` has in a tree of `treeSize` leaves: 256 if full, 1...255 if
    /// partial, 0 if the tree has no such tile.
    public static func width(level: Int, index: UInt64, treeSize: UInt64) -> Int {
        // SPEC: c2sp.org/tlog-tiles "Partial Tiles": the partial tile at level l for size s has
        // floor(s / 256**l) mod 256 entries; empty tiles do not exist.
        guard (0...maxLevel).contains(level) else { return 0 }
        let stored = treeSize >> UInt64(height * level)  // complete nodes at tree level 8·l (0 once shifted out)
        let full = stored / UInt64(fullWidth)
        if index < full { return fullWidth }
        if index == full { return Int(stored % UInt64(fullWidth)) }
        return 0
    }

    /// Where the tree node at (`nodeLevel`, `nodeIndex`) lives in a tree of `treeSize` leaves: the tile
    /// (with the width it has at that size) and the run of its hashes the node is the subtree root of.
    /// Leaves are `nodeLevel` 0; the node must be complete in the tree.
    public static func locate(nodeLevel: Int, nodeIndex: UInt64, treeSize: UInt64) throws(TlogError) -> TileNodeLocation
    {
        guard (0..<64).contains(nodeLevel) else {
            throw TlogError(.outOfRange, "node level \(nodeLevel) is not in 0...63")
        }
        guard nodeIndex < treeSize >> UInt64(nodeLevel) else {
            throw TlogError(
                .outOfRange, "node (\(nodeLevel), \(nodeIndex)) is not complete in a tree of size \(treeSize)")
        }
        let level = nodeLevel / height
        let below = nodeLevel % height  // levels between the tile's hashes and the node
        let tileIndex = nodeIndex >> UInt64(height - below)
        let first = Int(nodeIndex & (UInt64(1) << UInt64(height - below) - 1)) << below
        let tile = try TileID(
            level: level, index: tileIndex, width: width(level: level, index: tileIndex, treeSize: treeSize))
        return TileNodeLocation(tile: tile, firstHash: first, hashCount: 1 << below)
    }

    /// The tiles a log writes when its tree grows from `oldSize` to `newSize` leaves: at every level, each
    /// tile that gains hashes, with its width at `newSize` (the full tiles completed and the new rightmost
    /// partial tile). Empty when the sizes are equal.
    public static func tiles(growingFrom oldSize: UInt64, to newSize: UInt64) throws(TlogError) -> [TileID] {
        guard oldSize <= newSize else {
            throw TlogError(.outOfRange, "tree cannot shrink from \(oldSize) to \(newSize)")
        }
        var tiles: [TileID] = []
        for level in 0...maxLevel {
            let newStored = newSize >> UInt64(height * level)
            let oldStored = oldSize >> UInt64(height * level)
            if newStored == oldStored { break }  // nothing new here, so nothing new above either
            for index in (oldStored / UInt64(fullWidth))...((newStored - 1) / UInt64(fullWidth)) {
                tiles.append(
                    try TileID(level: level, index: index, width: width(level: level, index: index, treeSize: newSize)))
            }
        }
        return tiles
    }
}

/// Where a tree node lives: the tile and the run of `hashCount` hashes starting at `firstHash` whose
/// subtree root the node is (a single stored hash when `hashCount` is 1).
public struct TileNodeLocation: Hashable, Sendable {
    /// The tile, with its width at the tree size asked about.
    public let tile: TileID
    /// The position of the first covered hash in the tile (0...255).
    public let firstHash: Int
    /// How many of the tile's hashes the node covers (1, 2, 4, ... 128).
    public let hashCount: Int
}

/// An entry bundle, `tile/entries/<N>[.p/<W>]`: the entries of level-0 tile `N`.
public struct EntryBundleID: Hashable, Sendable, CustomStringConvertible {
    /// The bundle index `N` (entries `256·N ..< 256·N + width`).
    public let index: UInt64
    /// The number of entries: 256 for a full bundle, 1...255 for a partial one.
    public let width: Int

    /// Whether the bundle is partial (`.p/<W>`).
    public var isPartial: Bool { width < TileID.fullWidth }

    /// A bundle by index and width (1...256, 256 meaning full).
    public init(index: UInt64, width: Int = TileID.fullWidth) throws(TlogError) {
        guard (1...TileID.fullWidth).contains(width) else {
            throw TlogError(.outOfRange, "bundle width \(width) is not in 1...256")
        }
        self.index = index
        self.width = width
    }

    /// Parses `tile/entries/<N>[.p/<W>]`, accepting only the canonical spelling.
    public init(path: some StringProtocol) throws(TlogError) {
        let components = try TilePath.components(path)
        guard components.count >= 2, components[0].elementsEqual("entries".utf8) else {
            throw TlogError(.malformedPath, "entry bundle path does not start with tile/entries/")
        }
        let (index, width) = try TilePath.indexAndWidth(components.dropFirst())
        try self.init(index: index, width: width)
    }

    /// The canonical path, `tile/entries/<N>[.p/<W>]`.
    public var path: String { "tile/entries/" + TilePath.encode(index: index, width: width) }

    public var description: String { path }

    /// The width of bundle `index` in a tree of `treeSize` leaves: 256, 1...255, or 0 if there is none.
    public static func width(index: UInt64, treeSize: UInt64) -> Int {
        TileID.width(level: 0, index: index, treeSize: treeSize)
    }

    /// The bundle holding entry `entryIndex` in a tree of `treeSize` leaves, and the entry's position in it.
    public static func locate(entryIndex: UInt64, treeSize: UInt64) throws(TlogError) -> (
        bundle: EntryBundleID, position: Int
    ) {
        let location = try TileID.locate(nodeLevel: 0, nodeIndex: entryIndex, treeSize: treeSize)
        return (try EntryBundleID(index: location.tile.index, width: location.tile.width), location.firstHash)
    }

    /// The bundles a log writes when its tree grows from `oldSize` to `newSize` leaves.
    public static func bundles(growingFrom oldSize: UInt64, to newSize: UInt64) throws(TlogError) -> [EntryBundleID] {
        var bundles: [EntryBundleID] = []
        for tile in try TileID.tiles(growingFrom: oldSize, to: newSize) where tile.level == 0 {
            bundles.append(try EntryBundleID(index: tile.index, width: tile.width))
        }
        return bundles
    }
}

/// The `<N>[.p/<W>]` path grammar shared by tiles and entry bundles.
enum TilePath {
    static let maxPathBytes = 96

    /// The components after `tile/`, size-capped.
    static func components(_ path: some StringProtocol) throws(TlogError) -> [ArraySlice<UInt8>] {
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else {
            throw TlogError(.malformedPath, "path of \(bytes.count) bytes, cap \(maxPathBytes)")
        }
        guard bytes.starts(with: "tile/".utf8) else {
            throw TlogError(.malformedPath, "path does not start with tile/")
        }
        return bytes.dropFirst(5).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    }

    // SPEC: c2sp.org/tlog-tiles "Merkle Tree": <N> is zero-padded 3-digit path elements, all but the last
    // starting with `x`; `.p/<W>` marks a partial tile, <W> decimal 1...255 with no leading zeroes.
    static func indexAndWidth(_ components: ArraySlice<ArraySlice<UInt8>>) throws(TlogError) -> (UInt64, Int) {
        var groups = Array(components)
        var width = TileID.fullWidth
        let partialMarker = Array(".p".utf8)
        if groups.count >= 2, groups[groups.count - 2].count == 5,
            groups[groups.count - 2].suffix(2).elementsEqual(partialMarker)
        {
            guard let parsed = smallDecimal(groups[groups.count - 1], max: 255), parsed >= 1 else {
                throw TlogError(
                    .malformedPath,
                    "partial width \"\(String(decoding: groups[groups.count - 1], as: UTF8.self))\" is not canonical 1...255"
                )
            }
            width = Int(parsed)
            groups.removeLast()
            groups[groups.count - 1] = groups[groups.count - 1].dropLast(2)
        }
        guard (1...7).contains(groups.count) else {
            throw TlogError(.malformedPath, "tile index has \(groups.count) elements, expected 1...7")
        }
        var index: UInt64 = 0
        for (position, group) in groups.enumerated() {
            let isLast = position == groups.count - 1
            var digits = group
            if !isLast {
                guard digits.first == UInt8(ascii: "x") else {
                    throw TlogError(.malformedPath, "tile index element \(position + 1) lacks its x prefix")
                }
                digits = digits.dropFirst()
            }
            guard digits.count == 3, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw TlogError(
                    .malformedPath, "tile index element \"\(String(decoding: group, as: UTF8.self))\" is not 3 digits")
            }
            let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            guard !(position == 0 && !isLast && value == 0) else {
                throw TlogError(.malformedPath, "tile index has a leading x000 element")
            }
            let (times, overflow1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, overflow2) = times.addingReportingOverflow(value)
            guard !overflow1, !overflow2 else { throw TlogError(.malformedPath, "tile index does not fit 64 bits") }
            index = sum
        }
        return (index, width)
    }

    /// Decimal with no leading zeroes, at most `max`.
    static func smallDecimal(_ digits: ArraySlice<UInt8>, max: UInt64) -> UInt64? {
        guard (1...3).contains(digits.count), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        guard digits.count == 1 || digits.first != UInt8(ascii: "0") else { return nil }
        let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
        return value <= max ? value : nil
    }

    static func encode(index: UInt64, width: Int) -> String {
        var groups: [UInt64] = []
        var rest = index
        repeat {
            groups.append(rest % 1000)
            rest /= 1000
        } while rest > 0
        let elements = groups.reversed().enumerated().map { position, group in
            let digits = String(group)
            let padded = String(repeating: "0", count: 3 - digits.count) + digits
            return position == groups.count - 1 ? padded : "x" + padded
        }
        let suffix = width < TileID.fullWidth ? ".p/\(width)" : ""
        return elements.joined(separator: "/") + suffix
    }
}
