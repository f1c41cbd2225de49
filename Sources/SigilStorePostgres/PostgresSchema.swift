// The versioned schema of the PostgreSQL store. Each migration is a list of statements applied in one
// transaction together with its row in `schema_version`; a migration is never edited once released, a change of
// schema is a new migration appended to `migrations`. Several front ends starting at once serialize on a
// transaction-scoped advisory lock, so the schema is created exactly once.

/// The store's tables, qualified with the configured schema name (checked to be a plain identifier).
struct PostgresTables: Sendable {
    let schema: String

    var version: String { "\"\(schema)\".schema_version" }
    var entries: String { "\"\(schema)\".entries" }
    var sequence: String { "\"\(schema)\".sequence" }
    var tiles: String { "\"\(schema)\".tiles" }
    var bundles: String { "\"\(schema)\".bundles" }
    var checkpoint: String { "\"\(schema)\".checkpoint" }
    var lease: String { "\"\(schema)\".lease" }
}

enum PostgresSchema {
    /// Migration `n` (1-based) brings the schema from version `n - 1` to `n`; the schema version is the count.
    static func migrations(_ t: PostgresTables) -> [[String]] {
        [
            [
                // Sequenced entries: contiguous `idx` from 0; `identity` is the dedup key (unique).
                """
                CREATE TABLE \(t.entries) (
                    idx bigint PRIMARY KEY CHECK (idx >= 0),
                    data bytea NOT NULL,
                    identity bytea NOT NULL CHECK (octet_length(identity) BETWEEN 1 AND 64)
                )
                """,
                "CREATE UNIQUE INDEX entries_identity ON \(t.entries) (identity)",
                // The next index to assign: one row, locked by every sequencing transaction.
                """
                CREATE TABLE \(t.sequence) (
                    id integer PRIMARY KEY CHECK (id = 1),
                    next bigint NOT NULL CHECK (next >= 0)
                )
                """,
                "INSERT INTO \(t.sequence) (id, next) VALUES (1, 0)",
                // Hash tiles by C2SP path (level, index, width); a partial tile and the full one are different rows.
                """
                CREATE TABLE \(t.tiles) (
                    level integer NOT NULL CHECK (level BETWEEN 0 AND 63),
                    idx bigint NOT NULL CHECK (idx >= 0),
                    width integer NOT NULL CHECK (width BETWEEN 1 AND 256),
                    bytes bytea NOT NULL CHECK (octet_length(bytes) = 32 * width),
                    PRIMARY KEY (level, idx, width)
                )
                """,
                // Entry bundles by path (index, width).
                """
                CREATE TABLE \(t.bundles) (
                    idx bigint NOT NULL CHECK (idx >= 0),
                    width integer NOT NULL CHECK (width BETWEEN 1 AND 256),
                    bytes bytea NOT NULL,
                    PRIMARY KEY (idx, width)
                )
                """,
                // The one published checkpoint with its tree state (`StoredCheckpoint.encodedTree`).
                """
                CREATE TABLE \(t.checkpoint) (
                    id integer PRIMARY KEY CHECK (id = 1),
                    note bytea NOT NULL,
                    tree bytea NOT NULL
                )
                """,
                // The integration lease: which front end integrates and signs, until when (database clock).
                """
                CREATE TABLE \(t.lease) (
                    id integer PRIMARY KEY CHECK (id = 1),
                    holder text NOT NULL,
                    expires timestamptz NOT NULL
                )
                """,
            ]
        ]
    }
}
