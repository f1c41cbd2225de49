// The RFC 3161 timestamp authority core: a DER TimeStampReq in, a DER TimeStampResp out. The clock and the
// serial-number source are injected; the key and chain are checked once, at construction.
//
// Anything a client can send wrong is answered with a `rejection` response carrying PKIFailureInfo bits (the
// mapping follows OpenSSL's TS responder, `crypto/ts/ts_rsp_sign.c`, and sigstore/timestamp-authority's
// checks, services.md §5.2), never with a thrown error or a trap.

import Crypto
import Foundation
import SigilTimestamp
import SwiftASN1
import X509

/// What the TSA answered: the DER `TimeStampResp` and, for the HTTP layer and logs, its status.
public struct TimeStampResponse: Hashable, Sendable {
    /// The DER TimeStampResp (body of an `application/timestamp-reply`).
    public let derEncoded: [UInt8]
    /// `granted`, or `rejection`.
    public let status: PKIStatus
    /// The failure flags of a rejection; `nil` when granted.
    public let failureInfo: PKIFailureInfo?
    /// The PKIFreeText of a rejection (what was expected and what was found); `nil` when granted.
    public let statusString: String?
    /// The signed TSTInfo of a granted response.
    public let tstInfo: TSTInfo?

    /// True when the TSA granted the request.
    public var isGranted: Bool { status == .granted }
}

/// Signs RFC 3161 timestamp tokens for DER TimeStampReqs.
public struct TimeStampSigner: Sendable {
    /// The TSA chain, leaf (the signing certificate) first.
    public let certificateChain: [Certificate]
    /// The TSTInfo policy when the request names none.
    public let policy: ASN1ObjectIdentifier
    /// The policies a request may name (`reqPolicy`); always includes `policy`.
    public let acceptedPolicies: Set<ASN1ObjectIdentifier>
    /// The TSTInfo accuracy; `nil` leaves it out.
    public let accuracy: Accuracy?
    /// When certReq is TRUE: embed the whole chain (`true`) or only the leaf (`false`, the default, as
    /// sigstore/timestamp-authority does without `--include-chain-in-response`).
    public let includeChainInResponse: Bool
    /// Whether the SignerInfo carries a signing-time attribute (equal to genTime).
    public let includeSigningTime: Bool
    /// The TSTInfo `tsa` name; `nil` leaves it out.
    public let tsaName: GeneralName?

    private let signingKey: TimestampSigningKey
    private let clock: @Sendable () -> Date
    private let serialNumbers: @Sendable () -> [UInt8]

    /// An accuracy of one second (what sigstore/timestamp-authority states).
    public static let oneSecond: Accuracy? = try? Accuracy(seconds: 1)

    /// A random positive 128-bit serial number (RFC 3161 §2.4.2: unique per TSA; at most 160 bits).
    @Sendable public static func randomSerialNumber() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = bytes[0] & 0x7F | 0x40
        return bytes
    }

    /// A signer for `certificateChain` (leaf first) with `signingKey`, the leaf's key.
    ///
    /// - Parameters:
    ///   - policy: the TSTInfo policy for requests that name none (Sigstore's 1.3.6.1.4.1.57264.2 by default).
    ///   - acceptedPolicies: further policies a request may ask for; any other `reqPolicy` is rejected with
    ///     `unacceptedPolicy`.
    ///   - clock: the time source; genTime is its value truncated to whole seconds.
    ///   - serialNumbers: the TSTInfo serial-number source (unsigned big-endian magnitudes); random by default.
    /// - Throws: `TSAError` when the chain is empty or broken, the leaf may not sign timestamps, or the key is
    ///   not the leaf's.
    public init(
        signingKey: TimestampSigningKey, certificateChain: [Certificate],
        policy: ASN1ObjectIdentifier = TimestampService.defaultPolicy, acceptedPolicies: [ASN1ObjectIdentifier] = [],
        accuracy: Accuracy? = TimeStampSigner.oneSecond, includeChainInResponse: Bool = false,
        includeSigningTime: Bool = true, tsaName: GeneralName? = nil, clock: @escaping @Sendable () -> Date,
        serialNumbers: @escaping @Sendable () -> [UInt8] = TimeStampSigner.randomSerialNumber
    ) throws(TSAError) {
        guard let leaf = certificateChain.first else {
            throw TSAError(.emptyChain, "expected a TSA chain with at least the leaf certificate, got none")
        }
        // SPEC: RFC 3161 §2.3, services.md §5.4 — the signing certificate has exactly one EKU, a critical
        // id-kp-timeStamping, key usage digitalSignature/nonRepudiation only, and is not a CA.
        do {
            try TimestampAuthority.checkSigningCertificateProfile(leaf)
        } catch {
            throw TSAError(.notTimestampingCertificate, "the leaf \(leaf.subject) may not sign timestamps: \(error)")
        }
        if let constraints = try? leaf.extensions.basicConstraints, case .isCertificateAuthority = constraints {
            throw TSAError(.notTimestampingCertificate, "expected the leaf \(leaf.subject) not to be a CA, it is")
        }
        guard leaf.publicKey == signingKey.publicKey else {
            throw TSAError(.keyMismatch, "expected the signing key to be the leaf \(leaf.subject)'s key, it is not")
        }
        // SPEC: RFC 5280 §6.1 (the link part) — each certificate is issued and signed by the next one.
        for (certificate, issuer) in zip(certificateChain, certificateChain.dropFirst()) {
            guard certificate.issuer == issuer.subject,
                issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
            else {
                throw TSAError(
                    .brokenChain, "expected \(certificate.subject) to be issued and signed by \(issuer.subject), it is not")
            }
        }
        self.signingKey = signingKey
        self.certificateChain = certificateChain
        self.policy = policy
        self.acceptedPolicies = Set(acceptedPolicies).union([policy])
        self.accuracy = accuracy
        self.includeChainInResponse = includeChainInResponse
        self.includeSigningTime = includeSigningTime
        self.tsaName = tsaName
        self.clock = clock
        self.serialNumbers = serialNumbers
    }

    /// Answers a DER TimeStampReq (the body of an `application/timestamp-query`). Never throws: a request the
    /// TSA cannot grant gets a `rejection` response.
    public func respond(to requestDER: [UInt8]) -> TimeStampResponse {
        let request: TimeStampReq
        do {
            request = try TimeStampReq(derEncoded: requestDER)
        } catch {
            // SPEC: RFC 3161 §2.4.2 — badRequest: "transaction not permitted or supported" (an unknown
            // version); badDataFormat: "the data submitted has the wrong format" (undecodable, truncated,
            // trailing bytes, non-DER, oversize).
            if error.code == .unsupportedVersion {
                return reject(.badRequest, "unsupported request: \(error.reason)")
            }
            return reject(.badDataFormat, "expected a DER TimeStampReq: \(error.reason)")
        }
        return respond(to: request)
    }

    /// Answers a parsed TimeStampReq (e.g. one the HTTP layer built from a JSON request). Never throws.
    public func respond(to request: TimeStampReq) -> TimeStampResponse {
        // SPEC: RFC 3161 §2.4.1 — version v1(1).
        guard request.version == 1 else {
            return reject(.badRequest, "expected TimeStampReq version 1, got \(request.version)")
        }
        // SPEC: RFC 3161 §2.4.1, services.md §5.2 — the imprint hash is SHA-256, SHA-384 or SHA-512 (SHA-1 is
        // refused as weak), its parameters absent or NULL.
        let imprint = request.messageImprint
        guard let hash = TimestampHashAlgorithm(oid: imprint.hashAlgorithm.algorithm) else {
            return reject(
                .badAlg, "expected a SHA-256, SHA-384 or SHA-512 imprint, got \(imprint.hashAlgorithm.algorithm)")
        }
        if let parameters = imprint.hashAlgorithm.parameters, (try? ASN1Null(asn1Any: parameters)) == nil {
            return reject(.badAlg, "expected absent or NULL \(hash) parameters, got other parameters")
        }
        // SPEC: RFC 3161 §2.4.1 — "the length of the hash value MUST match the length of the hash algorithm".
        guard imprint.hashedMessage.count == hash.digestByteCount else {
            return reject(
                .badDataFormat,
                "expected a \(hash.digestByteCount)-byte \(hash) imprint, got \(imprint.hashedMessage.count) bytes")
        }
        // SPEC: RFC 3161 §2.4.1 — a requested policy the TSA does not serve is unacceptedPolicy.
        if let requested = request.reqPolicy, !acceptedPolicies.contains(requested) {
            return reject(.unacceptedPolicy, "expected policy \(policy), got \(requested)")
        }
        // SPEC: RFC 3161 §2.4.1, services.md §5.2 — no request extension is supported.
        guard request.extensions == nil else {
            return reject(.unacceptedExtension, "expected no request extensions, got some")
        }

        let genTime = clock()
        let tstInfo: TSTInfo
        do {
            // SPEC: RFC 3161 §2.4.2 — TSTInfo v1: policy, the request's imprint, a unique serial number,
            // genTime, accuracy, ordering FALSE, the request's nonce, the TSA name.
            tstInfo = try TSTInfo(
                policy: request.reqPolicy ?? policy, messageImprint: imprint, serialNumber: serialNumbers(),
                genTime: genTime, accuracy: accuracy, nonce: request.nonce, tsa: tsaName)
        } catch {
            return reject(.timeNotAvailable, "the clock is unusable: \(error.reason)")
        }
        do {
            // SPEC: RFC 3161 §2.4.1 — certReq TRUE: the signing certificate MUST be in the token; FALSE: it
            // MUST NOT be.
            let certificates = request.certReq
                ? (includeChainInResponse ? certificateChain : Array(certificateChain.prefix(1))) : []
            let key = signingKey
            let token = try TimeStampToken(
                signing: tstInfo, signer: certificateChain[0], certificates: certificates,
                digestAlgorithm: key.digestAlgorithm, signatureAlgorithm: key.signatureAlgorithm,
                signingTime: includeSigningTime ? genTime : nil, sign: { try key.signature(for: $0) })
            let der = try TimeStampResp.granted(token).derEncoded()
            return TimeStampResponse(
                derEncoded: der, status: .granted, failureInfo: nil, statusString: nil, tstInfo: token.tstInfo)
        } catch {
            return reject(.systemFailure, "cannot sign the timestamp: \(error)")
        }
    }

    /// A rejection response. If even that cannot be encoded, a fixed systemFailure response.
    private func reject(_ failure: PKIFailureInfo, _ reason: String) -> TimeStampResponse {
        if let der = try? TimeStampResp.rejectionDER(failure, statusString: reason) {
            return TimeStampResponse(
                derEncoded: der, status: .rejection, failureInfo: failure, statusString: reason, tstInfo: nil)
        }
        // TimeStampResp { PKIStatusInfo { rejection(2), failInfo systemFailure(25) } }
        let fixed: [UInt8] = [0x30, 0x0C, 0x30, 0x0A, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40]
        return TimeStampResponse(
            derEncoded: fixed, status: .rejection, failureInfo: .systemFailure, statusString: nil, tstInfo: nil)
    }
}
