// The embedded `LogStorage` driver (DESIGN.md §4): one SQLite file in the data directory, opened with GRDB in WAL
// mode. Every protocol write is one `BEGIN IMMEDIATE` transaction committed with `synchronous=FULL`, so a call
// that returns is durable and a call that throws left nothing behind (SQLite rolls the transaction back). Reads go
// through the pool's reader connections and see only committed transactions.
//
// Written here (no allowed package does it): the schema, the mapping of the `LogStorage` calls to SQL, and the
// file-mode handling. GRDB does the connection pool, WAL set-up, busy handling, statements and migrations.

import Foundation
import GRDB
import SigilLog
import SigilTlog

/// A ``LogStorage`` in one SQLite file (WAL journal, `synchronous=FULL`, a busy timeout for other processes).
///
/// Several instances, in one process or several, may open the same file: sequencing and the checkpoint
/// compare-and-swap take SQLite's write lock for the whole transaction (`BEGIN IMMEDIATE`), so indices are never
/// duplicated or skipped and dedup is exact. A new file is created with mode 0600; a missing data directory with
/// mode 0700.
public final class SQLiteLogStorage: LogStorage {
    /// The schema version this build writes (the highest migration it knows; also kept in `PRAGMA user_version`).
    public static let schemaVersion = SQLiteSchema.migrationNames.count
    /// The file name ``init(directory:options:)`` uses inside the data directory.
    public static let defaultFileName = "log.sqlite"

    /// How the store opens its file.
    public struct Options: Sendable {
        /// How long a call waits for another connection (or process) holding the write lock before it fails.
        public var busyTimeout: Duration = .seconds(10)
        /// At most this many bytes of database pages (SQLite's `max_page_count`), or no limit when `nil`. A write
        /// that would pass the limit fails with SQLite's "database or disk is full" and changes nothing, just as
        /// when the disk is really full.
        public var maximumSizeBytes: Int?
        /// How many reader connections the pool keeps at most.
        public var maximumReaderCount: Int = 4

        public init() {}
    }

    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating it with mode 0600 if missing) the database at `path`, switches it to WAL with
    /// `synchronous=FULL`, and creates or migrates the schema.
    ///
    /// Throws ``SQLiteStoreError`` with ``SQLiteStoreError/Code-swift.struct/cannotOpen`` when the file cannot be
    /// created or opened (or is not a database), and ``SQLiteStoreError/Code-swift.struct/unknownSchema`` when it
    /// was written by a newer build (it has migrations this build does not know).
    public init(path: String, options: Options = Options()) throws(SQLiteStoreError) {
        self.path = path
        try Self.createPrivateFileIfMissing(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.seconds(options.busyTimeout))
        configuration.maximumReaderCount = max(1, options.maximumReaderCount)
        configuration.label = "SigilStoreSQLite"
        let maximumSizeBytes = options.maximumSizeBytes
        configuration.prepareDatabase { db in
            if let maximumSizeBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maximumSizeBytes / max(1, pageSize)))")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw SQLiteStoreError(.cannotOpen, "open \(path): \(error)")
        }
        do {
            try pool.writeWithoutTransaction { db in
                // GRDB's WAL set-up chooses NORMAL, which may lose the last commits on power loss; the contract
                // says a write is durable when it returns, so every commit syncs the WAL.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
                guard mode.lowercased() == "wal" else {
                    throw SQLiteStoreError(.cannotOpen, "expected journal_mode wal, found \(mode)")
                }
                let migrator = SQLiteSchema.migrator
                if try migrator.hasBeenSuperseded(db) {
                    let applied = try migrator.appliedIdentifiers(db).sorted()
                    throw SQLiteStoreError(
                        .unknownSchema,
                        "expected migrations \(SQLiteSchema.migrationNames), found \(applied) (written by a newer build)")
                }
            }
            // Creates or upgrades the schema in one transaction (GRDB records each migration it applies).
            try SQLiteSchema.migrator.migrate(pool)
        } catch let error as SQLiteStoreError {
            try? pool.close()
            throw error
        } catch {
            try? pool.close()
            throw SQLiteStoreError(.cannotOpen, "set up \(path): \(error)")
        }
    }

    /// Opens ``defaultFileName`` inside `directory`, creating the directory (mode 0700) if missing.
    public convenience init(directory: String, options: Options = Options()) throws(SQLiteStoreError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SQLiteStoreError(.cannotOpen, "create data directory \(directory): \(error)")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        try self.init(path: base + Self.defaultFileName, options: options)
    }

    /// Closes every connection. Later calls throw. Closing is optional (connections close when the store is
    /// released); it fails when a call is still running.
    public func close() throws(SQLiteStoreError) {
        do {
            try pool.close()
        } catch {
            throw SQLiteStoreError(.cannotOpen, "close \(path): \(error)")
        }
    }

    // MARK: LogStorage

    public func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] {
        if entries.isEmpty { return [] }
        let rows = entries.map { (data: Data($0.data), identity: Data($0.identity)) }
        return try await write("sequence \(entries.count) entries") { db in try Self.sequence(rows, in: db) }
    }

    /// One transaction: sequence, then (if the checkpoint is still `expected`) the batch's tiles and checkpoint,
    /// so a batch costs one commit (one WAL sync) instead of three.
    public func sequence(
        _ entries: [LogEntry], replacing expected: StoredCheckpoint,
        publishing publish: @escaping @Sendable ([SequencingResult]) -> BatchPublication?
    ) async throws -> BatchSequencing {
        if entries.isEmpty { return BatchSequencing(results: [], published: nil) }
        let rows = entries.map { (data: Data($0.data), identity: Data($0.identity)) }
        let expectedNote = Data(expected.note)
        return try await write("sequence and publish \(entries.count) entries") { db in
            let results = try Self.sequence(rows, in: db)
            let current = try Data.fetchOne(db, sql: "SELECT note FROM checkpoint WHERE id = 1")
            guard current == expectedNote, let publication = publish(results) else {
                return BatchSequencing(results: results, published: nil)
            }
            try Self.writeTiles(publication.tiles, bundles: publication.bundles, in: db)
            try Self.replaceCheckpoint(publication.checkpoint, in: db)
            return BatchSequencing(results: results, published: publication.checkpoint)
        }
    }

    private static func sequence(
        _ rows: [(data: Data, identity: Data)], in db: Database
    ) throws -> [SequencingResult] {
        var next = try Int64.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM entries") ?? 0
        let find = try db.cachedStatement(sql: "SELECT idx FROM entries WHERE identity = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO entries (idx, data, identity) VALUES (?, ?, ?)")
        var results: [SequencingResult] = []
        results.reserveCapacity(rows.count)
        for row in rows {
            // An identity stored by an earlier call or earlier in this batch (same transaction) is a duplicate.
            if let existing = try Int64.fetchOne(find, arguments: [row.identity]) {
                results.append(SequencingResult(index: try Self.index(existing), isDuplicate: true))
                continue
            }
            try insert.execute(arguments: [next, row.data, row.identity])
            results.append(SequencingResult(index: try Self.index(next), isDuplicate: false))
            next += 1
        }
        return results
    }

    public func sequencedSize() async throws -> UInt64 {
        try await read("sequenced size") { db in
            try Self.index(try Int64.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM entries") ?? 0)
        }
    }

    public func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        guard let lower = Int64(exactly: range.lowerBound), range.lowerBound < range.upperBound else { return [] }
        let upper = Int64(clamping: range.upperBound)
        return try await read("entries \(range)") { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT idx, data, identity FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                arguments: [lower, upper])
            var out: [SequencedEntry] = []
            while let row = try rows.next() {
                out.append(
                    SequencedEntry(
                        index: try Self.index(row[0] as DatabaseValue), data: try Self.bytes(row[1], "entry data"),
                        identity: try Self.bytes(row[2], "entry identity")))
            }
            return out
        }
    }

    public func index(forIdentity identity: [UInt8]) async throws -> UInt64? {
        let key = Data(identity)
        return try await read("index for identity") { db in
            try Int64.fetchOne(db, sql: "SELECT idx FROM entries WHERE identity = ?", arguments: [key]).map(Self.index)
        }
    }

    public func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        if tiles.isEmpty && bundles.isEmpty { return }
        try await write("write \(tiles.count) tiles and \(bundles.count) bundles") { db in
            try Self.writeTiles(tiles, bundles: bundles, in: db)
        }
    }

    private static func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle], in db: Database) throws {
        let tile = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO tiles (level, idx, width, bytes) VALUES (?, ?, ?, ?)")
        for stored in tiles {
            try tile.execute(
                arguments: [stored.id.level, try column(stored.id.index), stored.id.width, Data(stored.bytes)])
        }
        let bundle = try db.cachedStatement(sql: "INSERT OR REPLACE INTO bundles (idx, width, bytes) VALUES (?, ?, ?)")
        for stored in bundles {
            try bundle.execute(arguments: [try column(stored.id.index), stored.id.width, Data(stored.bytes)])
        }
    }

    public func tile(_ id: TileID) async throws -> [UInt8]? {
        guard let index = Int64(exactly: id.index) else { return nil }
        return try await read("tile \(id.path)") { db in
            try Data.fetchOne(
                db, sql: "SELECT bytes FROM tiles WHERE level = ? AND idx = ? AND width = ?",
                arguments: [id.level, index, id.width]
            ).map { Array($0) }
        }
    }

    public func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? {
        guard let index = Int64(exactly: id.index) else { return nil }
        return try await read("entry bundle \(id.path)") { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM bundles WHERE idx = ? AND width = ?", arguments: [index, id.width])
                .map { Array($0) }
        }
    }

    public func checkpoint() async throws -> StoredCheckpoint? {
        try await read("checkpoint") { db in try Self.fetchCheckpoint(db) }
    }

    public func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        let expectedNote = expected.map { Data($0.note) }
        let note = Data(new.note)
        let tree = Data(new.encodedTree)
        return try await write("compare-and-swap checkpoint") { db in
            let current = try Data.fetchOne(db, sql: "SELECT note FROM checkpoint WHERE id = 1")
            guard current == expectedNote else { return false }
            try Self.replaceCheckpoint(note: note, tree: tree, in: db)
            return true
        }
    }

    // MARK: Inspection

    /// What the open database reports about itself: the journal mode, the writer's `synchronous` level and busy
    /// timeout, and the schema version (`PRAGMA user_version`) with the migrations recorded in it.
    public func settings() async throws -> SQLiteStoreSettings {
        try await write("read settings", transaction: false) { db in
            SQLiteStoreSettings(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0,
                schemaVersion: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                appliedMigrations: try SQLiteSchema.migrator.completedMigrations(db))
        }
    }

    // MARK: Plumbing

    /// One write call = one `BEGIN IMMEDIATE` transaction (the write lock is taken before the first read, so a
    /// read-then-write never has to upgrade its lock and the busy timeout applies). Any error rolls it back.
    private func write<T: Sendable>(
        _ what: String, transaction: Bool = true, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                guard transaction else { return try body(db) }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw LogError(.storageFailure, "\(what): transaction returned nothing") }
                return result
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storageFailure, "sqlite \(what): \(error)")
        }
    }

    private func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storageFailure, "sqlite \(what): \(error)")
        }
    }

    private static func replaceCheckpoint(_ checkpoint: StoredCheckpoint, in db: Database) throws {
        try replaceCheckpoint(note: Data(checkpoint.note), tree: Data(checkpoint.encodedTree), in: db)
    }

    private static func replaceCheckpoint(note: Data, tree: Data, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO checkpoint (id, note, tree) VALUES (1, ?, ?)", arguments: [note, tree])
    }

    private static func fetchCheckpoint(_ db: Database) throws -> StoredCheckpoint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT note, tree FROM checkpoint WHERE id = 1") else { return nil }
        return try StoredCheckpoint(note: try bytes(row[0], "checkpoint note"), encodedTree: try bytes(row[1], "checkpoint tree"))
    }

    private static func index(_ value: Int64) throws -> UInt64 {
        guard let index = UInt64(exactly: value) else { throw LogError(.corruptStorage, "expected an index ≥ 0, found \(value)") }
        return index
    }

    private static func index(_ value: DatabaseValue) throws -> UInt64 {
        guard let raw = Int64.fromDatabaseValue(value) else {
            throw LogError(.corruptStorage, "expected an integer index, found \(value)")
        }
        return try index(raw)
    }

    private static func column(_ index: UInt64) throws -> Int64 {
        guard let value = Int64(exactly: index) else { throw LogError(.indexOutOfRange, "index \(index) exceeds SQLite's 63 bits") }
        return value
    }

    private static func bytes(_ value: DatabaseValue, _ what: String) throws -> [UInt8] {
        guard let data = Data.fromDatabaseValue(value) else { throw LogError(.corruptStorage, "expected a blob for \(what), found \(value)") }
        return Array(data)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Creates an empty file readable by its owner only, so the database (and the `-wal` and `-shm` files SQLite
    /// then creates with the database file's mode) never exists with wider permissions.
    private static func createPrivateFileIfMissing(_ path: String) throws(SQLiteStoreError) {
        let files = FileManager.default
        guard !files.fileExists(atPath: path) else { return }
        guard files.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600]) else {
            throw SQLiteStoreError(.cannotOpen, "cannot create \(path)")
        }
        do {
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw SQLiteStoreError(.cannotOpen, "cannot set mode 0600 on \(path): \(error)")
        }
    }
}

/// What an open ``SQLiteLogStorage`` reports about its database.
public struct SQLiteStoreSettings: Hashable, Sendable {
    /// `PRAGMA journal_mode` (`wal`).
    public let journalMode: String
    /// `PRAGMA synchronous` of the writing connection (2 is FULL).
    public let synchronous: Int
    /// `PRAGMA busy_timeout` of the writing connection: how long it waits for another writer's lock.
    public let busyTimeoutMilliseconds: Int
    /// `PRAGMA user_version`: the schema version (``SQLiteLogStorage/schemaVersion`` after opening).
    public let schemaVersion: Int
    /// The migrations recorded in the database, in the order they were applied.
    public let appliedMigrations: [String]
}
