// tlog-tiles paths, tile arithmetic (cross-checked against the reference RFC 6962 tree) and tile codecs.

import SigilMerkle
import SigilTesting
import SigilTlog
import Testing

@Suite struct TileTests {
    static let pathTable: [(level: Int, index: UInt64, width: Int, path: String)] = [
        (0, 1_234_067, 256, "tile/0/x001/x234/067"),  // the spec's example
        (0, 0, 256, "tile/0/000"),
        (0, 1, 256, "tile/0/001"),
        (0, 999, 256, "tile/0/999"),
        (0, 1000, 256, "tile/0/x001/000"),
        (0, 1_000_000, 256, "tile/0/x001/x000/000"),
        (1, 1_234_067, 8, "tile/1/x001/x234/067.p/8"),
        (2, 0, 1, "tile/2/000.p/1"),
        (10, 273, 112, "tile/10/273.p/112"),
        (63, 0, 255, "tile/63/000.p/255"),
        (63, .max, 256, "tile/63/x018/x446/x744/x073/x709/x551/615"),
        (7, .max, 255, "tile/7/x018/x446/x744/x073/x709/x551/615.p/255"),
    ]

    @Test func tilePathsMatchTheTable() throws {
        #expect(Self.pathTable.count > 0)
        for row in Self.pathTable {
            let tile = try TileID(level: row.level, index: row.index, width: row.width)
            #expect(tile.path == row.path)
            #expect(try TileID(path: row.path) == tile)
            #expect(tile.isPartial == (row.width < 256))
        }
    }

    @Test(arguments: 1...255)
    func everyPartialWidthRoundTrips(width: Int) throws {
        let tile = try TileID(level: 0, index: 1_234_067, width: width)
        #expect(tile.path == "tile/0/x001/x234/067.p/\(width)")
        #expect(try TileID(path: tile.path) == tile)
        let bundle = try EntryBundleID(index: 5, width: width)
        #expect(bundle.path == "tile/entries/005.p/\(width)")
        #expect(try EntryBundleID(path: bundle.path) == bundle)
    }

    @Test func entryBundlePathsMatchTheTable() throws {
        let table: [(UInt64, Int, String)] = [
            (0, 256, "tile/entries/000"),
            (1_234_067, 256, "tile/entries/x001/x234/067"),
            (1_234_067, 17, "tile/entries/x001/x234/067.p/17"),
            (273, 112, "tile/entries/273.p/112"),
        ]
        for (index, width, path) in table {
            let bundle = try EntryBundleID(index: index, width: width)
            #expect(bundle.path == path)
            #expect(try EntryBundleID(path: path) == bundle)
        }
    }

    static let badTilePaths = [
        "tile/0/x001/x234/67", "tile/0/x001/x234/0067", "tile/0/1", "tile/0/0001", "tile/00/000", "tile/01/000",
        "tile/64/000", "tile/100/000", "tile/-1/000", "tile/+1/000", "tile/0/000.p/0", "tile/0/000.p/256",
        "tile/0/000.p/08", "tile/0/000.p/", "tile/0/000.p", "tile/0/000.p/5/6", "tile/0/000.p/+5", "tile/0/001/234",
        "tile/0/x000/001", "tile/0/x000/x001/001", "tile/0/X001/000", "tile/0/x001", "tile/0/x001/x234",
        "tile/0/x001.p/5",
        "tile/0/x001/x234/067/", "/tile/0/000", "tile//000", "tile/0//000", "tile/0/", "tile/0", "tile/", "",
        "tiles/0/000",
        "TILE/0/000", "tile/0/ 000", "tile/0/00a", "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/x001/x001/x001/x001/x001/x001/x001/000", "tile/entries/000", "tile/0/000.q/5", "tile/0/000.P/5",
        "tile/0/000.p/5\n", "tile/0/٠٠٠", "tile/0/" + String(repeating: "x001/", count: 30) + "000",
    ]

    @Test func nonCanonicalTilePathsAreRejected() {
        #expect(Self.badTilePaths.count > 40)
        for path in Self.badTilePaths {
            #expect(errorCode { try TileID(path: path) } == .malformedPath, "\(path.debugDescription)")
        }
    }

    @Test func nonCanonicalEntryBundlePathsAreRejected() {
        let bad = [
            "tile/entries/", "tile/entries/1", "tile/entries/x000/001", "tile/entries/001.p/0",
            "tile/entries/001.p/256",
            "tile/entries/001.p/007", "tile/entries/001/002", "tile/0/000", "tile/entry/000", "tile/entries000",
            "tile/entries/000/", "tile/entries/x001",
        ]
        for path in bad {
            #expect(errorCode { try EntryBundleID(path: path) } == .malformedPath, "\(path.debugDescription)")
        }
    }

    @Test func tilesOutsideTheFormatCannotBeMade() {
        #expect(errorCode { try TileID(level: 64, index: 0) } == .outOfRange)
        #expect(errorCode { try TileID(level: -1, index: 0) } == .outOfRange)
        #expect(errorCode { try TileID(level: 0, index: 0, width: 0) } == .outOfRange)
        #expect(errorCode { try TileID(level: 0, index: 0, width: 257) } == .outOfRange)
        #expect(errorCode { try EntryBundleID(index: 0, width: 0) } == .outOfRange)
    }

    @Test func theSpecsSize70000ExampleHasItsTiles() throws {
        let tiles = try TileID.tiles(growingFrom: 0, to: 70_000)
        let level0 = tiles.filter { $0.level == 0 }
        #expect(level0.count == 274)
        #expect(level0.filter { !$0.isPartial }.count == 273)
        #expect(level0.last == (try TileID(level: 0, index: 273, width: 112)))
        #expect(
            tiles.filter { $0.level == 1 } == [
                try TileID(level: 1, index: 0), try TileID(level: 1, index: 1, width: 17),
            ])
        #expect(tiles.filter { $0.level == 2 } == [try TileID(level: 2, index: 0, width: 1)])
        #expect(tiles.count == 274 + 2 + 1)
        #expect(try EntryBundleID.bundles(growingFrom: 0, to: 70_000).count == 274)
    }

    @Test func theSpecsSize256ExampleHasAFullLevel0TileAndAPartialLevel1Tile() throws {
        #expect(
            try TileID.tiles(growingFrom: 0, to: 256) == [
                try TileID(level: 0, index: 0), try TileID(level: 1, index: 0, width: 1),
            ])
        #expect(TileID.width(level: 0, index: 0, treeSize: 256) == 256)
        #expect(TileID.width(level: 0, index: 1, treeSize: 256) == 0)
        #expect(TileID.width(level: 1, index: 0, treeSize: 256) == 1)
        #expect(TileID.width(level: 2, index: 0, treeSize: 256) == 0)
        #expect(TileID.width(level: 7, index: 0, treeSize: .max) == 255)
        #expect(TileID.width(level: 8, index: 0, treeSize: .max) == 0)
        #expect(TileID.width(level: 63, index: 0, treeSize: .max) == 0)
        #expect(TileID.width(level: 0, index: 0, treeSize: 0) == 0)
    }

    @Test func growingWritesExactlyTheTilesThatChanged() throws {
        let sizes: [UInt64] = [0, 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000]
        var checked = 0
        for old in sizes {
            for new in sizes where new >= old {
                let before = Set(try TileID.tiles(growingFrom: 0, to: old))
                let after = Set(try TileID.tiles(growingFrom: 0, to: new))
                #expect(
                    Set(try TileID.tiles(growingFrom: old, to: new)) == after.subtracting(before), "\(old) → \(new)")
                checked += 1
            }
        }
        #expect(checked > 50)
        #expect(errorCode { try TileID.tiles(growingFrom: 2, to: 1) } == .outOfRange)
        #expect(try TileID.tiles(growingFrom: 5, to: 5).isEmpty)
        // One leaf completes a tile on each of three levels and starts level 3.
        #expect(
            try TileID.tiles(growingFrom: 16_777_215, to: 16_777_216) == [
                try TileID(level: 0, index: 65_535), try TileID(level: 1, index: 255), try TileID(level: 2, index: 0),
                try TileID(level: 3, index: 0, width: 1),
            ])
        // At the top of the 64-bit range only the level-0 tile changes; nothing overflows.
        #expect(
            try TileID.tiles(growingFrom: .max - 1, to: .max) == [
                try TileID(level: 0, index: (1 << 56) - 1, width: 255)
            ])
    }

    @Test(arguments: [1, 7, 255, 256, 257, 1000, 65_536, 70_000])
    func everyNodeIsTheRootOfTheHashesItsTileLocationNames(size: Int) throws {
        let tree = ReferenceMerkleTree(size: size)
        let treeSize = UInt64(size)
        var checked = 0
        for level in 0..<18 {
            let count = treeSize >> UInt64(level)
            guard count > 0 else { break }
            // The first, last and a middle complete node of each level.
            for index in Set([0, count / 2, count - 1]) {
                let location = try TileID.locate(nodeLevel: level, nodeIndex: index, treeSize: treeSize)
                #expect(location.tile.level == level / 8)
                #expect(
                    location.tile.width
                        == TileID.width(level: location.tile.level, index: location.tile.index, treeSize: treeSize))
                #expect(location.firstHash + location.hashCount <= location.tile.width)
                // The tile, as the reference tree defines it, and the covered run of its hashes.
                let tileHashes = (0..<location.tile.width).map {
                    tree.node(level: 8 * location.tile.level, index: location.tile.index * 256 + UInt64($0))
                }
                let covered = tileHashes[location.firstHash..<(location.firstHash + location.hashCount)]
                #expect(
                    Merkle.root(ofLeafHashes: covered) == tree.node(level: level, index: index), "(\(level), \(index))")
                checked += 1
            }
        }
        #expect(checked > 0)
        #expect(errorCode { try TileID.locate(nodeLevel: 0, nodeIndex: treeSize, treeSize: treeSize) } == .outOfRange)
        #expect(errorCode { try TileID.locate(nodeLevel: 64, nodeIndex: 0, treeSize: treeSize) } == .outOfRange)
    }

    @Test func entriesLocateInTheirBundles() throws {
        #expect(try EntryBundleID.locate(entryIndex: 0, treeSize: 1) == (try EntryBundleID(index: 0, width: 1), 0))
        #expect(
            try EntryBundleID.locate(entryIndex: 645, treeSize: 646) == (try EntryBundleID(index: 2, width: 134), 133))
        #expect(
            try EntryBundleID.locate(entryIndex: 4_026_478, treeSize: 4_026_479) == (
                try EntryBundleID(index: 15728, width: 111), 110
            ))
        #expect(try EntryBundleID.locate(entryIndex: 255, treeSize: 70_000) == (try EntryBundleID(index: 0), 255))
        #expect(errorCode { try EntryBundleID.locate(entryIndex: 5, treeSize: 5) } == .outOfRange)
    }

    // MARK: - Codecs

    @Test func hashTilesRoundTripAndRejectPartialHashes() throws {
        let hashes = ReferenceMerkleTree(size: 256).leaves
        for width in [1, 2, 255, 256] {
            let tile = try HashTile(hashes: Array(hashes.prefix(width)))
            #expect(tile.bytes.count == 32 * width)
            #expect(try HashTile(bytes: tile.bytes, width: width) == tile)
            #expect(try HashTile(bytes: tile.bytes) == tile)
            #expect(errorCode { try HashTile(bytes: tile.bytes, width: width + 1) } == .malformedTile)
            #expect(errorCode { try HashTile(bytes: Array(tile.bytes.dropLast())) } == .malformedTile)
            #expect(errorCode { try HashTile(bytes: tile.bytes + [0]) } != nil)
        }
        #expect(errorCode { try HashTile(bytes: []) } == .malformedTile)
        #expect(errorCode { try HashTile(bytes: [UInt8](repeating: 0, count: 8192 + 32)) } == .oversize)
        #expect(errorCode { try HashTile(hashes: []) } == .malformedTile)
        #expect(errorCode { try HashTile(hashes: Array(repeating: hashes[0], count: 257)) } == .malformedTile)
    }

    @Test func entryBundlesRoundTripAndHashToTheLevel0Tile() throws {
        let size = 300
        let tree = ReferenceMerkleTree(size: size)
        let entries = (0..<256).map { Array("leaf-\($0)".utf8) }
        let bundle = try EntryBundle(entries: entries)
        #expect(try EntryBundle(bytes: bundle.bytes, width: 256) == bundle)
        #expect(bundle.leafHashes == Array(tree.leaves.prefix(256)))
        #expect(bundle.bytes.prefix(8) == [0, 6, 0x6c, 0x65, 0x61, 0x66, 0x2d, 0x30])  // 00 06 "leaf-0"
        let partial = try EntryBundle(entries: (256..<size).map { Array("leaf-\($0)".utf8) })
        #expect(partial.leafHashes == Array(tree.leaves.suffix(size - 256)))
        // Sizes at the uint16 boundary and the empty entry.
        let edge = try EntryBundle(entries: [[], [UInt8](repeating: 7, count: 65_535)])
        #expect(try EntryBundle(bytes: edge.bytes) == edge)
        #expect(errorCode { try EntryBundle(entries: [[UInt8](repeating: 7, count: 65_536)]) } == .oversize)
    }

    @Test func malformedEntryBundlesAreRejected() throws {
        let good = try EntryBundle(entries: [Array("abc".utf8), Array("de".utf8)]).bytes
        let table: [(String, [UInt8], Int?, TlogError.Code)] = [
            ("empty", [], nil, .malformedEntryBundle),
            ("half a length prefix", [0], nil, .malformedEntryBundle),
            ("truncated entry", Array(good.dropLast()), nil, .malformedEntryBundle),
            ("trailing byte", good + [0], nil, .malformedEntryBundle),
            ("trailing length prefix without entry", good + [0, 1], nil, .malformedEntryBundle),
            ("length beyond the end", [0xff, 0xff, 1, 2, 3], nil, .malformedEntryBundle),
            ("wrong width", good, 3, .malformedEntryBundle),
            ("257 entries", [UInt8](repeating: 0, count: 2 * 257), nil, .malformedEntryBundle),
            ("oversize", [UInt8](repeating: 0, count: EntryBundle.maxBytes + 1), nil, .oversize),
        ]
        for (name, bytes, width, code) in table {
            #expect(errorCode { try EntryBundle(bytes: bytes, width: width) } == code, "\(name)")
        }
        #expect(try EntryBundle(bytes: good, width: 2).entries == [Array("abc".utf8), Array("de".utf8)])
        #expect(errorCode { try EntryBundle(entries: []) } == .malformedEntryBundle)
        #expect(errorCode { try EntryBundle(entries: Array(repeating: [1], count: 257)) } == .malformedEntryBundle)
    }
}
