// The CT log's precertificate checks, CA material loading and checks, issuance details (serials, clock),
// and the one error→HTTP mapping.

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilCT
import SigilX509
import SwiftASN1
import Testing
import X509

/// A precertificate-shaped certificate signed by the test CA's intermediate, with the given extensions.
private func certificate(_ ca: TestCA, extensions: [Certificate.Extension], signer: Certificate.PrivateKey? = nil)
    throws -> Certificate
{
    try Certificate(
        version: .v3, serialNumber: .init(), publicKey: Certificate.PublicKey(P256.Signing.PrivateKey().publicKey),
        notValidBefore: testNow, notValidAfter: testNow.addingTimeInterval(600), issuer: ca.intermediate.subject,
        subject: DistinguishedName(), signatureAlgorithm: .ecdsaWithSHA384,
        extensions: try Certificate.Extensions(extensions),
        issuerPrivateKey: try signer ?? Certificate.PrivateKey(pemEncoded: ca.generated.intermediateKeyPEM))
}

private let codeSigning = try! Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false)

/// A logger that is down.
private struct FailingLogger: PrecertificateLogger {
    struct Down: Error {}
    func log(_ entry: PrecertificateEntry) async throws -> PrecertificateLogReceipt { throw Down() }
}

private func expectCTError(
    _ code: CTError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected CTError \(code)", sourceLocation: sourceLocation)
    } catch let error as CTError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CTError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("CT precertificates")
struct CTLogTests {
    @Test func anSCTSignedByTheLogVerifiesOverThePrecertEntry() async throws {
        let ca = try TestCA()
        let precert = try certificate(ca, extensions: [codeSigning, Precertificate.poisonExtension])
        let sct = try await ca.ctLog.addPreChain(precert, chain: [ca.intermediate, ca.root])
        #expect(sct.logID == CertificateCoding.sha256(ca.ctLog.subjectPublicKeyInfo))
        #expect(sct.timestamp == 1_790_000_000_000)
        #expect(sct.hashAlgorithm == SignedCertificateTimestamp.hashSHA256)
        #expect(sct.signatureAlgorithm == SignedCertificateTimestamp.signatureECDSA)
        let tbs = try Precertificate.tbsWithoutPoison(precert)
        let signed = try SCTVerifier.signedData(
            sct: sct, issuerKeyHash: try CertificateCoding.subjectPublicKeyInfoSHA256(ca.intermediate), tbs: tbs)
        let signature = try P256.Signing.ECDSASignature(derRepresentation: sct.signature)
        #expect(ca.ctKey.publicKey.isValidSignature(signature, for: signed))
        // The TBS without poison is the TBS of the same certificate built without the poison.
        let root = try DER.parse(tbs)
        #expect(root.identifier == .sequence)
        #expect(!tbs.isEmpty && tbs.count < precert.tbsCertificateBytes.count)
    }

    @Test func aCertificateWithoutPoisonIsNotAPrecertificate() async throws {
        let ca = try TestCA()
        let plain = try certificate(ca, extensions: [codeSigning])
        await expectCTError(.missingPoison) { _ = try await ca.ctLog.addPreChain(plain, chain: [ca.intermediate]) }
    }

    @Test func aNonCriticalOrNonNullPoisonIsMalformed() async throws {
        let ca = try TestCA()
        let soft = Certificate.Extension(oid: FulcioOID.precertificatePoison, critical: false, value: [0x05, 0x00])
        await expectCTError(.malformedPoison) {
            _ = try await ca.ctLog.addPreChain(try certificate(ca, extensions: [soft]), chain: [ca.intermediate])
        }
        let valued = Certificate.Extension(oid: FulcioOID.precertificatePoison, critical: true, value: [0x04, 0x00])
        await expectCTError(.malformedPoison) {
            _ = try Precertificate.tbsWithoutPoison(try certificate(ca, extensions: [valued]))
        }
    }

    @Test func aPrecertificateNotSignedByTheFirstChainCertificateIsRefused() async throws {
        let ca = try TestCA()
        let stranger = Certificate.PrivateKey(P384.Signing.PrivateKey())
        let precert = try certificate(ca, extensions: [Precertificate.poisonExtension], signer: stranger)
        await expectCTError(.wrongIssuer) {
            _ = try await ca.ctLog.addPreChain(precert, chain: [ca.intermediate, ca.root])
        }
        let good = try certificate(ca, extensions: [Precertificate.poisonExtension])
        await expectCTError(.wrongIssuer) { _ = try await ca.ctLog.addPreChain(good, chain: [ca.root]) }
        await expectCTError(.emptyChain) { _ = try await ca.ctLog.addPreChain(good, chain: []) }
    }

    @Test func nothingIsIssuedWhenTheLogIsDown() async throws {
        let ca = try TestCA()
        let down = CTLog(signingKey: ca.ctKey, logger: FailingLogger())
        let authority = CertificateAuthority(material: ca.generated.material, ctLog: down, clock: fixedClock)
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .email, value: "a@b.example"),
            issuer: "https://i.example")
        await expectCAError(.ctLogUnavailable) {
            _ = try await authority.issue(
                for: identity, key: .unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)))
        }
        #expect(FulcioHTTP.errorResponse(for: CAError(.ctLogUnavailable, "x")).status == 503)
    }
}

@Suite("CA material and issuance details")
struct CAMaterialTests {
    @Test func generatedMaterialRoundTripsThroughPEM() throws {
        let generated = try CAMaterial.generate(at: testNow, organization: "Example", commonName: "example")
        let pems = generated.material.certificatesPEM
        #expect(pems.count == 2)
        let loaded = try CAMaterial(
            rootPEM: pems[1], intermediatePEM: pems[0], intermediateKeyPEM: generated.intermediateKeyPEM)
        #expect(loaded.root == generated.material.root)
        #expect(loaded.intermediate == generated.material.intermediate)
        #expect(generated.rootKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let root = generated.material.root
        let intermediate = generated.material.intermediate
        #expect(P384.Signing.PublicKey(root.publicKey) != nil)
        #expect(P384.Signing.PublicKey(intermediate.publicKey) != nil)
        #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 1))
        #expect(try intermediate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(intermediate.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        #expect(intermediate.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try intermediate.extensions.extendedKeyUsage == ExtendedKeyUsage([.codeSigning]))
        #expect(try root.extensions.extendedKeyUsage == nil)
        #expect(
            try intermediate.extensions.authorityKeyIdentifier?.keyIdentifier
                == root.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(root.notValidBefore == testNow)
        #expect(intermediate.notValidAfter <= root.notValidAfter)
        #expect("\(root.subject)".contains("example root"))
    }

    @Test func mismatchedOrBrokenMaterialIsRefused() async throws {
        let a = try CAMaterial.generate(at: testNow)
        let b = try CAMaterial.generate(at: testNow)
        let aPEM = a.material.certificatesPEM
        let bPEM = b.material.certificatesPEM
        // Key of another intermediate.
        await expectCAError(.invalidCAMaterial) {
            _ = try CAMaterial(rootPEM: aPEM[1], intermediatePEM: aPEM[0], intermediateKeyPEM: b.intermediateKeyPEM)
        }
        // Intermediate of another root.
        await expectCAError(.invalidCAMaterial) {
            _ = try CAMaterial(rootPEM: aPEM[1], intermediatePEM: bPEM[0], intermediateKeyPEM: b.intermediateKeyPEM)
        }
        // Not PEM at all.
        await expectCAError(.invalidCAMaterial) {
            _ = try CAMaterial(rootPEM: "x", intermediatePEM: aPEM[0], intermediateKeyPEM: a.intermediateKeyPEM)
        }
        await expectCAError(.invalidCAMaterial) {
            _ = try CAMaterial(
                rootPEM: aPEM[1], intermediatePEM: aPEM[0],
                intermediateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----")
        }
        // An intermediate whose BasicConstraints is not critical (cryptography would refuse the chain).
        let rootKey = try Certificate.PrivateKey(pemEncoded: a.rootKeyPEM)
        let key = P384.Signing.PrivateKey()
        let soft = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: testNow,
            notValidAfter: testNow.addingTimeInterval(86400), issuer: a.material.root.subject,
            subject: a.material.intermediate.subject, signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions {
                BasicConstraints.isCertificateAuthority(maxPathLength: 0)
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }, issuerPrivateKey: rootKey)
        await expectCAError(.invalidCAMaterial) {
            _ = try CAMaterial(root: a.material.root, intermediate: soft, intermediateKey: Certificate.PrivateKey(key))
        }
        await expectCAError(.invalidConfiguration) {
            _ = try CAMaterial.generate(at: testNow, rootLifetime: 10, intermediateLifetime: 20)
        }
    }

    @Test func serialsComeFromTheInjectedSourceNormalizedToAPositiveInteger() async throws {
        let ca = try TestCA()
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .uri, value: "https://ci.example/x"),
            issuer: "https://i.example")
        let key = ProvenPublicKey.unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey))
        let cases: [([UInt8], [UInt8])] = [
            ([0xFF] + [UInt8](repeating: 0xAB, count: 19), [0x7F] + [UInt8](repeating: 0xAB, count: 19)),
            ([UInt8](repeating: 0xCD, count: 25), [0x4D] + [UInt8](repeating: 0xCD, count: 19)),
            ([0x00, 0x00, 0x05], [0x05]),
            ([0x00, 0x80], [0x80]),  // swift-certificates keeps the magnitude; DER adds the sign octet
            ([], [0x01]),
            ([0x00], [0x01]),
        ]
        #expect(cases.count == 6)
        for (input, expected) in cases {
            let authority = CertificateAuthority(
                material: ca.generated.material, ctLog: ca.ctLog, clock: fixedClock, serialNumbers: { input })
            let issued = try await authority.issue(for: identity, key: key)
            #expect(Array(issued.certificate.serialNumber.bytes) == expected, "input \(input)")
        }
        let random = (0..<20).map { _ in CertificateAuthority.randomSerialNumber() }
        #expect(Set(random).count == 20)
        #expect(random.allSatisfy { $0.count == 20 && $0[0] & 0x80 == 0 && $0[0] != 0 })
    }

    @Test func validityFollowsTheInjectedClockToTheWholeSecond() async throws {
        let ca = try TestCA()
        let later = testNow.addingTimeInterval(1234.75)
        let authority = CertificateAuthority(material: ca.generated.material, ctLog: ca.ctLog, clock: { later })
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .username, value: "alice!example.com"),
            issuer: "https://i.example")
        let issued = try await authority.issue(
            for: identity, key: .unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)))
        #expect(issued.certificate.notValidBefore == testNow.addingTimeInterval(1234))
        #expect(issued.certificate.notValidAfter == testNow.addingTimeInterval(1234 + 600))
        // The username OtherName SAN reads back through SigilX509.
        #expect(
            try FulcioIdentity.identity(of: issued.certificate)
                == SubjectAlternativeName(kind: .username, value: "alice!example.com"))
        _ = try await FulcioChainVerifier.verify(
            leaf: issued.certificate, trustAnchors: [ca.root], intermediates: [ca.intermediate],
            at: testNow.addingTimeInterval(1300))
    }
}

@Suite("Fulcio HTTP mapping")
struct FulcioHTTPTests {
    @Test(arguments: [
        (CAError.Code.missingToken, 401, 16), (.malformedToken, 401, 16), (.badSignature, 401, 16),
        (.unknownKey, 401, 16),
        (.unsupportedAlgorithm, 401, 16), (.wrongIssuer, 401, 16), (.wrongAudience, 401, 16), (.expired, 401, 16),
        (.notYetValid, 401, 16), (.missingClaim, 401, 16), (.emailNotVerified, 401, 16), (.invalidSubject, 401, 16),
        (.malformedRequest, 400, 3), (.malformedCSR, 400, 3), (.invalidProofOfPossession, 400, 3),
        (.unsupportedKey, 400, 3),
        (.issuerKeysUnavailable, 503, 14), (.ctLogUnavailable, 503, 14),
        (.issuanceFailed, 500, 13), (.invalidCAMaterial, 500, 13), (.invalidConfiguration, 500, 13),
    ])
    func eachErrorCodeHasItsStatus(_ code: CAError.Code, _ status: Int, _ grpc: Int) throws {
        let response = FulcioHTTP.errorResponse(for: CAError(code, "secret-detail"))
        #expect(response.status == status)
        let body = try #require(try JSONValue.parse(response.body).objectValue)
        #expect(body.count == 2)
        #expect(body["code"] == .integer(Int64(grpc)))
        let message = try #require(body["message"]?.stringValue)
        if status == 400 || status == 401 {
            #expect(message == "\(code): secret-detail")
        } else {
            // Our own failures and pushback do not leak internals.
            #expect(!message.contains("secret-detail"))
        }
        #expect((response.retryAfterSeconds != nil) == (status == 503))
    }

    @Test func bearerTokensAreReadFromTheAuthorizationHeader() {
        #expect(FulcioHTTP.bearerToken("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(FulcioHTTP.bearerToken("bearer  abc") == "abc")
        #expect(FulcioHTTP.bearerToken("Basic abc") == nil)
        #expect(FulcioHTTP.bearerToken("Bearer") == nil)
        #expect(FulcioHTTP.bearerToken(nil) == nil)
    }

    @Test func serviceErrorsAreOrderedBodyThenTokenThenProof() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let service = FulcioService(verifier: fixture.verifier, authority: ca.authority)
        let (_, pem) = try sigstorePythonStyleCSR()
        await expectCAError(.malformedRequest) {
            _ = try await service.createSigningCertificate(authorization: "Bearer x", body: Array("{}".utf8))
        }
        await expectCAError(.missingToken) {
            _ = try await service.createSigningCertificate(authorization: nil, body: csrRequestBody(pem))
        }
        let expired = try await fixture.emailToken(["exp": .int(Int(testNow.timeIntervalSince1970) - 3600)])
        await expectCAError(.expired) {
            _ = try await service.createSigningCertificate(
                authorization: "Bearer \(expired)", body: csrRequestBody(pem))
        }
        let garbageCSR = Array(#"{"certificateSigningRequest":"AAAA"}"#.utf8)
        await expectCAError(.malformedCSR) {
            _ = try await service.createSigningCertificate(
                authorization: "Bearer \(try await fixture.emailToken())", body: garbageCSR)
        }
        #expect(await ca.ctLogStore.records.isEmpty)
    }
}
