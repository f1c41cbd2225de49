// Errors of connecting to and setting up the PostgreSQL store (STYLE.md habit 6). Calls of the `LogStorage`
// protocol throw `LogError` instead, as every driver does: `storageFailure` for PostgreSQL errors and lost
// connections, `corruptStorage` for rows that contradict the schema.

/// Why the PostgreSQL store could not be configured, reached or set up.
public struct PostgresStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case invalidURL, cannotConnect, unknownSchema
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The connection URL or an option is malformed (scheme, port, schema name, `sslmode`).
        public static let invalidURL = Code(.invalidURL)
        /// The server could not be reached, refused the login, or the schema could not be created or migrated.
        public static let cannotConnect = Code(.cannotConnect)
        /// The database has a schema version this build does not know (a newer build wrote it).
        public static let unknownSchema = Code(.unknownSchema)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "postgres store: \(code): \(reason)" }
}
