// The log under load over loopback: many parallel clients, every answer checked, the whole tree recomputed
// by the slow RFC 6962 reference, and every checkpoint seen proven consistent with the final one from tiles
// fetched over HTTP.
//
// SIGIL_LOG_LOAD_ENTRIES sets the number of entries (default 10,000, what `.ci/run` runs).

import AsyncHTTPClient
import Foundation
import SigilBundle
import SigilMerkle
import SigilRekor
import SigilServer
import SigilServiceTesting
import SigilTesting
import SigilTlog
import Testing

@Suite("Log server under load")
struct LogLoadTests {
    static let entryCount = ProcessInfo.processInfo.environment["SIGIL_LOG_LOAD_ENTRIES"].flatMap { Int($0) } ?? 10_000
    static let clients = 16

    /// One acknowledged write.
    struct Acknowledged: Sendable {
        let answer: TransparencyLogEntry
        let checkpoint: VerifiedCheckpoint
    }

    @Test("Parallel clients' appends all verify against the final checkpoint and the reference tree")
    func parallelAppendsVerify() async throws {
        let count = Self.entryCount
        try #require(count > 0)
        let log = try await LiveLog.start()
        let client = makeHTTPClient(connections: Self.clients * 2)
        let origin = log.origin
        let keys = [log.noteKey]
        let logID = log.server.identity.logID

        // Pre-signed requests with a few P-256 keys, fresh digests.
        let signers = (0..<4).map { _ in RequestSigner() }
        let bodies = try (0..<count).map { i in
            try signers[i % signers.count].body(for: Array("artifact \(i) \(UUID())".utf8))
        }

        let started = ContinuousClock.now
        // A poller takes checkpoints while the clients write.
        let polling = Task { () -> [VerifiedCheckpoint] in
            var seen: [VerifiedCheckpoint] = []
            while !Task.isCancelled {
                if let answer = try? await client.get("\(log.baseURL)/checkpoint"), answer.status == 200 {
                    seen.append(try SigilTlog.Checkpoint.verify(answer.body, origin: origin, keys: keys))
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return seen
        }
        let acknowledged = try await withThrowingTaskGroup(of: [Acknowledged].self) { group in
            for worker in 0..<Self.clients {
                group.addTask {
                    var mine: [Acknowledged] = []
                    for i in stride(from: worker, to: count, by: Self.clients) {
                        let answer = try await client.post("\(log.baseURL)/api/v2/log/entries", body: bodies[i])
                        try #require(answer.status == 201, "entry \(i): \(answer.status) \(answer.text)")
                        let entry = try TransparencyLogEntry.parse(answer.body)
                        let proof = try #require(entry.inclusionProof)
                        let envelope = try #require(proof.checkpoint).envelope
                        let checkpoint = try SigilTlog.Checkpoint.verify(envelope, origin: origin, keys: keys)
                        mine.append(Acknowledged(answer: entry, checkpoint: checkpoint))
                    }
                    return mine
                }
            }
            var all: [Acknowledged] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - started
        polling.cancel()
        var checkpoints = try await polling.value
        print("log load: \(count) entries from \(Self.clients) clients in \(elapsed)")

        // Every index 0..<count exactly once.
        #expect(acknowledged.count == count)
        var byIndex = [Acknowledged?](repeating: nil, count: count)
        for item in acknowledged {
            let index = Int(item.answer.logIndex)
            try #require((0..<count).contains(index), "index \(index) out of range")
            #expect(byIndex[index] == nil, "index \(index) answered twice")
            byIndex[index] = item
        }
        let ordered = try byIndex.map { try #require($0) }

        // The final checkpoint, and the independent reference tree over the returned canonical bodies.
        let finalAnswer = try await client.get("\(log.baseURL)/checkpoint")
        let final = try SigilTlog.Checkpoint.verify(finalAnswer.body, origin: origin, keys: keys)
        #expect(final.checkpoint.size == UInt64(count))
        let leaves = ordered.map { Merkle.leafHash($0.answer.canonicalizedBody) }
        let reference = ReferenceMerkleTree(leafHashes: leaves)
        #expect(reference.root() == final.checkpoint.rootHash)

        // The tiles over HTTP: level-0 tiles are exactly the reference leaf hashes, level-1 tiles the reference
        // roots of each 256-leaf run; the entry bundles hold exactly the returned bodies.
        let tiles = try await TileNodes(client: client, baseURL: log.baseURL, treeSize: UInt64(count))
        for (id, hashes) in tiles.tileHashes(level: 0) {
            let start = Int(id.index) * TileID.fullWidth
            #expect(hashes == Array(leaves[start..<(start + hashes.count)]), "\(id.path)")
            let bundle = try await client.get("\(log.baseURL)/tile/entries/\(id.path.dropFirst("tile/0/".count))")
            let entries = try EntryBundle(bytes: bundle.body, width: id.width).entries
            #expect(entries == ordered[start..<(start + entries.count)].map(\.answer.canonicalizedBody))
        }
        for (id, hashes) in tiles.tileHashes(level: 1) {
            for (offset, hash) in hashes.enumerated() {
                let start = (Int(id.index) * TileID.fullWidth + offset) * TileID.fullWidth
                #expect(hash == ReferenceMerkleTree(leafHashes: Array(leaves[start..<(start + 256)])).root())
            }
        }

        // Every answer: shape, log ID, body leaf, proof to its own checkpoint, that checkpoint consistent with the
        // final one, and the entry included in the final tree.
        var consistentSizes: Set<UInt64> = []
        for (index, item) in ordered.enumerated() {
            let entry = item.answer
            let proof = try #require(entry.inclusionProof)
            #expect(entry.logId.keyId == logID)
            #expect(entry.kindVersion == KindVersion(kind: "hashedrekord", version: "0.0.2"))
            #expect(proof.logIndex == entry.logIndex)
            #expect(UInt64(proof.treeSize) == item.checkpoint.checkpoint.size)
            #expect(proof.rootHash == item.checkpoint.checkpoint.rootHash.bytes)
            try Merkle.verifyInclusion(
                leafHash: leaves[index], index: UInt64(index), size: item.checkpoint.checkpoint.size,
                proof: try Merkle.proofHashes(proof.hashes), root: item.checkpoint.checkpoint.rootHash)
            let size = item.checkpoint.checkpoint.size
            if consistentSizes.insert(size).inserted {
                try Merkle.verifyConsistency(
                    size1: size, size2: final.checkpoint.size, root1: item.checkpoint.checkpoint.rootHash,
                    root2: final.checkpoint.rootHash,
                    proof: try Merkle.consistencyProof(from: size, to: final.checkpoint.size, nodes: tiles.reader))
            }
            try Merkle.verifyInclusion(
                leafHash: leaves[index], index: UInt64(index), size: final.checkpoint.size,
                proof: try Merkle.inclusionProof(index: UInt64(index), size: final.checkpoint.size, nodes: tiles.reader),
                root: final.checkpoint.rootHash)
        }
        // The reference's own proofs agree with the tiles' on a sample.
        for index in stride(from: 0, to: count, by: max(1, count / 50)) {
            #expect(
                reference.inclusionProof(index: index)
                    == (try Merkle.inclusionProof(
                        index: UInt64(index), size: final.checkpoint.size, nodes: tiles.reader)))
        }

        // Checkpoints polled during the run: each consistent with the next one and with the final one.
        checkpoints.append(final)
        #expect(checkpoints.count > 1)
        for (older, newer) in zip(checkpoints, checkpoints.dropFirst()) {
            let size1 = older.checkpoint.size
            let size2 = newer.checkpoint.size
            #expect(size1 <= size2)
            try Merkle.verifyConsistency(
                size1: size1, size2: size2, root1: older.checkpoint.rootHash, root2: newer.checkpoint.rootHash,
                proof: try Merkle.consistencyProof(from: size1, to: size2, nodes: tiles.reader))
        }

        try await client.shutdown()
        try await log.stop()
    }
}
