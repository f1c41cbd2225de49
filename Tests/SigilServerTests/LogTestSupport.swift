// Helpers of the log server tests: a live server on 127.0.0.1 (port 0) over in-memory storage. The HTTP client,
// signed hashedrekord requests and the tile reader are SigilServiceTesting's.

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
