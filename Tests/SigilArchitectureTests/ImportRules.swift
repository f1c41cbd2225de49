// The import rules of DESIGN.md §5, checked: SwiftPM cannot stop a target from importing a module outside
// its row, so this test parses every `import` in Sources/ and greps the pure targets for clock and I/O use.

import Foundation

/// One row of DESIGN.md §5: a target, its layer, and the modules it may import.
struct TargetRule: Sendable {
    var target: String
    var layer: Int
    /// Pure targets (layers 0-1) do no I/O and never read a clock (STYLE.md habit 1).
    var isPure: Bool
    /// Modules other than Sigil targets that the target may import.
    var externalModules: Set<String>
    /// `nil`: any Sigil target of a lower layer; otherwise exactly these.
    var sigilTargets: Set<String>?
}

enum ImportRules {
    /// Modules every target may import: the standard library's own.
    static let alwaysAllowed: Set<String> = ["Swift", "_Concurrency", "Synchronization"]

    /// Foundation only for value types (`Date`, which swift-certificates uses); the pure-code grep below keeps I/O
    /// and clocks out.
    static let foundation: Set<String> = ["Foundation", "FoundationEssentials"]
    static let verifyModules: Set<String> = ["Crypto", "SwiftASN1", "X509"]

    static let rules: [TargetRule] = [
        TargetRule(target: "SigilMerkle", layer: 0, isPure: true, externalModules: ["Crypto"], sigilTargets: []),
        TargetRule(target: "SigilTlog", layer: 0, isPure: true, externalModules: ["Crypto", "SwiftASN1"], sigilTargets: ["SigilMerkle"]),
        TargetRule(target: "SigilBundle", layer: 0, isPure: true, externalModules: ["Crypto", "SwiftASN1"], sigilTargets: ["SigilMerkle", "SigilTlog"]),
        TargetRule(target: "SigilX509", layer: 0, isPure: true, externalModules: verifyModules.union(foundation), sigilTargets: []),
        TargetRule(target: "SigilTimestamp", layer: 0, isPure: true, externalModules: verifyModules.union(foundation), sigilTargets: ["SigilX509"]),
        TargetRule(target: "SigilVerify", layer: 1, isPure: true, externalModules: verifyModules.union(foundation), sigilTargets: nil),
        TargetRule(target: "SigilLog", layer: 2, isPure: false, externalModules: foundation.union(["Crypto", "Logging", "Metrics"]), sigilTargets: ["SigilMerkle", "SigilTlog"]),
        TargetRule(target: "SigilStoreSQLite", layer: 2, isPure: false, externalModules: foundation.union(["GRDB", "Logging"]), sigilTargets: ["SigilLog", "SigilMerkle", "SigilTlog"]),
        TargetRule(target: "SigilStorePostgres", layer: 2, isPure: false, externalModules: foundation.union(["PostgresNIO", "NIOCore", "Logging"]), sigilTargets: ["SigilLog", "SigilMerkle", "SigilTlog"]),
        TargetRule(target: "SigilRekor", layer: 3, isPure: false, externalModules: verifyModules.union(foundation).union(["Logging"]), sigilTargets: nil),
        TargetRule(target: "SigilCT", layer: 3, isPure: false, externalModules: verifyModules.union(foundation).union(["Logging"]), sigilTargets: nil),
        TargetRule(target: "SigilCA", layer: 3, isPure: false, externalModules: verifyModules.union(foundation).union(["Logging", "JWTKit"]),
                   sigilTargets: ["SigilCT", "SigilX509", "SigilBundle", "SigilVerify", "SigilMerkle", "SigilTlog", "SigilTimestamp", "SigilLog"]),
        TargetRule(target: "SigilTSA", layer: 3, isPure: false, externalModules: verifyModules.union(foundation).union(["Logging"]), sigilTargets: nil),
        TargetRule(target: "SigilSign", layer: 3, isPure: false, externalModules: verifyModules.union(foundation).union(["Logging"]), sigilTargets: nil),
        TargetRule(target: "SigilServer", layer: 4, isPure: false, externalModules: verifyModules.union(foundation).union(["Hummingbird", "Logging", "Metrics", "Prometheus", "ServiceLifecycle", "NIOCore", "HTTPTypes"]), sigilTargets: nil),
        TargetRule(target: "SigilClient", layer: 4, isPure: false, externalModules: verifyModules.union(foundation).union(["AsyncHTTPClient", "NIOCore", "NIOHTTP1", "NIOFoundationCompat", "Logging"]), sigilTargets: nil),
        TargetRule(target: "SigilCLI", layer: 5, isPure: false, externalModules: verifyModules.union(foundation).union(["ArgumentParser", "Logging", "ServiceLifecycle"]), sigilTargets: nil),
        // Test support: linked only into tests, so it may read fixtures from disk.
        TargetRule(target: "SigilTesting", layer: 6, isPure: false, externalModules: verifyModules.union(foundation), sigilTargets: nil),
        TargetRule(target: "SigilServiceTesting", layer: 6, isPure: false,
                   externalModules: verifyModules.union(foundation).union(["AsyncHTTPClient", "NIOCore", "NIOHTTP1"]),
                   sigilTargets: ["SigilBundle", "SigilMerkle", "SigilTlog", "SigilTesting"]),
    ]

    /// APIs that read a clock or do I/O, forbidden in pure targets. Matched on code with comments removed.
    static let impureAPIs: [String] = [
        "Date()", "Date.now", ".now", "FileManager", "FileHandle", "URLSession", "ProcessInfo", "(contentsOf: URL", "Data(contentsOf:", "String(contentsOf:",
        "contentsOfFile:", "fopen(", "posix_spawn", "socket(", "clock_gettime", "gettimeofday", "time(nil)",
        "DispatchTime", "ContinuousClock", "SuspendingClock", "CFAbsoluteTime", "timeIntervalSinceNow", "Glibc", "Darwin",
    ]

    /// One broken rule, with enough detail to fix it.
    struct Violation: Hashable, CustomStringConvertible {
        var file: String
        var line: Int
        var message: String
        var description: String { "\(file):\(line): \(message)" }
    }

    /// A source file as the checker sees it.
    struct SourceFile {
        var target: String
        var path: String
        var text: String
    }

    /// The modules a file imports, with their line numbers. Handles attributes (`@testable`, `@_spi(X)`,
    /// `@preconcurrency`), access levels and declaration imports (`import struct Foo.Bar`).
    static func imports(in text: String) -> [(module: String, line: Int)] {
        var found: [(String, Int)] = []
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let", "actor"]
        let accessLevels: Set<String> = ["public", "package", "internal", "fileprivate", "private"]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let first = words.first, first.hasPrefix("@") || accessLevels.contains(first) {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            var module = words[1]
            if kinds.contains(module), words.count >= 3 { module = words[2] }
            if let dot = module.firstIndex(of: ".") { module = String(module[..<dot]) }
            if module.hasPrefix("//") { continue }
            found.append((module, number + 1))
        }
        return found
    }

    /// Code with `//` comments and string literals' contents kept out of the impure-API grep as far as a line
    /// scanner can: whole-line comments, trailing comments and doc comments are dropped.
    static func codeLines(of text: String) -> [(String, Int)] {
        var result: [(String, Int)] = []
        var inBlockComment = false
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(rawLine)
            if inBlockComment {
                guard let end = line.range(of: "*/") else { continue }
                line = String(line[end.upperBound...])
                inBlockComment = false
            }
            if let start = line.range(of: "/*"), line.range(of: "*/", range: start.upperBound..<line.endIndex) == nil {
                line = String(line[..<start.lowerBound])
                inBlockComment = true
            }
            if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
            result.append((line, number + 1))
        }
        return result
    }

    /// Every violation in `files`, given the rows in `rules`.
    static func violations(in files: [SourceFile], rules: [TargetRule] = rules) -> [Violation] {
        let byName = Dictionary(uniqueKeysWithValues: rules.map { ($0.target, $0) })
        let sigilNames = Set(rules.map(\.target))
        var violations: [Violation] = []
        for file in files {
            guard let rule = byName[file.target] else {
                violations.append(Violation(file: file.path, line: 0, message: "target \(file.target) has no row in the import rules (DESIGN.md §5)"))
                continue
            }
            for (module, line) in imports(in: file.text) {
                if alwaysAllowed.contains(module) || rule.externalModules.contains(module) { continue }
                if sigilNames.contains(module), let other = byName[module] {
                    let allowed = rule.sigilTargets.map { $0.contains(module) } ?? (other.layer < rule.layer && other.layer < 6)
                    if allowed { continue }
                    violations.append(Violation(file: file.path, line: line, message: "\(file.target) (layer \(rule.layer)) may not import \(module) (layer \(other.layer))"))
                    continue
                }
                violations.append(Violation(file: file.path, line: line, message: "\(file.target) may not import \(module): not in its row (\(rule.externalModules.sorted().joined(separator: ", ")))"))
            }
            guard rule.isPure else { continue }
            for (code, line) in codeLines(of: file.text) {
                for api in impureAPIs where code.contains(api) {
                    violations.append(Violation(file: file.path, line: line, message: "pure target \(file.target) uses \(api): no I/O or clock reads in layers 0-1"))
                }
            }
        }
        return violations
    }
}
