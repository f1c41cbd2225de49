// `openssl ts -query` → TimeStampSigner → `openssl ts -verify` and Sigil's `TimestampVerifier`, for every
// imprint hash, with and without certReq and nonce, with P-256 and P-384 TSA keys.

import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

struct InteropCase: CustomTestStringConvertible, Sendable {
    var hash: String  // openssl digest flag: sha256, sha384, sha512
    var certReq: Bool
    var nonce: Bool
    var curve: String

    var testDescription: String {
        "\(hash) \(certReq ? "-cert" : "no cert") \(nonce ? "nonce" : "-no_nonce") \(curve)"
    }

    var queryArguments: [String] {
        ["ts", "-query", "-data", "data.bin", "-\(hash)", "-out", "query.tsq"]
            + (certReq ? ["-cert"] : []) + (nonce ? [] : ["-no_nonce"])
    }

    static let all: [InteropCase] = ["sha256", "sha384", "sha512"].flatMap { hash in
        [true, false].flatMap { certReq in
            [true, false].map { nonce in InteropCase(hash: hash, certReq: certReq, nonce: nonce, curve: "P-256") }
        }
    } + [
        InteropCase(hash: "sha256", certReq: true, nonce: true, curve: "P-384"),
        InteropCase(hash: "sha512", certReq: false, nonce: false, curve: "P-384"),
    ]
}

@Suite struct OpenSSLInteropTests {
    static let data = Array("the signature bytes a Sigstore client timestamps".utf8)

    @Test func theInteropTableHasCases() {
        #expect(InteropCase.all.count == 14)
    }

    @Test("an openssl query answered by the signer verifies with openssl and with Sigil", arguments: InteropCase.all)
    func opensslQueryRoundTrip(_ testCase: InteropCase) async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA(curve: testCase.curve)
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", Self.data)
        let query = try openssl(testCase.queryArguments, in: directory)
        try #require(query.succeeded, "openssl ts -query: \(query.error)")

        let queryDER = try directory.read("query.tsq")
        let request = try TimeStampReq(derEncoded: queryDER)
        #expect(request.certReq == testCase.certReq)
        #expect((request.nonce != nil) == testCase.nonce)

        let response = tsa.signer.respond(to: queryDER)
        #expect(response.isGranted, "\(response.statusString ?? "")")
        try directory.write("reply.tsr", response.derEncoded)

        let verified = try opensslVerify(reply: "reply.tsr", query: "query.tsq", in: directory)
        #expect(verified.succeeded, "openssl ts -verify: \(verified.output) \(verified.error)")
        #expect(verified.output.contains("Verification: OK"))

        // The same reply checked against the data itself (not only the query's imprint).
        let byData = try openssl(
            ["ts", "-verify", "-in", "reply.tsr", "-data", "data.bin", "-CAfile", "root.pem", "-untrusted", "tsa.pem"],
            in: directory)
        #expect(byData.succeeded, "openssl ts -verify -data: \(byData.error)")

        let sigil = try await tsa.verifier.verify(
            responseDER: response.derEncoded, signature: Self.data, nonce: request.nonce)
        #expect(sigil.genTime == TestTime.genTime)
        #expect(sigil.messageImprint == request.messageImprint)
        #expect(sigil.tstInfo.nonce == request.nonce)
        #expect(sigil.tstInfo.serialNumber == TestTSA.serialNumber)
        #expect(sigil.tstInfo.policy == TimestampService.defaultPolicy)
        #expect(sigil.signerCertificate == tsa.certificates.leaf)

        let token = try #require(try TimeStampResp(derEncoded: response.derEncoded).timeStampToken)
        #expect(token.signedData.certificates == (testCase.certReq ? [tsa.certificates.leaf] : []))
    }

    @Test func opensslPrintsTheGrantedReplyWithTheInjectedTimeNonceAndPolicy() throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try directory.write("data.bin", Self.data)
        try #require(try openssl(InteropCase(hash: "sha256", certReq: true, nonce: true, curve: "P-256").queryArguments, in: directory).succeeded)
        let request = try TimeStampReq(derEncoded: try directory.read("query.tsq"))
        let nonce = try #require(request.nonce)
        let text = try opensslReplyText(tsa.signer.respond(to: try directory.read("query.tsq")).derEncoded, in: directory)
        try #require(text.succeeded, "\(text.error)")
        #expect(text.output.contains("Status: Granted."))
        #expect(text.output.contains("Time stamp: Jan  2 03:04:05 2026 GMT"))
        #expect(text.output.contains("Policy OID: 1.3.6.1.4.1.57264.2"))
        #expect(text.output.contains("Accuracy: 0x01 seconds, unspecified millis, unspecified micros"))
        #expect(text.output.contains("Serial number: 0x01020304"))
        let nonceHex = nonce.map { String(format: "%02X", $0) }.joined()
        #expect(text.output.uppercased().contains("NONCE: 0X\(nonceHex)"), "\(text.output)")
    }

    @Test func aReplyWithTheWholeChainVerifiesWithOpenSSLAndSigil() async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA(certReqChain: true)
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", Self.data)
        try #require(try openssl(InteropCase(hash: "sha384", certReq: true, nonce: true, curve: "P-256").queryArguments, in: directory).succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        try directory.write("reply.tsr", response.derEncoded)
        // Only the root is trusted, nothing untrusted is given: the token's own certificates must suffice.
        let verified = try openssl(
            ["ts", "-verify", "-in", "reply.tsr", "-queryfile", "query.tsq", "-CAfile", "root.pem"], in: directory)
        #expect(verified.succeeded, "\(verified.error)")
        let token = try #require(try TimeStampResp(derEncoded: response.derEncoded).timeStampToken)
        #expect(Set(token.signedData.certificates) == Set(tsa.certificates.chain))
        _ = try await tsa.verifier.verify(responseDER: response.derEncoded, signature: Self.data)
    }

    @Test func aRequestedAcceptedPolicyIsUsedAndVerifiesWithOpenSSL() async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA(acceptedPolicies: [[1, 2, 3, 4, 5]])
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", Self.data)
        try #require(
            try openssl(["ts", "-query", "-data", "data.bin", "-cert", "-tspolicy", "1.2.3.4.5", "-out", "query.tsq"], in: directory)
                .succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        #expect(response.tstInfo?.policy == [1, 2, 3, 4, 5])
        try directory.write("reply.tsr", response.derEncoded)
        let verified = try opensslVerify(reply: "reply.tsr", query: "query.tsq", in: directory)
        #expect(verified.succeeded, "\(verified.error)")
    }

    @Test func aReplyForOtherDataFailsInBothTools() async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", Self.data)
        try directory.write("other.bin", Array("other bytes".utf8))
        try #require(try openssl(InteropCase(hash: "sha256", certReq: true, nonce: true, curve: "P-256").queryArguments, in: directory).succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        try directory.write("reply.tsr", response.derEncoded)
        let verified = try openssl(
            ["ts", "-verify", "-in", "reply.tsr", "-data", "other.bin", "-CAfile", "root.pem", "-untrusted", "tsa.pem"],
            in: directory)
        #expect(!verified.succeeded)
        await expectTimestampError(.imprintMismatch) {
            try await tsa.verifier.verify(responseDER: response.derEncoded, signature: Array("other bytes".utf8))
        }
    }

    @Test func aReplyFromAnotherTSAFailsInBothTools() async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        let other = try TestTSA()
        try other.writePEMs(to: directory)  // trust the other TSA's root and leaf only
        try directory.write("data.bin", Self.data)
        try #require(try openssl(InteropCase(hash: "sha256", certReq: true, nonce: true, curve: "P-256").queryArguments, in: directory).succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        try directory.write("reply.tsr", response.derEncoded)
        #expect(!(try opensslVerify(reply: "reply.tsr", query: "query.tsq", in: directory)).succeeded)
        await expectTimestampError(.signerNotFound) {
            try await other.verifier.verify(responseDER: response.derEncoded, signature: Self.data)
        }
    }
}
