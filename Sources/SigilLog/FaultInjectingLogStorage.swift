// Fault injection at the storage boundary (STYLE.md habit 11, after sunlight's and Tessera's test stores): wraps
// any `LogStorage` and makes a chosen write fail, either before it reaches the store (nothing lands) or after
// (it lands, but the caller sees an error, as when a commit succeeds and the connection drops before the reply).
// Because it wraps the protocol, every driver gets the same fault rows.

import SigilTlog
import Synchronization

/// A kind of storage write.
public enum LogStorageWrite: String, Hashable, Sendable, CaseIterable {
    /// ``LogStorage/sequence(_:)``.
    case sequence
    /// ``LogStorage/writeTiles(_:bundles:)``.
    case writeTiles
    /// ``LogStorage/compareAndSwapCheckpoint(expected:new:)``.
    case compareAndSwapCheckpoint
}

/// A kind of storage read.
public enum LogStorageRead: String, Hashable, Sendable, CaseIterable {
    /// ``LogStorage/sequencedSize()``.
    case sequencedSize
    /// ``LogStorage/entries(in:)``.
    case entries
    /// ``LogStorage/index(forIdentity:)``.
    case indexForIdentity
    /// ``LogStorage/tile(_:)``.
    case tile
    /// ``LogStorage/entryBundle(_:)``.
    case entryBundle
    /// ``LogStorage/checkpoint()``.
    case checkpoint
}

/// One planned read failure: "fail the `call`-th `read` from now", repeated for `count` consecutive calls (a
/// lost connection or an I/O error: the read throws, nothing changes).
public struct LogStorageReadFault: Hashable, Sendable, CustomStringConvertible {
    public var read: LogStorageRead
    /// Which call of that kind fails, counting from 1 at the moment the fault is injected.
    public var call: Int
    /// How many consecutive calls fail, starting at `call`.
    public var count: Int

    public init(_ read: LogStorageRead, call: Int = 1, count: Int = 1) {
        self.read = read
        self.call = call
        self.count = count
    }

    public var description: String { "fail \(read) read call \(call) (×\(count))" }
}

/// When an injected fault fires relative to the write.
public enum LogStorageFaultTiming: String, Hashable, Sendable, CaseIterable {
    /// The call throws without touching the store.
    case beforePersist
    /// The call reaches the store (the write lands), then throws.
    case afterPersist
}

/// One planned failure: "fail the `call`-th `write` from now, `timing`", repeated for `count` consecutive calls.
public struct LogStorageFault: Hashable, Sendable, CustomStringConvertible {
    public var write: LogStorageWrite
    public var timing: LogStorageFaultTiming
    /// Which call of that kind fails, counting from 1 at the moment the fault is injected.
    public var call: Int
    /// How many consecutive calls fail, starting at `call`.
    public var count: Int

    public init(_ write: LogStorageWrite, _ timing: LogStorageFaultTiming, call: Int = 1, count: Int = 1) {
        self.write = write
        self.timing = timing
        self.call = call
        self.count = count
    }

    public var description: String { "fail \(write) call \(call) (×\(count)) \(timing)" }
}

/// A `LogStorage` that passes every call to `base` and fails the writes and reads it was told to fail.
public final class FaultInjectingLogStorage: LogStorage {
    private struct Armed {
        var fault: LogStorageFault
        var seen: Int  // calls of that kind since injection
    }

    private struct ArmedRead {
        var fault: LogStorageReadFault
        var seen: Int
    }

    private struct State {
        var armed: [Armed] = []
        var fired: [LogStorageFault] = []
        var armedReads: [ArmedRead] = []
        var firedReads: [LogStorageReadFault] = []
    }

    /// The wrapped store.
    public let base: any LogStorage
    private let state = Mutex(State())

    public init(wrapping base: any LogStorage) {
        self.base = base
    }

    /// Plans a failure.
    public func inject(_ fault: LogStorageFault) {
        state.withLock { $0.armed.append(Armed(fault: fault, seen: 0)) }
    }

    /// Plans a read failure.
    public func inject(_ fault: LogStorageReadFault) {
        state.withLock { $0.armedReads.append(ArmedRead(fault: fault, seen: 0)) }
    }

    /// Drops every planned failure (write or read) that has not fired yet.
    public func clearFaults() {
        state.withLock {
            $0.armed.removeAll()
            $0.armedReads.removeAll()
        }
    }

    /// The faults that fired so far (one element per failed call).
    public var firedFaults: [LogStorageFault] { state.withLock { $0.fired } }

    /// The read faults that fired so far (one element per failed call).
    public var firedReadFaults: [LogStorageReadFault] { state.withLock { $0.firedReads } }

    /// Counts a call of `read` and throws when it must fail.
    private func check(_ read: LogStorageRead) throws(LogError) {
        let fails = state.withLock { state in
            var fails = false
            for position in state.armedReads.indices where state.armedReads[position].fault.read == read {
                state.armedReads[position].seen += 1
                let fault = state.armedReads[position].fault
                let seen = state.armedReads[position].seen
                if !fails, seen >= fault.call, seen < fault.call + fault.count {
                    fails = true
                    state.firedReads.append(fault)
                }
            }
            state.armedReads.removeAll { $0.seen >= $0.fault.call + $0.fault.count - 1 }
            return fails
        }
        if fails { throw LogError(.injectedFault, "injected \(read) read failure") }
    }

    /// Counts a call of `write` and says whether (and when) it must fail.
    private func decide(_ write: LogStorageWrite) -> LogStorageFaultTiming? {
        state.withLock { state in
            var timing: LogStorageFaultTiming?
            for position in state.armed.indices where state.armed[position].fault.write == write {
                state.armed[position].seen += 1
                let fault = state.armed[position].fault
                let seen = state.armed[position].seen
                if timing == nil, seen >= fault.call, seen < fault.call + fault.count {
                    timing = fault.timing
                    state.fired.append(fault)
                }
            }
            state.armed.removeAll { $0.seen >= $0.fault.call + $0.fault.count - 1 }
            return timing
        }
    }

    private func run<T>(_ write: LogStorageWrite, _ body: () async throws -> T) async throws -> T {
        let timing = decide(write)
        if timing == .beforePersist {
            throw LogError(.injectedFault, "injected \(write) failure before persisting")
        }
        let result = try await body()
        if timing == .afterPersist {
            throw LogError(.injectedFault, "injected \(write) failure after persisting")
        }
        return result
    }

    public func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] {
        try await run(.sequence) { try await base.sequence(entries) }
    }

    public func sequencedSize() async throws -> UInt64 {
        try check(.sequencedSize)
        return try await base.sequencedSize()
    }

    public func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        try check(.entries)
        return try await base.entries(in: range)
    }

    public func index(forIdentity identity: [UInt8]) async throws -> UInt64? {
        try check(.indexForIdentity)
        return try await base.index(forIdentity: identity)
    }

    public func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        try await run(.writeTiles) { try await base.writeTiles(tiles, bundles: bundles) }
    }

    public func tile(_ id: TileID) async throws -> [UInt8]? {
        try check(.tile)
        return try await base.tile(id)
    }

    public func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? {
        try check(.entryBundle)
        return try await base.entryBundle(id)
    }

    public func checkpoint() async throws -> StoredCheckpoint? {
        try check(.checkpoint)
        return try await base.checkpoint()
    }

    public func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        try await run(.compareAndSwapCheckpoint) { try await base.compareAndSwapCheckpoint(expected: expected, new: new) }
    }

    public func acquireIntegrationLease() async throws -> IntegrationLease { try await base.acquireIntegrationLease() }

    public func releaseIntegrationLease() async throws { try await base.releaseIntegrationLease() }
}
