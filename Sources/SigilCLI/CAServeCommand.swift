// `sigil ca serve`: the Fulcio-compatible certificate authority over HTTP, with optional dev OIDC issuer.
// Keys and certificates live in the data directory: created on first start, reused after.

import ArgumentParser
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SigilCA
import SigilCT
import SigilClient
import SigilLog
import SigilServer
import SigilStoreSQLite

struct CACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "Run a Fulcio-compatible certificate authority.",
        subcommands: [CAServeCommand.self])
}

struct CAServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the CA (POST /api/v2/signingCert, GET /api/v2/trustBundle).",
        discussion: """
            On first start, creates in --data a P-384 root and intermediate (ca-root.pem, ca-intermediate.pem, \
            keys ca-root-key.pem and ca-intermediate-key.pem with mode 0600) and a P-256 CT log key \
            (ct-log-key.pem, mode 0600, public key in ct-log-public.pem). Later starts reuse them.

            Tokens are accepted from the --issuer URLs (repeatable; the n-th --issuer-type applies to the n-th \
            --issuer, default email). Their keys are fetched by OIDC discovery at start, every 10 minutes, and \
            when a token names an unknown key (at most every 30 s per issuer).

            --dev-issuer also runs a development OIDC issuer on 127.0.0.1 (--dev-issuer-port, 0: any free port) \
            that mints tokens for any email at GET /token?email=ADDR for loopback clients, and trusts it as an \
            email issuer. Never use it for anything but local testing.

            Every precertificate is logged, before its SCT is signed, in a CT log kept in --data (ct.sqlite, \
            SQLite) that survives restarts. Its c2sp.org/static-ct-api assets are served under /ct/: /ct/checkpoint, \
            /ct/tile/<L>/<N>, /ct/tile/data/<N>, /ct/issuer/<sha256>. Its checkpoint origin is --ct-origin, else \
            the one the store was created with, else HOST:PORT/ct.

            Also serves /healthz and /metrics. Stops on SIGINT/SIGTERM.
            """)

    @Option(name: .long, help: "Directory for keys and certificates (created if missing).")
    var data: String

    @Option(name: .long, help: "Port to listen on (0: any free port).")
    var port: Int

    @Option(name: .long, help: "Address to listen on.")
    var host: String = ServeDefaults.host

    @Option(name: .long, help: "A trusted OIDC issuer URL (repeatable).")
    var issuer: [String] = []

    @Option(name: .long, help: "Type of the matching --issuer: email, github, kubernetes, spiffe or uri.")
    var issuerType: [String] = []

    @Flag(name: .long, help: "Run a development OIDC issuer on loopback and trust it.")
    var devIssuer = false

    @Option(name: .long, help: "Port of the development OIDC issuer (0: any free port).")
    var devIssuerPort: Int = 0

    @Option(name: .long, help: "Checkpoint origin of the CT log (default: the stored one, else HOST:PORT/ct).")
    var ctOrigin: String?

    static let rootKeyFile = "ca-root-key.pem"
    static let intermediateKeyFile = "ca-intermediate-key.pem"
    static let rootFile = "ca-root.pem"
    static let intermediateFile = "ca-intermediate.pem"
    static let ctKeyFile = "ct-log-key.pem"
    static let ctPublicFile = "ct-log-public.pem"
    static let ctDatabaseFile = "ct.sqlite"

    func validate() throws {
        guard (0...65535).contains(port), (0...65535).contains(devIssuerPort) else {
            throw ValidationError("ports must be 0...65535")
        }
        guard !issuer.isEmpty || devIssuer else { throw ValidationError("give at least one --issuer or --dev-issuer") }
        guard issuerType.count <= issuer.count else {
            throw ValidationError("more --issuer-type (\(issuerType.count)) than --issuer (\(issuer.count))")
        }
    }

    static func kind(_ name: String) throws -> OIDCIssuer.Kind {
        if name == "github" { return .githubWorkflow }
        guard let kind = OIDCIssuer.Kind(configName: name) else {
            throw InputError("unknown --issuer-type \(name): expected email, github, kubernetes, spiffe or uri")
        }
        return kind
    }

    func run() async throws {
        let logger = Console.logger("sigil.ca")
        let directory = try DataDirectory(path: data)
        let (material, ctKey) = try Self.loadOrCreate(directory)
        var issuers: [OIDCIssuer] = []
        for (index, url) in issuer.enumerated() {
            issuers.append(try OIDCIssuer(url: url, kind: try Self.kind(index < issuerType.count ? issuerType[index] : "email")))
        }
        Console.print("CA certificates (\(directory.path(Self.intermediateFile)), \(directory.path(Self.rootFile))):")
        Console.print(material.certificatesPEM.joined(separator: "\n"))
        Console.print("CT log public key (\(directory.path(Self.ctPublicFile))):")
        Console.print(ctKey.publicKey.pemRepresentation)
        let ctLog = try await Self.openCTLog(
            directory, key: ctKey, material: material, origin: ctOrigin, defaultOrigin: "\(host):\(port)/ct",
            logger: logger)
        Console.print("CT log \(ctLog.origin) (\(directory.path(Self.ctDatabaseFile))): \(await ctLog.tileLog.latestCheckpoint.size) entries")
        let launcher = CALauncher(
            material: material, ctKey: ctKey, ctLog: ctLog, issuers: issuers, host: host, port: port,
            devIssuerPort: devIssuer ? devIssuerPort : nil, logger: logger)
        try await runUntilSignalled([launcher], logger: logger)
        await ctLog.tileLog.shutdown()
        Console.print("CA stopped")
    }

    /// The CT log in `directory/ct.sqlite`, created on first use. Its origin is `origin`, else the stored one, else
    /// `defaultOrigin`; a store created with another origin is refused.
    static func openCTLog(
        _ directory: DataDirectory, key: P256.Signing.PrivateKey, material: CAMaterial, origin: String?,
        defaultOrigin: String, logger: Logger
    ) async throws -> StaticCTLog {
        let storage: SQLiteLogStorage
        do { storage = try SQLiteLogStorage(path: directory.path(ctDatabaseFile)) } catch {
            throw InputError("cannot open the CT log store \(directory.path(ctDatabaseFile)): \(error.reason)")
        }
        var chosen = origin
        if chosen == nil, let stored = try await storage.checkpoint() {
            chosen = String(decoding: stored.note.prefix { $0 != 0x0A }, as: UTF8.self)
        }
        let name = chosen ?? defaultOrigin
        do {
            return try await StaticCTLog.open(
                storage: storage, signingKey: key, origin: name, issuers: [material.intermediate, material.root],
                clock: { Date() }, logger: logger)
        } catch {
            throw InputError("the CT log in \(directory.path(ctDatabaseFile)) cannot be opened as \(name): \(error)")
        }
    }

    /// The CA material and CT key from the directory, or new ones written there.
    static func loadOrCreate(_ directory: DataDirectory) throws -> (CAMaterial, P256.Signing.PrivateKey) {
        let material: CAMaterial
        if let keyPEM = try directory.read(intermediateKeyFile) {
            guard let rootPEM = try directory.read(rootFile), let intermediatePEM = try directory.read(intermediateFile)
            else { throw InputError("\(directory.path(intermediateKeyFile)) exists but the CA certificates do not") }
            material = try CAMaterial(rootPEM: rootPEM, intermediatePEM: intermediatePEM, intermediateKeyPEM: keyPEM)
        } else {
            let generated = try CAMaterial.generate(at: Date())
            try directory.createPrivate(rootKeyFile, generated.rootKeyPEM)
            try directory.createPrivate(intermediateKeyFile, generated.intermediateKeyPEM)
            let pems = generated.material.certificatesPEM
            try directory.createPublic(intermediateFile, pems[0] + "\n")
            try directory.createPublic(rootFile, pems[1] + "\n")
            material = generated.material
        }
        let ctKey: P256.Signing.PrivateKey
        if let pem = try directory.read(ctKeyFile) {
            ctKey = try P256.Signing.PrivateKey(pemRepresentation: pem)
        } else {
            ctKey = P256.Signing.PrivateKey()
            try directory.createPrivate(ctKeyFile, ctKey.pemRepresentation)
            try directory.createPublic(ctPublicFile, ctKey.publicKey.pemRepresentation + "\n")
        }
        return (material, ctKey)
    }
}

/// Starts the dev issuer first (its URL, port included, must be known before the CA trusts it), then the
/// CA and the JWKS refresher, all under the caller's graceful shutdown.
struct CALauncher: Service {
    let material: CAMaterial
    let ctKey: P256.Signing.PrivateKey
    let ctLog: StaticCTLog
    let issuers: [OIDCIssuer]
    let host: String
    let port: Int
    let devIssuerPort: Int?
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var issuers = self.issuers
            if let devIssuerPort {
                let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
                let dev = DevIssuer()
                let devApp = dev.makeApplication(host: "127.0.0.1", port: devIssuerPort, logger: logger) { bound in
                    continuation.yield(bound)
                    continuation.finish()
                }
                group.addTask {
                    defer { continuation.finish() }  // a failed start must not leave us waiting for a port
                    try await devApp.run()
                }
                var iterator = ports.makeAsyncIterator()
                guard await iterator.next() != nil, let url = dev.issuerURL else {
                    try await group.waitForAll()
                    throw InputError("the dev OIDC issuer did not start")
                }
                Console.print("dev OIDC issuer on \(url) (tokens: \(url)/token?email=ADDR)")
                issuers.append(try OIDCIssuer(url: url, kind: .email))
            }
            let verifier = try OIDCVerifier(issuers: issuers, clock: { Date() })
            let refresher = OIDCKeyRefresher(verifier: verifier, logger: logger)
            await refresher.refreshAll()
            let authority = CertificateAuthority(material: material, ctLog: ctLog.ctLog(), clock: { Date() })
            let server = CAServer(
                service: FulcioService(verifier: verifier, authority: authority), ctLog: ctLog,
                refreshKeys: { await refresher.refreshIfDue() })
            let host = self.host
            let app = server.makeApplication(host: host, port: port, logger: logger) { bound in
                let base = ServerSupport.baseURL(host: host, port: bound)
                Console.print("CA listening on \(base)")
                Console.print("  signingCert: \(base)/api/v2/signingCert")
                Console.print("  trustBundle: \(base)/api/v2/trustBundle")
                Console.print("  CT log:      \(base)\(CAServer.ctPrefix)/checkpoint")
            }
            group.addTask { try await app.run() }
            group.addTask {
                await cancelWhenGracefulShutdown { await refresher.run(every: .seconds(600)) }
            }
            try await group.waitForAll()
        }
    }
}
