// DSSE envelopes and PAE (secure-systems-lab/dsse envelope.md, protocol.md; envelope.proto), and the
// in-toto Statement v1 (in-toto/attestation spec/v1/statement.md).

/// `message Signature { bytes sig = 1; string keyid = 2; }`
public struct DSSESignature: ProtoJSONMessage {
    public var sig: [UInt8]
    /// Unauthenticated hint; often empty.
    public var keyid: String

    public init(sig: [UInt8], keyid: String = "") {
        self.sig = sig
        self.keyid = keyid
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        sig = try reader.nonEmptyBytes("sig")
        keyid = try reader.string("keyid") ?? ""
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("sig", bytes: sig)
        if !keyid.isEmpty { builder.add("keyid", string: keyid) }
        return builder.value
    }
}

/// `message Envelope { bytes payload = 1; string payloadType = 2; repeated Signature signatures = 3; }`.
/// Its proto field names are already camelCase, so there is no snake_case spelling to accept.
public struct DSSEEnvelope: ProtoJSONMessage {
    public var payload: [UInt8]
    public var payloadType: String
    public var signatures: [DSSESignature]

    /// The payload type of in-toto statements.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    public init(payload: [UInt8], payloadType: String, signatures: [DSSESignature]) {
        self.payload = payload
        self.payloadType = payloadType
        self.signatures = signatures
    }

    public init(protoJSON outer: ProtoJSONObject) throws {
        let reader = try ProtoJSONObject(.object(outer.object), path: outer.path, acceptsSnakeCase: false)
        payload = try reader.requiredBytes("payload")
        payloadType = try reader.nonEmptyString("payloadType")
        signatures = try reader.repeatedMessages("signatures", of: DSSESignature.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("payload", bytes: payload)
        builder.add("payloadType", string: payloadType)
        builder.add("signatures", messages: signatures)
        return builder.value
    }

    /// The bytes the signatures sign: `PAE(payloadType, payload)`.
    public var preAuthenticationEncoding: [UInt8] { DSSE.pae(payloadType: payloadType, payload: payload) }
}

/// DSSE helpers.
public enum DSSE {
    /// DSSE v1 Pre-Authentication Encoding (protocol.md):
    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN = decimal byte count, no leading zeros.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = Array("DSSEv1 \(type.count) ".utf8)
        out += type
        out += Array(" \(payload.count) ".utf8)
        out += payload
        return out
    }
}

/// An in-toto Statement v1 (`_type` `https://in-toto.io/Statement/v1`).
public struct InTotoStatement: Hashable, Sendable {
    /// One subject: a name and its digests (algorithm name → lowercase hex, as in-toto's DigestSet).
    public struct Subject: Hashable, Sendable {
        public var name: String
        public var digest: [String: String]

        public init(name: String, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }

        /// The digest for `algorithm` (e.g. `sha256`) as bytes, when present and valid hex.
        public func digestBytes(_ algorithm: String) -> [UInt8]? {
            digest[algorithm].flatMap(Hex.decode)
        }
    }

    public static let typeV1 = "https://in-toto.io/Statement/v1"

    public var type: String
    public var subjects: [Subject]
    public var predicateType: String
    /// The predicate, kept as JSON (numbers as their text, members in order).
    public var predicate: JSONValue?

    public init(subjects: [Subject], predicateType: String, predicate: JSONValue?) {
        self.type = Self.typeV1
        self.subjects = subjects
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// Parses a statement (the DSSE payload) strictly: `_type` must be v1, at least one subject, each with
    /// a name (may be empty, as the spec allows) and a non-empty digest set of strings.
    public static func parse(_ bytes: some Collection<UInt8>, limits: JSONLimits = .default) throws -> InTotoStatement {
        try InTotoStatement(json: try JSONValue.parse(bytes, limits: limits))
    }

    public init(json: JSONValue) throws {
        let reader = try ProtoJSONObject(json, acceptsSnakeCase: false)
        let type = try reader.requiredString("_type")
        guard type == Self.typeV1 else {
            throw BundleError.at("_type", .unsupportedStatementType, "expected \"\(Self.typeV1)\", got \"\(type)\"")
        }
        self.type = type
        subjects = try reader.repeated("subject") { value, path in
            let subject = try ProtoJSONObject(value, path: path, acceptsSnakeCase: false)
            let name = try subject.string("name") ?? ""
            let digests = try subject.requiredObject("digest") { digestReader in
                var result: [String: String] = [:]
                for member in digestReader.object {
                    guard case .string(let hex) = member.value else {
                        throw BundleError.at(digestReader.childPath(member.name), .wrongType, "expected string, got \(member.value.typeName)")
                    }
                    result[member.name] = hex
                }
                return result
            }
            guard !digests.isEmpty else { throw BundleError.at("\(path).digest", .invalidValue, "expected at least one digest") }
            return Subject(name: name, digest: digests)
        }
        guard !subjects.isEmpty else { throw BundleError.at("subject", .missingField, "expected at least one subject") }
        predicateType = try reader.nonEmptyString("predicateType")
        predicate = try reader.json("predicate")
    }

    /// The statement's JSON: `_type`, `subject`, `predicateType`, `predicate`; digest members sorted by name.
    public var json: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("_type", string: type)
        builder.add("subject", .array(subjects.map { subject in
            var digest = JSONObject()
            for key in subject.digest.keys.sorted() { digest.insert(key, .string(subject.digest[key] ?? "")) }
            return JSONValue.makeObject(["name": .string(subject.name), "digest": .object(digest)])
        }))
        builder.add("predicateType", string: predicateType)
        builder.add("predicate", predicate)
        return builder.value
    }

    /// Whether some subject has `digest` under `algorithm` (e.g. `sha256`), compared as bytes.
    public func hasSubject(algorithm: String, digest: [UInt8]) -> Bool {
        subjects.contains { $0.digestBytes(algorithm) == digest }
    }
}

/// Lowercase hexadecimal, strict on input.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lowercase hex; `nil` for odd length, uppercase, or other characters.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
