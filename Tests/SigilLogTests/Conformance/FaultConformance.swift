// The fault rows of the conformance suite: for each storage write (sequence, tile write, checkpoint swap), fail it
// before or after it persists, once or from then on, while writers append. The engine must keep going or stop
// cleanly; after a restart on the same durable data fsck is clean, every acknowledged entry is at its index, and
// every checkpoint is consistent with the ones published before it.

import Foundation
import SigilLog
import SigilMerkle
import SigilTlog
import Testing

/// One fault row.
struct FaultRow: Sendable, CustomStringConvertible {
    let write: LogStorageWrite
    let timing: LogStorageFaultTiming
    /// Fail from the second call of the kind on, this many times (1: a transient fault; many: storage is gone).
    let count: Int

    var isPersistent: Bool { count > 1 }
    var description: String { "\(write) \(timing) \(isPersistent ? "persistently" : "once")" }
}

/// What one writer saw for one entry during a fault row.
struct FaultOutcome: Sendable {
    let number: Int
    let appended: AppendResult?
    let appendError: LogError?
    let included: Bool
    let inclusionError: LogError?
}

extension LogStorageConformance {
    static let faultRows: [FaultRow] = LogStorageWrite.allCases.flatMap { write in
        LogStorageFaultTiming.allCases.flatMap { timing in
            [FaultRow(write: write, timing: timing, count: 1), FaultRow(write: write, timing: timing, count: 1_000)]
        }
    }

    static func runFaultRow(_ row: FaultRow, on factory: LogStorageFactory) async throws {
        if let only = ProcessInfo.processInfo.environment["FAULT_ROW"], only != row.description { return }
        let open = try await factory.makeLocation()
        let faulty = FaultInjectingLogStorage(wrapping: try await open())
        let log = try await TestLogKey.open(faulty)
        var acknowledged: [UInt64: [UInt8]] = [:]
        var observed: [PublishedCheckpoint] = []

        for number in 0..<20 {
            let entry = testEntry("fault-", number)
            acknowledged[try await log.append(entry.data, identity: entry.identity).index] = entry.data
        }
        observed.append(try await log.waitForCheckpoint(covering: 19))

        faulty.inject(LogStorageFault(row.write, row.timing, call: 2, count: row.count))
        let observer = CheckpointObserver()
        let watching = observer.watch(log)
        // 4 writers × 15 entries, each waiting for its inclusion like a Rekor client.
        let outcomes = await runFaultWriters(log)
        watching.cancel()
        observed += await observer.seen
        let stopped = await log.stoppedReason
        await log.shutdown()

        checkOutcomes(row, fired: faulty.firedFaults, outcomes: outcomes, stopped: stopped, acknowledged: &acknowledged)
        do {
            try await checkRestart(row, storage: try await open(), acknowledged: acknowledged, observed: observed, outcomes: outcomes)
        } catch {
            Issue.record("\(row): after restart: \(error)")
        }
    }

    /// 4 writers × 15 entries (numbers 20..<80), each waiting for its inclusion like a Rekor client.
    static func runFaultWriters(_ log: TileLog) async -> [FaultOutcome] {
        await withTaskGroup(of: [FaultOutcome].self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var mine: [FaultOutcome] = []
                    for n in 0..<15 {
                        let number = 20 + writer * 15 + n
                        let entry = testEntry("fault-", number)
                        do {
                            let result = try await log.append(entry.data, identity: entry.identity)
                            do {
                                let inclusion = try await log.waitForInclusion(of: result.index)
                                try Merkle.verifyInclusion(
                                    leafHash: Merkle.leafHash(entry.data), index: result.index,
                                    size: inclusion.checkpoint.size, proof: inclusion.proof,
                                    root: inclusion.checkpoint.rootHash)
                                mine.append(FaultOutcome(number: number, appended: result, appendError: nil, included: true, inclusionError: nil))
                            } catch {
                                mine.append(FaultOutcome(number: number, appended: result, appendError: nil, included: false, inclusionError: error as? LogError))
                            }
                        } catch {
                            mine.append(FaultOutcome(number: number, appended: nil, appendError: error as? LogError, included: false, inclusionError: nil))
                        }
                    }
                    return mine
                }
            }
            var all: [FaultOutcome] = []
            for await part in group { all += part }
            return all
        }
    }

    /// Restarts on the same durable data without faults and checks what the fault row promised. Async code here
    /// only reads; the checks are synchronous functions (see `expectClean` on the Swift 6.3.1 crash).
    static func checkRestart(
        _ row: FaultRow, storage: any LogStorage, acknowledged: [UInt64: [UInt8]],
        observed: [PublishedCheckpoint], outcomes: [FaultOutcome]
    ) async throws {
        // `storage` is a new connection to the same durable data, without faults.
        let restarted = try await TestLogKey.open(storage)
        await expectFsckClean(storage)
        let afterRestart = await restarted.latestCheckpoint
        var found: [UInt64: [UInt8]] = [:]
        for index in acknowledged.keys {
            found[index] = try await storage.entries(in: index..<(index + 1)).first?.data
        }
        checkAcknowledged(row, acknowledged: acknowledged, found: found, checkpoint: afterRestart)

        // Writers retry what failed; entries that landed despite the error come back as duplicates.
        for outcome in outcomes where outcome.appended == nil {
            let entry = testEntry("fault-", outcome.number)
            let retried = try await restarted.append(entry.data, identity: entry.identity)
            _ = try await restarted.waitForInclusion(of: retried.index)
        }
        let final = try await restarted.waitForCheckpoint(covering: 79)
        let entries = try await storage.entries(in: 0..<final.size)
        checkFinal(row, final: final, entries: entries)
        // Each checkpoint is consistent with every earlier one; then the log shuts down and fsck is clean.
        try await expectPairwiseConsistent(observed + [afterRestart, final], log: restarted, reference: nil)
        await restarted.shutdown()
        await expectFsckClean(storage)
    }

    static func checkAcknowledged(
        _ row: FaultRow, acknowledged: [UInt64: [UInt8]], found: [UInt64: [UInt8]], checkpoint: PublishedCheckpoint
    ) {
        #expect(throws: Never.self) { _ = try verifiedCheckpoint(checkpoint) }
        for (index, data) in acknowledged {
            #expect(index < checkpoint.size, "\(row): acknowledged \(index) not covered by \(checkpoint.size)")
            #expect(found[index] == data, "\(row): acknowledged entry \(index) lost or changed")
        }
    }

    static func checkFinal(_ row: FaultRow, final: PublishedCheckpoint, entries: [SequencedEntry]) {
        // Every entry is in the log exactly once (80 numbers, no duplicates, no strangers).
        #expect(final.size == 80, "\(row): final size \(final.size)")
        #expect(Set(entries.map(\.data)).count == entries.count)
        #expect(Set(entries.map(\.data)) == Set((0..<80).map { testEntry("fault-", $0).data }))
    }

    /// The synchronous checks of a fault row's writers (kept out of the async function: smaller async frames).
    static func checkOutcomes(
        _ row: FaultRow, fired: [LogStorageFault], outcomes: [FaultOutcome], stopped: LogError?,
        acknowledged: inout [UInt64: [UInt8]]
    ) {
        #expect(!fired.isEmpty, "the fault never fired: the row tested nothing")
        for outcome in outcomes {
            if let appended = outcome.appended { acknowledged[appended.index] = testEntry("fault-", outcome.number).data }
            // Failures are only ever storage failures (503) or a clean stop, never anything else.
            if let error = outcome.appendError ?? outcome.inclusionError {
                #expect(error.code == .storageFailure || error.code == .stopped, "\(row): \(error)")
            }
            if outcome.appended == nil || !outcome.included {
                #expect(outcome.appendError != nil || outcome.inclusionError != nil, "\(row): untyped error")
            }
        }
        if !row.isPersistent {
            // A transient fault costs at most one batch of appends; the engine keeps going and proves the rest.
            #expect(stopped == nil, "\(row): \(String(describing: stopped))")
            #expect(outcomes.filter { $0.appended != nil && !$0.included }.isEmpty, "\(row)")
            if row.write != .sequence { #expect(outcomes.allSatisfy { $0.appended != nil }, "\(row)") }
        } else if row.write == .compareAndSwapCheckpoint, row.timing == .afterPersist, stopped == nil {
            // Each checkpoint lands before its error: an engine on storage shared by several front ends (it holds
            // a lease, not exclusive use) re-reads the stored checkpoint and so makes progress. Then nothing may
            // be left unproven.
            #expect(outcomes.allSatisfy { $0.appended == nil || $0.included }, "\(row)")
        } else if row.write != .sequence {
            // Integration cannot make progress: the engine stops and says so.
            #expect(stopped?.code == .stopped, "\(row)")
        }

    }
}
