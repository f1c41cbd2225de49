// What the HTTP clients put on the wire and read back, checked against Sigil's real server cores without HTTP:
// SigilCA parses the Fulcio request and checks its CSR, SigilCA renders the Fulcio answer the client parses,
// SigilRekor validates the Rekor request, SigilTSA answers the TSA query. `openssl req` checks the CSR too.

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilRekor
import SigilServiceTesting
import SigilSign
import SigilTSA
import SigilTesting
import SigilTimestamp
import SigilTlog
import SigilX509
import SwiftASN1
import Testing
import X509

@testable import SigilClient

@Suite("HTTP client wire formats against the server cores")
struct WireTests {
    @Test("the Fulcio request body parses with SigilCA and its CSR proves possession of the key")
    func fulcioRequest() throws {
        let key = P256.Signing.PrivateKey()
        let csr = try Signer.certificateSigningRequest(for: key)
        let body = FulcioClient.requestBody(certificateSigningRequest: csr)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"certificateSigningRequest":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNU"#))
        let request = try SigningCertificateRequest.parse(json: body)
        #expect(request.identityToken == nil)
        let csrBytes = try #require(request.certificateSigningRequest)
        let proven = try ProofOfPossession.verify(csr: csrBytes)
        #expect(proven.publicKey == Certificate.PublicKey(key.publicKey))

        // Like sigstore-python's: empty subject, one requested extension BasicConstraints CA:false, critical.
        let parsed = try CertificateSigningRequest(derEncoded: csr)
        #expect(parsed.subject == X509.DistinguishedName())
        let requested = try #require(try parsed.attributes.extensionRequest)
        let constraints = try #require(requested.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(constraints.critical)
        #expect(try BasicConstraints(constraints) == .notCertificateAuthority)
    }

    @Test("openssl verifies the CSR's self-signature and sees an empty subject")
    func opensslCSR() throws {
        let csr = try Signer.certificateSigningRequest(for: P256.Signing.PrivateKey())
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-csr-\(UUID().uuidString).der")
        try Data(csr).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-inform", "DER", "-in", file.path, "-verify", "-noout", "-text"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("verify OK") || output.contains("Certificate request self-signature verify OK"), "\(output)")
        #expect(output.contains("Subject: \n") || output.contains("Subject:\n") || output.contains("Subject: \r"), "\(output)")
        #expect(output.contains("CA:FALSE"), "\(output)")
    }

    @Test("the Fulcio answer SigilCA renders parses into the issued chain; short and detached shapes are refused")
    func fulcioAnswer() async throws {
        let sigstore = try await VirtualSigstore.make()
        defer { Task { await sigstore.shutdown() } }
        let key = P256.Signing.PrivateKey()
        let issued = try await sigstore.certificateAuthority.issue(
            for: Identity.unchecked(
                subjectAlternativeName: SubjectAlternativeName(kind: .email, value: "a@sigil.test"),
                issuer: VirtualSigstore.defaultIssuer),
            key: ProvenPublicKey.unchecked(Certificate.PublicKey(key.publicKey)))
        let chain = try FulcioClient.parseChain(FulcioHTTP.signingCertificateResponse(issued))
        #expect(chain == [issued.certificate] + issued.chain)

        let refusals: [(String, [UInt8], SignError.Code)] = [
            ("one certificate", FulcioHTTP.signingCertificateResponse(certificatesPEM: [issued.certificatesPEM[0]]), .invalidCertificate),
            ("detached SCT", Array(#"{"signedCertificateDetachedSct":{"chain":{"certificates":[]}}}"#.utf8), .serviceRefused),
            ("not JSON", Array("<html>".utf8), .serviceRefused),
            ("certificates not strings", Array(#"{"signedCertificateEmbeddedSct":{"chain":{"certificates":[1,2]}}}"#.utf8), .serviceRefused),
            ("bad PEM", FulcioHTTP.signingCertificateResponse(certificatesPEM: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", issued.certificatesPEM[1]]), .invalidCertificate),
        ]
        #expect(refusals.count > 0)
        for (name, body, code) in refusals {
            #expect(throws: SignError.self, "\(name)") { _ = try FulcioClient.parseChain(body) }
            do { _ = try FulcioClient.parseChain(body) } catch { #expect(error.code == code, "\(name): \(error)") }
        }
    }

    @Test("the Fulcio endpoint is the host root, Rekor's is appended, the TSA URL is verbatim")
    func endpoints() {
        #expect(FulcioClient(url: "http://127.0.0.1:5555/fulcio/").endpoint == "http://127.0.0.1:5555/api/v2/signingCert")
        #expect(FulcioClient(url: "https://fulcio.sigstore.dev").endpoint == "https://fulcio.sigstore.dev/api/v2/signingCert")
        #expect(RekorClient(url: "http://127.0.0.1:3003").endpoint == "http://127.0.0.1:3003/api/v2/log/entries")
        #expect(RekorClient(url: "http://127.0.0.1:3003/").endpoint == "http://127.0.0.1:3003/api/v2/log/entries")
        #expect(TSAClient(url: "http://127.0.0.1:3004/api/v1/timestamp").url == "http://127.0.0.1:3004/api/v1/timestamp")
    }

    @Test("the Rekor request a session logs is valid for SigilRekor's validator")
    func rekorRequest() async throws {
        let artifact = Array("rekor request".utf8)
        let digest = Array(SHA256.hash(data: artifact))
        let request = try RequestSigner().request(for: artifact)
        let entry = try RekorEntryValidator().validate(request.jsonBytes())
        #expect(entry.body.data.digest == digest)
        #expect(String(decoding: request.jsonBytes(), as: UTF8.self).hasPrefix(#"{"hashedRekordRequestV002":{"digest":""#))
    }

    @Test("the TSA query is a v1 request SigilTSA grants, with the signature's SHA-256 imprint and a nonce")
    func timestampQuery() throws {
        let signature = Array("signature bytes".utf8)
        let query = try TimestampQuery.der(signature: signature)
        let parsed = try TimeStampReq(derEncoded: query)
        #expect(parsed.certReq)
        #expect(parsed.reqPolicy == nil)
        #expect(parsed.nonce != nil)
        #expect(parsed.messageImprint == MessageImprint(hashing: signature, with: .sha256))
        #expect(try TimestampQuery.der(signature: signature) != query, "a fresh nonce each time")
    }

    @Test("error bodies become short messages and Retry-After is honoured within the cap")
    func errorsAndRetries() {
        let fulcio = FulcioHTTP.errorResponse(for: CAError(.expired, "token expired at 12:00"))
        #expect(fulcio.status == 401)
        #expect(HTTPServiceClient.errorMessage(fulcio.body) == ": expired: token expired at 12:00")
        #expect(HTTPServiceClient.errorMessage(Array("bad gateway\nmore".utf8)) == ": bad gateway")
        #expect(HTTPServiceClient.errorMessage([]) == "")
        #expect(HTTPServiceClient.retryDelay("2", attempt: 1, cap: .seconds(10)) == .seconds(2))
        #expect(HTTPServiceClient.retryDelay("3600", attempt: 1, cap: .seconds(10)) == .seconds(10))
        #expect(HTTPServiceClient.retryDelay("Wed, 21 Oct 2015 07:28:00 GMT", attempt: 2, cap: .seconds(10)) == .seconds(1))
        #expect(HTTPServiceClient.retryDelay(nil, attempt: 1, cap: .seconds(10)) == .milliseconds(500))
    }
}
