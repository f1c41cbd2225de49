// Requests signed in the test with fresh keys, with certificate and public-key verifiers.

import Crypto
import Foundation
import SigilBundle
import SigilRekor
import Testing

@Suite("Requests signed with fresh keys")
struct FreshKeyTests {
    static let ecdsaCurves = ["P-256", "P-384", "P-521"]
    static let verifierKinds = ["x509Certificate", "publicKey"]

    static func request(_ key: TestKey, verifierKind: String, message: [UInt8] = Array("artifact".utf8)) throws
        -> String
    {
        let verifier = verifierKind == "publicKey" ? key.spki : try key.selfSignedCertificate()
        return requestJSON(
            digest: key.digest(message), signature: try key.sign(message), verifierKind: verifierKind,
            verifierDER: verifier, keyDetails: key.keyDetails)
    }

    @Test("an ECDSA signature over the digest is accepted", arguments: ecdsaCurves, verifierKinds)
    func ecdsaIsAccepted(curve: String, verifierKind: String) throws {
        let key = TestKey.fresh(curve)
        let message = Array("hello, \(curve)".utf8)
        let entry = try RekorEntryValidator().validate(
            Array(try Self.request(key, verifierKind: verifierKind, message: message).utf8))
        #expect(entry.keyDetails.name == key.keyDetails)
        #expect(entry.body.data.digest == key.digest(message))
        // The canonical body parses back as the entry it describes, and is already canonical.
        #expect(try RekorEntryBody.parse(entry.canonicalBody) == .hashedRekordV002(entry.body))
        #expect(try JSONValue.parse(entry.canonicalBody).canonicalized() == entry.canonicalBody)
        #expect(entry.identity == Array(SHA256.hash(data: entry.canonicalBody)))
    }

    @Test("the entry's data.algorithm is the hash keyDetails implies, not something the client sends")
    func algorithmFollowsKeyDetails() throws {
        let expected = ["P-256": "SHA2_256", "P-384": "SHA2_384", "P-521": "SHA2_512"]
        for curve in Self.ecdsaCurves {
            let entry = try RekorEntryValidator().validate(
                Array(try Self.request(.fresh(curve), verifierKind: "publicKey").utf8))
            #expect(entry.body.data.algorithm.name == expected[curve])
        }
    }

    @Test(
        "pure Ed25519 is refused, with a certificate or a public key, as rekor-tiles refuses it",
        arguments: verifierKinds)
    func ed25519IsRefused(verifierKind: String) throws {
        let request = try Self.request(.fresh("Ed25519"), verifierKind: verifierKind)
        expectRekorError(.unsupportedAlgorithm, status: 400) { try RekorEntryValidator().validate(Array(request.utf8)) }
    }

    @Test("the same request twice gives the same identity; a fresh signature over the same digest does not")
    func identityIsByteIdentity() throws {
        let key = TestKey.fresh("P-256")
        let request = try Self.request(key, verifierKind: "publicKey")
        let validator = RekorEntryValidator()
        let first = try validator.validate(Array(request.utf8))
        let second = try validator.validate(Array(request.utf8))
        let resigned = try validator.validate(Array(try Self.request(key, verifierKind: "publicKey").utf8))
        #expect(first.identity == second.identity)
        #expect(first.leafHash == second.leafHash)
        #expect(first.identity != resigned.identity, "ECDSA signatures are randomized")
    }

    @Test("a certificate long expired, or not yet valid, is accepted: the log checks no validity period")
    func certificateTimeIsNotChecked() throws {
        let key = TestKey.fresh("P-256")
        let message = Array("old".utf8)
        for notBefore in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 4_000_000_000)] {
            let request = requestJSON(
                digest: key.digest(message), signature: try key.sign(message),
                verifierDER: try key.selfSignedCertificate(notBefore: notBefore, lifetime: 1),
                keyDetails: key.keyDetails)
            _ = try RekorEntryValidator().validate(Array(request.utf8))
        }
    }

    @Test("a log configured for P-256 only refuses P-384")
    func narrowedAlgorithmsAreEnforced() throws {
        let validator = RekorEntryValidator(allowedKeyDetails: [.pkixECDSAP256SHA256, .pkixEd25519])
        #expect(validator.allowedKeyDetails == [.pkixECDSAP256SHA256], "only supported algorithms can be allowed")
        _ = try validator.validate(Array(try Self.request(.fresh("P-256"), verifierKind: "publicKey").utf8))
        expectRekorError(.unsupportedAlgorithm) {
            try validator.validate(Array(try Self.request(.fresh("P-384"), verifierKind: "publicKey").utf8))
        }
    }

    @Test("a DSSE envelope is logged as a hashedrekord over SHA-256 of its PAE")
    func dsseAsHashedRekord() throws {
        let key = P256.Signing.PrivateKey()
        let envelope = DSSEEnvelope(
            payload: Array(#"{"_type":"https://in-toto.io/Statement/v1"}"#.utf8),
            payloadType: DSSEEnvelope.inTotoPayloadType, signatures: [])
        let pae = envelope.preAuthenticationEncoding
        let signature = Array(try key.signature(for: pae).derRepresentation)
        let request = requestJSON(
            digest: Array(SHA256.hash(data: pae)), signature: signature, verifierKind: "publicKey",
            verifierDER: Array(key.publicKey.derRepresentation), keyDetails: "PKIX_ECDSA_P256_SHA_256")
        let entry = try RekorEntryValidator().validate(Array(request.utf8))
        #expect(entry.body.signature.content == signature)
    }

    @Test("a decoded request validates the same as its bytes")
    func decodedRequestValidates() throws {
        let key = P256.Signing.PrivateKey()
        let digest = Array(SHA256.hash(data: Array("x".utf8)))
        let request = CreateEntryRequest.HashedRekordRequestV002(
            digest: digest,
            signature: RekorSignature(
                content: Array(try key.signature(for: Array("x".utf8)).derRepresentation),
                verifier: RekorVerifier(
                    key: .publicKey(RekorPublicKey(rawBytes: Array(key.publicKey.derRepresentation))),
                    keyDetails: .pkixECDSAP256SHA256)))
        let direct = try RekorEntryValidator().validate(request)
        let viaBytes = try RekorEntryValidator().validate(
            CreateEntryRequest(hashedRekordRequestV002: request).jsonBytes())
        #expect(direct == viaBytes)
    }

    @Test("keyDetails given as its enum number, as protojson allows, is written by name")
    func keyDetailsByNumber() throws {
        let key = TestKey.fresh("P-256")
        let byName = try Self.request(key, verifierKind: "publicKey")
        let byNumber = byName.replacingOccurrences(of: "\"PKIX_ECDSA_P256_SHA_256\"", with: "5")
        #expect(byNumber != byName)
        let named = try RekorEntryValidator().validate(Array(byName.utf8))
        #expect(try RekorEntryValidator().validate(Array(byNumber.utf8)) == named)
    }

    @Test("null members count as unset, as in proto3 JSON")
    func nullsAreUnset() throws {
        let key = TestKey.fresh("P-384")
        let plain = try Self.request(key, verifierKind: "x509Certificate")
        let withNulls =
            plain
            .replacingOccurrences(of: "\"keyDetails\"", with: "\"publicKey\": null, \"keyDetails\"")
            .replacingOccurrences(
                of: "{\"hashedRekordRequestV002\"", with: "{\"dsseRequestV002\": null, \"hashedRekordRequestV002\"")
        #expect(withNulls != plain)
        #expect(
            try RekorEntryValidator().validate(Array(withNulls.utf8))
                == RekorEntryValidator().validate(Array(plain.utf8)))
    }

    @Test("whitespace and member order in the request do not change the canonical entry")
    func layoutDoesNotMatter() throws {
        let key = P256.Signing.PrivateKey()
        let message = Array("layout".utf8)
        let digest = b64(Array(SHA256.hash(data: message)))
        let signature = b64(Array(try key.signature(for: message).derRepresentation))
        let spki = b64(Array(key.publicKey.derRepresentation))
        let compact =
            #"{"hashedRekordRequestV002":{"digest":"\#(digest)","signature":{"content":"\#(signature)","verifier":{"publicKey":{"rawBytes":"\#(spki)"},"keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}}"#
        let shuffled = """
            {
              "hashedRekordRequestV002" : {
                "signature" : {
                  "verifier" : { "keyDetails" : "PKIX_ECDSA_P256_SHA_256", "publicKey" : { "rawBytes" : "\(spki)" } },
                  "content" : "\(signature)"
                },
                "digest" : "\(digest)"
              }
            }
            """
        #expect(
            try RekorEntryValidator().validate(Array(compact.utf8))
                == RekorEntryValidator().validate(Array(shuffled.utf8)))
    }
}
