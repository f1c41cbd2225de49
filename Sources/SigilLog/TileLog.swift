// The tile log engine: sequencer, integrator, checkpoint publisher (DESIGN.md §2 "Log write path").
//
//  append ──▶ pending ──(batch full, or no new entry for `batchDelay`)──▶ storage.sequence (one atomic
//  call: indices + dedup, durable) ──▶ acknowledge each caller with its index ──▶ integrator: read the new entries,
//  write tiles and bundles, sign a checkpoint, prove it extends the last one, compare-and-swap it ──▶ wake the
//  callers waiting for a checkpoint that covers their index.
//
// The common case is shorter: when everything sequenced so far is integrated, the sequencer hands storage the
// batch together with a closure that integrates it and signs the grown tree, and storage sequences, writes the
// tiles and replaces the checkpoint in one transaction (`LogStorage.sequence(_:replacing:publishing:)`): one
// durable write per batch, and the callers are acknowledged with their entries already in a checkpoint. A store
// that keeps the protocol's default (or a checkpoint published meanwhile by another engine) takes the long path.
//
// Nothing is acknowledged before `sequence` returned. The integrated tree is stored with the checkpoint, so a
// crash anywhere leaves either the old checkpoint (the tiles written since are rewritten, with the same bytes, on
// restart) or the new one. On open, entries sequenced but not yet integrated are integrated before `open` returns.

import Logging
import SigilMerkle
import SigilTlog
import Synchronization

/// The result of ``TileLog/append(_:identity:)``.
public struct AppendResult: Hashable, Sendable {
    /// The entry's index in the log.
    public let index: UInt64
    /// Whether an entry with the same identity was already in the log (`index` is then that entry's index).
    public let isDuplicate: Bool

    public init(index: UInt64, isDuplicate: Bool) {
        self.index = index
        self.isDuplicate = isDuplicate
    }
}

/// A checkpoint and the inclusion proof of one entry against it.
public struct InclusionResult: Hashable, Sendable {
    /// The entry's index.
    public let index: UInt64
    /// The checkpoint the proof is for (its size is above `index`).
    public let checkpoint: PublishedCheckpoint
    /// The RFC 9162 inclusion proof of `index` in the tree of `checkpoint.size` leaves.
    public let proof: [MerkleHash]
}

/// How a ``TileLog`` batches, bounds and retries.
public struct TileLogConfiguration: Sendable {
    /// The checkpoint origin line.
    public var origin: String
    /// Entries per sequencing batch at most; a full batch is sequenced at once.
    public var maxBatchSize: Int = 256
    /// How long the sequencer waits for company: a batch is sequenced once no new entry arrived for this long
    /// (or it is full, or ``maxBatchDelay`` passed).
    public var batchDelay: Duration = .milliseconds(1)
    /// How long a batch keeps gathering while entries keep arriving (each `batchDelay` that brings a new entry
    /// extends the wait, up to this). Under load the callers answered by the last batch resubmit into the next
    /// one instead of waiting a whole extra batch.
    public var maxBatchDelay: Duration = .milliseconds(8)
    /// Entries waiting to be sequenced at most; beyond, `append` throws ``LogError/Code-swift.struct/pushback``.
    public var maxPendingEntries: Int = 16_384
    /// The largest entry accepted (at most 65,535, the entry bundle limit).
    public var maxEntryBytes: Int = EntryBundle.maxEntryBytes
    /// Entries integrated (and checkpointed) per step at most.
    public var maxIntegrationStep: Int = 4_096
    /// Consecutive failed integration steps after which the engine stops (waiters get the error).
    public var maxConsecutiveFailures: Int = 5
    /// Pause between a failed integration step and its retry.
    public var retryDelay: Duration = .milliseconds(10)
    /// Full tiles kept in memory for proofs.
    public var tileCacheCapacity: Int = 2_048
    /// How often an engine whose storage is shared and whose integration lease another engine holds re-reads
    /// the published checkpoint while entries wait for one (``IntegrationLease``).
    public var followInterval: Duration = .milliseconds(5)

    public init(origin: String) {
        self.origin = origin
    }
}

/// A tile-based transparency log over any ``LogStorage``.
public actor TileLog {
    private struct Pending {
        let entry: LogEntry
        let continuation: CheckedContinuation<AppendResult, any Error>
    }

    private struct Waiter {
        let index: UInt64
        let continuation: CheckedContinuation<PublishedCheckpoint, any Error>
    }

    /// The configuration it was opened with.
    public nonisolated let configuration: TileLogConfiguration
    /// The store.
    public nonisolated let storage: any LogStorage
    /// The checkpoint signer.
    public nonisolated let publisher: CheckpointPublisher
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let tileCache: FullTileCache

    // Published state.
    private var stored: StoredCheckpoint
    private var published: PublishedCheckpoint
    private var knownSequencedSize: UInt64 = 0
    private var partialTiles: [TileID: [MerkleHash]] = [:]
    private var partialBundles: [EntryBundleID: [[UInt8]]] = [:]

    // Sequencer.
    private var pending: [Pending] = []
    private var sequencerTask: Task<Void, Never>?
    private var batchWaiter: CheckedContinuation<Void, Never>?
    private var batchGeneration = 0

    // Integrator.
    private var integratorTask: Task<Void, Never>?
    private var integrationRequested = false
    private var consecutiveFailures = 0
    private var holdsLease = false

    // Waiters for a checkpoint.
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiterID = 0

    private var shuttingDown = false
    private var stopError: LogError?

    private init(
        storage: any LogStorage, publisher: CheckpointPublisher, configuration: TileLogConfiguration,
        clock: any Clock<Duration>, logger: Logger, stored: StoredCheckpoint, published: PublishedCheckpoint
    ) {
        self.storage = storage
        self.publisher = publisher
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.tileCache = FullTileCache(capacity: configuration.tileCacheCapacity)
        self.stored = stored
        self.published = published
    }

    /// Opens the log stored in `storage`: publishes the empty tree if nothing was ever published, checks that the
    /// stored checkpoint is this log's (origin and key) and matches its stored tree, then integrates every entry
    /// sequenced but not yet integrated. Throws ``LogError/Code-swift.struct/corruptStorage`` for a checkpoint of
    /// another log or a tree that does not match it, and ``LogError/Code-swift.struct/storageFailure`` when
    /// storage fails.
    ///
    /// - Parameter clock: used only to wait for a batch to fill and before retries; checkpoints carry no time.
    public static func open(
        storage: any LogStorage, signer: NoteSigner, configuration: TileLogConfiguration,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "sigil.log")
    ) async throws -> TileLog {
        let publisher = CheckpointPublisher(origin: configuration.origin, signer: signer)
        var stored = try await withStorage("read checkpoint") { try await storage.checkpoint() }
        if stored == nil {
            let proofs = TileProofBuilder(storage: storage, treeSize: 0)
            stored = try await publisher.publish(CompactRange(), replacing: nil, proofs: proofs)
            if stored == nil { stored = try await withStorage("read checkpoint") { try await storage.checkpoint() } }
        }
        guard let stored else { throw LogError(.corruptStorage, "no checkpoint after publishing the empty tree") }
        let published = try Self.check(stored, publisher: publisher)
        let log = TileLog(
            storage: storage, publisher: publisher, configuration: configuration, clock: clock, logger: logger,
            stored: stored, published: published)
        try await log.recover()
        return log
    }

    /// The stored checkpoint must be signed by this log's key for this origin and sign the stored tree.
    private static func check(_ stored: StoredCheckpoint, publisher: CheckpointPublisher) throws(LogError)
        -> PublishedCheckpoint
    {
        do {
            _ = try Checkpoint.verify(stored.note, origin: publisher.origin, keys: [publisher.signer.verifierKey])
        } catch {
            throw LogError(.corruptStorage, "stored checkpoint is not this log's: \(error.reason)")
        }
        let published = try PublishedCheckpoint(note: stored.note)
        guard published.size == stored.tree.size, published.rootHash == stored.tree.root else {
            throw LogError(
                .corruptStorage,
                "stored tree (size \(stored.tree.size), root \(stored.tree.root)) does not match its checkpoint "
                    + "(size \(published.size), root \(published.rootHash))")
        }
        return published
    }

    private func recover() async throws {
        knownSequencedSize = try await withStorage("read sequenced size") { try await storage.sequencedSize() }
        if knownSequencedSize > stored.tree.size {
            logger.info(
                "integrating entries sequenced before the restart",
                metadata: ["from": "\(stored.tree.size)", "to": "\(knownSequencedSize)"])
        }
        // Shared storage whose lease another engine holds: keep following its checkpoints until caught up.
        if !(try await integrateAvailable()) { requestIntegration() }
    }

    // MARK: Appending

    /// Appends an entry and returns once it is durably sequenced: its index, or the index its identity already
    /// has. The entry is not yet in a checkpoint; ``waitForInclusion(of:)`` waits for that.
    ///
    /// Throws ``LogError/Code-swift.struct/entryTooLarge``, ``LogError/Code-swift.struct/malformedIdentity``,
    /// ``LogError/Code-swift.struct/pushback``, ``LogError/Code-swift.struct/stopped``, or
    /// ``LogError/Code-swift.struct/storageFailure`` (the entry may or may not have been sequenced; appending it
    /// again returns its index if it was).
    public func append(_ entry: [UInt8], identity: [UInt8]) async throws -> AppendResult {
        if let stopError { throw stopError }
        guard !shuttingDown else { throw LogError(.stopped, "the log is shutting down") }
        guard entry.count <= min(configuration.maxEntryBytes, EntryBundle.maxEntryBytes) else {
            throw LogError(.entryTooLarge, "entry of \(entry.count) bytes, limit \(configuration.maxEntryBytes)")
        }
        guard (1...LogEntry.maxIdentityBytes).contains(identity.count) else {
            throw LogError(.malformedIdentity, "identity of \(identity.count) bytes, want 1...\(LogEntry.maxIdentityBytes)")
        }
        guard pending.count < configuration.maxPendingEntries else {
            throw LogError(.pushback, "\(pending.count) entries are waiting to be sequenced")
        }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(entry: LogEntry(data: entry, identity: identity), continuation: continuation))
            if pending.count >= configuration.maxBatchSize { wakeSequencer() }
            if sequencerTask == nil { sequencerTask = Task { await self.runSequencer() } }
        }
    }

    private func runSequencer() async {
        while !pending.isEmpty {
            if let stopError {
                failPending(stopError)
                break
            }
            await gatherBatch()
            let batch = Array(pending.prefix(configuration.maxBatchSize))
            pending.removeFirst(batch.count)
            await sequence(batch)
        }
        sequencerTask = nil
    }

    /// Waits `batchDelay` for company, and again while entries keep arriving, at most `maxBatchDelay` in all (or
    /// less if the batch fills up or the log shuts down).
    private func gatherBatch() async {
        let rounds = max(1, Int(configuration.maxBatchDelay / max(configuration.batchDelay, .nanoseconds(1))))
        var round = 0
        while pending.count < configuration.maxBatchSize, !shuttingDown, round < rounds {
            let before = pending.count
            await waitForBatch()
            round += 1
            if pending.count == before { break }
        }
    }

    /// Waits `batchDelay`, or less if the batch fills up or the log shuts down.
    private func waitForBatch() async {
        batchGeneration += 1
        let generation = batchGeneration
        let clock = self.clock
        let delay = configuration.batchDelay
        await withCheckedContinuation { continuation in
            batchWaiter = continuation
            Task {
                try? await clock.sleep(for: delay)
                self.wakeSequencer(generation: generation)
            }
        }
    }

    private func wakeSequencer(generation: Int? = nil) {
        if let generation, generation != batchGeneration { return }
        batchWaiter?.resume()
        batchWaiter = nil
    }

    private func sequence(_ batch: [Pending]) async {
        let entries = batch.map(\.entry)
        let outcome: BatchSequencing
        let built = BuiltStep()
        do {
            if let plan = await publicationPlan(batchSize: entries.count) {
                let publisher = self.publisher
                outcome = try await withStorage("sequence and publish \(batch.count) entries") { [storage] in
                    try await storage.sequence(entries, replacing: plan.expected) { results in
                        Self.publication(
                            entries: entries, results: results, plan: plan, publisher: publisher, built: built)
                    }
                }
            } else {
                let results = try await withStorage("sequence \(batch.count) entries") { [storage] in
                    try await storage.sequence(entries)
                }
                outcome = BatchSequencing(results: results, published: nil)
            }
            guard outcome.results.count == batch.count else {
                throw LogError(
                    .corruptStorage, "sequencing \(batch.count) entries returned \(outcome.results.count) results")
            }
        } catch {
            logger.warning("sequencing failed", metadata: ["error": "\(error)"])
            for item in batch { item.continuation.resume(throwing: error) }
            return
        }
        for (item, result) in zip(batch, outcome.results) {
            knownSequencedSize = max(knownSequencedSize, result.index + 1)
            item.continuation.resume(returning: AppendResult(index: result.index, isDuplicate: result.isDuplicate))
        }
        if let published = outcome.published {
            if let value = built.value, value.checkpoint.note == published.note {
                let step = value.step
                partialTiles = step.partialTiles
                partialBundles = step.partialBundles
                for (id, hashes) in step.tileHashes { tileCache.put(id, hashes) }
            }
            if let checked = try? PublishedCheckpoint(note: published.note) { adopt(published, published: checked) }
        }
        if knownSequencedSize > stored.tree.size { requestIntegration() }
    }

    /// What a batch needs to be published with its sequencing: the checkpoint it extends and the partial tiles and
    /// bundle it grows. `nil` (sequence only, integrate separately) while an integration runs or lags behind.
    private func publicationPlan(batchSize: Int) async -> PublicationPlan? {
        guard stopError == nil, integratorTask == nil, stored.tree.size == knownSequencedSize else { return nil }
        let expected = stored
        do {
            // The partial tiles growing to any size up to `batchSize` more (a batch may hold duplicates).
            let needed = try Integrator.partialsNeeded(
                from: expected.tree.size, to: expected.tree.size + UInt64(batchSize))
            var tiles: [TileID: [MerkleHash]] = [:]
            for id in needed.tiles { tiles[id] = try await existingTile(id) }
            var bundles: [EntryBundleID: [[UInt8]]] = [:]
            for id in needed.bundles { bundles[id] = try await existingBundle(id) }
            guard stored.note == expected.note, integratorTask == nil else { return nil }
            return PublicationPlan(expected: expected, tiles: tiles, bundles: bundles)
        } catch {
            return nil
        }
    }

    /// Runs inside the storage transaction that sequenced `entries`: integrates the new ones onto the tree
    /// `plan.expected` signs and signs the grown tree. `nil` publishes nothing (the integrator then takes over).
    private static func publication(
        entries: [LogEntry], results: [SequencingResult], plan: PublicationPlan, publisher: CheckpointPublisher,
        built: BuiltStep
    ) -> BatchPublication? {
        var fresh: [SequencedEntry] = []
        fresh.reserveCapacity(entries.count)
        for (entry, result) in zip(entries, results) where !result.isDuplicate {
            fresh.append(SequencedEntry(index: result.index, data: entry.data, identity: entry.identity))
        }
        guard let first = fresh.first, first.index == plan.expected.tree.size else { return nil }
        do {
            // SPEC: c2sp.org/tlog-checkpoint: "a log MUST NOT sign two checkpoints that are not consistent". The
            // new tree is the compact range `plan.expected` signs with the batch's leaves appended (the integrator
            // checks that their indices continue it), and storage replaces the checkpoint only while it still is
            // `plan.expected`: the new tree extends the published one by construction.
            let step = try Integrator.integrate(
                tree: plan.expected.tree, entries: fresh, existingTiles: plan.tiles, existingBundles: plan.bundles)
            let checkpoint = StoredCheckpoint(note: try publisher.sign(step.tree), tree: step.tree)
            built.set(step, checkpoint)
            return BatchPublication(tiles: step.tiles, bundles: step.bundles, checkpoint: checkpoint)
        } catch {
            return nil
        }
    }

    private func failPending(_ error: LogError) {
        let failed = pending
        pending.removeAll()
        for item in failed { item.continuation.resume(throwing: error) }
    }

    // MARK: Integrating and publishing

    private func requestIntegration() {
        integrationRequested = true
        if integratorTask == nil, stopError == nil { integratorTask = Task { await self.runIntegrator() } }
    }

    private func runIntegrator() async {
        while integrationRequested, stopError == nil {
            integrationRequested = false
            do {
                let caughtUp = try await integrateAvailable()
                consecutiveFailures = 0
                if !caughtUp, !shuttingDown {
                    // Another engine holds the integration lease: re-read what it publishes in a moment.
                    try? await clock.sleep(for: configuration.followInterval)
                    integrationRequested = true
                }
            } catch {
                consecutiveFailures += 1
                let logError = error as? LogError ?? LogError(.corruptStorage, "\(error)")
                logger.warning(
                    "integration failed", metadata: ["error": "\(logError)", "attempt": "\(consecutiveFailures)"])
                if consecutiveFailures >= configuration.maxConsecutiveFailures {
                    stop(LogError(.stopped, "stopped after \(consecutiveFailures) failed integrations: \(logError)"))
                    break
                }
                if shuttingDown { break }
                try? await clock.sleep(for: configuration.retryDelay)
                integrationRequested = true
            }
        }
        await releaseLease()
        integratorTask = nil
        if integrationRequested, stopError == nil { requestIntegration() }
    }

    /// Gives the integration lease up when idle, so another engine with work takes it at once.
    private func releaseLease() async {
        guard holdsLease else { return }
        holdsLease = false
        do { try await storage.releaseIntegrationLease() } catch {
            logger.warning("releasing the integration lease failed", metadata: ["error": "\(error)"])
        }
    }

    /// Adopts the stored checkpoint when another engine published since this one last looked.
    private func adoptStoredCheckpoint() async throws {
        guard let current = try await withStorage("read checkpoint", { try await storage.checkpoint() }),
            current != stored
        else { return }
        let checked = try Self.check(current, publisher: publisher)
        guard checked.size >= published.size else {
            throw LogError(.corruptStorage, "stored checkpoint shrank from \(published.size) to \(checked.size)")
        }
        partialTiles = [:]
        partialBundles = [:]
        adopt(current, published: checked)
    }

    /// Integrates and publishes everything sequenced so far, in steps. Returns `false` when the storage is shared
    /// and another engine holds the integration lease while this one is behind (it adopted what was published).
    @discardableResult
    private func integrateAvailable() async throws -> Bool {
        let target = try await withStorage("read sequenced size") { try await storage.sequencedSize() }
        knownSequencedSize = max(knownSequencedSize, target)
        while stored.tree.size < target {
            // Shared storage: only the lease holder integrates, from what is published now (IntegrationLease.swift).
            let lease = try await withStorage("take the integration lease") { try await storage.acquireIntegrationLease() }
            if lease != .exclusive {
                holdsLease = lease == .held
                try await adoptStoredCheckpoint()
                guard holdsLease else { return stored.tree.size >= target }
                if stored.tree.size >= target { break }
            }
            let from = stored.tree.size
            let to = min(target, from + UInt64(configuration.maxIntegrationStep))
            let entries = try await withStorage("read entries \(from)..<\(to)") {
                try await storage.entries(in: from..<to)
            }
            guard entries.count == Int(to - from) else {
                throw LogError(.corruptStorage, "read \(entries.count) entries of \(from)..<\(to)")
            }
            let needed = try Integrator.partialsNeeded(from: from, to: to)
            var existingTiles: [TileID: [MerkleHash]] = [:]
            for id in needed.tiles { existingTiles[id] = try await existingTile(id) }
            var existingBundles: [EntryBundleID: [[UInt8]]] = [:]
            for id in needed.bundles { existingBundles[id] = try await existingBundle(id) }
            let step = try Integrator.integrate(
                tree: stored.tree, entries: entries, existingTiles: existingTiles, existingBundles: existingBundles)
            try await withStorage("write \(step.tiles.count) tiles and \(step.bundles.count) bundles") {
                try await storage.writeTiles(step.tiles, bundles: step.bundles)
            }
            partialTiles = step.partialTiles
            partialBundles = step.partialBundles
            for (id, hashes) in step.tileHashes { tileCache.put(id, hashes) }
            // A batch published with its sequencing while this step ran may already cover it.
            if stored.tree.size >= step.tree.size { continue }
            let proofs = TileProofBuilder(storage: storage, treeSize: step.tree.size, widerSize: nil, cache: tileCache)
            if let new = try await publisher.publish(step.tree, replacing: stored, proofs: proofs) {
                adopt(new, published: try PublishedCheckpoint(note: new.note))
            } else {
                // Another writer published first (or our own earlier swap landed though it reported an error):
                // continue from what is stored now.
                guard let current = try await withStorage("read checkpoint", { try await storage.checkpoint() })
                else { throw LogError(.corruptStorage, "checkpoint vanished") }
                let checked = try Self.check(current, publisher: publisher)
                guard checked.size >= published.size else {
                    throw LogError(.corruptStorage, "stored checkpoint shrank from \(published.size) to \(checked.size)")
                }
                partialTiles = [:]
                partialBundles = [:]
                adopt(current, published: checked)
            }
        }
        return true
    }

    private func existingTile(_ id: TileID) async throws -> [MerkleHash] {
        if let cached = partialTiles[id] { return cached }
        guard let bytes = try await withStorage("read \(id.path)", { try await storage.tile(id) }) else {
            throw LogError(.corruptStorage, "partial tile \(id.path) of the integrated tree is not stored")
        }
        do { return try HashTile(bytes: bytes, width: id.width).hashes } catch {
            throw LogError(.corruptStorage, "\(id.path): \(error.reason)")
        }
    }

    private func existingBundle(_ id: EntryBundleID) async throws -> [[UInt8]] {
        if let cached = partialBundles[id] { return cached }
        guard let bytes = try await withStorage("read \(id.path)", { try await storage.entryBundle(id) }) else {
            throw LogError(.corruptStorage, "partial bundle \(id.path) of the integrated tree is not stored")
        }
        do { return try EntryBundle(bytes: bytes, width: id.width).entries } catch {
            throw LogError(.corruptStorage, "\(id.path): \(error.reason)")
        }
    }

    private func adopt(_ new: StoredCheckpoint, published checkpoint: PublishedCheckpoint) {
        // Never backwards: an integration running beside a published batch may have adopted a later checkpoint.
        guard checkpoint.size >= published.size else { return }
        stored = new
        published = checkpoint
        let ready = waiters.filter { $0.value.index < checkpoint.size }
        for (id, waiter) in ready {
            waiters[id] = nil
            waiter.continuation.resume(returning: checkpoint)
        }
    }

    // MARK: Reading

    /// The latest checkpoint this engine published or adopted.
    public var latestCheckpoint: PublishedCheckpoint { published }

    /// The number of entries known to be sequenced (at least what this engine acknowledged).
    public var sequencedSize: UInt64 { knownSequencedSize }

    /// Entries waiting to be sequenced (for metrics and pushback).
    public var pendingEntries: Int { pending.count }

    /// Why the engine stopped, if it did.
    public var stoppedReason: LogError? { stopError }

    /// Waits until a published checkpoint covers `index` and returns it. Throws
    /// ``LogError/Code-swift.struct/indexOutOfRange`` when `index` is not sequenced, ``LogError/Code-swift.struct/stopped``
    /// when the engine stops first, and `CancellationError` when the calling task is cancelled.
    public func waitForCheckpoint(covering index: UInt64) async throws -> PublishedCheckpoint {
        if index < published.size { return published }
        if let stopError { throw stopError }
        if index >= knownSequencedSize {
            knownSequencedSize = max(
                knownSequencedSize, try await withStorage("read sequenced size") { try await storage.sequencedSize() })
            guard index < knownSequencedSize else {
                throw LogError(.indexOutOfRange, "index \(index) is not sequenced (size \(knownSequencedSize))")
            }
            if index < published.size { return published }
        }
        requestIntegration()
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else if let stopError {
                    continuation.resume(throwing: stopError)
                } else {
                    waiters[id] = Waiter(index: index, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    /// Waits until a checkpoint covers `index`, then returns it with the inclusion proof of `index`, built from
    /// the tiles and verified against the checkpoint before it is returned.
    public func waitForInclusion(of index: UInt64) async throws -> InclusionResult {
        let checkpoint = try await waitForCheckpoint(covering: index)
        let leaf = try await withStorage("read entry \(index)") { try await storage.entries(in: index..<(index + 1)) }
        guard let entry = leaf.first else { throw LogError(.corruptStorage, "entry \(index) is not stored") }
        return try await proveInclusion(of: index, leafHash: Merkle.leafHash(entry.data), in: checkpoint)
    }

    /// Waits until a checkpoint covers `index`, then returns it with the inclusion proof of the leaf `leafHash`
    /// (the RFC 6962 hash of the data the caller appended at `index`), built from the tiles and verified against
    /// the checkpoint before it is returned. Unlike ``waitForInclusion(of:)`` it reads no entry back.
    public nonisolated func waitForInclusion(of index: UInt64, leafHash: MerkleHash) async throws -> InclusionResult {
        try await proveInclusion(of: index, leafHash: leafHash, in: try await waitForCheckpoint(covering: index))
    }

    /// The inclusion of `leafHash` at `index` if the latest checkpoint already covers it (see
    /// ``waitForInclusion(of:leafHash:)``), or `nil` without waiting.
    public nonisolated func inclusionIfPublished(of index: UInt64, leafHash: MerkleHash) async throws
        -> InclusionResult?
    {
        let checkpoint = await latestCheckpoint
        guard index < checkpoint.size else { return nil }
        return try await proveInclusion(of: index, leafHash: leafHash, in: checkpoint)
    }

    /// Builds the proof off the actor (tiles come from the shared cache or storage) and checks it.
    private nonisolated func proveInclusion(
        of index: UInt64, leafHash: MerkleHash, in checkpoint: PublishedCheckpoint
    ) async throws -> InclusionResult {
        let builder = TileProofBuilder(
            storage: storage, treeSize: checkpoint.size, widerSize: checkpoint.size, cache: tileCache)
        let proof = try await builder.inclusionProof(index: index)
        do {
            try Merkle.verifyInclusion(
                leafHash: leafHash, index: index, size: checkpoint.size, proof: proof, root: checkpoint.rootHash)
        } catch {
            throw LogError(.corruptStorage, "inclusion proof of \(index) built from tiles: \(error.reason)")
        }
        return InclusionResult(index: index, checkpoint: checkpoint, proof: proof)
    }

    /// The inclusion proof of `index` in the tree of `treeSize` leaves (at most the published size).
    public func inclusionProof(index: UInt64, treeSize: UInt64) async throws -> [MerkleHash] {
        try checkIntegrated(treeSize)
        return try await proofBuilder(treeSize).inclusionProof(index: index)
    }

    /// The consistency proof from the tree of `size1` leaves to the tree of `size2` (at most the published size).
    public func consistencyProof(from size1: UInt64, to size2: UInt64) async throws -> [MerkleHash] {
        try checkIntegrated(size2)
        return try await proofBuilder(size2).consistencyProof(from: size1)
    }

    private func checkIntegrated(_ size: UInt64) throws(LogError) {
        guard size <= published.size else {
            throw LogError(.indexOutOfRange, "tree size \(size) is above the published size \(published.size)")
        }
    }

    private func proofBuilder(_ size: UInt64) -> TileProofBuilder {
        TileProofBuilder(storage: storage, treeSize: size, widerSize: published.size, cache: tileCache)
    }

    // MARK: Stopping

    /// Stops accepting appends, sequences what is pending (those callers are acknowledged), makes one more
    /// integration attempt, then fails every remaining waiter with ``LogError/Code-swift.struct/stopped``.
    public func shutdown() async {
        shuttingDown = true
        wakeSequencer()
        while let task = sequencerTask {
            wakeSequencer()
            await task.value
        }
        while let task = integratorTask { await task.value }
        if stopError == nil {
            do { try await integrateAvailable() } catch {
                logger.warning("final integration failed", metadata: ["error": "\(error)"])
            }
            await releaseLease()
        }
        stop(LogError(.stopped, "the log was shut down"))
    }

    private func stop(_ error: LogError) {
        if stopError == nil { stopError = error }
        failPending(error)
        let failed = waiters
        waiters.removeAll()
        for (_, waiter) in failed { waiter.continuation.resume(throwing: error) }
        wakeSequencer()
    }
}

/// What a batch is published against (``TileLog`` builds it before the storage call).
private struct PublicationPlan: Sendable {
    let expected: StoredCheckpoint
    let tiles: [TileID: [MerkleHash]]
    let bundles: [EntryBundleID: [[UInt8]]]
}

/// Carries the integration step out of the storage transaction's closure.
private final class BuiltStep: Sendable {
    private let state = Mutex<(step: IntegrationStep, checkpoint: StoredCheckpoint)?>(nil)

    var value: (step: IntegrationStep, checkpoint: StoredCheckpoint)? { state.withLock { $0 } }

    func set(_ step: IntegrationStep, _ checkpoint: StoredCheckpoint) { state.withLock { $0 = (step, checkpoint) } }
}
