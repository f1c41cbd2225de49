// `sigil sign` / `sigil attest` as a user meets them when something is missing or a service is down: the exit
// code (2 for usage and input, 1 for a service failure) and a message naming the problem. Services "down" are
// closed ports on 127.0.0.1; nothing answers.

import Foundation
import SigilBundle
import SigilServiceTesting
import SigilTesting
import Testing

enum SigilBinary {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = SigilExecutable.url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SIGSTORE_ID_TOKEN"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// A scratch directory with a file to sign and a trust config whose services are closed local ports.
struct Scratch {
    let directory: URL

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-sign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("artifact\n".utf8).write(to: path("a.txt"))
        try Data(#"{"buildType":"x"}"#.utf8).write(to: path("predicate.json"))
        let sigstore = try await VirtualSigstore.make(clock: { Date() })
        await sigstore.shutdown()
        let start = TimeRange(start: try ProtoTimestamp(rfc3339: "2020-01-01T00:00:00Z"))
        func down(_ path: String, _ version: UInt32) -> Service {
            Service(url: "http://127.0.0.1:9\(path)", majorApiVersion: version, validFor: start, operator: "local")
        }
        let config = SigningConfig(
            caUrls: [down("", 1)], oidcUrls: [], rekorTlogUrls: [down("", 2)], rekorTlogConfig: nil,
            tsaUrls: [down("/api/v1/timestamp", 1)], tsaConfig: nil)
        try Data(ClientTrustConfig(trustedRoot: sigstore.trustedRoot, signingConfig: config).jsonBytes()).write(
            to: path("trust-config.json"))
    }

    func path(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite("sigil sign and attest exit codes and messages")
struct SignCommandTests {
    @Test("usage errors exit 2 and say what is missing")
    func usage() async throws {
        let scratch = try await Scratch()
        defer { scratch.remove() }
        let file = scratch.path("a.txt").path
        let trust = scratch.path("trust-config.json").path
        let cases: [([String], String)] = [
            (["sign", file], "--trust-config"),
            (["sign", file, "--trusted-root", trust], "--trust-config"),
            (["sign", file, file, "--bundle", "x.json", "--trust-config", trust], "--bundle needs exactly one file"),
            (["sign", scratch.path("missing.txt").path, "--trust-config", trust], "cannot read file"),
            (["sign", file, "--trust-config", file], "trust config does not parse"),
            (["sign", file, "--trust-config", trust], "no identity token"),
            (["sign", file, "--trust-config", trust, "--key", file], "expected a PEM ECDSA P-256 private key"),
            (["sign", file, "--trust-config", trust, "--key", file, "--identity-token", "t"], "--key signs with a managed key"),
            (["sign", file, "--trust-config", trust, "--dev-identity", "a@sigil.test"], "--dev-identity needs an OIDC issuer"),
            (
                ["sign", file, "--trust-config", trust, "--dev-identity", "a@sigil.test", "--identity-token", "t"],
                "give at most one of --identity-token, --identity-token-file and --dev-identity"
            ),
            (["attest", file, "--type", "https://slsa.dev/provenance/v1", "--trust-config", trust], "--predicate"),
            (
                ["attest", file, "--predicate", file, "--type", "t", "--trust-config", trust, "--identity-token", "t"],
                "is not JSON"
            ),
        ]
        #expect(cases.count > 0)
        for (arguments, message) in cases {
            let (status, output) = try SigilBinary.run(arguments)
            #expect(status == 2, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
    }

    @Test("a CA that cannot be reached exits 1 and names Fulcio, its URL and the refused connection")
    func serviceDown() async throws {
        let scratch = try await Scratch()
        defer { scratch.remove() }
        // The default timeout: a refused connection must fail at once (after bounded retries), not wait it out.
        let (status, output) = try SigilBinary.run(
            ["sign", scratch.path("a.txt").path, "--trust-config", scratch.path("trust-config.json").path],
            environment: ["SIGSTORE_ID_TOKEN": "header.payload.signature"])
        #expect(status == 1, "\(output)")
        #expect(
            output.contains(
                "Fulcio at http://127.0.0.1:9/api/v2/signingCert could not be reached: connection refused (is the service running?)"),
            "\(output)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("a.txt.sigstore.json").path))
    }
}
