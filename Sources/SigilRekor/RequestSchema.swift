// The field names of `CreateEntryRequest.hashedRekordRequestV002` (sigstore/rekor-tiles api/proto/rekor/v2/
// {rekor_service,hashedrekord,verifier}.proto), for one check SigilBundle's reader leaves out: rekor-tiles
// decodes with protojson `DiscardUnknown: false`, so a member the schema does not define refuses the request.
// Written by hand: no allowed package reads protobuf JSON.

import SigilBundle

/// A message's fields by name; each field is a nested message or a scalar (bytes, enum).
struct RequestSchema: Sendable {
    private let fields: [String: RequestSchema?]

    /// A message with these fields, by their lowerCamel JSON names; protojson also accepts each field's proto
    /// (snake_case) name, so both are known.
    init(_ fields: KeyValuePairs<String, RequestSchema?>) {
        var all: [String: RequestSchema?] = [:]
        for (name, child) in fields {
            all[name] = child
            all[ProtoJSONObject.snakeCase(name)] = child
        }
        self.fields = all
    }

    // SPEC: rekor-tiles verifier.proto: `PublicKey { bytes raw_bytes }`, `X509Certificate { bytes raw_bytes }`
    // (the latter from protobuf-specs sigstore_common.proto), `Verifier { oneof { public_key, x509_certificate },
    // key_details }`, `Signature { content, verifier }`; hashedrekord.proto: `HashedRekordRequestV002 { digest,
    // signature }`.
    static let hashedRekordRequestV002: RequestSchema = {
        let rawBytes = RequestSchema(["rawBytes": nil])
        let verifier = RequestSchema(["publicKey": rawBytes, "x509Certificate": rawBytes, "keyDetails": nil])
        let signature = RequestSchema(["content": nil, "verifier": verifier])
        return RequestSchema(["digest": nil, "signature": signature])
    }()

    /// Throws `unknownField` for the first member (depth first, in document order) the schema does not define.
    /// Values of the wrong JSON type are left to the typed reader, which names the expected type.
    func check(_ value: JSONValue, path: String) throws(RekorError) {
        guard case .object(let object) = value else { return }
        for member in object {
            let memberPath = path.isEmpty ? member.name : "\(path).\(member.name)"
            guard let child = fields[member.name] else {
                throw RekorError(
                    .unknownField, "\(memberPath.prefix(200)): unknown field \"\(member.name.prefix(100))\"")
            }
            if let child { try child.check(member.value, path: memberPath) }
        }
    }
}
