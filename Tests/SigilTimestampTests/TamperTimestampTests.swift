// Tamper table: every verification step rejects a modified real timestamp with its own error code, and the
// parsers reject truncated, extended and oversize input without trapping.

import Crypto
import Foundation
import SigilTimestamp
import SwiftASN1
import Testing
import X509

/// The staging Rekor v2 bundle's timestamp: the base every tamper case modifies.
struct Base {
    let response: [UInt8]
    let signature: [UInt8]
    let token: TimeStampToken
    let staging: [TimestampAuthority]
    let genTime: Date

    init() throws {
        response = try #require(try TestData.bundleTimestamps("sigstore-public/staging-rekor-v2.txt.sigstore.json").first)
        signature = try TestData.bundleSignature("sigstore-public/staging-rekor-v2.txt.sigstore.json")
        token = try #require(try TimeStampResp(derEncoded: response).timeStampToken)
        staging = try TestData.staging
        genTime = token.tstInfo.genTime
    }

    func verify(
        _ response: [UInt8]? = nil, signature: [UInt8]? = nil, authorities: [TimestampAuthority]? = nil,
        nonce: [UInt8]? = nil
    ) async throws -> VerifiedTimestamp {
        try await TimestampVerifier(authorities: authorities ?? staging)
            .verify(responseDER: response ?? self.response, signature: signature ?? self.signature, nonce: nonce)
    }

    /// The response with one byte flipped at the `occurrence`-th appearance of `pattern` plus `offset`.
    func flipped(_ pattern: [UInt8], occurrence: Int = 0, offset: Int = 0, mask: UInt8 = 0x01) throws -> [UInt8] {
        let start = try #require(response.index(of: pattern, occurrence: occurrence), "pattern not found")
        return response.flipping(at: start + offset, mask: mask)
    }
}

struct TamperCase: CustomTestStringConvertible, Sendable {
    let name: String
    let code: TimestampError.Code
    let run: @Sendable (Base) async throws -> VerifiedTimestamp
    var testDescription: String { name }
}

/// DER of id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4).
let tstInfoOID: [UInt8] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x04]
/// DER of id-messageDigest (1.2.840.113549.1.9.4).
let messageDigestOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]

let tamperCases: [TamperCase] = [
    TamperCase(name: "imprint over other signature bytes", code: .imprintMismatch) { base in
        try await base.verify(signature: try TestData.bundleSignature("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json"))
    },
    TamperCase(name: "imprint over signature with one byte changed", code: .imprintMismatch) { base in
        try await base.verify(signature: base.signature.flipping(at: 0))
    },
    TamperCase(name: "wrong nonce", code: .nonceMismatch) { base in
        try await base.verify(nonce: [0x01, 0x02])
    },
    TamperCase(name: "flipped last CMS signature byte", code: .invalidSignature) { base in
        try await base.verify(base.response.flipping(at: base.response.count - 1))
    },
    TamperCase(name: "flipped TSTInfo serial number byte (eContent)", code: .messageDigestMismatch) { base in
        try await base.verify(try base.flipped(base.token.tstInfo.serialNumber, offset: 3))
    },
    TamperCase(name: "flipped message-digest attribute byte", code: .messageDigestMismatch) { base in
        try await base.verify(try base.flipped(messageDigestOID, offset: messageDigestOID.count + 6))
    },
    TamperCase(name: "content-type attribute changed", code: .contentTypeAttributeMismatch) { base in
        try await base.verify(try base.flipped(tstInfoOID, occurrence: 1, offset: tstInfoOID.count - 1))
    },
    TamperCase(name: "eContentType changed", code: .wrongContentType) { base in
        try await base.verify(try base.flipped(tstInfoOID, occurrence: 0, offset: tstInfoOID.count - 1))
    },
    TamperCase(name: "ESS signing-certificate-v2 hash changed", code: .signingCertificateMismatch) { base in
        let leaf = try #require(base.staging.first?.certificateChain.first)
        var coder = DER.Serializer()
        try coder.serialize(leaf)
        return try await base.verify(try base.flipped(Array(SHA256.hash(data: coder.serializedBytes)), offset: 5))
    },
    TamperCase(name: "production TSA instead of staging", code: .signerNotFound) { base in
        try await base.verify(authorities: try TestData.production)
    },
    TamperCase(name: "no authorities", code: .noAuthorities) { base in
        try await base.verify(authorities: [])
    },
    TamperCase(name: "TSA chain without its root", code: .untrustedChain) { base in
        let staging = try #require(base.staging.first)
        var leafOnly = staging
        leafOnly.certificateChain = [staging.certificateChain[0]]
        return try await base.verify(authorities: [leafOnly])
    },
    TamperCase(name: "TSA chain ending in the production root", code: .untrustedChain) { base in
        let staging = try #require(base.staging.first)
        let production = try #require(try TestData.production.first)
        var wrongRoot = staging
        wrongRoot.certificateChain = [staging.certificateChain[0], try #require(production.certificateChain.last)]
        return try await base.verify(authorities: [wrongRoot])
    },
    TamperCase(name: "genTime one second before the TSA window", code: .outsideValidityWindow) { base in
        var authority = try #require(base.staging.first)
        authority.validFrom = base.genTime.addingTimeInterval(1)
        return try await base.verify(authorities: [authority])
    },
    TamperCase(name: "genTime one second after the TSA window", code: .outsideValidityWindow) { base in
        var authority = try #require(base.staging.first)
        authority.validUntil = base.genTime.addingTimeInterval(-1)
        return try await base.verify(authorities: [authority])
    },
    TamperCase(name: "sigstore-python test TSA leaf under the staging root", code: .untrustedChain) { base in
        let response = try #require(try TestData.bundleTimestamps("sigstore-public/tsa/bundle.txt.sigstore").first)
        let signature = try TestData.bundleSignature("sigstore-public/tsa/bundle.txt.sigstore")
        var authority = try #require(try TestData.sigstorePythonTestTSA.first)
        authority.certificateChain = [authority.certificateChain[0], try #require(base.staging.first?.certificateChain.last)]
        return try await TimestampVerifier(authorities: [authority]).verify(responseDER: response, signature: signature)
    },
    TamperCase(name: "genTime (2020) before the TSA certificate's notBefore (openssl cms)", code: .untrustedChain) { _ in
        try await verifyCMSToken("token-tsa-ec-2020.der", chain: ["tsa-ec", "root"])
    },
    TamperCase(name: "ESS signing-certificate (v1, SHA-1) hash changed", code: .signingCertificateMismatch) { _ in
        let reply = try TestData.openssl("reply-rsa-sha512.tsr")
        let leaf = try TestData.pem("tsa-rsa")
        var coder = DER.Serializer()
        try coder.serialize(leaf)
        let start = try #require(reply.index(of: Array(Insecure.SHA1.hash(data: coder.serializedBytes))))
        return try await TimestampVerifier(
            authorities: [try TestData.opensslAuthority(["tsa-rsa", "intermediate", "root"])]
        ).verify(responseDER: reply.flipping(at: start + 2), signature: try TestData.openssl("signature.bin"))
    },
    TamperCase(name: "TSA leaf with a non-critical timeStamping EKU (openssl cms)", code: .notTimestampingCertificate) { _ in
        try await verifyCMSToken("token-tsa-noncritical.der", chain: ["tsa-noncritical", "root"])
    },
    TamperCase(name: "TSA leaf without EKU (openssl cms)", code: .notTimestampingCertificate) { _ in
        try await verifyCMSToken("token-tsa-noeku.der", chain: ["tsa-noeku", "root"])
    },
    TamperCase(name: "TSA leaf with key usage keyAgreement only (openssl cms)", code: .keyUsage) { _ in
        try await verifyCMSToken("token-tsa-badku.der", chain: ["tsa-badku", "root"])
    },
    TamperCase(name: "two SignerInfos (openssl cms)", code: .signerCount) { _ in
        try await verifyCMSToken("token-two-signers.der", chain: ["tsa-ec", "root"])
    },
    TamperCase(name: "no signed attributes (openssl cms -noattr)", code: .missingSignedAttributes) { _ in
        try await verifyCMSToken("token-noattr.der", chain: ["tsa-ec", "root"])
    },
    TamperCase(name: "embedded signer is a twin of the TSA leaf (same issuer and serial)",
        code: .signerCertificateMismatch) { _ in
        try await verifyCMSToken("token-tsa-twin.der", chain: ["tsa-ec", "root"])
    },
    TamperCase(name: "imprint hash algorithm changed to an unknown OID", code: .unsupportedAlgorithm) { base in
        // SHA-256's OID occurs in digestAlgorithms, then in the TSTInfo's messageImprint.
        let sha256: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        return try await base.verify(try base.flipped(sha256, occurrence: 1, offset: sha256.count - 1))
    },
    TamperCase(name: "TSTInfo version 2", code: .unsupportedVersion) { base in
        let start = try #require(base.response.index(of: base.token.tstInfo.derBytes))
        let version = try #require(base.token.tstInfo.derBytes.index(of: [0x02, 0x01, 0x01]))
        return try await base.verify(base.response.flipping(at: start + version + 2, mask: 0x03))
    },
    TamperCase(name: "status rejection (openssl ts -reply, unaccepted policy)", code: .statusNotGranted) { _ in
        try await TimestampVerifier(authorities: [try TestData.opensslAuthority(["tsa-ec", "root"])])
            .verify(responseDER: try TestData.openssl("reply-rejected.tsr"), signature: try TestData.openssl("signature.bin"))
    },
    TamperCase(name: "status granted but no token", code: .missingToken) { base in
        let response = TimeStampResp(status: PKIStatusInfo(status: .granted), timeStampToken: nil)
        return try await base.verify(try response.derEncoded())
    },
    TamperCase(name: "status waiting with the real token", code: .statusNotGranted) { base in
        let response = TimeStampResp(status: PKIStatusInfo(status: .waiting), timeStampToken: base.token)
        return try await base.verify(try response.derEncoded())
    },
    TamperCase(name: "truncated by one byte", code: .malformed) { base in
        try await base.verify(Array(base.response.dropLast()))
    },
    TamperCase(name: "one trailing byte", code: .malformed) { base in
        try await base.verify(base.response + [0x00])
    },
    TamperCase(name: "oversize", code: .oversize) { base in
        try await base.verify(base.response + [UInt8](repeating: 0, count: 64 * 1024))
    },
    TamperCase(name: "non-minimal length encoding", code: .malformed) { base in
        // 30 82 04 EB → 30 83 00 04 EB: same length, long form with a leading zero byte (not DER).
        try await base.verify([0x30, 0x83, 0x00] + base.response.dropFirst(2))
    },
]

/// Verifies an `openssl cms` token (signed by a certificate `openssl ts` would refuse) wrapped in a granted
/// TimeStampResp.
func verifyCMSToken(_ name: String, chain: [String]) async throws -> VerifiedTimestamp {
    let token = try TimeStampToken(derEncoded: try TestData.openssl(name))
    let response = try TimeStampResp(status: PKIStatusInfo(status: .granted), timeStampToken: token).derEncoded()
    return try await TimestampVerifier(authorities: [try TestData.opensslAuthority(chain)])
        .verify(responseDER: response, signature: try TestData.openssl("signature.bin"))
}

@Suite struct TamperTimestampTests {
    @Test func theTamperTableIsNotEmpty() {
        #expect(tamperCases.count > 30)
        // Every error code is some case's expected code (the parser-only codes are covered too).
        let covered = Set(tamperCases.map(\.code))
        let all: [TimestampError.Code] = [
            .oversize, .malformed, .unsupportedVersion, .unsupportedAlgorithm, .statusNotGranted, .missingToken,
            .wrongContentType, .signerCount, .imprintMismatch, .nonceMismatch, .missingSignedAttributes,
            .contentTypeAttributeMismatch, .messageDigestMismatch, .signingCertificateMismatch, .signerNotFound,
            .signerCertificateMismatch, .invalidSignature, .notTimestampingCertificate, .keyUsage, .untrustedChain,
            .outsideValidityWindow, .noAuthorities,
        ]
        #expect(all.filter { !covered.contains($0) } == [])
    }

    @Test("a tampered timestamp is rejected with its step's code", arguments: tamperCases)
    func tamperedTimestampIsRejected(_ tamper: TamperCase) async throws {
        let base = try Base()
        await expectTimestampError(tamper.code) { try await tamper.run(base) }
    }

    @Test func theUntamperedBaseVerifies() async throws {
        let base = try Base()
        _ = try await base.verify()
    }

    @Test func theTSAWindowIsInclusiveAtBothEnds() async throws {
        let base = try Base()
        var authority = try #require(base.staging.first)
        authority.validFrom = base.genTime
        authority.validUntil = base.genTime
        let verified = try await base.verify(authorities: [authority])
        #expect(verified.genTime == base.genTime)
    }

    @Test func aCMSTokenFromACriticalTimestampingLeafVerifies() async throws {
        // The control for the EKU cases: the same openssl cms path, signed by the good TSA certificate, passes.
        let tstInfo = try TestData.openssl("tstinfo-ec.der")
        let parsed = try TSTInfo(derEncoded: tstInfo)
        let fromReply = try #require(try TimeStampResp(derEncoded: try TestData.openssl("reply-ec-sha256.tsr")).timeStampToken)
        #expect(parsed == fromReply.tstInfo)
        let noncritical = try TimeStampToken(derEncoded: try TestData.openssl("token-tsa-noncritical.der"))
        #expect(noncritical.tstInfo == parsed)
    }

    @Test func everyTruncationOfARealResponseIsRejectedWithoutTrapping() throws {
        let base = try Base()
        var rejected = 0
        for length in 0..<base.response.count {
            #expect(throws: TimestampError.self) { try TimeStampResp(derEncoded: Array(base.response.prefix(length))) }
            rejected += 1
        }
        #expect(rejected == base.response.count)
    }

    @Test func everyBitFlipInTheSignedPartsIsRejected() async throws {
        let base = try Base()
        let signer = try #require(base.token.signedData.signerInfos.first)
        var signedAttributes = try #require(signer.signedAttributesDER)
        signedAttributes[0] = 0xA0
        let tstStart = try #require(base.response.index(of: base.token.tstInfo.derBytes))
        let attributesStart = try #require(base.response.index(of: signedAttributes))
        let signatureStart = try #require(base.response.index(of: signer.signature))
        let positions = Array(tstStart..<(tstStart + base.token.tstInfo.derBytes.count))
            + Array(attributesStart..<(attributesStart + signedAttributes.count))
            + Array(signatureStart..<(signatureStart + signer.signature.count))
        #expect(positions.count > 500)
        for position in positions {
            for mask: UInt8 in [0x01, 0x80] {
                do {
                    _ = try await base.verify(base.response.flipping(at: position, mask: mask))
                    Issue.record("flip \(mask) at \(position) verified")
                } catch is TimestampError {
                } catch {
                    Issue.record("flip at \(position): unexpected error \(error)")
                }
            }
        }
    }
}
