// Bad requests: each refused with its code and HTTP status, and never a crash or a 500.

import Crypto
import Foundation
import SigilBundle
import SigilRekor
import Testing

struct NegativeCase: Sendable, CustomStringConvertible {
    let name: String
    let body: [UInt8]
    let code: RekorError.Code
    let status: Int
    var validator = RekorEntryValidator()

    var description: String { name }
}

/// One valid P-256 request, and variations of it that must fail.
enum NegativeTable {
    static let cases: [NegativeCase] = (try? make()) ?? []

    static func make() throws -> [NegativeCase] {
        let key = P256.Signing.PrivateKey()
        let message = Array("negative".utf8)
        let digest = Array(SHA256.hash(data: message))
        let signature = Array(try key.signature(for: message).derRepresentation)
        let certificate = try TestKey.p256(key).selfSignedCertificate()
        let spki = Array(key.publicKey.derRepresentation)
        let details = "PKIX_ECDSA_P256_SHA_256"
        let valid = requestJSON(digest: digest, signature: signature, verifierDER: certificate, keyDetails: details)
        // Make sure the base request is good, or every row below would pass for the wrong reason.
        _ = try RekorEntryValidator().validate(Array(valid.utf8))

        func text(_ name: String, _ body: String, _ code: RekorError.Code, _ status: Int = 400) -> NegativeCase {
            NegativeCase(name: name, body: Array(body.utf8), code: code, status: status)
        }
        func replacing(_ name: String, _ old: String, _ new: String, _ code: RekorError.Code) -> NegativeCase {
            // A row whose pattern is missing expects a code the validator never gives for input, so it fails.
            guard valid.contains(old) else {
                return text("BROKEN ROW \(name): pattern not found", valid, .internalError)
            }
            return text(name, valid.replacingOccurrences(of: old, with: new), code)
        }
        func request(
            _ name: String, digest: [UInt8] = digest, signature: [UInt8] = signature, kind: String = "x509Certificate",
            verifier: [UInt8] = certificate, keyDetails: String = details, _ code: RekorError.Code
        ) -> NegativeCase {
            text(
                name,
                requestJSON(
                    digest: digest, signature: signature, verifierKind: kind, verifierDER: verifier,
                    keyDetails: keyDetails), code)
        }

        var flippedSignature = signature
        flippedSignature[flippedSignature.count - 1] ^= 0x01
        let p384 = P384.Signing.PrivateKey()
        let ed25519 = Curve25519.Signing.PrivateKey()
        // The same P-256 key as a SubjectPublicKeyInfo with a compressed point: one key, a second encoding.
        let compressedSPKI: [UInt8] =
            [
                0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
                0x48,
                0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
            ] + Array(key.publicKey.compressedRepresentation)
        let deep = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        let oversize = Array(valid.utf8) + [UInt8](repeating: 0x20, count: RekorEntryValidator.defaultMaxRequestBytes)

        return [
            // Not JSON at all.
            text("truncated JSON", String(valid.dropLast(3)), .invalidJSON),
            text("trailing garbage", valid + " x", .invalidJSON),
            text("two JSON values", valid + valid, .invalidJSON),
            text(
                "duplicate member",
                valid.replacingOccurrences(
                    of: "{\"hashedRekordRequestV002\": {", with: "{\"hashedRekordRequestV002\": {\"digest\": \"AA==\", "
                ), .invalidJSON),
            text("nesting too deep", deep, .invalidJSON),
            NegativeCase(
                name: "invalid UTF-8",
                body: Array("{\"hashedRekordRequestV002\": {\"digest\": \"".utf8) + [0xC0, 0xAF] + Array("\"}}".utf8),
                code: .invalidJSON, status: 400),
            text("empty body", "", .invalidJSON),
            // The wrong kind of request.
            text("an array, not an object", "[\(valid)]", .wrongType),
            text("empty request", "{}", .unsupportedEntryKind),
            text("only nulls", "{\"hashedRekordRequestV002\": null}", .unsupportedEntryKind),
            text("unknown top-level kind", "{\"intotoRequestV002\": {}}", .unsupportedEntryKind),
            text(
                "deprecated dsseRequestV002",
                #"{"dsseRequestV002": {"envelope": {"payload": "e30=", "payloadType": "x", "signatures": []}, "verifiers": []}}"#,
                .unsupportedEntryKind),
            text("dsse_request_v002 in snake_case", #"{"dsse_request_v002": {}}"#, .unsupportedEntryKind),
            text(
                "hashedrekord and dsse together", "{\"dsseRequestV002\": {}, " + valid.dropFirst(),
                .unsupportedEntryKind),
            text(
                "hashedrekord under both spellings", valid.dropLast() + ", \"hashed_rekord_request_v002\": {}}",
                .conflictingFields),
            // Unknown fields (protojson DiscardUnknown: false).
            replacing("unknown field in the request", "{\"digest\"", "{\"extra\": 1, \"digest\"", .unknownField),
            replacing(
                "unknown field in the signature", "{\"content\"", "{\"comment\": \"x\", \"content\"", .unknownField),
            replacing(
                "unknown field in the verifier", "\"keyDetails\"", "\"x509CertificateChain\": {}, \"keyDetails\"",
                .unknownField),
            replacing(
                "unknown field in the certificate", "{\"rawBytes\"", "{\"pem\": \"x\", \"rawBytes\"", .unknownField),
            replacing("data instead of digest (the log entry's shape)", "\"digest\"", "\"data\"", .unknownField),
            // Wrong types.
            replacing("digest as a number", "\"digest\": \"\(b64(digest))\"", "\"digest\": 12", .wrongType),
            text(
                "signature as a string",
                "{\"hashedRekordRequestV002\": {\"digest\": \"\(b64(digest))\", \"signature\": \"x\"}}", .wrongType),
            replacing("content as an array", "\"content\": \"\(b64(signature))\"", "\"content\": [1]", .wrongType),
            replacing("keyDetails as an object", "\"keyDetails\": \"\(details)\"", "\"keyDetails\": {}", .wrongType),
            replacing(
                "verifier as a string",
                "\"verifier\": {\"x509Certificate\": {\"rawBytes\": \"\(b64(certificate))\"}, \"keyDetails\": \"\(details)\"}",
                "\"verifier\": \"x\"", .wrongType),
            // Missing pieces.
            replacing("missing digest", "\"digest\": \"\(b64(digest))\", ", "", .missingField),
            request("empty digest", digest: [], .missingField),
            replacing(
                "signature under another name", "\"digest\": \"\(b64(digest))\", \"signature\"",
                "\"digest\": \"\(b64(digest))\", \"sig\"", .unknownField),
            text(
                "no signature member", "{\"hashedRekordRequestV002\": {\"digest\": \"\(b64(digest))\"}}", .missingField),
            request("empty signature content", signature: [], .missingField),
            replacing(
                "missing verifier",
                ", \"verifier\": {\"x509Certificate\": {\"rawBytes\": \"\(b64(certificate))\"}, \"keyDetails\": \"\(details)\"}",
                "", .missingField),
            replacing(
                "verifier without a key", "\"x509Certificate\": {\"rawBytes\": \"\(b64(certificate))\"}, ", "",
                .missingField),
            replacing("missing keyDetails", ", \"keyDetails\": \"\(details)\"", "", .missingField),
            request("empty certificate bytes", verifier: [], .missingField),
            replacing(
                "both publicKey and x509Certificate", "\"keyDetails\"",
                "\"publicKey\": {\"rawBytes\": \"\(b64(spki))\"}, \"keyDetails\"", .conflictingFields),
            // Digest length.
            request("digest of 31 bytes", digest: Array(digest.dropLast()), .invalidDigest),
            request("digest of 33 bytes", digest: digest + [0], .invalidDigest),
            request("SHA-384-sized digest under P-256", digest: Array(SHA384.hash(data: message)), .invalidDigest),
            // Base64.
            // 0xFB 0xEF 0xFF is "++//" in standard base64 and "--__" in the URL-safe alphabet.
            replacing(
                "URL-safe base64", "\"digest\": \"\(b64(digest))\"",
                "\"digest\": \"--__\(b64(Array(digest.dropFirst(3))))\"", .invalidBase64),
            // 32 bytes always take one '=' of padding.
            replacing(
                "unpadded base64", "\"digest\": \"\(b64(digest))\"", "\"digest\": \"\(b64(digest).dropLast())\"",
                .invalidBase64),
            replacing(
                "base64 with a space", "\"rawBytes\": \"\(b64(certificate))\"",
                "\"rawBytes\": \"\(b64(certificate).prefix(8)) \(b64(certificate).dropFirst(8))\"", .invalidBase64),
            replacing(
                "not base64 at all", "\"digest\": \"\(b64(digest))\"", "\"digest\": \"not base64!\"", .invalidBase64),
            // Signatures.
            request(
                "signature over another message",
                signature: Array(try key.signature(for: Array("other".utf8)).derRepresentation), .signatureInvalid),
            request("signature with a bit flipped", signature: flippedSignature, .signatureInvalid),
            request("signature that is not DER", signature: Array(repeating: 0x41, count: 64), .signatureInvalid),
            request(
                "raw r‖s signature", signature: Array(try key.signature(for: message).rawRepresentation),
                .signatureInvalid),
            request(
                "signature by another key",
                signature: Array(try P256.Signing.PrivateKey().signature(for: message).derRepresentation),
                .signatureInvalid),
            // keyDetails.
            request(
                "P-256 key under P-384 keyDetails", digest: Array(SHA384.hash(data: message)),
                keyDetails: "PKIX_ECDSA_P384_SHA_384", .keyMismatch),
            request(
                "P-384 key under P-256 keyDetails", kind: "publicKey",
                verifier: Array(p384.publicKey.derRepresentation), .keyMismatch),
            request(
                "Ed25519 certificate under P-256 keyDetails",
                verifier: try TestKey.ed25519(ed25519).selfSignedCertificate(), .keyMismatch),
            request(
                "pure Ed25519 keyDetails", kind: "publicKey", verifier: TestKey.ed25519(ed25519).spki,
                keyDetails: "PKIX_ED25519", .unsupportedAlgorithm),
            request(
                "Ed25519ph keyDetails", kind: "publicKey", verifier: TestKey.ed25519(ed25519).spki,
                keyDetails: "PKIX_ED25519_PH", .unsupportedAlgorithm),
            request("RSA keyDetails", keyDetails: "PKIX_RSA_PKCS1V15_2048_SHA256", .unsupportedAlgorithm),
            request("unspecified keyDetails", keyDetails: "PUBLIC_KEY_DETAILS_UNSPECIFIED", .unsupportedAlgorithm),
            request("unknown keyDetails name", keyDetails: "PKIX_ECDSA_P256_SHA_999", .unsupportedAlgorithm),
            request("lower-case keyDetails", keyDetails: "pkix_ecdsa_p256_sha_256", .invalidEnumValue),
            replacing(
                "undefined keyDetails number", "\"keyDetails\": \"\(details)\"", "\"keyDetails\": 99", .invalidEnumValue
            ),
            // Verifiers that are not what they claim.
            request("certificate garbage", verifier: Array(repeating: 0x30, count: 40), .invalidVerifier),
            request("truncated certificate", verifier: Array(certificate.dropLast(10)), .invalidVerifier),
            request("certificate with a trailing byte", verifier: certificate + [0x00], .invalidVerifier),
            request("a public key sent as a certificate", verifier: spki, .invalidVerifier),
            request("a certificate sent as a public key", kind: "publicKey", verifier: certificate, .invalidVerifier),
            request(
                "public key garbage", kind: "publicKey", verifier: [0x30, 0x03, 0x02, 0x01, 0x01], .invalidVerifier),
            request("public key with a trailing byte", kind: "publicKey", verifier: spki + [0x00], .invalidVerifier),
            request(
                "public key with a compressed point", kind: "publicKey", verifier: compressedSPKI, .invalidVerifier),
            // Sizes.
            NegativeCase(name: "body over 4 MiB", body: oversize, code: .requestTooLarge, status: 413),
            NegativeCase(
                name: "body over a configured limit", body: Array(valid.utf8), code: .requestTooLarge, status: 413,
                validator: RekorEntryValidator(maxRequestBytes: 100)),
            NegativeCase(
                name: "entry over a configured entry limit", body: Array(valid.utf8), code: .entryTooLarge, status: 413,
                validator: RekorEntryValidator(maxEntryBytes: 100)),
        ]
    }
}

@Suite("Bad requests are refused with their code and HTTP status")
struct NegativeRequestTests {
    @Test("the negative table loaded")
    func tableLoaded() {
        #expect(NegativeTable.cases.count > 60)
    }

    @Test("each bad request is refused", arguments: NegativeTable.cases)
    func refused(_ row: NegativeCase) {
        expectRekorError(row.code, status: row.status) { try row.validator.validate(row.body) }
    }

    @Test(
        "every refusal of client input is a 4xx with a JSON body that names the problem", arguments: NegativeTable.cases
    )
    func refusalBody(_ row: NegativeCase) throws {
        let error = try #require(
            refusal { () throws(RekorError) in _ = try row.validator.validate(row.body) }, "\(row.name) was accepted")
        let response = error.httpResponse
        #expect((400..<500).contains(response.status))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["code"] as? Int == 3)
        #expect((object["message"] as? String)?.isEmpty == false)
        #expect((object["details"] as? [Any])?.isEmpty == true)
    }

    @Test("the DSSE request is refused with rekor-tiles' words")
    func dsseMessage() throws {
        let error = try #require(
            refusal { () throws(RekorError) in
                _ = try RekorEntryValidator().validate(Array(#"{"dsseRequestV002": {}}"#.utf8))
            })
        #expect(error.reason.hasPrefix("invalid type, must be hashedrekord"))
        #expect(error.httpResponse.status == 400)
    }

    @Test("truncations and bit flips of a valid request never crash and never pass as another entry")
    func mutations() throws {
        let key = TestKey.fresh("P-256")
        let request = Array(try FreshKeyTests.request(key, verifierKind: "x509Certificate").utf8)
        let validator = RekorEntryValidator()
        let original = try validator.validate(request)
        var tried = 0
        for length in stride(from: 0, to: request.count, by: 7) {
            #expect(throws: RekorError.self) { try validator.validate(request.prefix(length)) }
            tried += 1
        }
        for position in stride(from: 0, to: request.count, by: 3) {
            var mutated = request
            mutated[position] ^= 0x04
            // A flip may land in JSON whitespace or in a base64 character that decodes the same; whatever is
            // accepted must then be the very same entry.
            if let entry = try? validator.validate(mutated) {
                #expect(
                    entry.canonicalBody == original.canonicalBody
                        || entry.body.signature.verifier != original.body.signature.verifier)
            }
            tried += 1
        }
        #expect(tried > 100)
    }
}
