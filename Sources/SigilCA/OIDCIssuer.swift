// OIDC issuer configuration (Fulcio `oidc-issuers`, pkg/config/config.go) and the identity a verified token
// yields. Only exact issuer URLs are supported; Fulcio's wildcard `meta-issuers` are not (yet).

import Foundation  // URL parsing of issuer and subject-domain URLs
import SigilX509

/// One trusted OIDC issuer: its URL (exactly the tokens' `iss`), its type, and the type's settings.
public struct OIDCIssuer: Hashable, Sendable {
    /// The issuer type: which claims name the identity and how it becomes a SAN. New kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Fulcio `email`: SAN rfc822Name from `email`, which `email_verified` must vouch for.
        public static let email = Kind("email")
        /// Fulcio `github-workflow` (ci-provider): SAN URI `<url>/<job_workflow_ref>` and the CI extensions.
        public static let githubWorkflow = Kind("github-workflow")
        /// Fulcio `kubernetes`: SAN URI `https://kubernetes.io/namespaces/<ns>/serviceaccounts/<name>` from a
        /// `sub` of the form `system:serviceaccount:<ns>:<name>`.
        public static let kubernetes = Kind("kubernetes")
        /// Fulcio `spiffe`: SAN URI = `sub`, a SPIFFE ID in the issuer's trust domain.
        public static let spiffe = Kind("spiffe")
        /// Fulcio `uri`: SAN URI = `sub`, whose scheme and host must be the subject domain's.
        public static let uri = Kind("uri")

        public var description: String { name }

        /// The kind named as in Fulcio's configuration (`email`, `github-workflow`, `kubernetes`, `spiffe`, `uri`).
        public init?(configName: String) {
            switch configName {
            case "email": self = .email
            case "github-workflow": self = .githubWorkflow
            case "kubernetes": self = .kubernetes
            case "spiffe": self = .spiffe
            case "uri": self = .uri
            default: return nil
            }
        }
    }

    /// The issuer URL; a token is for this issuer when its `iss` equals it exactly.
    public let url: String
    public let kind: Kind
    /// The audience tokens must carry (Fulcio `client-id`), `sigstore` by default.
    public let clientID: String
    /// `uri`: the URL whose scheme and host subjects must have (default: the issuer URL). `spiffe`: the trust
    /// domain (default: the issuer URL's host). Unused by the other kinds.
    public let subjectDomain: String
    /// `email` only: a dotted claim path (e.g. `federated_claims.connector_id` for Dex) whose string value
    /// replaces `iss` in the issuer extensions, like Fulcio's `issuer-claim`.
    public let issuerClaim: String?
    /// `github-workflow` only: the server URL prefixed to workflow refs (`https://github.com`).
    public let ciServerURL: String

    /// Checks the configuration the way Fulcio's config validation does: the URL must be an absolute http(s)
    /// URL; a `uri` subject domain's host must equal the issuer's host or share its last two DNS labels; a
    /// SPIFFE trust domain must be a valid trust domain name.
    public init(
        url: String, kind: Kind, clientID: String = "sigstore", subjectDomain: String? = nil,
        issuerClaim: String? = nil, ciServerURL: String = "https://github.com"
    ) throws(CAError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, scheme == "https" || scheme == "http",
            let host = parsed.host, !host.isEmpty
        else {
            throw CAError(.invalidConfiguration, "issuer URL must be an absolute http(s) URL, found \"\(url)\"")
        }
        guard !clientID.isEmpty else { throw CAError(.invalidConfiguration, "client ID must not be empty") }
        self.url = url
        self.kind = kind
        self.clientID = clientID
        self.issuerClaim = issuerClaim
        self.ciServerURL = ciServerURL
        switch kind {
        case .uri:
            let domain = subjectDomain ?? url
            guard let domainURL = URL(string: domain), domainURL.scheme != nil, let domainHost = domainURL.host else {
                throw CAError(
                    .invalidConfiguration, "uri subject domain must be a URL with a host, found \"\(domain)\"")
            }
            guard Self.lastTwoLabels(domainHost.lowercased()) == Self.lastTwoLabels(host.lowercased()) else {
                throw CAError(
                    .invalidConfiguration,
                    "uri subject domain host \"\(domainHost)\" must be the issuer host \"\(host)\" or share its last two labels"
                )
            }
            self.subjectDomain = domain
        case .spiffe:
            let domain = subjectDomain ?? host
            guard SPIFFEID.isValidTrustDomain(domain) else {
                throw CAError(.invalidConfiguration, "\"\(domain)\" is not a SPIFFE trust domain")
            }
            self.subjectDomain = domain
        default:
            self.subjectDomain = subjectDomain ?? url
        }
    }

    static func lastTwoLabels(_ host: String) -> String {
        host.split(separator: ".", omittingEmptySubsequences: false).suffix(2).joined(separator: ".")
    }
}

/// A verified signer identity: what a certificate will say about who signed. Only `OIDCVerifier.verify`
/// makes these from tokens; `unchecked(...)` is the bypass for tests and tools that already trust their input.
public struct Identity: Hashable, Sendable {
    /// The SAN the certificate carries (email, URI or username OtherName).
    public let subjectAlternativeName: SubjectAlternativeName
    /// The token's `iss` (the configured issuer URL).
    public let issuer: String
    /// The token's `sub`.
    public let subject: String
    /// The value a public-key proof of possession signs (Fulcio's challenge claim: `email` for email
    /// issuers, `sub` for the others).
    public let challenge: String
    /// The Fulcio extensions to embed; always has `issuer` and `issuerV2`.
    public let extensions: FulcioExtensions

    init(
        subjectAlternativeName: SubjectAlternativeName, issuer: String, subject: String, challenge: String,
        extensions: FulcioExtensions
    ) {
        self.subjectAlternativeName = subjectAlternativeName
        self.issuer = issuer
        self.subject = subject
        self.challenge = challenge
        self.extensions = extensions
    }

    /// An identity that no token vouched for. The issuer extensions (.1, .8) are set to `issuer` unless
    /// `extensions` already has them.
    public static func unchecked(
        subjectAlternativeName: SubjectAlternativeName, issuer: String, subject: String? = nil,
        extensions: FulcioExtensions = FulcioExtensions()
    ) -> Identity {
        var extensions = extensions
        if extensions.issuer == nil { extensions.issuer = issuer }
        if extensions.issuerV2 == nil { extensions.issuerV2 = extensions.issuer }
        return Identity(
            subjectAlternativeName: subjectAlternativeName, issuer: issuer,
            subject: subject ?? subjectAlternativeName.value, challenge: subject ?? subjectAlternativeName.value,
            extensions: extensions)
    }
}

/// SPIFFE ID syntax (SPIFFE-ID.md §2): `spiffe://<trust-domain>/<path>`, lower-case trust domain of
/// `[a-z0-9.-_]`, path segments of `[A-Za-z0-9.-_]`, no empty, `.` or `..` segments, no query or fragment.
enum SPIFFEID {
    static func isValidTrustDomain(_ domain: String) -> Bool {
        !domain.isEmpty && domain.utf8.count <= 255
            && domain.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// The trust domain of a valid SPIFFE ID, or nil.
    static func trustDomain(of id: String) -> String? {
        let prefix = "spiffe://"
        guard id.hasPrefix(prefix), id.utf8.count <= 2048 else { return nil }
        let rest = id.dropFirst(prefix.count)
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let domain = parts.first.map(String.init), isValidTrustDomain(domain) else { return nil }
        for segment in parts.dropFirst() {
            guard !segment.isEmpty, segment != ".", segment != "..",
                segment.utf8.allSatisfy({ byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                })
            else { return nil }
        }
        return domain
    }
}
