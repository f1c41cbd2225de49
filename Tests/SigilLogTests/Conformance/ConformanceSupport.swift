// Support for the LogStorage conformance suite. This folder is self-contained (it needs only SigilLog, SigilMerkle,
// SigilTlog, SigilTesting, Crypto, Synchronization and Testing) so a driver's test target can compile the same
// files: symlink `Tests/<DriverTests>/Conformance` to `../SigilLogTests/Conformance` and add a one-line test per
// check (see `InMemoryConformanceTests.swift`).

import Crypto
import SigilLog
import SigilMerkle
import SigilTesting
import SigilTlog
import Synchronization
import Testing

/// How the suite gets stores: `makeLocation` creates a new, empty durable location (a fresh in-memory store, a
/// temporary SQLite file, a new PostgreSQL schema) and returns an opener; each call of the opener is a new
/// "process" connecting to the same durable data, which is how the suite restarts the log.
struct LogStorageFactory: Sendable, CustomStringConvertible {
    let name: String
    let makeLocation: @Sendable () async throws -> @Sendable () async throws -> any LogStorage

    var description: String { name }
}

/// The log identity every conformance test uses.
enum TestLogKey {
    static let origin = "example.com/sigil-log-test"

    static let signer: NoteSigner = {
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x42, count: 32))
        return try! NoteSigner.ed25519(name: origin, privateKey: key)
    }()

    /// Another key with the same name: its checkpoints must not be accepted as the log's.
    static let otherSigner: NoteSigner = {
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x43, count: 32))
        return try! NoteSigner.ed25519(name: origin, privateKey: key)
    }()

    static var verifierKey: NoteVerifierKey { signer.verifierKey }

    static func configuration(
        batchDelay: Duration = .milliseconds(1), maxBatchSize: Int = 256, maxPendingEntries: Int = 16_384
    ) -> TileLogConfiguration {
        var configuration = TileLogConfiguration(origin: origin)
        configuration.batchDelay = batchDelay
        configuration.maxBatchSize = maxBatchSize
        configuration.maxPendingEntries = maxPendingEntries
        configuration.retryDelay = .milliseconds(2)
        return configuration
    }

    static func open(_ storage: any LogStorage, configuration: TileLogConfiguration? = nil) async throws -> TileLog {
        try await TileLog.open(storage: storage, signer: signer, configuration: configuration ?? self.configuration())
    }
}

/// Entry data and identity for tests: `prefix` + decimal index, identity = SHA-256(data).
func testEntry(_ prefix: String, _ number: Int) -> (data: [UInt8], identity: [UInt8]) {
    let data = Array("\(prefix)\(number)".utf8)
    return (data, Array(SHA256.hash(data: data)))
}

/// Asserts that `body` throws a `LogError` with `code`.
func expectLogError(
    _ code: LogError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected LogError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as LogError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected LogError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Verifies a checkpoint note with the test key and returns it.
func verifiedCheckpoint(_ checkpoint: PublishedCheckpoint) throws -> VerifiedCheckpoint {
    try Checkpoint.verify(checkpoint.note, origin: TestLogKey.origin, keys: [TestLogKey.verifierKey])
}

/// Runs fsck with the test key and records every problem as an issue.
@discardableResult
func expectFsckClean(_ storage: any LogStorage, sourceLocation: SourceLocation = #_sourceLocation) async -> FsckReport {
    // In its own task: see the report's note on the Swift 6.3.1 task-allocator crash in the fault rows.
    let report = await Task { await LogFsck.check(storage: storage, origin: TestLogKey.origin, keys: [TestLogKey.verifierKey]) }.value
    expectClean(report, sourceLocation: sourceLocation)
    return report
}

/// The assertion itself, outside the async function (a failing `#expect` in some async test helpers crashed the
/// Swift 6.3.1 runtime's task allocator).
func expectClean(_ report: FsckReport, sourceLocation: SourceLocation) {
    #expect(report.isClean, "\(report)", sourceLocation: sourceLocation)
}

/// Collects the distinct checkpoints a log publishes while a test runs.
actor CheckpointObserver {
    private(set) var seen: [PublishedCheckpoint] = []

    func record(_ checkpoint: PublishedCheckpoint) {
        if seen.last != checkpoint { seen.append(checkpoint) }
    }

    /// Polls `log` every few milliseconds until the returned task is cancelled.
    nonisolated func watch(_ log: TileLog) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                await record(await log.latestCheckpoint)
                try? await Task.sleep(for: .milliseconds(3))
            }
        }
    }
}

/// Checks consistency proofs between every pair of `checkpoints` (sizes ascending), each proof built by `log` and
/// verified with SigilMerkle; the first `referenceChecks` pairs are also compared with the reference tree.
func expectPairwiseConsistent(
    _ checkpoints: [PublishedCheckpoint], log: TileLog, reference: ReferenceMerkleTreeBox?, referenceChecks: Int = 20,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let sorted = checkpoints.sorted { $0.size < $1.size }
    var pairs: [(PublishedCheckpoint, PublishedCheckpoint, [MerkleHash])] = []
    for (i, older) in sorted.enumerated() {
        for newer in sorted[(i + 1)...] {
            pairs.append((older, newer, try await log.consistencyProof(from: older.size, to: newer.size)))
        }
    }
    checkConsistent(pairs, reference: reference, referenceChecks: referenceChecks, sourceLocation: sourceLocation)
}

/// The checks of `expectPairwiseConsistent`, synchronous (see `expectClean`).
func checkConsistent(
    _ pairs: [(PublishedCheckpoint, PublishedCheckpoint, [MerkleHash])], reference: ReferenceMerkleTreeBox?,
    referenceChecks: Int, sourceLocation: SourceLocation
) {
    var compared = 0
    for (older, newer, proof) in pairs {
        #expect(throws: Never.self, "consistency \(older.size) → \(newer.size)", sourceLocation: sourceLocation) {
            try Merkle.verifyConsistency(
                size1: older.size, size2: newer.size, root1: older.rootHash, root2: newer.rootHash, proof: proof)
        }
        if let reference, compared < referenceChecks {
            compared += 1
            #expect(
                proof == reference.tree.consistencyProof(from: Int(older.size), to: Int(newer.size)),
                sourceLocation: sourceLocation)
        }
    }
}

/// A reference tree shared by reference (it is large).
final class ReferenceMerkleTreeBox: Sendable {
    let tree: ReferenceMerkleTree
    init(_ tree: ReferenceMerkleTree) { self.tree = tree }
}

/// Keeps what a `@Sendable` storage callback saw, for the test to look at afterwards.
final class ResultsBox: Sendable {
    private let state = Mutex<[SequencingResult]?>(nil)

    var value: [SequencingResult]? { state.withLock { $0 } }

    func set(_ results: [SequencingResult]) { state.withLock { $0 = results } }
}
