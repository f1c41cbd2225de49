// End-to-end issuance: token + CSR through `FulcioService`, then the issued chain checked by SigilX509
// (chain, SCT, identity, extensions), by Python `cryptography`'s WebPKI client verifier, and by `openssl verify`.

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilCT
import SigilServiceTesting
import SigilTesting
import SigilX509
import SwiftASN1
import Testing
import X509

/// Issues a certificate through the full service for an email token and a sigstore-python-style CSR.
func issueThroughService(
    _ fixture: OIDCFixture, _ ca: TestCA, token: String? = nil
) async throws -> (issued: IssuedCertificate, response: [UInt8], key: P256.Signing.PrivateKey) {
    let service = FulcioService(verifier: fixture.verifier, authority: ca.authority)
    let (key, pem) = try sigstorePythonStyleCSR()
    let bearer: String
    if let token { bearer = token } else { bearer = try await fixture.emailToken() }
    let issued = try await service.createSigningCertificate(
        authorization: "Bearer \(bearer)", body: csrRequestBody(pem))
    return (issued, FulcioHTTP.signingCertificateResponse(issued), key)
}

/// The PEM certificates of a signingCert response, checked to have exactly the embedded-SCT shape.
func certificatesOfResponse(_ body: [UInt8]) throws -> [String] {
    let document = try JSONValue.parse(body)
    let top = try #require(document.objectValue)
    #expect(top.count == 1)
    let embedded = try #require(top["signedCertificateEmbeddedSct"]?.objectValue)
    #expect(embedded.count == 1)
    let chain = try #require(embedded["chain"]?.objectValue)
    let list = try #require(chain["certificates"]?.arrayValue)
    return try list.map { try #require($0.stringValue) }
}

/// Runs the committed Python `cryptography` check on a chain; returns its exit status and JSON report.
func pythonCheck(chainPEM: String, at time: Date, san: String, issuer: String) throws -> (status: Int32, report: String)
{
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let chainURL = directory.appendingPathComponent("chain.pem")
    try Data(chainPEM.utf8).write(to: chainURL)
    let result = try runTool(
        "/usr/bin/env",
        [
            "python3", Fixtures.url("ca/check_chain.py").path, chainURL.path, String(Int(time.timeIntervalSince1970)),
            san, issuer,
        ])
    return (result.status, result.output + result.error)
}

@Suite("Certificate issuance")
struct IssuanceTests {
    @Test func aSigstorePythonRequestGetsAChainTheSigilVerifiersAccept() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, response, key) = try await issueThroughService(fixture, ca)

        let pems = try certificatesOfResponse(response)
        #expect(pems.count == 3)
        let chain = try pems.map { try #require(try CertificateCoding.certificates(pem: $0).first) }
        #expect(chain == [issued.certificate, ca.intermediate, ca.root])
        let leaf = chain[0]
        #expect(leaf.publicKey == Certificate.PublicKey(key.publicKey))

        // SPEC: the verifier's view: chain at a time inside the 10 minutes, SCT, identity, issuer extensions
        let verified = try await FulcioChainVerifier.verify(
            leaf: leaf, trustAnchors: [ca.root], intermediates: [ca.intermediate], at: testNow.addingTimeInterval(300))
        #expect(verified.certificates == chain)
        let scts = try SCTVerifier.verifyEmbeddedSCTs(
            in: leaf, issuer: verified.issuer, logs: [try ca.ctLog.verificationKey()], at: [testNow])
        #expect(scts.count == 1)
        #expect(scts[0].sct == issued.signedCertificateTimestamp)
        #expect(
            try FulcioIdentity.identity(of: leaf) == SubjectAlternativeName(kind: .email, value: "alice@example.com"))
        let extensions = try FulcioExtensions(leaf)
        #expect(extensions.issuer == "https://accounts.example.com")
        #expect(extensions.issuerV2 == "https://accounts.example.com")
        #expect(extensions.oidcIssuer == "https://accounts.example.com")
        #expect(extensions.tokenSubject == "subject-1")

        // Profile details sigstore-python depends on.
        #expect(leaf.subject.isEmpty)
        #expect(leaf.notValidBefore == testNow)
        #expect(leaf.notValidAfter == testNow.addingTimeInterval(600))
        #expect(leaf.extensions[oid: .X509ExtensionID.subjectAlternativeName]?.critical == true)
        #expect(leaf.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try leaf.extensions.keyUsage == KeyUsage(digitalSignature: true))
        #expect(try leaf.extensions.extendedKeyUsage == ExtendedKeyUsage([.codeSigning]))
        #expect(
            try leaf.extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.intermediate.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(try leaf.extensions.subjectKeyIdentifier == SubjectKeyIdentifier(hash: leaf.publicKey))
        #expect(
            leaf.extensions[oid: FulcioOID.issuer].map { Array($0.value) } == Array("https://accounts.example.com".utf8)
        )
        #expect(leaf.extensions[oid: FulcioOID.precertificatePoison] == nil)
        #expect(leaf.extensions.last?.oid == FulcioOID.sctList)
        #expect(leaf.serialNumber.bytes.count <= 20 && (leaf.serialNumber.bytes.first ?? 0) & 0x80 == 0)
    }

    @Test func theChainIsNotValidAfterTenMinutes() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, _, _) = try await issueThroughService(fixture, ca)
        await #expect(throws: X509Error.self) {
            _ = try await FulcioChainVerifier.verify(
                leaf: issued.certificate, trustAnchors: [ca.root], intermediates: [ca.intermediate],
                at: testNow.addingTimeInterval(601))
        }
        let error = await #expect(throws: X509Error.self) {
            _ = try await FulcioChainVerifier.verify(
                leaf: issued.certificate, trustAnchors: [ca.root], intermediates: [ca.intermediate],
                at: testNow.addingTimeInterval(-1))
        }
        #expect(error?.code == .notValidAtTime)
    }

    @Test func theSCTFailsAgainstAnotherLogKeyAndAnotherIssuer() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, _, _) = try await issueThroughService(fixture, ca)
        let stranger = try CTLogKey(subjectPublicKeyInfo: Array(P256.Signing.PrivateKey().publicKey.derRepresentation))
        let unknown = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(
                in: issued.certificate, issuer: ca.intermediate, logs: [stranger], at: [testNow])
        }
        #expect(unknown?.code == .sctUnknownLog)
        // Wrong issuer key hash: the root is not the leaf's issuer.
        let invalid = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(
                in: issued.certificate, issuer: ca.root, logs: [try ca.ctLog.verificationKey()], at: [testNow])
        }
        #expect(invalid?.code == .sctInvalid)
    }

    @Test func theCTLogRecordedThePrecertificateTheSCTCovers() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, _, _) = try await issueThroughService(fixture, ca)
        let records = await ca.ctLogStore.records
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.timestamp == issued.signedCertificateTimestamp.timestamp)
        #expect(record.timestamp == 1_790_000_000_000)
        #expect(record.entry.tbsCertificate == (try PrecertificateTBS.reconstruct(from: issued.certificate)))
        #expect(record.entry.issuerKeyHash == (try CertificateCoding.subjectPublicKeyInfoSHA256(ca.intermediate)))
        let precert = try CertificateCoding.certificate(der: record.entry.precertificate)
        #expect(precert.extensions[oid: FulcioOID.precertificatePoison]?.critical == true)
        #expect(precert.serialNumber == issued.certificate.serialNumber)
        #expect(record.entry.chain == [try CertificateCoding.der(ca.intermediate), try CertificateCoding.der(ca.root)])
    }

    @Test func everyIssuerTypeIsIssuedWithItsSANAndExtensions() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let tokens: [String] = [
            try await fixture.emailToken(),
            try await fixture.github.token(fixture.github.claims(OIDCFixture.githubClaims), kid: fixture.github.rsaKID),
            try await fixture.kubernetes.token(
                fixture.kubernetes.claims(["sub": .string("system:serviceaccount:ns:sa")])),
            try await fixture.spiffe.token(fixture.spiffe.claims(["sub": .string("spiffe://example.org/w")])),
            try await fixture.uri.token(fixture.uri.claims(["sub": .string("https://ci.example.com/p/1")])),
        ]
        #expect(tokens.count == 5)
        var serials: Set<[UInt8]> = []
        for token in tokens {
            let identity = try await fixture.verifier.verify(token)
            let (issued, _, _) = try await issueThroughService(fixture, ca, token: token)
            let leaf = issued.certificate
            #expect(try FulcioIdentity.identity(of: leaf) == identity.subjectAlternativeName)
            #expect(try FulcioExtensions(leaf) == identity.extensions)
            _ = try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchors: [ca.root], intermediates: [ca.intermediate], at: testNow)
            serials.insert(Array(leaf.serialNumber.bytes))
        }
        #expect(serials.count == 5)
        #expect(await ca.ctLogStore.records.count == 5)
    }

    @Test func aPublicKeyWithASignatureOverTheChallengeIsCertified() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let service = FulcioService(verifier: fixture.verifier, authority: ca.authority)
        let key = P256.Signing.PrivateKey()
        let proof = try key.signature(for: Array("alice@example.com".utf8)).derRepresentation
        let token = try await fixture.emailToken()
        let body = #"""
            {"credentials":{"oidcIdentityToken":"\#(token)"},"publicKeyRequest":{"publicKey":{"algorithm":"ECDSA","content":\#(String(decoding: JSONValue.string(key.publicKey.pemRepresentation).serialized(), as: UTF8.self))},"proofOfPossession":"\#(proof.base64EncodedString())"}}
            """#
        let issued = try await service.createSigningCertificate(authorization: nil, body: Array(body.utf8))
        #expect(issued.certificate.publicKey == Certificate.PublicKey(key.publicKey))
        // The same proof for another identity does not work.
        let wrong = try key.signature(for: Array("bob@example.com".utf8)).derRepresentation
        let badBody = body.replacingOccurrences(of: proof.base64EncodedString(), with: wrong.base64EncodedString())
        await expectCAError(.invalidProofOfPossession) {
            _ = try await service.createSigningCertificate(authorization: nil, body: Array(badBody.utf8))
        }
    }

    @Test func anOpenSSLMadeCSRIsAccepted() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("key.pem").path
        let csrPath = directory.appendingPathComponent("csr.pem").path
        #expect(
            try runTool(
                "/usr/bin/env", ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]
            ).status == 0)
        #expect(
            try runTool("/usr/bin/env", ["openssl", "req", "-new", "-key", keyPath, "-subj", "/", "-out", csrPath]).status
                == 0)
        let csrPEM = try String(contentsOfFile: csrPath, encoding: .utf8)
        let service = FulcioService(verifier: fixture.verifier, authority: ca.authority)
        let issued = try await service.createSigningCertificate(
            authorization: "Bearer \(try await fixture.emailToken())", body: csrRequestBody(csrPEM))
        #expect(try FulcioIdentity.identity(of: issued.certificate).value == "alice@example.com")
    }

    @Test func pythonCryptographyAcceptsTheIssuedChain() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, _, _) = try await issueThroughService(fixture, ca)
        let result = try pythonCheck(
            chainPEM: issued.certificatesPEM.joined(), at: testNow.addingTimeInterval(300),
            san: "alice@example.com", issuer: "https://accounts.example.com")
        #expect(result.status == 0, "\(result.report)")
        #expect(result.report.contains(#""client_verifier": true"#))
        #expect(result.report.contains(#""client_verifier_root_only": true"#))
        // Outside the validity window the same chain is refused by cryptography too.
        let late = try pythonCheck(
            chainPEM: issued.certificatesPEM.joined(), at: testNow.addingTimeInterval(900),
            san: "alice@example.com", issuer: "https://accounts.example.com")
        #expect(late.status == 1)
        #expect(late.report.contains(#""client_verifier": false"#))
    }

    @Test func pythonCryptographyRefusesALeafWithoutAKIOrWithANonCriticalSAN() async throws {
        // The Python check can fail: build two leaves that break sigstore-python's rules, signed by our CA.
        let ca = try TestCA()
        let key = try Certificate.PrivateKey(pemEncoded: ca.generated.intermediateKeyPEM)
        let leafKey = Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)
        for breakage in ["no AKI", "SAN not critical"] {
            let aki = try Certificate.Extension(
                AuthorityKeyIdentifier(
                    keyIdentifier: try ca.intermediate.extensions.subjectKeyIdentifier?.keyIdentifier),
                critical: false)
            let san = try Certificate.Extension(
                SubjectAlternativeNames([.rfc822Name("alice@example.com")]), critical: breakage != "SAN not critical")
            var extensions = [
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false),
                san,
            ]
            if breakage != "no AKI" { extensions.append(aki) }
            var fulcio = FulcioExtensions()
            fulcio.issuer = "https://accounts.example.com"
            fulcio.issuerV2 = "https://accounts.example.com"
            extensions += try fulcio.certificateExtensions()
            let leaf = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: leafKey, notValidBefore: testNow,
                notValidAfter: testNow.addingTimeInterval(600), issuer: ca.intermediate.subject,
                subject: DistinguishedName(),
                signatureAlgorithm: .ecdsaWithSHA384, extensions: try Certificate.Extensions(extensions),
                issuerPrivateKey: key)
            let pem = try [leaf, ca.intermediate, ca.root].map { try $0.serializeAsPEM().pemString }.joined(
                separator: "\n")
            let result = try pythonCheck(
                chainPEM: pem, at: testNow.addingTimeInterval(60), san: "alice@example.com",
                issuer: "https://accounts.example.com")
            #expect(result.status == 1, "\(breakage): \(result.report)")
            #expect(result.report.contains(#""client_verifier": false"#), "\(breakage): \(result.report)")
        }
    }

    @Test func opensslVerifiesTheChainAtATimeInsideTheWindow() async throws {
        let fixture = try await OIDCFixture()
        let ca = try TestCA()
        let (issued, _, _) = try await issueThroughService(fixture, ca)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pems = issued.certificatesPEM
        let paths = ["leaf", "intermediate", "root"].map { directory.appendingPathComponent("\($0).pem").path }
        for (pem, path) in zip(pems, paths) { try Data(pem.utf8).write(to: URL(fileURLWithPath: path)) }
        let inside = try runTool(
            "/usr/bin/env",
            [
                "openssl", "verify", "-CAfile", paths[2], "-untrusted", paths[1], "-purpose", "any",
                "-attime", String(Int(testNow.timeIntervalSince1970) + 300), paths[0],
            ])
        #expect(inside.status == 0, "\(inside.output)\(inside.error)")
        let after = try runTool(
            "/usr/bin/env",
            [
                "openssl", "verify", "-CAfile", paths[2], "-untrusted", paths[1],
                "-attime", String(Int(testNow.timeIntervalSince1970) + 3600), paths[0],
            ])
        #expect(after.status != 0)
    }

    @Test func theTrustBundleListsTheCAChain() throws {
        let ca = try TestCA()
        let service = FulcioService(
            verifier: try OIDCVerifier(issuers: [], clock: fixedClock), authority: ca.authority)
        let document = try JSONValue.parse(service.trustBundleJSON())
        let chains = try #require(document.objectValue?["chains"]?.arrayValue)
        #expect(chains.count == 1)
        let pems = try #require(chains[0].objectValue?["certificates"]?.arrayValue).compactMap(\.stringValue)
        #expect(try pems.flatMap { try CertificateCoding.certificates(pem: $0) } == [ca.intermediate, ca.root])
    }
}
