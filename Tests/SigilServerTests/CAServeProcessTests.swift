// `sigil ca serve --dev-issuer` as a process: keys with mode 0600, a certificate issued for a dev-issuer token,
// the same CA after a restart, SIGTERM exits 0.

import Foundation
import SigilServiceTesting
import SwiftASN1
import Testing
import X509

@Suite("sigil ca serve process", .serialized)
struct CAServeProcessTests {
    @Test("the CA process issues for a dev-issuer token, keeps 0600 keys, reuses its CA after restart and exits 0")
    func lifecycle() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: SigilExecutable.url.path), "build sigil first: \(SigilExecutable.url.path)")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("ca").path

        var bundles: [String] = []
        for round in 0..<2 {
            let process = try SigilProcess(["ca", "serve", "--data", data, "--port", "0", "--dev-issuer"])
            let issuer = try await process.waitForLine(startingWith: "dev OIDC issuer on ")
                .split(separator: " ").first.map(String.init) ?? ""
            let base = try await process.waitForLine(startingWith: "CA listening on ")
            #expect(issuer.hasPrefix("http://127.0.0.1:"))
            let bundle = try await http(base + "/api/v2/trustBundle")
            #expect(bundle.status == 200)
            bundles.append(bundle.text)
            if round == 0 {
                let token = try await mintToken(issuer, email: "frank@example.com")
                let answer = try await http(
                    base + "/api/v2/signingCert", method: "POST", headers: [("Authorization", "Bearer \(token)")],
                    body: csrBody(try sigstorePythonCSR()))
                #expect(answer.status == 201, "\(answer.text)")
                #expect(try responseCertificates(answer.body).count == 3)
                #expect(!process.text.contains(token), "stdout must not contain the token")
                #expect(!process.errorText.contains(token), "logs must not contain the token")
                #expect(process.errorText.contains("issued certificate"), "logs: \(process.errorText)")
            }
            #expect(try await process.terminate() == 0)
        }
        #expect(bundles.count == 2)
        #expect(bundles[0] == bundles[1], "restart must reuse the CA")
        for key in ["ca-root-key.pem", "ca-intermediate-key.pem", "ct-log-key.pem"] {
            #expect(try fileMode(data + "/" + key) == 0o600, "\(key)")
        }
    }
}
