// dev.sigstore.trustroot.v1 (sigstore/protobuf-specs protos/sigstore_trustroot.proto): TrustedRoot,
// SigningConfig v0.2, ClientTrustConfig.

/// `message TransparencyLogInstance { string base_url = 1; HashAlgorithm hash_algorithm = 2;
/// PublicKey public_key = 3; LogId log_id = 4; LogId checkpoint_key_id = 5; string operator = 6; }`
public struct TransparencyLogInstance: ProtoJSONMessage {
    public var baseUrl: String
    public var hashAlgorithm: HashAlgorithm
    public var publicKey: PublicKey
    public var logId: LogId
    public var checkpointKeyId: LogId?
    public var `operator`: String?

    public init(
        baseUrl: String, hashAlgorithm: HashAlgorithm = .sha2_256, publicKey: PublicKey, logId: LogId,
        checkpointKeyId: LogId? = nil, operator: String? = nil
    ) {
        self.baseUrl = baseUrl
        self.hashAlgorithm = hashAlgorithm
        self.publicKey = publicKey
        self.logId = logId
        self.checkpointKeyId = checkpointKeyId
        self.operator = `operator`
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        baseUrl = try reader.nonEmptyString("baseUrl")
        hashAlgorithm = try reader.enumValue("hashAlgorithm", as: HashAlgorithm.self) ?? .unspecified
        publicKey = try reader.requiredMessage("publicKey", as: PublicKey.self)
        logId = try reader.requiredMessage("logId", as: LogId.self)
        checkpointKeyId = try reader.message("checkpointKeyId", as: LogId.self)
        `operator` = try reader.string("operator")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("baseUrl", string: baseUrl)
        builder.add("hashAlgorithm", enum: hashAlgorithm)
        builder.add("publicKey", message: publicKey)
        builder.add("logId", message: logId)
        builder.add("checkpointKeyId", message: checkpointKeyId)
        builder.add("operator", string: `operator`)
        return builder.value
    }
}

/// `message CertificateAuthority { DistinguishedName subject = 1; string uri = 2;
/// X509CertificateChain cert_chain = 3; TimeRange valid_for = 4; string operator = 5; }`
/// Used for Fulcio CAs and for TSAs (for a TSA the chain is leaf first, root last).
public struct CertificateAuthority: ProtoJSONMessage {
    public var subject: DistinguishedName
    public var uri: String
    public var certChain: X509CertificateChain
    public var validFor: TimeRange?
    public var `operator`: String?

    public init(
        subject: DistinguishedName, uri: String, certChain: X509CertificateChain, validFor: TimeRange?,
        operator: String? = nil
    ) {
        self.subject = subject
        self.uri = uri
        self.certChain = certChain
        self.validFor = validFor
        self.operator = `operator`
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        subject = try reader.message("subject", as: DistinguishedName.self) ?? DistinguishedName(organization: "", commonName: "")
        uri = try reader.string("uri") ?? ""
        certChain = try reader.requiredMessage("certChain", as: X509CertificateChain.self)
        validFor = try reader.message("validFor", as: TimeRange.self)
        `operator` = try reader.string("operator")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("subject", message: subject)
        if !uri.isEmpty { builder.add("uri", string: uri) }
        builder.add("certChain", message: certChain)
        builder.add("validFor", message: validFor)
        builder.add("operator", string: `operator`)
        return builder.value
    }
}

/// `message TrustedRoot { string media_type = 1; repeated TransparencyLogInstance tlogs = 2;
/// repeated CertificateAuthority certificate_authorities = 3; repeated TransparencyLogInstance ctlogs = 4;
/// repeated CertificateAuthority timestamp_authorities = 5; }`
public struct TrustedRoot: ProtoJSONMessage {
    public static let mediaTypeV0_1 = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"

    public var mediaType: String
    public var tlogs: [TransparencyLogInstance]
    public var certificateAuthorities: [CertificateAuthority]
    public var ctlogs: [TransparencyLogInstance]
    public var timestampAuthorities: [CertificateAuthority]

    public init(
        tlogs: [TransparencyLogInstance], certificateAuthorities: [CertificateAuthority],
        ctlogs: [TransparencyLogInstance], timestampAuthorities: [CertificateAuthority]
    ) {
        self.mediaType = Self.mediaTypeV0_1
        self.tlogs = tlogs
        self.certificateAuthorities = certificateAuthorities
        self.ctlogs = ctlogs
        self.timestampAuthorities = timestampAuthorities
    }

    /// Reads a TrustedRoot; `mediaType` must be exactly v0.1 (the only one sigstore-python accepts).
    public init(protoJSON reader: ProtoJSONObject) throws {
        mediaType = try reader.requiredString("mediaType")
        guard mediaType == Self.mediaTypeV0_1 else {
            throw BundleError.at(reader.childPath("mediaType"), .unsupportedMediaType,
                "expected \"\(Self.mediaTypeV0_1)\", got \"\(mediaType)\"")
        }
        tlogs = try reader.repeatedMessages("tlogs", of: TransparencyLogInstance.self)
        certificateAuthorities = try reader.repeatedMessages("certificateAuthorities", of: CertificateAuthority.self)
        ctlogs = try reader.repeatedMessages("ctlogs", of: TransparencyLogInstance.self)
        timestampAuthorities = try reader.repeatedMessages("timestampAuthorities", of: CertificateAuthority.self)
    }

    /// The transparency log whose `logId` (or `checkpointKeyId`) is `keyId`.
    public func transparencyLog(keyId: [UInt8]) -> TransparencyLogInstance? {
        tlogs.first { $0.logId.keyId == keyId || $0.checkpointKeyId?.keyId == keyId }
    }

    /// The CT log whose `logId` is `keyId` (an SCT's log ID).
    public func certificateTransparencyLog(keyId: [UInt8]) -> TransparencyLogInstance? {
        ctlogs.first { $0.logId.keyId == keyId }
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("mediaType", string: mediaType)
        builder.add("tlogs", messages: tlogs)
        builder.add("certificateAuthorities", messages: certificateAuthorities)
        builder.add("ctlogs", messages: ctlogs)
        builder.add("timestampAuthorities", messages: timestampAuthorities)
        return builder.value
    }
}

/// `enum ServiceSelector { SERVICE_SELECTOR_UNDEFINED = 0; ALL = 1; ANY = 2; EXACT = 3; }`
public struct ServiceSelector: ProtoEnum {
    public let name: String
    public init(name: String) { self.name = name }

    public static let undefined = ServiceSelector(name: "SERVICE_SELECTOR_UNDEFINED")
    public static let all = ServiceSelector(name: "ALL")
    public static let any = ServiceSelector(name: "ANY")
    public static let exact = ServiceSelector(name: "EXACT")

    public static let numbers: [Int64: String] = [0: "SERVICE_SELECTOR_UNDEFINED", 1: "ALL", 2: "ANY", 3: "EXACT"]
}

/// `message ServiceConfiguration { ServiceSelector selector = 1; uint32 count = 2; }`
public struct ServiceConfiguration: ProtoJSONMessage {
    public var selector: ServiceSelector
    /// Used with `EXACT`.
    public var count: UInt32?

    public init(selector: ServiceSelector, count: UInt32? = nil) {
        self.selector = selector
        self.count = count
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        selector = try reader.enumValue("selector", as: ServiceSelector.self) ?? .undefined
        count = try reader.uint32("count")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("selector", enum: selector)
        builder.add("count", uint32: count)
        return builder.value
    }
}

/// `message Service { string url = 1; uint32 major_api_version = 2; TimeRange valid_for = 3;
/// string operator = 4; }` — `majorApiVersion` is written as a JSON number.
public struct Service: ProtoJSONMessage {
    public var url: String
    public var majorApiVersion: UInt32
    public var validFor: TimeRange?
    public var `operator`: String

    public init(url: String, majorApiVersion: UInt32, validFor: TimeRange?, operator: String) {
        self.url = url
        self.majorApiVersion = majorApiVersion
        self.validFor = validFor
        self.operator = `operator`
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        url = try reader.nonEmptyString("url")
        majorApiVersion = try reader.uint32("majorApiVersion") ?? 0
        validFor = try reader.message("validFor", as: TimeRange.self)
        `operator` = try reader.string("operator") ?? ""
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("url", string: url)
        builder.add("majorApiVersion", uint32: majorApiVersion)
        builder.add("validFor", message: validFor)
        builder.add("operator", string: `operator`)
        return builder.value
    }
}

/// `message SigningConfig { string media_type = 5; repeated Service ca_urls = 6;
/// repeated Service oidc_urls = 7; repeated Service rekor_tlog_urls = 8;
/// ServiceConfiguration rekor_tlog_config = 9; repeated Service tsa_urls = 10;
/// ServiceConfiguration tsa_config = 11; }` — v0.2 only.
public struct SigningConfig: ProtoJSONMessage {
    public static let mediaTypeV0_2 = "application/vnd.dev.sigstore.signingconfig.v0.2+json"

    public var mediaType: String
    public var caUrls: [Service]
    public var oidcUrls: [Service]
    public var rekorTlogUrls: [Service]
    public var rekorTlogConfig: ServiceConfiguration?
    public var tsaUrls: [Service]
    public var tsaConfig: ServiceConfiguration?

    public init(
        caUrls: [Service], oidcUrls: [Service], rekorTlogUrls: [Service], rekorTlogConfig: ServiceConfiguration?,
        tsaUrls: [Service], tsaConfig: ServiceConfiguration?
    ) {
        self.mediaType = Self.mediaTypeV0_2
        self.caUrls = caUrls
        self.oidcUrls = oidcUrls
        self.rekorTlogUrls = rekorTlogUrls
        self.rekorTlogConfig = rekorTlogConfig
        self.tsaUrls = tsaUrls
        self.tsaConfig = tsaConfig
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        mediaType = try reader.requiredString("mediaType")
        guard mediaType == Self.mediaTypeV0_2 else {
            throw BundleError.at(reader.childPath("mediaType"), .unsupportedMediaType,
                "expected \"\(Self.mediaTypeV0_2)\", got \"\(mediaType)\"")
        }
        caUrls = try reader.repeatedMessages("caUrls", of: Service.self)
        oidcUrls = try reader.repeatedMessages("oidcUrls", of: Service.self)
        rekorTlogUrls = try reader.repeatedMessages("rekorTlogUrls", of: Service.self)
        rekorTlogConfig = try reader.message("rekorTlogConfig", as: ServiceConfiguration.self)
        tsaUrls = try reader.repeatedMessages("tsaUrls", of: Service.self)
        tsaConfig = try reader.message("tsaConfig", as: ServiceConfiguration.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("mediaType", string: mediaType)
        builder.add("caUrls", messages: caUrls)
        builder.add("oidcUrls", messages: oidcUrls)
        builder.add("rekorTlogUrls", messages: rekorTlogUrls)
        builder.add("rekorTlogConfig", message: rekorTlogConfig)
        builder.add("tsaUrls", messages: tsaUrls)
        builder.add("tsaConfig", message: tsaConfig)
        return builder.value
    }
}

/// `message ClientTrustConfig { string media_type = 1; TrustedRoot trusted_root = 2;
/// SigningConfig signing_config = 3; }` — what `--trust-config` reads.
public struct ClientTrustConfig: ProtoJSONMessage {
    public static let mediaTypeV0_1 = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"

    public var mediaType: String
    public var trustedRoot: TrustedRoot
    public var signingConfig: SigningConfig

    public init(trustedRoot: TrustedRoot, signingConfig: SigningConfig) {
        self.mediaType = Self.mediaTypeV0_1
        self.trustedRoot = trustedRoot
        self.signingConfig = signingConfig
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        mediaType = try reader.requiredString("mediaType")
        guard mediaType == Self.mediaTypeV0_1 else {
            throw BundleError.at(reader.childPath("mediaType"), .unsupportedMediaType,
                "expected \"\(Self.mediaTypeV0_1)\", got \"\(mediaType)\"")
        }
        trustedRoot = try reader.requiredMessage("trustedRoot", as: TrustedRoot.self)
        signingConfig = try reader.requiredMessage("signingConfig", as: SigningConfig.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("mediaType", string: mediaType)
        builder.add("trustedRoot", message: trustedRoot)
        builder.add("signingConfig", message: signingConfig)
        return builder.value
    }
}
