// Rekor v2 over HTTP (services.md §1.4): POST {url}/api/v2/log/entries with a CreateEntryRequest in protobuf
// JSON; the answer is a TransparencyLogEntry in protobuf JSON, parsed strictly. SigilSign's `Signer` then
// verifies the whole bundle, entry included.

import SigilBundle
import SigilSign

/// A Rekor v2 transparency log reached over HTTP.
public struct RekorClient: LogSubmitter {
    /// The log's base URL (no trailing slash needed).
    public let url: String
    public let http: HTTPServiceClient

    public init(url: String, http: HTTPServiceClient = HTTPServiceClient()) {
        self.url = url
        self.http = http
    }

    /// `{url}/api/v2/log/entries`, by concatenation as sigstore-python does (a trailing slash is dropped).
    public var endpoint: String {
        (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/api/v2/log/entries"
    }

    public func submit(_ request: CreateEntryRequest) async throws -> TransparencyLogEntry {
        let answer = try await http.post(
            service: "Rekor", url: endpoint,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: request.jsonBytes())
        do {
            return try TransparencyLogEntry.parse(answer)
        } catch {
            throw SignError(.invalidLogEntry, "Rekor's answer is not a TransparencyLogEntry: \(error)")
        }
    }
}
