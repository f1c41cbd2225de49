// The SCT list parser is total and canonical: on tens of thousands of seeded mutations of real lists it
// never traps, throws only `X509Error.malformedSCT`, and whatever it accepts re-encodes to the same bytes.

import SigilTesting
import SigilX509
import SwiftASN1
import Testing
import X509


@Suite("SCT list parser under mutation")
struct SCTParserMutationTests {
    private static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip a bit
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !bytes.isEmpty:  // truncate
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
            case 2:  // append garbage
                bytes += (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 3 where bytes.count > 4:  // set a byte in the length-heavy prefix to an extreme
                bytes[Int.random(in: 0..<min(bytes.count, 50), using: &rng)] =
                    [0x00, 0xFF, 0x7F, 0x80].randomElement(using: &rng) ?? 0
            default:  // duplicate the list body (a second SCT) without fixing lengths
                bytes += bytes.dropFirst(2)
            }
        }
        return bytes
    }

    @Test func mutatedRealListsNeverTrapAndAcceptedOnesAreCanonical() throws {
        let lists = try realLeaves.map { fixture -> [UInt8] in
            let ext = try #require(try fixture.leaf().extensions[oid: FulcioOID.sctList])
            return Array(try ASN1OctetString(derEncoded: ext.value).bytes)
        }
        #expect(lists.count == realLeaves.count)
        var rng = SplitMix64(state: 0x5167_11C0_FFEE)
        var accepted = 0
        var rejected = 0
        for round in 0..<30_000 {
            let input = Self.mutate(lists[round % lists.count], using: &rng)
            do {
                let scts = try SignedCertificateTimestampList.parse(tls: input)
                #expect(try SignedCertificateTimestampList.serialize(tls: scts) == input, "round \(round)")
                accepted += 1
            } catch {
                #expect(error.code == .malformedSCT, "round \(round): \(error)")
                rejected += 1
            }
        }
        // Bit flips inside fields (timestamp, signature bytes) keep the structure valid; length damage does not.
        #expect(accepted > 1000)
        #expect(rejected > 1000)
    }
}
