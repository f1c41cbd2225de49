// HTTP and process helpers of the front-end tests: an HTTP client, pre-signed hashedrekord requests, a running
// `sigil` process with its output, and a Merkle node reader over tiles fetched over HTTP. The same shapes as the
// helpers in Tests/SigilServerTests (test targets cannot share files without SigilTesting).

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SigilBundle
import SigilMerkle
import SigilTlog
import Synchronization
import Testing

struct HTTPAnswer: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

func makeHTTPClient(connections: Int = 32) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}

extension HTTPClient {
    func post(_ url: String, body: [UInt8]) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        return try await answer(request)
    }

    func get(_ url: String) async throws -> HTTPAnswer { try await answer(HTTPClientRequest(url: url)) }

    private func answer(_ request: HTTPClientRequest) async throws -> HTTPAnswer {
        let response = try await execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return HTTPAnswer(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }
}

/// Signs hashedrekord requests with a P-256 key (`publicKey` verifier), as sigstore-python signs a file.
struct RequestSigner: Sendable {
    let key = P256.Signing.PrivateKey()

    func body(for artifact: [UInt8]) throws -> [UInt8] {
        let signature = Array(try key.signature(for: artifact).derRepresentation)
        return CreateEntryRequest(
            hashedRekordRequestV002: .init(
                digest: Array(SHA256.hash(data: artifact)),
                signature: RekorSignature(
                    content: signature,
                    verifier: RekorVerifier(
                        key: .publicKey(RekorPublicKey(rawBytes: Array(key.publicKey.derRepresentation))),
                        keyDetails: .pkixECDSAP256SHA256)))
        ).jsonBytes()
    }
}

/// The `sigil` executable built beside this test bundle.
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

/// A running `sigil` process whose stdout and stderr are collected as they come.
final class SigilProcess: Sendable {
    let process: Process
    private let out = Mutex("")
    private let err = Mutex("")

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = sigilExecutable
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

    var text: String { out.withLock { $0 } }
    var errorText: String { err.withLock { $0 } }

    /// Waits until stdout has a line starting with `prefix` and returns the rest of it.
    func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in text.split(separator: "\n") where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no line starting with \(prefix); stdout:\n\(text)\nstderr:\n\(errorText)")
        throw CancellationError()
    }

    /// SIGKILL if still running (for cleanup after a failure).
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status (SIGKILL after 30 s).
    func terminate() async throws -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        kill()
        return process.terminationStatus
    }
}

/// Merkle nodes of one tree from its tiles fetched over HTTP (full tiles and the partial ones at this size).
final class TileNodes: @unchecked Sendable {
    private var byPosition: [Int: [UInt64: [MerkleHash]]] = [:]
    private var memo: [Int: [UInt64: MerkleHash]] = [:]

    init(client: HTTPClient, baseURL: String, treeSize: UInt64) async throws {
        var level = 0
        let width = UInt64(TileID.fullWidth)
        while true {
            var nodesAtLevel = treeSize
            for _ in 0..<level { nodesAtLevel /= width }
            if nodesAtLevel == 0 { break }
            for index in 0..<((nodesAtLevel + width - 1) / width) {
                let tileWidth = TileID.width(level: level, index: index, treeSize: treeSize)
                let id = try TileID(level: level, index: index, width: tileWidth)
                let answer = try await client.get("\(baseURL)/\(id.path)")
                try #require(answer.status == 200, "GET \(id.path): \(answer.status)")
                byPosition[level, default: [:]][index] = try HashTile(bytes: answer.body, width: tileWidth).hashes
            }
            if nodesAtLevel <= width { break }
            level += 1
        }
    }

    func node(level: Int, index: UInt64) throws -> MerkleHash {
        if let hit = memo[level]?[index] { return hit }
        let hash: MerkleHash
        if level % TileID.height == 0 {
            let tileIndex = index / UInt64(TileID.fullWidth)
            let offset = Int(index % UInt64(TileID.fullWidth))
            guard let tile = byPosition[level / TileID.height]?[tileIndex], offset < tile.count else {
                throw MerkleError(.nodeUnavailable, "no tile holds node \(level)/\(index)")
            }
            hash = tile[offset]
        } else {
            hash = Merkle.nodeHash(try node(level: level - 1, index: index * 2), try node(level: level - 1, index: index * 2 + 1))
        }
        memo[level, default: [:]][index] = hash
        return hash
    }

    var reader: MerkleNodeReader { { try self.node(level: $0, index: $1) } }
}
