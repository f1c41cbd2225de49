// The one storage boundary of the tile log (DESIGN.md §4, STYLE.md habits 2 and 11). Everything the engine keeps
// goes through `LogStorage`; drivers (in-memory here, SQLite and PostgreSQL elsewhere) implement it and run the
// shared conformance suite in Tests/SigilLogTests/Conformance.

import SigilMerkle
import SigilTlog

/// An entry handed to storage for sequencing: the leaf data and its dedup identity.
public struct LogEntry: Hashable, Sendable {
    /// The longest dedup identity accepted (identities are normally a 32-byte hash of the entry).
    public static let maxIdentityBytes = 64

    /// The entry bytes: what the entry bundle holds and what is leaf-hashed (RFC 6962 `0x00 ‖ data`).
    public let data: [UInt8]
    /// The dedup key: two entries with equal identities are the same entry (Tessera uses `SHA-256(data)`).
    public let identity: [UInt8]

    public init(data: [UInt8], identity: [UInt8]) {
        self.data = data
        self.identity = identity
    }
}

/// An entry with the index storage gave it.
public struct SequencedEntry: Hashable, Sendable {
    public let index: UInt64
    public let data: [UInt8]
    public let identity: [UInt8]

    public init(index: UInt64, data: [UInt8], identity: [UInt8]) {
        self.index = index
        self.data = data
        self.identity = identity
    }
}

/// What sequencing did with one submitted entry.
public struct SequencingResult: Hashable, Sendable {
    /// The entry's index: newly assigned, or the index the same identity already has.
    public let index: UInt64
    /// Whether the identity was already in the log (or earlier in the same batch), so nothing new was stored.
    public let isDuplicate: Bool

    public init(index: UInt64, isDuplicate: Bool) {
        self.index = index
        self.isDuplicate = isDuplicate
    }
}

/// A hash tile body at its C2SP path (`tile/<L>/<N>[.p/<W>]`).
public struct StoredTile: Hashable, Sendable {
    public let id: TileID
    /// The tile body: `id.width` concatenated 32-byte hashes.
    public let bytes: [UInt8]

    public init(id: TileID, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }
}

/// An entry bundle body at its C2SP path (`tile/entries/<N>[.p/<W>]`).
public struct StoredEntryBundle: Hashable, Sendable {
    public let id: EntryBundleID
    /// The bundle body: `id.width` entries, each `uint16 length ‖ data`.
    public let bytes: [UInt8]

    public init(id: EntryBundleID, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }
}

/// The published checkpoint together with the integrated tree it signs, so an engine can resume appending from
/// it without re-reading the whole log.
public struct StoredCheckpoint: Hashable, Sendable {
    /// The signed checkpoint note, exactly as served at `<prefix>/checkpoint`.
    public let note: [UInt8]
    /// The integrated tree the note signs: its size and the compact range (perfect-subtree roots) at that size.
    /// `tree.size` and `tree.root` equal the note's size and root hash.
    public let tree: CompactRange

    public init(note: [UInt8], tree: CompactRange) {
        self.note = note
        self.tree = tree
    }

    /// The compact range as one blob (size as 8 bytes big-endian, then the hashes), for drivers that keep it in
    /// one column. ``init(note:encodedTree:)`` reads it back.
    public var encodedTree: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + tree.hashes.count * MerkleHash.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: tree.size >> UInt64(shift))) }
        for hash in tree.hashes { out += hash.bytes }
        return out
    }

    /// Reads ``encodedTree`` back; throws ``LogError/Code-swift.struct/corruptStorage`` when it is malformed.
    public init(note: [UInt8], encodedTree: [UInt8]) throws(LogError) {
        guard encodedTree.count >= 8, (encodedTree.count - 8) % MerkleHash.byteCount == 0 else {
            throw LogError(.corruptStorage, "encoded tree of \(encodedTree.count) bytes is not 8 + 32·k")
        }
        let size = encodedTree.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var hashes: [MerkleHash] = []
        for start in stride(from: 8, to: encodedTree.count, by: MerkleHash.byteCount) {
            guard let hash = MerkleHash(bytes: encodedTree[start..<(start + MerkleHash.byteCount)]) else {
                throw LogError(.corruptStorage, "encoded tree hash at byte \(start) is not 32 bytes")
            }
            hashes.append(hash)
        }
        do {
            self.init(note: note, tree: try CompactRange(size: size, hashes: hashes))
        } catch {
            throw LogError(.corruptStorage, "encoded tree: \(error.reason)")
        }
    }
}

/// What the engine asks ``LogStorage/sequence(_:replacing:publishing:)`` to write together with a batch: the tiles
/// and bundles the batch's entries complete, and the checkpoint that signs the grown tree.
public struct BatchPublication: Hashable, Sendable {
    public let tiles: [StoredTile]
    public let bundles: [StoredEntryBundle]
    /// The new checkpoint; it replaces the stored one.
    public let checkpoint: StoredCheckpoint

    public init(tiles: [StoredTile], bundles: [StoredEntryBundle], checkpoint: StoredCheckpoint) {
        self.tiles = tiles
        self.bundles = bundles
        self.checkpoint = checkpoint
    }
}

/// What ``LogStorage/sequence(_:replacing:publishing:)`` did.
public struct BatchSequencing: Hashable, Sendable {
    /// One result per input entry, in input order (as ``LogStorage/sequence(_:)`` returns them).
    public let results: [SequencingResult]
    /// The checkpoint stored with the batch, or `nil` when only the entries were sequenced.
    public let published: StoredCheckpoint?

    public init(results: [SequencingResult], published: StoredCheckpoint?) {
        self.results = results
        self.published = published
    }
}

/// Durable storage for a tile log.
///
/// **Not found** is `nil` (or an empty or shorter array for ranges), never an error. Errors are for failures
/// (I/O, lost connection, constraint violations); when a write throws, the caller must assume it may or may not
/// have landed, and the engine is written so that either outcome is safe.
///
/// **Durability**: when a write returns normally, what it wrote survives a crash of the process and of the machine
/// (SQLite: committed in WAL mode with `synchronous=FULL`; PostgreSQL: committed). Every write is atomic: all or
/// nothing of one call is visible, never a part.
///
/// **Concurrency**: every method may be called concurrently from any task, also from several engines in several
/// processes sharing one database. `sequence` calls serialize among themselves (one transaction each: read the
/// next index, insert, bump it), so indices are never duplicated or skipped. Tile and bundle writes may race;
/// they are idempotent because, indices being fixed, every writer writes the same bytes at the same path.
/// The checkpoint changes only through `compareAndSwapCheckpoint`.
///
/// A SQL driver needs four tables: entries (index primary key, data, identity unique), a one-row sequence
/// counter (or `max(index) + 1`), tiles (path primary key, bytes), checkpoint (one row: note, encoded tree).
/// Every method is one statement or one transaction.
public protocol LogStorage: Sendable {
    /// Sequences a batch atomically: in one transaction, each entry whose identity is not yet in the dedup index
    /// (nor earlier in this batch) gets the next index, contiguous from ``sequencedSize()``, and is stored with
    /// its identity; the others are duplicates and get the index their identity already has. Returns one result
    /// per input entry, in input order. When it returns, the new entries and their identities are durable.
    ///
    /// Index assignment lives here, not in the engine, so several engines on one database cannot hand out the
    /// same index, and dedup is exact: the identity check and the insert are one transaction.
    func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult]

    /// The number of entries sequenced so far (the next index to assign).
    func sequencedSize() async throws -> UInt64

    /// The sequenced entries with indices in `range`, in index order. Indices at or past ``sequencedSize()`` are
    /// simply absent, so the result may be shorter than the range (or empty).
    func entries(in range: Range<UInt64>) async throws -> [SequencedEntry]

    /// The index the dedup identity has, or `nil` if no sequenced entry has it.
    func index(forIdentity identity: [UInt8]) async throws -> UInt64?

    /// Writes hash tiles and entry bundles, replacing whatever is at the same paths (the bytes are then equal
    /// anyway), in one transaction. Durable when it returns.
    func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws

    /// The tile stored at exactly this path (level, index and width), or `nil`.
    func tile(_ id: TileID) async throws -> [UInt8]?

    /// The entry bundle stored at exactly this path (index and width), or `nil`.
    func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]?

    /// The latest checkpoint with its tree state, or `nil` when none has been published.
    func checkpoint() async throws -> StoredCheckpoint?

    /// Replaces the checkpoint with `new` if and only if the stored one equals `expected` (compare the note bytes;
    /// `nil` means "none is stored yet"). Returns `false`, changing nothing, when another writer got there first;
    /// the caller then re-reads. Durable when it returns `true`. Storage does not judge the tree: the publisher
    /// checks that `new` extends `expected` before calling this.
    func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool

    /// Takes or renews the integration lease for this storage instance (see ``IntegrationLease``). Storage shared
    /// by several engines answers ``IntegrationLease/held`` or ``IntegrationLease/heldElsewhere``; the default
    /// (one engine) answers ``IntegrationLease/exclusive``.
    func acquireIntegrationLease() async throws -> IntegrationLease

    /// Gives the lease up if this instance holds it, so another engine can take it at once. Default: nothing.
    func releaseIntegrationLease() async throws
    /// Sequences a batch and publishes it in the same transaction: one durable write per batch instead of three
    /// (sequence, tiles, checkpoint), which is what bounds a log on a disk that syncs each commit.
    ///
    /// In one transaction: sequence `entries` exactly as ``sequence(_:)`` does; then, only if the stored checkpoint
    /// equals `expected` (compare the note bytes), call `publish` with the results and, if it returns a
    /// publication, write its tiles and bundles (as ``writeTiles(_:bundles:)``) and replace the checkpoint with
    /// its checkpoint. `publish` is synchronous, never throws and may return `nil` (then only the entries are
    /// stored). When the call returns, everything it reports is durable; when it throws, nothing of it may have
    /// landed, or all of it.
    ///
    /// The engine builds the publication from the tree `expected` signs plus the batch's new entries, so it
    /// extends `expected` by construction; storage does not judge it.
    ///
    /// A default implementation (``sequence(_:)``, then nothing published) is provided: a driver that keeps it
    /// is correct, the engine then integrates and publishes in separate calls.
    func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing
}

extension LogStorage {
    /// Sequences only (``sequence(_:)``) and publishes nothing; the engine integrates separately.
    public func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing {
        BatchSequencing(results: try await sequence(entries), published: nil)
    }
}
