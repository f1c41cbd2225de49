// dev.sigstore.common.v1 (sigstore/protobuf-specs protos/sigstore_common.proto), the shared messages.

/// `enum HashAlgorithm { HASH_ALGORITHM_UNSPECIFIED = 0; SHA2_256 = 1; SHA2_384 = 2; SHA2_512 = 3;
/// SHA3_256 = 4; SHA3_384 = 5; }`
public struct HashAlgorithm: ProtoEnum {
    public let name: String
    public init(name: String) { self.name = name }

    public static let unspecified = HashAlgorithm(name: "HASH_ALGORITHM_UNSPECIFIED")
    public static let sha2_256 = HashAlgorithm(name: "SHA2_256")
    public static let sha2_384 = HashAlgorithm(name: "SHA2_384")
    public static let sha2_512 = HashAlgorithm(name: "SHA2_512")
    public static let sha3_256 = HashAlgorithm(name: "SHA3_256")
    public static let sha3_384 = HashAlgorithm(name: "SHA3_384")

    public static let numbers: [Int64: String] = [
        0: "HASH_ALGORITHM_UNSPECIFIED", 1: "SHA2_256", 2: "SHA2_384", 3: "SHA2_512", 4: "SHA3_256", 5: "SHA3_384",
    ]
}

/// `enum PublicKeyDetails`: key encoding and signature algorithm in one value.
public struct PublicKeyDetails: ProtoEnum {
    public let name: String
    public init(name: String) { self.name = name }

    public static let unspecified = PublicKeyDetails(name: "PUBLIC_KEY_DETAILS_UNSPECIFIED")
    public static let pkcs1RSAPKCS1v5 = PublicKeyDetails(name: "PKCS1_RSA_PKCS1V5")
    public static let pkixRSAPKCS1v15_2048_SHA256 = PublicKeyDetails(name: "PKIX_RSA_PKCS1V15_2048_SHA256")
    public static let pkixRSAPKCS1v15_3072_SHA256 = PublicKeyDetails(name: "PKIX_RSA_PKCS1V15_3072_SHA256")
    public static let pkixRSAPKCS1v15_4096_SHA256 = PublicKeyDetails(name: "PKIX_RSA_PKCS1V15_4096_SHA256")
    public static let pkixECDSAP256SHA256 = PublicKeyDetails(name: "PKIX_ECDSA_P256_SHA_256")
    public static let pkixECDSAP384SHA384 = PublicKeyDetails(name: "PKIX_ECDSA_P384_SHA_384")
    public static let pkixECDSAP521SHA512 = PublicKeyDetails(name: "PKIX_ECDSA_P521_SHA_512")
    public static let pkixEd25519 = PublicKeyDetails(name: "PKIX_ED25519")
    public static let pkixEd25519ph = PublicKeyDetails(name: "PKIX_ED25519_PH")

    public static let numbers: [Int64: String] = [
        0: "PUBLIC_KEY_DETAILS_UNSPECIFIED", 1: "PKCS1_RSA_PKCS1V5", 2: "PKCS1_RSA_PSS", 3: "PKIX_RSA_PKCS1V5",
        4: "PKIX_RSA_PSS", 5: "PKIX_ECDSA_P256_SHA_256", 6: "PKIX_ECDSA_P256_HMAC_SHA_256", 7: "PKIX_ED25519",
        8: "PKIX_ED25519_PH", 9: "PKIX_RSA_PKCS1V15_2048_SHA256", 10: "PKIX_RSA_PKCS1V15_3072_SHA256",
        11: "PKIX_RSA_PKCS1V15_4096_SHA256", 12: "PKIX_ECDSA_P384_SHA_384", 13: "PKIX_ECDSA_P521_SHA_512",
        14: "LMS_SHA256", 15: "LMOTS_SHA256", 16: "PKIX_RSA_PSS_2048_SHA256", 17: "PKIX_RSA_PSS_3072_SHA256",
        18: "PKIX_RSA_PSS_4096_SHA256", 19: "PKIX_ECDSA_P384_SHA_256", 20: "PKIX_ECDSA_P521_SHA_256",
        21: "ML_DSA_65", 22: "ML_DSA_87", 23: "ML_DSA_44",
    ]
}

/// `message HashOutput { HashAlgorithm algorithm = 1; bytes digest = 2; }`
public struct HashOutput: ProtoJSONMessage {
    public var algorithm: HashAlgorithm
    public var digest: [UInt8]

    public init(algorithm: HashAlgorithm, digest: [UInt8]) {
        self.algorithm = algorithm
        self.digest = digest
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        algorithm = try reader.enumValue("algorithm", as: HashAlgorithm.self) ?? .unspecified
        digest = try reader.bytes("digest") ?? []
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("algorithm", enum: algorithm)
        builder.add("digest", bytes: digest)
        return builder.value
    }
}

/// `message LogId { bytes key_id = 1; }`
public struct LogId: ProtoJSONMessage {
    public var keyId: [UInt8]

    public init(keyId: [UInt8]) { self.keyId = keyId }

    public init(protoJSON reader: ProtoJSONObject) throws {
        keyId = try reader.nonEmptyBytes("keyId")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("keyId", bytes: keyId)
        return builder.value
    }
}

/// `message X509Certificate { bytes raw_bytes = 1; }` — DER.
public struct X509Certificate: ProtoJSONMessage {
    /// The certificate's DER bytes, exactly as the document carried them.
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

/// `message X509CertificateChain { repeated X509Certificate certificates = 1; }`
public struct X509CertificateChain: ProtoJSONMessage {
    /// Leaf first. May be empty here; "non-empty" is the verifier's rule.
    public var certificates: [X509Certificate]

    public init(certificates: [X509Certificate]) { self.certificates = certificates }

    public init(protoJSON reader: ProtoJSONObject) throws {
        certificates = try reader.repeatedMessages("certificates", of: X509Certificate.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("certificates", messages: certificates)
        return builder.value
    }
}

/// `message TimeRange { google.protobuf.Timestamp start = 1; optional google.protobuf.Timestamp end = 2; }`
/// The range is closed, [start, end]. `start` is required here (sigstore-python requires it too).
public struct TimeRange: ProtoJSONMessage {
    public var start: ProtoTimestamp
    public var end: ProtoTimestamp?

    public init(start: ProtoTimestamp, end: ProtoTimestamp? = nil) {
        self.start = start
        self.end = end
    }

    /// Whether `time` is within [start, end] (no end: open-ended).
    public func contains(_ time: ProtoTimestamp) -> Bool {
        start <= time && (end.map { time <= $0 } ?? true)
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        guard let start = try reader.timestamp("start") else {
            throw BundleError.at(reader.childPath("start"), .missingField, "required field is missing")
        }
        self.start = start
        end = try reader.timestamp("end")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("start", string: start.rfc3339)
        builder.add("end", string: end?.rfc3339)
        return builder.value
    }
}

/// `message PublicKey { optional bytes raw_bytes = 1; PublicKeyDetails key_details = 2;
/// optional TimeRange valid_for = 3; }`
public struct PublicKey: ProtoJSONMessage {
    /// DER SubjectPublicKeyInfo (or PKCS#1 for `PKCS1_RSA_PKCS1V5`).
    public var rawBytes: [UInt8]?
    public var keyDetails: PublicKeyDetails
    public var validFor: TimeRange?

    public init(rawBytes: [UInt8]?, keyDetails: PublicKeyDetails, validFor: TimeRange? = nil) {
        self.rawBytes = rawBytes
        self.keyDetails = keyDetails
        self.validFor = validFor
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        rawBytes = try reader.bytes("rawBytes")
        keyDetails = try reader.enumValue("keyDetails", as: PublicKeyDetails.self) ?? .unspecified
        validFor = try reader.message("validFor", as: TimeRange.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("rawBytes", bytes: rawBytes)
        builder.add("keyDetails", enum: keyDetails)
        builder.add("validFor", message: validFor)
        return builder.value
    }
}

/// `message PublicKeyIdentifier { string hint = 1; }` — an unauthenticated hint naming an out-of-band key.
public struct PublicKeyIdentifier: ProtoJSONMessage {
    public var hint: String

    public init(hint: String) { self.hint = hint }

    public init(protoJSON reader: ProtoJSONObject) throws {
        hint = try reader.string("hint") ?? ""
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("hint", string: hint)
        return builder.value
    }
}

/// `message DistinguishedName { string organization = 1; string common_name = 2; }`
public struct DistinguishedName: ProtoJSONMessage {
    public var organization: String
    public var commonName: String

    public init(organization: String, commonName: String) {
        self.organization = organization
        self.commonName = commonName
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        organization = try reader.string("organization") ?? ""
        commonName = try reader.string("commonName") ?? ""
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("organization", string: organization)
        builder.add("commonName", string: commonName)
        return builder.value
    }
}

/// `message RFC3161SignedTimestamp { bytes signed_timestamp = 1; }` — a DER TimeStampResp.
public struct RFC3161SignedTimestamp: ProtoJSONMessage {
    public var signedTimestamp: [UInt8]

    public init(signedTimestamp: [UInt8]) { self.signedTimestamp = signedTimestamp }

    public init(protoJSON reader: ProtoJSONObject) throws {
        signedTimestamp = try reader.nonEmptyBytes("signedTimestamp")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("signedTimestamp", bytes: signedTimestamp)
        return builder.value
    }
}

/// `message MessageSignature { HashOutput message_digest = 1; bytes signature = 2; }`
public struct MessageSignature: ProtoJSONMessage {
    /// For identification only; the verifier recomputes the digest of the artifact.
    public var messageDigest: HashOutput?
    public var signature: [UInt8]

    public init(messageDigest: HashOutput?, signature: [UInt8]) {
        self.messageDigest = messageDigest
        self.signature = signature
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        messageDigest = try reader.message("messageDigest", as: HashOutput.self)
        signature = try reader.nonEmptyBytes("signature")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("messageDigest", message: messageDigest)
        builder.add("signature", bytes: signature)
        return builder.value
    }
}
