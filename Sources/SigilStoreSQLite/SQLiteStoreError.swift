// Errors of opening and closing the SQLite store (STYLE.md habit 6). Calls of the `LogStorage` protocol throw
// `LogError` instead, as every driver does: `storageFailure` for SQLite errors, `corruptStorage` for rows that
// contradict the schema.

/// Why the SQLite store could not be opened (or closed).
public struct SQLiteStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case cannotOpen, unknownSchema
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The file or its directory cannot be created or opened, is not a SQLite database, or cannot be put in
        /// WAL mode; or closing failed.
        public static let cannotOpen = Code(.cannotOpen)
        /// The database has schema migrations this build does not know (a newer build wrote it).
        public static let unknownSchema = Code(.unknownSchema)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "sqlite store: \(code): \(reason)" }
}
