// Test helpers: a fixed test TSA (real keys and certificates from `TSACertificates`), a temporary directory,
// and the real `openssl` run with Foundation `Process`.

import Crypto
import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

enum TestTime {
    /// 2026-01-02T03:04:05Z: the injected clock of every test signer.
    static let genTime = Date(timeIntervalSince1970: 1_767_323_045)
    /// Certificate validity: it must contain genTime and the real current time (`openssl ts -verify` checks
    /// the chain at the current time).
    static let notBefore = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01T00:00:00Z
    static let notAfter = Date(timeIntervalSince1970: 2_082_758_400)  // 2036-01-01T00:00:00Z
}

/// A TSA made for one test: certificates, a signer with a fixed clock and serial number, and the matching
/// `TimestampAuthority` for Sigil's verifier.
struct TestTSA {
    static let serialNumber: [UInt8] = [0x01, 0x02, 0x03, 0x04]

    let certificates: TSACertificates
    let signer: TimeStampSigner

    init(
        curve: String = "P-256", certReqChain: Bool = false, clock: Date = TestTime.genTime,
        acceptedPolicies: [ASN1ObjectIdentifier] = [], includeSigningTime: Bool = true
    ) throws {
        let key: TimestampSigningKey = curve == "P-384" ? .generateP384() : .generateP256()
        certificates = try TSACertificates.create(
            notValidBefore: TestTime.notBefore, notValidAfter: TestTime.notAfter, signingKey: key)
        signer = try TimeStampSigner(
            signingKey: certificates.signingKey, certificateChain: certificates.chain,
            acceptedPolicies: acceptedPolicies, includeChainInResponse: certReqChain,
            includeSigningTime: includeSigningTime, clock: { clock }, serialNumbers: { TestTSA.serialNumber })
    }

    var authority: TimestampAuthority {
        TimestampAuthority(certificateChain: certificates.chain, validFrom: TestTime.notBefore)
    }

    var verifier: TimestampVerifier { TimestampVerifier(authorities: [authority]) }

    /// Writes `root.pem`, `tsa.pem` (the leaf) and `chain.pem` into `directory`.
    func writePEMs(to directory: TemporaryDirectory) throws {
        try directory.write("root.pem", try certificates.root.serializeAsPEM().pemString + "\n")
        try directory.write("tsa.pem", try certificates.leaf.serializeAsPEM().pemString + "\n")
        try directory.write("chain.pem", try TimestampService.certificateChainPEM(certificates.chain))
    }
}

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-tsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
    }
}

struct ProcessResult {
    var status: Int32
    var output: String
    var error: String
    var succeeded: Bool { status == 0 }
}

/// Runs the real `openssl` with `arguments` in `directory`.
@discardableResult
func openssl(_ arguments: [String], in directory: TemporaryDirectory) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    process.currentDirectoryURL = directory.url
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

/// `openssl ts -verify` of `reply` against `query`, with the TSA root as the only trust anchor and the leaf as
/// an untrusted certificate (needed when certReq was FALSE and the token carries no certificate).
func opensslVerify(reply: String, query: String, in directory: TemporaryDirectory) throws -> ProcessResult {
    try openssl(
        ["ts", "-verify", "-in", reply, "-queryfile", query, "-CAfile", "root.pem", "-untrusted", "tsa.pem"],
        in: directory)
}

/// The text `openssl ts -reply -in X -text` prints for a DER TimeStampResp.
func opensslReplyText(_ der: [UInt8], in directory: TemporaryDirectory) throws -> ProcessResult {
    try directory.write("inspect.tsr", der)
    return try openssl(["ts", "-reply", "-in", "inspect.tsr", "-text"], in: directory)
}

extension Array where Element == UInt8 {
    /// The start of the first appearance of `pattern`.
    func index(of pattern: [UInt8]) -> Int? {
        guard !pattern.isEmpty, pattern.count <= count else { return nil }
        for start in 0...(count - pattern.count) where self[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }

    func flipping(at index: Int, mask: UInt8 = 0x01) -> [UInt8] {
        var copy = self
        copy[index] ^= mask
        return copy
    }
}

/// Checks that `body` throws a `TimestampError` with `code`.
func expectTimestampError<T>(
    _ code: TimestampError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        let value = try await body()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as TimestampError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected TimestampError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Checks that `body` throws a `TSAError` with `code`.
func expectTSAError<T>(
    _ code: TSAError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) {
    do {
        let value = try body()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as TSAError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected TSAError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
