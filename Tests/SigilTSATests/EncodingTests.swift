// The shape of what the signer writes: TSTInfo fields, CMS SignedData, signed attributes in DER SET OF order,
// certReq handling, genTime, and the PKIFailureInfo BIT STRING.

import Crypto
import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

@Suite struct EncodingTests {
    static let data = Array("encoding".utf8)

    static func token(_ tsa: TestTSA, certReq: Bool = true, nonce: UInt64? = 0x1122_3344_5566_7788) throws
        -> (TimeStampResponse, TimeStampToken)
    {
        let request = TimeStampReq(hashing: data, nonce: nonce, certReq: certReq)
        let response = tsa.signer.respond(to: try request.derEncoded())
        try #require(response.isGranted, "\(response.statusString ?? "")")
        return (response, try #require(try TimeStampResp(derEncoded: response.derEncoded).timeStampToken))
    }

    @Test func theTSTInfoCarriesTheRequestAndTheInjectedValues() throws {
        let tsa = try TestTSA()
        let (response, token) = try Self.token(tsa)
        let info = token.tstInfo
        #expect(info == response.tstInfo)
        #expect(info.version == 1)
        #expect(info.policy == TimestampService.defaultPolicy)
        #expect(info.messageImprint == MessageImprint(hashing: Self.data))
        #expect(info.serialNumber == TestTSA.serialNumber)
        #expect(info.genTime == TestTime.genTime)
        #expect(info.generalizedTime.fractionalSeconds == 0)
        #expect(info.accuracy?.seconds == 1)
        #expect(info.accuracy?.millis == nil)
        #expect(!info.ordering)
        #expect(info.nonce == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
        #expect(info.tsa == nil)
        #expect(info.extensions == nil)
        // The response re-encodes byte for byte.
        #expect(try TimeStampResp(derEncoded: response.derEncoded).derEncoded() == response.derEncoded)
    }

    @Test func aNonceWithTheTopBitSetIsEchoedExactly() throws {
        let tsa = try TestTSA()
        let (_, token) = try Self.token(tsa, nonce: 0xFF00_0000_0000_0001)
        #expect(token.tstInfo.nonce == [0xFF, 0, 0, 0, 0, 0, 0, 1])
        #expect(token.tstInfo.derBytes.index(of: [0x02, 0x09, 0x00, 0xFF, 0, 0, 0, 0, 0, 0, 1]) != nil)
    }

    @Test func aRequestWithoutNonceGetsATokenWithoutNonce() throws {
        let (_, token) = try Self.token(try TestTSA(), nonce: nil)
        #expect(token.tstInfo.nonce == nil)
    }

    @Test func genTimeIsTheClockTruncatedToWholeSecondsInUTC() throws {
        let fractional = TestTime.genTime.addingTimeInterval(0.75)
        let tsa = try TestTSA(clock: fractional)
        let (_, token) = try Self.token(tsa)
        #expect(token.tstInfo.genTime == TestTime.genTime)
        #expect(token.tstInfo.derBytes.index(of: [0x18, 0x0F] + Array("20260102030405Z".utf8)) != nil)
    }

    @Test(arguments: [
        (0.0, "19700101000000Z"), (951_782_400, "20000229000000Z"), (-1, "19691231235959Z"),
        (-2_208_988_800, "19000101000000Z"), (253_402_300_799, "99991231235959Z"), (1_709_251_199, "20240229235959Z"),
        (4_107_542_400, "21000301000000Z"),
    ])
    func genTimeEncodesCalendarEdges(_ seconds: Double, _ expected: String) throws {
        let tsa = try TestTSA(clock: Date(timeIntervalSince1970: seconds))
        let (_, token) = try Self.token(tsa)
        #expect(token.tstInfo.derBytes.index(of: [0x18, 0x0F] + Array(expected.utf8)) != nil, "\(expected)")
        #expect(token.tstInfo.genTime == Date(timeIntervalSince1970: seconds))
    }

    @Test func aClockOutsideGeneralizedTimeIsRejectedWithTimeNotAvailable() throws {
        for clock in [Date(timeIntervalSince1970: 253_402_300_800), Date(timeIntervalSince1970: -62_135_596_801), Date(timeIntervalSince1970: .nan)] {
            let tsa = try TestTSA(clock: clock)
            let response = tsa.signer.respond(to: RejectionCase.valid)
            #expect(response.status == .rejection)
            #expect(response.failureInfo == .timeNotAvailable)
        }
    }

    @Test func theSignedDataIsVersion3WithOneSignerNamedByIssuerAndSerial() throws {
        let tsa = try TestTSA()
        let (_, token) = try Self.token(tsa)
        let signedData = token.signedData
        #expect(signedData.version == 3)
        #expect(signedData.digestAlgorithms == [.sha256])
        #expect(signedData.encapsulatedContentType == [1, 2, 840, 113_549, 1, 9, 16, 1, 4])
        #expect(signedData.encapsulatedContent == token.tstInfo.derBytes)
        let signer = try #require(signedData.signerInfos.first)
        #expect(signedData.signerInfos.count == 1)
        #expect(signer.version == 1)
        let sid = try #require(signer.sid.issuerAndSerialNumber)
        #expect(sid.issuer == tsa.certificates.leaf.issuer)
        #expect(sid.serialNumber == Array(tsa.certificates.leaf.serialNumber.bytes))
        #expect(signer.digestAlgorithm == .sha256)
        #expect(signer.signatureAlgorithm == .ecdsaWithSHA256)
    }

    @Test func aP384KeySignsWithSHA384() throws {
        let tsa = try TestTSA(curve: "P-384")
        let (_, token) = try Self.token(tsa)
        let signer = try #require(token.signedData.signerInfos.first)
        #expect(token.signedData.digestAlgorithms == [.sha384])
        #expect(signer.digestAlgorithm == .sha384)
        #expect(signer.signatureAlgorithm == .ecdsaWithSHA384)
        let signature = try P384.Signing.ECDSASignature(derRepresentation: signer.signature)
        let key = try #require(P384.Signing.PublicKey(tsa.certificates.leaf.publicKey))
        #expect(key.isValidSignature(signature, for: try #require(signer.signedAttributesDER)))
    }

    @Test func theSignedAttributesAreInDERSetOrderAndTheSignatureCoversThem() throws {
        let tsa = try TestTSA()
        let (_, token) = try Self.token(tsa)
        let signer = try #require(token.signedData.signerInfos.first)
        let setDER = try #require(signer.signedAttributesDER)
        #expect(setDER.first == 0x31)
        // The elements in encoded order, each as its DER.
        guard case .constructed(let children) = try DER.parse(setDER).content else {
            Issue.record("signed attributes are not constructed")
            return
        }
        let encoded = children.map { Array($0.encodedBytes) }
        #expect(encoded.count == 4)
        // X.690 §11.6: ascending by encoding, the shorter padded with trailing zero octets.
        for (first, second) in zip(encoded, encoded.dropFirst()) {
            let width = max(first.count, second.count)
            let paddedFirst = first + [UInt8](repeating: 0, count: width - first.count)
            let paddedSecond = second + [UInt8](repeating: 0, count: width - second.count)
            #expect(paddedFirst.lexicographicallyPrecedes(paddedSecond), "not in SET OF order")
        }
        // swift-asn1's own DER SET OF check agrees.
        _ = try DER.set(of: CMSAttribute.self, identifier: .set, rootNode: try DER.parse(setDER))
        let types = Set((signer.signedAttributes ?? []).map(\.type))
        #expect(
            types == [
                [1, 2, 840, 113_549, 1, 9, 3], [1, 2, 840, 113_549, 1, 9, 4], [1, 2, 840, 113_549, 1, 9, 5],
                [1, 2, 840, 113_549, 1, 9, 16, 2, 47],
            ])
        let signingTime = try #require(signer.signedAttributes?.first { $0.type == [1, 2, 840, 113_549, 1, 9, 5] })
        let utc = try UTCTime(asn1Any: try #require(signingTime.values.first))
        #expect(utc == (try UTCTime(year: 2026, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5)))

        let signature = try P256.Signing.ECDSASignature(derRepresentation: signer.signature)
        let key = try #require(P256.Signing.PublicKey(tsa.certificates.leaf.publicKey))
        #expect(key.isValidSignature(signature, for: setDER))
        var reTagged = setDER
        reTagged[0] = 0xA0
        #expect(!key.isValidSignature(signature, for: reTagged))
    }

    @Test func theSigningCertificateV2AttributeNamesTheLeafBySHA256AndIssuerSerial() throws {
        let tsa = try TestTSA()
        let (_, token) = try Self.token(tsa)
        let signer = try #require(token.signedData.signerInfos.first)
        let attribute = try #require(signer.signedAttributes?.first { $0.type == [1, 2, 840, 113_549, 1, 9, 16, 2, 47] })
        var coder = DER.Serializer()
        try coder.serialize(try #require(attribute.values.first))
        var leafCoder = DER.Serializer()
        try leafCoder.serialize(tsa.certificates.leaf)
        let hash = Array(SHA256.hash(data: leafCoder.serializedBytes))
        // SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial } } }, hashAlgorithm omitted.
        let value = coder.serializedBytes
        #expect(value.index(of: [0x04, 0x20] + hash) == 6)
        var issuerCoder = DER.Serializer()
        try issuerCoder.serialize(tsa.certificates.leaf.issuer)
        #expect(value.index(of: issuerCoder.serializedBytes) != nil)
    }

    @Test func withoutSigningTimeThereAreThreeSignedAttributesAndOpenSSLStillVerifies() async throws {
        let tsa = try TestTSA(includeSigningTime: false)
        let (response, token) = try Self.token(tsa)
        #expect(token.signedData.signerInfos.first?.signedAttributes?.count == 3)
        _ = try await tsa.verifier.verify(responseDER: response.derEncoded, signature: Self.data)
        let directory = try TemporaryDirectory()
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", Self.data)
        try directory.write("reply.tsr", response.derEncoded)
        let verified = try openssl(
            ["ts", "-verify", "-in", "reply.tsr", "-data", "data.bin", "-CAfile", "root.pem", "-untrusted", "tsa.pem"],
            in: directory)
        #expect(verified.succeeded, "\(verified.error)")
    }

    @Test func certificatesAreEmbeddedOnlyWhenCertReqIsTrue() throws {
        let tsa = try TestTSA()
        #expect(try Self.token(tsa, certReq: true).1.signedData.certificates == [tsa.certificates.leaf])
        #expect(try Self.token(tsa, certReq: false).1.signedData.certificates.isEmpty)
        let chained = try TestTSA(certReqChain: true)
        #expect(Set(try Self.token(chained, certReq: true).1.signedData.certificates) == Set(chained.certificates.chain))
        #expect(try Self.token(chained, certReq: false).1.signedData.certificates.isEmpty)
    }

    @Test func theRandomSerialNumberIsPositive128BitsAndVaries() {
        let serials = (0..<32).map { _ in TimeStampSigner.randomSerialNumber() }
        #expect(serials.allSatisfy { $0.count == 16 && $0[0] & 0x80 == 0 && $0[0] != 0 })
        #expect(Set(serials).count == 32)
    }

    @Test(arguments: [
        (PKIFailureInfo.badAlg, [0x03, 0x02, 0x07, 0x80] as [UInt8]),
        (.badRequest, [0x03, 0x02, 0x05, 0x20]),
        (.badDataFormat, [0x03, 0x02, 0x02, 0x04]),
        (.timeNotAvailable, [0x03, 0x03, 0x01, 0x00, 0x02]),
        (.unacceptedPolicy, [0x03, 0x03, 0x00, 0x00, 0x01]),
        (.unacceptedExtension, [0x03, 0x04, 0x07, 0x00, 0x00, 0x80]),
        (.systemFailure, [0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40]),
    ])
    func failureInfoIsANamedBitStringWithoutTrailingZeroBits(_ failure: PKIFailureInfo, _ bitString: [UInt8]) throws {
        let der = try TimeStampResp.rejectionDER(failure)
        // TimeStampResp { PKIStatusInfo { INTEGER 2, failInfo } }
        #expect(der == [0x30, UInt8(bitString.count + 5), 0x30, UInt8(bitString.count + 3), 0x02, 0x01, 0x02] + bitString)
        #expect(try TimeStampResp(derEncoded: der).status.failureInfo == failure)
    }

    @Test func failureInfoDescribesItsBits() {
        #expect(PKIFailureInfo.badAlg.description == "badAlg")
        #expect(PKIFailureInfo([.badRequest, .systemFailure]).description == "badRequest,systemFailure")
        #expect(PKIFailureInfo(rawValue: 1 << 30).description == "0x40000000")
    }
}
