// Real RFC 3161 timestamps from Sigstore bundles (staging TSA and sigstore-python's test TSA) verify against
// their trusted TSAs, with the exact genTime each one carries.

import Foundation
import SigilTimestamp
import SwiftASN1
import Testing

struct RealTimestamp: CustomTestStringConvertible, Sendable {
    let bundle: String
    let index: Int
    let tsa: String  // "staging" or "sigstore-python"
    let genTime: String
    let imprintAlgorithm: TimestampHashAlgorithm
    let hasNonce: Bool
    var testDescription: String { "\(bundle)#\(index)" }

    func authorities() throws -> [TimestampAuthority] {
        tsa == "staging" ? try TestData.staging : try TestData.sigstorePythonTestTSA
    }

    func response() throws -> [UInt8] {
        let all = try TestData.bundleTimestamps("sigstore-public/\(bundle)")
        return try #require(all.indices.contains(index) ? all[index] : nil)
    }

    func signature() throws -> [UInt8] { try TestData.bundleSignature("sigstore-public/\(bundle)") }
}

let realTimestamps: [RealTimestamp] = [
    RealTimestamp(
        bundle: "staging-rekor-v2.txt.sigstore.json", index: 0, tsa: "staging", genTime: "2025-06-09T11:57:38Z",
        imprintAlgorithm: .sha256, hasNonce: true),
    RealTimestamp(
        bundle: "a.dsse.staging-rekor-v2.txt.sigstore.json", index: 0, tsa: "staging",
        genTime: "2026-05-13T19:23:33Z", imprintAlgorithm: .sha256, hasNonce: false),
    RealTimestamp(
        bundle: "tsa/bundle.txt.late_timestamp.sigstore", index: 0, tsa: "staging", genTime: "2025-05-12T19:00:27Z",
        imprintAlgorithm: .sha256, hasNonce: true),
    RealTimestamp(
        bundle: "tsa/bundle.txt.sigstore", index: 0, tsa: "sigstore-python", genTime: "2024-10-31T10:23:39Z",
        imprintAlgorithm: .sha256, hasNonce: true),
]

@Suite struct RealBundleTimestampTests {
    @Test func theRealTimestampTableIsNotEmpty() {
        #expect(realTimestamps.count == 4)
    }

    @Test("a real Sigstore timestamp verifies against its TSA with its exact genTime", arguments: realTimestamps)
    func realTimestampVerifies(_ item: RealTimestamp) async throws {
        let verifier = TimestampVerifier(authorities: try item.authorities())
        let verified = try await verifier.verify(responseDER: try item.response(), signature: try item.signature())
        #expect(verified.genTime == (try TestData.date(item.genTime)))
        #expect(verified.messageImprint.hashAlgorithm.algorithm == item.imprintAlgorithm.oid)
        #expect(verified.messageImprint.hashedMessage == item.imprintAlgorithm.hash(try item.signature()))
        #expect(verified.authority == (try item.authorities())[0])
        #expect(verified.signerCertificate == verified.authority.certificateChain[0])
        #expect(verified.tstInfo.policy == [1, 3, 6, 1, 4, 1, 57264, 2])
        #expect((verified.tstInfo.nonce != nil) == item.hasNonce)
    }

    @Test("a real timestamp verifies when its TSA is one of several trusted TSAs", arguments: realTimestamps)
    func realTimestampPicksItsAuthority(_ item: RealTimestamp) async throws {
        let all = try TestData.production + TestData.sigstorePythonTestTSA + TestData.staging
        let verified = try await TimestampVerifier(authorities: all)
            .verify(responseDER: try item.response(), signature: try item.signature())
        #expect(verified.authority == (try item.authorities())[0])
    }

    @Test("a real timestamp fails against the other instance's TSA", arguments: realTimestamps)
    func realTimestampFailsAgainstAnotherTSA(_ item: RealTimestamp) async throws {
        let others = item.tsa == "staging" ? try TestData.production + TestData.sigstorePythonTestTSA : try TestData.staging + TestData.production
        await expectTimestampError(.signerNotFound) {
            try await TimestampVerifier(authorities: others)
                .verify(responseDER: try item.response(), signature: try item.signature())
        }
    }

    @Test("a real timestamp's response parses to the same fields OpenSSL reports", arguments: realTimestamps)
    func realTimestampParses(_ item: RealTimestamp) throws {
        let response = try TimeStampResp(derEncoded: try item.response())
        #expect(response.status.status == .granted)
        let token = try #require(response.timeStampToken)
        #expect(token.signedData.version == 3)
        #expect(token.signedData.signerInfos.count == 1)
        #expect(token.tstInfo.version == 1)
        #expect(token.tstInfo.accuracy?.seconds == 1)
        #expect(try response.derEncoded() == item.response())
    }

    /// sigstore-python skips timestamps that fail; this bundle's second one is a real, validly signed SHA-512
    /// timestamp over the bytes "hello", not over the bundle's signature.
    @Test func theSecondTimestampOfTheTSABundleCoversOtherBytes() async throws {
        let responses = try TestData.bundleTimestamps("sigstore-public/tsa/bundle.txt.sigstore")
        #expect(responses.count == 2)
        let verifier = TimestampVerifier(authorities: try TestData.sigstorePythonTestTSA)
        let signature = try TestData.bundleSignature("sigstore-public/tsa/bundle.txt.sigstore")
        await expectTimestampError(.imprintMismatch) {
            try await verifier.verify(responseDER: responses[1], signature: signature)
        }
        let verified = try await verifier.verify(responseDER: responses[1], signature: Array("hello".utf8))
        #expect(verified.genTime == (try TestData.date("2024-10-31T13:31:44Z")))
        #expect(verified.messageImprint.hashAlgorithm.algorithm == TimestampHashAlgorithm.sha512.oid)
    }
}
