// What the TSA's HTTP layer needs to speak RFC 3161 over HTTP (RFC 3161 §3.4) the way sigstore/timestamp-authority
// does (services.md §5.1): media types, paths, limits, the default policy and the PEM certificate chain format.
// No HTTP here.

import Foundation
import SwiftASN1
import X509

/// Constants and helpers of the timestamp service's HTTP API.
public enum TimestampService {
    /// `Content-Type` of a DER TimeStampReq body (RFC 3161 §3.4).
    public static let queryMediaType = "application/timestamp-query"
    /// `Content-Type` of a DER TimeStampResp body (RFC 3161 §3.4).
    public static let replyMediaType = "application/timestamp-reply"
    /// `Content-Type` of `GET /api/v1/timestamp/certchain`.
    public static let certificateChainMediaType = "application/pem-certificate-chain"
    /// `POST`: a TimeStampReq in, a TimeStampResp out.
    public static let timestampPath = "/api/v1/timestamp"
    /// `GET`: the TSA chain as PEM, leaf first, root last.
    public static let certificateChainPath = "/api/v1/timestamp/certchain"
    /// The largest request body sigstore/timestamp-authority reads (1 MiB). Anything larger than
    /// `maxTimestampMessageSize` (64 KiB) is refused by the parser anyway.
    public static let maxRequestBodySize = 1 << 20
    /// Sigstore's TSA policy, 1.3.6.1.4.1.57264.2, the default `policy` of a TSTInfo.
    public static let defaultPolicy: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 2]
    /// The most certificates `certificates(pem:)` reads.
    public static let maxChainLength = 16

    /// The certificate chain as served by `GET /api/v1/timestamp/certchain`: one `CERTIFICATE` PEM block per
    /// certificate, in chain order (leaf first), each followed by a newline.
    public static func certificateChainPEM(_ chain: [Certificate]) throws(TSAError) -> String {
        do {
            return try chain.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
        } catch {
            throw TSAError(.invalidPEM, "cannot PEM-encode the chain: \(error)")
        }
    }

    /// Parses a PEM certificate chain (e.g. the certchain endpoint's body or a chain file): only `CERTIFICATE`
    /// blocks, at least one, at most `maxChainLength`, in order.
    public static func certificates(pem: String) throws(TSAError) -> [Certificate] {
        guard pem.utf8.count <= maxChainLength * 16 * 1024 else {
            throw TSAError(.invalidPEM, "expected a PEM chain of at most \(maxChainLength * 16) KiB, got \(pem.utf8.count) bytes")
        }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pem)
        } catch {
            throw TSAError(.invalidPEM, "expected PEM certificates, got unparsable PEM: \(error)")
        }
        guard !documents.isEmpty else { throw TSAError(.invalidPEM, "expected at least one certificate, got none") }
        guard documents.count <= maxChainLength else {
            throw TSAError(.invalidPEM, "expected at most \(maxChainLength) certificates, got \(documents.count)")
        }
        var certificates: [Certificate] = []
        for document in documents {
            guard document.discriminator == "CERTIFICATE" else {
                throw TSAError(.invalidPEM, "expected CERTIFICATE blocks, got \(document.discriminator)")
            }
            do {
                certificates.append(try Certificate(derEncoded: document.derBytes))
            } catch {
                throw TSAError(.invalidPEM, "a CERTIFICATE block is not a DER certificate: \(error)")
            }
        }
        return certificates
    }
}
