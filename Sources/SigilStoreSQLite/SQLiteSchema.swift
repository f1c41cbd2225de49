// The versioned schema of the SQLite store: one GRDB migration per version, applied in order when a store opens.
// A migration is never edited once released; a change of schema is a new migration appended to `migrator`.

import GRDB

/// The store's schema migrations.
enum SQLiteSchema {
    /// Migration identifiers, oldest first; the schema version is their count.
    static let migrationNames = ["v1-entries-tiles-checkpoint"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationNames[0]) { db in
            // Sequenced entries. `idx` is the rowid (contiguous from 0); `identity` is the dedup key.
            try db.execute(
                sql: """
                    CREATE TABLE entries (
                        idx INTEGER PRIMARY KEY CHECK (idx >= 0),
                        data BLOB NOT NULL,
                        identity BLOB NOT NULL CHECK (length(identity) BETWEEN 1 AND 64)
                    );
                    CREATE UNIQUE INDEX entries_identity ON entries (identity);
                    """)
            // Hash tiles by C2SP path (level, index, width); a partial tile and the full one are different rows.
            try db.execute(
                sql: """
                    CREATE TABLE tiles (
                        level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
                        bytes BLOB NOT NULL CHECK (length(bytes) = 32 * width),
                        PRIMARY KEY (level, idx, width)
                    ) WITHOUT ROWID;
                    """)
            // Entry bundles by path (index, width).
            try db.execute(
                sql: """
                    CREATE TABLE bundles (
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
                        bytes BLOB NOT NULL,
                        PRIMARY KEY (idx, width)
                    ) WITHOUT ROWID;
                    """)
            // The one published checkpoint with its tree state (`StoredCheckpoint.encodedTree`).
            try db.execute(
                sql: """
                    CREATE TABLE checkpoint (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        note BLOB NOT NULL,
                        tree BLOB NOT NULL
                    );
                    PRAGMA user_version = 1;
                    """)
        }
        return migrator
    }
}
