// Fetching OIDC issuers' signing keys for the CA: OIDC Discovery 1.0 §4 (`<issuer>/.well-known/openid-configuration`
// → `jwks_uri`) then the JWKS, over AsyncHTTPClient with timeouts and size caps, handed to
// `OIDCVerifier.setKeys`. Refreshed on a timer (`run(every:)`) and on demand when a token names an unknown key
// (`refreshIfDue()`, rate-bounded per issuer).

import AsyncHTTPClient
import Logging
import NIOCore
import SigilBundle
import SigilCA

/// Why fetching an issuer's keys failed. Tests match on `code`.
public struct OIDCFetchError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The HTTP request failed (connection, timeout, non-200 status, body too large).
        public static let transport = Code("transport")
        /// The discovery document is not JSON, lacks `jwks_uri`, or names another issuer.
        public static let invalidDiscovery = Code("invalidDiscovery")
        /// The JWKS was refused by the verifier.
        public static let invalidKeys = Code("invalidKeys")
        public var description: String { name }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "OIDC: \(code): \(reason)" }
}

/// Keeps an `OIDCVerifier`'s keys fresh for all its configured issuers.
public actor OIDCKeyRefresher {
    /// Largest discovery document or JWKS read.
    public static let maxDocumentSize = 1 << 20

    public let verifier: OIDCVerifier
    let client: HTTPClient
    let timeout: Duration
    let minimumInterval: Duration
    let logger: Logger
    private var lastAttempt: [String: ContinuousClock.Instant] = [:]

    /// - Parameters:
    ///   - timeout: per HTTP request.
    ///   - minimumInterval: on-demand refreshes of one issuer are at least this far apart.
    public init(
        verifier: OIDCVerifier, client: HTTPClient = .shared, timeout: Duration = .seconds(10),
        minimumInterval: Duration = .seconds(30), logger: Logger = Logger(label: "sigil.oidc")
    ) {
        self.verifier = verifier
        self.client = client
        self.timeout = timeout
        self.minimumInterval = minimumInterval
        self.logger = logger
    }

    /// The JWKS of `issuer`, found through its discovery document.
    public static func fetchJWKS(issuer: String, client: HTTPClient = .shared, timeout: Duration = .seconds(10))
        async throws(OIDCFetchError) -> [UInt8]
    {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        // SPEC: OIDC Discovery 1.0 §4.1: GET <issuer>/.well-known/openid-configuration
        let discovery = try await get(base + "/.well-known/openid-configuration", client: client, timeout: timeout)
        let document: JSONValue
        do {
            document = try JSONValue.parse(discovery)
        } catch {
            throw OIDCFetchError(.invalidDiscovery, "discovery document of \(issuer) is not JSON")
        }
        // SPEC: OIDC Discovery 1.0 §4.3: the document's issuer must be identical to the issuer URL asked for
        guard let named = document.objectValue?["issuer"]?.stringValue, named == issuer else {
            throw OIDCFetchError(.invalidDiscovery, "discovery document of \(issuer) names another issuer")
        }
        guard let jwksURI = document.objectValue?["jwks_uri"]?.stringValue,
            jwksURI.hasPrefix("https://") || jwksURI.hasPrefix("http://")
        else {
            throw OIDCFetchError(.invalidDiscovery, "discovery document of \(issuer) has no http(s) jwks_uri")
        }
        return try await get(jwksURI, client: client, timeout: timeout)
    }

    static func get(_ url: String, client: HTTPClient, timeout: Duration) async throws(OIDCFetchError) -> [UInt8] {
        let request = HTTPClientRequest(url: url)
        let components = timeout.components
        let amount = TimeAmount.nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: amount)
            // The status type is NIOHTTP1's, outside this target's imports: read it through its description
            // ("<code> <reason>").
            let status = String(describing: response.status)
            guard status.hasPrefix("200 ") else {
                throw OIDCFetchError(.transport, "GET \(url): status \(status)")
            }
            let body = try await response.body.collect(upTo: maxDocumentSize)
            return Array(body.readableBytesView)
        } catch let error as OIDCFetchError {
            throw error
        } catch {
            throw OIDCFetchError(.transport, "GET \(url): \(error)")
        }
    }

    /// Fetches and installs the keys of one configured issuer.
    public func refresh(issuer: String) async throws(OIDCFetchError) {
        lastAttempt[issuer] = .now
        let jwks = try await Self.fetchJWKS(issuer: issuer, client: client, timeout: timeout)
        do {
            try await verifier.setKeys(jwks: jwks, for: issuer)
        } catch {
            throw OIDCFetchError(.invalidKeys, "\(error)")
        }
        logger.info("loaded OIDC keys", metadata: ["issuer": "\(issuer)"])
    }

    /// Refreshes every configured issuer; returns how many succeeded. Failures are logged and leave the old
    /// keys in place.
    @discardableResult
    public func refreshAll() async -> Int {
        var loaded = 0
        for issuer in verifier.configuredIssuers.map(\.url) {
            do {
                try await refresh(issuer: issuer)
                loaded += 1
            } catch {
                logger.warning("cannot load OIDC keys", metadata: ["issuer": "\(issuer)", "error": "\(error)"])
            }
        }
        return loaded
    }

    /// The on-demand refresh for unknown key IDs: refreshes the issuers not tried within `minimumInterval`;
    /// returns whether any keys were reloaded.
    public func refreshIfDue() async -> Bool {
        let now = ContinuousClock.now
        var reloaded = false
        for issuer in verifier.configuredIssuers.map(\.url) {
            if let last = lastAttempt[issuer], now - last < minimumInterval { continue }
            do {
                try await refresh(issuer: issuer)
                reloaded = true
            } catch {
                logger.warning("cannot load OIDC keys", metadata: ["issuer": "\(issuer)", "error": "\(error)"])
            }
        }
        return reloaded
    }

    /// Refreshes all issuers every `interval` (the first time after one interval: call `refreshAll()` first
    /// to load keys at start), until the task is cancelled.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await refreshAll()
        }
    }
}
