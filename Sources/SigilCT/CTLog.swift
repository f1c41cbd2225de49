// A CT log's front door for precertificates (RFC 6962 §4.2 add-pre-chain): check the precertificate, have
// it recorded by a `PrecertificateLogger`, and sign the SCT v1 over the §3.2 precert entry with the log's
// ECDSA P-256 key. The signed structure is SigilX509's `SCTVerifier.signedData`, so what we sign is exactly
// what verifiers rebuild.

import Crypto
import Foundation  // Date (the in-memory logger's injected clock)
import SigilX509
import X509

/// One precertificate entry as RFC 6962 §3.2 defines it, plus what was submitted.
public struct PrecertificateEntry: Hashable, Sendable {
    /// The precertificate as submitted (DER, with the poison extension).
    public let precertificate: [UInt8]
    /// The issuer chain as submitted (DER), issuer first.
    public let chain: [[UInt8]]
    /// `PreCert.issuer_key_hash`: SHA-256 of the issuer's SubjectPublicKeyInfo DER.
    public let issuerKeyHash: [UInt8]
    /// `PreCert.tbs_certificate`: the precertificate's TBSCertificate without the poison extension.
    public let tbsCertificate: [UInt8]
}

/// What a CT log recorded for a precertificate: the fields of the SCT it promises, which are also the fields of
/// the logged `TimestampedEntry` (RFC 6962 §3.4), so the SCT verifies against exactly what is in the log.
public struct PrecertificateLogReceipt: Hashable, Sendable {
    /// The SCT timestamp: milliseconds since the Unix epoch.
    public let timestamp: UInt64
    /// The SCT `extensions` (`CtExtensions` content): empty for an RFC 6962 log, the `leaf_index` extension for a
    /// static-ct-api log.
    public let extensions: [UInt8]

    public init(timestamp: UInt64, extensions: [UInt8] = []) {
        self.timestamp = timestamp
        self.extensions = extensions
    }
}

/// Where a CT log records precertificates before it signs an SCT for them.
///
/// Contract: when `log(_:)` returns, the entry is durably recorded with the returned timestamp and extensions and
/// the log promises to integrate it (the maximum merge delay starts at the returned time). Throwing means nothing
/// was promised: no SCT is signed and the CA issues nothing; a thrown `CTError` keeps its code, anything else
/// becomes ``CTError/Code-swift.struct/logUnavailable``. May be called concurrently. ``StaticCTLog`` (on the
/// `SigilLog` engine, static-ct-api tiles) is the production implementation; ``InMemoryPrecertificateLog`` is for
/// tests.
public protocol PrecertificateLogger: Sendable {
    func log(_ entry: PrecertificateEntry) async throws -> PrecertificateLogReceipt
}

/// An in-memory `PrecertificateLogger` with an injected clock, for tests and `VirtualSigstore`.
public actor InMemoryPrecertificateLog: PrecertificateLogger {
    /// One recorded entry with the timestamp it was given.
    public struct Record: Hashable, Sendable {
        public let index: Int
        public let timestamp: UInt64
        public let entry: PrecertificateEntry
    }

    private let clock: @Sendable () -> Date
    /// Every entry recorded so far, in order.
    public private(set) var records: [Record] = []

    public init(clock: @escaping @Sendable () -> Date) {
        self.clock = clock
    }

    public func log(_ entry: PrecertificateEntry) async throws -> PrecertificateLogReceipt {
        let timestamp = CTLog.milliseconds(clock())
        records.append(Record(index: records.count, timestamp: timestamp, entry: entry))
        return PrecertificateLogReceipt(timestamp: timestamp)
    }
}

/// A CT log's signing side: accepts precertificates and returns signed SCTs.
public struct CTLog: Sendable {
    /// The log's public key.
    public let publicKey: P256.Signing.PublicKey
    /// The log ID: SHA-256 of the public key's SubjectPublicKeyInfo DER (RFC 6962 §3.2).
    public let logID: [UInt8]
    private let signingKey: P256.Signing.PrivateKey
    private let logger: any PrecertificateLogger

    /// A log signing with `signingKey` (ECDSA P-256, as sigstore-python requires of CT keys) and recording
    /// entries in `logger`.
    public init(signingKey: P256.Signing.PrivateKey, logger: any PrecertificateLogger) {
        self.signingKey = signingKey
        self.publicKey = signingKey.publicKey
        self.logID = CertificateCoding.sha256(Array(signingKey.publicKey.derRepresentation))
        self.logger = logger
    }

    /// The public key as a DER SubjectPublicKeyInfo (what a trusted root's `ctlogs[].publicKey.rawBytes` holds).
    public var subjectPublicKeyInfo: [UInt8] { Array(publicKey.derRepresentation) }

    /// The public key as PEM.
    public var publicKeyPEM: String { publicKey.pemRepresentation }

    /// This log's key as SigilX509's verifier takes it.
    public func verificationKey(validFrom: Date? = nil, validUntil: Date? = nil) throws(X509Error) -> CTLogKey {
        try CTLogKey(subjectPublicKeyInfo: subjectPublicKeyInfo, validFrom: validFrom, validUntil: validUntil)
    }

    /// RFC 6962 §4.2 add-pre-chain: checks that `precertificate` carries the poison extension and is signed
    /// by `chain[0]`, records the entry with the logger, and returns the SCT v1 signed over the §3.2
    /// precert entry (issuer key hash of `chain[0]`, TBS without the poison) with the timestamp and extensions
    /// the logger recorded.
    public func addPreChain(_ precertificate: Certificate, chain: [Certificate]) async throws(CTError)
        -> SignedCertificateTimestamp
    {
        guard let issuer = chain.first else {
            throw CTError(.emptyChain, "expected the issuer certificate after the precertificate, found none")
        }
        // SPEC: RFC 6962 §3.1: the precertificate is signed by the CA that will sign the final certificate
        guard issuer.publicKey.isValidSignature(precertificate.signature, for: precertificate) else {
            throw CTError(.wrongIssuer, "precertificate signature does not verify with the key of \(issuer.subject)")
        }
        let tbs = try Precertificate.tbsWithoutPoison(precertificate)
        let issuerKeyHash: [UInt8]
        let precertDER: [UInt8]
        var chainDER: [[UInt8]] = []
        do {
            issuerKeyHash = try CertificateCoding.subjectPublicKeyInfoSHA256(issuer)
            precertDER = try CertificateCoding.der(precertificate)
            for certificate in chain { chainDER.append(try CertificateCoding.der(certificate)) }
        } catch {
            throw CTError(.malformedPrecertificate, "cannot encode the submitted chain: \(error)")
        }
        let entry = PrecertificateEntry(
            precertificate: precertDER, chain: chainDER, issuerKeyHash: issuerKeyHash, tbsCertificate: tbs)
        let receipt: PrecertificateLogReceipt
        do {
            receipt = try await logger.log(entry)
        } catch let error as CTError {
            throw error
        } catch {
            throw CTError(.logUnavailable, "precertificate logger failed: \(error)")
        }
        return try sign(
            tbsCertificate: tbs, issuerKeyHash: issuerKeyHash, timestamp: receipt.timestamp,
            extensions: receipt.extensions)
    }

    /// Signs an SCT v1 for a precert entry (RFC 6962 §3.2) at `timestamp` (ms since the epoch) with `extensions`.
    public func sign(
        tbsCertificate: [UInt8], issuerKeyHash: [UInt8], timestamp: UInt64, extensions: [UInt8] = []
    ) throws(CTError) -> SignedCertificateTimestamp {
        var sct = SignedCertificateTimestamp(
            logID: logID, timestamp: timestamp, extensions: extensions,
            signatureAlgorithm: SignedCertificateTimestamp.signatureECDSA, signature: [])
        // SPEC: RFC 6962 §3.2 digitally-signed struct for a precert_entry, SHA-256 with ECDSA
        let signed: [UInt8]
        do {
            signed = try SCTVerifier.signedData(sct: sct, issuerKeyHash: issuerKeyHash, tbs: tbsCertificate)
        } catch {
            throw CTError(.malformedPrecertificate, "cannot build the signed SCT input: \(error.reason)")
        }
        do {
            sct.signature = Array(try signingKey.signature(for: signed).derRepresentation)
        } catch {
            throw CTError(.signingFailed, "ECDSA signing failed: \(error)")
        }
        return sct
    }

    /// Milliseconds since the Unix epoch for a date (0 before the epoch, saturating far in the future).
    static func milliseconds(_ date: Date) -> UInt64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite, value > 0 else { return 0 }
        guard value < 18_000_000_000_000_000_000 else { return UInt64.max }
        return UInt64(value)
    }
}
