// Fulcio over HTTP, as sigstore-python 4.5.1 calls it (services.md §1.3): POST {host root}/api/v2/signingCert
// with the identity token as a Bearer header and {"certificateSigningRequest": base64(PEM CSR)}; the answer's
// `signedCertificateEmbeddedSct.chain.certificates` (PEM, leaf first) is the chain. SigilSign's `Signer` checks
// the chain and its SCT.

import Foundation
import SigilBundle
import SigilSign
import SigilTlog
import SigilX509
import X509

/// A Fulcio certificate authority reached over HTTP.
public struct FulcioClient: CertificateIssuer {
    /// The service URL from the signing config; only its scheme, host and port are used (services.md §0.3).
    public let url: String
    public let http: HTTPServiceClient

    public init(url: String, http: HTTPServiceClient = HTTPServiceClient()) {
        self.url = url
        self.http = http
    }

    /// The endpoint: the URL's host root joined with `/api/v2/signingCert` (a path in `url` is dropped, as
    /// `urljoin(url, "/api/v2/signingCert")` does).
    public var endpoint: String { Self.hostRoot(of: url) + "/api/v2/signingCert" }

    public func issueCertificate(certificateSigningRequest: [UInt8], identityToken: String) async throws
        -> [Certificate]
    {
        let answer = try await http.post(
            service: "Fulcio", url: endpoint,
            headers: [
                ("Authorization", "Bearer \(identityToken)"), ("Content-Type", "application/json"),
                ("Accept", "application/pem-certificate-chain"),
            ],
            body: Self.requestBody(certificateSigningRequest: certificateSigningRequest))
        return try Self.parseChain(answer)
    }

    /// `{"certificateSigningRequest": base64(PEM CSR)}`, as sigstore-python sends it (no credentials field).
    public static func requestBody(certificateSigningRequest: [UInt8]) -> [UInt8] {
        let pem = CertificateCoding.pem(der: certificateSigningRequest, type: "CERTIFICATE REQUEST")
        return JSONValue.makeObject(["certificateSigningRequest": .string(Base64.encode(Array(pem.utf8)))])
            .serialized()
    }

    /// The chain of a `signedCertificateEmbeddedSct` answer; the detached-SCT shape and short chains are
    /// refused.
    public static func parseChain(_ answer: [UInt8]) throws(SignError) -> [Certificate] {
        let object: JSONObject
        do { object = try JSONValueReader.object(answer) } catch {
            throw SignError(.serviceRefused, "Fulcio's answer is not a JSON object: \(error)")
        }
        guard let embedded = object["signedCertificateEmbeddedSct"]?.objectValue else {
            throw SignError(
                .serviceRefused, "Fulcio's answer has no signedCertificateEmbeddedSct (detached SCTs are not supported)")
        }
        guard let pems = embedded["chain"]?.objectValue?["certificates"]?.arrayValue else {
            throw SignError(.serviceRefused, "Fulcio's answer has no chain.certificates")
        }
        var chain: [Certificate] = []
        for pem in pems {
            guard let text = pem.stringValue else {
                throw SignError(.serviceRefused, "Fulcio's chain holds a \(pem.typeName), expected PEM strings")
            }
            do {
                chain.append(contentsOf: try CertificateCoding.certificates(pem: text))
            } catch {
                throw SignError(.invalidCertificate, "Fulcio's chain holds a certificate that does not parse: \(error.reason)")
            }
        }
        guard chain.count >= 2 else {
            throw SignError(.invalidCertificate, "Fulcio's chain is too short: \(chain.count) certificate(s), want ≥ 2")
        }
        return chain
    }

    /// `scheme://host[:port]` of `url`.
    static func hostRoot(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(url[..<schemeEnd.upperBound]) + host
    }
}
