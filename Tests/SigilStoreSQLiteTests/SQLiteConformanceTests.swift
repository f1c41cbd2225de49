// The LogStorage conformance suite run against SQLiteLogStorage. `Conformance` in this folder is a symlink to
// `../SigilLogTests/Conformance` (SwiftPM follows it), so both test targets compile the very same suite files.

import Foundation
import SigilLog
import SigilStoreSQLite
import Testing

/// A temporary directory removed when the owning suite instance goes away.
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sigil-sqlite-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A fresh path inside the directory (nothing is created).
    func path(_ name: String = UUID().uuidString) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension LogStorageFactory {
    /// Each location is a new data directory under `root`; each call of the opener opens a new
    /// `SQLiteLogStorage` (its own connection pool) on the same file, which is how the suite restarts the log.
    static func sqlite(in root: TemporaryDirectory) -> LogStorageFactory {
        LogStorageFactory(name: "sqlite") {
            let directory = root.path()
            return { try SQLiteLogStorage(directory: directory) }
        }
    }
}

@Suite("LogStorage conformance: SQLite")
final class SQLiteConformanceTests {
    let root: TemporaryDirectory

    init() throws {
        root = try TemporaryDirectory("conformance")
    }

    @Test("the suite has checks and fault rows")
    func suiteIsNotEmpty() {
        #expect(LogStorageConformance.checkNames.count >= 9)
        #expect(LogStorageConformance.faultRows.count == 12)
    }

    @Test("SQLite storage passes", arguments: LogStorageConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await LogStorageConformance.run(check, on: .sqlite(in: root))
    }

    @Test("SQLite storage survives the fault", arguments: LogStorageConformance.faultRows)
    func fault(_ row: FaultRow) async throws {
        try await LogStorageConformance.runFaultRow(row, on: .sqlite(in: root))
    }
}
