// The storage view that lets the generic SigilLog engine run a static-ct-api log.
//
// A static-ct-api log stores more per entry than it hashes: the data tile holds the whole `TileLeaf` (timestamped
// entry, precertificate, issuer fingerprints) while the Merkle leaf is only the RFC 6962 `MerkleTreeLeaf` around
// the timestamped entry. The engine hashes `entries(in:)` as it reads them, so this view keeps the full TileLeaf in
// the underlying store and hands the engine the MerkleTreeLeaf: level-0 hashes, checkpoints and inclusion proofs
// are then exactly RFC 6962's, and the data tiles are rebuilt from the stored TileLeafs (`StaticCTLog`).
// Everything else passes through unchanged.

import SigilLog
import SigilTlog

/// A ``LogStorage`` over `inner` whose entries are static-ct-api `TileLeaf`s, read back by the engine as
/// RFC 6962 `MerkleTreeLeaf`s.
///
/// Contract: as `inner`'s, except that `entries(in:)` returns, for each stored entry, the `MerkleTreeLeaf` of the
/// `TileLeaf` stored there, and throws ``CTError/Code-swift.struct/corruptLog`` for an entry that is not a
/// well-formed `TileLeaf`. `rawEntries(in:)` returns the stored `TileLeaf`s themselves.
struct TileLeafStorage: LogStorage {
    let inner: any LogStorage

    func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] { try await inner.sequence(entries) }

    func sequencedSize() async throws -> UInt64 { try await inner.sequencedSize() }

    func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        var projected: [SequencedEntry] = []
        for stored in try await inner.entries(in: range) {
            let leaf: PrecertificateTileLeaf
            do { leaf = try PrecertificateTileLeaf(parsing: stored.data) } catch {
                throw CTError(.corruptLog, "entry \(stored.index) is not a TileLeaf: \(error.reason)")
            }
            projected.append(SequencedEntry(index: stored.index, data: leaf.merkleTreeLeaf, identity: stored.identity))
        }
        return projected
    }

    /// The stored `TileLeaf`s with indices in `range`.
    func rawEntries(in range: Range<UInt64>) async throws -> [SequencedEntry] { try await inner.entries(in: range) }

    func index(forIdentity identity: [UInt8]) async throws -> UInt64? { try await inner.index(forIdentity: identity) }

    func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        try await inner.writeTiles(tiles, bundles: bundles)
    }

    func tile(_ id: TileID) async throws -> [UInt8]? { try await inner.tile(id) }

    func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? { try await inner.entryBundle(id) }

    func checkpoint() async throws -> StoredCheckpoint? { try await inner.checkpoint() }

    func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        try await inner.compareAndSwapCheckpoint(expected: expected, new: new)
    }
}
