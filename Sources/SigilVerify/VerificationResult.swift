// What a successful verification established. Only `Verifier.verify` makes one (STYLE.md habit 4).

import Foundation

/// The artifact a bundle is verified against: its bytes, or only its SHA-256 digest.
public struct Artifact: Sendable, Hashable {
    /// The SHA-256 digest of the artifact.
    public let sha256: [UInt8]
    /// The artifact's bytes, when known (needed only for keys that sign without prehashing, such as Ed25519).
    public let bytes: [UInt8]?

    /// An artifact given by its content.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.sha256 = Signatures.sha256(bytes)
    }

    /// An artifact given by its SHA-256 digest (`sha256:HEX` on the command line).
    public init(sha256 digest: [UInt8]) throws(VerificationError) {
        guard digest.count == 32 else {
            throw VerificationError(.bundleInvalid, "expected a 32-byte SHA-256 digest, got \(digest.count) bytes")
        }
        self.sha256 = digest
        self.bytes = nil
    }
}

/// One time at which the signature is known to have existed, and where that knowledge comes from.
public struct VerifiedTime: Sendable, Hashable {
    /// `rfc3161` (a timestamp authority) or `tlog` (a Rekor v1 signed entry timestamp).
    public let source: String
    /// The authority or log that vouches for the time (its URI or base URL).
    public let authority: String
    public let time: Date
}

/// A verified log entry: which log, at which index.
public struct VerifiedLogEntry: Sendable, Hashable {
    public let logBaseURL: String
    public let logIndex: Int64
    public let treeSize: Int64
    public let kind: String
}

/// What `Verifier.verify` established about a bundle.
public struct VerificationResult: Sendable, Hashable {
    /// The bundle's media type version, e.g. `0.3`.
    public let bundleVersion: String
    /// The certificate's identity (SAN), or `nil` for a managed-key bundle.
    public let identity: String?
    /// The certificate's OIDC issuer, or `nil` for a managed-key bundle.
    public let issuer: String?
    /// The times at which the signature is known to have existed.
    public let verifiedTimes: [VerifiedTime]
    /// The log entries that were checked.
    public let logEntries: [VerifiedLogEntry]
    /// `messageSignature` or `dsseEnvelope`.
    public let content: String
    /// For DSSE bundles, the envelope's payload type.
    public let payloadType: String?
}
