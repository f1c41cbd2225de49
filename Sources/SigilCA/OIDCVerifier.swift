// OIDC ID token verification for the CA (Fulcio pkg/identity, go-oidc's verifier): signature with jwt-kit
// against the issuer's JWKS, then `iss`, `aud`, `exp`/`nbf`/`iat` against an injected clock, then the issuer
// type's subject rules. Fetching discovery documents and JWKS over HTTP is the caller's: keys come in as
// JSON per issuer and can be replaced at any time (key rotation).
//
// Header and claims are parsed by SigilBundle's strict JSON parser (duplicate names, trailing bytes and
// bad UTF-8 are refused) from the base64url segments, which we decode ourselves; jwt-kit checks only the
// signature. jwt-kit falls back to its default key for an unknown `kid`, so we pick the key ourselves and
// give jwt-kit a collection holding just that key.

import Foundation  // Date and the injected clock
import JWTKit
import SigilBundle
import SigilTlog
import SigilX509
import Synchronization

/// Verifies OIDC identity tokens from configured issuers and turns them into `Identity` values.
public final class OIDCVerifier: Sendable {
    /// The largest token accepted (real ID tokens are 1-3 KB).
    public static let maxTokenSize = 64 * 1024
    /// The largest JWKS document accepted.
    public static let maxJWKSSize = 1 << 20
    /// JWS algorithms accepted (RFC 7518 §3.1); anything else, `none` and HMAC included, is refused.
    public static let supportedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "ES256", "ES384"]

    private let issuers: [String: OIDCIssuer]
    private let keys = Mutex<[String: [VerificationKey]]>([:])
    private let clock: @Sendable () -> Date
    /// Allowed clock difference for `exp`, `nbf` and `iat`, in seconds.
    public let clockSkew: TimeInterval

    /// A verifier trusting `issuers` (distinct URLs), reading the time from `clock`.
    public init(issuers: [OIDCIssuer], clockSkew: TimeInterval = 30, clock: @escaping @Sendable () -> Date)
        throws(CAError)
    {
        var byURL: [String: OIDCIssuer] = [:]
        for issuer in issuers {
            guard byURL.updateValue(issuer, forKey: issuer.url) == nil else {
                throw CAError(.invalidConfiguration, "issuer \(issuer.url) is configured twice")
            }
        }
        guard clockSkew >= 0, clockSkew <= 600 else {
            throw CAError(.invalidConfiguration, "clock skew must be 0...600 s, found \(clockSkew)")
        }
        self.issuers = byURL
        self.clockSkew = clockSkew
        self.clock = clock
    }

    /// The configured issuers, sorted by URL.
    public var configuredIssuers: [OIDCIssuer] { issuers.values.sorted { $0.url < $1.url } }

    /// Whether keys are loaded for the issuer.
    public func hasKeys(for issuerURL: String) -> Bool {
        keys.withLock { $0[issuerURL] != nil }
    }

    /// Replaces the issuer's signing keys with those of a JWKS document (RFC 7517 §5). Keys with `use`
    /// other than `sig`, and key types other than RSA and EC P-256/P-384, are skipped; a key with an `alg`
    /// outside `supportedAlgorithms` is skipped; a key without `alg` gets RS256 (RSA) or the curve's ES
    /// algorithm. A document with no usable key, a malformed key, or two keys with one `kid` is
    /// `invalidConfiguration` and leaves the old keys in place.
    public func setKeys(jwks: some Collection<UInt8>, for issuerURL: String) async throws(CAError) {
        guard issuers[issuerURL] != nil else {
            throw CAError(.invalidConfiguration, "issuer \(issuerURL) is not configured")
        }
        guard jwks.count <= Self.maxJWKSSize else {
            throw CAError(.invalidConfiguration, "JWKS is \(jwks.count) bytes, limit \(Self.maxJWKSSize)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(jwks))
        } catch {
            throw CAError(.invalidConfiguration, "JWKS of \(issuerURL) is not JSON: \(error)")
        }
        guard let list = document.objectValue?["keys"]?.arrayValue else {
            throw CAError(.invalidConfiguration, "JWKS of \(issuerURL) has no \"keys\" array")
        }
        var loaded: [VerificationKey] = []
        var seen: Set<String> = []
        for (index, value) in list.enumerated() {
            guard let object = value.objectValue else {
                throw CAError(.invalidConfiguration, "JWKS key \(index) is not an object")
            }
            guard let key = try await VerificationKey.make(from: object, index: index) else { continue }
            if let kid = key.kid, !seen.insert(kid).inserted {
                throw CAError(.invalidConfiguration, "JWKS of \(issuerURL) has two keys with kid \"\(kid)\"")
            }
            loaded.append(key)
        }
        guard !loaded.isEmpty else {
            throw CAError(.invalidConfiguration, "JWKS of \(issuerURL) has no usable signing key")
        }
        keys.withLock { $0[issuerURL] = loaded }
    }

    /// `setKeys(jwks:for:)` from JSON text.
    public func setKeys(jwksJSON: String, for issuerURL: String) async throws(CAError) {
        try await setKeys(jwks: Array(jwksJSON.utf8), for: issuerURL)
    }

    /// Verifies a compact-serialized ID token and returns the identity it proves.
    public func verify(_ token: String) async throws(CAError) -> Identity {
        let jws = try CompactJWS(token)
        // SPEC: RFC 7515 §4.1.1 / OIDC Core §3.1.3.7 step 6: a signature algorithm we support (never none/HMAC)
        guard let algorithm = jws.header["alg"]?.stringValue else {
            throw CAError(.malformedToken, "token header has no \"alg\" string")
        }
        guard Self.supportedAlgorithms.contains(algorithm) else {
            throw CAError(
                .unsupportedAlgorithm,
                "expected alg in \(Self.supportedAlgorithms.sorted()), found \"\(algorithm.prefix(32))\"")
        }
        // SPEC: RFC 7515 §4.1.11: a JWS with critical header extensions we do not implement must be refused
        guard jws.header["crit"] == nil else {
            throw CAError(.malformedToken, "token header has \"crit\" extensions, none are supported")
        }
        // SPEC: OIDC Core §3.1.3.7 step 2: iss exactly equals a configured issuer (read unverified, to pick keys)
        guard let claimedIssuer = jws.claims["iss"]?.stringValue else {
            throw CAError(.missingClaim, "token has no \"iss\" string claim")
        }
        guard let issuer = issuers[claimedIssuer] else {
            throw CAError(.wrongIssuer, "token issuer \"\(claimedIssuer.prefix(200))\" is not a configured issuer")
        }
        guard let issuerKeys = keys.withLock({ $0[issuer.url] }) else {
            throw CAError(.issuerKeysUnavailable, "no JWKS loaded for issuer \(issuer.url)")
        }
        // SPEC: RFC 7515 §4.1.4 kid selects the key; OIDC Core §10.1.1: without kid, any key of the set
        let candidates: [VerificationKey]
        if let kidValue = jws.header["kid"] {
            guard let kid = kidValue.stringValue else {
                throw CAError(.malformedToken, "token header \"kid\" is not a string")
            }
            guard let key = issuerKeys.first(where: { $0.kid == kid }) else {
                throw CAError(.unknownKey, "key ID \"\(kid.prefix(100))\" is not in the JWKS of \(issuer.url)")
            }
            guard key.algorithm == algorithm else {
                throw CAError(
                    .unsupportedAlgorithm, "key \"\(kid.prefix(100))\" is for \(key.algorithm), token says \(algorithm)"
                )
            }
            candidates = [key]
        } else {
            candidates = issuerKeys.filter { $0.algorithm == algorithm }
            guard !candidates.isEmpty else {
                throw CAError(.unknownKey, "no \(algorithm) key in the JWKS of \(issuer.url)")
            }
        }
        // SPEC: RFC 7515 §5.2 / OIDC Core §3.1.3.7 step 6: the JWS signature verifies with the issuer's key
        var verified = false
        for key in candidates where await key.verifies(token) {
            verified = true
            break
        }
        guard verified else {
            throw CAError(.badSignature, "token signature does not verify with the \(algorithm) key of \(issuer.url)")
        }
        // SPEC: OIDC Core §3.1.3.7 step 3: aud contains our client ID
        try Self.checkAudience(jws.claims["aud"], clientID: issuer.clientID)
        // SPEC: OIDC Core §3.1.3.7 steps 9-10, RFC 7519 §4.1.4-4.1.6: exp, nbf, iat with a small skew
        try checkTimes(jws.claims)
        // SPEC: Fulcio pkg/identity/<type>/principal.go: the issuer type's subject rules
        return try IdentityRules.identity(from: jws.claims, issuer: issuer)
    }

    static func checkAudience(_ value: JSONValue?, clientID: String) throws(CAError) {
        let audiences: [String]
        switch value {
        case .string(let single)?:
            audiences = [single]
        case .array(let items)?:
            audiences = items.compactMap(\.stringValue)
            guard audiences.count == items.count else {
                throw CAError(.wrongAudience, "\"aud\" array holds a non-string")
            }
        case nil:
            throw CAError(.missingClaim, "token has no \"aud\" claim")
        default:
            throw CAError(.wrongAudience, "\"aud\" is neither a string nor an array of strings")
        }
        guard audiences.contains(clientID) else {
            throw CAError(
                .wrongAudience,
                "expected aud to contain \"\(clientID)\", found \(audiences.prefix(5).map { "\"\($0.prefix(100))\"" })")
        }
    }

    func checkTimes(_ claims: JSONObject) throws(CAError) {
        let now = clock().timeIntervalSince1970
        guard let exp = try Self.numericDate(claims, "exp") else {
            throw CAError(.missingClaim, "token has no \"exp\" claim")
        }
        guard now < exp + clockSkew else {
            throw CAError(
                .expired,
                "token expired at \(Date(timeIntervalSince1970: exp)), now is \(Date(timeIntervalSince1970: now))")
        }
        if let nbf = try Self.numericDate(claims, "nbf"), now + clockSkew < nbf {
            throw CAError(
                .notYetValid,
                "token not valid before \(Date(timeIntervalSince1970: nbf)), now is \(Date(timeIntervalSince1970: now))"
            )
        }
        guard let iat = try Self.numericDate(claims, "iat") else {
            throw CAError(.missingClaim, "token has no \"iat\" claim")
        }
        guard iat <= now + clockSkew else {
            throw CAError(
                .notYetValid,
                "token issued in the future at \(Date(timeIntervalSince1970: iat)), now is \(Date(timeIntervalSince1970: now))"
            )
        }
    }

    /// A NumericDate claim (RFC 7519 §2: seconds since the epoch, JSON number), nil when absent.
    static func numericDate(_ claims: JSONObject, _ name: String) throws(CAError) -> TimeInterval? {
        guard let value = claims[name] else { return nil }
        guard case .number(let number) = value, let seconds = number.double, seconds.isFinite,
            abs(seconds) < 1e12
        else {
            throw CAError(.malformedToken, "\"\(name)\" is not a NumericDate")
        }
        return seconds
    }
}

/// One signing key of an issuer, in a jwt-kit collection of its own.
struct VerificationKey: Sendable {
    let kid: String?
    let algorithm: String
    let collection: JWTKeyCollection

    /// The key described by one JWK object, or nil when it is not a signing key we use.
    static func make(from jwk: JSONObject, index: Int) async throws(CAError) -> VerificationKey? {
        if let use = jwk["use"] {
            guard use.stringValue == "sig" else { return nil }
        }
        guard let kty = jwk["kty"]?.stringValue else {
            throw CAError(.invalidConfiguration, "JWKS key \(index) has no \"kty\"")
        }
        var kid: String?
        if let value = jwk["kid"] {
            guard let text = value.stringValue else {
                throw CAError(.invalidConfiguration, "JWKS key \(index) has a non-string \"kid\"")
            }
            kid = text
        }
        guard jwk["d"] == nil else {
            throw CAError(.invalidConfiguration, "JWKS key \(index) is a private key")
        }
        let declared = jwk["alg"]?.stringValue
        let identifier = JWKIdentifier(string: kid ?? "sigil-unnamed-key")
        let key: JWK
        let algorithm: String
        switch kty {
        case "RSA":
            algorithm = declared ?? "RS256"
            guard algorithm.hasPrefix("RS"), OIDCVerifier.supportedAlgorithms.contains(algorithm) else { return nil }
            guard let n = jwk["n"]?.stringValue, let e = jwk["e"]?.stringValue else {
                throw CAError(.invalidConfiguration, "RSA JWKS key \(index) lacks \"n\" or \"e\"")
            }
            key = JWK.rsa(JWK.Algorithm(rawValue: algorithm), identifier: identifier, modulus: n, exponent: e)
        case "EC":
            let curve: ECDSACurve
            switch jwk["crv"]?.stringValue {
            case "P-256": (curve, algorithm) = (.p256, "ES256")
            case "P-384": (curve, algorithm) = (.p384, "ES384")
            default: return nil
            }
            if let declared, declared != algorithm { return nil }
            guard let x = jwk["x"]?.stringValue, let y = jwk["y"]?.stringValue else {
                throw CAError(.invalidConfiguration, "EC JWKS key \(index) lacks \"x\" or \"y\"")
            }
            key = JWK.ecdsa(JWK.Algorithm(rawValue: algorithm), identifier: identifier, x: x, y: y, curve: curve)
        default:
            return nil
        }
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwk: key, isDefault: true)
        } catch {
            throw CAError(.invalidConfiguration, "JWKS key \(index) does not load: \(error)")
        }
        return VerificationKey(kid: kid, algorithm: algorithm, collection: collection)
    }

    func verifies(_ token: String) async -> Bool {
        do {
            _ = try await collection.verify(token, as: SignatureOnly.self)
            return true
        } catch {
            return false
        }
    }
}

/// jwt-kit needs a payload type; we read the claims ourselves, so this one reads nothing.
struct SignatureOnly: JWTPayload {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A compact JWS (RFC 7515 §7.1) split and decoded: header and claims as strict JSON objects.
struct CompactJWS {
    let header: JSONObject
    let claims: JSONObject

    init(_ token: String) throws(CAError) {
        // SPEC: RFC 7515 §7.1 compact serialization, RFC 7519 §7.2 validation steps 1-10
        guard !token.isEmpty else { throw CAError(.missingToken, "identity token is empty") }
        guard token.utf8.count <= OIDCVerifier.maxTokenSize else {
            throw CAError(.malformedToken, "token is \(token.utf8.count) bytes, limit \(OIDCVerifier.maxTokenSize)")
        }
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CAError(.malformedToken, "expected 3 dot-separated parts (JWS compact form), found \(parts.count)")
        }
        header = try Self.object(parts[0], "header")
        claims = try Self.object(parts[1], "claims")
        guard (try? Self.base64URL(parts[2], "signature")).map({ !$0.isEmpty }) == true else {
            throw CAError(.malformedToken, "token signature is empty or not base64url")
        }
    }

    static func object(_ part: Substring.UTF8View.SubSequence, _ what: String) throws(CAError) -> JSONObject {
        let bytes = try base64URL(part, what)
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes, limits: JSONLimits(maxBytes: OIDCVerifier.maxTokenSize, maxDepth: 16))
        } catch {
            throw CAError(.malformedToken, "token \(what) is not strict JSON")
        }
        guard let object = value.objectValue else {
            throw CAError(.malformedToken, "token \(what) is a JSON \(value.typeName), want an object")
        }
        return object
    }

    /// Unpadded base64url (RFC 7515 §2) via the strict standard decoder.
    static func base64URL(_ part: some Collection<UInt8>, _ what: String) throws(CAError) -> [UInt8] {
        var standard: [UInt8] = []
        standard.reserveCapacity(part.count + 3)
        for byte in part {
            switch byte {
            case UInt8(ascii: "-"): standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): standard.append(UInt8(ascii: "/"))
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                throw CAError(.malformedToken, "token \(what) is not unpadded base64url")
            default: standard.append(byte)
            }
        }
        guard standard.count % 4 != 1 else { throw CAError(.malformedToken, "token \(what) has a bad length") }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        guard let decoded = Base64.decode(utf8: standard) else {
            throw CAError(.malformedToken, "token \(what) is not base64url")
        }
        return decoded
    }
}
