// Errors of the certificate authority: token verification, proof of possession, issuance. A struct with an
// extensible code (STYLE.md habit 6). No reason ever quotes the identity token (the bearer credential).

/// Why a signing-certificate request was refused or failed. Tests match on `code`; `reason` says what was
/// expected and what was found. `FulcioHTTP.errorResponse(for:)` maps codes to HTTP statuses.
public struct CAError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case missingToken, malformedToken, badSignature, unknownKey, unsupportedAlgorithm, wrongIssuer,
                wrongAudience, expired, notYetValid, missingClaim, emailNotVerified, invalidSubject,
                issuerKeysUnavailable, malformedRequest, malformedCSR, invalidProofOfPossession, unsupportedKey,
                invalidConfiguration, invalidCAMaterial, ctLogUnavailable, issuanceFailed
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        // Token (HTTP 401).
        /// No identity token was given.
        public static let missingToken = Code(.missingToken)
        /// The token is not a compact JWS of three base64url parts with JSON header and claims.
        public static let malformedToken = Code(.malformedToken)
        /// The token's signature does not verify with the issuer's key.
        public static let badSignature = Code(.badSignature)
        /// The token names a key ID (`kid`) that is not in the issuer's JWKS.
        public static let unknownKey = Code(.unknownKey)
        /// The token's `alg` is not one we accept, or not the algorithm of the key it names.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// The token's `iss` is not a configured issuer.
        public static let wrongIssuer = Code(.wrongIssuer)
        /// The token's `aud` does not contain the issuer's client ID (`sigstore`).
        public static let wrongAudience = Code(.wrongAudience)
        /// The token's `exp` has passed (beyond the allowed clock skew).
        public static let expired = Code(.expired)
        /// The token's `nbf` or `iat` lies in the future (beyond the allowed clock skew).
        public static let notYetValid = Code(.notYetValid)
        /// A claim the issuer type needs is absent or has the wrong JSON type.
        public static let missingClaim = Code(.missingClaim)
        /// An email issuer's token does not say `email_verified: true`.
        public static let emailNotVerified = Code(.emailNotVerified)
        /// The subject breaks the issuer type's rules (not an email, not under the issuer's domain, not a
        /// Kubernetes service account, not a SPIFFE ID of the trust domain...).
        public static let invalidSubject = Code(.invalidSubject)
        // Issuer keys (HTTP 503).
        /// No JWKS has been loaded for the token's issuer yet.
        public static let issuerKeysUnavailable = Code(.issuerKeysUnavailable)
        // Request (HTTP 400).
        /// The request body is not the Fulcio v2 JSON shape.
        public static let malformedRequest = Code(.malformedRequest)
        /// The CSR is not a PEM or DER PKCS#10 request.
        public static let malformedCSR = Code(.malformedCSR)
        /// The CSR self-signature, or the signature over the token subject, does not verify.
        public static let invalidProofOfPossession = Code(.invalidProofOfPossession)
        /// The public key or signature algorithm is not one Fulcio accepts (ECDSA P-256/384/521, RSA
        /// 2048-4096, Ed25519).
        public static let unsupportedKey = Code(.unsupportedKey)
        // Operator side.
        /// An issuer configuration or JWKS is invalid (reported when configuring, never to a client).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// CA certificates or key do not load, do not match, or do not form a valid CA chain.
        public static let invalidCAMaterial = Code(.invalidCAMaterial)
        /// The CT log did not record the precertificate: retry later (HTTP 503).
        public static let ctLogUnavailable = Code(.ctLogUnavailable)
        /// Building or signing the certificate failed: our bug (HTTP 500).
        public static let issuanceFailed = Code(.issuanceFailed)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "CA: \(code): \(reason)" }
}
