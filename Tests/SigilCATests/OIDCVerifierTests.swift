// OIDC token verification with real tokens: minted by jwt-kit with ES256 and RS256 keys, checked against the
// issuer's JWKS. One test per issuer type for the identity it yields; one row per rejection with its code.

import Foundation
import JWTKit
import SigilBundle
import SigilCA
import SigilX509
import Testing

private let emailIssuerURL = "https://accounts.example.com"
private let githubIssuerURL = "https://token.actions.githubusercontent.com"
private let kubernetesIssuerURL = "https://oidc.cluster.example.com/id/abc"
private let spiffeIssuerURL = "https://spire.example.org"
private let uriIssuerURL = "https://ci.example.com/oidc"

/// Verifier and issuers for all five kinds, keys loaded.
struct OIDCFixture {
    let email: TestOIDCIssuer
    let github: TestOIDCIssuer
    let kubernetes: TestOIDCIssuer
    let spiffe: TestOIDCIssuer
    let uri: TestOIDCIssuer
    let verifier: OIDCVerifier

    init(clock: @escaping @Sendable () -> Date = fixedClock) async throws {
        email = try await TestOIDCIssuer(url: emailIssuerURL)
        github = try await TestOIDCIssuer(url: githubIssuerURL)
        kubernetes = try await TestOIDCIssuer(url: kubernetesIssuerURL)
        spiffe = try await TestOIDCIssuer(url: spiffeIssuerURL)
        uri = try await TestOIDCIssuer(url: uriIssuerURL)
        verifier = try OIDCVerifier(
            issuers: [
                try OIDCIssuer(url: emailIssuerURL, kind: .email),
                try OIDCIssuer(url: githubIssuerURL, kind: .githubWorkflow),
                try OIDCIssuer(url: kubernetesIssuerURL, kind: .kubernetes),
                try OIDCIssuer(url: spiffeIssuerURL, kind: .spiffe, subjectDomain: "example.org"),
                try OIDCIssuer(url: uriIssuerURL, kind: .uri, subjectDomain: "https://ci.example.com"),
            ], clock: clock)
        for issuer in [email, github, kubernetes, spiffe, uri] {
            try await verifier.setKeys(jwksJSON: try issuer.jwksJSON(), for: issuer.url)
        }
    }

    func emailToken(_ extra: [String: Claim] = [:], removing: [String] = [], kid: String? = nil) async throws -> String
    {
        var claims: [String: Claim] = ["email": .string("alice@example.com"), "email_verified": .bool(true)]
        for (name, value) in extra { claims[name] = value }
        return try await email.token(email.claims(claims, removing: removing), kid: kid)
    }

    static let githubClaims: [String: Claim] = [
        "sub": .string("repo:octo/hello:ref:refs/heads/main"),
        "job_workflow_ref": .string("octo/hello/.github/workflows/release.yml@refs/heads/main"),
        "job_workflow_sha": .string("1111111111111111111111111111111111111111"),
        "repository": .string("octo/hello"), "repository_id": .string("123456"),
        "repository_owner": .string("octo"), "repository_owner_id": .string("42"),
        "repository_visibility": .string("public"), "event_name": .string("push"),
        "sha": .string("2222222222222222222222222222222222222222"), "ref": .string("refs/heads/main"),
        "workflow": .string("Release"),
        "workflow_ref": .string("octo/hello/.github/workflows/release.yml@refs/heads/main"),
        "workflow_sha": .string("3333333333333333333333333333333333333333"),
        "run_id": .string("987654321"), "run_attempt": .string("2"), "runner_environment": .string("github-hosted"),
    ]
}

@Suite("OIDC token verification")
struct OIDCVerifierTests {
    @Test func anEmailTokenSignedWithES256YieldsTheVerifiedAddress() async throws {
        let fixture = try await OIDCFixture()
        let identity = try await fixture.verifier.verify(try await fixture.emailToken())
        #expect(identity.subjectAlternativeName == SubjectAlternativeName(kind: .email, value: "alice@example.com"))
        #expect(identity.issuer == emailIssuerURL)
        #expect(identity.challenge == "alice@example.com")
        #expect(identity.extensions.issuer == emailIssuerURL)
        #expect(identity.extensions.issuerV2 == emailIssuerURL)
        #expect(identity.extensions.tokenSubject == "subject-1")
        #expect(identity.extensions.buildSignerURI == nil)
    }

    @Test func anEmailTokenSignedWithRS256Verifies() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.emailToken(kid: fixture.email.rsaKID)
        let header = try #require(Data(base64Encoded: padded(String(token.split(separator: ".")[0]))))
        #expect(String(decoding: header, as: UTF8.self).contains(#""alg":"RS256""#))
        let identity = try await fixture.verifier.verify(token)
        #expect(identity.subjectAlternativeName.value == "alice@example.com")
    }

    @Test func emailVerifiedMayBeTheStringTrue() async throws {
        let fixture = try await OIDCFixture()
        let identity = try await fixture.verifier.verify(
            try await fixture.emailToken(["email_verified": .string("true")]))
        #expect(identity.subjectAlternativeName.kind == .email)
    }

    @Test func anAudienceArrayContainingSigstoreIsAccepted() async throws {
        let fixture = try await OIDCFixture()
        let identity = try await fixture.verifier.verify(
            try await fixture.emailToken(["aud": .strings(["other", "sigstore"])]))
        #expect(identity.subject == "subject-1")
    }

    @Test func aDexIssuerClaimReplacesTheIssuerExtensions() async throws {
        let dex = try await TestOIDCIssuer(url: "https://oauth2.example.dev/auth")
        let verifier = try OIDCVerifier(
            issuers: [try OIDCIssuer(url: dex.url, kind: .email, issuerClaim: "federated_claims.connector_id")],
            clock: fixedClock)
        try await verifier.setKeys(jwksJSON: try dex.jwksJSON(), for: dex.url)
        let token = try await dex.token(
            dex.claims([
                "email": .string("bob@example.net"), "email_verified": .bool(true),
                "federated_claims": .object(["connector_id": .string("https://github.com/login/oauth")]),
            ]))
        let identity = try await verifier.verify(token)
        #expect(identity.issuer == dex.url)
        #expect(identity.extensions.issuer == "https://github.com/login/oauth")
        #expect(identity.extensions.issuerV2 == "https://github.com/login/oauth")
    }

    @Test func aGitHubWorkflowTokenYieldsTheWorkflowURIAndTheCIExtensions() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.github.token(
            fixture.github.claims(OIDCFixture.githubClaims), kid: fixture.github.rsaKID)
        let identity = try await fixture.verifier.verify(token)
        let workflow = "https://github.com/octo/hello/.github/workflows/release.yml@refs/heads/main"
        #expect(identity.subjectAlternativeName == SubjectAlternativeName(kind: .uri, value: workflow))
        #expect(identity.challenge == "repo:octo/hello:ref:refs/heads/main")
        let ext = identity.extensions
        #expect(ext.issuer == githubIssuerURL)
        #expect(ext.githubWorkflowTrigger == "push")
        #expect(ext.githubWorkflowSHA == "2222222222222222222222222222222222222222")
        #expect(ext.githubWorkflowName == "Release")
        #expect(ext.githubWorkflowRepository == "octo/hello")
        #expect(ext.githubWorkflowRef == "refs/heads/main")
        #expect(ext.buildSignerURI == workflow)
        #expect(ext.buildSignerDigest == "1111111111111111111111111111111111111111")
        #expect(ext.runnerEnvironment == "github-hosted")
        #expect(ext.sourceRepositoryURI == "https://github.com/octo/hello")
        #expect(ext.sourceRepositoryDigest == "2222222222222222222222222222222222222222")
        #expect(ext.sourceRepositoryRef == "refs/heads/main")
        #expect(ext.sourceRepositoryIdentifier == "123456")
        #expect(ext.sourceRepositoryOwnerURI == "https://github.com/octo")
        #expect(ext.sourceRepositoryOwnerIdentifier == "42")
        #expect(ext.buildConfigURI == workflow)
        #expect(ext.buildConfigDigest == "3333333333333333333333333333333333333333")
        #expect(ext.buildTrigger == "push")
        #expect(ext.runInvocationURI == "https://github.com/octo/hello/actions/runs/987654321/attempts/2")
        #expect(ext.sourceRepositoryVisibilityAtSigning == "public")
        #expect(ext.deploymentEnvironment == nil)
    }

    @Test func aKubernetesServiceAccountTokenYieldsTheServiceAccountURI() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.kubernetes.token(
            fixture.kubernetes.claims([
                "sub": .string("system:serviceaccount:build:signer"),
                "kubernetes.io": .object([
                    "namespace": .string("build"), "serviceaccount": .object(["name": .string("signer")]),
                ]),
            ]))
        let identity = try await fixture.verifier.verify(token)
        #expect(
            identity.subjectAlternativeName
                == SubjectAlternativeName(
                    kind: .uri, value: "https://kubernetes.io/namespaces/build/serviceaccounts/signer"))
        #expect(identity.extensions.issuer == kubernetesIssuerURL)
    }

    @Test func aSPIFFETokenInTheTrustDomainYieldsTheSPIFFEID() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.spiffe.token(
            fixture.spiffe.claims(["sub": .string("spiffe://example.org/ns/prod/sa/signer")]))
        let identity = try await fixture.verifier.verify(token)
        #expect(
            identity.subjectAlternativeName
                == SubjectAlternativeName(kind: .uri, value: "spiffe://example.org/ns/prod/sa/signer"))
    }

    @Test func aURITokenUnderTheSubjectDomainYieldsTheURI() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.uri.token(
            fixture.uri.claims(["sub": .string("https://ci.example.com/pipelines/7")]))
        let identity = try await fixture.verifier.verify(token)
        #expect(
            identity.subjectAlternativeName
                == SubjectAlternativeName(kind: .uri, value: "https://ci.example.com/pipelines/7"))
        #expect(identity.challenge == "https://ci.example.com/pipelines/7")
    }

    @Test func aTokenWithoutKidIsCheckedAgainstTheKeysOfItsAlgorithm() async throws {
        let fixture = try await OIDCFixture()
        let unnamed = JWTKeyCollection()
        await unnamed.add(ecdsa: fixture.email.ecKey)
        let token = try await unnamed.sign(
            Claims(fixture.email.claims(["email": .string("alice@example.com"), "email_verified": .bool(true)])))
        #expect(
            !String(
                decoding: try #require(Data(base64Encoded: padded(String(token.split(separator: ".")[0])))),
                as: UTF8.self
            ).contains("kid"))
        let identity = try await fixture.verifier.verify(token)
        #expect(identity.subjectAlternativeName.value == "alice@example.com")
    }

    @Test func rotatingTheJWKSRetiresOldKeysAndAdmitsNewOnes() async throws {
        let fixture = try await OIDCFixture()
        let rotated = try await TestOIDCIssuer(url: emailIssuerURL, ecKID: "ec-2", rsaKID: "rsa-2")
        let newToken = try await rotated.token(
            rotated.claims(["email": .string("alice@example.com"), "email_verified": .bool(true)]))
        await expectCAError(.unknownKey) { _ = try await fixture.verifier.verify(newToken) }
        try await fixture.verifier.setKeys(jwksJSON: try rotated.jwksJSON(), for: emailIssuerURL)
        #expect(try await fixture.verifier.verify(newToken).subjectAlternativeName.value == "alice@example.com")
        let oldToken = try await fixture.emailToken()
        await expectCAError(.unknownKey) { _ = try await fixture.verifier.verify(oldToken) }
    }

    @Test func aBadJWKSLeavesTheOldKeysInPlace() async throws {
        let fixture = try await OIDCFixture()
        for bad in [
            #"{"keys":[]}"#, #"{"keys":[{"kty":"oct","k":"AAAA"}]}"#, "not json", #"{"keys":{}}"#,
            #"{"keys":[{"kty":"EC","crv":"P-256","kid":"a","x":"AAAA"}]}"#,
            #"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB","d":"AQAB"}]}"#,
        ] {
            await expectCAError(.invalidConfiguration) {
                try await fixture.verifier.setKeys(jwksJSON: bad, for: emailIssuerURL)
            }
        }
        _ = try await fixture.verifier.verify(try await fixture.emailToken())
    }

    @Test func keysForAnUnconfiguredIssuerAreRefused() async throws {
        let fixture = try await OIDCFixture()
        await expectCAError(.invalidConfiguration) {
            try await fixture.verifier.setKeys(jwksJSON: try fixture.email.jwksJSON(), for: "https://elsewhere.example")
        }
    }

    @Test func issuerConfigurationIsValidated() {
        #expect(throws: CAError.self) { try OIDCIssuer(url: "not a url", kind: .email) }
        #expect(throws: CAError.self) { try OIDCIssuer(url: "ftp://x.example", kind: .email) }
        #expect(throws: CAError.self) {
            try OIDCIssuer(url: "https://a.example.com", kind: .uri, subjectDomain: "https://evil.test")
        }
        #expect(throws: CAError.self) {
            try OIDCIssuer(url: "https://a.example.com", kind: .spiffe, subjectDomain: "Bad Domain")
        }
        #expect(throws: CAError.self) { try OIDCIssuer(url: "https://a.example.com", kind: .email, clientID: "") }
        #expect(
            (try? OIDCIssuer(url: "https://a.example.com", kind: .uri, subjectDomain: "https://b.example.com")) != nil)
        #expect(OIDCIssuer.Kind(configName: "github-workflow") == .githubWorkflow)
        #expect(OIDCIssuer.Kind(configName: "username") == nil)
    }
}

func padded(_ base64url: String) -> String {
    var text = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while text.count % 4 != 0 { text += "=" }
    return text
}

/// Replaces one dot-separated part of a token.
func replacingPart(_ token: String, _ index: Int, with part: String) -> String {
    var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    parts[index] = part
    return parts.joined(separator: ".")
}

/// One rejection: how to make the token, and the code it must fail with.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let code: CAError.Code
    let make: @Sendable (OIDCFixture) async throws -> String
    var testDescription: String { "\(name) → \(code)" }
}

let rejectionCases: [RejectionCase] = [
    RejectionCase(name: "claims changed after signing", code: .badSignature) { fixture in
        let token = try await fixture.emailToken()
        let forged = base64URL(
            Data(
                #"{"iss":"\#(emailIssuerURL)","aud":"sigstore","sub":"x","email":"mallory@example.com","email_verified":true,"iat":1789999940,"exp":1790000540}"#
                    .utf8))
        return replacingPart(token, 1, with: forged)
    },
    RejectionCase(name: "signed by another key under a known kid", code: .badSignature) { fixture in
        let impostor = try await TestOIDCIssuer(url: emailIssuerURL)
        return try await impostor.token(
            impostor.claims(["email": .string("alice@example.com"), "email_verified": .bool(true)]))
    },
    RejectionCase(name: "RS256 signature bit flip", code: .badSignature) { fixture in
        let token = try await fixture.emailToken(kid: fixture.email.rsaKID)
        var signature = Array(try #require(Data(base64Encoded: padded(String(token.split(separator: ".")[2])))))
        signature[10] ^= 0x01
        return replacingPart(token, 2, with: base64URL(signature))
    },
    RejectionCase(name: "unknown kid", code: .unknownKey) { fixture in
        let stranger = try await TestOIDCIssuer(url: emailIssuerURL, ecKID: "not-in-jwks")
        return try await stranger.token(
            stranger.claims(["email": .string("alice@example.com"), "email_verified": .bool(true)]))
    },
    RejectionCase(name: "kid of an RSA key on an ES256 token", code: .unsupportedAlgorithm) { fixture in
        let token = try await fixture.emailToken()
        let header = base64URL(Data(#"{"alg":"ES256","kid":"\#(fixture.email.rsaKID)","typ":"JWT"}"#.utf8))
        return replacingPart(token, 0, with: header)
    },
    RejectionCase(name: "alg none", code: .unsupportedAlgorithm) { fixture in
        let token = try await fixture.emailToken()
        return replacingPart(replacingPart(token, 0, with: base64URL(Data(#"{"alg":"none"}"#.utf8))), 2, with: "AA")
    },
    RejectionCase(name: "alg HS256", code: .unsupportedAlgorithm) { fixture in
        let token = try await fixture.emailToken()
        return replacingPart(token, 0, with: base64URL(Data(#"{"alg":"HS256","kid":"ec-1"}"#.utf8)))
    },
    RejectionCase(name: "critical header extension", code: .malformedToken) { fixture in
        let token = try await fixture.emailToken()
        return replacingPart(token, 0, with: base64URL(Data(#"{"alg":"ES256","kid":"ec-1","crit":["exp"],"exp":1}"#.utf8)))
    },
    RejectionCase(name: "issuer not configured", code: .wrongIssuer) { fixture in
        try await fixture.emailToken(["iss": .string("https://accounts.example.com/")])
    },
    RejectionCase(name: "no iss", code: .missingClaim) { fixture in try await fixture.emailToken(removing: ["iss"]) },
    RejectionCase(name: "audience is another client", code: .wrongAudience) { fixture in
        try await fixture.emailToken(["aud": .string("not-sigstore")])
    },
    RejectionCase(name: "audience array without sigstore", code: .wrongAudience) { fixture in
        try await fixture.emailToken(["aud": .strings(["a", "b"])])
    },
    RejectionCase(name: "no aud", code: .missingClaim) { fixture in try await fixture.emailToken(removing: ["aud"]) },
    RejectionCase(name: "expired an hour ago", code: .expired) { fixture in
        try await fixture.emailToken([
            "exp": .int(Int(testNow.timeIntervalSince1970) - 3600),
            "iat": .int(Int(testNow.timeIntervalSince1970) - 7200),
        ])
    },
    RejectionCase(name: "expired just beyond the skew", code: .expired) { fixture in
        try await fixture.emailToken(["exp": .int(Int(testNow.timeIntervalSince1970) - 31)])
    },
    RejectionCase(name: "no exp", code: .missingClaim) { fixture in try await fixture.emailToken(removing: ["exp"]) },
    RejectionCase(name: "exp is a string", code: .malformedToken) { fixture in
        try await fixture.emailToken(["exp": .string("1790000540")])
    },
    RejectionCase(name: "nbf in the future", code: .notYetValid) { fixture in
        try await fixture.emailToken(["nbf": .int(Int(testNow.timeIntervalSince1970) + 120)])
    },
    RejectionCase(name: "iat in the future", code: .notYetValid) { fixture in
        try await fixture.emailToken(["iat": .int(Int(testNow.timeIntervalSince1970) + 120)])
    },
    RejectionCase(name: "no iat", code: .missingClaim) { fixture in try await fixture.emailToken(removing: ["iat"]) },
    RejectionCase(name: "no sub", code: .missingClaim) { fixture in try await fixture.emailToken(removing: ["sub"]) },
    RejectionCase(name: "email issuer without email", code: .missingClaim) { fixture in
        try await fixture.emailToken(removing: ["email"])
    },
    RejectionCase(name: "email_verified false", code: .emailNotVerified) { fixture in
        try await fixture.emailToken(["email_verified": .bool(false)])
    },
    RejectionCase(name: "email_verified missing", code: .emailNotVerified) { fixture in
        try await fixture.emailToken(removing: ["email_verified"])
    },
    RejectionCase(name: "email that is not an address", code: .invalidSubject) { fixture in
        try await fixture.emailToken(["email": .string("alice")])
    },
    RejectionCase(name: "GitHub token without job_workflow_ref", code: .missingClaim) { fixture in
        var claims = OIDCFixture.githubClaims
        claims["job_workflow_ref"] = nil
        return try await fixture.github.token(fixture.github.claims(claims))
    },
    RejectionCase(name: "GitHub token without repository", code: .missingClaim) { fixture in
        var claims = OIDCFixture.githubClaims
        claims["repository"] = nil
        return try await fixture.github.token(fixture.github.claims(claims))
    },
    RejectionCase(name: "Kubernetes sub that is not a service account", code: .invalidSubject) { fixture in
        try await fixture.kubernetes.token(fixture.kubernetes.claims(["sub": .string("system:node:worker-1")]))
    },
    RejectionCase(name: "Kubernetes claim disagreeing with sub", code: .invalidSubject) { fixture in
        try await fixture.kubernetes.token(
            fixture.kubernetes.claims([
                "sub": .string("system:serviceaccount:build:signer"),
                "kubernetes.io": .object(["namespace": .string("prod")]),
            ]))
    },
    RejectionCase(name: "SPIFFE ID of another trust domain", code: .invalidSubject) { fixture in
        try await fixture.spiffe.token(fixture.spiffe.claims(["sub": .string("spiffe://evil.example/ns/prod")]))
    },
    RejectionCase(name: "SPIFFE ID with a dot-dot segment", code: .invalidSubject) { fixture in
        try await fixture.spiffe.token(fixture.spiffe.claims(["sub": .string("spiffe://example.org/../x")]))
    },
    RejectionCase(name: "URI subject on another host", code: .invalidSubject) { fixture in
        try await fixture.uri.token(fixture.uri.claims(["sub": .string("https://evil.example.com/pipelines/7")]))
    },
    RejectionCase(name: "URI subject with another scheme", code: .invalidSubject) { fixture in
        try await fixture.uri.token(fixture.uri.claims(["sub": .string("http://ci.example.com/pipelines/7")]))
    },
    RejectionCase(name: "URI subject that is an email", code: .invalidSubject) { fixture in
        try await fixture.uri.token(fixture.uri.claims(["sub": .string("alice@ci.example.com")]))
    },
    RejectionCase(name: "two parts", code: .malformedToken) { fixture in
        let token = try await fixture.emailToken()
        return token.split(separator: ".").prefix(2).joined(separator: ".")
    },
    RejectionCase(name: "four parts", code: .malformedToken) { fixture in try await fixture.emailToken() + ".AA" },
    RejectionCase(name: "padded base64url", code: .malformedToken) { fixture in
        let token = try await fixture.emailToken()
        return replacingPart(token, 1, with: String(token.split(separator: ".")[1]) + "=")
    },
    RejectionCase(name: "header that is not JSON", code: .malformedToken) { fixture in
        replacingPart(try await fixture.emailToken(), 0, with: base64URL(Data("alg:ES256".utf8)))
    },
    RejectionCase(name: "claims with a duplicate name", code: .malformedToken) { fixture in
        let claims = #"{"iss":"\#(emailIssuerURL)","iss":"\#(emailIssuerURL)","aud":"sigstore"}"#
        return replacingPart(try await fixture.emailToken(), 1, with: base64URL(Data(claims.utf8)))
    },
    RejectionCase(name: "oversize token", code: .malformedToken) { fixture in
        try await fixture.emailToken(["padding": .string(String(repeating: "x", count: 70_000))])
    },
    RejectionCase(name: "empty token", code: .missingToken) { _ in "" },
]

@Suite("OIDC token rejections")
struct OIDCRejectionTests {
    @Test func theRejectionTableIsNotEmpty() {
        #expect(rejectionCases.count > 30)
    }

    @Test(arguments: rejectionCases)
    func aBadTokenIsRejectedWithItsCode(_ rejection: RejectionCase) async throws {
        let fixture = try await OIDCFixture()
        let token = try await rejection.make(fixture)
        await expectCAError(rejection.code) { _ = try await fixture.verifier.verify(token) }
        // Whatever the failure, the token itself never appears in the error.
        do {
            _ = try await fixture.verifier.verify(token)
        } catch {
            if token.count > 20 { #expect(!"\(error)".contains(token)) }
            let signature = token.split(separator: ".").last.map(String.init) ?? ""
            if signature.count > 20 { #expect(!"\(error)".contains(signature)) }
        }
    }

    @Test func aTokenForAnIssuerWithoutKeysIsUnavailableNotUnauthorized() async throws {
        let issuer = try await TestOIDCIssuer(url: emailIssuerURL)
        let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: emailIssuerURL, kind: .email)], clock: fixedClock)
        let token = try await issuer.token(
            issuer.claims(["email": .string("a@b.example"), "email_verified": .bool(true)]))
        await expectCAError(.issuerKeysUnavailable) { _ = try await verifier.verify(token) }
    }

    @Test func expiryWithinTheSkewIsAccepted() async throws {
        let fixture = try await OIDCFixture()
        let token = try await fixture.emailToken(["exp": .int(Int(testNow.timeIntervalSince1970) - 10)])
        #expect(try await fixture.verifier.verify(token).subjectAlternativeName.value == "alice@example.com")
    }

    @Test func theSameTokenExpiresWhenTheClockMovesOn() async throws {
        let fixture = try await OIDCFixture(clock: { testNow.addingTimeInterval(600) })
        let token = try await fixture.emailToken()
        await expectCAError(.expired) { _ = try await fixture.verifier.verify(token) }
    }
}
