// Engine behaviour that does not depend on the driver: input limits, pushback, batching, cancellation, shutdown,
// opening a store that belongs to another log, and fsck finding what was corrupted on purpose.

import Crypto
import SigilLog
import SigilMerkle
import SigilTesting
import SigilTlog
import Synchronization
import Testing

@Suite("TileLog engine")
struct TileLogTests {
    @Test("an empty log publishes the empty tree on open")
    func emptyLogPublishesEmptyTree() async throws {
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(storage)
        let checkpoint = await log.latestCheckpoint
        #expect(checkpoint.size == 0)
        #expect(checkpoint.rootHash == Merkle.emptyRoot)
        let verified = try verifiedCheckpoint(checkpoint)
        #expect(verified.origin == TestLogKey.origin)
        #expect(checkpoint.noteText.hasPrefix("\(TestLogKey.origin)\n0\n"))
        await log.shutdown()
        await expectFsckClean(storage)
    }

    @Test("oversized entries and malformed identities are refused before sequencing")
    func inputLimits() async throws {
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(storage)
        await expectLogError(.entryTooLarge) { _ = try await log.append([UInt8](repeating: 1, count: 65_536), identity: [1]) }
        await expectLogError(.malformedIdentity) { _ = try await log.append([1], identity: []) }
        await expectLogError(.malformedIdentity) { _ = try await log.append([1], identity: [UInt8](repeating: 1, count: 65)) }
        // The largest entry a bundle can hold is fine.
        let big = try await log.append([UInt8](repeating: 7, count: 65_535), identity: [9])
        #expect(big.index == 0)
        #expect(try await storage.sequencedSize() == 1)
        _ = try await log.waitForInclusion(of: 0)
        await log.shutdown()
        await expectFsckClean(storage)
    }

    // No clock in the assertion: the batch delay is an hour, so the appends return only if a full batch is
    // sequenced by count; the time limit is a guard against hanging, far above any load's slowness.
    @Test("a full batch is sequenced at once, without waiting for the batch delay", .timeLimit(.minutes(10)))
    func fullBatchFlushesByCount() async throws {
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(
            storage, configuration: TestLogKey.configuration(batchDelay: .seconds(3600), maxBatchSize: 8))
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for number in 0..<8 {
                group.addTask {
                    let entry = testEntry("batch-", number)
                    return try await log.append(entry.data, identity: entry.identity)
                }
            }
            var all: [AppendResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(Set(results.map(\.index)) == Set(0..<8))
        await log.shutdown()
    }

    @Test("a batch is sequenced, integrated and published in one storage call when the store offers it")
    func batchPublishedWithItsSequencing() async throws {
        let storage = CountingLogStorage(base: InMemoryLogStorage())
        let log = try await TestLogKey.open(storage)
        #expect(storage.counts == CountingLogStorage.Counts(compareAndSwaps: 1))  // the empty tree, at open
        let proven = try await withThrowingTaskGroup(of: (UInt64, Bool).self) { group in
            for number in 0..<40 {
                group.addTask {
                    let entry = testEntry("one-call-", number)
                    let appended = try await log.append(entry.data, identity: entry.identity)
                    let leaf = Merkle.leafHash(entry.data)
                    let inclusion = try await log.waitForInclusion(of: appended.index, leafHash: leaf)
                    let verifies = (try? Merkle.verifyInclusion(
                        leafHash: leaf, index: appended.index, size: inclusion.checkpoint.size,
                        proof: inclusion.proof, root: inclusion.checkpoint.rootHash)) != nil
                    return (appended.index, verifies)
                }
            }
            var all: [(UInt64, Bool)] = []
            for try await item in group { all.append(item) }
            return all
        }
        #expect(Set(proven.map(\.0)) == Set(0..<40))
        #expect(proven.filter { !$0.1 }.isEmpty)
        // No separate sequencing, tile write or checkpoint swap, and no entry read back for a proof.
        let counts = storage.counts
        #expect(counts.combined >= 1 && counts.combined <= 40)
        #expect(counts.sequences == 0 && counts.tileWrites == 0 && counts.compareAndSwaps == 1)
        #expect(counts.entryReads == 0)
        // A proof for a leaf that is not the one at the index does not verify and is refused.
        await expectLogError(.corruptStorage) {
            _ = try await log.waitForInclusion(of: 3, leafHash: Merkle.leafHash(Array("stranger".utf8)))
        }
        await log.shutdown()
        await expectFsckClean(storage.base)
    }

    @Test("too many waiting entries are pushed back; shutdown still sequences the waiting ones")
    func pushbackAndDrainingShutdown() async throws {
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(
            storage,
            configuration: TestLogKey.configuration(batchDelay: .seconds(60), maxBatchSize: 100, maxPendingEntries: 2))
        let waiting = (0..<2).map { number in
            Task {
                let entry = testEntry("push-", number)
                return try await log.append(entry.data, identity: entry.identity)
            }
        }
        // Let both reach the pending queue (they wait for a batch that never fills).
        while await log.pendingEntries < 2 { try await Task.sleep(for: .milliseconds(2)) }
        await expectLogError(.pushback) {
            let entry = testEntry("push-", 2)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        await log.shutdown()
        let indices = try await waiting.asyncMap { try await $0.value.index }
        #expect(Set(indices) == [0, 1])
        await expectLogError(.stopped) { _ = try await log.append([1], identity: [1]) }
        await expectFsckClean(storage)
        // The shut-down log's entries are integrated by the next engine, if not already.
        let reopened = try await TestLogKey.open(storage)
        #expect(await reopened.latestCheckpoint.size == 2)
        await reopened.shutdown()
    }

    @Test("waiting for an index that is not sequenced fails at once")
    func waitForUnsequencedIndex() async throws {
        let log = try await TestLogKey.open(InMemoryLogStorage())
        await expectLogError(.indexOutOfRange) { _ = try await log.waitForCheckpoint(covering: 0) }
        await expectLogError(.indexOutOfRange) { _ = try await log.inclusionProof(index: 0, treeSize: 1) }
        await expectLogError(.indexOutOfRange) { _ = try await log.consistencyProof(from: 0, to: 5) }
        await log.shutdown()
    }

    @Test("a cancelled wait ends with CancellationError and leaves the log working")
    func cancelledWait() async throws {
        let faulty = FaultInjectingLogStorage(wrapping: InMemoryLogStorage())
        var configuration = TestLogKey.configuration()
        configuration.maxConsecutiveFailures = .max
        let log = try await TestLogKey.open(faulty, configuration: configuration)
        // Integration cannot progress while tile writes fail, so the waiter really waits.
        faulty.inject(LogStorageFault(.writeTiles, .beforePersist, call: 1, count: .max / 2))
        let entry = testEntry("cancel-", 0)
        let appended = try await log.append(entry.data, identity: entry.identity)
        let waiter = Task { try await log.waitForCheckpoint(covering: appended.index) }
        while faulty.firedFaults.count < 2 { try await Task.sleep(for: .milliseconds(2)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        faulty.clearFaults()
        #expect(try await log.waitForInclusion(of: appended.index).checkpoint.size == 1)
        #expect(await log.stoppedReason == nil)
        await log.shutdown()
        await expectFsckClean(faulty.base)
    }

    @Test("opening a store whose checkpoint another key signed fails as corrupt storage")
    func openRefusesForeignCheckpoint() async throws {
        let storage = InMemoryLogStorage()
        let foreign = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.otherSigner)
        #expect(try await foreign.publish(CompactRange(), replacing: nil, storage: storage) != nil)
        await expectLogError(.corruptStorage) { _ = try await TestLogKey.open(storage) }
    }

    @Test("opening a store whose checkpoint is of another tree refuses to publish over it")
    func openRefusesNonExtendingStoredTree() async throws {
        // Log A has 30 entries; its checkpoint is replaced by one of 10 other leaves signed with A's key. The
        // engine integrates A's entries from there, and the publisher's consistency check refuses the result.
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(storage)
        for number in 0..<30 {
            let entry = testEntry("a-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        _ = try await log.waitForCheckpoint(covering: 29)
        await log.shutdown()
        var foreign = CompactRange()
        for number in 0..<10 { foreign.append(Merkle.leafHash(testEntry("b-", number).data)) }
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)
        await storage.unsafeReplaceCheckpoint(StoredCheckpoint(note: try publisher.sign(foreign), tree: foreign))
        await expectLogError(.notAnExtension) { _ = try await TestLogKey.open(storage) }
    }
}

@Suite("fsck")
struct FsckTests {
    /// A log of `size` entries, shut down, with its storage.
    private func makeLog(size: Int) async throws -> InMemoryLogStorage {
        let storage = InMemoryLogStorage()
        let log = try await TestLogKey.open(storage)
        for number in 0..<size {
            let entry = testEntry("fsck-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        _ = try await log.waitForCheckpoint(covering: UInt64(size - 1))
        await log.shutdown()
        return storage
    }

    private func codes(_ storage: InMemoryLogStorage, keys: [NoteVerifierKey] = [TestLogKey.verifierKey])
        async -> [FsckProblem.Code]
    {
        await LogFsck.check(storage: storage, origin: TestLogKey.origin, keys: keys).problems.map(\.code)
    }

    @Test("a healthy log of 600 entries is clean and every tile is checked")
    func healthyLogIsClean() async throws {
        let storage = try await makeLog(size: 600)
        let report = await expectFsckClean(storage)
        #expect(report.checkpointSize == 600)
        #expect(report.sequencedSize == 600)
        // Level 0: 2 full + 1 partial; level 1: 1 partial.
        #expect(report.tilesChecked == 4)
        #expect(report.bundlesChecked == 3)
    }

    @Test("a flipped bit in a full tile is a tile mismatch")
    func flippedTileBit() async throws {
        let storage = try await makeLog(size: 300)
        let id = try TileID(level: 0, index: 0)
        var bytes = try #require(try await storage.tile(id))
        bytes[100] ^= 0x01
        await storage.unsafeOverwriteTile(id, bytes: bytes)
        #expect(await codes(storage) == [.tileMismatch])
    }

    @Test("a missing partial tile is reported")
    func missingPartialTile() async throws {
        let storage = try await makeLog(size: 300)
        await storage.unsafeRemoveTile(try TileID(level: 0, index: 1, width: 44))
        #expect(await codes(storage) == [.tileMissing])
    }

    @Test("a changed entry bundle is a bundle mismatch")
    func changedBundle() async throws {
        let storage = try await makeLog(size: 10)
        let id = try EntryBundleID(index: 0, width: 10)
        let entries = try EntryBundle(bytes: try #require(try await storage.entryBundle(id))).entries
        var changed = entries
        changed[3] = Array("fsck-x".utf8)
        await storage.unsafeOverwriteEntryBundle(id, bytes: try EntryBundle(entries: changed).bytes)
        #expect(await codes(storage) == [.bundleMismatch])
    }

    @Test("a checkpoint signed by another key is invalid")
    func checkpointOfAnotherKey() async throws {
        let storage = try await makeLog(size: 5)
        let current = try #require(try await storage.checkpoint())
        let other = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.otherSigner)
        await storage.unsafeReplaceCheckpoint(StoredCheckpoint(note: try other.sign(current.tree), tree: current.tree))
        #expect(await codes(storage) == [.checkpointInvalid])
        // With the right key list fsck is clean again: the tree itself is fine.
        #expect(await codes(storage, keys: [TestLogKey.otherSigner.verifierKey]).isEmpty)
    }

    @Test("a checkpoint whose root is not the entries' root is a root mismatch")
    func wrongRoot() async throws {
        let storage = try await makeLog(size: 5)
        var wrong = CompactRange()
        for number in 0..<5 { wrong.append(Merkle.leafHash(testEntry("other-", number).data)) }
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)
        await storage.unsafeReplaceCheckpoint(StoredCheckpoint(note: try publisher.sign(wrong), tree: wrong))
        let found = await codes(storage)
        #expect(found.contains(.rootMismatch))
        #expect(found.contains(.treeStateMismatch))
    }

    @Test("a checkpoint beyond the sequenced entries is reported")
    func checkpointBeyondEntries() async throws {
        let storage = try await makeLog(size: 5)
        var bigger = CompactRange()
        for number in 0..<9 { bigger.append(Merkle.leafHash(testEntry("fsck-", number).data)) }
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)
        await storage.unsafeReplaceCheckpoint(StoredCheckpoint(note: try publisher.sign(bigger), tree: bigger))
        #expect(await codes(storage).contains(.checkpointBeyondEntries))
    }

    @Test("entries with no checkpoint are reported")
    func entriesWithoutCheckpoint() async throws {
        let storage = InMemoryLogStorage()
        _ = try await storage.sequence([LogEntry(data: [1], identity: [1])])
        #expect(await codes(storage) == [.missingCheckpoint])
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}

/// Forwards every call to `base` and counts the writes (and entry reads), to see which path the engine takes.
final class CountingLogStorage: LogStorage {
    struct Counts: Equatable, Sendable {
        var sequences = 0
        var combined = 0
        var tileWrites = 0
        var compareAndSwaps = 0
        var entryReads = 0
    }

    let base: any LogStorage
    private let state = Mutex(Counts())

    init(base: any LogStorage) { self.base = base }

    var counts: Counts { state.withLock { $0 } }

    func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] {
        state.withLock { $0.sequences += 1 }
        return try await base.sequence(entries)
    }

    func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing {
        state.withLock { $0.combined += 1 }
        return try await base.sequence(entries, replacing: expected, publishing: publish)
    }

    func sequencedSize() async throws -> UInt64 { try await base.sequencedSize() }

    func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        state.withLock { $0.entryReads += 1 }
        return try await base.entries(in: range)
    }

    func index(forIdentity identity: [UInt8]) async throws -> UInt64? { try await base.index(forIdentity: identity) }

    func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        state.withLock { $0.tileWrites += 1 }
        try await base.writeTiles(tiles, bundles: bundles)
    }

    func tile(_ id: TileID) async throws -> [UInt8]? { try await base.tile(id) }

    func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? { try await base.entryBundle(id) }

    func checkpoint() async throws -> StoredCheckpoint? { try await base.checkpoint() }

    func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        state.withLock { $0.compareAndSwaps += 1 }
        return try await base.compareAndSwapCheckpoint(expected: expected, new: new)
    }
}
