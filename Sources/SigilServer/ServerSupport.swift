// Small helpers every Sigil HTTP service shares (CA, TSA, dev issuer, transparency log): a request context that
// knows the peer address, bounded body reading (413 past the limit), byte responses, `/healthz`, and Prometheus
// `/metrics` with a request counter and a latency histogram per route. Hummingbird does the HTTP; swift-prometheus
// does the exposition format. Nothing here logs request bodies or headers (tokens and keys never reach a log).

import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import SigilBundle

/// The request context of Sigil services: Hummingbird's basic context plus the peer's socket address (used by
/// loopback-only endpoints such as the dev issuer's `/token`).
public struct SigilRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer, as the accepted socket reports it.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Shared HTTP glue for Sigil services.
public enum ServerSupport {
    /// Reads the whole request body, refusing more than `limit` bytes with 413 Content Too Large: first by the
    /// declared `Content-Length` (before reading anything), then while collecting (chunked bodies).
    public static func body(of request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw HTTPError(.contentTooLarge, message: "request body is \(declared) bytes, limit \(limit)")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "request body exceeds the limit of \(limit) bytes")
        }
    }

    /// A response with `bytes` as body and the given content type (and extra headers).
    public static func response(
        status: HTTPResponse.Status, contentType: String, bytes: [UInt8], headers extra: HTTPFields = [:]
    ) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON response.
    public static func json(status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        response(status: status, contentType: "application/json", bytes: bytes, headers: headers)
    }

    /// The `{"code": N, "message": "..."}` error body sigstore services answer with (go-openapi / grpc-gateway).
    public static func errorJSON(status: HTTPResponse.Status, code: Int? = nil, message: String) -> Response {
        let body = JSONValue.makeObject(["code": .integer(Int64(code ?? status.code)), "message": .string(message)])
        return json(status: status, body.serialized())
    }

    /// Whether a peer address is a loopback address (127.0.0.0/8 or ::1).
    public static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        switch address {
        case .v4:
            return address.ipAddress?.hasPrefix("127.") == true
        case .v6:
            let ip = address.ipAddress ?? ""
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        default:
            return false
        }
    }

    /// Adds `GET /healthz` (200 `ok`) and `GET /metrics` (Prometheus text format) to a router.
    public static func addHealthAndMetrics<Context: RequestContext>(to router: Router<Context>, metrics: ServiceMetrics) {
        router.get("/healthz") { _, _ in
            response(status: .ok, contentType: "text/plain; charset=utf-8", bytes: Array("ok\n".utf8))
        }
        router.get("/metrics") { _, _ in
            response(
                status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", bytes: metrics.registry.emitToBuffer())
        }
    }

    /// The base URL of a service bound to `host:port` (IPv6 literals in brackets).
    public static func baseURL(host: String, port: Int) -> String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}

/// Per-service Prometheus metrics: `<service>_http_requests_total{route,method,status}` and
/// `<service>_http_request_duration_seconds{route,method}` (a histogram). One registry per service, so two
/// services in one process do not mix their numbers.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let service: String
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Metrics named `<service>_...` (`service` is a Prometheus name: letters, digits, underscores).
    public init(service: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.service = service
        self.registry = registry
    }

    /// Records one answered request.
    public func record(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: service, metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: service, metricName: "http_request_duration", unitName: "seconds",
                helpText: "HTTP request latency"),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(duration)
    }
}

/// Middleware recording every request in a `ServiceMetrics` (route = the matched route pattern, or
/// `unmatched`), errors included with their HTTP status.
public struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    public let metrics: ServiceMetrics

    public init(metrics: ServiceMetrics) { self.metrics = metrics }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: method, status: response.status.code,
                duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: method, status: status,
                duration: ContinuousClock.now - start)
            throw error
        }
    }
}
