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
        var checker = Checker(storage: storage, maxProblems: maxProblems)
        do {
            try await checker.run(origin: origin, keys: keys)
        } catch {
            checker.problem(.storageFailure, "\(error)")
        }
        return checker.report
    }

    private struct Checker {
        let storage: any LogStorage
        let maxProblems: Int
        var report = FsckReport()

        init(storage: any LogStorage, maxProblems: Int) {
            self.storage = storage
            self.maxProblems = maxProblems
        }

        mutating func problem(_ code: FsckProblem.Code, _ detail: String) {
            if report.problems.count < maxProblems { report.problems.append(FsckProblem(code: code, detail: detail)) }
        }

        mutating func run(origin: String, keys: [NoteVerifierKey]) async throws {
            let sequenced = try await storage.sequencedSize()
            report.sequencedSize = sequenced
            let stored = try await storage.checkpoint()
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

            var tree = CompactRange()
            var levelHashes: [Int: [MerkleHash]] = [:]  // the hashes of the current (rightmost) tile per level
            var levelTileIndex: [Int: UInt64] = [:]
            var bundle: [[UInt8]] = []
            var next: UInt64 = 0
            let chunk: UInt64 = 4_096
            while next < sequenced {
                let end = min(sequenced, next + chunk)
                let entries = try await storage.entries(in: next..<end)
                for entry in entries {
                    guard entry.index == next else {
                        problem(.entryMissing, "expected entry \(next), got \(entry.index)")
                        return
                    }
                    if try await storage.index(forIdentity: entry.identity) != entry.index {
                        problem(.dedupMismatch, "the identity of entry \(entry.index) does not map to it")
                    }
                    if entry.index < size {
                        var completed: [(Int, UInt64, MerkleHash)] = []
                        tree.append(Merkle.leafHash(entry.data)) { level, index, hash in
                            if level % TileID.height == 0 { completed.append((level / TileID.height, index, hash)) }
                        }
                        for (tileLevel, index, hash) in completed {
                            levelHashes[tileLevel, default: []].append(hash)
                            levelTileIndex[tileLevel] = index / UInt64(TileID.fullWidth)
                            if levelHashes[tileLevel]?.count == TileID.fullWidth {
                                try await checkTile(level: tileLevel, index: index / 256, hashes: levelHashes[tileLevel] ?? [])
                                levelHashes[tileLevel] = []
                            }
                        }
                        bundle.append(entry.data)
                        if bundle.count == TileID.fullWidth {
                            try await checkBundle(index: entry.index / 256, entries: bundle)
                            bundle = []
                        }
                    }
                    next += 1
                }
                if next < end {
                    problem(.entryMissing, "entries \(next)..<\(end) are missing")
                    return
                }
            }
            // The partial tiles and bundle at the checkpoint's size.
            for (tileLevel, hashes) in levelHashes where !hashes.isEmpty {
                try await checkTile(level: tileLevel, index: levelTileIndex[tileLevel] ?? 0, hashes: hashes)
            }
            if !bundle.isEmpty { try await checkBundle(index: size / 256, entries: bundle) }

            guard tree.size == size else { return }  // entries missing: already reported
            if tree.root != root {
                problem(.rootMismatch, "entries give root \(tree.root) at size \(size), the checkpoint says \(root)")
            }
            if let stored, stored.tree != tree {
                problem(
                    .treeStateMismatch,
                    "stored tree state has size \(stored.tree.size) and \(stored.tree.hashes.count) hashes; "
                        + "entries give size \(tree.size) and \(tree.hashes.count) hashes")
            }
        }

        mutating func checkTile(level: Int, index: UInt64, hashes: [MerkleHash]) async throws {
            report.tilesChecked += 1
            let id = try TileID(level: level, index: index, width: hashes.count)
            guard let bytes = try await storage.tile(id) else {
                problem(.tileMissing, "\(id.path) is not stored")
                return
            }
            if bytes != (try HashTile(hashes: hashes).bytes) {
                problem(.tileMismatch, "\(id.path) differs from the tile the entries give")
            }
        }

        mutating func checkBundle(index: UInt64, entries: [[UInt8]]) async throws {
            report.bundlesChecked += 1
            let id = try EntryBundleID(index: index, width: entries.count)
            guard let bytes = try await storage.entryBundle(id) else {
                problem(.bundleMissing, "\(id.path) is not stored")
                return
            }
            if bytes != (try EntryBundle(entries: entries).bytes) {
                problem(.bundleMismatch, "\(id.path) differs from the stored entries")
            }
        }
    }
}
