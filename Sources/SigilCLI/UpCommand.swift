// `sigil up`: a whole private Sigstore on loopback in one process — the Rekor v2 log (SQLite), the Fulcio CA with
// its CT log, the RFC 3161 TSA and a development OIDC issuer — and the ClientTrustConfig that points clients
// (Sigil and sigstore-python) at it. Wiring only: every service is SigilServer's, every key file the same as
// `sigil log serve`, `sigil ca serve` and `sigil tsa serve` keep.
//
// The four ports and the log's origin are chosen on first start and kept in DIR/up.json: the origin is the log's
// `host:port` (what verifiers derive from its URL), so it can never change without invalidating the log.

import ArgumentParser
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SigilBundle
import SigilCA
import SigilCT
import SigilClient
import SigilLog
import SigilRekor
import SigilServer
import SigilTSA
import SigilX509
import X509

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run a private Sigstore instance on this machine: log, CA + CT log, TSA and a dev OIDC issuer.",
        discussion: """
            Everything listens on 127.0.0.1 only. On first start, creates in --data the keys (mode 0600) and \
            certificates of every service, the log's SQLite database, and up.json (the ports and the log's \
            origin). Later starts reuse all of them, so the log keeps its entries and old bundles still verify.

            Once every service listens, it writes DIR/trust-config.json (a ClientTrustConfig: trusted root and \
            signing config, for --trust-config) and DIR/issuer-url (the dev OIDC issuer: GET \
            <issuer-url>/token?email=ADDR mints a 10-minute token for loopback clients), and prints the commands \
            below with real paths. Stops cleanly on Ctrl-C or SIGTERM (appends in flight are answered first).

            Example, in a second terminal:
              sigil sign a.txt --dev-identity alice@example.com \\
                --trust-config sigil-data/trust-config.json
              sigil verify a.txt --bundle a.txt.sigstore.json \\
                --trust-config sigil-data/trust-config.json \\
                --certificate-identity alice@example.com \\
                --certificate-oidc-issuer "$(cat sigil-data/issuer-url)"
              ISSUER=$(cat sigil-data/issuer-url)
              TOKEN=$(curl -s "$ISSUER/token?email=alice@example.com")
              sigstore --trust-config sigil-data/trust-config.json \\
                sign --identity-token "$TOKEN" a.txt
            """)

    @Option(help: "Directory for keys, certificates, the log database and the trust config (created if missing).")
    var data: String = "sigil-data"

    @Option(
        help: """
            First of four consecutive ports (log, CA, TSA, OIDC issuer) on the first start; 0 or absent: any free \
            ports. Later starts reuse the ports in DIR/up.json.
            """)
    var port: Int?

    func validate() throws {
        if let port, port != 0, !(1...65_532).contains(port) {
            throw ValidationError("--port must be 0 or 1...65532 (four ports from it are used), got \(port)")
        }
    }

    func run() async throws {
        let logger = Console.logger("sigil.up")
        let directory = try DataDirectory(path: data)
        let state = try UpState.loadOrCreate(directory, port: port)
        let (material, ctKey) = try CAServeCommand.loadOrCreate(directory)
        let (tsaKey, tsaChain) = try TSAServeCommand.loadOrCreate(directory)
        let (logKey, _) = try LogSigningKeyFile.loadOrCreate(at: directory.path(LogSigningKeyFile.fileName))
        let storage = try LogStore.open(dataDirectory: directory.url.path, memory: false)

        var logConfiguration = LogServerConfiguration(origin: state.origin)
        logConfiguration.engine.batchDelay = .milliseconds(2)
        let logServer: LogServer
        do {
            logServer = try await LogServer.open(
                storage: storage, signingKey: logKey, configuration: logConfiguration, logger: logger)
        } catch let error as LogError where error.code == .corruptStorage {
            throw InputError("the log in \(data) cannot be served as \(state.origin): \(error.reason)")
        }
        let tsaServer: TSAServer
        do {
            tsaServer = try TSAServer(
                signer: try TimeStampSigner(signingKey: tsaKey, certificateChain: tsaChain, clock: { Date() }))
        } catch {
            throw InputError("the TSA material in \(data) is unusable: \(error)")
        }
        let ctLog = try await CAServeCommand.openCTLog(
            directory, key: ctKey, material: material, origin: nil, defaultOrigin: state.ctOrigin, logger: logger)
        let instance = UpInstance(
            state: state, directory: directory, logServer: logServer, caMaterial: material, ctLog: ctLog,
            tsaServer: tsaServer, tsaChain: tsaChain, logger: logger)
        try await runUntilSignalled([instance], logger: logger)
        await ctLog.tileLog.shutdown()
        Console.print("sigil up: stopped (state kept in \(directory.url.path))")
    }
}

/// What must not change between starts of one instance: its ports and the log's origin.
struct UpState: Codable, Equatable {
    static let fileName = "up.json"

    var logPort: Int
    var caPort: Int
    var tsaPort: Int
    var issuerPort: Int
    /// The checkpoint origin: `127.0.0.1:<logPort>` when the log was created.
    var origin: String
    /// When the instance was created (RFC 3339): the start of every key's `validFor` in the trusted root.
    var created: String

    var host: String { ServeDefaults.host }
    var logURL: String { ServerSupport.baseURL(host: host, port: logPort) }
    var caURL: String { ServerSupport.baseURL(host: host, port: caPort) }
    var tsaURL: String { ServerSupport.baseURL(host: host, port: tsaPort) + "/api/v1/timestamp" }
    var issuerURL: String { ServerSupport.baseURL(host: host, port: issuerPort) }
    /// The CT log's checkpoint origin (its assets are served by the CA under /ct/).
    var ctOrigin: String { "\(host):\(caPort)/ct" }

    /// The stored state, or a new one (ports from `port`, or free ones) written to the directory.
    static func loadOrCreate(_ directory: DataDirectory, port: Int?) throws -> UpState {
        if let text = try directory.read(fileName) {
            let state: UpState
            do { state = try JSONDecoder().decode(UpState.self, from: Data(text.utf8)) } catch {
                throw InputError("\(directory.path(fileName)) is not a sigil up state file: \(error)")
            }
            if let port, port != 0, port != state.logPort {
                throw InputError(
                    """
                    \(directory.url.path) was created with ports \(state.logPort)-\(state.issuerPort) (its log's origin \
                    is \(state.origin)); leave out --port, or use a new --data directory
                    """)
            }
            return state
        }
        let ports: [Int]
        if let port, port != 0 {
            ports = Array(port...(port + 3))
        } else {
            ports = try (0..<4).reduce(into: [Int]()) { chosen, _ in chosen.append(try freeLoopbackPort(avoiding: chosen)) }
        }
        // A minute before now, whole seconds: clients reject keys whose validity starts in the future, and a
        // client clock a little behind ours must not see that.
        let created = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 60).rounded(.down))
        let state = UpState(
            logPort: ports[0], caPort: ports[1], tsaPort: ports[2], issuerPort: ports[3],
            origin: "\(ServeDefaults.host):\(ports[0])", created: ISO8601DateFormatter().string(from: created))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try directory.createPublic(fileName, String(decoding: try encoder.encode(state), as: UTF8.self) + "\n")
        return state
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice for port 0), not in `avoiding`.
func freeLoopbackPort(avoiding taken: [Int]) throws -> Int {
    for _ in 0..<16 {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw InputError("cannot open a socket to find a free port: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(ServeDefaults.host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw InputError("cannot bind 127.0.0.1 to find a free port: errno \(errno)") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !taken.contains(port) { return port }
    }
    throw InputError("no free port found on 127.0.0.1")
}

/// The running instance: the dev issuer starts first (the CA fetches its keys at start), then the CA, the TSA
/// and the log; once all four listen, the trust config and issuer URL are written and the banner printed.
struct UpInstance: ServiceLifecycle.Service {
    let state: UpState
    let directory: DataDirectory
    let logServer: LogServer
    let caMaterial: CAMaterial
    let ctLog: StaticCTLog
    let tsaServer: TSAServer
    let tsaChain: [Certificate]
    let logger: Logger

    static let trustConfigFile = "trust-config.json"
    static let issuerURLFile = "issuer-url"

    enum Event: Sendable {
        case listening(String)
        case stopped
    }

    func run() async throws {
        let state = self.state
        let host = state.host
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (events, continuation) = AsyncStream.makeStream(of: Event.self)
            var iterator = events.makeAsyncIterator()
            /// Runs a service's application, naming the service and its port when it cannot listen.
            func start(_ name: String, port: Int, _ app: some ServiceLifecycle.Service) {
                group.addTask {
                    defer { continuation.yield(.stopped) }
                    do { try await app.run() } catch {
                        throw InputError("the \(name) on \(host):\(port) stopped: \(error)")
                    }
                }
            }
            /// Waits until `count` services say they listen; if one stops first, surfaces its error.
            func waitUntilListening(_ count: Int) async throws {
                var listening = 0
                while listening < count {
                    switch await iterator.next() {
                    case .listening: listening += 1
                    case .stopped, nil:
                        // One service could not start: stop the others, then surface its error.
                        group.cancelAll()
                        try await group.waitForAll()
                        throw InputError("a service of sigil up stopped while starting")
                    }
                }
            }

            let issuer = DevIssuer(url: state.issuerURL)
            start(
                "dev OIDC issuer", port: state.issuerPort,
                issuer.makeApplication(host: host, port: state.issuerPort, logger: logger) { _ in
                    continuation.yield(.listening("issuer"))
                })
            try await waitUntilListening(1)

            let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: state.issuerURL, kind: .email)], clock: { Date() })
            let refresher = OIDCKeyRefresher(verifier: verifier, logger: logger)
            guard await refresher.refreshAll() == 1 else {
                throw InputError("the CA could not fetch the dev OIDC issuer's keys from \(state.issuerURL)")
            }
            let authority = CertificateAuthority(material: caMaterial, ctLog: ctLog.ctLog(), clock: { Date() })
            let caServer = CAServer(
                service: FulcioService(verifier: verifier, authority: authority), ctLog: ctLog,
                refreshKeys: { await refresher.refreshIfDue() })
            start(
                "CA", port: state.caPort,
                caServer.makeApplication(host: host, port: state.caPort, logger: logger) { _ in
                    continuation.yield(.listening("ca"))
                })
            start(
                "TSA", port: state.tsaPort,
                tsaServer.makeApplication(host: host, port: state.tsaPort, logger: logger) { _ in
                    continuation.yield(.listening("tsa"))
                })
            start(
                "log", port: state.logPort,
                logServer.application(host: host, port: state.logPort, logger: logger) { _ in
                    continuation.yield(.listening("log"))
                })
            try await waitUntilListening(3)
            group.addTask {
                await cancelWhenGracefulShutdown { await refresher.run(every: .seconds(600)) }
            }

            let trust = try UpTrust.clientTrustConfig(
                state: state, log: logServer.identity, caMaterial: caMaterial, ctLog: ctLog.ctLog(), tsaChain: tsaChain)
            try directory.replacePublic(Self.trustConfigFile, String(decoding: trust.jsonBytes(), as: UTF8.self) + "\n")
            try directory.replacePublic(Self.issuerURLFile, state.issuerURL + "\n")
            Console.print(banner(treeSize: await logServer.log.latestCheckpoint.size))
            // A graceful shutdown ends every service; a service failing on its own must not leave the others
            // running without it: the first to end with an error stops the rest.
            do {
                while try await group.next() != nil {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    func banner(treeSize: UInt64) -> String {
        let dir = directory.url.path
        let trust = directory.path(Self.trustConfigFile)
        let issuerFile = directory.path(Self.issuerURLFile)
        return """
            sigil up: a private Sigstore on 127.0.0.1 (state in \(dir))
              transparency log  \(state.logURL)  (Rekor v2, origin \(state.origin), tree size \(treeSize))
              certificate authority  \(state.caURL)  (Fulcio v2 API; CT log under /ct/, origin \(state.ctOrigin))
              timestamp authority  \(state.tsaURL)
              dev OIDC issuer  \(state.issuerURL)  (tokens: \(state.issuerURL)/token?email=ADDR)
              trust config  \(trust)

            Sign and verify with Sigil (--dev-identity asks the dev issuer for the token):
              sigil sign FILE --trust-config \(trust) --dev-identity alice@example.com
              sigil verify FILE --bundle FILE.sigstore.json --trust-config \(trust) \\
                --certificate-identity alice@example.com --certificate-oidc-issuer \(state.issuerURL)
            With sigstore-python (pip install sigstore):
              TOKEN=$(curl -s "$(cat \(issuerFile))/token?email=alice@example.com")
              sigstore --trust-config \(trust) sign --identity-token "$TOKEN" FILE
              sigstore --trust-config \(trust) verify identity --bundle FILE.sigstore.json \\
                --cert-identity alice@example.com --cert-oidc-issuer \(state.issuerURL) FILE
            Ctrl-C stops it; the next `sigil up --data \(dir)` continues where it stopped.
            """
    }
}

/// The ClientTrustConfig of a `sigil up` instance: its keys and certificates (trusted root) and its URLs
/// (signing config v0.2), in the shapes sigstore-python 4.5.1 accepts (reference/services.md §1.8–1.9).
enum UpTrust {
    static let operatorName = "sigil.local"

    static func clientTrustConfig(
        state: UpState, log: RekorLogIdentity, caMaterial: CAMaterial, ctLog: CTLog, tsaChain: [Certificate]
    ) throws -> ClientTrustConfig {
        let since = TimeRange(start: try ProtoTimestamp(rfc3339: state.created))
        let chain = { (certificates: [Certificate]) in
            X509CertificateChain(certificates: try certificates.map { X509Certificate(rawBytes: try CertificateCoding.der($0)) })
        }
        let root = TrustedRoot(
            tlogs: [
                TransparencyLogInstance(
                    baseUrl: state.logURL,
                    publicKey: PublicKey(rawBytes: log.subjectPublicKeyInfo, keyDetails: .pkixEd25519, validFor: since),
                    logId: LogId(keyId: log.logID), checkpointKeyId: LogId(keyId: log.logID), operator: operatorName)
            ],
            certificateAuthorities: [
                SigilBundle.CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: operatorName, commonName: "sigil up CA"),
                    uri: state.caURL, certChain: try chain([caMaterial.intermediate, caMaterial.root]), validFor: since,
                    operator: operatorName)
            ],
            ctlogs: [
                TransparencyLogInstance(
                    baseUrl: state.caURL + "/ct",
                    publicKey: PublicKey(
                        rawBytes: ctLog.subjectPublicKeyInfo, keyDetails: .pkixECDSAP256SHA256, validFor: since),
                    logId: LogId(keyId: ctLog.logID), operator: operatorName)
            ],
            timestampAuthorities: [
                SigilBundle.CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: operatorName, commonName: "sigil up TSA"),
                    uri: state.tsaURL, certChain: try chain(tsaChain), validFor: since, operator: operatorName)
            ])
        let service = { (url: String, version: UInt32) in
            SigilBundle.Service(url: url, majorApiVersion: version, validFor: since, operator: operatorName)
        }
        let signing = SigningConfig(
            caUrls: [service(state.caURL, 1)], oidcUrls: [service(state.issuerURL, 1)],
            rekorTlogUrls: [service(state.logURL, 2)], rekorTlogConfig: ServiceConfiguration(selector: .any),
            tsaUrls: [service(state.tsaURL, 1)], tsaConfig: ServiceConfiguration(selector: .any))
        return ClientTrustConfig(trustedRoot: root, signingConfig: signing)
    }
}
