// The log's HTTP surface over loopback: refusals with the right status and a message naming the problem,
// duplicates with x-log-index, the tlog-tiles read API at both prefixes with cache headers, 404 for tiles that
// do not exist, health, metrics, storage failure as 503 + Retry-After, graceful drain, the signing key file.

import AsyncHTTPClient
import Crypto
import Foundation
import SigilBundle
import SigilLog
import SigilMerkle
import SigilRekor
import SigilServer
import SigilServiceTesting
import SigilTlog
import Testing

/// A refused write: what is sent, the status, and a word the message must contain.
struct BadWrite: Sendable, CustomStringConvertible {
    let name: String
    let body: @Sendable (RequestSigner) throws -> [UInt8]
    let status: Int
    let messageMentions: String

    var description: String { name }

    /// The request limit of the server the table runs against (small, so the oversize body fits a socket buffer).
    static let maxRequestBytes = 16 << 10

    static let all: [BadWrite] = [
        BadWrite(
            name: "oversize body", body: { _ in Array(repeating: 0x20, count: maxRequestBytes + 1) },
            status: 413, messageMentions: "limit"),
        BadWrite(
            name: "malformed JSON", body: { _ in Array(#"{"hashedRekordRequestV002": {"digest": "#.utf8) },
            status: 400, messageMentions: "JSON"),
        BadWrite(
            name: "trailing garbage", body: { try $0.body(for: [1]) + Array("x".utf8) }, status: 400,
            messageMentions: "JSON"),
        BadWrite(
            name: "unknown kind", body: { _ in Array(#"{"intotoRequestV002": {}}"#.utf8) }, status: 400,
            messageMentions: "intotoRequestV002"),
        BadWrite(
            name: "deprecated DSSE kind", body: { _ in Array(#"{"dsseRequestV002": {}}"#.utf8) }, status: 400,
            messageMentions: "hashedrekord"),
        BadWrite(
            name: "unknown field", body: { signer in
                var json = String(decoding: try signer.body(for: [2]), as: UTF8.self)
                json.removeLast()
                return Array((json + #","extra":1}"#).utf8)
            }, status: 400, messageMentions: "extra"),
        BadWrite(
            name: "bad signature", body: { signer in
                var request = try signer.request(for: [3])
                request.hashedRekordRequestV002.signature.content = Array(
                    try P256.Signing.PrivateKey().signature(for: [3]).derRepresentation)
                return request.jsonBytes()
            }, status: 400, messageMentions: "signature"),
        BadWrite(
            name: "digest of the wrong length", body: { signer in
                var request = try signer.request(for: [4])
                request.hashedRekordRequestV002.digest.removeLast()
                return request.jsonBytes()
            }, status: 400, messageMentions: "digest"),
        BadWrite(
            name: "key mismatch", body: { signer in
                var request = try signer.request(for: [5])
                request.hashedRekordRequestV002.signature.verifier.keyDetails = .pkixECDSAP384SHA384
                return request.jsonBytes()
            }, status: 400, messageMentions: "keyDetails"),
        BadWrite(
            name: "verifier that is not a key", body: { signer in
                var request = try signer.request(for: [6])
                request.hashedRekordRequestV002.signature.verifier.key = .publicKey(RekorPublicKey(rawBytes: [0x30, 0x00]))
                return request.jsonBytes()
            }, status: 400, messageMentions: "publicKey"),
    ]
}

@Suite("Log server routes")
struct LogRoutesTests {
    @Test("Refused writes answer the right status with a gRPC-style body naming the problem", arguments: BadWrite.all)
    func refusedWrites(_ row: BadWrite) async throws {
        let log = try await LiveLog.start { $0.maxRequestBytes = BadWrite.maxRequestBytes }
        let client = makeHTTPClient()
        let answer = try await client.post("\(log.baseURL)/api/v2/log/entries", body: try row.body(RequestSigner()))
        #expect(answer.status == row.status, "\(answer.text)")
        let json = try JSONValue.parse(answer.body)
        guard case .object(let object) = json else { throw RekorError(.wrongType, "not an object") }
        let message = object.first { $0.name == "message" }?.value
        guard case .string(let text) = message else { throw RekorError(.missingField, "no message in \(answer.text)") }
        #expect(text.contains(row.messageMentions), "\(text)")
        #expect(answer.text.hasPrefix(#"{"code":3,"#), "gRPC InvalidArgument: \(answer.text)")
        #expect(answer.header("content-type") == "application/json")
        // Nothing was logged.
        #expect(try await log.storage.sequencedSize() == 0)
        try await client.shutdown()
        try await log.stop()
    }

    @Test("The refusal table is not empty")
    func tableLoaded() { #expect(BadWrite.all.count >= 8) }

    @Test("A resubmitted entry answers 409 with x-log-index; the first answer parses and its checkpoint verifies")
    func duplicateAnswers409() async throws {
        let log = try await LiveLog.start()
        let client = makeHTTPClient()
        let signer = RequestSigner()
        for i in 0..<3 {
            _ = try await client.post("\(log.baseURL)/api/v2/log/entries", body: try signer.body(for: [UInt8(i)]))
        }
        let body = try signer.body(for: Array("the one".utf8))
        let first = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        #expect(first.status == 201)
        let entry = try TransparencyLogEntry.parse(first.body)
        #expect(entry.logIndex == 3)
        let envelope = try #require(entry.inclusionProof?.checkpoint?.envelope)
        let checkpoint = try SigilTlog.Checkpoint.verify(envelope, origin: log.origin, keys: [log.noteKey])
        #expect(checkpoint.checkpoint.size == 4)
        #expect(entry.logId.keyId == log.server.identity.logID)

        let again = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        #expect(again.status == 409)
        #expect(again.header("x-log-index") == "3")
        #expect(again.text.contains("index 3"))
        #expect(try await log.storage.sequencedSize() == 4)
        try await client.shutdown()
        try await log.stop()
    }

    @Test(
        "Tiles that do not exist answer 404",
        arguments: [
            "tile/0/000", "tile/0/000.p/2", "tile/entries/000", "tile/entries/000.p/2", "tile/1/000.p/1",
            "tile/0/x001/000", "tile/64/000", "tile/0/0", "tile/0/000.p/0", "tile/0/000.p/256", "tile/entries/abc",
            "tile/0/-1", "tile", "api/v2/tile/0/000", "api/v2/tile/entries/000.p/2",
        ])
    func absentTiles(_ path: String) async throws {
        let log = try await LiveLog.start()
        let client = makeHTTPClient()
        _ = try await client.post("\(log.baseURL)/api/v2/log/entries", body: try RequestSigner().body(for: [1]))
        let answer = try await client.get("\(log.baseURL)/\(path)")
        #expect(answer.status == 404, "\(path): \(answer.text)")
        try await client.shutdown()
        try await log.stop()
    }

    @Test("The read API serves checkpoint, tiles and bundles at both prefixes with cache headers")
    func readAPI() async throws {
        let log = try await LiveLog.start()
        let client = makeHTTPClient()
        let signer = RequestSigner()
        var bodies: [[UInt8]] = []
        for i in 0..<257 {
            let answer = try await client.post(
                "\(log.baseURL)/api/v2/log/entries", body: try signer.body(for: Array("r\(i)".utf8)))
            #expect(answer.status == 201)
            bodies.append(try TransparencyLogEntry.parse(answer.body).canonicalizedBody)
        }
        for prefix in ["", "/api/v2"] {
            let checkpoint = try await client.get("\(log.baseURL)\(prefix)/checkpoint")
            #expect(checkpoint.status == 200)
            #expect(checkpoint.header("cache-control") == "public, max-age=1")
            let verified = try SigilTlog.Checkpoint.verify(checkpoint.body, origin: log.origin, keys: [log.noteKey])
            #expect(verified.checkpoint.size == 257)

            let full = try await client.get("\(log.baseURL)\(prefix)/tile/0/000")
            #expect(full.status == 200)
            #expect(full.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(try HashTile(bytes: full.body, width: 256).hashes == bodies.prefix(256).map { Merkle.leafHash($0) })

            let partial = try await client.get("\(log.baseURL)\(prefix)/tile/0/001.p/1")
            #expect(partial.status == 200)
            #expect(partial.header("cache-control") == "public, max-age=60")
            #expect(try HashTile(bytes: partial.body, width: 1).hashes == [Merkle.leafHash(bodies[256])])

            let bundle = try await client.get("\(log.baseURL)\(prefix)/tile/entries/000")
            #expect(bundle.status == 200)
            #expect(bundle.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(try EntryBundle(bytes: bundle.body, width: 256).entries == Array(bodies.prefix(256)))

            let level1 = try await client.get("\(log.baseURL)\(prefix)/tile/1/000.p/1")
            #expect(level1.status == 200)
            #expect(
                try HashTile(bytes: level1.body, width: 1).hashes
                    == [Merkle.root(ofLeafHashes: bodies.prefix(256).map { Merkle.leafHash($0) })])
        }
        try await client.shutdown()
        try await log.stop()
    }

    @Test("Health says SERVING and metrics count appends, batches and tree size")
    func healthAndMetrics() async throws {
        let log = try await LiveLog.start()
        let client = makeHTTPClient()
        let health = try await client.get("\(log.baseURL)/healthz")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"SERVING"}"#)
        let signer = RequestSigner()
        let body = try signer.body(for: [9])
        _ = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        _ = try await client.post("\(log.baseURL)/api/v2/log/entries", body: try signer.body(for: [10]))
        _ = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        let metrics = try await client.get("\(log.baseURL)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("sigil_log_appends_total 2"))
        #expect(metrics.text.contains("sigil_log_duplicates_total 1"))
        #expect(metrics.text.contains("sigil_log_tree_size 2"))
        #expect(metrics.text.contains("sigil_log_sequence_batch_size_count"))
        #expect(metrics.text.contains("sigil_log_append_duration_seconds_bucket"))
        try await client.shutdown()
        try await log.stop()
    }

    @Test("A storage failure answers 503 with Retry-After, and the retry is logged")
    func storageFailureIs503() async throws {
        let faulty = FaultInjectingLogStorage(wrapping: InMemoryLogStorage())
        let log = try await LiveLog.start(storage: faulty)
        let client = makeHTTPClient()
        faulty.inject(LogStorageFault(.sequence, .beforePersist))
        let body = try RequestSigner().body(for: [7])
        let failed = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        #expect(failed.status == 503)
        #expect(failed.header("retry-after") == "1")
        #expect(failed.text.contains(#""code":14"#))
        let retried = try await client.post("\(log.baseURL)/api/v2/log/entries", body: body)
        #expect(retried.status == 201)
        #expect(try TransparencyLogEntry.parse(retried.body).logIndex == 0)
        try await client.shutdown()
        try await log.stop()
    }

    @Test("Graceful shutdown answers the appends in flight and keeps every acknowledged entry")
    func gracefulShutdownDrains() async throws {
        let storage = InMemoryLogStorage()
        let log = try await LiveLog.start(storage: storage)
        let client = makeHTTPClient(connections: 64)
        let signer = RequestSigner()
        let bodies = try (0..<64).map { try signer.body(for: Array("drain \($0)".utf8)) }
        let writes = Task {
            try await withThrowingTaskGroup(of: HTTPAnswer?.self) { group in
                for body in bodies {
                    group.addTask { try? await client.post("\(log.baseURL)/api/v2/log/entries", body: body) }
                }
                var answers: [HTTPAnswer] = []
                for try await answer in group { if let answer { answers.append(answer) } }
                return answers
            }
        }
        try await Task.sleep(for: .milliseconds(30))
        try await log.stop()
        let answers = try await writes.value
        var acknowledged: [UInt64] = []
        for answer in answers {
            #expect(answer.status == 201, "\(answer.status) \(answer.text)")
            if answer.status == 201 { acknowledged.append(UInt64(try TransparencyLogEntry.parse(answer.body).logIndex)) }
        }
        let stored = try #require(try await storage.checkpoint())
        let size = try SigilTlog.Checkpoint.verify(stored.note, origin: log.origin, keys: [log.noteKey]).checkpoint.size
        #expect(!acknowledged.isEmpty, "no append was in flight when the shutdown began")
        for index in acknowledged { #expect(index < size) }
        try await client.shutdown()
    }

    @Test("The signing key file is created with mode 0600, reused, and refused when others can read it")
    func signingKeyFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-log-key-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(LogSigningKeyFile.fileName).path
        let first = try LogSigningKeyFile.loadOrCreate(at: path)
        #expect(first.created)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        let second = try LogSigningKeyFile.loadOrCreate(at: path)
        #expect(!second.created)
        #expect(second.key.rawRepresentation == first.key.rawRepresentation)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect { try LogSigningKeyFile.load(path) } throws: { ($0 as? LogKeyFileError)?.code == .insecureMode }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try LogSigningKeyFile.load(path) } throws: { ($0 as? LogKeyFileError)?.code == .malformed }
    }
}
