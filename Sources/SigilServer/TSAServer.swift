// The RFC 3161 timestamp authority over HTTP (RFC 3161 §3.4), shaped like sigstore/timestamp-authority
// (services.md §5.1): `POST /api/v1/timestamp` and `GET /api/v1/timestamp/certchain`, plus `/healthz` and
// `/metrics`. The signing is SigilTSA's `TimeStampSigner`; this file only maps HTTP to it.

import Foundation  // trimming header values
import HTTPTypes
import Hummingbird
import Logging
import SigilTSA
import SigilTimestamp
import X509

/// HTTP routes of the timestamp authority.
public struct TSAServer: Sendable {
    public let signer: TimeStampSigner
    public let metrics: ServiceMetrics
    let chainPEM: String

    /// A server answering with `signer`; `metrics` collects `/metrics` numbers (`sigil_tsa_*` by default).
    public init(signer: TimeStampSigner, metrics: ServiceMetrics = ServiceMetrics(service: "sigil_tsa")) throws(TSAError) {
        self.signer = signer
        self.metrics = metrics
        self.chainPEM = try TimestampService.certificateChainPEM(signer.certificateChain)
    }

    /// The certificate chain as served at `/api/v1/timestamp/certchain` (leaf first).
    public var certificateChainPEM: String { chainPEM }

    /// Adds the TSA routes, `/healthz` and `/metrics` to `router`.
    ///
    /// `POST /api/v1/timestamp` with `Content-Type: application/timestamp-query` and a DER TimeStampReq body:
    /// - granted → 200 (timestamp-authority ≥ 2.0 answers 200; clients accept 200 and 201), `application/timestamp-reply`,
    ///   the DER TimeStampResp;
    /// - a request the TSA refuses (not DER, trailing bytes, weak or unknown hash, wrong digest length, unaccepted
    ///   policy, extensions) → 400 with `{"code":400,"message":"..."}`, as sigstore/timestamp-authority answers
    ///   (pkg/api/error.go: its 400 bodies are JSON errors, not DER rejection responses);
    /// - a body over 1 MiB → 413; a content type other than `application/timestamp-query` → 415
    ///   (JSON requests are not supported yet);
    /// - a signing failure (`systemFailure`) → 500.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post(RouterPath(TimestampService.timestampPath)) { request, _ in
            try await timestamp(request)
        }
        router.get(RouterPath(TimestampService.certificateChainPath)) { _, _ in
            ServerSupport.response(
                status: .ok, contentType: TimestampService.certificateChainMediaType, bytes: Array(chainPEM.utf8))
        }
        ServerSupport.addHealthAndMetrics(to: router, metrics: metrics)
    }

    func timestamp(_ request: Request) async throws -> Response {
        let contentType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == TimestampService.queryMediaType else {
            return ServerSupport.errorJSON(
                status: .unsupportedMediaType,
                message: "expected Content-Type \(TimestampService.queryMediaType), got \(contentType ?? "none")")
        }
        let body = try await ServerSupport.body(of: request, limit: TimestampService.maxRequestBodySize)
        let reply = signer.respond(to: body)
        if reply.isGranted {
            return ServerSupport.response(status: .ok, contentType: TimestampService.replyMediaType, bytes: reply.derEncoded)
        }
        let reason = reply.statusString ?? "request rejected"
        if reply.failureInfo == .systemFailure {
            return ServerSupport.errorJSON(status: .internalServerError, message: "Error generating timestamp response")
        }
        return ServerSupport.errorJSON(status: .badRequest, message: "Error generating timestamp response: \(reason)")
    }

    /// A Hummingbird application serving the TSA on `host:port` (port 0: any free port). `onServerRunning`
    /// receives the bound port once the socket listens.
    public func makeApplication(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: SigilRequestContext.self)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        addRoutes(to: router)
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
