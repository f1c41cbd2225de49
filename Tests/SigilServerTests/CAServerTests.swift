// The CA over live HTTP on 127.0.0.1, trusting the dev OIDC issuer whose keys it fetches by discovery over HTTP
// (SigilClient's OIDCKeyRefresher): a sigstore-python-style request gets a chain that SigilX509 verifies (chain,
// embedded SCT, email identity); bad tokens, bad CSRs and oversize bodies get the mapped statuses. The CT log is
// the static-ct-api log on the SigilLog engine, its assets served under /ct/.

import Crypto
import Foundation
import Logging
import SigilCA
import SigilCT
import SigilClient
import SigilLog
import SigilServer
import SigilServiceTesting
import SigilX509
import SwiftASN1
import Testing
import X509

struct RunningCA {
    let base: String
    let issuer: String
    let ctLog: CTLog
    let staticLog: StaticCTLog
    let material: CAMaterial
}

/// Runs a dev issuer and a CA trusting it; the CA starts without keys and loads them on the first token.
func withCA<R: Sendable>(_ body: (RunningCA) async throws -> R) async throws -> R {
    let dev = DevIssuer()
    return try await withRunningServer({ onRunning in
        dev.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.dev"), onServerRunning: onRunning)
    }) { _ in
        let issuerURL = try #require(dev.issuerURL)
        let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: issuerURL, kind: .email)], clock: { Date() })
        let refresher = OIDCKeyRefresher(verifier: verifier, timeout: .seconds(5))
        let material = try CAMaterial.generate(at: Date().addingTimeInterval(-60)).material
        let staticLog = try await StaticCTLog.open(
            storage: InMemoryLogStorage(), signingKey: P256.Signing.PrivateKey(), origin: "127.0.0.1/ct",
            issuers: [material.intermediate, material.root], clock: { Date() })
        let ctLog = staticLog.ctLog()
        let authority = CertificateAuthority(material: material, ctLog: ctLog, clock: { Date() })
        let server = CAServer(
            service: FulcioService(verifier: verifier, authority: authority), ctLog: staticLog,
            refreshKeys: { await refresher.refreshIfDue() })
        return try await withRunningServer({ onRunning in
            server.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.ca"), onServerRunning: onRunning)
        }) { port in
            try await body(
                RunningCA(
                    base: "http://127.0.0.1:\(port)", issuer: issuerURL, ctLog: ctLog, staticLog: staticLog,
                    material: material))
        }
    }
}

/// A CSR as sigstore-python makes it: empty subject, BasicConstraints CA:false (critical), ECDSA P-256 SHA-256.
func sigstorePythonCSR() throws -> String {
    let key = P256.Signing.PrivateKey()
    let extensions = try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) }
    let csr = try CertificateSigningRequest(
        version: .v1, subject: DistinguishedName(), privateKey: Certificate.PrivateKey(key),
        attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]),
        signatureAlgorithm: .ecdsaWithSHA256)
    return try csr.serializeAsPEM().pemString
}

/// `{"certificateSigningRequest": base64(PEM)}`, what sigstore-python posts.
func csrBody(_ pem: String) -> [UInt8] {
    Array(#"{"certificateSigningRequest":"\#(Data(pem.utf8).base64EncodedString())"}"#.utf8)
}

func mintToken(_ issuer: String, email: String) async throws -> String {
    let answer = try await http(issuer + "/token?email=\(email)")
    #expect(answer.status == 200)
    return answer.text
}

/// The PEM certificates of a signingCert response.
func responseCertificates(_ body: [UInt8]) throws -> [Certificate] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    let embedded = try #require(object["signedCertificateEmbeddedSct"] as? [String: Any])
    let chain = try #require(embedded["chain"] as? [String: Any])
    let pems = try #require(chain["certificates"] as? [String])
    return try pems.map { try Certificate(pemEncoded: $0) }
}

@Suite("CA server")
struct CAServerTests {
    @Test("a dev-issuer token and a sigstore-python CSR get 201 and a chain with a valid SCT naming the email")
    func issuesCertificate() async throws {
        try await withCA { ca in
            let token = try await mintToken(ca.issuer, email: "alice@example.com")
            let answer = try await http(
                ca.base + "/api/v2/signingCert", method: "POST",
                headers: [
                    ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
                    ("Accept", "application/pem-certificate-chain"),
                ],
                body: csrBody(try sigstorePythonCSR()))
            #expect(answer.status == 201, "\(answer.text)")
            let certificates = try responseCertificates(answer.body)
            try #require(certificates.count == 3)
            #expect(certificates[1] == ca.material.intermediate)
            #expect(certificates[2] == ca.material.root)
            let now = Date()
            let chain = try await FulcioChainVerifier.verify(
                leaf: certificates[0], trustAnchors: [certificates[2]], intermediates: [certificates[1]], at: now)
            let scts = try SCTVerifier.verifyEmbeddedSCTs(
                in: chain.leaf, issuer: chain.issuer, logs: [try ca.ctLog.verificationKey()], at: [now])
            #expect(scts.count == 1)
            #expect(try FulcioIdentity.identity(of: certificates[0]) == SubjectAlternativeName(kind: .email, value: "alice@example.com"))
        }
    }

    @Test("the CT log's static-ct-api assets under /ct/ hold the issued certificate's entry")
    func ctAssets() async throws {
        try await withCA { ca in
            let token = try await mintToken(ca.issuer, email: "dora@example.com")
            let answer = try await http(
                ca.base + "/api/v2/signingCert", method: "POST", headers: [("Authorization", "Bearer \(token)")],
                body: csrBody(try sigstorePythonCSR()))
            #expect(answer.status == 201, "\(answer.text)")
            let leaf = try #require(try responseCertificates(answer.body).first)
            let sct = try #require(try SignedCertificateTimestampList.embedded(in: leaf).first)
            _ = try await ca.staticLog.tileLog.waitForCheckpoint(covering: 0)

            let checkpoint = try await http(ca.base + "/ct/checkpoint")
            #expect(checkpoint.status == 200)
            #expect(checkpoint.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(checkpoint.headers["cache-control"] == "public, max-age=1")
            #expect(checkpoint.text.hasPrefix("127.0.0.1/ct\n1\n"))
            #expect(checkpoint.text.components(separatedBy: "\u{2014} 127.0.0.1/ct ").count == 3, "two signatures")

            let data = try await http(ca.base + "/ct/tile/data/000.p/1")
            #expect(data.status == 200)
            #expect(data.headers["content-type"] == "application/octet-stream")
            let entry = try #require(try PrecertificateTileLeaf.parseDataTile(data.body, width: 1).first)
            #expect(entry.timestamp == sct.timestamp)
            #expect(entry.extensions == sct.extensions)
            #expect(entry.tbsCertificate == (try PrecertificateTBS.reconstruct(from: leaf)))
            let tile = try await http(ca.base + "/ct/tile/0/000.p/1")
            #expect(tile.body == Array(SHA256.hash(data: [0] + entry.merkleTreeLeaf)))

            let intermediate = try CertificateCoding.der(ca.material.intermediate)
            let hex = SHA256.hash(data: intermediate).map { String(format: "%02x", $0) }.joined()
            #expect(entry.chainFingerprints.first == Array(SHA256.hash(data: intermediate)))
            let issuer = try await http(ca.base + "/ct/issuer/\(hex)")
            #expect(issuer.status == 200)
            #expect(issuer.headers["content-type"] == "application/pkix-cert")
            #expect(issuer.body == intermediate)

            for path in ["/ct/tile/data/000", "/ct/issuer/\(String(repeating: "0", count: 64))", "/ct/nothing",
                "/checkpoint", "/tile/0/000.p/1"]
            {
                #expect(try await http(ca.base + path).status == 404, "\(path)")
            }
        }
    }

    @Test("the token may also come in credentials.oidcIdentityToken")
    func tokenInBody() async throws {
        try await withCA { ca in
            let token = try await mintToken(ca.issuer, email: "bob@example.com")
            let csr = Data(try sigstorePythonCSR().utf8).base64EncodedString()
            let body = #"{"credentials":{"oidcIdentityToken":"\#(token)"},"certificateSigningRequest":"\#(csr)"}"#
            let answer = try await http(ca.base + "/api/v2/signingCert", method: "POST", body: Array(body.utf8))
            #expect(answer.status == 201, "\(answer.text)")
        }
    }

    @Test("a tampered, foreign or missing token is 401 with a message that does not echo the token")
    func badTokens() async throws {
        try await withCA { ca in
            let token = try await mintToken(ca.issuer, email: "carol@example.com")
            var tampered = Array(token.utf8)
            let last = tampered.count - 2
            tampered[last] = tampered[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let other = DevIssuer(url: ca.issuer)  // same iss, other key: unknown kid
            let foreign = try other.token(email: "carol@example.com")
            let cases: [(String, String?)] = [
                ("tampered signature", String(decoding: tampered, as: UTF8.self)),
                ("unknown key", foreign),
                ("not a JWT", "not.a.jwt"),
                ("no token", nil),
            ]
            for (name, bad) in cases {
                let headers = bad.map { [("Authorization", "Bearer \($0)")] } ?? []
                let answer = try await http(
                    ca.base + "/api/v2/signingCert", method: "POST", headers: headers,
                    body: csrBody(try sigstorePythonCSR()))
                #expect(answer.status == 401, "\(name): \(answer.text)")
                #expect(answer.text.hasPrefix(#"{"code":16,"message":"#), "\(name): \(answer.text)")
                if let bad {
                    for part in bad.split(separator: ".") where part.count > 8 {
                        #expect(!answer.text.contains(part), "\(name): the answer echoes the token")
                    }
                }
            }
        }
    }

    @Test("a malformed CSR is 400 and a body over the limit is 413")
    func badRequests() async throws {
        try await withCA { ca in
            let token = try await mintToken(ca.issuer, email: "dave@example.com")
            let garbage = try await http(
                ca.base + "/api/v2/signingCert", method: "POST", headers: [("Authorization", "Bearer \(token)")],
                body: Array(#"{"certificateSigningRequest":"AAAA"}"#.utf8))
            #expect(garbage.status == 400, "\(garbage.text)")
            #expect(garbage.text.hasPrefix(#"{"code":3,"message":"#))
            let notJSON = try await http(
                ca.base + "/api/v2/signingCert", method: "POST", headers: [("Authorization", "Bearer \(token)")],
                body: Array("{".utf8))
            #expect(notJSON.status == 400)
            let huge = try await http(
                ca.base + "/api/v2/signingCert", method: "POST", headers: [("Authorization", "Bearer \(token)")],
                body: [UInt8](repeating: UInt8(ascii: " "), count: CAServer.maxBodySize + 1))
            #expect(huge.status == 413)
        }
    }

    @Test("the trust bundle lists the intermediate then the root, and metrics count signingCert requests")
    func trustBundleAndMetrics() async throws {
        try await withCA { ca in
            let answer = try await http(ca.base + "/api/v2/trustBundle")
            #expect(answer.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
            let chains = try #require(object["chains"] as? [[String: Any]])
            let pems = try #require(chains.first?["certificates"] as? [String])
            #expect(try pems.map { try Certificate(pemEncoded: $0) } == [ca.material.intermediate, ca.material.root])
            _ = try await http(ca.base + "/api/v2/signingCert", method: "POST", body: csrBody(try sigstorePythonCSR()))
            let metrics = try await http(ca.base + "/metrics")
            #expect(metrics.text.contains(#"sigil_ca_http_requests_total{route="/api/v2/signingCert",method="POST",status="401"} 1"#), "\(metrics.text)")
            #expect((try await http(ca.base + "/healthz")).status == 200)
        }
    }
}
