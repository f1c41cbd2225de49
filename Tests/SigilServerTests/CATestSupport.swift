// Test helpers for the CA, TSA and dev-issuer server tests: run an application on 127.0.0.1 with an ephemeral
// port, talk to it with AsyncHTTPClient, run tools and the built `sigil` binary.

import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

/// Runs the application `make` builds (given the port callback) on 127.0.0.1:0 while `body` runs with its port.
func withRunningServer<App: ApplicationProtocol, Result: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) throws -> App,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = try make { port in
        continuation.yield(port)
        continuation.finish()
    }
    let services = ServiceGroup(
        configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: Logger(label: "test")))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            let result = try await body(port)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// One HTTP answer; header names are lower-cased.
struct HTTPAnswer: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One HTTP request with AsyncHTTPClient (10 s timeout).
func http(
    _ url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let collected = try await response.body.collect(upTo: 4 << 20)
    var headerMap: [String: String] = [:]
    for header in response.headers { headerMap[header.name.lowercased()] = header.value }
    return HTTPAnswer(status: Int(response.status.code), headers: headerMap, body: Array(collected.readableBytesView))
}

/// Runs a tool, returning its exit status and output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The `sigil` executable built beside this test bundle (found as Tests/SigilCLITests/TranscriptTests.swift does).
var sigilExecutable: URL {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [here, here.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("sigil")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/sigil")
}

/// A running `sigil` process whose stdout is collected as it comes.
final class SigilProcess {
    let process: Process
    private let sink: OutputSink

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = sigilExecutable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        self.process = process
        sink = OutputSink()
        errorSink = OutputSink()
        let readers = [(out.fileHandleForReading, sink), (err.fileHandleForReading, errorSink)].map { handle, sink in
            Thread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    sink.append(String(decoding: data, as: UTF8.self))
                }
            }
        }
        try process.run()
        for reader in readers { reader.start() }
    }

    private let errorSink: OutputSink
    /// What the process wrote to stderr (its logs) so far.
    var errorText: String { errorSink.text }

    var text: String { sink.text }

    /// Waits until stdout contains a line starting with `prefix` and returns the rest of that line.
    func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no line starting with \(prefix) in output:\n\(text)")
        throw CancellationError()
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "sigil did not exit after SIGTERM")
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }
}

final class OutputSink: Sendable {
    private let storage = Mutex<String>("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}

/// The POSIX permission bits of a file.
func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
