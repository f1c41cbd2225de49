// Rekor entry bodies as they appear (base64) in `TransparencyLogEntry.canonicalizedBody`:
// - Rekor v2 (sigstore/rekor-tiles api/proto/rekor/v2/{entry,hashedrekord,dsse,verifier}.proto, protojson
//   then RFC 8785): hashedrekord 0.0.2, dsse 0.0.2 (deprecated upstream, read only);
// - Rekor v1 (sigstore/rekor pkg/types/{hashedrekord/v0.0.1,dsse/v0.0.1,intoto/v0.0.2}, Go JSON, one
//   spelling of each name): hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2. Read only: Sigil writes no v1.
// And the Rekor v2 write request `CreateEntryRequest { hashedRekordRequestV002 }`.

import SigilTlog

/// `message PublicKey { bytes raw_bytes = 1; }` (rekor v2 verifier.proto)
public struct RekorPublicKey: ProtoJSONMessage {
    public var rawBytes: [UInt8]

    public init(rawBytes: [UInt8]) { self.rawBytes = rawBytes }

    public init(protoJSON reader: ProtoJSONObject) throws {
        rawBytes = try reader.nonEmptyBytes("rawBytes")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("rawBytes", bytes: rawBytes)
        return builder.value
    }
}

/// `message Verifier { oneof verifier { PublicKey public_key = 1; X509Certificate x509_certificate = 2; }
/// PublicKeyDetails key_details = 3; }`
public struct RekorVerifier: ProtoJSONMessage {
    public enum Key: Hashable, Sendable {
        case publicKey(RekorPublicKey)
        case x509Certificate(X509Certificate)
    }

    public var key: Key
    public var keyDetails: PublicKeyDetails

    public init(key: Key, keyDetails: PublicKeyDetails) {
        self.key = key
        self.keyDetails = keyDetails
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        let publicKey = try reader.message("publicKey", as: RekorPublicKey.self)
        let certificate = try reader.message("x509Certificate", as: X509Certificate.self)
        switch (publicKey, certificate) {
        case (let publicKey?, nil): key = .publicKey(publicKey)
        case (nil, let certificate?): key = .x509Certificate(certificate)
        case (.some, .some):
            throw BundleError.at(reader.path, .conflictingFields, "verifier has both publicKey and x509Certificate")
        case (nil, nil):
            throw BundleError.at(reader.childPath("verifier"), .missingField, "expected publicKey or x509Certificate")
        }
        keyDetails = try reader.requiredEnum("keyDetails", as: PublicKeyDetails.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        switch key {
        case .publicKey(let publicKey): builder.add("publicKey", message: publicKey)
        case .x509Certificate(let certificate): builder.add("x509Certificate", message: certificate)
        }
        builder.add("keyDetails", enum: keyDetails)
        return builder.value
    }
}

/// `message Signature { bytes content = 1; Verifier verifier = 2; }` (rekor v2 verifier.proto)
public struct RekorSignature: ProtoJSONMessage {
    public var content: [UInt8]
    public var verifier: RekorVerifier

    public init(content: [UInt8], verifier: RekorVerifier) {
        self.content = content
        self.verifier = verifier
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        content = try reader.nonEmptyBytes("content")
        verifier = try reader.requiredMessage("verifier", as: RekorVerifier.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("content", bytes: content)
        builder.add("verifier", message: verifier)
        return builder.value
    }
}

/// `message HashedRekordLogEntryV002 { HashOutput data = 1; Signature signature = 2; }`
public struct HashedRekordV002: ProtoJSONMessage {
    public var data: HashOutput
    public var signature: RekorSignature

    public init(data: HashOutput, signature: RekorSignature) {
        self.data = data
        self.signature = signature
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        data = try reader.requiredMessage("data", as: HashOutput.self)
        signature = try reader.requiredMessage("signature", as: RekorSignature.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("data", message: data)
        builder.add("signature", message: signature)
        return builder.value
    }
}

/// `message DSSELogEntryV002 { HashOutput payloadHash = 1; repeated Signature signatures = 2; }`
/// (deprecated upstream; read for completeness).
public struct DSSEV002: ProtoJSONMessage {
    public var payloadHash: HashOutput
    public var signatures: [RekorSignature]

    public init(payloadHash: HashOutput, signatures: [RekorSignature]) {
        self.payloadHash = payloadHash
        self.signatures = signatures
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        payloadHash = try reader.requiredMessage("payloadHash", as: HashOutput.self)
        signatures = try reader.repeatedMessages("signatures", of: RekorSignature.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("payloadHash", message: payloadHash)
        builder.add("signatures", messages: signatures)
        return builder.value
    }
}

/// A Rekor v1 `{"algorithm": "sha256", "value": "<hex>"}` hash.
public struct RekorV1Hash: Hashable, Sendable {
    public var algorithm: String
    /// The hex text as the log wrote it.
    public var value: String

    public init(algorithm: String, value: String) {
        self.algorithm = algorithm
        self.value = value
    }

    /// The digest bytes (lowercase or uppercase hex); `nil` when `value` is not hex.
    public var digest: [UInt8]? { Hex.decode(value.lowercased()) }

    init(reader: ProtoJSONObject) throws {
        algorithm = try reader.nonEmptyString("algorithm")
        value = try reader.nonEmptyString("value")
        guard digest != nil else { throw BundleError.at(reader.childPath("value"), .invalidBase64, "expected hex, got \"\(value)\"") }
    }

    var json: JSONValue { .makeObject(["algorithm": .string(algorithm), "value": .string(value)]) }
}

/// Rekor v1 hashedrekord 0.0.1 spec: `signature.content`, `signature.publicKey.content` (PEM certificate or
/// key, base64 of the PEM text), `data.hash`.
public struct HashedRekordV001: Hashable, Sendable {
    public var signatureContent: [UInt8]
    /// The PEM text's bytes (certificate or public key).
    public var publicKeyContent: [UInt8]
    public var hash: RekorV1Hash

    public init(signatureContent: [UInt8], publicKeyContent: [UInt8], hash: RekorV1Hash) {
        self.signatureContent = signatureContent
        self.publicKeyContent = publicKeyContent
        self.hash = hash
    }

    init(spec: ProtoJSONObject) throws {
        (signatureContent, publicKeyContent) = try spec.requiredObject("signature") { signature in
            (try signature.nonEmptyBytes("content"),
             try signature.requiredObject("publicKey") { try $0.nonEmptyBytes("content") })
        }
        hash = try spec.requiredObject("data") { data in try data.requiredObject("hash") { try RekorV1Hash(reader: $0) } }
    }

    var specJSON: JSONValue {
        .makeObject([
            "data": .makeObject(["hash": hash.json]),
            "signature": .makeObject([
                "content": .string(Base64.encode(signatureContent)),
                "publicKey": .makeObject(["content": .string(Base64.encode(publicKeyContent))]),
            ]),
        ])
    }
}

/// Rekor v1 dsse 0.0.1 spec (canonical form): `envelopeHash`, `payloadHash`, `signatures[]{signature,
/// verifier}` (signature = the envelope's base64 text, verifier = base64 of a PEM).
public struct DSSEV001: Hashable, Sendable {
    public struct Signature: Hashable, Sendable {
        /// The signature's base64 text as the envelope carried it.
        public var signature: String
        /// The PEM text's bytes.
        public var verifier: [UInt8]

        public init(signature: String, verifier: [UInt8]) {
            self.signature = signature
            self.verifier = verifier
        }
    }

    public var envelopeHash: RekorV1Hash?
    public var payloadHash: RekorV1Hash?
    public var signatures: [Signature]

    public init(envelopeHash: RekorV1Hash?, payloadHash: RekorV1Hash?, signatures: [Signature]) {
        self.envelopeHash = envelopeHash
        self.payloadHash = payloadHash
        self.signatures = signatures
    }

    init(spec: ProtoJSONObject) throws {
        envelopeHash = try spec.object("envelopeHash") { try RekorV1Hash(reader: $0) }
        payloadHash = try spec.object("payloadHash") { try RekorV1Hash(reader: $0) }
        signatures = try spec.repeated("signatures") { value, path in
            let reader = try ProtoJSONObject(value, path: path, acceptsSnakeCase: false)
            return Signature(signature: try reader.nonEmptyString("signature"), verifier: try reader.nonEmptyBytes("verifier"))
        }
    }

    var specJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("envelopeHash", envelopeHash?.json)
        builder.add("payloadHash", payloadHash?.json)
        builder.add("signatures", .array(signatures.map {
            .makeObject(["signature": .string($0.signature), "verifier": .string(Base64.encode($0.verifier))])
        }))
        return builder.value
    }
}

/// Rekor v1 intoto 0.0.2 spec (canonical form): `content.envelope{payloadType, signatures[]{keyid?, sig,
/// publicKey}}`, `content.hash`, `content.payloadHash`. The payload itself is not in the body.
public struct InTotoV002: Hashable, Sendable {
    public struct Signature: Hashable, Sendable {
        public var keyid: String?
        /// The `sig` text as stored (Rekor stores base64 of the envelope's base64 signature).
        public var sig: String
        /// The PEM text's bytes.
        public var publicKey: [UInt8]

        public init(keyid: String?, sig: String, publicKey: [UInt8]) {
            self.keyid = keyid
            self.sig = sig
            self.publicKey = publicKey
        }
    }

    public var payloadType: String
    public var signatures: [Signature]
    public var hash: RekorV1Hash?
    public var payloadHash: RekorV1Hash?

    public init(payloadType: String, signatures: [Signature], hash: RekorV1Hash?, payloadHash: RekorV1Hash?) {
        self.payloadType = payloadType
        self.signatures = signatures
        self.hash = hash
        self.payloadHash = payloadHash
    }

    init(spec: ProtoJSONObject) throws {
        let content = try spec.requiredObject("content") { $0 }
        (payloadType, signatures) = try content.requiredObject("envelope") { envelope in
            let type = try envelope.nonEmptyString("payloadType")
            let signatures = try envelope.repeated("signatures") { value, path in
                let reader = try ProtoJSONObject(value, path: path, acceptsSnakeCase: false)
                return Signature(keyid: try reader.string("keyid"), sig: try reader.nonEmptyString("sig"),
                    publicKey: try reader.nonEmptyBytes("publicKey"))
            }
            return (type, signatures)
        }
        hash = try content.object("hash") { try RekorV1Hash(reader: $0) }
        payloadHash = try content.object("payloadHash") { try RekorV1Hash(reader: $0) }
    }

    var specJSON: JSONValue {
        var envelope = ProtoJSONBuilder()
        envelope.add("payloadType", string: payloadType)
        envelope.add("signatures", .array(signatures.map { signature in
            var builder = ProtoJSONBuilder()
            builder.add("keyid", string: signature.keyid)
            builder.add("publicKey", string: Base64.encode(signature.publicKey))
            builder.add("sig", string: signature.sig)
            return builder.value
        }))
        var content = ProtoJSONBuilder()
        content.add("envelope", envelope.value)
        content.add("hash", hash?.json)
        content.add("payloadHash", payloadHash?.json)
        return .makeObject(["content": content.value])
    }
}

/// A Rekor entry body, decoded from `canonicalizedBody` by its `kind` and `apiVersion`.
public enum RekorEntryBody: Hashable, Sendable {
    case hashedRekordV001(HashedRekordV001)
    case hashedRekordV002(HashedRekordV002)
    case dsseV001(DSSEV001)
    case dsseV002(DSSEV002)
    case intotoV002(InTotoV002)

    public var kind: String {
        switch self {
        case .hashedRekordV001, .hashedRekordV002: "hashedrekord"
        case .dsseV001, .dsseV002: "dsse"
        case .intotoV002: "intoto"
        }
    }

    public var apiVersion: String {
        switch self {
        case .hashedRekordV001, .dsseV001: "0.0.1"
        case .hashedRekordV002, .dsseV002, .intotoV002: "0.0.2"
        }
    }

    /// The kind and version, as `TransparencyLogEntry.kindVersion` should state them.
    public var kindVersion: KindVersion { KindVersion(kind: kind, version: apiVersion) }

    /// Parses a canonicalized body. Unknown kind/apiVersion pairs are `unsupportedEntryKind`; any other
    /// failure is `invalidEntryBody`, with the field path in the reason.
    public static func parse(_ canonicalizedBody: some Collection<UInt8>, limits: JSONLimits = .default) throws -> RekorEntryBody {
        let kind: String
        let apiVersion: String
        let top: ProtoJSONObject
        do {
            top = try ProtoJSONObject(try JSONValue.parse(canonicalizedBody, limits: limits), acceptsSnakeCase: false)
            kind = try top.nonEmptyString("kind")
            apiVersion = try top.nonEmptyString("apiVersion")
        } catch let error as BundleError {
            throw BundleError(.invalidEntryBody, error.reason)
        }
        do {
            switch (kind, apiVersion) {
            case ("hashedrekord", "0.0.1"):
                return .hashedRekordV001(try top.requiredObject("spec") { try HashedRekordV001(spec: $0) })
            case ("hashedrekord", "0.0.2"):
                return .hashedRekordV002(try top.requiredObject("spec") { spec in
                    let protoSpec = try ProtoJSONObject(.object(spec.object), path: spec.path, acceptsSnakeCase: true)
                    return try protoSpec.requiredMessage("hashedRekordV002", as: HashedRekordV002.self)
                })
            case ("dsse", "0.0.1"):
                return .dsseV001(try top.requiredObject("spec") { try DSSEV001(spec: $0) })
            case ("dsse", "0.0.2"):
                return .dsseV002(try top.requiredObject("spec") { spec in
                    let protoSpec = try ProtoJSONObject(.object(spec.object), path: spec.path, acceptsSnakeCase: true)
                    return try protoSpec.requiredMessage("dsseV002", as: DSSEV002.self)
                })
            case ("intoto", "0.0.2"):
                return .intotoV002(try top.requiredObject("spec") { try InTotoV002(spec: $0) })
            default:
                throw BundleError(.unsupportedEntryKind, "entry kind \"\(kind)\" apiVersion \"\(apiVersion)\" is not supported")
            }
        } catch let error as BundleError where error.code != .unsupportedEntryKind {
            throw BundleError(.invalidEntryBody, error.reason)
        }
    }

    /// The body's JSON (`apiVersion`, `kind`, `spec`).
    public var json: JSONValue {
        let spec: JSONValue
        switch self {
        case .hashedRekordV001(let body): spec = body.specJSON
        case .hashedRekordV002(let body): spec = .makeObject(["hashedRekordV002": body.protoJSON])
        case .dsseV001(let body): spec = body.specJSON
        case .dsseV002(let body): spec = .makeObject(["dsseV002": body.protoJSON])
        case .intotoV002(let body): spec = body.specJSON
        }
        return .makeObject(["apiVersion": .string(apiVersion), "kind": .string(kind), "spec": spec])
    }

    /// The RFC 8785 canonical bytes the log hashes: for hashedrekord 0.0.2 byte-identical to what
    /// rekor-tiles writes. (The body holds no numbers, so canonicalization cannot fail.)
    public var canonicalBody: [UInt8] {
        (try? json.canonicalized()) ?? json.serialized()
    }
}

/// `message CreateEntryRequest { oneof spec { HashedRekordRequestV002 hashed_rekord_request_v002 = 1;
/// DSSERequestV002 dsse_request_v002 = 2; } }` — only the hashedrekord request is modelled (rekor-tiles
/// refuses the deprecated DSSE request).
public struct CreateEntryRequest: ProtoJSONMessage {
    /// `message HashedRekordRequestV002 { bytes digest = 1; Signature signature = 2; }`
    public struct HashedRekordRequestV002: ProtoJSONMessage {
        public var digest: [UInt8]
        public var signature: RekorSignature

        public init(digest: [UInt8], signature: RekorSignature) {
            self.digest = digest
            self.signature = signature
        }

        public init(protoJSON reader: ProtoJSONObject) throws {
            digest = try reader.nonEmptyBytes("digest")
            signature = try reader.requiredMessage("signature", as: RekorSignature.self)
        }

        public var protoJSON: JSONValue {
            var builder = ProtoJSONBuilder()
            builder.add("digest", bytes: digest)
            builder.add("signature", message: signature)
            return builder.value
        }
    }

    public var hashedRekordRequestV002: HashedRekordRequestV002

    public init(hashedRekordRequestV002: HashedRekordRequestV002) {
        self.hashedRekordRequestV002 = hashedRekordRequestV002
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        if try reader.has("dsseRequestV002") {
            throw BundleError.at(reader.childPath("dsseRequestV002"), .unsupportedEntryKind,
                "the DSSE v0.0.2 request is deprecated; send a hashedrekord over the PAE")
        }
        hashedRekordRequestV002 = try reader.requiredMessage("hashedRekordRequestV002", as: HashedRekordRequestV002.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("hashedRekordRequestV002", message: hashedRekordRequestV002)
        return builder.value
    }
}
