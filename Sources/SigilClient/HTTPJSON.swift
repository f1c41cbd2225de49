// Small JSON helpers for the HTTP clients, on SigilBundle's strict parser.

import SigilBundle

enum JSONValueReader {
    /// The top-level object of a JSON text.
    static func object(_ bytes: [UInt8]) throws -> JSONObject {
        guard let object = try JSONValue.parse(bytes, limits: JSONLimits(maxBytes: 8 << 20, maxDepth: 32)).objectValue
        else {
            throw BundleError(.invalidJSON, "expected a JSON object")
        }
        return object
    }
}
