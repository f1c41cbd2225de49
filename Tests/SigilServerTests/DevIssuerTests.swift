// The dev OIDC issuer: discovery and JWKS that SigilCA's verifier accepts, tokens with the promised claims,
// and the loopback-only rule for minting.

import Foundation
import Logging
import NIOCore
import SigilCA
import SigilClient
import SigilServer
import SigilServiceTesting
import SigilX509
import Testing

@Suite("dev OIDC issuer")
struct DevIssuerTests {
    @Test("discovery names the issuer URL and a jwks_uri whose keys verify the minted token as the email")
    func discoveryJWKSAndToken() async throws {
        let dev = DevIssuer()
        try await withRunningServer({ onRunning in
            dev.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.dev"), onServerRunning: onRunning)
        }) { port in
            let url = "http://127.0.0.1:\(port)"
            #expect(dev.issuerURL == url)
            let discovery = try await http(url + "/.well-known/openid-configuration")
            #expect(discovery.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(discovery.body)) as? [String: Any])
            #expect(object["issuer"] as? String == url)
            #expect(object["jwks_uri"] as? String == url + "/jwks")

            let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: url, kind: .email)], clock: { Date() })
            try await OIDCKeyRefresher(verifier: verifier).refresh(issuer: url)
            let token = try await http(url + "/token?email=erin@example.com")
            #expect(token.status == 200)
            let identity = try await verifier.verify(token.text)
            #expect(identity.subjectAlternativeName.value == "erin@example.com")
            #expect(identity.issuer == url)

            // Claims: aud sigstore, 10-minute lifetime, email_verified true.
            let claimsPart = try #require(token.text.split(separator: ".").dropFirst().first)
            var base64 = claimsPart.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let claimsData = try #require(Data(base64Encoded: base64))
            let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
            #expect(claims["aud"] as? String == "sigstore")
            #expect(claims["email_verified"] as? Bool == true)
            let iat = try #require(claims["iat"] as? Int)
            let exp = try #require(claims["exp"] as? Int)
            #expect(exp - iat == 600)
        }
    }

    @Test("token requests without a plausible email are 400", arguments: ["", "?email=", "?email=no-at-sign", "?email=a@b@c"])
    func badEmail(query: String) async throws {
        let dev = DevIssuer()
        try await withRunningServer({ onRunning in
            dev.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.dev"), onServerRunning: onRunning)
        }) { port in
            let answer = try await http("http://127.0.0.1:\(port)/token\(query)")
            #expect(answer.status == 400)
        }
    }

    @Test("only loopback peers count as loopback")
    func loopbackRule() throws {
        #expect(ServerSupport.isLoopback(try SocketAddress(ipAddress: "127.0.0.1", port: 1)))
        #expect(ServerSupport.isLoopback(try SocketAddress(ipAddress: "127.5.6.7", port: 1)))
        #expect(ServerSupport.isLoopback(try SocketAddress(ipAddress: "::1", port: 1)))
        #expect(!ServerSupport.isLoopback(try SocketAddress(ipAddress: "10.0.0.1", port: 1)))
        #expect(!ServerSupport.isLoopback(try SocketAddress(ipAddress: "128.0.0.1", port: 1)))
        #expect(!ServerSupport.isLoopback(try SocketAddress(ipAddress: "2001:db8::1", port: 1)))
        #expect(!ServerSupport.isLoopback(nil))
    }

    @Test("a fetch from an issuer whose discovery names another issuer fails")
    func discoveryMismatch() async throws {
        let dev = DevIssuer(url: "http://127.0.0.1:1")  // serves a discovery document for another URL
        try await withRunningServer({ onRunning in
            dev.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.dev"), onServerRunning: onRunning)
        }) { port in
            await #expect(throws: OIDCFetchError.self) {
                try await OIDCKeyRefresher.fetchJWKS(issuer: "http://127.0.0.1:\(port)")
            }
            do throws(OIDCFetchError) {
                _ = try await OIDCKeyRefresher.fetchJWKS(issuer: "http://127.0.0.1:\(port)")
            } catch {
                #expect(error.code == .invalidDiscovery)
            }
        }
    }

    @Test("on-demand refreshes of an issuer are at most one per minimum interval")
    func refreshIsRateBounded() async throws {
        let dev = DevIssuer()
        try await withRunningServer({ onRunning in
            dev.makeApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "test.dev"), onServerRunning: onRunning)
        }) { port in
            let url = "http://127.0.0.1:\(port)"
            let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: url, kind: .email)], clock: { Date() })
            let refresher = OIDCKeyRefresher(verifier: verifier, minimumInterval: .seconds(60))
            #expect(!verifier.hasKeys(for: url))
            #expect(await refresher.refreshIfDue())
            #expect(verifier.hasKeys(for: url))
            #expect(await refresher.refreshIfDue() == false)
        }
    }

    /// AsyncHTTPClient retries refused connections until the deadline, so this takes the whole timeout.
    @Test("an unreachable issuer is a transport error within the timeout")
    func unreachableIssuer() async throws {
        do throws(OIDCFetchError) {
            _ = try await OIDCKeyRefresher.fetchJWKS(issuer: "http://127.0.0.1:1", timeout: .seconds(1))
            Issue.record("fetching from a closed port succeeded")
        } catch {
            #expect(error.code == .transport)
        }
    }
}
