// The conformance suite run against InMemoryLogStorage. A driver's test target does the same with its own factory
// (and the Conformance folder symlinked in).

import SigilLog
import Testing

extension LogStorageFactory {
    static let inMemory = LogStorageFactory(name: "in-memory") {
        let storage = InMemoryLogStorage()
        return { storage }
    }
}

@Suite("LogStorage conformance: in-memory")
struct InMemoryConformanceTests {
    @Test("the suite has checks and fault rows")
    func suiteIsNotEmpty() {
        #expect(LogStorageConformance.checkNames.count >= 9)
        #expect(LogStorageConformance.faultRows.count == 12)
    }

    @Test("in-memory storage passes", arguments: LogStorageConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await LogStorageConformance.run(check, on: .inMemory)
    }

    @Test("in-memory storage survives the fault", arguments: LogStorageConformance.faultRows)
    func fault(_ row: FaultRow) async throws {
        try await LogStorageConformance.runFaultRow(row, on: .inMemory)
    }
}
