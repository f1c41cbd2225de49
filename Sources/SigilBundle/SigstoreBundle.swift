// dev.sigstore.bundle.v1 (sigstore/protobuf-specs protos/sigstore_bundle.proto): the Sigstore bundle.

/// The bundle format versions this library reads.
public enum BundleVersion: Int, Hashable, Sendable, Comparable, CustomStringConvertible {
    case v0_1 = 1, v0_2 = 2, v0_3 = 3

    public static func < (lhs: BundleVersion, rhs: BundleVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "0.\(rawValue)" }
}

/// A bundle `mediaType`: one of the four spellings sigstore clients accept.
public struct BundleMediaType: Hashable, Sendable, CustomStringConvertible {
    /// The exact text, kept so a bundle is written back as it was read.
    public let rawValue: String
    public let version: BundleVersion

    public static let v0_1 = BundleMediaType(known: "application/vnd.dev.sigstore.bundle+json;version=0.1", .v0_1)
    public static let v0_2 = BundleMediaType(known: "application/vnd.dev.sigstore.bundle+json;version=0.2", .v0_2)
    /// The v0.3 spelling new bundles use.
    public static let v0_3 = BundleMediaType(known: "application/vnd.dev.sigstore.bundle.v0.3+json", .v0_3)
    /// The legacy v0.3 spelling, still accepted.
    public static let v0_3Legacy = BundleMediaType(known: "application/vnd.dev.sigstore.bundle+json;version=0.3", .v0_3)

    public static let all: [BundleMediaType] = [.v0_1, .v0_2, .v0_3, .v0_3Legacy]

    private init(known rawValue: String, _ version: BundleVersion) {
        self.rawValue = rawValue
        self.version = version
    }

    /// Recognizes a media type exactly (no case folding, no extra parameters); throws
    /// `unsupportedMediaType` for anything else.
    public init(_ rawValue: String) throws {
        guard let known = Self.all.first(where: { $0.rawValue == rawValue }) else {
            throw BundleError.at("mediaType", .unsupportedMediaType,
                "expected one of \(Self.all.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(rawValue)\"")
        }
        self = known
    }

    public var description: String { rawValue }
}

/// `message TimestampVerificationData { repeated RFC3161SignedTimestamp rfc3161_timestamps = 1; }`
public struct TimestampVerificationData: ProtoJSONMessage {
    public var rfc3161Timestamps: [RFC3161SignedTimestamp]

    public init(rfc3161Timestamps: [RFC3161SignedTimestamp]) { self.rfc3161Timestamps = rfc3161Timestamps }

    public init(protoJSON reader: ProtoJSONObject) throws {
        rfc3161Timestamps = try reader.repeatedMessages("rfc3161Timestamps", of: RFC3161SignedTimestamp.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("rfc3161Timestamps", messages: rfc3161Timestamps)
        return builder.value
    }
}

/// `message VerificationMaterial { oneof content { PublicKeyIdentifier public_key = 1;
/// X509CertificateChain x509_certificate_chain = 2; X509Certificate certificate = 5; }
/// repeated TransparencyLogEntry tlog_entries = 3; TimestampVerificationData timestamp_verification_data = 4; }`
public struct VerificationMaterial: Hashable, Sendable {
    /// Who signed: a key hint, a chain (v0.1/v0.2), or a single leaf certificate (v0.3).
    public enum Content: Hashable, Sendable {
        case publicKey(PublicKeyIdentifier)
        case x509CertificateChain(X509CertificateChain)
        case certificate(X509Certificate)
    }

    public var content: Content
    public var tlogEntries: [TransparencyLogEntry]
    public var timestampVerificationData: TimestampVerificationData?

    public init(content: Content, tlogEntries: [TransparencyLogEntry], timestampVerificationData: TimestampVerificationData? = nil) {
        self.content = content
        self.tlogEntries = tlogEntries
        self.timestampVerificationData = timestampVerificationData
    }

    /// The signing certificate's DER, when the material is a certificate or a non-empty chain.
    public var leafCertificate: X509Certificate? {
        switch content {
        case .certificate(let certificate): certificate
        case .x509CertificateChain(let chain): chain.certificates.first
        case .publicKey: nil
        }
    }

    /// The RFC 3161 timestamps (empty when there is no timestamp data).
    public var rfc3161Timestamps: [RFC3161SignedTimestamp] { timestampVerificationData?.rfc3161Timestamps ?? [] }

    /// Reads the material; which `content` is allowed depends on the bundle version: v0.1/v0.2 carry
    /// `x509CertificateChain` or `publicKey`, v0.3 carries `certificate` or `publicKey`.
    public init(protoJSON reader: ProtoJSONObject, version: BundleVersion) throws {
        let publicKey = try reader.message("publicKey", as: PublicKeyIdentifier.self)
        let chain = try reader.message("x509CertificateChain", as: X509CertificateChain.self)
        let certificate = try reader.message("certificate", as: X509Certificate.self)
        let present = [publicKey != nil ? "publicKey" : nil, chain != nil ? "x509CertificateChain" : nil,
                       certificate != nil ? "certificate" : nil].compactMap { $0 }
        guard present.count <= 1 else {
            throw BundleError.at(reader.path, .conflictingFields, "oneof content has \(present.joined(separator: " and ")); expected one")
        }
        if let publicKey {
            content = .publicKey(publicKey)
        } else if let chain {
            guard version < .v0_3 else {
                throw BundleError.at(reader.childPath("x509CertificateChain"), .fieldNotAllowedInVersion,
                    "a v0.3 bundle carries the leaf in \"certificate\", not \"x509CertificateChain\"")
            }
            content = .x509CertificateChain(chain)
        } else if let certificate {
            guard version >= .v0_3 else {
                throw BundleError.at(reader.childPath("certificate"), .fieldNotAllowedInVersion,
                    "\"certificate\" exists from bundle v0.3; a v\(version) bundle uses \"x509CertificateChain\"")
            }
            content = .certificate(certificate)
        } else {
            throw BundleError.at(reader.childPath("content"), .missingField,
                "expected one of publicKey, x509CertificateChain, certificate")
        }
        tlogEntries = try reader.repeatedMessages("tlogEntries", of: TransparencyLogEntry.self)
        timestampVerificationData = try reader.message("timestampVerificationData", as: TimestampVerificationData.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        switch content {
        case .publicKey(let key): builder.add("publicKey", message: key)
        case .x509CertificateChain(let chain): builder.add("x509CertificateChain", message: chain)
        case .certificate(let certificate): builder.add("certificate", message: certificate)
        }
        builder.add("tlogEntries", messages: tlogEntries)
        builder.add("timestampVerificationData", message: timestampVerificationData)
        return builder.value
    }
}

/// `message Bundle { string media_type = 1; VerificationMaterial verification_material = 2;
/// oneof content { MessageSignature message_signature = 3; io.intoto.Envelope dsse_envelope = 4; } }`
///
/// `parse` checks structure and what each version allows; it does not check counts (exactly one tlog
/// entry, a non-empty chain, a promise or a timestamp): those are the verifier's steps, each with its own
/// error.
public struct SigstoreBundle: ProtoJSONMessage {
    /// What was signed: a message digest signature or a DSSE envelope.
    public enum Content: Hashable, Sendable {
        case messageSignature(MessageSignature)
        case dsseEnvelope(DSSEEnvelope)
    }

    public var mediaType: BundleMediaType
    public var verificationMaterial: VerificationMaterial
    public var content: Content

    public init(mediaType: BundleMediaType = .v0_3, verificationMaterial: VerificationMaterial, content: Content) {
        self.mediaType = mediaType
        self.verificationMaterial = verificationMaterial
        self.content = content
    }

    public var version: BundleVersion { mediaType.version }

    /// The signature bytes RFC 3161 timestamps are taken over: the message signature, or the DSSE
    /// envelope's first signature.
    public var signatureBytes: [UInt8]? {
        switch content {
        case .messageSignature(let signature): signature.signature
        case .dsseEnvelope(let envelope): envelope.signatures.first?.sig
        }
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        let mediaType = try BundleMediaType(try reader.requiredString("mediaType"))
        self.mediaType = mediaType
        verificationMaterial = try reader.requiredObject("verificationMaterial") {
            try VerificationMaterial(protoJSON: $0, version: mediaType.version)
        }
        let messageSignature = try reader.message("messageSignature", as: MessageSignature.self)
        let envelope = try reader.message("dsseEnvelope", as: DSSEEnvelope.self)
        switch (messageSignature, envelope) {
        case (let signature?, nil): content = .messageSignature(signature)
        case (nil, let envelope?): content = .dsseEnvelope(envelope)
        case (.some, .some):
            throw BundleError.at("content", .conflictingFields, "bundle has both messageSignature and dsseEnvelope; expected one")
        case (nil, nil):
            throw BundleError.at("content", .missingField, "expected messageSignature or dsseEnvelope")
        }
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("mediaType", string: mediaType.rawValue)
        builder.add("verificationMaterial", verificationMaterial.protoJSON)
        switch content {
        case .messageSignature(let signature): builder.add("messageSignature", message: signature)
        case .dsseEnvelope(let envelope): builder.add("dsseEnvelope", message: envelope)
        }
        return builder.value
    }
}
