// Test support for tests that talk to Sigil's services over HTTP on 127.0.0.1: one answer type, a single
// request on the shared client, and a client sized for load tests. Never linked into a product.

import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP answer; header names are lower-cased.
public struct HTTPAnswer: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One request on AsyncHTTPClient's shared client (10 s timeout, bodies up to 4 MiB).
public func http(
    _ url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    return try await HTTPClient.shared.answer(request, timeout: .seconds(10), limit: 4 << 20)
}

/// An AsyncHTTPClient with enough HTTP/1.1 connections for a load test's clients (60 s read timeout).
public func makeHTTPClient(connections: Int = 32) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(
        idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}

extension HTTPClient {
    /// POSTs a JSON body (60 s timeout, answers up to 64 MiB).
    public func post(_ url: String, body: [UInt8]) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        return try await answer(request, timeout: .seconds(60), limit: 64 << 20)
    }

    /// GETs `url` (60 s timeout, answers up to 64 MiB).
    public func get(_ url: String) async throws -> HTTPAnswer {
        try await answer(HTTPClientRequest(url: url), timeout: .seconds(60), limit: 64 << 20)
    }

    func answer(_ request: HTTPClientRequest, timeout: TimeAmount, limit: Int) async throws -> HTTPAnswer {
        let response = try await execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: limit)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return HTTPAnswer(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }
}
