// Loading a ClientTrustConfig or a TrustedRoot + SigningConfig pair for signing: the documents a VirtualSigstore
// describes load back equal; wrong media types and malformed documents are refused as configuration errors.

import Foundation
import SigilBundle
import SigilClient
import SigilSign
import SigilTesting
import Testing

@Suite("Trust configuration for signing")
struct TrustConfigTests {
    static func config() throws -> SigningConfig {
        let start = TimeRange(start: try ProtoTimestamp(rfc3339: "2026-01-01T00:00:00Z"))
        return SigningConfig(
            caUrls: [Service(url: "http://127.0.0.1:5555", majorApiVersion: 1, validFor: start, operator: "l")],
            oidcUrls: [],
            rekorTlogUrls: [Service(url: "http://127.0.0.1:3003", majorApiVersion: 2, validFor: start, operator: "l")],
            rekorTlogConfig: ServiceConfiguration(selector: .any),
            tsaUrls: [
                Service(url: "http://127.0.0.1:3004/api/v1/timestamp", majorApiVersion: 1, validFor: start, operator: "l")
            ],
            tsaConfig: ServiceConfiguration(selector: .any))
    }

    @Test("a ClientTrustConfig and the separate documents load back equal")
    func loads() async throws {
        let sigstore = try await VirtualSigstore.make()
        await sigstore.shutdown()
        let config = try Self.config()
        let whole = ClientTrustConfig(trustedRoot: sigstore.trustedRoot, signingConfig: config)
        let loaded = try SigningTrust.clientTrustConfig(whole.jsonBytes())
        #expect(loaded.trustedRoot == sigstore.trustedRoot)
        #expect(loaded.signingConfig == config)
        let separate = try SigningTrust.separate(
            trustedRoot: sigstore.trustedRoot.jsonBytes(), signingConfig: config.jsonBytes())
        #expect(separate.trustedRoot == sigstore.trustedRoot)
        #expect(separate.signingConfig == config)
    }

    @Test("wrong media types, bad JSON and oversize documents are configuration errors")
    func refusals() async throws {
        let sigstore = try await VirtualSigstore.make()
        await sigstore.shutdown()
        var oldConfig = try Self.config()
        oldConfig.mediaType = "application/vnd.dev.sigstore.signingconfig.v0.1+json"
        var wrongWhole = ClientTrustConfig(trustedRoot: sigstore.trustedRoot, signingConfig: try Self.config())
        wrongWhole.mediaType = "application/vnd.dev.sigstore.clienttrustconfig.v0.2+json"
        let good = ClientTrustConfig(trustedRoot: sigstore.trustedRoot, signingConfig: try Self.config()).jsonBytes()
        let cases: [(String, () throws -> SigningTrust)] = [
            ("signing config v0.1", {
                try SigningTrust.separate(trustedRoot: sigstore.trustedRoot.jsonBytes(), signingConfig: oldConfig.jsonBytes())
            }),
            ("client trust config v0.2", { try SigningTrust.clientTrustConfig(wrongWhole.jsonBytes()) }),
            ("not JSON", { try SigningTrust.clientTrustConfig(Array("{".utf8)) }),
            ("trailing garbage", {
                try SigningTrust.clientTrustConfig(good + Array("x".utf8))
            }),
            ("oversize", { try SigningTrust.clientTrustConfig([UInt8](repeating: 0x20, count: SigningTrust.maxBytes + 1)) }),
            ("root in place of config", {
                try SigningTrust.separate(
                    trustedRoot: sigstore.trustedRoot.jsonBytes(), signingConfig: sigstore.trustedRoot.jsonBytes())
            }),
        ]
        #expect(cases.count > 0)
        for (name, load) in cases {
            do {
                _ = try load()
                Issue.record("\(name) loaded")
            } catch {
                #expect((error as? SignError)?.code == .invalidConfiguration, "\(name): \(error)")
            }
        }
    }
}
