// An RFC 3161 timestamp authority over HTTP (services.md §1.6): POST the DER TimeStampReq (SHA-256 imprint of
// the signature, random 64-bit nonce, certReq) to the URL verbatim as application/timestamp-query; the answer
// is a DER TimeStampResp. sigstore-python's timeout is 5 s.

import SigilSign

/// A timestamp authority reached over HTTP.
public struct TSAClient: Timestamper {
    /// The full endpoint URL, used as is (e.g. `http://127.0.0.1:3004/api/v1/timestamp`).
    public let url: String
    public let http: HTTPServiceClient

    public init(url: String, http: HTTPServiceClient = HTTPServiceClient(timeout: .seconds(5))) {
        self.url = url
        self.http = http
    }

    public func timestamp(signature: [UInt8]) async throws -> [UInt8] {
        let query = try TimestampQuery.der(signature: signature)
        return try await http.post(
            service: "timestamp authority", url: url,
            headers: [("Content-Type", "application/timestamp-query"), ("Accept", "application/timestamp-reply")],
            body: query)
    }
}
