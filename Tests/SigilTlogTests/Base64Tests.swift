// Base64 (RFC 4648 §4, padded, strict): the RFC's vectors, a cross-check against Foundation, and a table of
// non-canonical inputs.

import Foundation
import SigilTlog
import Testing

@Suite struct Base64Tests {
    // RFC 4648 §10 test vectors.
    static let rfcVectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func theRFC4648VectorsEncodeAndDecode() {
        #expect(Self.rfcVectors.count == 7)
        for (plain, encoded) in Self.rfcVectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func encodingAgreesWithFoundationForEveryLengthAndByte() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == expected)
            #expect(Base64.decode(expected) == bytes)
            #expect(Base64.decode(utf8: Array(expected.utf8)) == bytes)
            checked += 1
        }
        let all = Array(0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
        #expect(checked == 200)
    }

    @Test func nonCanonicalBase64IsRejected() {
        let bad = [
            "Zg", "Zg=", "Zg===", "Z===", "====", "=Zg=", "Zg==Zg==", "Zm9=", "Zh==", "Zm9w=", "Zm9v\n", " Zm9v",
            "Zm 9v",
            "Zm-v", "Zm_v", "Zm9v=", "Zm9vYg", "Zm9vYmE", "Zm9vY===", "Zm9vYmF=", "Zm9vYmFy====", "Zm9v\u{0}",
            "Zm9vé===",
        ]
        #expect(bad.count > 20)
        for text in bad { #expect(Base64.decode(text) == nil, "\(text.debugDescription)") }
        #expect(Base64.decode(utf8: [0x5a, 0x6d, 0x39, 0xff]) == nil)
    }
}
