// fsck for a tile log (after Tessera's `fsck`): re-derives the whole tree from the stored entries and compares
// every full tile and bundle, the partial ones at the checkpoint's size, the stored tree state, and the
// checkpoint's root and signature. It trusts nothing but the entries and the log's public key.

import SigilMerkle
import SigilTlog

/// One inconsistency fsck found.
public struct FsckProblem: Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case storageFailure, missingCheckpoint, checkpointInvalid, treeStateMismatch, checkpointBeyondEntries,
                entryMissing, dedupMismatch, tileMissing, tileMismatch, bundleMissing, bundleMismatch, rootMismatch
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A storage read failed; the check could not finish.
        public static let storageFailure = Code(.storageFailure)
        /// Entries are stored but no checkpoint is.
        public static let missingCheckpoint = Code(.missingCheckpoint)
        /// The checkpoint does not parse, has the wrong origin, or its signature does not verify.
        public static let checkpointInvalid = Code(.checkpointInvalid)
        /// The stored tree state (compact range) is not the tree the entries give at the checkpoint's size.
        public static let treeStateMismatch = Code(.treeStateMismatch)
        /// The checkpoint covers more entries than are sequenced.
        public static let checkpointBeyondEntries = Code(.checkpointBeyondEntries)
        /// An index below the sequenced size has no entry, or entries come back out of order.
        public static let entryMissing = Code(.entryMissing)
        /// An entry's identity does not map back to its index in the dedup index.
        public static let dedupMismatch = Code(.dedupMismatch)
        /// A tile the checkpoint's tree needs is not stored.
        public static let tileMissing = Code(.tileMissing)
        /// A stored tile differs from the re-derived one.
        public static let tileMismatch = Code(.tileMismatch)
        /// An entry bundle the checkpoint's tree needs is not stored.
        public static let bundleMissing = Code(.bundleMissing)
        /// A stored bundle differs from the entries.
        public static let bundleMismatch = Code(.bundleMismatch)
        /// The root re-derived from the entries is not the checkpoint's root.
        public static let rootMismatch = Code(.rootMismatch)

        public var description: String { backing.rawValue }
    }

    public let code: Code
    public let detail: String

    public var description: String { "\(code): \(detail)" }
}

/// What fsck checked and found.
public struct FsckReport: Sendable, CustomStringConvertible {
    /// The size the stored checkpoint signs (0 when there is none).
    public internal(set) var checkpointSize: UInt64 = 0
    /// The number of sequenced entries.
    public internal(set) var sequencedSize: UInt64 = 0
    /// Tiles compared (full ones and the partial ones at the checkpoint's size).
    public internal(set) var tilesChecked = 0
    /// Entry bundles compared.
    public internal(set) var bundlesChecked = 0
    /// The problems, in the order found (at most `maxProblems`).
    public internal(set) var problems: [FsckProblem] = []

    /// No problem found.
    public var isClean: Bool { problems.isEmpty }

    public var description: String {
        "fsck: checkpoint \(checkpointSize), sequenced \(sequencedSize), \(tilesChecked) tiles, "
            + "\(bundlesChecked) bundles, \(problems.count) problems"
            + problems.prefix(10).map { "\n  \($0)" }.joined()
    }
}

/// The consistency check of a stored tile log.
public enum LogFsck {
    /// Checks `storage` against the log key(s) and origin; never throws, a failed read is a problem in the report.
    public static func check(
        storage: any LogStorage, origin: String, keys: [NoteVerifierKey], maxProblems: Int = 100
    ) async -> FsckReport {
        let checker = Checker(storage: storage, maxProblems: maxProblems)
        do {
            try await checker.run(origin: origin, keys: keys)
        } catch {
            checker.problem(.storageFailure, "\(error)")
        }
        return checker.report
    }

    // A class, not a struct with `mutating` async methods: with Swift 6.3.1 the struct version aborted ("freed
    // pointer was not the last allocation"). The cause was found later: async frames spilling a 32-byte SIMD
    // vector (MerkleHash's old storage) overran their allocation (see SigilMerkle/MerkleHash.swift).
    private final class Checker {
        let storage: any LogStorage
        let maxProblems: Int
        var report = FsckReport()

        init(storage: any LogStorage, maxProblems: Int) {
            self.storage = storage
            self.maxProblems = maxProblems
        }

        func problem(_ code: FsckProblem.Code, _ detail: String) {
            if report.problems.count < maxProblems { report.problems.append(FsckProblem(code: code, detail: detail)) }
        }

        // The async part only reads; every check is in the synchronous functions below. (Swift 6.3.1 at -Onone,
        // before MerkleHash's fix, aborted on the first version, which built problem strings inside the async
        // function: "freed pointer was not the last allocation". Keeping async bodies to plain reads avoided it.)
        func run(origin: String, keys: [NoteVerifierKey]) async throws {
            let sequenced = try await storage.sequencedSize()
            let stored = try await storage.checkpoint()
            var entries: [SequencedEntry] = []
            while UInt64(entries.count) < sequenced {
                let from = UInt64(entries.count)
                let chunk = try await storage.entries(in: from..<min(sequenced, from + 4_096))
                if chunk.isEmpty { break }
                entries += chunk
            }
            var mapped: [UInt64?] = []
            mapped.reserveCapacity(entries.count)
            for entry in entries { mapped.append(try await storage.index(forIdentity: entry.identity)) }
            guard let plan = checkEntries(sequenced: sequenced, stored: stored, entries: entries, mapped: mapped,
                                          origin: origin, keys: keys)
            else { return }
            var storedTiles: [[UInt8]?] = []
            for tile in plan.tiles { storedTiles.append(try await storage.tile(tile.0)) }
            var storedBundles: [[UInt8]?] = []
            for bundle in plan.bundles { storedBundles.append(try await storage.entryBundle(bundle.0)) }
            compare(plan, storedTiles: storedTiles, storedBundles: storedBundles)
        }

        typealias Plan = (tiles: [(TileID, [UInt8])], bundles: [(EntryBundleID, [UInt8])])

        /// Checks the checkpoint, the entries, the dedup index and the tree state; returns the tiles and bundles to
        /// compare, or `nil` when the entries are too broken to derive them.
        func checkEntries(
            sequenced: UInt64, stored: StoredCheckpoint?, entries: [SequencedEntry], mapped: [UInt64?],
            origin: String, keys: [NoteVerifierKey]
        ) -> Plan? {
            report.sequencedSize = sequenced
            var size: UInt64 = 0
            var root = Merkle.emptyRoot
            if let stored {
                // SPEC: c2sp.org/tlog-checkpoint + c2sp.org/signed-note: the log's signature for its origin verifies.
                do {
                    let verified = try Checkpoint.verify(stored.note, origin: origin, keys: keys)
                    size = verified.size
                    root = verified.rootHash
                } catch {
                    problem(.checkpointInvalid, error.reason)
                    if let parsed = try? PublishedCheckpoint(note: stored.note) {
                        size = parsed.size
                        root = parsed.rootHash
                    } else {
                        size = stored.tree.size
                        root = stored.tree.root
                    }
                }
            } else if sequenced > 0 {
                problem(.missingCheckpoint, "\(sequenced) entries are sequenced but no checkpoint is stored")
            }
            report.checkpointSize = size
            if size > sequenced {
                problem(.checkpointBeyondEntries, "checkpoint size \(size) is above the \(sequenced) sequenced entries")
            }
            for (position, entry) in entries.enumerated() where entry.index != UInt64(position) {
                problem(.entryMissing, "expected entry \(position), got \(entry.index)")
                return nil
            }
            if UInt64(entries.count) < sequenced {
                problem(.entryMissing, "entries \(entries.count)..<\(sequenced) are missing")
            }
            for (entry, index) in zip(entries, mapped) where index != entry.index {
                problem(.dedupMismatch, "the identity of entry \(entry.index) does not map to it")
            }
            let integrated = Array(entries.prefix(Int(min(size, UInt64(entries.count)))))
            let derived = Self.derive(integrated)
            if derived.tree.size == size {
                if derived.tree.root != root {
                    problem(.rootMismatch, "entries give root \(derived.tree.root) at size \(size), the checkpoint says \(root)")
                }
                if let stored, stored.tree != derived.tree {
                    problem(
                        .treeStateMismatch,
                        "stored tree state has size \(stored.tree.size) and \(stored.tree.hashes.count) hashes; "
                            + "entries give size \(derived.tree.size) and \(derived.tree.hashes.count) hashes")
                }
            }
            return (derived.tiles, derived.bundles)
        }

        func compare(_ plan: Plan, storedTiles: [[UInt8]?], storedBundles: [[UInt8]?]) {
            for ((id, bytes), stored) in zip(plan.tiles, storedTiles) {
                report.tilesChecked += 1
                if stored == nil {
                    problem(.tileMissing, "\(id.path) is not stored")
                } else if stored != bytes {
                    problem(.tileMismatch, "\(id.path) differs from the tile the entries give")
                }
            }
            for ((id, bytes), stored) in zip(plan.bundles, storedBundles) {
                report.bundlesChecked += 1
                if stored == nil {
                    problem(.bundleMissing, "\(id.path) is not stored")
                } else if stored != bytes {
                    problem(.bundleMismatch, "\(id.path) differs from the stored entries")
                }
            }
        }

        /// The tree of `entries` and every tile and bundle it has at its size (full ones and the rightmost partials).
        static func derive(_ entries: [SequencedEntry]) -> (
            tree: CompactRange, tiles: [(TileID, [UInt8])], bundles: [(EntryBundleID, [UInt8])]
        ) {
            var tree = CompactRange()
            var levels: [[MerkleHash]] = []  // nodes of tree level 8·L, by tile level L
            for entry in entries {
                tree.append(Merkle.leafHash(entry.data)) { level, _, hash in
                    guard level % TileID.height == 0 else { return }
                    let tileLevel = level / TileID.height
                    while levels.count <= tileLevel { levels.append([]) }
                    levels[tileLevel].append(hash)
                }
            }
            var tiles: [(TileID, [UInt8])] = []
            for (tileLevel, nodes) in levels.enumerated() {
                for start in stride(from: 0, to: nodes.count, by: TileID.fullWidth) {
                    let hashes = Array(nodes[start..<min(nodes.count, start + TileID.fullWidth)])
                    if let id = try? TileID(level: tileLevel, index: UInt64(start / TileID.fullWidth), width: hashes.count),
                        let tile = try? HashTile(hashes: hashes)
                    {
                        tiles.append((id, tile.bytes))
                    }
                }
            }
            var bundles: [(EntryBundleID, [UInt8])] = []
            for start in stride(from: 0, to: entries.count, by: TileID.fullWidth) {
                let data = entries[start..<min(entries.count, start + TileID.fullWidth)].map(\.data)
                if let id = try? EntryBundleID(index: UInt64(start / TileID.fullWidth), width: data.count),
                    let bundle = try? EntryBundle(entries: data)
                {
                    bundles.append((id, bundle.bytes))
                }
            }
            return (tree, tiles, bundles)
        }
    }
}
