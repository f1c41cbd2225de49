// Who must have signed: a certificate identity and OIDC issuer (exact or by regular expression), or a key.

/// What a verified bundle must say about its signer.
public struct VerificationPolicy: Sendable, Hashable {
    enum Matcher: Sendable, Hashable {
        case exact(String)
        case pattern(String)

        /// A whole-string match, as cosign's `--certificate-identity-regexp` applies it.
        func matches(_ value: String) -> Bool {
            switch self {
            case .exact(let expected):
                return value == expected
            case .pattern(let pattern):
                guard let regex = try? Regex(pattern) else { return false }
                return (try? regex.wholeMatch(in: value)) != nil
            }
        }

        var text: String {
            switch self {
            case .exact(let value): return "\"\(value)\""
            case .pattern(let pattern): return "matching /\(pattern)/"
            }
        }
    }

    enum Kind: Sendable, Hashable {
        case certificate(identity: Matcher, issuer: Matcher)
        case publicKey(subjectPublicKeyInfo: [UInt8])
    }

    let kind: Kind

    /// The certificate's SAN must be exactly `identity` and its OIDC issuer exactly `issuer`.
    public static func identity(_ identity: String, issuer: String) -> VerificationPolicy {
        VerificationPolicy(kind: .certificate(identity: .exact(identity), issuer: .exact(issuer)))
    }

    /// The certificate's SAN must match the regular expression `identityPattern` as a whole, and its issuer must
    /// be `issuer` exactly or, with `issuerPattern`, match that expression. Throws when a pattern does not compile.
    public static func identity(
        matching identityPattern: String, issuer: String? = nil, issuerMatching issuerPattern: String? = nil
    ) throws(VerificationError) -> VerificationPolicy {
        for pattern in [identityPattern, issuerPattern].compactMap({ $0 }) {
            do { _ = try Regex(pattern) } catch {
                throw VerificationError(.bundleInvalid, "regular expression /\(pattern)/ does not compile: \(error)")
            }
        }
        let issuerMatcher: Matcher
        switch (issuer, issuerPattern) {
        case (let exact?, nil): issuerMatcher = .exact(exact)
        case (nil, let pattern?): issuerMatcher = .pattern(pattern)
        default:
            throw VerificationError(.bundleInvalid, "expected exactly one of an issuer or an issuer pattern")
        }
        return VerificationPolicy(kind: .certificate(identity: .pattern(identityPattern), issuer: issuerMatcher))
    }

    /// The bundle must be signed by this key (a managed-key bundle); `subjectPublicKeyInfo` is its DER SPKI.
    public static func publicKey(subjectPublicKeyInfo: [UInt8]) -> VerificationPolicy {
        VerificationPolicy(kind: .publicKey(subjectPublicKeyInfo: subjectPublicKeyInfo))
    }
}
