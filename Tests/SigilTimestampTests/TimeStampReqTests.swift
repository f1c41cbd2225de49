// TimeStampReq: the builder's DER is what RFC 3161 §2.4.1 describes, and the parser is strict.

import SigilTimestamp
import SwiftASN1
import Testing

@Suite struct TimeStampReqTests {
    let signature = Array("signature bytes".utf8)

    @Test func theBuilderWritesVersionImprintNonceAndCertReqInOrder() throws {
        let request = TimeStampReq(hashing: signature, with: .sha256, nonce: 0x0102, certReq: true)
        let der = try request.derEncoded()
        let hash = TimestampHashAlgorithm.sha256.hash(signature)
        let expected: [UInt8] =
            [0x30, 0x3B, 0x02, 0x01, 0x01]  // SEQUENCE (59 bytes), version 1
            + [0x30, 0x2F, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]  // imprint, SHA-256
            + [0x04, 0x20] + hash
            + [0x02, 0x02, 0x01, 0x02]  // nonce
            + [0x01, 0x01, 0xFF]  // certReq TRUE
        #expect(der == expected)
    }

    @Test func certReqFalseAndNoNonceAreOmitted() throws {
        let der = try TimeStampReq(hashing: signature, with: .sha512, certReq: false).derEncoded()
        let parsed = try TimeStampReq(derEncoded: der)
        #expect(parsed.nonce == nil)
        #expect(parsed.certReq == false)
        #expect(der.count == 2 + 3 + 2 + 13 + 2 + 64)  // SEQUENCE, version, imprint (AlgId, OCTET STRING)
    }

    static let mutations: [(String, String)] = [
        ("truncated", "malformed"), ("trailing byte", "malformed"), ("version 2", "unsupportedVersion"),
        ("certReq FALSE encoded (DEFAULT)", "malformed"), ("oversize", "oversize"),
        ("nonce with a non-minimal leading zero", "malformed"),
    ]

    @Test func theMutationTableIsNotEmpty() { #expect(Self.mutations.count == 6) }

    @Test("a malformed TimeStampReq is rejected", arguments: mutations)
    func malformedRequestIsRejected(_ name: String, _ code: String) throws {
        let der = try TimeStampReq(hashing: signature, nonce: 7, certReq: true).derEncoded()
        #expect(try TimeStampReq(derEncoded: der).derEncoded() == der)
        var mutated = der
        switch name {
        case "truncated": mutated.removeLast()
        case "trailing byte": mutated.append(0)
        case "version 2": mutated[4] = 2
        case "certReq FALSE encoded (DEFAULT)": mutated[mutated.count - 1] = 0
        case "oversize": mutated += [UInt8](repeating: 0, count: 70_000)
        default:
            // nonce 02 01 07 → 02 02 00 07, lengths fixed up.
            let at = try #require(der.index(of: [0x02, 0x01, 0x07]))
            mutated = [0x30, der[1] + 1] + der[2..<at] + [0x02, 0x02, 0x00, 0x07] + der[(at + 3)...]
        }
        do {
            _ = try TimeStampReq(derEncoded: mutated)
            Issue.record("\(name): parsed")
        } catch {
            #expect(error.code.description == code, "\(name): \(error)")
        }
    }
}
