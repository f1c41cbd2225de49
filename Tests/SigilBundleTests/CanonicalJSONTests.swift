import SigilBundle
import SigilTesting
import Testing

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try JSONValue.parse(text).canonicalized(), as: UTF8.self)
    }

    // RFC 8785 §3.2.2 (the spec's example input and output, copied as data).
    @Test("canonicalizes the RFC 8785 §3.2.2 example exactly")
    func rfcExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    // RFC 8785 §3.2.3 sorting example: names compared as UTF-16 code units.
    @Test("sorts member names by UTF-16 code units (RFC 8785 §3.2.3)")
    func rfcSorting() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let output = try canonical(input)
        let order = try #require(JSONValue.parse(output).objectValue).members.map { $0.value.stringValue ?? "" }
        #expect(order == ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                          "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"])
        #expect(output.hasPrefix(#"{"\r":"Carriage Return","1":"One","\#u{80}":"Control""#))
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization (copied as data).
    static let numberVectors: [(UInt64, String)] = [
        (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"), (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"), (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"), (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"), (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ]

    @Test("formats doubles as ECMAScript does (RFC 8785 Appendix B)", arguments: numberVectors)
    func numberVector(_ vector: (UInt64, String)) throws {
        let (bits, expected) = vector
        #expect(JSONNumber.ecmascriptString(Double(bitPattern: bits)) == expected)
        // And the expected text, read back as a JSON number, canonicalizes to itself.
        #expect(try canonical(expected) == expected)
    }

    @Test("the number table is loaded")
    func numberTableLoaded() { #expect(Self.numberVectors.count == 24) }

    @Test("refuses NaN and infinities (RFC 8785 Appendix B)")
    func nonFinite() {
        #expect(JSONNumber.ecmascriptString(Double(bitPattern: 0x7FFF_FFFF_FFFF_FFFF)) == nil)
        #expect(JSONNumber.ecmascriptString(Double(bitPattern: 0x7FF0_0000_0000_0000)) == nil)
        #expect(JSONNumber.ecmascriptString(-Double.infinity) == nil)
        do {
            _ = try canonical("[1e400]")
            Issue.record("canonicalized an infinite number")
        } catch let error as BundleError {
            #expect(error.code == .notCanonicalizable)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("writes small integers exactly and refuses integers a double would change")
    func integers() throws {
        #expect(try canonical("[0,-0,7,-123456789012345,100]") == "[0,0,7,-123456789012345,100]")
        #expect(try canonical("9007199254740992") == "9007199254740992")
        do {
            _ = try canonical("9007199254740993")
            Issue.record("silently rounded 2^53+1")
        } catch let error as BundleError {
            #expect(error.code == .notCanonicalizable)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("escapes strings the RFC 8785 way")
    func stringEscapes() throws {
        let value = JSONValue.string("\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{1F}\u{7F}\"\\/é")
        #expect(String(decoding: try value.canonicalized(), as: UTF8.self) == "\"\\b\\t\\n\\f\\r\\u001f\u{7F}\\\"\\\\/é\"")
    }

    @Test("compact serialization keeps order and text; canonical sorts")
    func compactVersusCanonical() throws {
        let value = try JSONValue.parse(#"{"b": 1.50, "a": [ ]}"#)
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"b":1.50,"a":[]}"#)
        #expect(String(decoding: try value.canonicalized(), as: UTF8.self) == #"{"a":[],"b":1.5}"#)
    }

    @Test("a real Rekor v2 body is already canonical")
    func realBodyIsCanonical() throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt.sigstore.json"))
        let body = try #require(bundle.verificationMaterial.tlogEntries.first).canonicalizedBody
        #expect(try JSONValue.parse(body).canonicalized() == body)
    }
}
