// `sigil tsa serve` as a process: keys created with mode 0600, reused on restart, SIGTERM exits 0.

import Foundation
import SigilServiceTesting
import Testing

@Suite("sigil tsa serve process", .serialized)
struct TSAServeProcessTests {
    @Test("the TSA process creates 0600 keys, serves its chain, reuses it after a restart and exits 0 on SIGTERM")
    func lifecycle() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: SigilExecutable.url.path), "build sigil first: \(SigilExecutable.url.path)")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("tsa").path

        var chains: [String] = []
        for _ in 0..<2 {
            let process = try SigilProcess(["tsa", "serve", "--data", data, "--port", "0"])
            let base = try await process.waitForLine(startingWith: "TSA listening on ")
            #expect(base.hasPrefix("http://127.0.0.1:"))
            let chain = try await http(base + "/api/v1/timestamp/certchain")
            #expect(chain.status == 200)
            chains.append(chain.text)
            #expect(try await process.terminate() == 0)
        }
        #expect(chains.count == 2)
        #expect(chains[0] == chains[1], "restart must reuse the keys and certificates")
        #expect(chains[0].contains("BEGIN CERTIFICATE"))
        for key in ["tsa-root-key.pem", "tsa-signing-key.pem"] {
            #expect(try fileMode(data + "/" + key) == 0o600, "\(key)")
        }
        #expect(try String(contentsOfFile: data + "/tsa-chain.pem", encoding: .utf8) == chains[0])
    }
}
