// Helpers of the log server tests: a live server on 127.0.0.1 (port 0) over in-memory storage, an HTTP client,
// pre-signed hashedrekord requests, and a Merkle node reader over tiles fetched over HTTP.

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SigilBundle
import SigilLog
import SigilMerkle
import SigilRekor
import SigilServer
import SigilTlog
import Testing

/// A log served on 127.0.0.1 with a fresh key and in-memory storage.
struct LiveLog {
    let server: LogServer
    let running: RunningLogServer
    let key: Curve25519.Signing.PrivateKey
    let storage: any LogStorage

    var baseURL: String { "http://127.0.0.1:\(running.port)" }
    var origin: String { server.identity.origin }
    var noteKey: NoteVerifierKey { server.identity.noteKey }

    static func start(
        origin: String = "log.sigil.test", storage: any LogStorage = InMemoryLogStorage(),
        configure: (inout LogServerConfiguration) -> Void = { _ in }
    ) async throws -> LiveLog {
        let key = Curve25519.Signing.PrivateKey()
        var configuration = LogServerConfiguration(origin: origin)
        configure(&configuration)
        let server = try await LogServer.open(storage: storage, signingKey: key, configuration: configuration)
        let running = try await server.start(host: "127.0.0.1", port: 0)
        return LiveLog(server: server, running: running, key: key, storage: storage)
    }

    func stop() async throws { try await running.shutdown() }
}

/// An AsyncHTTPClient with enough HTTP/1.1 connections for the load test's clients.
func makeHTTPClient(connections: Int = 32) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(
        idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
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

    func get(_ url: String) async throws -> HTTPAnswer {
        try await answer(HTTPClientRequest(url: url))
    }

    private func answer(_ request: HTTPClientRequest) async throws -> HTTPAnswer {
        let response = try await execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return HTTPAnswer(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }
}

/// A signer of hashedrekord requests with a P-256 key, as sigstore-python signs a file (`publicKey` verifier).
struct RequestSigner: Sendable {
    let key: P256.Signing.PrivateKey

    init(key: P256.Signing.PrivateKey = .init()) { self.key = key }

    /// A request for `artifact`: digest SHA-256(artifact), ECDSA signature over the artifact.
    func request(for artifact: [UInt8]) throws -> CreateEntryRequest {
        let digest = Array(SHA256.hash(data: artifact))
        let signature = Array(try key.signature(for: artifact).derRepresentation)
        return CreateEntryRequest(
            hashedRekordRequestV002: .init(
                digest: digest,
                signature: RekorSignature(
                    content: signature,
                    verifier: RekorVerifier(
                        key: .publicKey(RekorPublicKey(rawBytes: Array(key.publicKey.derRepresentation))),
                        keyDetails: .pkixECDSAP256SHA256))))
    }

    func body(for artifact: [UInt8]) throws -> [UInt8] { try request(for: artifact).jsonBytes() }
}

/// Merkle nodes from the tiles of one tree, fetched over HTTP: `node(level, index)` hashes up from the tile
/// level below (`level` rounded down to a multiple of 8), memoized.
final class TileNodes: @unchecked Sendable {
    private var tiles: [TileID: [MerkleHash]] = [:]
    private var byPosition: [Int: [UInt64: [MerkleHash]]] = [:]
    private var memo: [Int: [UInt64: MerkleHash]] = [:]
    let treeSize: UInt64

    /// Fetches every tile of the tree of `treeSize` leaves from `baseURL` (full tiles, and the partial ones
    /// at exactly this size).
    init(client: HTTPClient, baseURL: String, treeSize: UInt64) async throws {
        self.treeSize = treeSize
        var level = 0
        while true {
            let width = UInt64(TileID.fullWidth)
            var nodesAtLevel = treeSize
            for _ in 0..<level { nodesAtLevel /= width }
            if nodesAtLevel == 0 { break }
            let count = (nodesAtLevel + width - 1) / width
            for index in 0..<count {
                let tileWidth = TileID.width(level: level, index: index, treeSize: treeSize)
                let id = try TileID(level: level, index: index, width: tileWidth)
                let answer = try await client.get("\(baseURL)/\(id.path)")
                try #require(answer.status == 200, "GET \(id.path): \(answer.status)")
                let hashes = try HashTile(bytes: answer.body, width: tileWidth).hashes
                tiles[id] = hashes
                byPosition[level, default: [:]][index] = hashes
            }
            if nodesAtLevel <= width { break }
            level += 1
        }
    }

    /// The hashes of the tiles at `level` (tile level, not node level), in index order.
    func tileHashes(level: Int) -> [(TileID, [MerkleHash])] {
        tiles.filter { $0.key.level == level }.sorted { $0.key.index < $1.key.index }.map { ($0.key, $0.value) }
    }

    func node(level: Int, index: UInt64) throws -> MerkleHash {
        if let hit = memo[level]?[index] { return hit }
        let tileLevel = level / TileID.height
        let below = level % TileID.height
        let hash: MerkleHash
        if below == 0 {
            let tileIndex = index / UInt64(TileID.fullWidth)
            let offset = Int(index % UInt64(TileID.fullWidth))
            guard let tile = byPosition[tileLevel]?[tileIndex], offset < tile.count
            else { throw MerkleError(.nodeUnavailable, "no tile holds node \(level)/\(index)") }
            hash = tile[offset]
        } else {
            hash = Merkle.nodeHash(
                try node(level: level - 1, index: index * 2), try node(level: level - 1, index: index * 2 + 1))
        }
        memo[level, default: [:]][index] = hash
        return hash
    }

    var reader: MerkleNodeReader { { try self.node(level: $0, index: $1) } }
}
