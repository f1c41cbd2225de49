import Crypto
import SigilBundle
import SigilTesting
import Testing

@Suite("Sigstore bundles")
struct BundleTests {
    @Test("the fixture list matches the folder and is not empty")
    func fixtureListComplete() throws {
        var onDisk = try Fixtures.files(in: "sigstore-public").filter { $0.hasSuffix(".sigstore") || $0.hasSuffix(".sigstore.json") }
            .map { "sigstore-public/\($0)" }
        onDisk += try Fixtures.files(in: "sigstore-public/tsa").filter { $0.hasSuffix(".sigstore") }.map { "sigstore-public/tsa/\($0)" }
        onDisk += try Fixtures.files(in: "sigstore-public/integration").map { "sigstore-public/integration/\($0)" }
        let expected = Set(BundleFixtures.bundles + ["sigstore-public/bundle_invalid_version.txt.sigstore"])
        #expect(Set(onDisk) == expected)
        #expect(BundleFixtures.bundles.count == 12)
    }

    @Test("every real bundle parses and round-trips through the writer", arguments: BundleFixtures.bundles + BundleFixtures.extra)
    func parsesAndRoundTrips(_ path: String) throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes(path))
        #expect(try SigstoreBundle.parse(bundle.jsonBytes()) == bundle)
        for entry in bundle.verificationMaterial.tlogEntries {
            #expect(try TransparencyLogEntry.parse(entry.jsonBytes()) == entry)
            #expect(try TransparencyLogEntry(json: entry.protoJSON(emitUnpopulated: true)) == entry)
        }
    }

    @Test("every real bundle parses with snake_case field names too", arguments: BundleFixtures.bundles + BundleFixtures.extra)
    func snakeCaseVariant(_ path: String) throws {
        let original = try SigstoreBundle.parse(try Fixtures.bytes(path))
        let snake = try BundleFixtures.json(path).snakeCased()
        #expect(try SigstoreBundle(json: snake) == original)
    }

    @Test("the extra bundles have the versions and entry kinds their README lists")
    func extraBundles() throws {
        let alt = try SigstoreBundle.parse(try Fixtures.bytes("bundle/bundle_v3_alt.txt.sigstore"))
        #expect(alt.mediaType == .v0_3Legacy)
        #expect(alt.version == .v0_3)
        #expect(String(decoding: alt.jsonBytes(), as: UTF8.self).hasPrefix(#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.3""#))
        let npm = try SigstoreBundle.parse(try Fixtures.bytes("bundle/sigstore-3.1.0.sigstore.json"))
        #expect(npm.mediaType == .v0_2)
        #expect(npm.verificationMaterial.tlogEntries.first?.kindVersion == KindVersion(kind: "intoto", version: "0.0.2"))
        #expect(npm.verificationMaterial.timestampVerificationData?.rfc3161Timestamps == [])
        let model = try SigstoreBundle.parse(try Fixtures.bytes("bundle/model-signing-dsse-v001.sigstore.json"))
        #expect(model.verificationMaterial.tlogEntries.first?.kindVersion == KindVersion(kind: "dsse", version: "0.0.1"))
        #expect(model.verificationMaterial.tlogEntries.first?.logIndex == 33_292_044)
    }

    @Test("bit flips and truncations of real bundles never trap and fail only with BundleError",
          arguments: BundleFixtures.bundles + BundleFixtures.extra)
    func bitFlips(_ path: String) throws {
        var bytes = try Fixtures.bytes(path)
        while let last = bytes.last, last == 0x0A || last == 0x20 { bytes.removeLast() }
        var rejected = 0
        var position = 0
        while position < bytes.count {
            for mask: UInt8 in [0x01, 0x20, 0x80] {
                var flipped = bytes
                flipped[position] ^= mask
                do {
                    _ = try SigstoreBundle.parse(flipped)
                } catch is BundleError {
                    rejected += 1
                } catch {
                    Issue.record("non-BundleError \(error)")
                }
            }
            do {
                _ = try SigstoreBundle.parse(bytes[0..<position])
                Issue.record("accepted a truncation at \(position)")
            } catch is BundleError {
            } catch {
                Issue.record("non-BundleError \(error)")
            }
            position += 61
        }
        #expect(rejected > 0)
    }

    @Test("a bundle with an unknown media type fails with unsupportedMediaType")
    func invalidVersion() throws {
        let bytes = try Fixtures.bytes("sigstore-public/bundle_invalid_version.txt.sigstore")
        let error = expectBundleError(.unsupportedMediaType) { _ = try SigstoreBundle.parse(bytes) }
        #expect(error?.reason.contains("this is completely wrong") == true)
    }

    @Test("all four media type spellings are recognized and nothing near them is")
    func mediaTypes() throws {
        #expect(try BundleMediaType("application/vnd.dev.sigstore.bundle+json;version=0.1").version == .v0_1)
        #expect(try BundleMediaType("application/vnd.dev.sigstore.bundle+json;version=0.2").version == .v0_2)
        #expect(try BundleMediaType("application/vnd.dev.sigstore.bundle.v0.3+json").version == .v0_3)
        #expect(try BundleMediaType("application/vnd.dev.sigstore.bundle+json;version=0.3").version == .v0_3)
        for wrong in ["application/vnd.dev.sigstore.bundle+json;version=0.4", "application/vnd.dev.sigstore.bundle.v0.4+json",
                      "APPLICATION/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.dev.sigstore.bundle.v0.3+json ",
                      "application/vnd.dev.sigstore.bundle+json; version=0.3", ""] {
            _ = expectBundleError(.unsupportedMediaType, wrong) { _ = try BundleMediaType(wrong) }
        }
    }

    @Test("the Rekor v2 staging bundle has the values sigstore-python reports")
    func stagingRekorV2() throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt.sigstore.json"))
        #expect(bundle.mediaType == .v0_3)
        #expect(bundle.version == .v0_3)
        let entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        #expect(bundle.verificationMaterial.tlogEntries.count == 1)
        #expect(entry.logIndex == 645)
        #expect(entry.integratedTime == 0)
        #expect(entry.inclusionPromise == nil)
        #expect(entry.kindVersion == KindVersion(kind: "hashedrekord", version: "0.0.2"))
        let proof = try #require(entry.inclusionProof)
        #expect(proof.logIndex == 645)
        #expect(proof.treeSize == 646)
        #expect(proof.hashes.count == 4)
        #expect(proof.hashes.allSatisfy { $0.count == 32 })
        #expect(proof.checkpoint?.envelope.hasPrefix("log2025-alpha1.rekor.sigstage.dev\n646\n") == true)
        #expect(proof.checkpoint?.envelope.contains("\n\n\u{2014} log2025-alpha1.rekor.sigstage.dev ") == true)
        #expect(bundle.verificationMaterial.rfc3161Timestamps.count == 1)
        let leaf = try #require(bundle.verificationMaterial.leafCertificate)
        #expect(Hex.encode(SHA256.hash(data: leaf.rawBytes)) == "309f7b67a3cf7e1d4b1f8e99a6e2e1b3af8ca43d8cf17b2043f6bb87a5181a54")
        guard case .messageSignature(let signature) = bundle.content else {
            Issue.record("expected a message signature")
            return
        }
        let artifact = try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt")
        #expect(signature.messageDigest == HashOutput(algorithm: .sha2_256, digest: Array(SHA256.hash(data: artifact))))
        #expect(bundle.signatureBytes == signature.signature)
        // The writer reproduces the document (same members, same values).
        #expect(try bundle.protoJSON.canonicalized() == BundleFixtures.json("sigstore-public/staging-rekor-v2.txt.sigstore.json").canonicalized())
    }

    @Test("the DSSE staging bundle carries an in-toto statement whose PAE digest is the logged digest")
    func dsseBundle() throws {
        let path = "sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json"
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes(path))
        #expect(bundle.verificationMaterial.tlogEntries.first?.logIndex == 4_026_478)
        #expect(bundle.verificationMaterial.rfc3161Timestamps.count == 1)
        guard case .dsseEnvelope(let envelope) = bundle.content else {
            Issue.record("expected a DSSE envelope")
            return
        }
        #expect(envelope.payloadType == DSSEEnvelope.inTotoPayloadType)
        #expect(envelope.signatures.count == 1)
        #expect(envelope.signatures.first?.keyid == "")
        let statement = try InTotoStatement.parse(envelope.payload)
        #expect(statement.predicateType == "https://slsa.dev/provenance/v1")
        #expect(statement.subjects.map(\.name) == ["a.txt"])
        let subject = try Fixtures.bytes("sigstore-public/a.dsse.staging-rekor-v2.subject.txt")
        #expect(statement.hasSubject(algorithm: "sha256", digest: Array(SHA256.hash(data: subject))))
        #expect(!statement.hasSubject(algorithm: "sha256", digest: [UInt8](repeating: 0, count: 32)))
        #expect(try InTotoStatement(json: statement.json) == statement)

        let entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        guard case .hashedRekordV002(let body) = try RekorEntryBody.parse(entry.canonicalizedBody) else {
            Issue.record("expected a hashedrekord 0.0.2 body")
            return
        }
        #expect(body.data.digest == Array(SHA256.hash(data: envelope.preAuthenticationEncoding)))
        #expect(body.signature.content == envelope.signatures.first?.sig)
        #expect(try bundle.protoJSON.canonicalized() == BundleFixtures.json(path).canonicalized())
    }

    @Test("older bundles keep their versions, chains and entries")
    func olderBundles() throws {
        let v01 = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle.txt.sigstore"))
        #expect(v01.mediaType == .v0_1)
        guard case .x509CertificateChain(let chain) = v01.verificationMaterial.content else {
            Issue.record("expected a chain")
            return
        }
        #expect(chain.certificates.count == 1)
        #expect(v01.verificationMaterial.tlogEntries.first?.logIndex == 7_390_977)
        #expect(v01.verificationMaterial.tlogEntries.first?.integratedTime == 1_682_468_469)
        #expect(v01.verificationMaterial.tlogEntries.first?.inclusionPromise != nil)

        let v02 = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle_v3_github.whl.sigstore"))
        #expect(v02.mediaType == .v0_2)

        let noCert = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle_no_cert_v1.txt.sigstore"))
        #expect(noCert.verificationMaterial.leafCertificate == nil)
        let noEntry = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle_no_log_entry.txt.sigstore"))
        #expect(noEntry.verificationMaterial.tlogEntries.isEmpty)

        let python = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/integration/Python-3.12.5.tgz.sigstore"))
        #expect(python.verificationMaterial.tlogEntries.first?.logIndex == 118_981_923)
        #expect(python.verificationMaterial.tlogEntries.first?.inclusionProof != nil)
        #expect(python.verificationMaterial.tlogEntries.first?.inclusionProof?.checkpoint == nil)

        let tsa = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/tsa/bundle.txt.sigstore"))
        #expect(tsa.verificationMaterial.rfc3161Timestamps.count == 2)
        let late = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/tsa/bundle.txt.late_timestamp.sigstore"))
        #expect(late.verificationMaterial.rfc3161Timestamps.count == 1)
        let noTime = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle_v3_no_signed_time.txt.sigstore.json"))
        #expect(noTime.verificationMaterial.timestampVerificationData != nil)
        #expect(noTime.verificationMaterial.rfc3161Timestamps.isEmpty)
        #expect(noTime.verificationMaterial.tlogEntries.first?.inclusionPromise == nil)
    }

    static let staging = "sigstore-public/staging-rekor-v2.txt.sigstore.json"
    static let entryPath: [Step] = [.key("verificationMaterial"), .key("tlogEntries"), .index(0)]

    // Structural tamper table over the real staging bundle: (what, path, new value, expected code, reason prefix).
    static let tampers: [(String, [Step], JSONValue?, BundleError.Code, String)] = [
        ("treeSize as object", entryPath + [.key("inclusionProof"), .key("treeSize")], .object(JSONObject()), .wrongType,
         "verificationMaterial.tlogEntries[0].inclusionProof.treeSize: expected string or integer, got object"),
        ("logIndex as fraction", entryPath + [.key("logIndex")], .number(JSONNumber(text: "645.0")!), .invalidInteger,
         "verificationMaterial.tlogEntries[0].logIndex:"),
        ("logIndex as non-decimal string", entryPath + [.key("logIndex")], "0x10", .invalidInteger,
         "verificationMaterial.tlogEntries[0].logIndex:"),
        ("logIndex beyond int64", entryPath + [.key("logIndex")], "9223372036854775808", .invalidInteger,
         "verificationMaterial.tlogEntries[0].logIndex:"),
        ("body as URL-safe base64", entryPath + [.key("canonicalizedBody")], "ab-_", .invalidBase64,
         "verificationMaterial.tlogEntries[0].canonicalizedBody:"),
        ("body unpadded", entryPath + [.key("canonicalizedBody")], "YWI", .invalidBase64,
         "verificationMaterial.tlogEntries[0].canonicalizedBody:"),
        ("body as number", entryPath + [.key("canonicalizedBody")], .integer(1), .wrongType,
         "verificationMaterial.tlogEntries[0].canonicalizedBody: expected base64 string, got number"),
        ("body missing", entryPath + [.key("canonicalizedBody")], nil, .missingField,
         "verificationMaterial.tlogEntries[0].canonicalizedBody:"),
        ("logId missing", entryPath + [.key("logId")], nil, .missingField, "verificationMaterial.tlogEntries[0].logId:"),
        ("kindVersion as string", entryPath + [.key("kindVersion")], "hashedrekord", .wrongType,
         "verificationMaterial.tlogEntries[0].kindVersion: expected object, got string"),
        ("hashes as string", entryPath + [.key("inclusionProof"), .key("hashes")], "AAAA", .wrongType,
         "verificationMaterial.tlogEntries[0].inclusionProof.hashes: expected array, got string"),
        ("hash element as number", entryPath + [.key("inclusionProof"), .key("hashes"), .index(2)], .integer(3), .wrongType,
         "verificationMaterial.tlogEntries[0].inclusionProof.hashes[2]: expected base64 string, got number"),
        ("checkpoint envelope as array", entryPath + [.key("inclusionProof"), .key("checkpoint"), .key("envelope")], .array([]),
         .wrongType, "verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope: expected string, got array"),
        ("tlogEntries as object", [.key("verificationMaterial"), .key("tlogEntries")], .object(JSONObject()), .wrongType,
         "verificationMaterial.tlogEntries: expected array, got object"),
        ("mediaType missing", [.key("mediaType")], nil, .missingField, "mediaType:"),
        ("mediaType as number", [.key("mediaType")], .integer(3), .wrongType, "mediaType: expected string, got number"),
        ("verification material missing", [.key("verificationMaterial")], nil, .missingField, "verificationMaterial:"),
        ("v0.3 with a chain instead of a certificate", [.key("verificationMaterial"), .key("x509CertificateChain")],
         .makeObject(["certificates": .array([])]), .conflictingFields, "verificationMaterial:"),
        ("both message signature and envelope", [.key("dsseEnvelope")],
         .makeObject(["payload": "", "payloadType": "x", "signatures": .array([])]), .conflictingFields, "content:"),
        ("no content", [.key("messageSignature")], nil, .missingField, "content:"),
        ("signature as bool", [.key("messageSignature"), .key("signature")], .bool(true), .wrongType,
         "messageSignature.signature: expected base64 string, got boolean"),
        ("digest algorithm as object", [.key("messageSignature"), .key("messageDigest"), .key("algorithm")],
         .object(JSONObject()), .wrongType, "messageSignature.messageDigest.algorithm:"),
        ("digest algorithm lowercase", [.key("messageSignature"), .key("messageDigest"), .key("algorithm")], "sha256",
         .invalidEnumValue, "messageSignature.messageDigest.algorithm:"),
        ("digest algorithm unknown number", [.key("messageSignature"), .key("messageDigest"), .key("algorithm")], .integer(99),
         .invalidEnumValue, "messageSignature.messageDigest.algorithm:"),
        ("timestamps as string", [.key("verificationMaterial"), .key("timestampVerificationData"), .key("rfc3161Timestamps")],
         "x", .wrongType, "verificationMaterial.timestampVerificationData.rfc3161Timestamps: expected array, got string"),
        ("both spellings of a field", entryPath + [.key("log_index")], "645", .conflictingFields,
         "verificationMaterial.tlogEntries[0].logIndex:"),
        ("bundle is an array", [], .array([]), .wrongType, "expected object, got array"),
    ]

    @Test("structural tampering fails with a code and the field's path", arguments: tampers)
    func tampered(_ tamper: (String, [Step], JSONValue?, BundleError.Code, String)) throws {
        let (what, path, value, code, prefix) = tamper
        let json = try BundleFixtures.json(Self.staging).setting(path, to: value)
        let error = expectBundleError(code, what) { _ = try SigstoreBundle(json: json) }
        #expect(error?.reason.hasPrefix(prefix) == true, "\(what): \(error?.reason ?? "-")")
    }

    @Test("the tamper table is loaded")
    func tamperTableLoaded() { #expect(Self.tampers.count > 20) }

    @Test("a v0.1 bundle may not use the v0.3 certificate field")
    func certificateNeedsV03() throws {
        let json = try BundleFixtures.json("sigstore-public/bundle.txt.sigstore")
        let chain = try #require(json.objectValue?["verificationMaterial"]?.objectValue?["x509CertificateChain"])
        let certificate = try #require(chain.objectValue?["certificates"]?.arrayValue?.first)
        let moved = json.setting([.key("verificationMaterial"), .key("x509CertificateChain")], to: nil)
            .setting([.key("verificationMaterial"), .key("certificate")], to: certificate)
        _ = expectBundleError(.fieldNotAllowedInVersion) { _ = try SigstoreBundle(json: moved) }
        // The same bundle relabelled v0.3 is fine.
        let relabelled = moved.setting([.key("mediaType")], to: .string(BundleMediaType.v0_3.rawValue))
        #expect(try SigstoreBundle(json: relabelled).verificationMaterial.leafCertificate != nil)
        // And a v0.3 bundle may not carry a chain.
        let v3chain = json.setting([.key("mediaType")], to: .string(BundleMediaType.v0_3.rawValue))
        _ = expectBundleError(.fieldNotAllowedInVersion) { _ = try SigstoreBundle(json: v3chain) }
    }

    @Test("int64 fields accept JSON numbers; unknown fields are ignored")
    func lenientWhereProto3IsLenient() throws {
        let original = try SigstoreBundle.parse(try Fixtures.bytes(Self.staging))
        let json = try BundleFixtures.json(Self.staging)
            .setting(Self.entryPath + [.key("logIndex")], to: .integer(645))
            .setting(Self.entryPath + [.key("inclusionProof"), .key("treeSize")], to: .integer(646))
            .setting([.key("someFutureField")], to: .makeObject(["x": .integer(1)]))
            .setting(Self.entryPath + [.key("integratedTime")], to: .null)
        #expect(try SigstoreBundle(json: json) == original)
    }

    @Test("the writer emits lowerCamel names, int64 as strings and padded base64")
    func writerShape() throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes(Self.staging))
        let entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        let text = String(decoding: entry.protoJSON(emitUnpopulated: true).serialized(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"logIndex":"645","logId":{"keyId":"8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck="},"kindVersion":{"kind":"hashedrekord","version":"0.0.2"},"integratedTime":"0","inclusionPromise":null,"inclusionProof":{"logIndex":"645","rootHash":"kNum4JmdViJPfZLMRB3xPi6flATj2JzJSiF+1pQDzNQ=","treeSize":"646","hashes":["#))
        #expect(text.contains(#"],"checkpoint":{"envelope":"log2025-alpha1.rekor.sigstage.dev\n646\n"#))
        #expect(text.contains(#""canonicalizedBody":"eyJhcGlWZXJzaW9uIjoiMC4wLjIi"#))
        let compact = String(decoding: entry.jsonBytes(), as: UTF8.self)
        #expect(!compact.contains("integratedTime"))
        #expect(!compact.contains("inclusionPromise"))
    }
}
