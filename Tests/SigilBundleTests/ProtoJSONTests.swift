import SigilBundle
import Testing

@Suite("Proto3 JSON mapping")
struct ProtoJSONTests {
    @Test("snake_case names are derived from lowerCamel names")
    func snakeCase() {
        #expect(ProtoJSONObject.snakeCase("x509CertificateChain") == "x509_certificate_chain")
        #expect(ProtoJSONObject.snakeCase("rfc3161Timestamps") == "rfc3161_timestamps")
        #expect(ProtoJSONObject.snakeCase("hashedRekordV002") == "hashed_rekord_v002")
        #expect(ProtoJSONObject.snakeCase("logIndex") == "log_index")
        #expect(ProtoJSONObject.snakeCase("url") == "url")
    }

    private func reader(_ text: String) throws -> ProtoJSONObject { try ProtoJSONObject(try JSONValue.parse(text)) }

    @Test("int64 reads strings and plain integer numbers, nothing else")
    func int64() throws {
        #expect(try reader(#"{"logIndex":"-9223372036854775808"}"#).int64("logIndex") == Int64.min)
        #expect(try reader(#"{"log_index":"12"}"#).int64("logIndex") == 12)
        #expect(try reader(#"{"logIndex":12}"#).int64("logIndex") == 12)
        #expect(try reader(#"{"logIndex":null}"#).int64("logIndex") == nil)
        #expect(try reader(#"{}"#).int64("logIndex") == nil)
        for bad in [#""1e3""#, #""01""#, #"" 1""#, #""+1""#, "1e3", "1.0", #""""#, #""9223372036854775808""#] {
            _ = expectBundleError(.invalidInteger, bad) { _ = try reader("{\"logIndex\":\(bad)}").int64("logIndex") }
        }
        for bad in ["true", "[]", "{}"] {
            _ = expectBundleError(.wrongType, bad) { _ = try reader("{\"logIndex\":\(bad)}").int64("logIndex") }
        }
        #expect(try reader(#"{"n":"18446744073709551615"}"#).uint64("n") == UInt64.max)
        _ = expectBundleError(.invalidInteger) { _ = try reader(#"{"n":"-1"}"#).uint64("n") }
    }

    @Test("bytes are padded standard base64 only")
    func bytes() throws {
        #expect(try reader(#"{"rawBytes":"+/8="}"#).bytes("rawBytes") == [0xFB, 0xFF])
        #expect(try reader(#"{"rawBytes":""}"#).bytes("rawBytes") == [])
        for bad in ["-_8=", "+/8", "+/8=\n", "+/9=", "@@@@"] {
            _ = expectBundleError(.invalidBase64, bad) { _ = try reader("{\"rawBytes\":\"\(bad.replacingNewline)\"}").bytes("rawBytes") }
        }
        _ = expectBundleError(.missingField) { _ = try reader(#"{"rawBytes":""}"#).nonEmptyBytes("rawBytes") }
    }

    @Test("both spellings of one field conflict, and null counts as absent")
    func spellings() throws {
        _ = expectBundleError(.conflictingFields) { _ = try reader(#"{"rawBytes":"AA==","raw_bytes":"AA=="}"#).bytes("rawBytes") }
        _ = expectBundleError(.conflictingFields) { _ = try reader(#"{"rawBytes":null,"raw_bytes":"AA=="}"#).bytes("rawBytes") }
        #expect(try reader(#"{"raw_bytes":null}"#).bytes("rawBytes") == nil)
        let noSnake = try ProtoJSONObject(try JSONValue.parse(#"{"raw_bytes":"AA=="}"#), acceptsSnakeCase: false)
        #expect(try noSnake.bytes("rawBytes") == nil)
    }

    @Test("enums read names and defined numbers and are written by name")
    func enums() throws {
        #expect(try reader(#"{"a":"SHA2_256"}"#).enumValue("a", as: HashAlgorithm.self) == .sha2_256)
        #expect(try reader(#"{"a":1}"#).enumValue("a", as: HashAlgorithm.self) == .sha2_256)
        #expect(try reader(#"{"a":"SHA9_999"}"#).enumValue("a", as: HashAlgorithm.self)?.name == "SHA9_999")
        #expect(PublicKeyDetails.pkixEd25519.number == 7)
        _ = expectBundleError(.invalidEnumValue) { _ = try reader(#"{"a":9}"#).enumValue("a", as: HashAlgorithm.self) }
        _ = expectBundleError(.invalidEnumValue) { _ = try reader(#"{"a":"sha2-256"}"#).enumValue("a", as: HashAlgorithm.self) }
        _ = expectBundleError(.wrongType) { _ = try reader(#"{"a":[]}"#).enumValue("a", as: HashAlgorithm.self) }
        let output = HashOutput(algorithm: .sha2_256, digest: [1, 2, 3])
        #expect(String(decoding: output.jsonBytes(), as: UTF8.self) == #"{"algorithm":"SHA2_256","digest":"AQID"}"#)
    }

    @Test("wrong JSON types name the field path")
    func paths() throws {
        let root = try reader(#"{"outer":{"list":[{"n":{}}]}}"#)
        let error = expectBundleError(.wrongType) {
            _ = try root.requiredObject("outer") { outer in
                try outer.repeated("list") { value, path in try ProtoJSONObject(value, path: path).int64("n") }
            }
        }
        #expect(error?.reason == "outer.list[0].n: expected string or integer, got object")
    }

    @Test("the builder writes lowerCamel, int64 as strings, uint32 as numbers, and skips unset optionals")
    func builder() {
        var builder = ProtoJSONBuilder()
        builder.add("logIndex", int64: 5)
        builder.add("majorApiVersion", uint32: 2)
        builder.add("rawBytes", bytes: [0xFF])
        builder.add("missing", string: nil)
        builder.add("hashes", bytesList: [[0], [1]])
        #expect(String(decoding: builder.value.serialized(), as: UTF8.self)
            == #"{"logIndex":"5","majorApiVersion":2,"rawBytes":"/w==","hashes":["AA==","AQ=="]}"#)
    }
}

extension String {
    fileprivate var replacingNewline: String { self.replacing("\n", with: "\\n") }
}
