// Requests the TSA cannot grant are answered with a `rejection` TimeStampResp carrying the right
// PKIFailureInfo, which openssl prints as rejected — never a thrown error or a crash.

import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

/// A request made by hand, and what the TSA must answer.
struct RejectionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var request: [UInt8]
    var failure: PKIFailureInfo
    /// What `openssl ts -reply -text` prints for the failure bit.
    var opensslText: String

    var testDescription: String { name }

    static let imprint = Array(repeating: UInt8(0xAB), count: 32)

    /// A valid SHA-256 request (nonce 0x0102, certReq TRUE), as openssl writes one.
    static var valid: [UInt8] {
        (try? TimeStampReq(messageImprint: MessageImprint(hashAlgorithm: .sha256, hashedMessage: imprint), nonce: [1, 2]).derEncoded()) ?? []
    }

    /// `TimeStampReq` DER from its parts (each already DER).
    static func request(_ parts: [[UInt8]]) -> [UInt8] {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { coder in
            for part in parts { coder.serializeRawBytes(part) }
        }
        return coder.serializedBytes
    }

    static func der(_ value: some DERSerializable) -> [UInt8] {
        var coder = DER.Serializer()
        try? coder.serialize(value)
        return coder.serializedBytes
    }

    static func imprintDER(_ algorithm: CMSAlgorithmIdentifier, _ hash: [UInt8]) -> [UInt8] {
        der(MessageImprint(hashAlgorithm: algorithm, hashedMessage: hash))
    }

    static let badDataFormat = "the data submitted has the wrong format"
    static let badAlg = "unrecognized or unsupported algorithm identifier"

    static let all: [RejectionCase] = {
        let valid = RejectionCase.valid
        let version1 = der(1)
        let sha256Imprint = imprintDER(.sha256, imprint)
        var cases = [
            RejectionCase(name: "empty body", request: [], failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(name: "empty SEQUENCE", request: [0x30, 0x00], failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(name: "not DER at all", request: Array("POST me a timestamp".utf8), failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(name: "one trailing byte", request: valid + [0x00], failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(name: "a second request appended", request: valid + valid, failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(name: "oversize (65 KiB)", request: [UInt8](repeating: 0x30, count: 65 * 1024), failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "non-minimal length", request: [0x30, 0x81, UInt8(valid.count - 2)] + valid.dropFirst(2),
                failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "certReq FALSE encoded (DER forbids the DEFAULT)",
                request: request([version1, sha256Imprint, [0x01, 0x01, 0x00]]), failure: .badDataFormat,
                opensslText: badDataFormat),
            RejectionCase(
                name: "negative nonce", request: request([version1, sha256Imprint, [0x02, 0x01, 0xFF]]),
                failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "unknown trailing field", request: request([version1, sha256Imprint, [0x04, 0x00]]),
                failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "version 2", request: request([der(2), sha256Imprint]), failure: .badRequest,
                opensslText: "transaction not permitted or supported"),
            RejectionCase(
                name: "SHA-1 imprint", request: request([version1, imprintDER(CMSAlgorithmIdentifier(algorithm: [1, 3, 14, 3, 2, 26]), Array(imprint.prefix(20)))]),
                failure: .badAlg, opensslText: badAlg),
            RejectionCase(
                name: "MD5 imprint", request: request([version1, imprintDER(CMSAlgorithmIdentifier(algorithm: [1, 2, 840, 113_549, 2, 5]), Array(imprint.prefix(16)))]),
                failure: .badAlg, opensslText: badAlg),
            RejectionCase(
                name: "SHA-256 with INTEGER parameters",
                request: request([version1, imprintDER(CMSAlgorithmIdentifier(algorithm: [2, 16, 840, 1, 101, 3, 4, 2, 1], parameters: try? ASN1Any(erasing: 5)), imprint)]),
                failure: .badAlg, opensslText: badAlg),
            RejectionCase(
                name: "SHA-256 imprint of 31 bytes", request: request([version1, imprintDER(.sha256, Array(imprint.prefix(31)))]),
                failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "SHA-512 imprint of 32 bytes", request: request([version1, imprintDER(.sha512, imprint)]),
                failure: .badDataFormat, opensslText: badDataFormat),
            RejectionCase(
                name: "unaccepted policy", request: request([version1, sha256Imprint, der([1, 2, 3, 4] as ASN1ObjectIdentifier)]),
                failure: .unacceptedPolicy, opensslText: "the requested TSA policy is not supported by the TSA"),
            RejectionCase(
                name: "request extensions",
                // [0] IMPLICIT Extensions { Extension { extnID 1.2.3, extnValue OCTET STRING {} } }
                request: request([version1, sha256Imprint, [0xA0, 0x08, 0x30, 0x06, 0x06, 0x02, 0x2A, 0x03, 0x04, 0x00]]),
                failure: .unacceptedExtension, opensslText: "the requested extension is not supported by the TSA"),
        ]
        // Every truncation of a valid request.
        for length in stride(from: 1, to: valid.count, by: 7) {
            cases.append(
                RejectionCase(
                    name: "truncated to \(length) of \(valid.count) bytes", request: Array(valid.prefix(length)),
                    failure: .badDataFormat, opensslText: badDataFormat))
        }
        return cases
    }()
}

@Suite struct RejectionTests {
    @Test func theRejectionTableHasCases() {
        #expect(RejectionCase.all.count > 18)
        #expect(!RejectionCase.valid.isEmpty)
    }

    @Test func theValidBaseRequestIsGranted() throws {
        let tsa = try TestTSA()
        #expect(tsa.signer.respond(to: RejectionCase.valid).isGranted)
    }

    @Test("a request the TSA cannot grant gets a rejection that openssl prints", arguments: RejectionCase.all)
    func rejection(_ testCase: RejectionCase) throws {
        let tsa = try TestTSA()
        let response = tsa.signer.respond(to: testCase.request)
        #expect(response.status == .rejection)
        #expect(response.failureInfo == testCase.failure)
        #expect(response.tstInfo == nil)

        let parsed = try TimeStampResp(derEncoded: response.derEncoded)
        #expect(parsed.status.status == .rejection)
        #expect(parsed.status.failureInfo == testCase.failure)
        #expect(parsed.status.statusStrings == [response.statusString].compactMap { $0 })
        #expect(parsed.timeStampToken == nil)

        let directory = try TemporaryDirectory()
        let text = try opensslReplyText(response.derEncoded, in: directory)
        #expect(text.succeeded, "\(text.error)")
        #expect(text.output.contains("Status: Rejected."), "\(text.output)")
        #expect(text.output.lowercased().contains(testCase.opensslText.lowercased()), "\(text.output)")
    }

    @Test func anOpenSSLSHA1QueryIsRejectedWithBadAlg() throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try directory.write("data.bin", OpenSSLInteropTests.data)
        try #require(try openssl(["ts", "-query", "-data", "data.bin", "-sha1", "-cert", "-out", "query.tsq"], in: directory).succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        #expect(response.status == .rejection)
        #expect(response.failureInfo == .badAlg)
        let text = try opensslReplyText(response.derEncoded, in: directory)
        #expect(text.output.contains("Status: Rejected."))
        #expect(text.output.lowercased().contains(RejectionCase.badAlg))
        // openssl ts -verify refuses a rejection.
        try directory.write("reply.tsr", response.derEncoded)
        try tsa.writePEMs(to: directory)
        #expect(!(try opensslVerify(reply: "reply.tsr", query: "query.tsq", in: directory)).succeeded)
    }

    @Test func anOpenSSLQueryForAnUnacceptedPolicyIsRejected() throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try directory.write("data.bin", OpenSSLInteropTests.data)
        try #require(
            try openssl(["ts", "-query", "-data", "data.bin", "-tspolicy", "1.2.3.4", "-out", "query.tsq"], in: directory)
                .succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        #expect(response.failureInfo == .unacceptedPolicy)
    }

    @Test func everySingleByteMutationOfARequestGetsAParsableAnswer() throws {
        let tsa = try TestTSA()
        let valid = RejectionCase.valid
        var generator = SystemRandomNumberGenerator()
        var granted = 0
        var rejected = 0
        for index in valid.indices {
            for _ in 0..<8 {
                var mutated = valid
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
                let response = tsa.signer.respond(to: mutated)
                let parsed = try TimeStampResp(derEncoded: response.derEncoded)
                #expect(parsed.status.status == response.status)
                if response.isGranted {
                    granted += 1
                    #expect(parsed.timeStampToken != nil)
                } else {
                    rejected += 1
                    #expect(response.status == .rejection)
                    #expect(response.failureInfo?.isEmpty == false)
                }
            }
        }
        #expect(granted > 0)
        #expect(rejected > 0)
    }
}
