import SigilBundle
import SigilTesting
import Testing

@Suite("Strict JSON parser (RFC 8259)")
struct JSONParserTests {
    @Test("parses every kind of value and keeps number text and member order")
    func parsesValues() throws {
        let value = try JSONValue.parse(#" { "b" : [1, -0.5e+10, 4.50, true, false, null], "a" : "x\u00e9\ud83d\ude00\n" } "#)
        let object = try #require(value.objectValue)
        #expect(object.members.map(\.name) == ["b", "a"])
        #expect(object["a"] == .string("xé😀\n"))
        let array = try #require(object["b"]?.arrayValue)
        #expect(array == [.number(JSONNumber(text: "1")!), .number(JSONNumber(text: "-0.5e+10")!),
                          .number(JSONNumber(text: "4.50")!), .bool(true), .bool(false), .null])
    }

    @Test("accepts scalars at the top level and surrounding whitespace")
    func acceptsScalars() throws {
        #expect(try JSONValue.parse(" \t\r\n42 \n") == .integer(42))
        #expect(try JSONValue.parse("\"\"") == .string(""))
        #expect(try JSONValue.parse("null") == .null)
    }

    @Test("keeps member names that differ only by Unicode normalization apart")
    func normalizationDistinctNames() throws {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different JSON names.
        let value = try JSONValue.parse("{\"\\u00e9\":1,\"e\\u0301\":2}")
        #expect(value.objectValue?.count == 2)
    }

    static let negatives: [(String, [UInt8], BundleError.Code)] = [
        ("empty input", [], .invalidJSON),
        ("only whitespace", Array("  ".utf8), .invalidJSON),
        ("truncated object", Array("{\"a\":1".utf8), .invalidJSON),
        ("truncated string", Array("\"abc".utf8), .invalidJSON),
        ("truncated literal", Array("tru".utf8), .invalidJSON),
        ("trailing garbage", Array("{} x".utf8), .trailingData),
        ("two values", Array("1 2".utf8), .trailingData),
        ("trailing comma in object", Array("{\"a\":1,}".utf8), .invalidJSON),
        ("trailing comma in array", Array("[1,]".utf8), .invalidJSON),
        ("single quotes", Array("{'a':1}".utf8), .invalidJSON),
        ("unquoted name", Array("{a:1}".utf8), .invalidJSON),
        ("leading zero", Array("01".utf8), .invalidNumber),
        ("negative leading zero", Array("-01".utf8), .invalidNumber),
        ("plus sign", Array("+1".utf8), .invalidJSON),
        ("bare fraction point", Array("1.".utf8), .invalidNumber),
        ("fraction without integer", Array(".5".utf8), .invalidJSON),
        ("empty exponent", Array("1e".utf8), .invalidNumber),
        ("minus alone", Array("-".utf8), .invalidNumber),
        ("NaN", Array("NaN".utf8), .invalidJSON),
        ("Infinity", Array("Infinity".utf8), .invalidJSON),
        ("duplicate key", Array("{\"a\":1,\"a\":2}".utf8), .duplicateKey),
        ("duplicate key written with an escape", Array("{\"a\":1,\"\\u0061\":2}".utf8), .duplicateKey),
        ("nested duplicate key", Array("[{\"k\":{\"x\":1,\"x\":1}}]".utf8), .duplicateKey),
        ("lone high surrogate", Array("\"\\ud800\"".utf8), .invalidEscape),
        ("lone low surrogate", Array("\"\\udc00\"".utf8), .invalidEscape),
        ("high surrogate then letter", Array("\"\\ud800x\"".utf8), .invalidEscape),
        ("two high surrogates", Array("\"\\ud800\\ud800\"".utf8), .invalidEscape),
        ("short unicode escape", Array("\"\\u12\"".utf8), .invalidEscape),
        ("unknown escape", Array("\"\\x\"".utf8), .invalidEscape),
        ("raw control character", Array("\"a\u{01}b\"".utf8), .invalidJSON),
        ("raw newline in string", Array("\"a\nb\"".utf8), .invalidJSON),
        ("invalid UTF-8 continuation", [0x22, 0xC3, 0x28, 0x22], .invalidUTF8),
        ("overlong slash", [0x22, 0xC0, 0xAF, 0x22], .invalidUTF8),
        ("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8),
        ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8),
        ("truncated UTF-8 sequence", [0x22, 0xE2, 0x82, 0x22], .invalidUTF8),
        ("byte order mark", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), .invalidJSON),
        ("comment", Array("{} // c".utf8), .trailingData),
        ("NUL after value", Array("{}".utf8) + [0], .trailingData),
    ]

    @Test("rejects malformed input with a specific code", arguments: negatives)
    func rejects(_ testCase: (String, [UInt8], BundleError.Code)) {
        let (name, input, code) = testCase
        #expect(throws: BundleError.self, "\(name)") { try JSONValue.parse(input) }
        do {
            _ = try JSONValue.parse(input)
        } catch let error as BundleError {
            #expect(error.code == code, "\(name): \(error)")
        } catch {
            Issue.record("\(name): unexpected error \(error)")
        }
    }

    @Test("the negative table is not empty")
    func tableLoaded() { #expect(Self.negatives.count > 30) }

    @Test("refuses input over the size limit before reading it")
    func sizeLimit() {
        let limits = JSONLimits(maxBytes: 10, maxDepth: 10)
        #expect(throws: BundleError.self) { try JSONValue.parse(Array("[1,2,3,4,5,6]".utf8), limits: limits) }
        #expect((try? JSONValue.parse(Array("[1,2,3,4]".utf8), limits: limits)) != nil)
        do {
            _ = try JSONValue.parse(Array("\"0123456789\"".utf8), limits: limits)
        } catch let error as BundleError {
            #expect(error.code == .inputTooLarge)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("refuses nesting deeper than the limit without trapping")
    func depthLimit() throws {
        let limits = JSONLimits(maxBytes: 1 << 20, maxDepth: 5)
        #expect((try? JSONValue.parse("[[[[[1]]]]]", limits: limits)) != nil)
        for text in ["[[[[[[1]]]]]]", "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}"] {
            do {
                _ = try JSONValue.parse(text, limits: limits)
                Issue.record("accepted \(text)")
            } catch let error as BundleError {
                #expect(error.code == .nestingTooDeep)
            }
        }
        // A deep bomb against the default limit fails cleanly.
        let bomb = String(repeating: "[", count: 100_000)
        do {
            _ = try JSONValue.parse(bomb)
            Issue.record("accepted the bomb")
        } catch let error as BundleError {
            #expect(error.code == .nestingTooDeep)
        }
    }

    @Test("never traps on truncations of a real bundle")
    func truncationsNeverTrap() throws {
        var bytes = try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt.sigstore.json")
        while let last = bytes.last, last == 0x0A || last == 0x20 { bytes.removeLast() }
        var failures = 0
        for length in stride(from: 0, to: bytes.count, by: 7) {
            if (try? JSONValue.parse(bytes[0..<length])) == nil { failures += 1 }
        }
        #expect(failures > 0)
        #expect(failures == (bytes.count + 6) / 7)
    }
}
