// `sigil log serve` (the Rekor v2 + tlog-tiles log over HTTP) and `sigil log fsck` (check a stored log).
// Wiring only: the service is SigilServer's `LogServer`, the engine SigilLog's `TileLog`.

import ArgumentParser
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SigilLog
import SigilStorePostgres
import SigilStoreSQLite
import SigilRekor
import SigilServer
import SigilTlog

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Run or check a transparency log (Rekor v2 write API, C2SP tlog-tiles read API).",
        subcommands: [LogServeCommand.self, LogFsckCommand.self]
    )
}

/// Where the log's entries, tiles and checkpoint live. The one place that picks a `LogStorage` driver.
enum LogStore {
    /// The SQLite file inside the data directory.
    static let databaseName = "log.sqlite"

    /// In-memory with `memory`, else the persistent store in `dataDirectory`.
    static func open(dataDirectory: String, memory: Bool) throws -> any LogStorage {
        if memory { return InMemoryLogStorage() }
        do { return try SQLiteLogStorage(path: dataDirectory + "/" + databaseName) } catch {
            throw InputError("cannot open the log store in \(dataDirectory): \(error.reason)")
        }
    }

    /// The shared store in PostgreSQL at `url` (schema created or migrated on connect).
    static func connect(postgres url: String, logger: Logger) async throws -> PostgresLogStorage {
        do { return try await PostgresLogStorage.connect(url: url, logger: logger) } catch {
            throw InputError("cannot use the PostgreSQL log store: \(error.reason)")
        }
    }
}

struct LogServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a transparency log over HTTP.",
        discussion: """
            Writes: POST /api/v2/log/entries (Rekor v2, hashedrekord 0.0.2). Reads (C2SP tlog-tiles), at the base \
            URL and under /api/v2/: checkpoint, tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]. Also /healthz and \
            /metrics (Prometheus).

            The Ed25519 signing key is created in DIR on first start (mode 0600) and reused after. The log's \
            public key, C2SP vkey, log ID and a trusted-root `tlogs` entry are printed at start. SIGTERM or \
            SIGINT stops it gracefully: writes in flight are answered first.

            Example:
              sigil log serve --data ./log --port 3003

            Several front ends can serve one log from PostgreSQL (give each the same signing key in its DIR and \
            the same --origin): any of them accepts appends; the one holding the database lease integrates and \
            signs checkpoints, the others follow.
              sigil log serve --data ./log --port 3003 --origin log.example.com \\
                --postgres 'postgres://sigil@db.example.com/sigil?sslmode=require'
            """
    )

    @Option(help: "The data directory (signing key, and the log itself unless --memory).")
    var data: String

    @Option(help: "The TCP port to listen on.")
    var port: Int = 3003

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The checkpoint origin (default: HOST:PORT, what a client derives from the log's URL).")
    var origin: String?

    @Flag(help: "Keep the log in memory (lost on exit); the key still lives in --data.")
    var memory = false

    @Option(
        help: ArgumentHelp(
            "Keep the log in PostgreSQL (shared by several front ends); the key still lives in --data.",
            discussion: "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require&schema=NAME]",
            valueName: "url"))
    var postgres: String?

    func run() async throws {
        guard (0...65_535).contains(port) else { throw InputError("--port \(port) is not a TCP port") }
        let origin = self.origin ?? "\(host):\(port)"
        do { try RekorLogIdentity.checkOrigin(origin) } catch { throw InputError(error.reason) }

        try LogData.makeDirectory(data)
        let keyPath = data + "/" + LogSigningKeyFile.fileName
        let (key, created) = try LogSigningKeyFile.loadOrCreate(at: keyPath)
        var logger = Logger(label: "sigil.log")
        logger.logLevel = .info
        var configuration = LogServerConfiguration(origin: origin)
        let storage: any LogStorage
        var shared: PostgresLogStorage?
        if let postgres {
            guard !memory else { throw InputError("--memory and --postgres exclude each other") }
            let store = try await LogStore.connect(postgres: postgres, logger: logger)
            shared = store
            storage = store
            // A database outage is temporary: keep retrying integration instead of stopping the engine.
            configuration.engine.maxConsecutiveFailures = .max
            configuration.engine.retryDelay = .milliseconds(100)
            LogData.say("store: \(store.configuration)\n")
        } else {
            storage = try LogStore.open(dataDirectory: data, memory: memory)
        }
        let server: LogServer
        do {
            server = try await LogServer.open(
                storage: storage, signingKey: key, configuration: configuration, logger: logger)
        } catch let error as LogError where error.code == .corruptStorage {
            throw InputError("the log in \(postgres == nil ? data : "PostgreSQL") cannot be served as \(origin): \(error.reason)")
        }
        let baseURL = "http://\(host):\(port)"
        LogData.say(
            LogData.banner(
                identity: server.identity, baseURL: baseURL, keyPath: keyPath, created: created,
                treeSize: await server.log.latestCheckpoint.size, memory: memory))
        try await server.serve(host: host, port: port, logger: logger) { bound in
            LogData.say("listening on http://\(host):\(bound)\n")
        }
        await shared?.close()
        LogData.say("stopped\n")
    }
}

struct LogFsckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check a stored log: entries, tiles, bundles and checkpoint agree with each other and the key.",
        discussion: "Exit codes: 0 clean, 1 problems found (listed), 2 usage or input error."
    )

    @Option(help: "The data directory of `sigil log serve`.")
    var data: String

    @Option(help: "The checkpoint origin (default: the one in the stored checkpoint).")
    var origin: String?

    @Option(help: ArgumentHelp("Check the log kept in PostgreSQL (as `sigil log serve --postgres`).", valueName: "url"))
    var postgres: String?

    func run() async throws {
        let keyPath = data + "/" + LogSigningKeyFile.fileName
        guard FileManager.default.fileExists(atPath: keyPath) else { throw InputError("no log key at \(keyPath)") }
        let key = try LogSigningKeyFile.load(keyPath)
        let storage: any LogStorage
        if let postgres {
            var logger = Logger(label: "sigil.log")
            logger.logLevel = .warning
            storage = try await LogStore.connect(postgres: postgres, logger: logger)
        } else {
            storage = try LogStore.open(dataDirectory: data, memory: false)
        }
        var origin = self.origin
        if origin == nil, let stored = try await storage.checkpoint() {
            origin = String(decoding: stored.note.prefix { $0 != 0x0A }, as: UTF8.self)
        }
        guard let origin else { throw InputError("the log in \(data) has no checkpoint; pass --origin") }
        let verifier: NoteVerifierKey
        do { verifier = try NoteVerifierKey.ed25519(name: origin, publicKey: key.publicKey) } catch {
            throw InputError(error.reason)
        }
        let report = await LogFsck.check(storage: storage, origin: origin, keys: [verifier])
        LogData.say("\(report)\n")
        if !report.isClean { throw SigilExit.verificationFailed }
    }
}

/// Small helpers of the log commands.
enum LogData {
    static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("--data \(path) is not a directory") }
            return
        }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes to stdout at once (scripts wait for these lines; `print` buffers when stdout is a pipe).
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// What an operator needs to trust this log: key, vkey, log ID, and a trusted-root `tlogs` entry.
    static func banner(
        identity: RekorLogIdentity, baseURL: String, keyPath: String, created: Bool, treeSize: UInt64, memory: Bool
    ) -> String {
        let spki = Data(identity.subjectPublicKeyInfo).base64EncodedString()
        let logID = Data(identity.logID).base64EncodedString()
        // The key is valid from when it was made: the key file's modification time (it is written once).
        let made = (try? FileManager.default.attributesOfItem(atPath: keyPath)[.modificationDate] as? Date) ?? Date()
        let start = ISO8601DateFormatter().string(from: made)
        let tlog = """
            {"baseUrl": "\(baseURL)", "hashAlgorithm": "SHA2_256", \
            "publicKey": {"rawBytes": "\(spki)", "keyDetails": "PKIX_ED25519", "validFor": {"start": "\(start)"}}, \
            "logId": {"keyId": "\(logID)"}}
            """
        return """
            sigil log: origin \(identity.origin), tree size \(treeSize)\(memory ? " (in memory: lost on exit)" : "")
            signing key: \(keyPath) (\(created ? "created" : "reused"))
            public key (SPKI, base64): \(spki)
            vkey: \(identity.vkey ?? "-")
            log ID (base64, trusted root logId.keyId): \(logID)
            trusted root tlogs entry:
            \(tlog)

            """
    }
}
