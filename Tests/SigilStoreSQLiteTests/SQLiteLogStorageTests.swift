// What the SQLite driver promises beyond the shared conformance suite: the file it creates (mode, WAL,
// synchronous=FULL, schema version), refusing files it must not touch, closing and reopening under load without
// losing an acknowledged entry, and a really failing write (a full database) changing nothing.

import Crypto
import Foundation
import GRDB
import SigilLog
import SigilMerkle
import SigilStoreSQLite
import SigilTlog
import Testing

@Suite("SQLite log storage")
final class SQLiteLogStorageTests {
    let root: TemporaryDirectory

    init() throws {
        root = try TemporaryDirectory("store")
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    // MARK: The file

    @Test("a new database and its WAL and shared-memory files are readable by the owner only")
    func newFilesAreMode0600() async throws {
        let directory = root.path("data")
        let storage = try SQLiteLogStorage(directory: directory)
        _ = try await storage.sequence([LogEntry(data: [1], identity: [1])])
        let file = directory + "/" + SQLiteLogStorage.defaultFileName
        #expect(storage.path == file)
        #expect(try mode(directory) == 0o700)
        #expect(try mode(file) == 0o600)
        #expect(try mode(file + "-wal") == 0o600)
        #expect(try mode(file + "-shm") == 0o600)
    }

    @Test("an existing file keeps its mode")
    func existingFileKeepsItsMode() throws {
        let path = root.path("existing.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o640]))
        _ = try SQLiteLogStorage(path: path)
        #expect(try mode(path) == 0o640)
    }

    @Test("opening runs WAL with synchronous FULL and a busy timeout, and records the schema version")
    func settingsAndSchemaVersion() async throws {
        let path = root.path("settings.sqlite")
        var options = SQLiteLogStorage.Options()
        options.busyTimeout = .milliseconds(2_500)
        let storage = try SQLiteLogStorage(path: path, options: options)
        let settings = try await storage.settings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)  // FULL
        #expect(settings.busyTimeoutMilliseconds == 2_500)
        #expect(SQLiteLogStorage.schemaVersion == 1)
        #expect(settings.schemaVersion == SQLiteLogStorage.schemaVersion)
        #expect(settings.appliedMigrations.count == SQLiteLogStorage.schemaVersion)
        try storage.close()

        // Another SQLite client sees the same: the file is WAL, the version is in the header.
        let queue = try DatabaseQueue(path: path)
        let (journal, version, tables) = try await queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA user_version"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            )
        }
        #expect(journal == "wal")
        #expect(version == 1)
        #expect(Set(tables).isSuperset(of: ["bundles", "checkpoint", "entries", "tiles"]))

        // Reopening migrates nothing and keeps the version.
        let reopened = try SQLiteLogStorage(path: path, options: options)
        #expect(try await reopened.settings() == settings)
    }

    @Test("a database written by a newer build is refused")
    func newerSchemaIsRefused() async throws {
        let path = root.path("newer.sqlite")
        let storage = try SQLiteLogStorage(path: path)
        _ = try await storage.sequence([LogEntry(data: [1], identity: [1])])
        try storage.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
        }
        try queue.close()
        #expect {
            _ = try SQLiteLogStorage(path: path)
        } throws: { error in
            (error as? SQLiteStoreError)?.code == .unknownSchema
        }
    }

    @Test("a file that is not a SQLite database is refused and left as it was")
    func notADatabaseIsRefused() throws {
        let path = root.path("garbage.sqlite")
        let garbage = Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteLogStorage(path: path)
        } throws: { error in
            (error as? SQLiteStoreError)?.code == .cannotOpen
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test("a path in a missing directory cannot be opened")
    func missingDirectoryIsRefused() {
        #expect {
            _ = try SQLiteLogStorage(path: root.path("no/such/dir/log.sqlite"))
        } throws: { error in
            (error as? SQLiteStoreError)?.code == .cannotOpen
        }
    }

    @Test("calls after close fail as storage failures")
    func callsAfterCloseFail() async throws {
        let storage = try SQLiteLogStorage(path: root.path("closed.sqlite"))
        try storage.close()
        await expectLogError(.storageFailure) { _ = try await storage.sequence([LogEntry(data: [1], identity: [1])]) }
        await expectLogError(.storageFailure) { _ = try await storage.sequencedSize() }
    }

    // MARK: Restarts

    @Test("closing and reopening the database mid-stream loses no acknowledged entry")
    func closeAndReopenMidStream() async throws {
        let directory = root.path("midstream")
        var acknowledged: [UInt64: [UInt8]] = [:]
        var failures = 0
        for round in 0..<4 {
            let storage = try SQLiteLogStorage(directory: directory)
            // Everything acknowledged in earlier rounds is there, at its index.
            for (index, data) in acknowledged {
                #expect(try await storage.entries(in: index..<(index + 1)).first?.data == data, "round \(round): \(index)")
            }
            let log = try await TestLogKey.open(storage)
            let tally = Tally()
            let writers = Task {
                await withTaskGroup(of: [(UInt64, [UInt8])?].self) { group in
                    for writer in 0..<8 {
                        group.addTask {
                            var mine: [(UInt64, [UInt8])?] = []
                            for n in 0..<400 {
                                let entry = testEntry("mid-\(round)-\(writer)-", n)
                                do {
                                    let result = try await log.append(entry.data, identity: entry.identity)
                                    mine.append((result.index, entry.data))
                                    await tally.add()
                                } catch {
                                    mine.append(nil)  // not acknowledged: the writer gives up, as a client would retry later
                                    break
                                }
                            }
                            return mine
                        }
                    }
                    var all: [(UInt64, [UInt8])?] = []
                    for await part in group { all += part }
                    return all
                }
            }
            // Close the database under the writers once some entries were acknowledged.
            while await tally.count < 40 { try await Task.sleep(for: .milliseconds(2)) }
            try storage.close()
            let outcomes = await writers.value
            await log.shutdown()
            for outcome in outcomes {
                if let (index, data) = outcome {
                    #expect(acknowledged[index] == nil, "index \(index) acknowledged twice")
                    acknowledged[index] = data
                } else {
                    failures += 1
                }
            }
        }
        #expect(acknowledged.count >= 4 * 40)
        #expect(failures > 0, "no append ever saw the closed database: the test closed nothing mid-stream")

        // The last reopen finds every acknowledged entry, integrates them all, and fsck is clean.
        let storage = try SQLiteLogStorage(directory: directory)
        let log = try await TestLogKey.open(storage)
        let size = try await storage.sequencedSize()
        let checkpoint = try await log.waitForCheckpoint(covering: size - 1)
        #expect(checkpoint.size == size)
        let entries = try await storage.entries(in: 0..<size)
        #expect(entries.map(\.index) == Array(0..<size))
        for (index, data) in acknowledged {
            #expect(index < size)
            #expect(entries[Int(index)].data == data, "acknowledged entry \(index) lost or changed")
        }
        await log.shutdown()
        await expectFsckClean(storage)
    }

    // MARK: Failing writes

    @Test("a write that fills the database throws and leaves nothing of itself behind")
    func fullDatabaseFailsWholeCalls() async throws {
        let path = root.path("full.sqlite")
        var options = SQLiteLogStorage.Options()
        options.maximumSizeBytes = 256 * 1_024
        let storage = try SQLiteLogStorage(path: path, options: options)

        // Sequence batches of 16 × 1 KiB until the database is full.
        var stored = 0
        var rejected: [LogEntry] = []
        for batch in 0..<1_000 {
            let entries = (0..<16).map { n in
                let data = Array("full-\(batch)-\(n)-".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: 1_000)
                return LogEntry(data: data, identity: Array(SHA256.hash(data: data)))
            }
            do {
                _ = try await storage.sequence(entries)
                stored += entries.count
            } catch let error as LogError {
                #expect(error.code == .storageFailure, "\(error)")
                rejected = entries
                break
            }
        }
        try #require(!rejected.isEmpty, "the database never filled up")
        #expect(stored > 0)
        // The failed batch landed not even in part: size, dedup index and rows are as before it.
        #expect(try await storage.sequencedSize() == UInt64(stored))
        for entry in rejected { #expect(try await storage.index(forIdentity: entry.identity) == nil) }
        #expect(try await storage.entries(in: UInt64(stored)..<UInt64(stored + 16)).isEmpty)

        // A tile write that does not fit: none of its tiles or bundles is readable afterwards.
        let tiles = try (0..<64).map { index in
            StoredTile(
                id: try TileID(level: 0, index: UInt64(index)),
                bytes: try HashTile(hashes: (0..<256).map { Merkle.leafHash([UInt8(truncatingIfNeeded: $0 + index)]) }).bytes)
        }
        let bundle = StoredEntryBundle(id: try EntryBundleID(index: 0, width: 1), bytes: try EntryBundle(entries: [[7]]).bytes)
        await expectLogError(.storageFailure) { try await storage.writeTiles(tiles, bundles: [bundle]) }
        for tile in tiles { #expect(try await storage.tile(tile.id) == nil, "\(tile.id.path)") }
        #expect(try await storage.entryBundle(bundle.id) == nil)
        try storage.close()

        // With room again (a new open without the limit) the same batch is sequenced right after the others.
        let roomy = try SQLiteLogStorage(path: path)
        let results = try await roomy.sequence(rejected)
        #expect(results.map(\.index) == (stored..<(stored + 16)).map { UInt64($0) })
        #expect(results.allSatisfy { !$0.isDuplicate })
    }

    @Test("a log whose database fills up keeps every acknowledged entry and finishes after reopening with room")
    func engineSurvivesFullDatabase() async throws {
        let path = root.path("engine-full.sqlite")
        var options = SQLiteLogStorage.Options()
        options.maximumSizeBytes = 192 * 1_024
        let tight = try SQLiteLogStorage(path: path, options: options)
        let log = try await TestLogKey.open(tight)
        var acknowledged: [UInt64: [UInt8]] = [:]
        var refused: [(data: [UInt8], identity: [UInt8])] = []
        for number in 0..<2_000 {
            let data = Array("engine-full-\(number)-".utf8) + [UInt8](repeating: 0x5a, count: 600)
            let identity = Array(SHA256.hash(data: data))
            do {
                let result = try await log.append(data, identity: identity)
                acknowledged[result.index] = data
            } catch let error as LogError {
                #expect(error.code == .storageFailure || error.code == .stopped, "\(error)")
                refused.append((data, identity))
                if refused.count >= 3 { break }
            }
        }
        await log.shutdown()
        try #require(refused.count >= 3, "the database never filled up")
        #expect(acknowledged.count > 10)
        try tight.close()

        let roomy = try SQLiteLogStorage(path: path)
        let restarted = try await TestLogKey.open(roomy)
        for (index, data) in acknowledged {
            #expect(try await roomy.entries(in: index..<(index + 1)).first?.data == data, "acknowledged \(index) lost")
        }
        for entry in refused { _ = try await restarted.append(entry.data, identity: entry.identity) }
        let size = try await roomy.sequencedSize()
        let checkpoint = try await restarted.waitForCheckpoint(covering: size - 1)
        #expect(checkpoint.size == size)
        #expect(size >= UInt64(acknowledged.count + 1))
        await restarted.shutdown()
        await expectFsckClean(roomy)
    }

    // MARK: Throughput (a rough figure; printed, and the log must prove every entry)

    @Test("16 tasks append 2,000 entries through TileLog and every one is in the final checkpoint")
    func throughput() async throws {
        let storage = try SQLiteLogStorage(path: root.path("throughput.sqlite"))
        let log = try await TestLogKey.open(storage)
        let total = 2_000
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for n in stride(from: task, to: total, by: 16) {
                        let entry = testEntry("tp-", n)
                        _ = try await log.append(entry.data, identity: entry.identity)
                    }
                }
            }
            try await group.waitForAll()
        }
        let sequenced = ContinuousClock.now - start
        let checkpoint = try await log.waitForCheckpoint(covering: UInt64(total - 1))
        let integrated = ContinuousClock.now - start
        #expect(checkpoint.size == UInt64(total))
        let seconds = Double(integrated.components.seconds) + Double(integrated.components.attoseconds) / 1e18
        print("sqlite throughput: \(total) appends from 16 tasks sequenced in \(sequenced), integrated in \(integrated) (≈ \(Int(Double(total) / seconds)) appends/s)")
        await log.shutdown()
    }
}

/// Counts acknowledged appends across writer tasks.
actor Tally {
    private(set) var count = 0
    func add() { count += 1 }
}
