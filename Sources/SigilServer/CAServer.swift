// The certificate authority over HTTP: Fulcio's v2 REST API as sigstore-python uses it (services.md §1.3, §4.1):
// `POST /api/v2/signingCert` (201 + embedded-SCT chain) and `GET /api/v2/trustBundle`, plus `/healthz` and
// `/metrics`; with a CT log, its c2sp.org/static-ct-api read assets under `/ct/` (`/ct/checkpoint`,
// `/ct/tile/<L>/<N>`, `/ct/tile/data/<N>`, `/ct/issuer/<fingerprint>`), apart from a transparency log's `/checkpoint`
// and `/tile/` when both run in one process. The pipeline is SigilCA's `FulcioService`; errors become HTTP in exactly one place,
// `FulcioHTTP.errorResponse(for:)`. Keys of OIDC issuers are fetched elsewhere (SigilClient) and reach this
// server only through `refreshKeys`.

import HTTPTypes
import Hummingbird
import Logging
import SigilCA
import SigilCT
import X509

/// HTTP routes of the certificate authority.
public struct CAServer: Sendable {
    public let service: FulcioService
    public let metrics: ServiceMetrics
    /// The CT log whose static-ct-api assets are served under ``ctPrefix`` (none: no `/ct/` routes).
    public let ctLog: StaticCTLog?
    let refreshKeys: @Sendable () async -> Bool

    /// The path prefix of the CT log's monitoring assets.
    public static let ctPrefix = "/ct"

    /// The largest `signingCert` body read (more is 413).
    public static let maxBodySize = SigningCertificateRequest.maxBodySize

    /// A server over `service`. `refreshKeys` is called when a token names a key the verifier does not know or
    /// an issuer whose keys are not loaded; it returns whether keys were reloaded (then the request is tried
    /// once more). It must bound its own rate: a client can send unknown key IDs at will. `ctLog`, when given, is
    /// served read-only under `/ct/`.
    public init(
        service: FulcioService, metrics: ServiceMetrics = ServiceMetrics(service: "sigil_ca"), ctLog: StaticCTLog? = nil,
        refreshKeys: @escaping @Sendable () async -> Bool = { false }
    ) {
        self.service = service
        self.metrics = metrics
        self.ctLog = ctLog
        self.refreshKeys = refreshKeys
    }

    /// Adds the Fulcio routes, `/healthz` and `/metrics` to `router`. Token, request and key errors are answered
    /// as `FulcioHTTP.errorResponse(for:)` says (401, 400, 503 + Retry-After, 500); a body over
    /// `maxBodySize` is 413. Logs name the error code and reason, never the token or the request body.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post("/api/v2/signingCert") { request, context in
            let body = try await ServerSupport.body(of: request, limit: Self.maxBodySize)
            let authorization = request.headers[.authorization]
            let issued: IssuedCertificate
            do throws(CAError) {
                issued = try await issue(authorization: authorization, body: body)
            } catch {
                let answer = FulcioHTTP.errorResponse(for: error)
                if answer.status >= 500 {
                    context.logger.error("signingCert failed", metadata: ["error": "\(error)"])
                } else {
                    context.logger.info("signingCert refused", metadata: ["error": "\(error)"])
                }
                var headers: HTTPFields = [:]
                if let retry = answer.retryAfterSeconds { headers[.retryAfter] = String(retry) }
                return ServerSupport.json(status: HTTPResponse.Status(code: answer.status), answer.body, headers: headers)
            }
            context.logger.info(
                "issued certificate",
                metadata: ["serial": "\(issued.certificate.serialNumber)"])
            return ServerSupport.json(
                status: HTTPResponse.Status(code: FulcioHTTP.createdStatus),
                FulcioHTTP.signingCertificateResponse(issued))
        }
        router.get("/api/v2/trustBundle") { _, _ in
            ServerSupport.json(status: .ok, service.trustBundleJSON())
        }
        if let ctLog {
            router.get("\(Self.ctPrefix)/**") { _, context in
                await Self.ctAsset(ctLog, path: context.parameters.getCatchAll().joined(separator: "/"), logger: context.logger)
            }
        }
        ServerSupport.addHealthAndMetrics(to: router, metrics: metrics)
    }

    /// A static-ct-api asset: 200 with its content type and cache lifetime, 404 when there is none, 503 +
    /// Retry-After when storage fails.
    static func ctAsset(_ log: StaticCTLog, path: String, logger: Logger) async -> Response {
        do {
            guard let asset = try await log.asset(at: path) else {
                return ServerSupport.response(
                    status: .notFound, contentType: "text/plain; charset=utf-8", bytes: Array("no such path\n".utf8))
            }
            return ServerSupport.response(
                status: .ok, contentType: asset.contentType, bytes: asset.bytes,
                headers: [.cacheControl: asset.cacheControl])
        } catch {
            logger.warning("CT log read failed", metadata: ["error": "\(error)"])
            return ServerSupport.response(
                status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                bytes: Array("storage is unavailable; retry\n".utf8), headers: [.retryAfter: "1"])
        }
    }

    /// `FulcioService.createSigningCertificate`, retried once after `refreshKeys` when the token's key or
    /// issuer keys are unknown.
    func issue(authorization: String?, body: [UInt8]) async throws(CAError) -> IssuedCertificate {
        do {
            return try await service.createSigningCertificate(authorization: authorization, body: body)
        } catch {
            guard error.code == .unknownKey || error.code == .issuerKeysUnavailable, await refreshKeys() else {
                throw error
            }
            return try await service.createSigningCertificate(authorization: authorization, body: body)
        }
    }

    /// A Hummingbird application serving the CA on `host:port` (port 0: any free port). `onServerRunning`
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
