// Test support for tests that run the built `sigil` binary or other tools: where the binary is, a one-shot
// tool run, a long-running `sigil` process whose output is collected as it comes, scratch directories and file
// modes. Never linked into a product.

import Foundation
import SigilTesting
import Synchronization

/// A failure of a test helper, with what was expected and what was found.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The `sigil` executable built beside the running test bundle (SwiftPM puts both in the same folder), or the
/// debug build of the package.
public enum SigilExecutable {
    public static var url: URL {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("sigil")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let root = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/sigil")
    }
}

/// Runs `executable` with `arguments` to the end: its exit status, standard output and standard error.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Standard error is read on another thread, so neither pipe can fill up and stall the tool.
    let errorHandle = err.fileHandleForReading
    let errorData = Mutex(Data())
    let done = DispatchGroup()
    done.enter()
    Thread {
        let data = errorHandle.readDataToEndOfFile()
        errorData.withLock { $0 = data }
        done.leave()
    }.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: output, as: UTF8.self),
        String(decoding: errorData.withLock { $0 }, as: UTF8.self)
    )
}

/// A new empty directory under the system's temporary directory.
public func temporaryDirectory(prefix: String = "sigil-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The POSIX permission bits of a file.
public func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// A running `sigil` process whose standard output and error are collected as they come.
public final class SigilProcess: Sendable {
    public let process: Process
    private let out = Mutex("")
    private let err = Mutex("")

    public init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = SigilExecutable.url
        process.arguments = arguments
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        self.process = process
        try process.run()
        for (handle, isError) in [(outPipe.fileHandleForReading, false), (errPipe.fileHandleForReading, true)] {
            Thread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    let text = String(decoding: data, as: UTF8.self)
                    if isError { err.withLock { $0 += text } } else { out.withLock { $0 += text } }
                }
            }.start()
        }
    }

    /// What the process wrote to standard output so far.
    public var text: String { out.withLock { $0 } }
    /// What the process wrote to standard error (its logs) so far.
    public var errorText: String { err.withLock { $0 } }

    /// Waits until standard output has a line starting with `prefix` and returns the rest of that line; throws,
    /// showing both outputs, when the process ends or `timeout` passes first.
    public func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError(
            "expected a line starting with \(prefix), found none\(process.isRunning ? "" : " before sigil exited"); "
                + "stdout:\n\(text)\nstderr:\n\(errorText)")
    }

    /// SIGKILL if still running (for clean-up after a failure).
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status; SIGKILL (status 9) if it has not exited after 30 s.
    public func terminate() async throws -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        kill()
        return process.terminationStatus
    }
}
