// The LogStorage conformance suite run against PostgresLogStorage. `Conformance` in this folder is a symlink to
// `../SigilLogTests/Conformance` (SwiftPM follows it), so the driver runs the very same suite files as the
// in-memory and SQLite drivers. Each location is a new PostgreSQL schema in the shared throwaway cluster; each
// call of its opener connects a new `PostgresLogStorage` (its own pool), which is how the suite restarts the log.

import Foundation
import SigilLog
import SigilStorePostgres
import Testing

extension LogStorageFactory {
    static func postgres(_ cluster: PostgresCluster, label: String) -> LogStorageFactory {
        LogStorageFactory(name: "postgres") {
            let url = cluster.url(schema: SharedCluster.schemaName(label))
            return { try await PostgresLogStorage.connect(try PostgresLogStorageTests.configuration(url: url)) }
        }
    }
}

@Suite("LogStorage conformance: PostgreSQL", .enabled(if: PostgresBinaries.shouldRun, PostgresBinaries.skipMessage))
struct PostgresConformanceTests {
    @Test("the suite has checks and fault rows")
    func suiteIsNotEmpty() {
        #expect(LogStorageConformance.checkNames.count >= 9)
        #expect(LogStorageConformance.faultRows.count == 12)
    }

    @Test("PostgreSQL storage passes", arguments: LogStorageConformance.checkNames)
    func conformance(_ check: String) async throws {
        let cluster = try await SharedCluster.instance.get()
        try await LogStorageConformance.run(check, on: .postgres(cluster, label: "c"))
    }

    @Test("PostgreSQL storage survives the fault", arguments: LogStorageConformance.faultRows)
    func fault(_ row: FaultRow) async throws {
        let cluster = try await SharedCluster.instance.get()
        try await LogStorageConformance.runFaultRow(row, on: .postgres(cluster, label: "f"))
    }
}
