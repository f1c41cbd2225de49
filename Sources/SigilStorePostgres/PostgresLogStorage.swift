// The shared `LogStorage` driver (DESIGN.md §4, "several front ends"): one PostgreSQL schema holds one log, and
// any number of `sigil log serve --postgres` processes append to it.
//
//  sequence:   one transaction: lock the one-row counter (`SELECT … FOR UPDATE`), look the batch's identities
//              up, insert the new entries with the next indices, bump the counter. Every sequencer waits for the
//              row lock, so indices are never duplicated or skipped; the unique index on `identity` backs dedup.
//  tiles:      one statement (`INSERT … ON CONFLICT DO UPDATE` for tiles and bundles together): idempotent.
//  checkpoint: compare-and-swap as `UPDATE … WHERE note = expected` (or `INSERT … ON CONFLICT DO NOTHING` for
//              the first one): the second of two racing swaps re-checks the row and changes nothing.
//  lease:      one row (holder, expiry by the database clock): taken when free, expired or ours; renewed on
//              every integration step; released when the engine goes idle.
//
// A call that returns has committed (PostgreSQL's default `synchronous_commit = on`), so it is durable. A lost
// connection fails the calls in flight with `storageFailure` (the HTTP layer answers 503); postgres-nio's pool
// opens new connections for the next calls. Every call is bounded by `operationTimeout`.
//
// Written here (no allowed package does it): the schema and the mapping of the `LogStorage` calls to SQL.
// postgres-nio does the wire protocol, the connection pool and reconnection.

import Foundation
import Logging
import PostgresNIO
import SigilLog
import SigilTlog
import Synchronization

/// A ``LogStorage`` in a PostgreSQL schema, safe to share between several engines in several processes.
public final class PostgresLogStorage: LogStorage {
    /// The schema version this build writes (the number of migrations it knows).
    public static var schemaVersion: Int { PostgresSchema.migrations(PostgresTables(schema: "x")).count }

    /// The logger used when none is given: warnings and errors only (postgres-nio reports every failed
    /// connection attempt at `info`).
    public static var defaultLogger: Logger {
        var logger = Logger(label: "sigil.log.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// What it connected to.
    public let configuration: PostgresStoreConfiguration
    /// This instance's name in the lease table (random per instance: each process is its own holder).
    public let leaseHolder: String
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let tables: PostgresTables
    private let logger: Logger

    private init(configuration: PostgresStoreConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.tables = PostgresTables(schema: configuration.schema)
        self.leaseHolder = UUID().uuidString
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        self.runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Connects, creates the schema or migrates it to ``schemaVersion``, and returns the store.
    ///
    /// Throws ``PostgresStoreError`` with ``PostgresStoreError/Code-swift.struct/invalidURL`` for a bad schema
    /// name, ``PostgresStoreError/Code-swift.struct/cannotConnect`` when the server cannot be reached within
    /// `configuration.connectTimeout` (or refuses the login or the DDL), and
    /// ``PostgresStoreError/Code-swift.struct/unknownSchema`` when a newer build wrote the schema.
    public static func connect(
        _ configuration: PostgresStoreConfiguration, logger: Logger = PostgresLogStorage.defaultLogger
    ) async throws(PostgresStoreError) -> PostgresLogStorage {
        try PostgresStoreConfiguration.checkSchemaName(configuration.schema)
        let storage = PostgresLogStorage(configuration: configuration, logger: logger)
        do {
            try await storage.migrate()
        } catch {
            await storage.close()
            throw error
        }
        return storage
    }

    /// Connects to `url` (see ``PostgresStoreConfiguration/init(url:)``).
    public static func connect(
        url: String, logger: Logger = PostgresLogStorage.defaultLogger
    ) async throws(PostgresStoreError) -> PostgresLogStorage {
        try await connect(try PostgresStoreConfiguration(url: url), logger: logger)
    }

    /// Closes every connection (gives the lease up first if held). Later calls throw.
    public func close() async {
        try? await releaseIntegrationLease()
        runner.cancel()
        await runner.value
    }

    /// The schema version recorded in the database.
    public func storedSchemaVersion() async throws -> Int {
        try await call("read schema version") { [self] in
            let rows = try await client.query("SELECT coalesce(max(version), 0) FROM \(unescaped: tables.version)")
            return Int(try await Self.single(rows, Int32.self, "schema version"))
        }
    }

    private func migrate() async throws(PostgresStoreError) {
        let migrations = PostgresSchema.migrations(tables)
        let lockKey = "sigil_log_schema:\(configuration.schema)"
        do {
            try await withTimeout(configuration.connectTimeout + configuration.operationTimeout) { [self] in
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
                    try await connection.query("CREATE SCHEMA IF NOT EXISTS \"\(unescaped: tables.schema)\"", logger: logger)
                    try await connection.query(
                        "CREATE TABLE IF NOT EXISTS \(unescaped: tables.version) (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
                        logger: logger)
                    let rows = try await connection.query(
                        "SELECT coalesce(max(version), 0) FROM \(unescaped: tables.version)", logger: logger)
                    let current = Int(try await Self.single(rows, Int32.self, "schema version"))
                    guard current <= migrations.count else {
                        throw PostgresStoreError(
                            .unknownSchema,
                            "schema \(tables.schema) has version \(current), this build knows up to \(migrations.count)")
                    }
                    for (offset, statements) in migrations.enumerated().dropFirst(current) {
                        for statement in statements {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let version = Int32(offset + 1)
                        try await connection.query("INSERT INTO \(unescaped: tables.version) (version) VALUES (\(version))", logger: logger)
                    }
                }
            }
        } catch {
            if let error = Self.unwrap(error) as? PostgresStoreError { throw error }
            throw PostgresStoreError(.cannotConnect, "set up schema \(tables.schema) at \(configuration): \(Self.describe(error))")
        }
    }

    // MARK: LogStorage

    public func sequence(_ entries: [LogEntry]) async throws -> [SequencingResult] {
        if entries.isEmpty { return [] }
        return try await call("sequence \(entries.count) entries") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                let counter = try await connection.query(
                    "SELECT next FROM \(unescaped: tables.sequence) WHERE id = 1 FOR UPDATE", logger: logger)
                var next = try await Self.single(counter, Int64.self, "sequence counter")
                let identities = entries.map { ByteBuffer(bytes: $0.identity) }
                var known: [[UInt8]: UInt64] = [:]
                let found = try await connection.query(
                    "SELECT identity, idx FROM \(unescaped: tables.entries) WHERE identity = ANY(\(identities))",
                    logger: logger)
                for try await (identity, index) in found.decode((ByteBuffer, Int64).self) {
                    known[Array(identity.readableBytesView)] = try Self.index(index)
                }
                var results: [SequencingResult] = []
                results.reserveCapacity(entries.count)
                var indices: [Int64] = []
                var data: [ByteBuffer] = []
                var newIdentities: [ByteBuffer] = []
                for entry in entries {
                    // Stored by an earlier call, or earlier in this batch: a duplicate.
                    if let existing = known[entry.identity] {
                        results.append(SequencingResult(index: existing, isDuplicate: true))
                        continue
                    }
                    let index = try Self.index(next)
                    known[entry.identity] = index
                    results.append(SequencingResult(index: index, isDuplicate: false))
                    indices.append(next)
                    data.append(ByteBuffer(bytes: entry.data))
                    newIdentities.append(ByteBuffer(bytes: entry.identity))
                    next += 1
                }
                if !indices.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO \(unescaped: tables.entries) (idx, data, identity)
                        SELECT * FROM unnest(\(indices)::bigint[], \(data)::bytea[], \(newIdentities)::bytea[])
                        """, logger: logger)
                    try await connection.query(
                        "UPDATE \(unescaped: tables.sequence) SET next = \(next) WHERE id = 1", logger: logger)
                }
                return results
            }
        }
    }

    public func sequencedSize() async throws -> UInt64 {
        try await call("sequenced size") { [self] in
            let rows = try await client.query("SELECT next FROM \(unescaped: tables.sequence) WHERE id = 1")
            return try Self.index(try await Self.single(rows, Int64.self, "sequence counter"))
        }
    }

    public func entries(in range: Range<UInt64>) async throws -> [SequencedEntry] {
        guard let lower = Int64(exactly: range.lowerBound), range.lowerBound < range.upperBound else { return [] }
        let upper = Int64(clamping: range.upperBound)
        return try await call("entries \(range)") { [self] in
            let rows = try await client.query(
                """
                SELECT idx, data, identity FROM \(unescaped: tables.entries)
                WHERE idx >= \(lower) AND idx < \(upper) ORDER BY idx
                """)
            var out: [SequencedEntry] = []
            for try await (index, data, identity) in rows.decode((Int64, ByteBuffer, ByteBuffer).self) {
                out.append(
                    SequencedEntry(
                        index: try Self.index(index), data: Array(data.readableBytesView),
                        identity: Array(identity.readableBytesView)))
            }
            return out
        }
    }

    public func index(forIdentity identity: [UInt8]) async throws -> UInt64? {
        let key = ByteBuffer(bytes: identity)
        return try await call("index for identity") { [self] in
            let rows = try await client.query("SELECT idx FROM \(unescaped: tables.entries) WHERE identity = \(key)")
            for try await index in rows.decode(Int64.self) { return try Self.index(index) }
            return nil
        }
    }

    public func writeTiles(_ tiles: [StoredTile], bundles: [StoredEntryBundle]) async throws {
        if tiles.isEmpty && bundles.isEmpty { return }
        let tileLevels = tiles.map { Int32($0.id.level) }
        let tileIndices = try tiles.map { try Self.column($0.id.index) }
        let tileWidths = tiles.map { Int32($0.id.width) }
        let tileBytes = tiles.map { ByteBuffer(bytes: $0.bytes) }
        let bundleIndices = try bundles.map { try Self.column($0.id.index) }
        let bundleWidths = bundles.map { Int32($0.id.width) }
        let bundleBytes = bundles.map { ByteBuffer(bytes: $0.bytes) }
        try await call("write \(tiles.count) tiles and \(bundles.count) bundles") { [self] in
            // One statement (so one implicit transaction) for both tables.
            _ = try await client.query(
                """
                WITH written_tiles AS (
                    INSERT INTO \(unescaped: tables.tiles) (level, idx, width, bytes)
                    SELECT * FROM unnest(\(tileLevels)::integer[], \(tileIndices)::bigint[], \(tileWidths)::integer[], \(tileBytes)::bytea[])
                    ON CONFLICT (level, idx, width) DO UPDATE SET bytes = EXCLUDED.bytes
                    RETURNING 1
                ), written_bundles AS (
                    INSERT INTO \(unescaped: tables.bundles) (idx, width, bytes)
                    SELECT * FROM unnest(\(bundleIndices)::bigint[], \(bundleWidths)::integer[], \(bundleBytes)::bytea[])
                    ON CONFLICT (idx, width) DO UPDATE SET bytes = EXCLUDED.bytes
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM written_tiles), (SELECT count(*) FROM written_bundles)
                """
            ).collect()
            return ()
        }
    }

    public func tile(_ id: TileID) async throws -> [UInt8]? {
        guard let index = Int64(exactly: id.index) else { return nil }
        let level = Int32(id.level)
        let width = Int32(id.width)
        return try await call("tile \(id.path)") { [self] in
            let rows = try await client.query(
                "SELECT bytes FROM \(unescaped: tables.tiles) WHERE level = \(level) AND idx = \(index) AND width = \(width)")
            for try await bytes in rows.decode(ByteBuffer.self) { return Array(bytes.readableBytesView) }
            return nil
        }
    }

    public func entryBundle(_ id: EntryBundleID) async throws -> [UInt8]? {
        guard let index = Int64(exactly: id.index) else { return nil }
        let width = Int32(id.width)
        return try await call("entry bundle \(id.path)") { [self] in
            let rows = try await client.query(
                "SELECT bytes FROM \(unescaped: tables.bundles) WHERE idx = \(index) AND width = \(width)")
            for try await bytes in rows.decode(ByteBuffer.self) { return Array(bytes.readableBytesView) }
            return nil
        }
    }

    public func checkpoint() async throws -> StoredCheckpoint? {
        try await call("checkpoint") { [self] in
            let rows = try await client.query("SELECT note, tree FROM \(unescaped: tables.checkpoint) WHERE id = 1")
            for try await (note, tree) in rows.decode((ByteBuffer, ByteBuffer).self) {
                return try StoredCheckpoint(note: Array(note.readableBytesView), encodedTree: Array(tree.readableBytesView))
            }
            return nil
        }
    }

    public func compareAndSwapCheckpoint(expected: StoredCheckpoint?, new: StoredCheckpoint) async throws -> Bool {
        let note = ByteBuffer(bytes: new.note)
        let tree = ByteBuffer(bytes: new.encodedTree)
        let expectedNote = expected.map { ByteBuffer(bytes: $0.note) }
        return try await call("compare-and-swap checkpoint") { [self] in
            let rows: PostgresRowSequence
            if let expectedNote {
                // Under READ COMMITTED a concurrent UPDATE waits for the first one's commit, then re-checks the
                // WHERE clause against the new row: the loser updates nothing.
                rows = try await client.query(
                    """
                    UPDATE \(unescaped: tables.checkpoint) SET note = \(note), tree = \(tree)
                    WHERE id = 1 AND note = \(expectedNote) RETURNING id
                    """)
            } else {
                rows = try await client.query(
                    """
                    INSERT INTO \(unescaped: tables.checkpoint) (id, note, tree) VALUES (1, \(note), \(tree))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """)
            }
            return try await !rows.collect().isEmpty
        }
    }

    public func acquireIntegrationLease() async throws -> IntegrationLease {
        let holder = leaseHolder
        let milliseconds = Self.milliseconds(configuration.leaseDuration)
        return try await call("take the integration lease") { [self] in
            let rows = try await client.query(
                """
                INSERT INTO \(unescaped: tables.lease) AS l (id, holder, expires)
                VALUES (1, \(holder), clock_timestamp() + \(milliseconds) * interval '1 millisecond')
                ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
                WHERE l.holder = EXCLUDED.holder OR l.expires < clock_timestamp()
                RETURNING holder
                """)
            let taken = try await !rows.collect().isEmpty
            return taken ? IntegrationLease.held : IntegrationLease.heldElsewhere
        }
    }

    public func releaseIntegrationLease() async throws {
        let holder = leaseHolder
        try await call("release the integration lease") { [self] in
            _ = try await client.query("DELETE FROM \(unescaped: tables.lease) WHERE id = 1 AND holder = \(holder)").collect()
            return ()
        }
    }

    // MARK: Plumbing

    /// One storage call, bounded by `operationTimeout`; every failure is a `LogError` (`storageFailure` unless the
    /// body threw a `LogError` itself).
    @discardableResult
    private func call<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withTimeout(configuration.operationTimeout, body)
        } catch {
            if let error = Self.unwrap(error) as? LogError { throw error }
            throw LogError(.storageFailure, "postgres \(what): \(Self.describe(error))")
        }
    }

    /// Runs `body` in its own task and answers after at most `timeout`: a call stuck on a connection that died
    /// without the socket closing (or on a pool still waiting for the server) is abandoned (and cancelled) rather
    /// than waited for, so the engine and its HTTP clients get `storageFailure` (503) and can retry.
    private func withTimeout<T: Sendable>(
        _ timeout: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = FirstAnswer<T>()
        let place = "\(configuration.host):\(configuration.port)"
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
                race.answer(.failure(LogError(.storageFailure, "no answer from \(place) within \(timeout)")))
            }
            race.started(
                Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    timer.cancel()
                    race.answer(result)
                })
        }
    }

    private static func single<T: PostgresDecodable>(
        _ rows: PostgresRowSequence, _ type: T.Type, _ what: String
    ) async throws -> T {
        for try await value in rows.decode(T.self) { return value }
        throw LogError(.corruptStorage, "expected one row for \(what), found none")
    }

    private static func index(_ value: Int64) throws(LogError) -> UInt64 {
        guard let index = UInt64(exactly: value) else { throw LogError(.corruptStorage, "expected an index ≥ 0, found \(value)") }
        return index
    }

    private static func column(_ index: UInt64) throws(LogError) -> Int64 {
        guard let value = Int64(exactly: index) else {
            throw LogError(.indexOutOfRange, "index \(index) exceeds PostgreSQL's bigint")
        }
        return value
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// The error a transaction's closure threw (postgres-nio wraps it), else `error`.
    private static func unwrap(_ error: any Error) -> any Error {
        (error as? PostgresTransactionError)?.closureError ?? error
    }

    /// PSQLError's `description` hides the server's message; its `debugDescription` carries it (and the query,
    /// which holds no secrets: entries and tiles are public).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            let inner = error.closureError ?? error.commitError ?? error.beginError
            return "transaction failed: " + (inner.map(describe) ?? "\(error)")
        }
        if let error = error as? PSQLError {
            let message = error.serverInfo?[.message] ?? ""
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return "\(error.code)\(message.isEmpty ? "" : ": \(message)")\(underlying)"
        }
        return String(describing: error)
    }
}

/// The first of a call's result and its timeout, delivered once; the timeout cancels the call's task.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func started(_ work: Task<Void, Never>) {
        let finished = state.withLock { state in
            state.work = work
            return state.continuation == nil
        }
        if finished { work.cancel() }
    }

    func answer(_ result: Result<T, any Error>) {
        let (continuation, work) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.work)
        }
        guard let continuation else { return }
        if case .failure = result { work?.cancel() }
        continuation.resume(with: result)
    }
}
