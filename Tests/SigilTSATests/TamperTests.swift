// Replies from the signer with one byte changed fail in both `openssl ts -verify` and Sigil's verifier.

import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

/// Where to flip a byte of a granted reply, and the error Sigil must report.
struct TamperCase: CustomTestStringConvertible, Sendable {
    var name: String
    var expected: TimestampError.Code
    /// The offset to flip in the response DER, found from the parsed token.
    var locate: @Sendable (_ response: [UInt8], _ token: TimeStampToken) -> Int?

    var testDescription: String { name }

    static let all: [TamperCase] = [
        TamperCase(name: "last byte of the ECDSA signature", expected: .invalidSignature) { response, token in
            guard let signature = token.signedData.signerInfos.first?.signature,
                let start = response.index(of: signature)
            else { return nil }
            return start + signature.count - 1
        },
        TamperCase(name: "first byte of r in the ECDSA signature", expected: .invalidSignature) { response, token in
            guard let signature = token.signedData.signerInfos.first?.signature,
                let start = response.index(of: signature)
            else { return nil }
            // ECDSA-Sig-Value: 30 len 02 len r...; flip r's last byte so the DER stays valid.
            let rLength = Int(signature[3])
            return start + 4 + rLength - 1
        },
        TamperCase(name: "TSTInfo serial number", expected: .messageDigestMismatch) { response, token in
            guard let start = response.index(of: token.tstInfo.derBytes),
                let serial = token.tstInfo.derBytes.index(of: [0x02, 0x04] + TestTSA.serialNumber)
            else { return nil }
            return start + serial + 5
        },
        TamperCase(name: "TSTInfo genTime seconds", expected: .messageDigestMismatch) { response, token in
            guard let start = response.index(of: token.tstInfo.derBytes),
                let time = token.tstInfo.derBytes.index(of: Array("20260102030405Z".utf8))
            else { return nil }
            return start + time + 13  // '5' → '4'
        },
        TamperCase(name: "TSTInfo message imprint", expected: .imprintMismatch) { response, token in
            let imprint = token.tstInfo.messageImprint.hashedMessage
            guard let start = response.index(of: imprint) else { return nil }
            return start + imprint.count - 1
        },
        TamperCase(name: "message-digest signed attribute", expected: .messageDigestMismatch) { response, token in
            guard let digest = token.signedData.signerInfos.first?.signedAttributes?
                .first(where: { $0.type == [1, 2, 840, 113_549, 1, 9, 4] })?.values.first,
                let bytes = try? ASN1OctetString(asn1Any: digest).bytes,
                let start = response.index(of: Array(bytes))
            else { return nil }
            return start + bytes.count - 1
        },
        TamperCase(name: "signing-certificate-v2 hash", expected: .signingCertificateMismatch) { response, token in
            guard let value = token.signedData.signerInfos.first?.signedAttributes?
                .first(where: { $0.type == [1, 2, 840, 113_549, 1, 9, 16, 2, 47] })?.values.first
            else { return nil }
            var coder = DER.Serializer()
            guard (try? coder.serialize(value)) != nil, let start = response.index(of: coder.serializedBytes) else {
                return nil
            }
            // 30 L 30 L 30 L 04 20 <hash>: the hash starts at offset 8.
            return start + 8 + 31
        },
    ]
}

@Suite struct TamperTests {
    @Test func theTamperTableHasCases() {
        #expect(TamperCase.all.count == 7)
    }

    @Test("a reply with a flipped byte fails in openssl and in Sigil", arguments: TamperCase.all)
    func tamperedReplyFails(_ tamper: TamperCase) async throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try tsa.writePEMs(to: directory)
        try directory.write("data.bin", OpenSSLInteropTests.data)
        try #require(try openssl(
            InteropCase(hash: "sha256", certReq: true, nonce: true, curve: "P-256").queryArguments, in: directory).succeeded)
        let response = tsa.signer.respond(to: try directory.read("query.tsq"))
        let token = try #require(try TimeStampResp(derEncoded: response.derEncoded).timeStampToken)

        // The untampered reply passes both, so a failure below is the flip's doing.
        try directory.write("good.tsr", response.derEncoded)
        #expect(try opensslVerify(reply: "good.tsr", query: "query.tsq", in: directory).succeeded)
        _ = try await tsa.verifier.verify(responseDER: response.derEncoded, signature: OpenSSLInteropTests.data)

        let offset = try #require(tamper.locate(response.derEncoded, token), "could not locate \(tamper.name)")
        let tampered = response.derEncoded.flipping(at: offset)
        try directory.write("bad.tsr", tampered)
        let openSSLResult = try opensslVerify(reply: "bad.tsr", query: "query.tsq", in: directory)
        #expect(!openSSLResult.succeeded, "openssl accepted a reply with a flipped \(tamper.name)")
        #expect(!openSSLResult.output.contains("Verification: OK"))
        await expectTimestampError(tamper.expected) {
            try await tsa.verifier.verify(responseDER: tampered, signature: OpenSSLInteropTests.data)
        }
    }
}
