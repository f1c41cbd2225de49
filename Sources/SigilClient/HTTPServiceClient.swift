// One POST to a Sigstore service over AsyncHTTPClient, with a timeout, bounded retries on 503 (honouring
// Retry-After), a response size cap, and errors that name the service and the status. The protocol logic lives
// in the Fulcio/Rekor/TSA clients; this file only moves bytes.

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SigilBundle
import SigilSign

/// How the HTTP clients talk to services.
public struct HTTPServiceClient: Sendable {
    public let client: HTTPClient
    /// Per-request timeout (connect, send and receive).
    public let timeout: Duration
    /// Attempts in all for a request answered 503 (or failing to connect); at least 1.
    public let maxAttempts: Int
    /// The longest Retry-After honoured; longer values are cut to this.
    public let maxRetryDelay: Duration
    /// Largest answer read, in bytes.
    public let maxResponseBytes: Int
    let userAgent: String
    let logger: Logger

    public init(
        client: HTTPClient = HTTPServiceClient.sharedClient, timeout: Duration = .seconds(30), maxAttempts: Int = 3,
        maxRetryDelay: Duration = .seconds(10), maxResponseBytes: Int = 8 << 20,
        userAgent: String = "sigil", logger: Logger = Logger(label: "sigil.client")
    ) {
        self.client = client
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryDelay = maxRetryDelay
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
        self.logger = logger
    }

    /// The process-wide client: like `HTTPClient.shared`, but a refused connection fails the attempt at once
    /// (AsyncHTTPClient's default retries connection establishment until the whole request deadline, so a service
    /// that is down cost the full timeout); `post` retries it a bounded number of times instead.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A client with another timeout (the TSA's is 5 s in sigstore-python).
    public func with(timeout: Duration) -> HTTPServiceClient {
        HTTPServiceClient(
            client: client, timeout: timeout, maxAttempts: maxAttempts, maxRetryDelay: maxRetryDelay,
            maxResponseBytes: maxResponseBytes, userAgent: userAgent, logger: logger)
    }

    /// POSTs `body` to `url` and returns the 2xx answer's body. `service` names the service in errors.
    public func post(
        service: String, url: String, headers: [(String, String)], body: [UInt8]
    ) async throws(SignError) -> [UInt8] {
        try await send(.POST, service: service, url: url, headers: headers, body: body)
    }

    /// GETs `url` and returns the 2xx answer's body. `service` names the service in errors.
    public func get(service: String, url: String, headers: [(String, String)] = []) async throws(SignError) -> [UInt8] {
        try await send(.GET, service: service, url: url, headers: headers, body: nil)
    }

    func send(
        _ method: HTTPMethod, service: String, url: String, headers: [(String, String)], body: [UInt8]?
    ) async throws(SignError) -> [UInt8] {
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "User-Agent", value: userAgent)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let status: Int
            let answer: [UInt8]
            let retryAfter: String?
            do {
                let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
                status = Int(response.status.code)
                retryAfter = response.headers.first(name: "Retry-After")
                var buffer = try await response.body.collect(upTo: maxResponseBytes)
                answer = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                if attempt < maxAttempts, Self.isConnectionFailure(error) {
                    logger.warning("retrying \(service)", metadata: ["url": "\(url)", "error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                throw SignError(.serviceUnavailable, "\(service) at \(url) could not be reached: \(Self.describe(error))")
            }
            if (200..<300).contains(status) { return answer }
            if status == 503, attempt < maxAttempts {
                let delay = Self.retryDelay(retryAfter, attempt: attempt, cap: maxRetryDelay)
                logger.warning("\(service) is unavailable, retrying", metadata: ["url": "\(url)", "delay": "\(delay)"])
                try? await Task.sleep(for: delay)
                continue
            }
            let message = Self.errorMessage(answer)
            if status == 503 || status == 502 || status == 504 {
                throw SignError(.serviceUnavailable, "\(service) at \(url) is unavailable (HTTP \(status))\(message)")
            }
            throw SignError(.serviceRefused, "\(service) at \(url) refused the request (HTTP \(status))\(message)")
        }
    }

    /// Retry-After in whole seconds (HTTP dates are not honoured), else a growing default; never above `cap`.
    static func retryDelay(_ header: String?, attempt: Int, cap: Duration) -> Duration {
        let requested: Duration =
            if let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                .seconds(seconds)
            } else {
                .milliseconds(500 * attempt)
            }
        return min(requested, cap)
    }

    /// `: code: message` from a `{"code":…, "message":…}` body, or the first line of a short text body.
    static func errorMessage(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        if let json = try? JSONValueReader.object(body), let message = json["message"]?.stringValue {
            return ": " + String(message.prefix(300))
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.allSatisfy({ $0.isASCII && !$0.isNewline }) ? ": \(line)" : ""
    }

    static func isConnectionFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .remoteConnectionClosed
        }
        // Connection establishment failed (e.g. ECONNREFUSED): the request was never sent.
        return error is IOError || error is ChannelError
    }

    /// A short reason for a transport failure ("connection refused (is the service running?)" for ECONNREFUSED).
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return "connection refused (is the service running?)"
        }
        if let error = error as? HTTPClientError, error == .deadlineExceeded {
            return "no answer within the timeout"
        }
        return "\(error)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
