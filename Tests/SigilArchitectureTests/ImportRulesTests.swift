import Foundation
import SigilTesting
import Testing

/// Reads every Swift file under Sources/, labelled with its target (the folder name).
func repositorySources() throws -> [ImportRules.SourceFile] {
    let sources = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
    var files: [ImportRules.SourceFile] = []
    let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted()
    for target in targets {
        let folder = sources.appendingPathComponent(target)
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { continue }
        for case let relative as String in walker where relative.hasSuffix(".swift") {
            let path = folder.appendingPathComponent(relative).path
            files.append(ImportRules.SourceFile(target: target, path: "Sources/\(target)/\(relative)", text: try String(contentsOfFile: path, encoding: .utf8)))
        }
    }
    return files
}

@Suite("Import rules of DESIGN.md §5")
struct ImportRulesTests {
    @Test("every target in Sources/ imports only the modules in its row, and pure targets do no I/O")
    func repositoryFollowsTheRules() throws {
        let files = try repositorySources()
        #expect(files.count > 5, "found only \(files.count) source files: is the path right?")
        #expect(Set(files.map(\.target)).contains("SigilMerkle"))
        let violations = ImportRules.violations(in: files)
        #expect(violations.isEmpty, "\(violations.map(\.description).joined(separator: "\n"))")
    }

    @Test("the checker flags a pure target that uses Foundation's FileManager")
    func flagsFileManagerInPureTarget() {
        let file = ImportRules.SourceFile(target: "SigilX509", path: "Sources/SigilX509/Bad.swift", text: """
            import Foundation
            func load() -> Bool { FileManager.default.fileExists(atPath: "/etc/hosts") }
            """)
        let violations = ImportRules.violations(in: [file])
        #expect(violations.map(\.line) == [2])
        #expect(violations.first?.message.contains("FileManager") == true)
    }

    @Test("the checker flags Foundation in a target whose row does not allow it")
    func flagsFoundationInMerkle() {
        let file = ImportRules.SourceFile(target: "SigilMerkle", path: "Sources/SigilMerkle/Bad.swift", text: "import Foundation\n")
        #expect(ImportRules.violations(in: [file]).count == 1)
    }

    @Test("the checker flags NIO and any module outside the row, whatever the import form")
    func flagsNIO() {
        let file = ImportRules.SourceFile(target: "SigilTlog", path: "Sources/SigilTlog/Bad.swift", text: """
            import NIOCore
            @preconcurrency import struct NIOPosix.NIOThreadPool
            @_spi(CMS) public import X509
            import Crypto
            import SigilMerkle
            """)
        let flagged = ImportRules.violations(in: [file]).map(\.line)
        #expect(flagged == [1, 2, 3])
    }

    @Test("the checker flags an upward import and a clock read")
    func flagsUpwardImportAndClock() {
        let file = ImportRules.SourceFile(target: "SigilBundle", path: "Sources/SigilBundle/Bad.swift", text: """
            import SigilVerify
            let started = ContinuousClock.now // a clock read
            // Date() in a comment is fine
            """)
        let violations = ImportRules.violations(in: [file])
        #expect(violations.map(\.line) == [1, 2, 2])
    }

    @Test("the checker flags a target that has no row")
    func flagsUnknownTarget() {
        let file = ImportRules.SourceFile(target: "SigilMystery", path: "Sources/SigilMystery/A.swift", text: "import Crypto\n")
        #expect(ImportRules.violations(in: [file]).count == 1)
    }

    @Test("a legal file passes")
    func legalFilePasses() {
        let file = ImportRules.SourceFile(target: "SigilVerify", path: "Sources/SigilVerify/Good.swift", text: """
            import Crypto
            import SigilBundle
            import SigilX509
            import struct Foundation.Date
            """)
        #expect(ImportRules.violations(in: [file]).isEmpty)
    }
}
