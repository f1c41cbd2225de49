// Test helpers: a real OIDC issuer (ES256 and RS256 keys via jwt-kit, its JWKS as JSON), a fixed clock, and
// a CA built from generated material with an in-memory CT log. Tokens are minted and verified for real.

import Crypto
import Foundation
import JWTKit
import SigilCA
import SigilCT
import SigilTesting
import SigilX509
import SwiftASN1
import Testing
import X509

/// The fixed "now" of every test (2026-09-21T...Z).
let testNow = Date(timeIntervalSince1970: 1_790_000_000)
let fixedClock: @Sendable () -> Date = { testNow }

/// A JSON claim value for minting tokens.
enum Claim: Encodable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])
    case object([String: Claim])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .strings(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// A JWT payload with arbitrary claims (minting only).
struct Claims: JWTPayload {
    var values: [String: Claim]

    init(_ values: [String: Claim]) { self.values = values }

    init(from decoder: any Decoder) throws { values = [:] }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

func base64URL(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// An OIDC issuer under test control: signing keys, their JWKS, token minting.
struct TestOIDCIssuer: Sendable {
    let url: String
    let ecKey: ES256PrivateKey
    let rsaKey: JWTKit.Insecure.RSA.PrivateKey
    let ecKID: String
    let rsaKID: String
    let signers: JWTKeyCollection

    init(url: String, ecKID: String = "ec-1", rsaKID: String = "rsa-1") async throws {
        self.url = url
        self.ecKID = ecKID
        self.rsaKID = rsaKID
        ecKey = ES256PrivateKey()
        rsaKey = try JWTKit.Insecure.RSA.PrivateKey(pem: try Fixtures.text("ca/oidc-rsa2048-test-key.pem"))
        signers = JWTKeyCollection()
        await signers.add(ecdsa: ecKey, kid: JWKIdentifier(string: ecKID))
        await signers.add(rsa: rsaKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: rsaKID))
    }

    /// The JWKS document (public keys only).
    func jwksJSON(includeEC: Bool = true, includeRSA: Bool = true) throws -> String {
        var keys: [String] = []
        if includeEC, let parameters = ecKey.parameters {
            keys.append(
                #"{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"\#(ecKID)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
            )
        }
        if includeRSA {
            let primitives = try rsaKey.publicKey.getKeyPrimitives()
            keys.append(
                #"{"kty":"RSA","use":"sig","alg":"RS256","kid":"\#(rsaKID)","n":"\#(base64URL(primitives.modulus))","e":"\#(base64URL(primitives.publicExponent))"}"#
            )
        }
        return #"{"keys":[\#(keys.joined(separator: ","))]}"#
    }

    /// Standard claims valid at `testNow` plus `extra`; `nil` values in `remove` drop claims.
    func claims(_ extra: [String: Claim], removing: [String] = []) -> [String: Claim] {
        var values: [String: Claim] = [
            "iss": .string(url), "aud": .string("sigstore"), "sub": .string("subject-1"),
            "iat": .int(Int(testNow.timeIntervalSince1970) - 60),
            "exp": .int(Int(testNow.timeIntervalSince1970) + 540),
        ]
        for (name, value) in extra { values[name] = value }
        for name in removing { values[name] = nil }
        return values
    }

    func token(_ claims: [String: Claim], kid: String? = nil) async throws -> String {
        try await signers.sign(Claims(claims), kid: JWKIdentifier(string: kid ?? ecKID))
    }
}

/// A CA over generated material and an in-memory CT log, all at `testNow`.
struct TestCA: Sendable {
    let generated: GeneratedCA
    let ctKey: P256.Signing.PrivateKey
    let ctLogStore: InMemoryPrecertificateLog
    let ctLog: CTLog
    let authority: CertificateAuthority

    init() throws {
        generated = try CAMaterial.generate(at: testNow.addingTimeInterval(-86400))
        ctKey = P256.Signing.PrivateKey()
        ctLogStore = InMemoryPrecertificateLog(clock: fixedClock)
        ctLog = CTLog(signingKey: ctKey, logger: ctLogStore)
        authority = CertificateAuthority(material: generated.material, ctLog: ctLog, clock: fixedClock)
    }

    var root: Certificate { generated.material.root }
    var intermediate: Certificate { generated.material.intermediate }
}

/// A fresh P-256 key with a CSR as sigstore-python builds it: empty subject, one extension request
/// BasicConstraints CA:false (critical), ECDSA-SHA256. Returns the key and the base64 of the CSR's PEM text.
func sigstorePythonStyleCSR() throws -> (key: P256.Signing.PrivateKey, csrPEM: String) {
    let key = P256.Signing.PrivateKey()
    let extensions = try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
    }
    let csr = try CertificateSigningRequest(
        version: .v1, subject: DistinguishedName(), privateKey: Certificate.PrivateKey(key),
        attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]),
        signatureAlgorithm: .ecdsaWithSHA256)
    return (key, try csr.serializeAsPEM().pemString)
}

/// The Fulcio request body sigstore-python sends: `{"certificateSigningRequest": base64(PEM text)}`.
func csrRequestBody(_ pem: String) -> [UInt8] {
    Array(#"{"certificateSigningRequest":"\#(Data(pem.utf8).base64EncodedString())"}"#.utf8)
}

/// Expects `body` to throw a `CAError` with `code`.
func expectCAError(
    _ code: CAError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected CAError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as CAError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CAError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
