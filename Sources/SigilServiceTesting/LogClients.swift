// Test support for tests that append to and read from a Rekor v2 log over HTTP: hashedrekord requests signed
// as sigstore-python signs a file, and the Merkle nodes of a tree read from its tiles. Never linked into a
// product.

import AsyncHTTPClient
import Crypto
import SigilBundle
import SigilMerkle
import SigilTlog

/// A signer of hashedrekord requests with a P-256 key, as sigstore-python signs a file (`publicKey` verifier).
public struct RequestSigner: Sendable {
    public let key: P256.Signing.PrivateKey

    public init(key: P256.Signing.PrivateKey = .init()) { self.key = key }

    /// A request for `artifact`: digest SHA-256(artifact), ECDSA signature over the artifact.
    public func request(for artifact: [UInt8]) throws -> CreateEntryRequest {
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

    /// The JSON body of `request(for:)`.
    public func body(for artifact: [UInt8]) throws -> [UInt8] { try request(for: artifact).jsonBytes() }
}

/// Merkle nodes from the tiles of one tree, fetched over HTTP: `node(level, index)` hashes up from the tile
/// level below (`level` rounded down to a multiple of 8), memoized.
public final class TileNodes: @unchecked Sendable {
    private var tiles: [TileID: [MerkleHash]] = [:]
    private var byPosition: [Int: [UInt64: [MerkleHash]]] = [:]
    private var memo: [Int: [UInt64: MerkleHash]] = [:]
    public let treeSize: UInt64

    /// Fetches every tile of the tree of `treeSize` leaves from `baseURL` (full tiles, and the partial ones
    /// at exactly this size).
    public init(client: HTTPClient, baseURL: String, treeSize: UInt64) async throws {
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
                guard answer.status == 200 else {
                    throw TestSupportError("expected 200 for GET \(id.path), got \(answer.status): \(answer.text)")
                }
                let hashes = try HashTile(bytes: answer.body, width: tileWidth).hashes
                tiles[id] = hashes
                byPosition[level, default: [:]][index] = hashes
            }
            if nodesAtLevel <= width { break }
            level += 1
        }
    }

    /// The hashes of the tiles at `level` (tile level, not node level), in index order.
    public func tileHashes(level: Int) -> [(TileID, [MerkleHash])] {
        tiles.filter { $0.key.level == level }.sorted { $0.key.index < $1.key.index }.map { ($0.key, $0.value) }
    }

    /// The node at `level`, `index` of the tree.
    public func node(level: Int, index: UInt64) throws -> MerkleHash {
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

    /// `node(level:index:)` as a reader for SigilMerkle's proof builders.
    public var reader: MerkleNodeReader { { try self.node(level: $0, index: $1) } }
}
