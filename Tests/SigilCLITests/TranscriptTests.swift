// CLI transcripts (STYLE.md habit 12): each runs the built `sigil` and checks its exit code and output.

import Foundation
import SigilServiceTesting
import SigilTesting
import Testing

struct TranscriptStep: Sendable, CustomTestStringConvertible {
    var command: [String]
    var exitCode: Int32
    var expected: [String]
    var line: Int
    var testDescription: String { "line \(line): \(command.prefix(3).joined(separator: " "))" }
}

enum Transcripts {
    static let root = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()

    /// The `sigil` executable built beside this test bundle.
    static var sigil: URL { SigilExecutable.url }

    static func load(_ name: String) throws -> [TranscriptStep] {
        let text = try Fixtures.text("cli/\(name)").replacingOccurrences(of: "{public}", with: "Tests/Fixtures/sigstore-public")
        var steps: [TranscriptStep] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("$ ") {
                let words = line.dropFirst(2).split(separator: " ").map(String.init)
                steps.append(TranscriptStep(command: Array(words.dropFirst()), exitCode: -1, expected: [], line: number + 1))
            } else if line.hasPrefix("? "), let code = Int32(line.dropFirst(2)) {
                steps[steps.count - 1].exitCode = code
            } else if line.hasPrefix("~ ") {
                steps[steps.count - 1].expected.append(String(line.dropFirst(2)))
            }
        }
        return steps
    }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = sigil
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

@Suite("sigil verify transcripts")
struct TranscriptTests {
    static let steps = (try? Transcripts.load("verify.transcript")) ?? []

    @Test("the transcript file loads")
    func loads() throws {
        let steps = try Transcripts.load("verify.transcript")
        #expect(steps.count >= 10)
        #expect(steps.allSatisfy { $0.exitCode >= 0 && !$0.expected.isEmpty })
        #expect(FileManager.default.isExecutableFile(atPath: Transcripts.sigil.path), "build sigil first: \(Transcripts.sigil.path)")
    }

    @Test("each command ends with its exit code and prints what the transcript says", arguments: steps)
    func step(_ step: TranscriptStep) throws {
        let (status, output) = try Transcripts.run(step.command)
        #expect(status == step.exitCode, "output:\n\(output)")
        for text in step.expected {
            #expect(output.contains(text), "missing \(text) in:\n\(output)")
        }
    }
}
