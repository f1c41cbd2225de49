// The TSA over live HTTP on 127.0.0.1: OpenSSL makes the query and verifies the reply with the served chain,
// SigilTimestamp verifies the same reply, and bad requests get sigstore/timestamp-authority's answers.

import Foundation
import Logging
import SigilServer
import SigilServiceTesting
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

func makeTSAServer() throws -> TSAServer {
    let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 60)
    let certificates = try TSACertificates.create(notValidBefore: now, notValidAfter: now.addingTimeInterval(86400))
    let signer = try TimeStampSigner(
        signingKey: certificates.signingKey, certificateChain: certificates.chain, clock: { Date() })
    return try TSAServer(signer: signer)
}

func withTSA<R: Sendable>(_ body: (String, TSAServer) async throws -> R) async throws -> R {
    let server = try makeTSAServer()
    return try await withRunningServer({ onRunning in
        server.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.tsa"), onServerRunning: onRunning)
    }) { port in try await body("http://127.0.0.1:\(port)", server) }
}

@Suite("TSA server")
struct TSAServerTests {
    @Test("an openssl query posted to the running TSA gets a reply that openssl and SigilTimestamp both verify")
    func opensslRoundTrip() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("artifact.sig")
        let payload = Array("signature bytes to timestamp".utf8)
        try Data(payload).write(to: data)
        let query = directory.appendingPathComponent("q.tsq")
        let made = try runTool(
            "/usr/bin/env", ["openssl", "ts", "-query", "-data", data.path, "-sha256", "-cert", "-out", query.path])
        #expect(made.status == 0, "openssl ts -query: \(made.error)")
        let queryBytes = Array(try Data(contentsOf: query))

        try await withTSA { base, server in
            let reply = try await http(
                base + "/api/v1/timestamp", method: "POST", headers: [("Content-Type", "application/timestamp-query")],
                body: queryBytes)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/timestamp-reply")
            let chain = try await http(base + "/api/v1/timestamp/certchain")
            #expect(chain.status == 200)
            #expect(chain.headers["content-type"] == "application/pem-certificate-chain")
            let certificates = try TimestampService.certificates(pem: chain.text)
            #expect(certificates.count == 2)

            let replyFile = directory.appendingPathComponent("r.tsr")
            try Data(reply.body).write(to: replyFile)
            let leafFile = directory.appendingPathComponent("leaf.pem")
            let rootFile = directory.appendingPathComponent("root.pem")
            try Data(try certificates[0].serializeAsPEM().pemString.utf8).write(to: leafFile)
            try Data(try certificates[1].serializeAsPEM().pemString.utf8).write(to: rootFile)
            let verified = try runTool(
                "/usr/bin/env",
                [
                    "openssl", "ts", "-verify", "-queryfile", query.path, "-in", replyFile.path, "-CAfile", rootFile.path,
                    "-untrusted", leafFile.path,
                ])
            #expect(verified.status == 0, "openssl ts -verify: \(verified.output) \(verified.error)")
            #expect(verified.output.contains("Verification: OK"))

            let verifier = TimestampVerifier(authorities: [
                TimestampAuthority(certificateChain: certificates, validFrom: certificates[0].notValidBefore)
            ])
            let timestamp = try await verifier.verify(responseDER: reply.body, signature: payload)
            #expect(abs(timestamp.genTime.timeIntervalSinceNow) < 120)
            #expect(server.certificateChainPEM == chain.text)
        }
    }

    static let malformedQueries: [(String, [UInt8])] = [
        ("garbage", Array("not a timestamp query".utf8)),
        ("empty", []),
        ("truncated", [0x30, 0x29, 0x02, 0x01, 0x01, 0x30, 0x21]),
        // A valid SHA-256 query followed by one trailing byte.
        ("trailing byte", validQuery() + [0x00]),
        // SHA-1 imprint: a weak hash that the TSA refuses.
        ("sha1 imprint", [0x30, 0x24, 0x02, 0x01, 0x01, 0x30, 0x1F, 0x30, 0x07, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x04, 0x14] + [UInt8](repeating: 0xAB, count: 20)),
    ]

    /// TimeStampReq v1 { messageImprint { sha256, 32 bytes }, certReq TRUE }.
    static func validQuery() -> [UInt8] {
        let sha256: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        let algorithm: [UInt8] = [0x30, UInt8(sha256.count)] + sha256
        let imprint: [UInt8] = [0x30, UInt8(algorithm.count + 34)] + algorithm + [0x04, 0x20] + [UInt8](repeating: 7, count: 32)
        let content: [UInt8] = [0x02, 0x01, 0x01] + imprint + [0x01, 0x01, 0xFF]
        return [0x30, UInt8(content.count)] + content
    }

    @Test("the hand-built valid query is granted, so the malformed variants differ only in their defect")
    func validQueryIsGranted() async throws {
        try await withTSA { base, _ in
            let reply = try await http(
                base + "/api/v1/timestamp", method: "POST", headers: [("Content-Type", "application/timestamp-query")],
                body: Self.validQuery())
            #expect(reply.status == 200)
        }
    }

    @Test("a malformed or refused query gets 400 with a JSON error, like sigstore/timestamp-authority")
    func malformedQueries() async throws {
        #expect(Self.malformedQueries.count == 5)
        try await withTSA { base, _ in
            for (name, body) in Self.malformedQueries {
                let reply = try await http(
                    base + "/api/v1/timestamp", method: "POST",
                    headers: [("Content-Type", "application/timestamp-query")], body: body)
                #expect(reply.status == 400, "\(name)")
                #expect(reply.headers["content-type"] == "application/json", "\(name)")
                #expect(reply.text.hasPrefix(#"{"code":400,"message":"#), "\(name): \(reply.text)")
            }
        }
    }

    @Test("a wrong content type is 415 and a body over 1 MiB is 413")
    func contentTypeAndSize() async throws {
        try await withTSA { base, _ in
            let json = try await http(
                base + "/api/v1/timestamp", method: "POST", headers: [("Content-Type", "text/plain")],
                body: Self.validQuery())
            #expect(json.status == 415)
            let big = try await http(
                base + "/api/v1/timestamp", method: "POST", headers: [("Content-Type", "application/timestamp-query")],
                body: [UInt8](repeating: 0x30, count: TimestampService.maxRequestBodySize + 1))
            #expect(big.status == 413)
        }
    }

    @Test("healthz answers ok and metrics count requests by route and status")
    func healthAndMetrics() async throws {
        try await withTSA { base, _ in
            let health = try await http(base + "/healthz")
            #expect(health.status == 200)
            #expect(health.text == "ok\n")
            _ = try await http(base + "/api/v1/timestamp/certchain")
            let metrics = try await http(base + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"sigil_tsa_http_requests_total{route="/api/v1/timestamp/certchain",method="GET",status="200"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains("sigil_tsa_http_request_duration_seconds_bucket"))
        }
    }
}
