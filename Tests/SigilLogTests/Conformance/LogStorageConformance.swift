// The LogStorage conformance suite (STYLE.md habit 11): every driver runs these checks, the storage contract ones
// directly against the store and the engine ones through `TileLog`, faults included. Each check is a plain async
// function of a `LogStorageFactory`; `checkNames` and `faultRows` let a driver's test target run them all with two
// parameterised tests.

import Crypto
import SigilLog
import SigilMerkle
import SigilTesting
import SigilTlog
import Testing

enum LogStorageConformance {
    typealias Check = @Sendable (LogStorageFactory) async throws -> Void

    /// Every named check, in a stable order.
    static let checks: [(name: String, run: Check)] = [
        ("sequencing assigns contiguous indices and dedups", sequencingAssignsContiguousIndicesAndDedups),
        ("absent things read as nil or empty", absentThingsReadAsNil),
        ("compare-and-swap honours the expected checkpoint", compareAndSwapHonoursExpected),
        ("tile writes are idempotent and exact by path", tileWritesAreExactByPath),
        ("a batch publishes with its sequencing only over the expected checkpoint", batchPublishesOverExpected),
        ("concurrent appends from 16 tasks", concurrentAppendsFrom16Tasks),
        ("dedup survives a restart", dedupSurvivesRestart),
        ("tiles match the reference tree around tile boundaries", tilesMatchReferenceAroundBoundaries),
        ("publishing refuses a tree that does not extend the last", publishingRefusesNonExtendingTrees),
        ("a read failure while proving an extension is a storage failure", readFailureWhileProvingIsStorageFailure),
        ("recovery integrates entries sequenced before a crash", recoveryIntegratesSequencedEntries),
        ("two engines share one store", twoEnginesShareOneStore),
    ]

    static var checkNames: [String] { checks.map(\.name) }

    static func run(_ name: String, on factory: LogStorageFactory) async throws {
        guard let check = checks.first(where: { $0.name == name }) else {
            Issue.record("no conformance check named \(name)")
            return
        }
        try await check.run(factory)
    }

    // MARK: The storage contract, directly

    @Sendable static func sequencingAssignsContiguousIndicesAndDedups(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let first = (0..<3).map { testEntry("seq-", $0) }
        let results = try await storage.sequence(first.map { LogEntry(data: $0.data, identity: $0.identity) })
        #expect(results == (0..<3).map { SequencingResult(index: UInt64($0), isDuplicate: false) })

        // A duplicate of an old entry, two new ones, and a repeat of a new one within the same batch.
        let new3 = testEntry("seq-", 3)
        let new4 = testEntry("seq-", 4)
        let second = try await storage.sequence([
            LogEntry(data: first[1].data, identity: first[1].identity),
            LogEntry(data: new3.data, identity: new3.identity),
            LogEntry(data: new4.data, identity: new4.identity),
            LogEntry(data: new3.data, identity: new3.identity),
        ])
        #expect(
            second == [
                SequencingResult(index: 1, isDuplicate: true), SequencingResult(index: 3, isDuplicate: false),
                SequencingResult(index: 4, isDuplicate: false), SequencingResult(index: 3, isDuplicate: true),
            ])
        #expect(try await storage.sequencedSize() == 5)
        let read = try await storage.entries(in: 1..<10)
        #expect(read.map(\.index) == [1, 2, 3, 4])
        #expect(read.map(\.data) == [first[1].data, first[2].data, new3.data, new4.data])
        #expect(read[2].identity == new3.identity)
        #expect(try await storage.index(forIdentity: new4.identity) == 4)
        #expect(try await storage.sequence([]) == [])
    }

    @Sendable static func absentThingsReadAsNil(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        #expect(try await storage.sequencedSize() == 0)
        #expect(try await storage.entries(in: 0..<10).isEmpty)
        #expect(try await storage.entries(in: 7..<9).isEmpty)
        #expect(try await storage.index(forIdentity: Array("nobody".utf8)) == nil)
        #expect(try await storage.tile(TileID(level: 0, index: 0)) == nil)
        #expect(try await storage.entryBundle(EntryBundleID(index: 0, width: 3)) == nil)
        #expect(try await storage.checkpoint() == nil)
        _ = try await storage.sequence([LogEntry(data: [1], identity: [1])])
        #expect(try await storage.entries(in: 1..<5).isEmpty)
    }

    @Sendable static func compareAndSwapHonoursExpected(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)
        var tree = CompactRange()
        let empty = StoredCheckpoint(note: try publisher.sign(tree), tree: tree)
        tree.append(Merkle.leafHash([1]))
        let one = StoredCheckpoint(note: try publisher.sign(tree), tree: tree)
        tree.append(Merkle.leafHash([2]))
        let two = StoredCheckpoint(note: try publisher.sign(tree), tree: tree)

        #expect(try await storage.compareAndSwapCheckpoint(expected: nil, new: empty))
        #expect(try await storage.checkpoint() == empty)
        // "None stored" is no longer true.
        #expect(try await storage.compareAndSwapCheckpoint(expected: nil, new: one) == false)
        // A stale expectation loses and changes nothing.
        #expect(try await storage.compareAndSwapCheckpoint(expected: one, new: two) == false)
        #expect(try await storage.checkpoint() == empty)
        #expect(try await storage.compareAndSwapCheckpoint(expected: empty, new: one))
        #expect(try await storage.compareAndSwapCheckpoint(expected: one, new: two))
        let stored = try #require(try await storage.checkpoint())
        #expect(stored == two)
        #expect(stored.tree.hashes == two.tree.hashes && stored.tree.size == 2)
        // The blob encoding drivers may use round-trips.
        #expect(try StoredCheckpoint(note: two.note, encodedTree: two.encodedTree) == two)
    }

    @Sendable static func tileWritesAreExactByPath(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let hashes = (0..<256).map { Merkle.leafHash([UInt8(truncatingIfNeeded: $0)]) }
        let partial = try TileID(level: 0, index: 0, width: 255)
        let full = try TileID(level: 0, index: 0)
        let partialBytes = try HashTile(hashes: Array(hashes.prefix(255))).bytes
        let fullBytes = try HashTile(hashes: hashes).bytes
        let bundle = try EntryBundleID(index: 0, width: 2)
        let bundleBytes = try EntryBundle(entries: [[1], [2, 3]]).bytes
        try await storage.writeTiles([StoredTile(id: partial, bytes: partialBytes)], bundles: [StoredEntryBundle(id: bundle, bytes: bundleBytes)])
        #expect(try await storage.tile(full) == nil)
        try await storage.writeTiles([StoredTile(id: full, bytes: fullBytes), StoredTile(id: partial, bytes: partialBytes)], bundles: [])
        #expect(try await storage.tile(partial) == partialBytes)
        #expect(try await storage.tile(full) == fullBytes)
        #expect(try await storage.tile(TileID(level: 1, index: 0, width: 255)) == nil)
        #expect(try await storage.entryBundle(bundle) == bundleBytes)
        #expect(try await storage.entryBundle(EntryBundleID(index: 0, width: 1)) == nil)
        #expect(try await storage.entryBundle(EntryBundleID(index: 1, width: 2)) == nil)
    }

    /// `sequence(_:replacing:publishing:)`: a driver either keeps the default (sequences, publishes nothing) or
    /// does both in one transaction, and then only while the stored checkpoint is the expected one.
    @Sendable static func batchPublishesOverExpected(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)
        let empty = StoredCheckpoint(note: try publisher.sign(CompactRange()), tree: CompactRange())
        #expect(try await storage.compareAndSwapCheckpoint(expected: nil, new: empty))

        // Three entries, one of them twice: the publication is built from the results storage hands over.
        let entries = (0..<3).map { testEntry("batch-", $0) }.map { LogEntry(data: $0.data, identity: $0.identity) }
        let batch = entries + [entries[1]]
        let publication = try Self.publication(for: entries, after: empty, publisher: publisher)
        let seen = ResultsBox()
        let first = try await storage.sequence(batch, replacing: empty) { results in
            seen.set(results)
            return publication
        }
        let expectedResults = [0, 1, 2, 1].enumerated().map {
            SequencingResult(index: UInt64($0.element), isDuplicate: $0.offset == 3)
        }
        #expect(first.results == expectedResults)
        #expect(try await storage.sequencedSize() == 3)
        if let published = first.published {
            #expect(seen.value == expectedResults)
            #expect(published == publication.checkpoint)
            #expect(try await storage.checkpoint() == publication.checkpoint)
            for tile in publication.tiles { #expect(try await storage.tile(tile.id) == tile.bytes) }
            for bundle in publication.bundles { #expect(try await storage.entryBundle(bundle.id) == bundle.bytes) }
        } else {
            // The default implementation: sequenced only.
            #expect(try await storage.checkpoint() == empty)
            #expect(try await storage.compareAndSwapCheckpoint(expected: empty, new: publication.checkpoint))
            try await storage.writeTiles(publication.tiles, bundles: publication.bundles)
        }

        // A stale expectation: the entries are sequenced, nothing is published, the checkpoint stays.
        let more = [testEntry("batch-", 3)].map { LogEntry(data: $0.data, identity: $0.identity) }
        let stale = try await storage.sequence(more, replacing: empty) { _ in
            try? Self.publication(for: entries + more, after: empty, publisher: publisher)
        }
        #expect(stale.results == [SequencingResult(index: 3, isDuplicate: false)])
        #expect(stale.published == nil)
        #expect(try await storage.checkpoint() == publication.checkpoint)
        #expect(try await storage.sequencedSize() == 4)
        // A publication of nil sequences only.
        let none = try await storage.sequence(
            [testEntry("batch-", 4)].map { LogEntry(data: $0.data, identity: $0.identity) },
            replacing: publication.checkpoint
        ) { _ in nil }
        #expect(none.results == [SequencingResult(index: 4, isDuplicate: false)])
        #expect(none.published == nil)
        #expect(try await storage.checkpoint() == publication.checkpoint)
        // The engine integrates what was sequenced without a publication when it opens.
        let log = try await TestLogKey.open(storage)
        #expect(await log.latestCheckpoint.size == 5)
        await log.shutdown()
        await expectFsckClean(storage)
    }

    /// The tiles, bundle and checkpoint of `entries` (indices from 0) appended to the empty tree.
    static func publication(
        for entries: [LogEntry], after previous: StoredCheckpoint, publisher: CheckpointPublisher
    ) throws -> BatchPublication {
        var tree = previous.tree
        var hashes: [MerkleHash] = []
        for entry in entries {
            let leaf = Merkle.leafHash(entry.data)
            tree.append(leaf)
            hashes.append(leaf)
        }
        let tile = StoredTile(id: try TileID(level: 0, index: 0, width: entries.count), bytes: try HashTile(hashes: hashes).bytes)
        let bundle = StoredEntryBundle(
            id: try EntryBundleID(index: 0, width: entries.count), bytes: try EntryBundle(entries: entries.map(\.data)).bytes)
        return BatchPublication(
            tiles: [tile], bundles: [bundle], checkpoint: StoredCheckpoint(note: try publisher.sign(tree), tree: tree))
    }

    // MARK: Through the engine

    @Sendable static func concurrentAppendsFrom16Tasks(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let log = try await TestLogKey.open(storage)
        let observer = CheckpointObserver()
        let watching = observer.watch(log)
        let tasks = 16
        let perTask = 125
        let total = tasks * perTask

        // Every 10th append also waits for its inclusion proof, as a Rekor client does.
        let acknowledged = try await withThrowingTaskGroup(of: [(UInt64, Int, Duration?)].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var mine: [(UInt64, Int, Duration?)] = []
                    for n in 0..<perTask {
                        let number = task * perTask + n
                        let entry = testEntry("concurrent-", number)
                        let start = ContinuousClock.now
                        let result = try await log.append(entry.data, identity: entry.identity)
                        #expect(!result.isDuplicate)
                        var waited: Duration?
                        if n % 10 == 0 {
                            let inclusion = try await log.waitForInclusion(of: result.index)
                            waited = ContinuousClock.now - start
                            try Merkle.verifyInclusion(
                                leafHash: Merkle.leafHash(entry.data), index: result.index,
                                size: inclusion.checkpoint.size, proof: inclusion.proof,
                                root: inclusion.checkpoint.rootHash)
                        }
                        mine.append((result.index, number, waited))
                    }
                    return mine
                }
            }
            var all: [(UInt64, Int, Duration?)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(acknowledged.count == total)
        // Indices are exactly 0..<N: no gap, no duplicate.
        #expect(acknowledged.map(\.0).sorted() == (0..<UInt64(total)).map { $0 })
        // How prompt publication is, is measured by scripts/bench-log, not asserted here (no timed assertions).
        let slowest = acknowledged.compactMap(\.2).max() ?? .zero

        let final = try await log.waitForCheckpoint(covering: UInt64(total - 1))
        watching.cancel()
        await observer.record(final)
        #expect(final.size == UInt64(total))
        _ = try verifiedCheckpoint(final)

        // Independent check: the reference tree over the entries in index order has the checkpoint's root, and
        // every proof the log builds verifies against it (a sample is also compared hash for hash).
        var numberAt = [Int](repeating: -1, count: total)
        for (index, number, _) in acknowledged { numberAt[Int(index)] = number }
        let leaves = numberAt.map { Merkle.leafHash(testEntry("concurrent-", $0).data) }
        let reference = ReferenceMerkleTreeBox(ReferenceMerkleTree(leafHashes: leaves))
        #expect(reference.tree.root() == final.rootHash)
        let stored = try await storage.entries(in: 0..<UInt64(total))
        #expect(stored.map { Merkle.leafHash($0.data) } == leaves)
        for index in 0..<total {
            let proof = try await log.inclusionProof(index: UInt64(index), treeSize: final.size)
            try Merkle.verifyInclusion(
                leafHash: leaves[index], index: UInt64(index), size: final.size, proof: proof, root: final.rootHash)
            if index % 97 == 0 || index == total - 1 {
                #expect(proof == reference.tree.inclusionProof(index: index))
            }
        }

        // Consistency between every pair of checkpoints seen during the run.
        let seen = await observer.seen
        #expect(seen.count >= 2)
        for checkpoint in seen { _ = try verifiedCheckpoint(checkpoint) }
        let start = ContinuousClock.now
        try await expectPairwiseConsistent(seen, log: log, reference: reference)
        print("concurrent appends: \(seen.count) checkpoints observed, pairwise consistency in \(ContinuousClock.now - start), slowest proven append \(slowest)")

        await log.shutdown()
        await expectFsckClean(storage)
    }

    @Sendable static func dedupSurvivesRestart(_ factory: LogStorageFactory) async throws {
        let open = try await factory.makeLocation()
        let a = testEntry("dedup-", 0)
        let b = testEntry("dedup-", 1)
        let c = testEntry("dedup-", 2)
        let log = try await TestLogKey.open(try await open())
        let first = try await log.append(a.data, identity: a.identity)
        let second = try await log.append(b.data, identity: b.identity)
        let again = try await log.append(a.data, identity: a.identity)
        #expect(first == AppendResult(index: 0, isDuplicate: false))
        #expect(second == AppendResult(index: 1, isDuplicate: false))
        #expect(again == AppendResult(index: 0, isDuplicate: true))
        // Same identity, other bytes: still the first entry (the identity is the caller's definition of "same").
        let sameIdentity = try await log.append([0xff], identity: a.identity)
        #expect(sameIdentity == AppendResult(index: 0, isDuplicate: true))
        // Concurrent duplicates of a new entry all get one index.
        let concurrent = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<8 { group.addTask { try await log.append(c.data, identity: c.identity) } }
            var results: [AppendResult] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(Set(concurrent.map(\.index)) == [2])
        #expect(concurrent.filter { !$0.isDuplicate }.count == 1)
        _ = try await log.waitForInclusion(of: 2)
        await log.shutdown()

        let restarted = try await TestLogKey.open(try await open())
        #expect(try await restarted.append(a.data, identity: a.identity) == AppendResult(index: 0, isDuplicate: true))
        #expect(try await restarted.append(c.data, identity: c.identity) == AppendResult(index: 2, isDuplicate: true))
        let d = testEntry("dedup-", 3)
        #expect(try await restarted.append(d.data, identity: d.identity) == AppendResult(index: 3, isDuplicate: false))
        let inclusion = try await restarted.waitForInclusion(of: 3)
        #expect(inclusion.checkpoint.size == 4)
        await restarted.shutdown()
        await expectFsckClean(try await open())
    }

    @Sendable static func tilesMatchReferenceAroundBoundaries(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let log = try await TestLogKey.open(storage)
        // Entries go straight into storage in big batches (cheap); the engine integrates exactly to each size.
        let sizes = [1, 255, 256, 257, 511, 512, 600, 65_535, 65_536, 65_537]
        let reference = ReferenceMerkleTree(size: sizes.last ?? 0, prefix: "leaf-")
        var sequenced = 0
        var previousTiles: [TileID: [UInt8]] = [:]
        for size in sizes {
            var batch: [LogEntry] = []
            for number in sequenced..<size {
                let data = Array("leaf-\(number)".utf8)
                batch.append(LogEntry(data: data, identity: Array(SHA256.hash(data: data))))
            }
            for chunk in stride(from: 0, to: batch.count, by: 8_192) {
                _ = try await storage.sequence(Array(batch[chunk..<min(batch.count, chunk + 8_192)]))
            }
            sequenced = size
            let checkpoint = try await log.waitForCheckpoint(covering: UInt64(size - 1))
            // Integration is in steps of at most 4,096 entries; wait for this exact size.
            var current = checkpoint
            while current.size < UInt64(size) { current = try await log.waitForCheckpoint(covering: UInt64(size - 1)) }
            #expect(current.size == UInt64(size))
            #expect(current.rootHash == reference.root(size: size))

            // Every tile of this size, at every level, equals the reference tree's nodes.
            var tilesHere: [TileID: [UInt8]] = [:]
            for tile in try TileID.tiles(growingFrom: 0, to: UInt64(size)) {
                let stored = try #require(try await storage.tile(tile), "\(tile.path) at size \(size)")
                let hashes = try HashTile(bytes: stored, width: tile.width).hashes
                let level = tile.level * TileID.height
                // Level-0 tiles are leaf hashes; compare the middle ones only at the edges of the tree (cheap).
                if tile.level == 0, tile.index > 0, tile.index + 2 < UInt64(size) / 256 { continue }
                for (offset, hash) in hashes.enumerated() {
                    let node = tile.index * UInt64(TileID.fullWidth) + UInt64(offset)
                    #expect(hash == reference.node(level: level, index: node), "\(tile.path) hash \(offset)")
                }
                tilesHere[tile] = stored
            }
            // Bundles hold the entries, and at the right edge the partial bundle is exactly the tail.
            let lastBundle = (size - 1) / 256
            let width = EntryBundleID.width(index: UInt64(lastBundle), treeSize: UInt64(size))
            let bundleBytes = try #require(
                try await storage.entryBundle(EntryBundleID(index: UInt64(lastBundle), width: width)))
            let bundle = try EntryBundle(bytes: bundleBytes, width: width)
            #expect(bundle.entries == (lastBundle * 256..<(lastBundle * 256 + width)).map { Array("leaf-\($0)".utf8) })

            // A tile that was partial at the previous size is now wider (or full) and starts with the same hashes;
            // the old partial stays readable (logs serve partials for every size they published).
            for (old, oldBytes) in previousTiles where old.isPartial {
                #expect(try await storage.tile(old) == oldBytes)
                let newWidth = TileID.width(level: old.level, index: old.index, treeSize: UInt64(size))
                if newWidth > old.width {
                    let replacement = try TileID(level: old.level, index: old.index, width: newWidth)
                    let fetched = try await storage.tile(replacement)
                    let newBytes = try #require(tilesHere[replacement] ?? fetched)
                    #expect(Array(newBytes.prefix(oldBytes.count)) == oldBytes)
                }
            }
            previousTiles = tilesHere
            // Inclusion at the right edge, via tiles, equals the reference.
            #expect(
                try await log.inclusionProof(index: UInt64(size - 1), treeSize: UInt64(size))
                    == reference.inclusionProof(index: size - 1, size: size))
        }
        // The C2SP example shapes: 65,536 has a full 1/000 and a 2/000.p/1; 65,537 adds 0/256.p/1.
        #expect(try await storage.tile(TileID(level: 1, index: 0)) != nil)
        #expect(try await storage.tile(TileID(level: 2, index: 0, width: 1)) != nil)
        #expect(try await storage.tile(TileID(level: 0, index: 256, width: 1)) != nil)
        await log.shutdown()
        await expectFsckClean(storage)
    }

    @Sendable static func publishingRefusesNonExtendingTrees(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let log = try await TestLogKey.open(storage)
        for number in 0..<30 {
            let entry = testEntry("a-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        let at30 = try await log.waitForCheckpoint(covering: 29)
        #expect(at30.size == 30)
        await log.shutdown()
        let current = try #require(try await storage.checkpoint())
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)

        // A smaller tree (even a true prefix) is not an extension.
        var prefix = CompactRange()
        for number in 0..<10 { prefix.append(Merkle.leafHash(testEntry("a-", number).data)) }
        await expectLogError(.notAnExtension) {
            _ = try await publisher.publish(prefix, replacing: current, storage: storage)
        }
        // The same size with another root is not an extension.
        var other = CompactRange()
        for number in 0..<30 { other.append(Merkle.leafHash(testEntry("b-", number).data)) }
        await expectLogError(.notAnExtension) {
            _ = try await publisher.publish(other, replacing: current, storage: storage)
        }
        // A bigger tree of other leaves: the consistency proof from the stored tiles cannot verify.
        for number in 30..<40 { other.append(Merkle.leafHash(testEntry("b-", number).data)) }
        await expectLogError(.notAnExtension) {
            _ = try await publisher.publish(other, replacing: current, storage: storage)
        }
        // A previous checkpoint of another log (10 leaves "b-"), and this log's real tiles at 30: refused too.
        var foreign = CompactRange()
        for number in 0..<10 { foreign.append(Merkle.leafHash(testEntry("b-", number).data)) }
        let foreignCheckpoint = StoredCheckpoint(note: try publisher.sign(foreign), tree: foreign)
        await expectLogError(.notAnExtension) {
            _ = try await publisher.publish(current.tree, replacing: foreignCheckpoint, storage: storage)
        }
        // Nothing was stored by the refused attempts.
        #expect(try await storage.checkpoint() == current)
        // The honest extension is accepted.
        #expect(try await publisher.publish(current.tree, replacing: current, storage: storage) != nil)
        await expectFsckClean(storage)
    }

    /// A tile read that fails while the publisher proves the new tree extends the published one says nothing
    /// about the trees: it is a storage failure (the service answers 503 and retries), not `notAnExtension`.
    @Sendable static func readFailureWhileProvingIsStorageFailure(_ factory: LogStorageFactory) async throws {
        let storage = try await factory.makeLocation()()
        let log = try await TestLogKey.open(storage)
        for number in 0..<30 {
            let entry = testEntry("p-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        _ = try await log.waitForCheckpoint(covering: 29)
        let at30 = try #require(try await storage.checkpoint())
        for number in 30..<300 {
            let entry = testEntry("p-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        _ = try await log.waitForCheckpoint(covering: 299)
        await log.shutdown()
        let current = try #require(try await storage.checkpoint())
        #expect(current.tree.size == 300)
        let publisher = CheckpointPublisher(origin: TestLogKey.origin, signer: TestLogKey.signer)

        let faulty = FaultInjectingLogStorage(wrapping: storage)
        for call in [1, 2] {
            faulty.clearFaults()
            faulty.inject(LogStorageReadFault(.tile, call: call, count: 1))
            await expectLogError(.storageFailure) {
                _ = try await publisher.publish(current.tree, replacing: at30, storage: faulty)
            }
        }
        #expect(faulty.firedReadFaults.count == 2)
        #expect(try await storage.checkpoint() == current)
        // Without the fault the proof from 30 to 300 verifies; the swap then loses to the stored checkpoint (300).
        faulty.clearFaults()
        #expect(try await publisher.publish(current.tree, replacing: at30, storage: faulty) == nil)
        await expectFsckClean(storage)
    }

    @Sendable static func recoveryIntegratesSequencedEntries(_ factory: LogStorageFactory) async throws {
        let open = try await factory.makeLocation()
        let log = try await TestLogKey.open(try await open())
        for number in 0..<5 {
            let entry = testEntry("r-", number)
            _ = try await log.append(entry.data, identity: entry.identity)
        }
        _ = try await log.waitForCheckpoint(covering: 4)
        await log.shutdown()
        // Entries sequenced while no engine integrates (a crash right after sequencing).
        let storage = try await open()
        _ = try await storage.sequence((5..<300).map { testEntry("r-", $0) }.map { LogEntry(data: $0.data, identity: $0.identity) })
        let before = try #require(try await storage.checkpoint())
        #expect(before.tree.size == 5)

        let restarted = try await TestLogKey.open(try await open())
        let checkpoint = await restarted.latestCheckpoint
        #expect(checkpoint.size == 300)
        let proof = try await restarted.consistencyProof(from: 5, to: 300)
        try Merkle.verifyConsistency(
            size1: 5, size2: 300, root1: before.tree.root, root2: checkpoint.rootHash, proof: proof)
        await restarted.shutdown()
        await expectFsckClean(try await open())
    }

    /// Two front ends over one database (the PostgreSQL deployment): indices never collide, each engine adopts the
    /// other's checkpoints when it loses the compare-and-swap, and the result is one consistent log.
    @Sendable static func twoEnginesShareOneStore(_ factory: LogStorageFactory) async throws {
        let open = try await factory.makeLocation()
        let first = try await TestLogKey.open(try await open())
        let second = try await TestLogKey.open(try await open())
        let perEngine = 200
        let results = try await withThrowingTaskGroup(of: [(UInt64, Int)].self) { group in
            for writer in 0..<8 {
                let log = writer % 2 == 0 ? first : second
                group.addTask {
                    var mine: [(UInt64, Int)] = []
                    for n in 0..<(perEngine / 4) {
                        let number = writer * 1_000 + n
                        let entry = testEntry("shared-", number)
                        let result = try await log.append(entry.data, identity: entry.identity)
                        if n % 10 == 0 { _ = try await log.waitForInclusion(of: result.index) }
                        mine.append((result.index, number))
                    }
                    return mine
                }
            }
            var all: [(UInt64, Int)] = []
            for try await part in group { all += part }
            return all
        }
        let total = UInt64(2 * perEngine)
        let fromFirst = try await first.waitForCheckpoint(covering: total - 1)
        let fromSecond = try await second.waitForCheckpoint(covering: total - 1)
        try await expectPairwiseConsistent([fromFirst, fromSecond], log: first, reference: nil)
        await first.shutdown()
        await second.shutdown()
        let storage = try await open()
        let entries = try await storage.entries(in: 0..<total)
        checkShared(results: results, entries: entries, total: total, sizes: [fromFirst.size, fromSecond.size])
        await expectFsckClean(storage)
    }

    static func checkShared(results: [(UInt64, Int)], entries: [SequencedEntry], total: UInt64, sizes: [UInt64]) {
        #expect(results.map(\.0).sorted() == Array(0..<total))
        #expect(sizes.allSatisfy { $0 == total })
        for (index, number) in results {
            #expect(entries[Int(index)].data == testEntry("shared-", number).data)
        }
    }
}
