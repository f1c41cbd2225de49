// A development OIDC issuer for local instances (`sigil up`, tests): OIDC discovery
// (`/.well-known/openid-configuration`), its JWKS (`/jwks`) and `GET /token?email=ADDR`, which mints an ES256 ID
// token for any email. Anyone who can reach `/token` can sign as anyone, so it answers only peers on loopback,
// and it is meant to listen on loopback only.
//
// Written by hand: the JWS compact serialization (RFC 7515 §7.1) of one ES256 token. jwt-kit is a dependency of
// SigilCA only, and these few lines (base64url of two JSON objects and a raw r‖s P-256 signature) are all we need.

import Crypto
import Foundation  // Date
import HTTPTypes
import Hummingbird
import Logging
import SigilBundle
import SigilTlog
import Synchronization

/// A development OIDC issuer whose tokens the CA accepts when configured as an `email` issuer with its URL.
public final class DevIssuer: Sendable {
    /// Audience of minted tokens (Fulcio's default client ID).
    public static let audience = "sigstore"
    /// Lifetime of minted tokens.
    public static let tokenLifetime: TimeInterval = 600
    /// The longest email accepted by `/token`.
    public static let maxEmailLength = 254

    private let key: P256.Signing.PrivateKey
    /// The JWK key ID: base64url of the first 8 bytes of SHA-256 of the public key's SPKI.
    public let keyID: String
    private let url = Mutex<String?>(nil)
    private let clock: @Sendable () -> Date
    public let metrics: ServiceMetrics

    /// An issuer signing with `key` (new by default). Its URL is `url`, or else set when its application binds.
    public init(
        key: P256.Signing.PrivateKey = P256.Signing.PrivateKey(), url: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() },
        metrics: ServiceMetrics = ServiceMetrics(service: "sigil_dev_issuer")
    ) {
        self.key = key
        self.clock = clock
        self.metrics = metrics
        self.keyID = Self.base64URL(Array(SHA256.hash(data: key.publicKey.derRepresentation)).prefix(8))
        self.url.withLock { $0 = url }
    }

    /// The issuer URL (`iss` of its tokens), once known.
    public var issuerURL: String? { url.withLock { $0 } }

    /// The JWKS document: one EC P-256 signing key.
    public var jwksJSON: [UInt8] {
        let raw = Array(key.publicKey.rawRepresentation)  // x ‖ y, 32 bytes each
        let jwk = JSONValue.makeObject([
            "kty": .string("EC"), "crv": .string("P-256"), "use": .string("sig"), "alg": .string("ES256"),
            "kid": .string(keyID), "x": .string(Self.base64URL(raw.prefix(32))),
            "y": .string(Self.base64URL(raw.suffix(32))),
        ])
        return JSONValue.makeObject(["keys": .array([jwk])]).serialized()
    }

    /// The discovery document for issuer `url` (OIDC Discovery 1.0 §3, the fields clients read).
    public static func discoveryJSON(issuer url: String) -> [UInt8] {
        JSONValue.makeObject([
            "issuer": .string(url), "jwks_uri": .string(url + "/jwks"),
            "authorization_endpoint": .string(url + "/auth"), "token_endpoint": .string(url + "/token"),
            "response_types_supported": .array([.string("id_token")]),
            "subject_types_supported": .array([.string("public")]),
            "id_token_signing_alg_values_supported": .array([.string("ES256")]),
        ]).serialized()
    }

    /// Mints an ES256 ID token for `email`: `iss` = the issuer URL, `aud` = `sigstore`, `sub` = `email` =
    /// the address, `email_verified` true, `iat` = `nbf` = now, `exp` = now + 10 minutes.
    public func token(email: String) throws -> String {
        guard let issuer = issuerURL else { throw HTTPError(.serviceUnavailable, message: "issuer URL not known yet") }
        let now = Int64(clock().timeIntervalSince1970)
        let header = JSONValue.makeObject(["alg": .string("ES256"), "typ": .string("JWT"), "kid": .string(keyID)])
        let claims = JSONValue.makeObject([
            "iss": .string(issuer), "aud": .string(Self.audience), "sub": .string(email), "email": .string(email),
            "email_verified": .bool(true), "iat": .integer(now), "nbf": .integer(now),
            "exp": .integer(now + Int64(Self.tokenLifetime)),
        ])
        // SPEC: RFC 7515 §7.1 compact form; RFC 7518 §3.4 ES256 signature = R ‖ S, 32 bytes each
        let signingInput = Self.base64URL(header.serialized()) + "." + Self.base64URL(claims.serialized())
        let signature = try key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    /// Unpadded base64url (RFC 7515 §2).
    static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        var text = ""
        for character in Base64.encode(bytes) {
            switch character {
            case "+": text.append("-")
            case "/": text.append("_")
            case "=": continue
            default: text.append(character)
            }
        }
        return text
    }

    /// Whether `email` is plausible enough to mint for: one `@`, non-empty local part and domain, printable
    /// ASCII without spaces, bounded length.
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return email.utf8.count <= maxEmailLength && parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && email.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Adds `/.well-known/openid-configuration`, `/jwks`, `/token`, `/healthz` and `/metrics`. `/token` answers
    /// 403 to peers that are not on loopback and 400 without a plausible `email`.
    public func addRoutes(to router: Router<SigilRequestContext>) {
        router.get("/.well-known/openid-configuration") { _, _ in
            guard let issuer = self.issuerURL else { throw HTTPError(.serviceUnavailable) }
            return ServerSupport.json(status: .ok, Self.discoveryJSON(issuer: issuer))
        }
        router.get("/jwks") { _, _ in ServerSupport.json(status: .ok, self.jwksJSON) }
        router.get("/token") { request, context in
            guard ServerSupport.isLoopback(context.remoteAddress) else {
                return ServerSupport.errorJSON(status: .forbidden, message: "tokens are minted for loopback clients only")
            }
            guard let email = request.uri.queryParameters["email"].map(String.init), Self.isPlausibleEmail(email) else {
                return ServerSupport.errorJSON(status: .badRequest, message: "expected ?email=ADDRESS")
            }
            return ServerSupport.response(
                status: .ok, contentType: "application/jwt", bytes: Array(try self.token(email: email).utf8))
        }
        ServerSupport.addHealthAndMetrics(to: router, metrics: metrics)
    }

    /// An application serving the issuer on `host:port` (use a loopback host). When the issuer was made
    /// without a URL, the URL becomes `http://host:<bound port>` once the socket listens.
    public func makeApplication(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: SigilRequestContext.self)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        addRoutes(to: router)
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                self.url.withLock { url in
                    if url == nil { url = ServerSupport.baseURL(host: host, port: bound) }
                }
                await onServerRunning(bound)
            },
            logger: logger)
    }
}
