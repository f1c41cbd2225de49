// OpenSSL as the peer: replies made by `openssl ts -reply` (committed fixtures, see
// Tests/Fixtures/timestamp/make.sh) verify with Sigil, and Sigil's TimeStampReq is accepted by
// `openssl ts -reply -queryfile` and its reply verifies with Sigil and with `openssl ts -verify`.

import Foundation
import SigilTesting
import SigilTimestamp
import SwiftASN1
import Testing

@Suite struct OpenSSLTimestampTests {
    /// genTime of every fixture reply (printed by make.sh into openssl/replies.txt).
    let fixtureGenTime = "2026-11-25T10:50:49Z"

    @Test func anECDSATSAReplyWithNonceVerifies() async throws {
        let query = try TimeStampReq(derEncoded: try TestData.openssl("query-sha256.tsq"))
        let nonce = try #require(query.nonce)
        let verifier = TimestampVerifier(authorities: [try TestData.opensslAuthority(["tsa-ec", "root"])])
        let verified = try await verifier.verify(
            responseDER: try TestData.openssl("reply-ec-sha256.tsr"),
            signature: try TestData.openssl("signature.bin"), nonce: nonce)
        #expect(verified.genTime == (try TestData.date(fixtureGenTime)))
        #expect(verified.messageImprint == query.messageImprint)
        #expect(verified.tstInfo.nonce == nonce)
        #expect(verified.signerCertificate == (try TestData.pem("tsa-ec")))
    }

    @Test func anRSATSAReplyWithIntermediateAndESSCertIDv1Verifies() async throws {
        let query = try TimeStampReq(derEncoded: try TestData.openssl("query-sha512.tsq"))
        let verifier = TimestampVerifier(
            authorities: [try TestData.opensslAuthority(["tsa-rsa", "intermediate", "root"])])
        let verified = try await verifier.verify(
            responseDER: try TestData.openssl("reply-rsa-sha512.tsr"),
            signature: try TestData.openssl("signature.bin"), nonce: query.nonce)
        #expect(verified.genTime == (try TestData.date(fixtureGenTime)))
        #expect(verified.tstInfo.accuracy == nil ? false : verified.tstInfo.accuracy?.millis == 500)
        #expect(verified.tstInfo.ordering)
        #expect(verified.tstInfo.tsa != nil)
        let response = try TimeStampResp(derEncoded: try TestData.openssl("reply-rsa-sha512.tsr"))
        let token = try #require(response.timeStampToken)
        #expect(token.signedData.certificates.count == 2)
        let signer = try #require(token.signedData.signerInfos.first)
        #expect(signer.signatureAlgorithm.algorithm == [1, 2, 840, 113_549, 1, 1, 1])  // rsaEncryption
        // ess_cert_id_alg = sha1: the v1 signing-certificate attribute, not v2.
        let types = (signer.signedAttributes ?? []).map(\.type)
        #expect(types.contains([1, 2, 840, 113_549, 1, 9, 16, 2, 12]))
        #expect(!types.contains([1, 2, 840, 113_549, 1, 9, 16, 2, 47]))
    }

    @Test func aTokenWhoseSignerIsNamedBySubjectKeyIdentifierVerifies() async throws {
        let token = try TimeStampToken(derEncoded: try TestData.openssl("token-tsa-ec-keyid.der"))
        let signer = try #require(token.signedData.signerInfos.first)
        #expect(signer.version == 3)
        #expect(signer.sid.subjectKeyIdentifier != nil)
        let verified = try await verifyCMSToken("token-tsa-ec-keyid.der", chain: ["tsa-ec", "root"])
        #expect(verified.genTime == (try TestData.date(fixtureGenTime)))
    }

    @Test func aReplyWithoutEmbeddedCertificatesOrNonceVerifies() async throws {
        let verifier = TimestampVerifier(authorities: [try TestData.opensslAuthority(["tsa-ec", "root"])])
        let verified = try await verifier.verify(
            responseDER: try TestData.openssl("reply-ec-sha384-nocert.tsr"),
            signature: try TestData.openssl("signature.bin"))
        #expect(verified.tstInfo.nonce == nil)
        #expect(verified.messageImprint.hashAlgorithm.algorithm == TimestampHashAlgorithm.sha384.oid)
        let token = try #require(try TimeStampResp(derEncoded: try TestData.openssl("reply-ec-sha384-nocert.tsr")).timeStampToken)
        #expect(token.signedData.certificates.isEmpty)
    }

    @Test("an OpenSSL query parses and re-encodes byte for byte", arguments: [
        "query-sha256.tsq", "query-sha512.tsq", "query-sha384-nocert.tsq", "query-badpolicy.tsq",
    ])
    func opensslQueryRoundTrips(_ name: String) throws {
        let der = try TestData.openssl(name)
        let request = try TimeStampReq(derEncoded: der)
        #expect(try request.derEncoded() == der)
        #expect(request.messageImprint.hashedMessage.count >= 32)
    }

    @Test func aReplyThatOpenSSLRejectedHasStatusRejection() async throws {
        let response = try TimeStampResp(derEncoded: try TestData.openssl("reply-rejected.tsr"))
        #expect(response.status.status == .rejection)
        #expect(response.timeStampToken == nil)
    }

    @Test("Sigil's TimeStampReq is answered by openssl ts -reply and the reply verifies", arguments: [
        TimestampHashAlgorithm.sha256, .sha384, .sha512,
    ])
    func sigilRequestIsAcceptedByOpenSSL(_ algorithm: TimestampHashAlgorithm) async throws {
        let signature = try TestData.openssl("signature.bin")
        // Top bit set: the DER INTEGER needs a leading zero byte.
        let request = TimeStampReq(hashing: signature, with: algorithm, nonce: 0xDEAD_BEEF_0123_4567, certReq: true)
        #expect(request.nonce == [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x23, 0x45, 0x67])
        let der = try request.derEncoded()
        #expect(der.index(of: [0x02, 0x09, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x23, 0x45, 0x67]) != nil)
        #expect(try TimeStampReq(derEncoded: der) == request)

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sigil-tsa-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["tsa.cnf", "tsa-ec.pem", "tsa-ec.key", "root.pem"] {
            try Data(try TestData.openssl(name)).write(to: directory.appendingPathComponent(name))
        }
        try Data("01\n".utf8).write(to: directory.appendingPathComponent("serial"))
        try Data(try request.derEncoded()).write(to: directory.appendingPathComponent("request.tsq"))

        let before = Date()
        try runOpenSSL(
            ["ts", "-reply", "-config", "tsa.cnf", "-section", "tsa_ec", "-queryfile", "request.tsq", "-out",
                "reply.tsr"], in: directory)
        let after = Date()
        try runOpenSSL(
            ["ts", "-verify", "-queryfile", "request.tsq", "-in", "reply.tsr", "-CAfile", "root.pem"], in: directory)

        let reply = [UInt8](try Data(contentsOf: directory.appendingPathComponent("reply.tsr")))
        let verifier = TimestampVerifier(authorities: [try TestData.opensslAuthority(["tsa-ec", "root"])])
        let verified = try await verifier.verify(responseDER: reply, signature: signature, nonce: request.nonce)
        #expect(verified.messageImprint == request.messageImprint)
        #expect(verified.genTime >= before.addingTimeInterval(-2) && verified.genTime <= after.addingTimeInterval(2))
        #expect(verified.tstInfo.serialNumber == [0x02])  // openssl increments the serial file ("01") first
    }

    private func runOpenSSL(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")): \(stderr)")
        guard process.terminationStatus == 0 else { throw TimestampError(.malformed, "openssl failed: \(stderr)") }
    }
}
