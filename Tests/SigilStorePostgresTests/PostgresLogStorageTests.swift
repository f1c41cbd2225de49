// What the PostgreSQL driver adds to the LogStorage contract: URL reading, the versioned schema, the integration
// lease, several engines (each with its own connection pool, as in several processes) on one schema, and failing
// fast with `storageFailure` when the server is gone, then working again once it is back.

import Crypto
import Foundation
import SigilLog
import SigilMerkle
import SigilStorePostgres
import SigilTesting
import SigilTlog
import Testing

@Suite("PostgreSQL store URL")
struct PostgresURLTests {
    @Test("a full URL is read into its parts, and the password is not printed")
    func fullURL() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgresql://sigil:s%40cret@db.example.com:6543/logs?sslmode=require&schema=rekor_a")
        #expect(configuration.username == "sigil")
        #expect(configuration.password == "s@cret")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "logs")
        #expect(configuration.schema == "rekor_a")
        #expect(configuration.tls == .require)
        #expect(!configuration.description.contains("cret"))
    }

    @Test("defaults: user postgres, database = user, port 5432, no TLS, schema sigil_log")
    func defaults() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://localhost")
        #expect(configuration.username == "postgres")
        #expect(configuration.database == "postgres")
        #expect(configuration.port == 5432)
        #expect(configuration.tls == .disable)
        #expect(configuration.schema == "sigil_log")
        #expect(configuration.unixSocketDirectory == nil)
        let socket = try PostgresStoreConfiguration(url: "postgres://me@localhost/db?host=/run/postgresql")
        #expect(socket.unixSocketDirectory == "/run/postgresql")
    }

    static let malformed = [
        "mysql://localhost/db",
        "localhost:5432",
        "postgres://localhost/db?sslmode=verify-full",
        "postgres://localhost/db?schema=1abc",
        "postgres://localhost/db?schema=a-b",
        "postgres://localhost/db?schema=" + String(repeating: "a", count: 64),
        "postgres://localhost/db?schema=x%22%3B%20DROP%20TABLE",
        "postgres://localhost/db?unknown=1",
        "postgres://localhost/db/extra",
        "postgres://localhost/db?host=relative/dir",
    ]

    @Test("malformed URLs and options are refused", arguments: malformed)
    func malformedURL(_ url: String) {
        #expect(throws: PostgresStoreError.self) { try PostgresStoreConfiguration(url: url) }
        do { _ = try PostgresStoreConfiguration(url: url) } catch { #expect(error.code == .invalidURL) }
    }

    @Test("the malformed table is not empty")
    func tableIsNotEmpty() { #expect(Self.malformed.count >= 10) }
}

@Suite("PostgreSQL store", .enabled(if: PostgresBinaries.shouldRun, PostgresBinaries.skipMessage))
struct PostgresLogStorageTests {
    static func configuration(_ cluster: PostgresCluster, schema: String) throws -> PostgresStoreConfiguration {
        try configuration(url: cluster.url(schema: schema))
    }

    /// The tests' store settings: timeouts far above the 5 s defaults, because `swift test --parallel` on two
    /// cores runs the cluster beside every other suite; tests of timeouts set their own.
    static func configuration(url: String) throws -> PostgresStoreConfiguration {
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.operationTimeout = .seconds(30)
        configuration.connectTimeout = .seconds(30)
        return configuration
    }

    @Test("connecting creates the schema at the current version, once, even from eight front ends at once")
    func schemaIsCreatedOnce() async throws {
        let cluster = try await SharedCluster.instance.get()
        let configuration = try Self.configuration(cluster, schema: SharedCluster.schemaName("schema"))
        let stores = try await withThrowingTaskGroup(of: PostgresLogStorage.self) { group in
            for _ in 0..<8 { group.addTask { try await PostgresLogStorage.connect(configuration) } }
            var stores: [PostgresLogStorage] = []
            for try await store in group { stores.append(store) }
            return stores
        }
        #expect(PostgresLogStorage.schemaVersion == 1)
        for store in stores {
            #expect(try await store.storedSchemaVersion() == PostgresLogStorage.schemaVersion)
            await store.close()
        }
    }

    @Test("a schema written by a newer build is refused with unknownSchema")
    func newerSchemaIsRefused() async throws {
        let cluster = try await SharedCluster.instance.get()
        let schema = SharedCluster.schemaName("newer")
        let first = try await PostgresLogStorage.connect(try Self.configuration(cluster, schema: schema))
        await first.close()
        try PostgresCluster.run(
            "/usr/bin/env",
            ["PGPASSWORD=", try psql(cluster), "-h", "127.0.0.1", "-p", "\(cluster.port)", "-U", "postgres", "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-c", "INSERT INTO \(schema).schema_version (version) VALUES (99)"])
        let again = try Self.configuration(cluster, schema: schema)
        do {
            _ = try await PostgresLogStorage.connect(again)
            Issue.record("connected to a schema of version 99")
        } catch {
            #expect(error.code == .unknownSchema, "\(error)")
        }
    }

    @Test("a server that is not there fails to connect with cannotConnect")
    func noServer() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://postgres@127.0.0.1:\(try PostgresCluster.freePort())/postgres")
        configuration.connectTimeout = .seconds(1)
        configuration.operationTimeout = .seconds(1)
        do {
            _ = try await PostgresLogStorage.connect(configuration)
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .cannotConnect, "\(error)")
        }
    }

    @Test("the lease: one holder at a time, renewable, released at once, taken over after expiry")
    func leaseHasOneHolder() async throws {
        let cluster = try await SharedCluster.instance.get()
        var configuration = try Self.configuration(cluster, schema: SharedCluster.schemaName("lease"))
        configuration.leaseDuration = .seconds(3)
        let a = try await PostgresLogStorage.connect(configuration)
        let b = try await PostgresLogStorage.connect(configuration)
        #expect(a.leaseHolder != b.leaseHolder)
        #expect(try await a.acquireIntegrationLease() == .held)
        #expect(try await b.acquireIntegrationLease() == .heldElsewhere)
        #expect(try await a.acquireIntegrationLease() == .held, "the holder renews")
        try await a.releaseIntegrationLease()
        #expect(try await b.acquireIntegrationLease() == .held, "released: the other takes it at once")
        #expect(try await a.acquireIntegrationLease() == .heldElsewhere)
        try await Task.sleep(for: .milliseconds(3_500))
        #expect(try await a.acquireIntegrationLease() == .held, "expired: the other takes it over")
        #expect(try await b.acquireIntegrationLease() == .heldElsewhere, "the old holder steps back")
        await a.close()
        await b.close()
    }

    @Test("an engine leaves integration to the lease holder, and takes over when that holder's lease expires")
    func engineTakesOverAnExpiredLease() async throws {
        let cluster = try await SharedCluster.instance.get()
        var configuration = try Self.configuration(cluster, schema: SharedCluster.schemaName("takeover"))
        configuration.leaseDuration = .seconds(2)
        // A front end that took the lease and then hung: it never integrates nor renews.
        let hung = try await PostgresLogStorage.connect(configuration)
        let store = try await PostgresLogStorage.connect(configuration)
        let log = try await TileLog.open(
            storage: store, signer: EngineKey.signer, configuration: TileLogConfiguration(origin: EngineKey.origin))
        #expect(try await hung.acquireIntegrationLease() == .held)
        let data = Array("waits for the lease".utf8)
        let appended = try await log.append(data, identity: Array(SHA256.hash(data: data)))
        #expect(appended.index == 0)
        let waiting = Task { try await log.waitForCheckpoint(covering: appended.index) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await store.checkpoint()?.tree.size == 0, "nobody integrates while another holds the lease")
        let checkpoint = try await waiting.value
        #expect(checkpoint.size == 1, "taken over after the lease expired")
        #expect(try await store.checkpoint()?.tree.size == 1)
        await log.shutdown()
        await store.close()
        await hung.close()
    }

    @Test("three engines on one schema append at once: contiguous indices, one tree, each sees its entries covered")
    func threeEnginesAppendAtOnce() async throws {
        let cluster = try await SharedCluster.instance.get()
        let configuration = try Self.configuration(cluster, schema: SharedCluster.schemaName("engines"))
        var engineConfiguration = TileLogConfiguration(origin: EngineKey.origin)
        engineConfiguration.batchDelay = .milliseconds(1)
        var engines: [TileLog] = []
        var stores: [PostgresLogStorage] = []
        for _ in 0..<3 {
            let store = try await PostgresLogStorage.connect(configuration)
            stores.append(store)
            engines.append(try await TileLog.open(storage: store, signer: EngineKey.signer, configuration: engineConfiguration))
        }
        let perEngine = 300
        let frozen = engines
        let results = try await withThrowingTaskGroup(of: (Int, UInt64, PublishedCheckpoint).self) { group in
            for (number, engine) in frozen.enumerated() {
                for i in 0..<perEngine {
                    group.addTask {
                        let data = Array("engine \(number) entry \(i)".utf8)
                        let appended = try await engine.append(data, identity: Array(SHA256.hash(data: data)))
                        #expect(!appended.isDuplicate)
                        let included = try await engine.waitForInclusion(of: appended.index)
                        try Merkle.verifyInclusion(
                            leafHash: Merkle.leafHash(data), index: appended.index, size: included.checkpoint.size,
                            proof: included.proof, root: included.checkpoint.rootHash)
                        return (number, appended.index, included.checkpoint)
                    }
                }
            }
            var all: [(Int, UInt64, PublishedCheckpoint)] = []
            for try await result in group { all.append(result) }
            return all
        }
        let total = 3 * perEngine
        #expect(results.count == total)
        #expect(Set(results.map(\.1)) == Set((0..<UInt64(total))), "indices exactly 0..<\(total)")
        // One tree: every checkpoint any engine answered with has the reference root at its size.
        let stored = try await stores[0].entries(in: 0..<UInt64(total))
        #expect(stored.count == total)
        let reference = ReferenceMerkleTree(leafHashes: stored.map { Merkle.leafHash($0.data) })
        for size in Set(results.map { $0.2.size }) {
            let checkpoint = try #require(results.first { $0.2.size == size }?.2)
            #expect(checkpoint.rootHash == reference.root(size: Int(size)), "checkpoint of size \(size)")
        }
        for engine in engines { await engine.shutdown() }
        let final = try #require(try await stores[0].checkpoint())
        #expect(final.tree.size == UInt64(total))
        #expect(final.tree.root == reference.root())
        let report = await LogFsck.check(storage: stores[1], origin: EngineKey.origin, keys: [EngineKey.signer.verifierKey])
        #expect(report.isClean, "\(report)")
        for store in stores { await store.close() }
    }

    @Test("with the server gone, calls fail with storageFailure; after a restart the same store works again")
    func connectionLossAndRecovery() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        var configuration = try Self.configuration(cluster, schema: "loss")
        // Long enough for a loaded CI machine to set the schema up; calls on the stopped server fail at once anyway.
        configuration.operationTimeout = .seconds(15)
        configuration.connectTimeout = .seconds(15)
        let store = try await PostgresLogStorage.connect(configuration)
        let log = try await TileLog.open(
            storage: store, signer: EngineKey.signer, configuration: TileLogConfiguration(origin: EngineKey.origin))
        var acknowledged: [UInt64: [UInt8]] = [:]
        for i in 0..<50 {
            let data = Array("before \(i)".utf8)
            acknowledged[try await log.append(data, identity: Array(SHA256.hash(data: data))).index] = data
        }
        try cluster.stop(immediate: true)
        do {
            _ = try await store.sequencedSize()
            Issue.record("a read succeeded with the server stopped")
        } catch let error as LogError {
            #expect(error.code == .storageFailure, "\(error)")
        }
        do {
            let data = Array("during".utf8)
            _ = try await log.append(data, identity: Array(SHA256.hash(data: data)))
            Issue.record("an append succeeded with the server stopped")
        } catch let error as LogError {
            #expect(error.code == .storageFailure, "\(error)")
        }
        try cluster.start()
        // The pool reconnects: appends work again, and nothing acknowledged before the crash is lost.
        var recovered = false
        for _ in 0..<100 where !recovered {
            recovered = (try? await store.sequencedSize()) != nil
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered, "the store did not reconnect")
        for i in 0..<50 {
            let data = Array("after \(i)".utf8)
            acknowledged[try await log.append(data, identity: Array(SHA256.hash(data: data))).index] = data
        }
        let size = try await store.sequencedSize()
        #expect(size >= 100)
        let entries = try await store.entries(in: 0..<size)
        for entry in entries where acknowledged[entry.index] != nil {
            #expect(acknowledged[entry.index] == entry.data)
        }
        #expect(Set(entries.map(\.index)).isSuperset(of: acknowledged.keys))
        _ = try await log.waitForCheckpoint(covering: size - 1)
        await log.shutdown()
        await store.close()
    }

    private func psql(_ cluster: PostgresCluster) throws -> String {
        let path = try #require(PostgresBinaries.directory) + "/psql"
        return FileManager.default.isExecutableFile(atPath: path) ? path : "psql"
    }
}

/// The engine identity of these tests.
enum EngineKey {
    static let origin = "pg.sigil.test/engine"
    static let signer: NoteSigner = {
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x24, count: 32))
        return try! NoteSigner.ed25519(name: origin, privateKey: key)
    }()
}
