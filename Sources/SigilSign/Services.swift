// The three services a signer talks to, as protocols: SigilClient implements them over HTTP, and
// SigilTesting.VirtualSigstore implements them in process with the real CA, log and TSA cores.

import SigilBundle
import SigilTimestamp
import X509

/// A certificate authority (Fulcio): trades an identity token and a proof of possession for a certificate.
public protocol CertificateIssuer: Sendable {
    /// Issues a certificate for the key in `certificateSigningRequest` (a DER PKCS#10 CSR signed by that key,
    /// the proof of possession) to the identity `identityToken` vouches for. Returns the chain, leaf first
    /// (the leaf carries its embedded SCT), then the CA certificates.
    func issueCertificate(certificateSigningRequest: [UInt8], identityToken: String) async throws -> [Certificate]
}

/// A Rekor v2 transparency log: appends a hashedrekord v0.0.2 entry and answers with its inclusion proof.
public protocol LogSubmitter: Sendable {
    /// Submits `request` and returns the logged entry (with an inclusion proof and checkpoint).
    func submit(_ request: CreateEntryRequest) async throws -> TransparencyLogEntry
}

/// An RFC 3161 timestamp authority.
public protocol Timestamper: Sendable {
    /// A DER TimeStampResp over `signature` (the imprint is SHA-256 of these bytes).
    func timestamp(signature: [UInt8]) async throws -> [UInt8]
}

/// The RFC 3161 query Sigstore clients send for a signature.
public enum TimestampQuery {
    /// SPEC: services.md §1.6 — a DER TimeStampReq v1 with the SHA-256 imprint of `signature`, a random 64-bit
    /// nonce, certReq TRUE, no policy, no extensions.
    public static func der(signature: [UInt8]) throws(SignError) -> [UInt8] {
        let request = TimeStampReq(hashing: signature, nonce: UInt64.random(in: 1...UInt64.max))
        do { return try request.derEncoded() } catch {
            throw SignError(.timestamping, "cannot encode the timestamp request: \(error.reason)")
        }
    }
}
