// Why a bundle did not verify: one code per verification step (DESIGN.md §2 "Verify"), with a reason that says
// what was expected and what was found.

/// The failure of one verification step. Tests and scripts match on `code`; `reason` is for people.
public struct VerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which step failed and how. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The verification step this code belongs to, as the CLI names it.
        public let step: String
        private init(_ name: String, step: String) {
            self.name = name
            self.step = step
        }

        /// The trusted root itself is unusable (a key or certificate in it does not parse).
        public static let trustedRootInvalid = Code("trustedRootInvalid", step: "trusted root")
        /// The bundle is not a Sigstore bundle: bad JSON, an unknown media type, a field of the wrong type.
        public static let malformedBundle = Code("malformedBundle", step: "bundle")
        /// The bundle breaks a structural rule of its version (empty chain, no log entry, missing proof).
        public static let bundleInvalid = Code("bundleInvalid", step: "bundle")
        /// A log entry carries an inclusion proof without the signed checkpoint that anchors it.
        public static let checkpointMissing = Code("checkpointMissing", step: "bundle")
        /// More log entries or timestamps than Sigstore allows (32 each), or a duplicate.
        public static let limitExceeded = Code("limitExceeded", step: "bundle")
        /// An RFC 3161 timestamp does not verify against the trusted root's timestamp authorities.
        public static let timestampInvalid = Code("timestampInvalid", step: "timestamp")
        /// Neither a verified timestamp nor a verified inclusion promise gives a signing time.
        public static let noVerifiedTime = Code("noVerifiedTime", step: "timestamp")
        /// The signing certificate does not chain to a Fulcio CA of the trusted root at a verified time.
        public static let certificateInvalid = Code("certificateInvalid", step: "certificate")
        /// The certificate's embedded SCT does not verify against a CT log of the trusted root.
        public static let sctInvalid = Code("sctInvalid", step: "certificate")
        /// The certificate's identity (SAN) is not the one the policy asks for.
        public static let identityMismatch = Code("identityMismatch", step: "policy")
        /// The certificate's OIDC issuer is not the one the policy asks for.
        public static let issuerMismatch = Code("issuerMismatch", step: "policy")
        /// A managed-key bundle was signed by another key than the one given, or a key policy met a certificate.
        public static let publicKeyMismatch = Code("publicKeyMismatch", step: "policy")
        /// The log entry names a log the trusted root does not list, or one not valid at the signing time.
        public static let unknownLog = Code("unknownLog", step: "transparency log")
        /// The log entry's body does not describe this bundle's signature, digest and certificate or key.
        public static let entryInconsistent = Code("entryInconsistent", step: "transparency log")
        /// The inclusion proof does not recompute the root hash it claims.
        public static let inclusionProofInvalid = Code("inclusionProofInvalid", step: "transparency log")
        /// The checkpoint is not signed by the log's key, or does not carry the proof's root.
        public static let checkpointInvalid = Code("checkpointInvalid", step: "transparency log")
        /// The signed entry timestamp (Rekor v1 inclusion promise) does not verify.
        public static let inclusionPromiseInvalid = Code("inclusionPromiseInvalid", step: "transparency log")
        /// The artifact's digest is not the one the bundle signed.
        public static let artifactMismatch = Code("artifactMismatch", step: "signature")
        /// The signature does not verify with the certificate's or the given key.
        public static let signatureInvalid = Code("signatureInvalid", step: "signature")
        /// The DSSE payload is not an in-toto statement whose subject is the artifact.
        public static let subjectMismatch = Code("subjectMismatch", step: "signature")
        /// The bundle uses a key type or algorithm Sigil does not verify.
        public static let unsupported = Code("unsupported", step: "bundle")

        public var description: String { name }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.step): \(reason) [\(code)]" }
}
