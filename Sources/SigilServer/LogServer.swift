// The transparency log service: a `TileLog` engine over any `LogStorage`, the Rekor v2 write API and the
// c2sp.org/tlog-tiles read API (LogRoutes.swift), Prometheus metrics (LogServerMetrics.swift), and a service
// that drains in-flight appends on graceful shutdown (swift-service-lifecycle).
//
// Lifecycle: `LogServer.open` opens the engine (integrating whatever was sequenced before a crash), `application`
// builds the Hummingbird application. On SIGTERM the HTTP server stops accepting connections and lets requests in
// flight finish (they are waiting on the still-running engine), then `LogEngineService` shuts the engine down:
// it sequences what is pending and makes a last integration attempt. Nothing acknowledged is ever lost: an
// answer is only sent after storage made the entry durable and a checkpoint covered it.

import Crypto
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SigilLog
import SigilRekor
import SigilTlog

/// How a ``LogServer`` is set up.
public struct LogServerConfiguration: Sendable {
    /// The checkpoint origin (the log's name; a Sigstore client expects the host[:port] of the log's URL).
    public var origin: String
    /// Request bodies longer than this are refused with 413 (rekor-tiles' `--max-request-body-size`).
    public var maxRequestBytes: Int = RekorEntryValidator.defaultMaxRequestBytes
    /// How the engine batches and bounds work; its `origin` is set from ``origin``.
    public var engine: TileLogConfiguration
    /// How long an append waits for a checkpoint that covers it before answering 503 (rekor-tiles' server
    /// timeout is 20 s; the entry stays in the log, and resubmitting it answers 409 with its index).
    public var inclusionTimeout: Duration = .seconds(20)
    /// The `Retry-After` seconds of a 503.
    public var retryAfterSeconds: Int = 1

    public init(origin: String) {
        self.origin = origin
        self.engine = TileLogConfiguration(origin: origin)
    }
}

/// A running Rekor v2 log: engine, identity, validator and metrics. Build routes with ``addRoutes(to:)`` or a
/// whole application with ``application(host:port:logger:onServerRunning:)``.
public final class LogServer: Sendable {
    /// The tile log engine.
    public let log: TileLog
    /// The store under the engine (wrapped to measure it).
    public let storage: any LogStorage
    /// Origin, key, log ID.
    public let identity: RekorLogIdentity
    /// What a write must satisfy.
    public let validator: RekorEntryValidator
    /// Counters, histograms and gauges served at `/metrics`.
    public let metrics: LogServerMetrics
    /// The configuration it was opened with.
    public let configuration: LogServerConfiguration
    let logger: Logger

    private init(
        log: TileLog, storage: any LogStorage, identity: RekorLogIdentity, validator: RekorEntryValidator,
        metrics: LogServerMetrics, configuration: LogServerConfiguration, logger: Logger
    ) {
        self.log = log
        self.storage = storage
        self.identity = identity
        self.validator = validator
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens the log in `storage`, signed with `signingKey` (Ed25519: tlog-tiles witnesses need an Ed25519 log
    /// signature). Throws a `RekorError` (`invalidConfiguration`) for a bad origin and the engine's `LogError`
    /// when the store holds another log or fails.
    public static func open(
        storage: any LogStorage, signingKey: Curve25519.Signing.PrivateKey, configuration: LogServerConfiguration,
        metrics: LogServerMetrics = LogServerMetrics(), logger: Logger = Logger(label: "sigil.log.server")
    ) async throws -> LogServer {
        var configuration = configuration
        configuration.engine.origin = configuration.origin
        let identity = try RekorLogIdentity(origin: configuration.origin, publicKey: signingKey.publicKey)
        let signer: NoteSigner
        do {
            signer = try NoteSigner.ed25519(name: configuration.origin, privateKey: signingKey)
        } catch {
            throw RekorError(.invalidConfiguration, "log signer for \"\(configuration.origin)\": \(error.reason)")
        }
        let measured = MeasuredLogStorage(base: storage, metrics: metrics)
        let log = try await TileLog.open(
            storage: measured, signer: signer, configuration: configuration.engine, logger: logger)
        let server = LogServer(
            log: log, storage: measured, identity: identity,
            validator: RekorEntryValidator(maxRequestBytes: configuration.maxRequestBytes),
            metrics: metrics, configuration: configuration, logger: logger)
        metrics.treeSize.set(to: Double(await log.latestCheckpoint.size))
        return server
    }

    /// A router with every route of the log (``addRoutes(to:)``).
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        addRoutes(to: router)
        return router
    }

    /// The HTTP application on `host:port` (port 0 picks a free one; `onServerRunning` gets the bound port).
    /// Its services include ``LogEngineService``, so running it under a `ServiceGroup` with graceful shutdown
    /// signals (or `runService()`) drains appends on SIGTERM.
    public func application(
        host: String, port: Int, logger: Logger? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "sigil-log"),
            services: [LogEngineService(log: log)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger ?? self.logger)
    }
}

extension LogServer {
    /// Serves on `host:port` until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server answers the
    /// requests in flight, then the engine sequences what is pending and publishes a last checkpoint.
    public func serve(
        host: String, port: Int, logger: Logger? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await application(host: host, port: port, logger: logger, onServerRunning: onServerRunning).runService()
    }
}

/// Keeps the engine for the lifetime of the service group and shuts it down gracefully: started before the HTTP
/// server and stopped after it, so requests in flight still have an engine to finish on.
public struct LogEngineService: Service {
    public let log: TileLog

    public init(log: TileLog) { self.log = log }

    public func run() async throws {
        // Returns on graceful shutdown (or throws CancellationError when the group is cancelled).
        try? await gracefulShutdown()
        await log.shutdown()
    }
}

/// A log server running in the background (tests, and composition such as `sigil up`): started by
/// ``LogServer/start(host:port:)``, stopped gracefully by ``shutdown()``.
public struct RunningLogServer: Sendable {
    /// The bound TCP port.
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Triggers a graceful shutdown (the HTTP server first, then the engine) and waits for it to finish.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

extension LogServer {
    /// Starts the HTTP application on `host:port` (0: a free port) and returns once it listens.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> RunningLogServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = application(host: host, port: port) { bound in
            continuation.yield(bound)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw RekorError(.invalidConfiguration, "the HTTP server on \(host):\(port) stopped before listening")
        }
        return RunningLogServer(port: bound, group: group, task: task)
    }
}
