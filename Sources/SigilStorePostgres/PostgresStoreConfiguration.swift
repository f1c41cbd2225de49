// Where the PostgreSQL store connects and how it behaves: parsed from a libpq-style URL
// (`postgres://user:password@host:port/database?sslmode=disable&schema=sigil_log`).
//
// Written here (postgres-nio has no URL parser): the URL reading, with Foundation's URLComponents doing the
// percent-decoding.

import Foundation
import PostgresNIO

/// How a ``PostgresLogStorage`` connects and sets itself up.
public struct PostgresStoreConfiguration: Sendable, CustomStringConvertible {
    /// How the connection is secured (libpq's `sslmode` values that postgres-nio supports).
    public struct TLSMode: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Plain TCP (or a Unix socket).
        public static let disable = TLSMode(name: "disable")
        /// TLS when the server offers it (the certificate is verified against the system trust store).
        public static let prefer = TLSMode(name: "prefer")
        /// TLS or no connection (the certificate is verified against the system trust store).
        public static let require = TLSMode(name: "require")

        public var description: String { name }
    }

    /// The server's host name or address (ignored when ``unixSocketDirectory`` is set).
    public var host: String
    public var port: Int
    public var username: String
    /// Never printed (``description`` leaves it out).
    public var password: String?
    public var database: String
    /// Connect over the Unix socket `<directory>/.s.PGSQL.<port>` instead of TCP (libpq's `host=/path`).
    public var unixSocketDirectory: String?
    public var tls: TLSMode = .disable
    /// The PostgreSQL schema (namespace) holding the log's tables; one schema is one log. Letters, digits and
    /// `_`, starting with a letter or `_`, at most 63 bytes.
    public var schema: String = "sigil_log"
    /// How long the integration lease lasts without renewal: when a front end holding it dies, another takes
    /// over after at most this long.
    public var leaseDuration: Duration = .seconds(3)
    /// How long one storage call may take (waiting for a connection included) before it fails with
    /// `storageFailure`; a lost server makes calls fail after this instead of hanging.
    public var operationTimeout: Duration = .seconds(5)
    /// How long opening a connection may take.
    public var connectTimeout: Duration = .seconds(5)
    /// Connections the pool keeps at most.
    public var maximumConnections: Int = 16

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Reads `postgres://` (or `postgresql://`) `user[:password]@host[:port]/database`, with the query options
    /// `sslmode` (`disable`, `prefer`, `require`; default `disable`), `schema` (default `sigil_log`) and `host`
    /// (a Unix socket directory, as libpq reads it). The user defaults to `postgres`, the database to the user.
    public init(url: String) throws(PostgresStoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresStoreError(.invalidURL, "expected postgres://user:password@host:port/database, found \(Self.redacted(url))")
        }
        let username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? username
        guard !database.contains("/") else {
            throw PostgresStoreError(.invalidURL, "expected one database name in the path, found \(path)")
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresStoreError(.invalidURL, "port \(port) is not a TCP port") }
        self.init(
            host: components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost", port: port, username: username,
            password: components.password.flatMap { $0.removingPercentEncoding }, database: database)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "disable": tls = .disable
                case "prefer": tls = .prefer
                case "require": tls = .require
                default: throw PostgresStoreError(.invalidURL, "sslmode \(value): expected disable, prefer or require")
                }
            case "schema":
                schema = value
            case "host":
                guard value.hasPrefix("/") else {
                    throw PostgresStoreError(.invalidURL, "host option \(value): expected a socket directory path")
                }
                unixSocketDirectory = value
            default:
                throw PostgresStoreError(.invalidURL, "unknown option \(item.name) (known: sslmode, schema, host)")
            }
        }
        try Self.checkSchemaName(schema)
    }

    /// The URL without the password, for logs and banners.
    public var description: String {
        let place = unixSocketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(username)@\(host):\(port)/\(database)\(place) (schema \(schema), sslmode \(tls))"
    }

    static func checkSchemaName(_ name: String) throws(PostgresStoreError) {
        let bytes = Array(name.utf8)
        let isStart: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F }
        guard let first = bytes.first, isStart(first), bytes.count <= 63,
            bytes.allSatisfy({ isStart($0) || ($0 >= 0x30 && $0 <= 0x39) })
        else {
            throw PostgresStoreError(
                .invalidURL, "schema \(name): expected 1-63 letters, digits or _, not starting with a digit")
        }
    }

    /// `url` with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "(unparsable URL)"
    }

    /// The postgres-nio client configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let unixSocketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: unixSocketDirectory + "/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch self.tls {
            case .require: tls = .require(.makeClientConfiguration())
            case .prefer: tls = .prefer(.makeClientConfiguration())
            default: tls = .disable
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.minimumConnections = 0
        return configuration
    }
}
