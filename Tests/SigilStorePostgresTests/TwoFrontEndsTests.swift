// Two `sigil log serve --postgres` processes on one database, written to at once over HTTP: indices exactly
// 0..<N, every answer's proof verifies, the final tree equals the slow RFC 6962 reference over the stored entries,
// and every checkpoint either front end served or answered with is consistent with the final one. The second test
// kills the PostgreSQL server mid-run (`pg_ctl stop -m immediate`), restarts it, and checks that no acknowledged
// entry was lost.
//
// SIGIL_PG_FRONTEND_ENTRIES sets the entry count of the first test (default 2,000 to stay fast in debug;
// scripts/pg-two-frontends runs it with 10,000).

import AsyncHTTPClient
import Foundation
import SigilBundle
import SigilMerkle
import SigilServiceTesting
import SigilTesting
import SigilTlog
import Testing

@Suite(
    "Two log front ends on one PostgreSQL database", .serialized,
    .enabled(if: PostgresBinaries.shouldRun, PostgresBinaries.skipMessage))
struct TwoFrontEndsTests {
    static let entryCount = ProcessInfo.processInfo.environment["SIGIL_PG_FRONTEND_ENTRIES"].flatMap { Int($0) } ?? 2_000
    static let origin = "pg.sigil.test"

    @Test("appends through two front ends get indices 0..<N, and all proofs and checkpoints agree")
    func twoFrontEndsAppendAtOnce() async throws {
        let cluster = try await SharedCluster.instance.get()
        try await Self.run(cluster: cluster, entries: Self.entryCount, clients: 16, killAt: nil)
    }

    @Test("killing PostgreSQL mid-run and restarting it loses no acknowledged entry")
    func serverKilledMidRun() async throws {
        // Its own cluster: the shared one serves the other tests of this process.
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try await Self.run(cluster: cluster, entries: 1_500, clients: 8, killAt: 500)
    }

    /// One acknowledged (201) write.
    struct Acknowledged: Sendable {
        let number: Int
        let answer: TransparencyLogEntry
        let checkpoint: VerifiedCheckpoint
        let frontEnd: Int
    }

    /// What all writers saw.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var acknowledged = 0
        private(set) var retries = 0
        func acknowledge() -> Int { lock.withLock { acknowledged += 1; return acknowledged } }
        func retry() { lock.withLock { retries += 1 } }
        var count: Int { lock.withLock { acknowledged } }
    }

    static func run(cluster: PostgresCluster, entries count: Int, clients: Int, killAt: Int?) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: SigilExecutable.url.path), "build sigil first: \(SigilExecutable.url.path)")
        let url = cluster.url(schema: SharedCluster.schemaName("fe"))
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-pg-fe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }

        // The first front end creates the key in `data`; the second reuses it (same key, same origin).
        var processes: [SigilProcess] = []
        var started: [String] = []
        var vkey = ""
        for _ in 0..<2 {
            let process = try SigilProcess([
                "log", "serve", "--data", data, "--port", "0", "--origin", origin, "--postgres", url,
            ])
            processes.append(process)
            started.append(try await process.waitForLine(startingWith: "listening on "))
            vkey = try await process.waitForLine(startingWith: "vkey: ")
        }
        let bases = started
        let running = processes
        defer { for process in processes { process.kill() } }
        let keys = [try NoteVerifierKey(vkey: vkey)]
        let client = makeHTTPClient(connections: clients * 2)

        let signers = (0..<4).map { _ in RequestSigner() }
        let bodies = try (0..<count).map { i in
            try signers[i % signers.count].body(for: Array("pg artifact \(i) \(UUID())".utf8))
        }

        // Pollers take checkpoints from both front ends while the clients write.
        let pollers = bases.map { base in
            Task { () -> [VerifiedCheckpoint] in
                var seen: [VerifiedCheckpoint] = []
                while !Task.isCancelled {
                    if let answer = try? await client.get("\(base)/checkpoint"), answer.status == 200 {
                        seen.append(try SigilTlog.Checkpoint.verify(answer.body, origin: origin, keys: keys))
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return seen
            }
        }

        let tally = Tally()
        let killer: Task<Int?, any Error>? = killAt.map { threshold in
            Task {
                while tally.count < threshold { try await Task.sleep(for: .milliseconds(5)) }
                try cluster.stop(immediate: true)
                // The server stays down until an append sent during the outage is answered: 503, once the store's
                // operation timeout (5 s) passes. The probe is the run's last entry, not yet sent (if it were
                // sequenced after all, its writer would get 409 and the run would still count it once).
                let probe = try? await client.post("\(bases[0])/api/v2/log/entries", body: bodies[count - 1])
                try cluster.start()
                return probe?.status
            }
        }

        let start = ContinuousClock.now
        let acknowledged = try await withThrowingTaskGroup(of: [Acknowledged].self) { group in
            for worker in 0..<clients {
                group.addTask {
                    var mine: [Acknowledged] = []
                    for number in stride(from: worker, to: count, by: clients) {
                        let frontEnd = number % 2
                        let deadline = ContinuousClock.now + .seconds(60)
                        var attempts: [String] = []
                        while true {
                            let sent = ContinuousClock.now
                            let answer: HTTPAnswer?
                            do { answer = try await client.post("\(bases[frontEnd])/api/v2/log/entries", body: bodies[number]) } catch {
                                answer = nil
                                attempts.append("\(error) after \(ContinuousClock.now - sent)")
                            }
                            if let answer { attempts.append("\(answer.status) \(answer.text.prefix(120)) after \(ContinuousClock.now - sent)") }
                            if let answer, answer.status == 201 {
                                let entry = try TransparencyLogEntry.parse(answer.body)
                                let proof = try #require(entry.inclusionProof)
                                let envelope = try #require(proof.checkpoint).envelope
                                let checkpoint = try SigilTlog.Checkpoint.verify(envelope, origin: origin, keys: keys)
                                mine.append(Acknowledged(number: number, answer: entry, checkpoint: checkpoint, frontEnd: frontEnd))
                                _ = tally.acknowledge()
                                break
                            }
                            // 409: an earlier attempt was sequenced though its answer was lost; it is in the log.
                            if let answer, answer.status == 409 { break }
                            // Anything but 503 (or a refused connection while a server restarts) is a failure.
                            if let answer, answer.status != 503 {
                                Issue.record("entry \(number): \(answer.status) \(answer.text)")
                                break
                            }
                            try #require(killAt != nil, "entry \(number): \(answer.map { "\($0.status) \($0.text)" } ?? "no answer")")
                            try #require(
                                ContinuousClock.now < deadline,
                                "entry \(number) not accepted within 60 s: \(attempts.suffix(5)) (front end \(frontEnd): \(running[frontEnd].errorText.suffix(3_000)))")
                            tally.retry()
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    return mine
                }
            }
            var all: [Acknowledged] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let probeStatus = try await killer?.value
        print("two front ends on PostgreSQL: \(count) entries from \(clients) clients in \(elapsed), \(acknowledged.count) acknowledged, \(tally.retries) retries")

        // Both front ends end at a checkpoint of exactly `count` entries (every body is in the log exactly once:
        // acknowledged, or sequenced by an attempt whose answer was lost).
        var finals: [VerifiedCheckpoint] = []
        for base in bases {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let answer = try await client.get("\(base)/checkpoint")
                let checkpoint = try SigilTlog.Checkpoint.verify(answer.body, origin: origin, keys: keys)
                if checkpoint.checkpoint.size >= UInt64(count) || ContinuousClock.now > deadline {
                    finals.append(checkpoint)
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        for poller in pollers { poller.cancel() }
        var observed: [(frontEnd: Int, checkpoint: VerifiedCheckpoint)] = []
        for (frontEnd, poller) in pollers.enumerated() { observed += try await poller.value.map { (frontEnd, $0) } }
        let final = finals[0]
        #expect(final.checkpoint.size == UInt64(count))
        #expect(finals[1].checkpoint == final.checkpoint, "both front ends serve the same final checkpoint")
        #expect(Set(observed.map(\.frontEnd)).count == 2, "checkpoints observed from both front ends")
        if killAt == nil {
            #expect(acknowledged.count == count)
            #expect(tally.retries == 0)
        } else {
            #expect(acknowledged.count > killAt ?? 0)
            #expect(probeStatus == 503, "an append during the outage is answered 503")
        }
        #expect(Set(acknowledged.map(\.frontEnd)).count == 2)

        // Indices: every acknowledged index in 0..<count, none twice.
        var byIndex: [Int: Acknowledged] = [:]
        for item in acknowledged {
            let index = Int(item.answer.logIndex)
            try #require((0..<count).contains(index), "index \(index) out of range")
            #expect(byIndex[index] == nil, "index \(index) answered twice")
            byIndex[index] = item
        }

        // The stored log over HTTP: entry bundles hold `count` entries, the reference tree over them has the
        // final root, and every acknowledged entry is at its index with its exact body.
        let size = final.checkpoint.size
        var stored: [[UInt8]] = []
        for bundleIndex in 0..<((size + 255) / 256) {
            let id = try EntryBundleID(index: bundleIndex, width: EntryBundleID.width(index: bundleIndex, treeSize: size))
            let answer = try await client.get("\(bases[Int(bundleIndex % 2)])/\(id.path)")
            try #require(answer.status == 200, "GET \(id.path): \(answer.status)")
            stored += try EntryBundle(bytes: answer.body, width: id.width).entries
        }
        #expect(stored.count == count)
        #expect(Set(stored).count == stored.count, "no entry is stored twice")
        let leaves = stored.map { Merkle.leafHash($0) }
        #expect(ReferenceMerkleTree(leafHashes: leaves).root() == final.checkpoint.rootHash)
        let tiles = try await TileNodes(client: client, baseURL: bases[1], treeSize: size)

        var consistent: Set<UInt64> = [size]
        func checkConsistent(_ checkpoint: VerifiedCheckpoint) throws {
            let older = checkpoint.checkpoint
            guard consistent.insert(older.size).inserted else { return }
            #expect(older.size <= size)
            try Merkle.verifyConsistency(
                size1: older.size, size2: size, root1: older.rootHash, root2: final.checkpoint.rootHash,
                proof: try Merkle.consistencyProof(from: older.size, to: size, nodes: tiles.reader))
        }
        for (index, item) in byIndex {
            #expect(stored[index] == item.answer.canonicalizedBody, "entry \(index) stored as acknowledged")
            let proof = try #require(item.answer.inclusionProof)
            try Merkle.verifyInclusion(
                leafHash: leaves[index], index: UInt64(index), size: item.checkpoint.checkpoint.size,
                proof: try Merkle.proofHashes(proof.hashes), root: item.checkpoint.checkpoint.rootHash)
            try checkConsistent(item.checkpoint)
            try Merkle.verifyInclusion(
                leafHash: leaves[index], index: UInt64(index), size: size,
                proof: try Merkle.inclusionProof(index: UInt64(index), size: size, nodes: tiles.reader),
                root: final.checkpoint.rootHash)
        }
        // Checkpoints polled from either front end: each consistent with the final one (so with each other).
        for (_, checkpoint) in observed { try checkConsistent(checkpoint) }
        for process in processes { #expect(try await process.terminate() == 0, "\(process.errorText.suffix(2_000))") }
        processes.removeAll()
        try await client.shutdown()
    }
}
