// The in-memory `LogStorage`: the reference driver the conformance suite is written against, and the store of
// `VirtualSigstore` and single-process tests. "Durable" here means "until the process ends"; a restart in a
// test is a new engine over the same instance.

import SigilTlog

/// A `LogStorage` in memory. Every call is atomic (actor isolation); nothing is ever deleted, so partial tiles of
/// every integrated size stay readable. Wrap it in ``FaultInjectingLogStorage`` to make writes fail.
public actor InMemoryLogStorage: LogStorage {
    private var stored: [SequencedEntry] = []
    private var identities: [[UInt8]: UInt64] = [:]
    private var tiles: [TileID: [UInt8]] = [:]
    private var bundles: [EntryBundleID: [UInt8]] = [:]
    private var current: StoredCheckpoint?

    public init() {}

    public func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] { sequenceNow(entries) }

    private func sequenceNow(_ entries: [LogEntry]) -> [SequencingResult] {
        var results: [SequencingResult] = []
        results.reserveCapacity(entries.count)
        for entry in entries {
            if let existing = identities[entry.identity] {
                results.append(SequencingResult(index: existing, isDuplicate: true))
                continue
            }
            let index = UInt64(stored.count)
            stored.append(SequencedEntry(index: index, data: entry.data, identity: entry.identity))
            identities[entry.identity] = index
            results.append(SequencingResult(index: index, isDuplicate: false))
        }
        return results
    }

    public func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing {
        // One actor turn: the sequencing, the check of the checkpoint and the publication are one atomic step.
        let results = sequenceNow(entries)
        guard current?.note == expected.note, let publication = publish(results) else {
            return BatchSequencing(results: results, published: nil)
        }
        storeTiles(publication.tiles, bundles: publication.bundles)
        current = publication.checkpoint
        return BatchSequencing(results: results, published: publication.checkpoint)
    }

    public func sequencedSize() async throws -> UInt64 { UInt64(stored.count) }

    public func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        let end = min(range.upperBound, UInt64(stored.count))
        guard range.lowerBound < end else { return [] }
        return Array(stored[Int(range.lowerBound)..<Int(end)])
    }

    public func index(forIdentity identity: [UInt8]) async throws -> UInt64? { identities[identity] }

    public func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        storeTiles(tiles, bundles: bundles)
    }

    private func storeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) {
        for tile in tiles { self.tiles[tile.id] = tile.bytes }
        for bundle in bundles { self.bundles[bundle.id] = bundle.bytes }
    }

    public func tile(_ id: TileID) async throws -> [UInt8]? { tiles[id] }

    public func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? { bundles[id] }

    public func checkpoint() async throws -> StoredCheckpoint? { current }

    public func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        guard current?.note == expected?.note else { return false }
        current = new
        return true
    }

    // Test helpers: corrupt stored data on purpose, so fsck has something to find.

    /// Overwrites a stored tile (or adds one) without any check. Tests only.
    public func unsafeOverwriteTile(_ id: TileID, bytes: [UInt8]) { tiles[id] = bytes }

    /// Overwrites a stored bundle (or adds one) without any check. Tests only.
    public func unsafeOverwriteEntryBundle(_ id: EntryBundleID, bytes: [UInt8]) { bundles[id] = bytes }

    /// Removes a stored tile. Tests only.
    public func unsafeRemoveTile(_ id: TileID) { tiles[id] = nil }

    /// Replaces the checkpoint without the compare-and-swap. Tests only.
    public func unsafeReplaceCheckpoint(_ checkpoint: StoredCheckpoint?) { current = checkpoint }
}
