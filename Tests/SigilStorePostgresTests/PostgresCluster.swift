// A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary directory, `pg_ctl start` listening on
// 127.0.0.1 at a free port (the socket in the same directory), removed when the test process exits.
//
// The binaries come from $SIGIL_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian), else $PATH. initdb
// refuses to run as root: as root, every command runs as the `postgres` user (`runuser`), which owns the directory.
// Tests skip, with a message, only when no binary exists and $CI is unset; under CI a missing binary fails them.
//
// `fsync=off`: the tests kill the server (`pg_ctl stop -m immediate`), not the machine, so what a commit wrote to
// the kernel survives; `synchronous_commit` stays on, so an acknowledged commit is in the WAL before it returns.

import Foundation
import Testing

enum PostgresBinaries {
    /// The directory holding initdb and pg_ctl, or nil.
    static let directory: String? = {
        let files = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SIGIL_PG_BIN"], files.isExecutableFile(atPath: explicit + "/pg_ctl") {
            return explicit
        }
        let debian = "/usr/lib/postgresql"
        let versions = ((try? files.contentsOfDirectory(atPath: debian)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions where files.isExecutableFile(atPath: "\(debian)/\(version)/bin/pg_ctl") {
            return "\(debian)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where files.isExecutableFile(atPath: "\(directory)/pg_ctl") && files.isExecutableFile(atPath: "\(directory)/initdb") {
            return String(directory)
        }
        return nil
    }()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// Whether the PostgreSQL tests run: binaries exist, or CI requires them (then they fail without).
    static var shouldRun: Bool { directory != nil || isCI }

    static let skipMessage: Comment =
        "PostgreSQL not installed (no initdb/pg_ctl in $SIGIL_PG_BIN, /usr/lib/postgresql/*/bin or $PATH): skipping; `apt-get install postgresql`"
}

/// One running cluster. `stop(immediate:)` and `start()` kill and restart it on the same directory and port.
final class PostgresCluster: @unchecked Sendable {
    let directory: String
    let port: Int
    private let binaries: String
    private let runAsPostgres: Bool
    private let lock = NSLock()
    private var running = false

    var dataDirectory: String { directory + "/data" }
    var logFile: String { directory + "/server.log" }

    /// A URL for `schema` in the cluster's `postgres` database (trust authentication on loopback).
    func url(schema: String? = nil) -> String {
        "postgres://postgres@127.0.0.1:\(port)/postgres" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// Creates and starts a new cluster.
    init() throws {
        guard let binaries = PostgresBinaries.directory else {
            throw ClusterError("no PostgreSQL binaries (initdb, pg_ctl): install the `postgresql` package")
        }
        self.binaries = binaries
        runAsPostgres = getuid() == 0
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sigil-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if runAsPostgres { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory]) }
        port = try Self.freePort()
        try tool("initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"])
        try start()
    }

    deinit { destroy() }

    /// Starts the server (after `init` or `stop`), waiting until it accepts connections.
    func start() throws {
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        try tool("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-o", options, "-w", "-t", "60", "start"])
        lock.withLock { running = true }
    }

    /// Stops the server; `immediate` kills it without a checkpoint (recovery replays the WAL on the next start).
    func stop(immediate: Bool = false) throws {
        try tool("pg_ctl", ["-D", dataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"])
        lock.withLock { running = false }
    }

    /// Stops the server if running and removes the directory.
    func destroy() {
        if lock.withLock({ running }) { try? stop(immediate: true) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The server log (for failure messages).
    var serverLog: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    private func tool(_ name: String, _ arguments: [String]) throws {
        if runAsPostgres {
            // From "/": the postgres user may not be allowed into the test's working directory.
            try Self.run(
                "/usr/sbin/runuser",
                ["-u", "postgres", "--", "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", binaries + "/" + name] + arguments)
        } else {
            try Self.run(binaries + "/" + name, arguments)
        }
    }

    /// Runs a tool to completion with posix_spawn and waitpid; its output goes to a temporary file. (Foundation's
    /// `Process.waitUntilExit` was seen to miss the exit of `runuser` here and hang.)
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-pg-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw ClusterError("waitpid \(executable): errno \(errno)") }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ClusterError("\(executable) \(arguments.joined(separator: " ")) ended with status \(status): \(text)")
        }
        return text
    }

    /// A TCP port nothing listens on right now (bind port 0 on loopback, read it, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ClusterError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ClusterError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The cluster shared by the tests of this process (each test uses its own schema), stopped at exit.
actor SharedCluster {
    static let instance = SharedCluster()
    private var cluster: PostgresCluster?
    nonisolated(unsafe) static var forExit: PostgresCluster?

    func get() throws -> PostgresCluster {
        if let cluster { return cluster }
        let made = try PostgresCluster()
        cluster = made
        Self.forExit = made
        atexit { SharedCluster.forExit?.destroy() }
        return made
    }

    /// A fresh schema name.
    static func schemaName(_ label: String) -> String {
        "t_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}
