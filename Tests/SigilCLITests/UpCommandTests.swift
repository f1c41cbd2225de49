// `sigil up` as a user meets it: the files it writes (keys 0600, a trust config clients parse, the issuer URL),
// the services it starts on loopback, a clean SIGTERM, and clear exit-2 errors when its ports are taken or a
// restart asks for other ports. Signing against it with sigstore-python is scripts/interop-test (run by .ci/run).

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SigilBundle
import SigilTesting
import Testing

/// A `sigil up` process on a scratch data directory.
final class UpProcess {
    let data: URL
    let process = Process()
    let output = Pipe()

    init(data: URL, arguments: [String] = []) throws {
        self.data = data
        process.executableURL = Transcripts.sigil
        process.arguments = ["up", "--data", data.path] + arguments
        process.standardOutput = output
        process.standardError = output
        try? FileManager.default.removeItem(at: data.appendingPathComponent("issuer-url"))
        try process.run()
    }

    /// Waits until the instance wrote its issuer URL (everything listens), or the process ended.
    func waitUntilUp() async throws -> Bool {
        for _ in 0..<600 {
            if FileManager.default.fileExists(atPath: data.appendingPathComponent("issuer-url").path) { return true }
            if !process.isRunning { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Sends SIGTERM and returns the exit status and everything printed.
    func stop() -> (Int32, String) {
        if process.isRunning { process.terminate() }
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    func file(_ name: String) -> URL { data.appendingPathComponent(name) }
}

func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-up-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func get(_ url: String) async throws -> (Int, [UInt8]) {
    let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data))
}

@Suite("sigil up")
struct UpCommandTests {
    @Test("writes a trust config clients parse, keys with mode 0600, serves every service, and stops on SIGTERM")
    func startsAndStops() async throws {
        let data = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let up = try UpProcess(data: data)
        let started = try await up.waitUntilUp()
        guard started else {
            Issue.record("sigil up did not start: \(up.stop().1)")
            return
        }

        let trust = try ClientTrustConfig.parse(Array(try Data(contentsOf: up.file("trust-config.json"))))
        let issuer = try String(contentsOf: up.file("issuer-url"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let signing = trust.signingConfig
        #expect(signing.oidcUrls.map(\.url) == [issuer])
        #expect(signing.rekorTlogUrls.map(\.majorApiVersion) == [2])
        #expect(signing.caUrls.map(\.majorApiVersion) == [1])
        #expect(signing.tsaUrls.map(\.majorApiVersion) == [1])
        #expect(trust.trustedRoot.tlogs.map(\.baseUrl) == signing.rekorTlogUrls.map(\.url))
        #expect(trust.trustedRoot.certificateAuthorities.first?.certChain.certificates.count == 2)
        #expect(trust.trustedRoot.timestampAuthorities.first?.certChain.certificates.count == 2)
        #expect(trust.trustedRoot.ctlogs.count == 1)

        for key in ["log-signing-key.pem", "ca-root-key.pem", "ca-intermediate-key.pem", "ct-log-key.pem", "tsa-signing-key.pem"] {
            let mode = try FileManager.default.attributesOfItem(atPath: up.file(key).path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key)")
        }

        // Each service answers at the URL the trust config gives.
        let log = try #require(signing.rekorTlogUrls.first?.url)
        let (checkpointStatus, checkpoint) = try await get(log + "/checkpoint")
        #expect(checkpointStatus == 200)
        let origin = String(decoding: checkpoint.prefix { $0 != 0x0A }, as: UTF8.self)
        #expect("http://" + origin == log, "the checkpoint origin is the log's host:port")
        let (bundleStatus, _) = try await get(try #require(signing.caUrls.first?.url) + "/api/v2/trustBundle")
        #expect(bundleStatus == 200)
        let (chainStatus, _) = try await get(try #require(signing.tsaUrls.first?.url) + "/certchain")
        #expect(chainStatus == 200)
        let (tokenStatus, token) = try await get(issuer + "/token?email=alice@sigil.test")
        #expect(tokenStatus == 200)
        #expect(token.filter { $0 == UInt8(ascii: ".") }.count == 2, "a JWT")

        let (status, output) = up.stop()
        #expect(status == 0, "\(output)")
        #expect(output.contains("sigil up: stopped"))
    }

    @Test("a restart with other ports is refused with exit 2, naming the ports the directory was made with")
    func restartWithOtherPorts() async throws {
        let data = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let first = try UpProcess(data: data)
        let started = try await first.waitUntilUp()
        let (status, output) = first.stop()
        #expect(started && status == 0, "\(output)")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: first.file("up.json"))) as? [String: Any]
        let logPort = try #require(state?["logPort"] as? Int)
        let other = logPort == 1024 ? 2048 : 1024

        let second = try UpProcess(data: data, arguments: ["--port", "\(other)"])
        second.process.waitUntilExit()
        let (secondStatus, secondOutput) = second.stop()
        #expect(secondStatus == 2, "\(secondOutput)")
        #expect(secondOutput.contains("was created with ports \(logPort)-"), "\(secondOutput)")
    }

    @Test("a port already in use is an input error (exit 2) that names the service and the port")
    func portInUse() async throws {
        let data = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        // Hold a port with a listening server: a first instance on free ports, then a second on the same ports.
        let first = try UpProcess(data: data)
        let started = try await first.waitUntilUp()
        defer { _ = first.stop() }
        #expect(started)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: first.file("up.json"))) as? [String: Any]
        let logPort = try #require(state?["logPort"] as? Int)

        let clash = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: clash) }
        let second = try UpProcess(data: clash, arguments: ["--port", "\(logPort)"])
        second.process.waitUntilExit()
        let (status, output) = second.stop()
        #expect(status == 2, "\(output)")
        #expect(output.contains("on 127.0.0.1:") && output.contains("Address already in use"), "\(output)")
    }
}
