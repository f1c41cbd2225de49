// Proof of possession and request parsing: CSRs made by swift-certificates and openssl, public keys with
// signatures over the challenge, and tamper/malformed tables with their codes.

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilServiceTesting
import SwiftASN1
import Testing
import X509

private func csrDER(_ pem: String) throws -> [UInt8] {
    try PEMDocument(pemString: pem).derBytes
}

private func opensslCSR(keyArguments: [String], digest: String = "-sha256") throws -> [UInt8] {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let key = directory.appendingPathComponent("key.pem").path
    let csr = directory.appendingPathComponent("csr.pem").path
    let made = try runTool("/usr/bin/env", ["openssl"] + keyArguments + ["-out", key])
    #expect(made.status == 0, "\(made.error)")
    let request = try runTool("/usr/bin/env", ["openssl", "req", "-new", digest, "-key", key, "-subj", "/", "-out", csr])
    #expect(request.status == 0, "\(request.error)")
    return Array(try Data(contentsOf: URL(fileURLWithPath: csr)))
}

@Suite("Proof of possession")
struct ProofOfPossessionTests {
    @Test func aCSRAsPEMOrDERProvesItsKey() throws {
        let (key, pem) = try sigstorePythonStyleCSR()
        let expected = Certificate.PublicKey(key.publicKey)
        #expect(try ProofOfPossession.verify(csr: Array(pem.utf8)).publicKey == expected)
        #expect(try ProofOfPossession.verify(csr: try csrDER(pem)).publicKey == expected)
    }

    @Test(arguments: [
        (["ecparam", "-name", "prime256v1", "-genkey", "-noout"], "-sha256"),
        (["ecparam", "-name", "secp384r1", "-genkey", "-noout"], "-sha384"),
        (["ecparam", "-name", "secp521r1", "-genkey", "-noout"], "-sha512"),
        (["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "-sha256"),
        (["genpkey", "-algorithm", "ED25519"], ""),
    ])
    func openSSLCSRsOfEveryRegistryAlgorithmAreAccepted(_ key: [String], _ digest: String) throws {
        let csr = try opensslCSR(keyArguments: key, digest: digest.isEmpty ? "-sha256" : digest)
        _ = try ProofOfPossession.verify(csr: csr)
    }

    @Test(arguments: [
        // swift-certificates itself refuses to parse RSA keys under 2048 bits, so that CSR is malformed to us.
        (["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], "-sha256", CAError.Code.malformedCSR),
        (["ecparam", "-name", "prime256v1", "-genkey", "-noout"], "-sha384", CAError.Code.unsupportedKey),
        (["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "-sha512", CAError.Code.unsupportedKey),
        (
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:3"],
            "-sha256",
            CAError.Code.unsupportedKey
        ),
    ])
    func keysAndAlgorithmsOutsideTheRegistryAreRefused(_ key: [String], _ digest: String, _ code: CAError.Code)
        async throws
    {
        let csr = try opensslCSR(keyArguments: key, digest: digest)
        await expectCAError(code) { _ = try ProofOfPossession.verify(csr: csr) }
    }

    @Test func aCSRWhoseSignatureWasTamperedIsNoProof() async throws {
        let (_, pem) = try sigstorePythonStyleCSR()
        var der = try csrDER(pem)
        // Flip a bit inside the requested public key (part of the signed CertificationRequestInfo) or the
        // signature: every position but the encoding's structure must fail the proof.
        let csr = try CertificateSigningRequest(derEncoded: der)
        let keyBytes = csr.publicKey.subjectPublicKeyInfoBytes
        let keyOffset = try #require(der.firstRange(of: Array(keyBytes))).lowerBound
        der[keyOffset + keyBytes.count - 5] ^= 0x01
        await expectCAError(.malformedCSR) {
            // A flipped coordinate is usually off the curve; then the CSR does not parse.
            do { _ = try ProofOfPossession.verify(csr: der) } catch let error as CAError
                where error.code == .invalidProofOfPossession
            {
                throw CAError(.malformedCSR, "counted as malformed for this table")
            }
        }
        var signatureFlipped = try csrDER(pem)
        signatureFlipped[signatureFlipped.count - 3] ^= 0x01
        await expectCAError(.invalidProofOfPossession) { _ = try ProofOfPossession.verify(csr: signatureFlipped) }
    }

    @Test func aCSRSignedByAnotherKeyIsNoProof() async throws {
        let (_, pem) = try sigstorePythonStyleCSR()
        let csr = try CertificateSigningRequest(derEncoded: try csrDER(pem))
        // CertificationRequestInfo (the signed part) is the first element of the CSR SEQUENCE.
        let root = try DER.parse(try csrDER(pem))
        guard case .constructed(let children) = root.content, let info = children.first(where: { _ in true }) else {
            Issue.record("CSR is not a SEQUENCE")
            return
        }
        let other = P256.Signing.PrivateKey()
        let forged = try CertificateSigningRequest(
            version: csr.version, subject: csr.subject, publicKey: csr.publicKey, attributes: csr.attributes,
            signatureAlgorithm: .ecdsaWithSHA256,
            signature: try Certificate.PrivateKey(other).sign(
                bytes: Array(info.encodedBytes), signatureAlgorithm: .ecdsaWithSHA256))
        var serializer = DER.Serializer()
        try serializer.serialize(forged)
        await expectCAError(.invalidProofOfPossession) {
            _ = try ProofOfPossession.verify(csr: serializer.serializedBytes)
        }
    }

    @Test func malformedCSRsAreMalformed() async throws {
        let (_, pem) = try sigstorePythonStyleCSR()
        let der = try csrDER(pem)
        let cases: [[UInt8]] = [
            [], Array("hello".utf8), Array(der.prefix(der.count - 1)), der + [0x00],
            Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8),
            Array(pem.replacingOccurrences(of: "CERTIFICATE REQUEST", with: "PUBLIC KEY").utf8),
            [UInt8](repeating: 0x30, count: ProofOfPossession.maxSize + 1),
        ]
        #expect(cases.count == 7)
        for bytes in cases {
            await expectCAError(.malformedCSR) { _ = try ProofOfPossession.verify(csr: bytes) }
        }
    }

    @Test func aSignatureOverTheChallengeProvesAPublicKey() async throws {
        let p256 = P256.Signing.PrivateKey()
        let proof = Array(try p256.signature(for: Array("sub-1".utf8)).derRepresentation)
        let proven = try ProofOfPossession.verify(
            publicKey: Array(p256.publicKey.pemRepresentation.utf8), signature: proof, challenge: "sub-1")
        #expect(proven.publicKey == Certificate.PublicKey(p256.publicKey))
        #expect(
            try ProofOfPossession.verify(
                publicKey: Array(p256.publicKey.derRepresentation), signature: proof, challenge: "sub-1"
            ).publicKey == proven.publicKey)
        let p384 = P384.Signing.PrivateKey()
        let proof384 = Array(try p384.signature(for: SHA256.hash(data: Array("sub-1".utf8))).derRepresentation)
        _ = try ProofOfPossession.verify(
            publicKey: Array(p384.publicKey.derRepresentation), signature: proof384, challenge: "sub-1")
        let ed = Curve25519.Signing.PrivateKey()
        let proofEd = Array(try ed.signature(for: Array("sub-1".utf8)))
        _ = try ProofOfPossession.verify(
            publicKey: try Certificate.PublicKey(ed.publicKey).serializeAsPEM().derBytes, signature: proofEd,
            challenge: "sub-1")

        await expectCAError(.invalidProofOfPossession) {
            _ = try ProofOfPossession.verify(
                publicKey: Array(p256.publicKey.derRepresentation), signature: proof, challenge: "sub-2")
        }
        await expectCAError(.invalidProofOfPossession) {
            _ = try ProofOfPossession.verify(
                publicKey: Array(P256.Signing.PrivateKey().publicKey.derRepresentation), signature: proof,
                challenge: "sub-1")
        }
        await expectCAError(.invalidProofOfPossession) {
            _ = try ProofOfPossession.verify(
                publicKey: Array(p256.publicKey.derRepresentation), signature: [0x30, 0x00], challenge: "sub-1")
        }
        await expectCAError(.malformedRequest) {
            _ = try ProofOfPossession.verify(publicKey: Array("not a key".utf8), signature: proof, challenge: "sub-1")
        }
    }
}

@Suite("Signing certificate request JSON")
struct SigningCertificateRequestTests {
    @Test func theSigstorePythonBodyParses() throws {
        let (_, pem) = try sigstorePythonStyleCSR()
        let request = try SigningCertificateRequest.parse(json: csrRequestBody(pem))
        #expect(request.certificateSigningRequest == Array(pem.utf8))
        #expect(request.identityToken == nil)
        #expect(request.publicKey == nil)
    }

    @Test func thePublicKeyFormAndSnakeCaseNamesParse() throws {
        let body =
            #"{"credentials":{"oidc_identity_token":"t.o.k"},"public_key_request":{"public_key":{"algorithm":"ECDSA","content":"PEM"},"proof_of_possession":"AQID"}}"#
        let request = try SigningCertificateRequest.parse(json: Array(body.utf8))
        #expect(request.identityToken == "t.o.k")
        #expect(request.publicKey == Array("PEM".utf8))
        #expect(request.proofOfPossession == [1, 2, 3])
        // URL-safe and unpadded base64 are proto3 JSON too.
        let unpadded = #"{"publicKeyRequest":{"publicKey":{"content":"PEM"},"proofOfPossession":"-_8"}}"#
        #expect(try SigningCertificateRequest.parse(json: Array(unpadded.utf8)).proofOfPossession == [0xFB, 0xFF])
    }

    @Test(arguments: [
        "", "[]", "{}", #"{"certificateSigningRequest":5}"#, #"{"certificateSigningRequest":"!!!"}"#,
        #"{"certificateSigningRequest":"AAAA","extra":1}"#,
        #"{"certificateSigningRequest":"AAAA","publicKeyRequest":{"publicKey":{"content":"x"},"proofOfPossession":"AA=="}}"#,
        #"{"publicKeyRequest":{"publicKey":{"content":"x"}}}"#,
        #"{"publicKeyRequest":{"publicKey":{"content":"x","bits":1},"proofOfPossession":"AA=="}}"#,
        #"{"certificateSigningRequest":"AAAA","certificateSigningRequest":"AAAA"}"#,
        #"{"credentials":{"oidcIdentityToken":1},"certificateSigningRequest":"AAAA"}"#,
        #"{"certificateSigningRequest":"AAAA"} trailing"#,
    ])
    func malformedBodiesAreRefused(_ body: String) async {
        await expectCAError(.malformedRequest) { _ = try SigningCertificateRequest.parse(json: Array(body.utf8)) }
    }

    @Test func anOversizeBodyIsRefusedBeforeParsing() async {
        let body = [UInt8](repeating: UInt8(ascii: " "), count: SigningCertificateRequest.maxBodySize + 1)
        await expectCAError(.malformedRequest) { _ = try SigningCertificateRequest.parse(json: body) }
    }
}
