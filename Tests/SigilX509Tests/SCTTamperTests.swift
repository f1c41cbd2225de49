// Tamper families for SCT verification and the SCT list codec, on the real staging leaf of bundle.txt.sigstore
// (SCT from ctfe.sigstage.dev/2022-2) and every other real leaf.

import Crypto
import Foundation
import SigilX509
import SwiftASN1
import Testing
import X509

/// The real leaf, its verified issuer and the staging CT logs.
private struct RealSCTCase {
    var der: [UInt8]
    var leaf: Certificate
    var issuer: Certificate
    var logs: [CTLogKey]
    var time: Date

    init(_ fixture: RealLeaf) async throws {
        der = try fixture.leafDER()
        leaf = try CertificateCoding.certificate(der: der)
        let root = try TrustedRootFixture(environment: fixture.environment)
        time = leaf.timeInsideValidity
        issuer = try await FulcioChainVerifier.verify(
            leaf: leaf, trustAnchors: root.anchors, intermediates: root.intermediates, at: time
        ).issuer
        logs = root.ctLogs
    }

    /// The leaf with one byte of its DER changed at the first occurrence of `needle` plus `offset`.
    func flipping(_ needle: [UInt8], at offset: Int) throws -> Certificate {
        let start = try #require(firstRange(of: needle, in: der))
        var bytes = der
        bytes[start + offset] ^= 0x01
        return try CertificateCoding.certificate(der: bytes)
    }

    func verify(_ certificate: Certificate, logs: [CTLogKey]? = nil, at times: [Date]? = nil) throws -> [VerifiedSCT] {
        try SCTVerifier.verifyEmbeddedSCTs(
            in: certificate, issuer: issuer, logs: logs ?? self.logs, at: times ?? [time])
    }
}

private func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
}

private func expectCode(_ code: X509Error.Code, _ body: () throws -> Void) {
    let error = #expect(throws: X509Error.self) { try body() }
    #expect(error?.code == code, "\(String(describing: error))")
}

@Suite("SCT tampering")
struct SCTTamperTests {
    @Test("Flipping a byte of the SCT signature is sctInvalid", arguments: realLeaves)
    func signatureFlip(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: real.leaf).first)
        #expect(try real.verify(real.leaf).count == 1)  // control: the untouched leaf verifies
        for offset in [sct.signature.count - 1, sct.signature.count / 2] {
            let tampered = try real.flipping(sct.signature, at: offset)
            expectCode(.sctInvalid) { _ = try real.verify(tampered) }
        }
    }

    @Test("Changing the certificate outside the SCT (issuer extension) is sctInvalid", arguments: realLeaves)
    func tbsFlip(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let tampered = try real.flipping(Array(fixture.issuer.utf8), at: 9)
        expectCode(.sctInvalid) { _ = try real.verify(tampered) }
    }

    @Test("Flipping the SCT timestamp is sctInvalid", arguments: realLeaves)
    func timestampFlip(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: real.leaf).first)
        let tampered = try real.flipping(sct.logID, at: 32 + 7)  // last byte of the timestamp after the log ID
        expectCode(.sctInvalid) { _ = try real.verify(tampered) }
    }

    @Test("An SCT whose log is not trusted is sctUnknownLog", arguments: realLeaves)
    func unknownLog(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: real.leaf).first)
        let others = real.logs.filter { $0.logID != sct.logID }
        #expect(others.count == real.logs.count - 1)
        expectCode(.sctUnknownLog) { _ = try real.verify(real.leaf, logs: others) }
        expectCode(.sctUnknownLog) { _ = try real.verify(real.leaf, logs: []) }
    }

    @Test("A different key under the SCT's log ID is sctInvalid", arguments: realLeaves)
    func wrongKey(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: real.leaf).first)
        let impostor = try CTLogKey(
            subjectPublicKeyInfo: Array(P256.Signing.PrivateKey().publicKey.derRepresentation), logID: sct.logID)
        expectCode(.sctInvalid) { _ = try real.verify(real.leaf, logs: [impostor]) }
    }

    @Test("The wrong issuer (so the wrong issuer key hash) is sctInvalid", arguments: realLeaves)
    func wrongIssuer(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let root = try TrustedRootFixture(environment: fixture.environment)
        let anchor = try #require(root.anchors.last)
        expectCode(.sctInvalid) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: real.leaf, issuer: anchor, logs: real.logs, at: [real.time])
        }
    }

    @Test("An SCT outside its log key's validity window is rejected", arguments: realLeaves)
    func outsideLogValidity(_ fixture: RealLeaf) async throws {
        let real = try await RealSCTCase(fixture)
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: real.leaf).first)
        let log = try #require(real.logs.first { $0.logID == sct.logID })
        let ended = try CTLogKey(
            subjectPublicKeyInfo: log.subjectPublicKeyInfo, logID: log.logID,
            validFrom: nil, validUntil: sct.date.addingTimeInterval(-1))
        expectCode(.sctOutsideLogValidity) { _ = try real.verify(real.leaf, logs: [ended]) }
        let notStarted = try CTLogKey(
            subjectPublicKeyInfo: log.subjectPublicKeyInfo, logID: log.logID, validFrom: sct.date.addingTimeInterval(1))
        expectCode(.sctOutsideLogValidity) { _ = try real.verify(real.leaf, logs: [notStarted]) }
        // A verified time before the key's start is rejected too; an expired key is fine at a later time.
        let startsAtSCT = try CTLogKey(
            subjectPublicKeyInfo: log.subjectPublicKeyInfo, logID: log.logID, validFrom: sct.date,
            validUntil: sct.date)
        #expect(try real.verify(real.leaf, logs: [startsAtSCT], at: [sct.date.addingTimeInterval(3600)]).count == 1)
        expectCode(.sctOutsideLogValidity) {
            _ = try real.verify(real.leaf, logs: [startsAtSCT], at: [sct.date.addingTimeInterval(-1)])
        }
    }

    @Test("A certificate without SCT list is sctMissing")
    func noSCTList() async throws {
        let real = try await RealSCTCase(try #require(realLeaves.first))
        // The issuer certificate has no SCT list.
        expectCode(.sctMissing) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: real.issuer, issuer: real.issuer, logs: real.logs, at: [])
        }
    }
}

@Suite("SCT list codec")
struct SCTListCodecTests {
    /// The TLS SignedCertificateTimestampList of every real leaf.
    static func realLists() throws -> [[UInt8]] {
        try realLeaves.map { fixture in
            let ext = try #require(try fixture.leaf().extensions[oid: FulcioOID.sctList])
            return try ASN1OctetString(derEncoded: ext.value).bytes.map { $0 }
        }
    }

    @Test func realListsParseAndReEncodeByteForByte() throws {
        let lists = try Self.realLists()
        #expect(lists.count == realLeaves.count)
        for list in lists {
            let scts = try SignedCertificateTimestampList.parse(tls: list)
            #expect(scts.count == 1)
            #expect(try SignedCertificateTimestampList.serialize(tls: scts) == list)
            let value = try SignedCertificateTimestampList.serialize(extensionValue: scts)
            #expect(try SignedCertificateTimestampList.parse(extensionValue: value) == scts)
        }
    }

    @Test func realSCTFieldsAreDecoded() throws {
        let leaf = try #require(realLeaves.first { $0.bundle == "bundle.txt.sigstore" }).leaf()
        let sct = try #require(try SignedCertificateTimestampList.embedded(in: leaf).first)
        #expect(sct.version == 0)
        #expect(sct.logID.prefix(4) == [0x2B, 0x30, 0xBC, 0xDC])
        #expect(sct.timestamp == 1_682_468_468_763)  // Apr 26 00:21:08.763 2023 GMT (openssl x509 -text)
        #expect(sct.extensions.isEmpty)
        #expect(sct.hashAlgorithm == 4 && sct.signatureAlgorithm == 3)
        #expect(sct.signature.prefix(4) == [0x30, 0x45, 0x02, 0x21])
    }

    /// Malformed variants of a real list, each with what is wrong.
    static func malformed(_ list: [UInt8]) -> [(String, [UInt8])] {
        let sctLength = Int(list[2]) << 8 | Int(list[3])
        var cases: [(String, [UInt8])] = [
            ("empty input", []),
            ("one byte", [0x00]),
            ("empty list", [0x00, 0x00]),
            ("truncated by one", Array(list.dropLast())),
            ("truncated to the lengths", Array(list.prefix(4))),
            ("trailing byte", list + [0x00]),
            ("list length one too big", [list[0], list[1] &+ 1] + list.dropFirst(2)),
            ("list length 0xFFFF", [0xFF, 0xFF] + list.dropFirst(2)),
            ("list length one too small", [list[0], list[1] &- 1] + list.dropFirst(2)),
            ("empty SerializedSCT", [0x00, 0x02, 0x00, 0x00]),
            ("version 1", Array(list.prefix(4)) + [0x01] + list.dropFirst(5)),
            ("oversize", [UInt8](repeating: 0, count: 70_000)),
        ]
        // SCT length one too big inside a list of the right size
        let bigger = sctLength + 1
        cases.append(
            (
                "SCT length overflows the list",
                Array(list.prefix(2)) + [UInt8(bigger >> 8), UInt8(bigger & 0xFF)] + list.dropFirst(4)
            ))
        // signature length one too big (last 2-byte length before the signature)
        let sct = Array(list.dropFirst(4))
        let sigLengthOffset = 4 + 1 + 32 + 8 + 2 + (Int(sct[41]) << 8 | Int(sct[42])) + 2
        var badSig = list
        badSig[sigLengthOffset + 1] &+= 1
        cases.append(("signature length overflows the SCT", badSig))
        var badExt = list
        badExt[4 + 1 + 32 + 8 + 1] = 0x01
        cases.append(("extensions length eats the signature", badExt))
        return cases
    }

    @Test func malformedListsAreRejected() throws {
        let list = try #require(try Self.realLists().first)
        let cases = Self.malformed(list)
        #expect(cases.count > 10)
        for (name, bytes) in cases {
            let error = #expect(throws: X509Error.self, "\(name)") {
                _ = try SignedCertificateTimestampList.parse(tls: bytes)
            }
            #expect(error?.code == .malformedSCT, "\(name)")
        }
    }

    @Test func malformedExtensionWrappersAreRejected() throws {
        let list = try #require(try Self.realLists().first)
        let good = try CertificateCoding.derEncoded(ASN1OctetString(contentBytes: list[...]))
        #expect(try SignedCertificateTimestampList.parse(extensionValue: good).count == 1)  // control
        let cases: [(String, [UInt8])] = [
            ("bare TLS list", list),
            ("trailing byte after the OCTET STRING", good + [0x00]),
            ("truncated OCTET STRING", Array(good.dropLast())),
            ("wrong tag", [0x0C] + good.dropFirst()),
            ("non-minimal length", [0x04, 0x82, 0x00, UInt8(list.count)] + list),
        ]
        for (name, bytes) in cases {
            let error = #expect(throws: X509Error.self, "\(name)") {
                _ = try SignedCertificateTimestampList.parse(extensionValue: bytes)
            }
            #expect(error?.code == .malformedSCT, "\(name)")
        }
    }
}
