import SigilBundle
import SigilTesting
import Testing

@Suite("DSSE and in-toto")
struct DSSETests {
    // secure-systems-lab/dsse protocol.md test vector.
    @Test("PAE matches the DSSE specification's example")
    func paeVector() {
        let pae = DSSE.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(pae == Array("DSSEv1 29 http://example.com/HelloWorld 11 hello world".utf8))
    }

    @Test("PAE counts bytes, not characters, and handles empty parts")
    func paeBytes() {
        #expect(DSSE.pae(payloadType: "t", payload: Array("é".utf8)) == Array("DSSEv1 1 t 2 é".utf8))
        #expect(DSSE.pae(payloadType: "", payload: []) == Array("DSSEv1 0  0 ".utf8))
    }

    @Test("an envelope's PAE uses its own type and payload")
    func envelopePAE() {
        let envelope = DSSEEnvelope(payload: Array("{}".utf8), payloadType: DSSEEnvelope.inTotoPayloadType, signatures: [])
        #expect(envelope.preAuthenticationEncoding == Array("DSSEv1 28 application/vnd.in-toto+json 2 {}".utf8))
    }

    @Test("envelope fields have one spelling: payload_type is not payloadType")
    func envelopeSpelling() {
        let json = try? JSONValue.parse(#"{"payload":"e30=","payload_type":"application/vnd.in-toto+json","signatures":[]}"#)
        _ = expectBundleError(.missingField) { _ = try DSSEEnvelope(json: json ?? .null) }
    }

    static let statementNegatives: [(String, String, BundleError.Code)] = [
        ("v0.1 type", #"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p"}"#, .unsupportedStatementType),
        ("no type", #"{"subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p"}"#, .missingField),
        ("no subject", #"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#, .missingField),
        ("empty digest set", #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#, .invalidValue),
        ("digest not a string", #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":1}}],"predicateType":"p"}"#, .wrongType),
        ("no predicate type", #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}]}"#, .missingField),
        ("subject not array", #"{"_type":"https://in-toto.io/Statement/v1","subject":{},"predicateType":"p"}"#, .wrongType),
        ("duplicate digest", #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00","sha256":"11"}}],"predicateType":"p"}"#, .duplicateKey),
    ]

    @Test("malformed statements are refused", arguments: statementNegatives)
    func statementNegative(_ testCase: (String, String, BundleError.Code)) {
        let (what, text, code) = testCase
        _ = expectBundleError(code, what) { _ = try InTotoStatement.parse(Array(text.utf8)) }
    }

    @Test("the statement table is loaded; a statement keeps its predicate and matches digests as bytes")
    func statementValues() throws {
        #expect(Self.statementNegatives.count == 8)
        let text = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"0aFF"}},{"name":"b","digest":{"sha256":"0aff"}}],"predicateType":"p","predicate":{"n":1.50}}"#
        let statement = try InTotoStatement.parse(Array(text.utf8))
        #expect(statement.predicate == .makeObject(["n": .number(JSONNumber(text: "1.50")!)]))
        #expect(statement.subjects[0].digestBytes("sha256") == nil)  // uppercase hex is not in-toto's form
        #expect(statement.hasSubject(algorithm: "sha256", digest: [0x0A, 0xFF]))
        #expect(!statement.hasSubject(algorithm: "sha512", digest: [0x0A, 0xFF]))
    }

    @Test("hex is strict lowercase both ways")
    func hex() {
        #expect(Hex.encode([0, 1, 0xAB, 0xFF]) == "0001abff")
        #expect(Hex.decode("0001abff") == [0, 1, 0xAB, 0xFF])
        #expect(Hex.decode("0") == nil)
        #expect(Hex.decode("0G") == nil)
        #expect(Hex.decode("AB") == nil)
        #expect(Hex.decode("") == [])
    }
}
