// The signer's replies verify with trailofbits' rfc3161-client, the library sigstore-python 4.5.1 verifies
// timestamps with, driven as sigstore-python drives it (Tests/Fixtures/tsa-service/rfc3161_client_verify.py).
// Skipped unless the Python in SIGIL_RFC3161_PYTHON (default python3) can import rfc3161_client.

import Foundation
import SigilTSA
import SigilTesting
import SigilTimestamp
import Testing

enum RFC3161Client {
    static let python = ProcessInfo.processInfo.environment["SIGIL_RFC3161_PYTHON"] ?? "python3"

    static func run(_ arguments: [String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self))
    }

    static let available: Bool = (try? run(["-c", "import rfc3161_client"]).succeeded) ?? false

    static func verify(reply: [UInt8], data: [UInt8], tsa: TestTSA) throws -> ProcessResult {
        let directory = try TemporaryDirectory()
        try directory.write("reply.tsr", reply)
        try directory.write("data.bin", data)
        try tsa.writePEMs(to: directory)
        return try run([
            Fixtures.url("tsa-service/rfc3161_client_verify.py").path, directory.path("reply.tsr"),
            directory.path("data.bin"), directory.path("chain.pem"),
        ])
    }
}

@Suite(.enabled(if: RFC3161Client.available, "needs rfc3161-client in SIGIL_RFC3161_PYTHON (default python3)"))
struct RFC3161ClientTests {
    static let data = Array("sigstore-python timestamps the signature bytes".utf8)

    @Test(
        "a reply verifies with rfc3161-client as sigstore-python calls it",
        arguments: [TimestampHashAlgorithm.sha256, .sha384, .sha512], [true, false])
    func replyVerifies(_ hash: TimestampHashAlgorithm, _ certReq: Bool) throws {
        let tsa = try TestTSA()
        let request = TimeStampReq(hashing: Self.data, with: hash, nonce: 0x0123_4567_89AB_CDEF, certReq: certReq)
        let response = tsa.signer.respond(to: try request.derEncoded())
        let result = try RFC3161Client.verify(reply: response.derEncoded, data: Self.data, tsa: tsa)
        #expect(result.succeeded, "\(result.output) \(result.error)")
        #expect(result.output == "OK 2026-01-02T03:04:05+00:00 \(0x0123_4567_89AB_CDEF)\n")
    }

    @Test func aP384TSAReplyVerifies() throws {
        let tsa = try TestTSA(curve: "P-384")
        let response = tsa.signer.respond(to: try TimeStampReq(hashing: Self.data, nonce: 1).derEncoded())
        let result = try RFC3161Client.verify(reply: response.derEncoded, data: Self.data, tsa: tsa)
        #expect(result.succeeded, "\(result.output) \(result.error)")
    }

    @Test(arguments: TamperCase.all)
    func aTamperedReplyFails(_ tamper: TamperCase) throws {
        let tsa = try TestTSA()
        let response = tsa.signer.respond(to: try TimeStampReq(hashing: Self.data, nonce: 1).derEncoded())
        let token = try #require(try TimeStampResp(derEncoded: response.derEncoded).timeStampToken)
        let offset = try #require(tamper.locate(response.derEncoded, token))
        let result = try RFC3161Client.verify(
            reply: response.derEncoded.flipping(at: offset), data: Self.data, tsa: tsa)
        #expect(!result.succeeded, "rfc3161-client accepted a flipped \(tamper.name)")
    }

    @Test func aReplyForOtherDataAndARejectionFail() throws {
        let tsa = try TestTSA()
        let granted = tsa.signer.respond(to: try TimeStampReq(hashing: Self.data).derEncoded())
        #expect(!(try RFC3161Client.verify(reply: granted.derEncoded, data: Array("other".utf8), tsa: tsa)).succeeded)
        let rejected = tsa.signer.respond(to: [0x30, 0x00])
        let result = try RFC3161Client.verify(reply: rejected.derEncoded, data: Self.data, tsa: tsa)
        #expect(!result.succeeded)
        // rfc3161-client refuses to decode a response without a token ("Missing SignedData").
        #expect(result.output.hasPrefix("FAIL"), "\(result.output)")
    }
}
