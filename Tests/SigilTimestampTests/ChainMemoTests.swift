// A `TimestampVerifier` validates each TSA chain in full once and then skips only its signature checks: the
// policy (validity at genTime, constraints, TSA profile) still runs per token, and nothing it remembers turns a
// failing chain into a passing one.

import Foundation
import SigilTimestamp
import Testing
import X509

@Suite struct ChainMemoTests {
    @Test func aReusedVerifierValidatesItsTSAChainInFullOnlyOnce() async throws {
        let base = try Base()
        let verifier = TimestampVerifier(authorities: base.staging)
        #expect(verifier.memoizedChainCount == 0)
        for _ in 0..<3 {
            let verified = try await verifier.verify(responseDER: base.response, signature: base.signature)
            #expect(verified.genTime == base.genTime)
        }
        #expect(verifier.memoizedChainCount == 1)
    }

    @Test func aRememberedChainDoesNotVouchForALeafUnderAnotherRoot() async throws {
        let base = try Base()
        var verifier = TimestampVerifier(authorities: base.staging)
        _ = try await verifier.verify(responseDER: base.response, signature: base.signature)
        #expect(verifier.memoizedChainCount == 1)
        // Same leaf, a root with the same subject name but another key (production's TSA root): the leaf's
        // signature must be checked, and fails.
        let staging = try #require(base.staging.first)
        let production = try #require(try TestData.production.first)
        var wrongRoot = staging
        wrongRoot.certificateChain = [staging.certificateChain[0], try #require(production.certificateChain.last)]
        #expect(wrongRoot.certificateChain.last?.subject == staging.certificateChain.last?.subject)
        verifier.authorities = [wrongRoot]
        await expectTimestampError(.untrustedChain) {
            try await verifier.verify(responseDER: base.response, signature: base.signature)
        }
        #expect(verifier.memoizedChainCount == 1)
    }

    @Test func aRememberedChainDoesNotMakeTheLeafAloneTrusted() async throws {
        let base = try Base()
        var verifier = TimestampVerifier(authorities: base.staging)
        _ = try await verifier.verify(responseDER: base.response, signature: base.signature)
        var leafOnly = try #require(base.staging.first)
        leafOnly.certificateChain = [leafOnly.certificateChain[0]]
        verifier.authorities = [leafOnly]
        await expectTimestampError(.untrustedChain) {
            try await verifier.verify(responseDER: base.response, signature: base.signature)
        }
    }

    @Test func aRememberedChainIsStillCheckedAtEachTokensGenTime() async throws {
        // The same openssl chain signs a token at the fixtures' genTime (valid) and one in 2020, before the TSA
        // certificate's notBefore: with the chain remembered from the first, the second still fails.
        let verifier = TimestampVerifier(authorities: [try TestData.opensslAuthority(["tsa-ec", "root"])])
        _ = try await verifier.verify(
            responseDER: try TestData.openssl("reply-ec-sha256.tsr"), signature: try TestData.openssl("signature.bin"))
        #expect(verifier.memoizedChainCount == 1)
        let token = try TimeStampToken(derEncoded: try TestData.openssl("token-tsa-ec-2020.der"))
        let response = try TimeStampResp(status: PKIStatusInfo(status: .granted), timeStampToken: token).derEncoded()
        await expectTimestampError(.untrustedChain) {
            try await verifier.verify(responseDER: response, signature: try TestData.openssl("signature.bin"))
        }
        // The good token still verifies with the remembered chain.
        _ = try await verifier.verify(
            responseDER: try TestData.openssl("reply-ec-sha256.tsr"), signature: try TestData.openssl("signature.bin"))
        #expect(verifier.memoizedChainCount == 1)
    }

    @Test func aFailedChainIsNotRemembered() async throws {
        let base = try Base()
        let staging = try #require(base.staging.first)
        var leafOnly = staging
        leafOnly.certificateChain = [staging.certificateChain[0]]
        let verifier = TimestampVerifier(authorities: [leafOnly])
        for _ in 0..<2 {
            await expectTimestampError(.untrustedChain) {
                try await verifier.verify(responseDER: base.response, signature: base.signature)
            }
        }
        #expect(verifier.memoizedChainCount == 0)
    }
}
