import Crypto
import SigilBundle
import SigilTesting
import Testing

@Suite("Trusted roots, signing configs, client trust configs")
struct TrustRootTests {
    static let roots = ["sigstore-public/trust/production/trusted_root.json", "sigstore-public/trust/staging/trusted_root.json"]
    static let configs = ["sigstore-public/trust/production/signing_config.v0.2.json", "sigstore-public/trust/staging/signing_config.v0.2.json"]

    private func time(_ text: String) throws -> ProtoTimestamp { try ProtoTimestamp(rfc3339: text) }

    @Test("both real trusted roots parse, round-trip, and parse in snake_case", arguments: roots)
    func trustedRootsParse(_ path: String) throws {
        let root = try TrustedRoot.parse(try Fixtures.bytes(path))
        #expect(try TrustedRoot.parse(root.jsonBytes()) == root)
        #expect(try TrustedRoot(json: BundleFixtures.json(path).snakeCased()) == root)
        #expect(root.tlogs.allSatisfy { $0.logId.keyId.count == 32 && $0.hashAlgorithm == .sha2_256 })
        #expect(root.certificateAuthorities.allSatisfy { !$0.certChain.certificates.isEmpty })
    }

    @Test("the staging trusted root has the logs, windows and authorities it lists")
    func stagingValues() throws {
        let root = try TrustedRoot.parse(try Fixtures.bytes(Self.roots[1]))
        #expect(root.mediaType == TrustedRoot.mediaTypeV0_1)
        #expect(root.tlogs.count == 4)
        #expect(root.ctlogs.count == 4)
        #expect(root.certificateAuthorities.count == 1)
        #expect(root.timestampAuthorities.count == 1)
        let alpha1 = try #require(root.tlogs.first { $0.baseUrl == "https://log2025-alpha1.rekor.sigstage.dev" })
        #expect(alpha1.publicKey.keyDetails == .pkixEd25519)
        #expect(alpha1.publicKey.rawBytes?.count == 44)
        #expect(alpha1.publicKey.validFor?.start == ProtoTimestamp(seconds: 1_744_761_600))
        #expect(alpha1.publicKey.validFor?.end == ProtoTimestamp(seconds: 1_756_944_000))
        #expect(alpha1.checkpointKeyId == nil)
        // The staging Rekor v2 bundle's entry names this log.
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt.sigstore.json"))
        #expect(bundle.verificationMaterial.tlogEntries.first?.logId == alpha1.logId)
        #expect(alpha1.publicKey.validFor?.contains(try time("2025-06-09T11:57:38Z")) == true)
        #expect(alpha1.publicKey.validFor?.contains(try time("2025-09-04T00:00:00.000000001Z")) == false)
        #expect(root.ctlogs.first?.publicKey.keyDetails == .pkcs1RSAPKCS1v5)
        #expect(root.timestampAuthorities.first?.certChain.certificates.count == 2)
        #expect(root.timestampAuthorities.first?.subject.commonName == "sigstore-tsa-selfsigned")
        #expect(root.timestampAuthorities.first?.uri == "https://timestamp.sigstage.dev/api/v1/timestamp")
    }

    @Test("the production trusted root keeps the fractional end of the 2021 CA")
    func productionValues() throws {
        let root = try TrustedRoot.parse(try Fixtures.bytes(Self.roots[0]))
        #expect(root.tlogs.count == 2)
        #expect(root.ctlogs.count == 2)
        #expect(root.certificateAuthorities.count == 2)
        #expect(root.certificateAuthorities[0].validFor?.end == (try time("2022-12-31T23:59:59.999Z")))
        #expect(root.certificateAuthorities[0].validFor?.end?.nanos == 999_000_000)
        #expect(root.certificateAuthorities[1].certChain.certificates.count == 2)
    }

    @Test("both real signing configs parse and round-trip", arguments: configs)
    func signingConfigsParse(_ path: String) throws {
        let config = try SigningConfig.parse(try Fixtures.bytes(path))
        #expect(try SigningConfig.parse(config.jsonBytes()) == config)
        #expect(try SigningConfig(json: BundleFixtures.json(path).snakeCased()) == config)
        #expect(config.rekorTlogConfig == ServiceConfiguration(selector: .any))
        #expect(config.tsaConfig == ServiceConfiguration(selector: .any))
        #expect(config.caUrls.count == 1 && config.oidcUrls.count == 1 && config.tsaUrls.count == 1)
        #expect(config.caUrls.allSatisfy { $0.majorApiVersion == 1 && $0.operator == "sigstore.dev" })
    }

    @Test("the staging signing config lists four Rekor logs with their versions and windows")
    func stagingSigningConfig() throws {
        let config = try SigningConfig.parse(try Fixtures.bytes(Self.configs[1]))
        #expect(config.rekorTlogUrls.map(\.majorApiVersion) == [2, 2, 2, 1])
        #expect(config.rekorTlogUrls[0].url == "https://log2025-alpha3.rekor.sigstage.dev")
        #expect(config.rekorTlogUrls[0].validFor?.end == nil)
        #expect(config.rekorTlogUrls[1].validFor?.end == (try time("2025-09-22T11:00:00Z")))
        // majorApiVersion is written back as a JSON number.
        #expect(String(decoding: config.jsonBytes(), as: UTF8.self).contains(#""majorApiVersion":2,"#))
    }

    private func clientTrustConfig(trustedRootKey: String, signingConfigKey: String) throws -> JSONValue {
        var object = JSONObject()
        object.insert("mediaType", .string(ClientTrustConfig.mediaTypeV0_1))
        object.insert(trustedRootKey, try BundleFixtures.json(Self.roots[1]))
        object.insert(signingConfigKey, try BundleFixtures.json(Self.configs[1]))
        return .object(object)
    }

    @Test("a client trust config reads its parts under lowerCamel and snake_case keys")
    func clientTrustConfigSpellings() throws {
        let camel = try ClientTrustConfig(json: clientTrustConfig(trustedRootKey: "trustedRoot", signingConfigKey: "signingConfig"))
        let snake = try ClientTrustConfig(json: clientTrustConfig(trustedRootKey: "trusted_root", signingConfigKey: "signing_config"))
        #expect(camel == snake)
        #expect(camel.trustedRoot.tlogs.count == 4)
        #expect(try ClientTrustConfig.parse(camel.jsonBytes()) == camel)
        _ = expectBundleError(.conflictingFields) {
            var object = try #require(clientTrustConfig(trustedRootKey: "trustedRoot", signingConfigKey: "signingConfig").objectValue)
            object.insert("trusted_root", try BundleFixtures.json(Self.roots[1]))
            _ = try ClientTrustConfig(json: .object(object))
        }
        _ = expectBundleError(.missingField) {
            let json = try clientTrustConfig(trustedRootKey: "trustedRoot", signingConfigKey: "other")
            _ = try ClientTrustConfig(json: json)
        }
    }

    @Test("media types other than the supported ones are refused")
    func mediaTypes() throws {
        let root = try BundleFixtures.json(Self.roots[1])
        for wrong in ["application/vnd.dev.sigstore.trustedroot.v0.2+json", "application/vnd.dev.sigstore.trustedroot+json;version=0.2", ""] {
            _ = expectBundleError(.unsupportedMediaType, wrong) { _ = try TrustedRoot(json: root.setting([.key("mediaType")], to: .string(wrong))) }
        }
        let config = try BundleFixtures.json(Self.configs[1])
        _ = expectBundleError(.unsupportedMediaType) {
            _ = try SigningConfig(json: config.setting([.key("mediaType")], to: "application/vnd.dev.sigstore.signingconfig.v0.1+json"))
        }
        let trust = try clientTrustConfig(trustedRootKey: "trustedRoot", signingConfigKey: "signingConfig")
        _ = expectBundleError(.unsupportedMediaType) {
            _ = try ClientTrustConfig(json: trust.setting([.key("mediaType")], to: "application/vnd.dev.sigstore.clienttrustconfig.v0.2+json"))
        }
    }

    static let rootTampers: [(String, [Step], JSONValue?, BundleError.Code, String)] = [
        ("validFor.start not RFC 3339", [.key("tlogs"), .index(1), .key("publicKey"), .key("validFor"), .key("start")], "2025-04-16",
         .invalidTimestamp, "tlogs[1].publicKey.validFor.start:"),
        ("validFor.start missing", [.key("tlogs"), .index(1), .key("publicKey"), .key("validFor"), .key("start")], nil,
         .missingField, "tlogs[1].publicKey.validFor.start:"),
        ("validFor.end as number", [.key("tlogs"), .index(1), .key("publicKey"), .key("validFor"), .key("end")], .integer(1_756_944_000),
         .wrongType, "tlogs[1].publicKey.validFor.end: expected string, got number"),
        ("keyDetails unknown number", [.key("tlogs"), .index(0), .key("publicKey"), .key("keyDetails")], .integer(1000),
         .invalidEnumValue, "tlogs[0].publicKey.keyDetails:"),
        ("rawBytes URL-safe", [.key("tlogs"), .index(0), .key("publicKey"), .key("rawBytes")], "ab-_",
         .invalidBase64, "tlogs[0].publicKey.rawBytes:"),
        ("logId missing", [.key("tlogs"), .index(0), .key("logId")], nil, .missingField, "tlogs[0].logId:"),
        ("certChain certificate as string", [.key("certificateAuthorities"), .index(0), .key("certChain"), .key("certificates"), .index(0)],
         "MIIB", .wrongType, "certificateAuthorities[0].certChain.certificates[0]: expected object, got string"),
        ("ctlogs as object", [.key("ctlogs")], .object(JSONObject()), .wrongType, "ctlogs: expected array, got object"),
    ]

    @Test("tampered trusted roots fail with a code and the field's path", arguments: rootTampers)
    func rootTampered(_ tamper: (String, [Step], JSONValue?, BundleError.Code, String)) throws {
        let (what, path, value, code, prefix) = tamper
        let json = try BundleFixtures.json(Self.roots[1]).setting(path, to: value)
        let error = expectBundleError(code, what) { _ = try TrustedRoot(json: json) }
        #expect(error?.reason.hasPrefix(prefix) == true, "\(what): \(error?.reason ?? "-")")
    }

    @Test("the root tamper table is loaded")
    func rootTableLoaded() { #expect(Self.rootTampers.count > 5) }

    @Test("service entries take majorApiVersion as a number (or a decimal string) and refuse other types")
    func majorApiVersion() throws {
        let config = try BundleFixtures.json(Self.configs[1])
        let path: [Step] = [.key("caUrls"), .index(0), .key("majorApiVersion")]
        #expect(try SigningConfig(json: config.setting(path, to: "1")).caUrls[0].majorApiVersion == 1)
        _ = expectBundleError(.invalidInteger) { _ = try SigningConfig(json: config.setting(path, to: .number(JSONNumber(text: "1.5")!))) }
        _ = expectBundleError(.invalidInteger) { _ = try SigningConfig(json: config.setting(path, to: .integer(-1))) }
        _ = expectBundleError(.invalidInteger) { _ = try SigningConfig(json: config.setting(path, to: .integer(4_294_967_296))) }
        _ = expectBundleError(.wrongType) { _ = try SigningConfig(json: config.setting(path, to: .bool(true))) }
        let selector: [Step] = [.key("tsaConfig"), .key("selector")]
        #expect(try SigningConfig(json: config.setting(selector, to: .integer(3))).tsaConfig?.selector == .exact)
        #expect(try SigningConfig(json: config.setting(selector, to: "EXACT")).tsaConfig?.selector == .exact)
        _ = expectBundleError(.invalidEnumValue) { _ = try SigningConfig(json: config.setting(selector, to: "exact")) }
    }
}

@Suite("RFC 3339 timestamps")
struct ProtoTimestampTests {
    static let valid: [(String, Int64, Int32, String)] = [
        ("1970-01-01T00:00:00Z", 0, 0, "1970-01-01T00:00:00Z"),
        ("2025-09-04T00:00:00Z", 1_756_944_000, 0, "2025-09-04T00:00:00Z"),
        ("2022-12-31T23:59:59.999Z", 1_672_531_199, 999_000_000, "2022-12-31T23:59:59.999Z"),
        ("2024-02-29T12:00:00.5Z", 1_709_208_000, 500_000_000, "2024-02-29T12:00:00.500Z"),
        ("2025-01-01T01:00:00+01:00", 1_735_689_600, 0, "2025-01-01T00:00:00Z"),
        ("2024-12-31T19:00:00-05:00", 1_735_689_600, 0, "2025-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59.000000001Z", -1, 1, "1969-12-31T23:59:59.000000001Z"),
        ("0001-01-01T00:00:00Z", -62_135_596_800, 0, "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999999999Z", 253_402_300_799, 999_999_999, "9999-12-31T23:59:59.999999999Z"),
        ("2000-03-01T00:00:00.000123Z", 951_868_800, 123_000, "2000-03-01T00:00:00.000123Z"),
    ]

    @Test("parses and prints RFC 3339 date-times", arguments: valid)
    func parses(_ vector: (String, Int64, Int32, String)) throws {
        let (text, seconds, nanos, printed) = vector
        let timestamp = try ProtoTimestamp(rfc3339: text)
        #expect(timestamp.seconds == seconds)
        #expect(timestamp.nanos == nanos)
        #expect(timestamp.rfc3339 == printed)
        #expect(try ProtoTimestamp(rfc3339: printed) == timestamp)
    }

    static let invalid = [
        "", "2025-01-01", "2025-01-01T00:00:00", "2025-01-01 00:00:00Z", "2025-01-01t00:00:00Z", "2025-01-01T00:00:00z",
        "2025-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-01-01T24:00:00Z", "2025-01-01T00:60:00Z", "2025-01-01T00:00:60Z", "2025-01-01T00:00:00.Z",
        "2025-01-01T00:00:00.1234567890Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "25-01-01T00:00:00Z",
        "2025-01-01T00:00:00+0100", "2025-01-01T00:00:00Z ", " 2025-01-01T00:00:00Z", "+2025-01-01T00:00:00Z",
        "2025-1-01T00:00:00Z", "2025-01-01T00:00:00+24:00",
    ]

    @Test("refuses anything that is not an in-range RFC 3339 date-time", arguments: invalid)
    func refuses(_ text: String) {
        _ = expectBundleError(.invalidTimestamp, text) { _ = try ProtoTimestamp(rfc3339: text) }
    }

    @Test("the timestamp tables are loaded and ordering works")
    func ordering() throws {
        #expect(Self.valid.count == 10 && Self.invalid.count > 20)
        let a = try ProtoTimestamp(rfc3339: "2025-01-01T00:00:00Z")
        let b = try ProtoTimestamp(rfc3339: "2025-01-01T00:00:00.000000001Z")
        #expect(a < b && !(b < a))
        let range = TimeRange(start: a, end: b)
        #expect(range.contains(a) && range.contains(b))
        #expect(!range.contains(try ProtoTimestamp(rfc3339: "2024-12-31T23:59:59.999999999Z")))
        #expect(TimeRange(start: a).contains(try ProtoTimestamp(rfc3339: "9999-12-31T23:59:59Z")))
    }
}

@Suite("Rekor v1 signed entry timestamps")
struct SignedEntryTimestampTests {
    static let cases: [(String, String)] = [
        ("sigstore-public/bundle.txt.sigstore", "sigstore-public/trust/staging/trusted_root.json"),
        ("sigstore-public/bundle_v3.txt.sigstore", "sigstore-public/trust/staging/trusted_root.json"),
        ("sigstore-public/bundle_v3_github.whl.sigstore", "sigstore-public/trust/production/trusted_root.json"),
        ("sigstore-public/integration/Python-3.12.5.tgz.sigstore", "sigstore-public/trust/production/trusted_root.json"),
        ("sigstore-public/tsa/bundle.txt.sigstore", "sigstore-public/trust/staging/trusted_root.json"),
        ("bundle/sigstore-3.1.0.sigstore.json", "sigstore-public/trust/production/trusted_root.json"),
        ("bundle/model-signing-dsse-v001.sigstore.json", "sigstore-public/trust/staging/trusted_root.json"),
    ]

    @Test("the SET payload is what the real log signed (ECDSA P-256 over SHA-256)", arguments: cases)
    func setVerifies(_ testCase: (String, String)) throws {
        let (bundlePath, rootPath) = testCase
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes(bundlePath))
        let root = try TrustedRoot.parse(try Fixtures.bytes(rootPath))
        let entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        let log = try #require(root.transparencyLog(keyId: entry.logId.keyId))
        let key = try P256.Signing.PublicKey(derRepresentation: try #require(log.publicKey.rawBytes))
        let signature = try P256.Signing.ECDSASignature(derRepresentation: try #require(entry.inclusionPromise).signedEntryTimestamp)
        #expect(key.isValidSignature(signature, for: entry.signedEntryTimestampPayload))
        // A different log index is a different payload.
        var moved = entry
        moved.logIndex += 1
        #expect(!key.isValidSignature(signature, for: moved.signedEntryTimestampPayload))
    }

    @Test("the SET payload has the RFC 8785 shape")
    func payloadShape() throws {
        let entry = TransparencyLogEntry(logIndex: 7, logId: LogId(keyId: [0xAB, 0x01]), kindVersion: KindVersion(kind: "k", version: "v"),
                                         integratedTime: 1_700_000_000, inclusionProof: nil, canonicalizedBody: [1, 2, 3])
        #expect(String(decoding: entry.signedEntryTimestampPayload, as: UTF8.self)
            == #"{"body":"AQID","integratedTime":1700000000,"logID":"ab01","logIndex":7}"#)
    }
}
