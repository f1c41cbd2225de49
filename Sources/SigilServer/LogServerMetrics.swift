// Prometheus metrics of the log service (swift-prometheus), in a registry of its own so several servers in one
// process (tests) do not share counters, and a storage wrapper that measures sequencing batches and storage
// latency without touching the engine.

import Prometheus
import SigilLog
import SigilTlog

/// What `/metrics` reports.
public final class LogServerMetrics: Sendable {
    /// The registry `/metrics` emits.
    public let registry: PrometheusCollectorRegistry
    /// Entries appended (new, acknowledged with 201).
    public let appends: Counter
    /// Duplicate submissions (409).
    public let duplicates: Counter
    /// Refused requests, by HTTP status class (`4xx`, `5xx`).
    public let rejectedClient: Counter
    public let rejectedServer: Counter
    /// Time from receiving a write to answering it with a proven entry (successful appends only).
    public let appendLatency: DurationHistogram
    /// Entries per `LogStorage.sequence` call (the sequencer's batch sizes).
    public let batchSize: ValueHistogram
    /// Time per `LogStorage.sequence` call (what durability costs).
    public let sequenceLatency: DurationHistogram
    /// The size of the latest checkpoint this server answered with or published.
    public let treeSize: Gauge

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        appends = registry.makeCounter(name: "sigil_log_appends_total", help: "Entries appended and acknowledged")
        duplicates = registry.makeCounter(
            name: "sigil_log_duplicates_total", help: "Submissions of an entry already in the log")
        rejectedClient = registry.makeCounter(
            name: "sigil_log_rejected_total", labels: [("class", "4xx")], help: "Refused write requests")
        rejectedServer = registry.makeCounter(
            name: "sigil_log_rejected_total", labels: [("class", "5xx")], help: "Refused write requests")
        appendLatency = registry.makeDurationHistogram(
            name: "sigil_log_append_duration_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .seconds(2.5), .seconds(5), .seconds(10), .seconds(20),
            ],
            help: "Time from request to an acknowledged entry with its inclusion proof")
        batchSize = registry.makeValueHistogram(
            name: "sigil_log_sequence_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
            help: "Entries per durable sequencing call")
        sequenceLatency = registry.makeDurationHistogram(
            name: "sigil_log_sequence_duration_seconds",
            buckets: [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .seconds(1),
            ],
            help: "Time per durable sequencing call")
        treeSize = registry.makeGauge(name: "sigil_log_tree_size", help: "Size of the latest checkpoint")
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// A `LogStorage` that records sequencing batch sizes and latency, then forwards every call unchanged.
struct MeasuredLogStorage: LogStorage {
    let base: any LogStorage
    let metrics: LogServerMetrics

    func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] {
        let start = ContinuousClock.now
        let results = try await base.sequence(entries)
        metrics.sequenceLatency.record(ContinuousClock.now - start)
        metrics.batchSize.record(Double(entries.count))
        return results
    }

    func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing {
        let start = ContinuousClock.now
        let outcome = try await base.sequence(entries, replacing: expected, publishing: publish)
        metrics.sequenceLatency.record(ContinuousClock.now - start)
        metrics.batchSize.record(Double(entries.count))
        return outcome
    }

    func sequencedSize() async throws -> UInt64 { try await base.sequencedSize() }

    func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] { try await base.entries(in: range) }

    func index(forIdentity identity: [UInt8]) async throws -> UInt64? {
        try await base.index(forIdentity: identity)
    }

    func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        try await base.writeTiles(tiles, bundles: bundles)
    }

    func tile(_ id: TileID) async throws -> [UInt8]? { try await base.tile(id) }

    func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? { try await base.entryBundle(id) }

    func checkpoint() async throws -> StoredCheckpoint? { try await base.checkpoint() }

    func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        try await base.compareAndSwapCheckpoint(expected: expected, new: new)
    }

    func acquireIntegrationLease() async throws -> IntegrationLease { try await base.acquireIntegrationLease() }

    func releaseIntegrationLease() async throws { try await base.releaseIntegrationLease() }
}
