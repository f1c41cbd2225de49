import Crypto
import SigilBundle
import SigilTlog
import SigilTesting
import Testing

@Suite("Rekor entry bodies")
struct RekorEntryTests {
    static let allBundles = BundleFixtures.bundles + BundleFixtures.extra

    @Test("every real entry body parses, matches its kindVersion, and writes back as its canonical bytes",
          arguments: allBundles)
    func bodiesParse(_ path: String) throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes(path))
        for entry in bundle.verificationMaterial.tlogEntries {
            let body = try RekorEntryBody.parse(entry.canonicalizedBody)
            #expect(body.kindVersion == entry.kindVersion, "\(path)")
            // Rekor v1 and v2 bodies are RFC 8785 canonical JSON; the writer reproduces them byte for byte.
            #expect(body.canonicalBody == entry.canonicalizedBody, "\(path)")
            #expect(try RekorEntryBody.parse(body.canonicalBody) == body)
        }
    }

    @Test("the hashedrekord 0.0.2 writer reproduces the real staging body byte for byte")
    func hashedRekordV002Writer() throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/staging-rekor-v2.txt.sigstore.json"))
        let entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        guard case .messageSignature(let signature) = bundle.content, case .certificate(let certificate) = bundle.verificationMaterial.content
        else {
            Issue.record("unexpected bundle shape")
            return
        }
        // Built only from the bundle's materials, as a log (or a verifier) would.
        let built = RekorEntryBody.hashedRekordV002(HashedRekordV002(
            data: HashOutput(algorithm: .sha2_256, digest: try #require(signature.messageDigest).digest),
            signature: RekorSignature(
                content: signature.signature,
                verifier: RekorVerifier(key: .x509Certificate(certificate), keyDetails: .pkixECDSAP256SHA256))))
        #expect(built.canonicalBody == entry.canonicalizedBody)
        #expect(String(decoding: built.canonicalBody, as: UTF8.self).hasPrefix(
            #"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"#))
        // Any change to the materials changes the bytes.
        var tampered = built
        if case .hashedRekordV002(var body) = tampered {
            body.signature.content[3] ^= 1
            tampered = .hashedRekordV002(body)
        }
        #expect(tampered.canonicalBody != entry.canonicalizedBody)
    }

    @Test("Rekor v1 bodies expose what the verifier compares")
    func v1Bodies() throws {
        let bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/bundle.txt.sigstore"))
        guard case .hashedRekordV001(let body) = try RekorEntryBody.parse(bundle.verificationMaterial.tlogEntries[0].canonicalizedBody),
              case .messageSignature(let signature) = bundle.content
        else {
            Issue.record("expected hashedrekord 0.0.1")
            return
        }
        #expect(body.hash.algorithm == "sha256")
        #expect(body.hash.digest == signature.messageDigest?.digest)
        #expect(body.signatureContent == signature.signature)
        #expect(String(decoding: body.publicKeyContent, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----\n"))

        let dsse = try SigstoreBundle.parse(try Fixtures.bytes("bundle/model-signing-dsse-v001.sigstore.json"))
        guard case .dsseV001(let dsseBody) = try RekorEntryBody.parse(dsse.verificationMaterial.tlogEntries[0].canonicalizedBody),
              case .dsseEnvelope(let envelope) = dsse.content
        else {
            Issue.record("expected dsse 0.0.1")
            return
        }
        #expect(dsseBody.payloadHash?.digest == Array(SHA256.hash(data: envelope.payload)))
        #expect(dsseBody.signatures.map(\.signature) == envelope.signatures.map { Base64.encode($0.sig) })
        #expect(dsseBody.envelopeHash?.algorithm == "sha256")

        let npm = try SigstoreBundle.parse(try Fixtures.bytes("bundle/sigstore-3.1.0.sigstore.json"))
        guard case .intotoV002(let intoto) = try RekorEntryBody.parse(npm.verificationMaterial.tlogEntries[0].canonicalizedBody),
              case .dsseEnvelope(let npmEnvelope) = npm.content
        else {
            Issue.record("expected intoto 0.0.2")
            return
        }
        #expect(intoto.payloadType == DSSEEnvelope.inTotoPayloadType)
        #expect(intoto.payloadHash?.digest == Array(SHA256.hash(data: npmEnvelope.payload)))
        #expect(intoto.signatures.count == 1)
        // Rekor stores base64 of the envelope's base64 signature text.
        #expect(intoto.signatures.first?.sig == Base64.encode(Array(Base64.encode(npmEnvelope.signatures[0].sig).utf8)))
        let statement = try InTotoStatement.parse(npmEnvelope.payload)
        #expect(statement.subjects.first?.name == "pkg:npm/sigstore@3.1.0")
        #expect(statement.subjects.first?.digestBytes("sha512")?.count == 64)
    }

    static let bodyNegatives: [(String, String, BundleError.Code)] = [
        ("not JSON", "{", .invalidEntryBody),
        ("not an object", "[]", .invalidEntryBody),
        ("no kind", #"{"apiVersion":"0.0.1","spec":{}}"#, .invalidEntryBody),
        ("unknown kind", #"{"apiVersion":"0.0.1","kind":"rekord","spec":{}}"#, .unsupportedEntryKind),
        ("unknown version", #"{"apiVersion":"0.0.3","kind":"hashedrekord","spec":{}}"#, .unsupportedEntryKind),
        ("v2 without spec", #"{"apiVersion":"0.0.2","kind":"hashedrekord"}"#, .invalidEntryBody),
        ("v2 wrong spec key", #"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"dsseV002":{}}}"#, .invalidEntryBody),
        ("v2 verifier with no key", #"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":{"content":"AAAA","verifier":{"keyDetails":"PKIX_ED25519"}}}}}"#, .invalidEntryBody),
        ("v2 verifier with two keys", #"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":{"content":"AAAA","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":"AAAA"},"x509Certificate":{"rawBytes":"AAAA"}}}}}}"#, .invalidEntryBody),
        ("v1 hash not hex", #"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"zz"}},"signature":{"content":"AAAA","publicKey":{"content":"AAAA"}}}}"#, .invalidEntryBody),
        ("v1 snake_case not accepted", #"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":"AAAA","public_key":{"content":"AAAA"}}}}"#, .invalidEntryBody),
        ("v1 signature as number", #"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":5,"publicKey":{"content":"AAAA"}}}}"#, .invalidEntryBody),
        ("duplicate key", #"{"apiVersion":"0.0.1","apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#, .invalidEntryBody),
    ]

    @Test("malformed bodies fail with a body code", arguments: bodyNegatives)
    func bodyNegative(_ testCase: (String, String, BundleError.Code)) {
        let (what, text, code) = testCase
        _ = expectBundleError(code, what) { _ = try RekorEntryBody.parse(Array(text.utf8)) }
    }

    @Test("the body negative table is loaded")
    func bodyTableLoaded() { #expect(Self.bodyNegatives.count > 10) }

    @Test("a path in a body error names the field")
    func bodyErrorPath() {
        let text = #"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":7},"signature":{"content":"AAAA","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":"AAAA"}}}}}}"#
        let error = expectBundleError(.invalidEntryBody) { _ = try RekorEntryBody.parse(Array(text.utf8)) }
        #expect(error?.reason == "spec.hashedRekordV002.data.digest: expected base64 string, got number")
    }

    @Test("the Rekor v2 create-entry request parses in both spellings and refuses the DSSE request")
    func createEntryRequest() throws {
        let camel = #"{"hashedRekordRequestV002":{"digest":"AAECAw==","signature":{"content":"BAUG","verifier":{"x509Certificate":{"rawBytes":"BwgJ"},"keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}}"#
        let snake = #"{"hashed_rekord_request_v002":{"digest":"AAECAw==","signature":{"content":"BAUG","verifier":{"x509_certificate":{"raw_bytes":"BwgJ"},"key_details":"PKIX_ECDSA_P256_SHA_256"}}}}"#
        let request = try CreateEntryRequest.parse(Array(camel.utf8))
        #expect(request.hashedRekordRequestV002.digest == [0, 1, 2, 3])
        #expect(request.hashedRekordRequestV002.signature.verifier.key == .x509Certificate(X509Certificate(rawBytes: [7, 8, 9])))
        #expect(try CreateEntryRequest.parse(Array(snake.utf8)) == request)
        #expect(String(decoding: request.jsonBytes(), as: UTF8.self) == #"{"hashedRekordRequestV002":{"digest":"AAECAw==","signature":{"content":"BAUG","verifier":{"x509Certificate":{"rawBytes":"BwgJ"},"keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}}"#)
        _ = expectBundleError(.unsupportedEntryKind) {
            _ = try CreateEntryRequest.parse(Array(#"{"dsseRequestV002":{"envelope":{}}}"#.utf8))
        }
        _ = expectBundleError(.missingField) { _ = try CreateEntryRequest.parse(Array("{}".utf8)) }
    }
}
