// `sigil tsa serve`: the RFC 3161 timestamp authority over HTTP. Keys and certificates live in the data
// directory: created on first start, reused after.

import ArgumentParser
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SigilServer
import SigilTSA
import X509

struct TSACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsa", abstract: "Run an RFC 3161 timestamp authority.", subcommands: [TSAServeCommand.self])
}

struct TSAServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the timestamp authority (POST /api/v1/timestamp, GET /api/v1/timestamp/certchain).",
        discussion: """
            On first start, creates in --data a P-384 root and a P-256 timestamping leaf (valid 10 years): \
            tsa-root-key.pem and tsa-signing-key.pem (mode 0600), tsa-chain.pem (leaf, then root). Later starts \
            reuse them. Prints the chain and the URLs. Also serves /healthz and /metrics. Stops on SIGINT/SIGTERM.
            """)

    @Option(name: .long, help: "Directory for keys and certificates (created if missing).")
    var data: String

    @Option(name: .long, help: "Port to listen on (0: any free port).")
    var port: Int

    @Option(name: .long, help: "Address to listen on.")
    var host: String = ServeDefaults.host

    static let rootKeyFile = "tsa-root-key.pem"
    static let signingKeyFile = "tsa-signing-key.pem"
    static let chainFile = "tsa-chain.pem"

    func run() async throws {
        guard (0...65535).contains(port) else { throw InputError("--port must be 0...65535, got \(port)") }
        let logger = Console.logger("sigil.tsa")
        let directory = try DataDirectory(path: data)
        let (key, chain) = try Self.loadOrCreate(directory)
        let signer = try TimeStampSigner(signingKey: key, certificateChain: chain, clock: { Date() })
        let server = try TSAServer(signer: signer)
        Console.print("TSA certificate chain (\(directory.path(Self.chainFile))):")
        Console.print(server.certificateChainPEM)
        let host = self.host
        let app = server.makeApplication(host: host, port: port, logger: logger) { bound in
            let base = SigilServer.ServerSupport.baseURL(host: host, port: bound)
            Console.print("TSA listening on \(base)")
            Console.print("  timestamp: \(base)/api/v1/timestamp")
            Console.print("  certchain: \(base)/api/v1/timestamp/certchain")
        }
        try await runUntilSignalled([app], logger: logger)
        Console.print("TSA stopped")
    }

    /// The signing key and chain from the directory, or new ones written there.
    static func loadOrCreate(_ directory: DataDirectory) throws -> (TimestampSigningKey, [Certificate]) {
        if let keyPEM = try directory.read(signingKeyFile) {
            guard let chainPEM = try directory.read(chainFile) else {
                throw InputError("\(directory.path(signingKeyFile)) exists but \(chainFile) does not")
            }
            return (try TimestampSigningKey(pemRepresentation: keyPEM), try TimestampService.certificates(pem: chainPEM))
        }
        guard try directory.read(chainFile) == nil else {
            throw InputError("\(directory.path(chainFile)) exists but \(signingKeyFile) does not")
        }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let created = try TSACertificates.create(
            notValidBefore: now, notValidAfter: now.addingTimeInterval(10 * 365 * 86400))
        try directory.createPrivate(rootKeyFile, created.rootKey.pemRepresentation)
        try directory.createPrivate(signingKeyFile, created.signingKey.pemRepresentation)
        try directory.createPublic(chainFile, try TimestampService.certificateChainPEM(created.chain))
        return (created.signingKey, created.chain)
    }
}
