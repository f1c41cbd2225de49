// The CT log on the SigilLog engine: certificates issued by the real CA get SCTs whose timestamp and leaf_index
// match the logged TileLeaf; the published static-ct-api assets (checkpoint with its RFC 6962 signature, hash
// tiles, data tiles, issuers) are checked from first principles here (RFC 6962 §3.4 leaf hashing, §3.5 tree head
// signature); the store survives a restart (SQLite); malformed entries and foreign writers are refused.

import Crypto
import Foundation
import SigilCA
import SigilCT
import SigilLog
import SigilMerkle
import SigilServiceTesting
import SigilStoreSQLite
import SigilTlog
import SigilX509
import Testing
import X509

/// A CA whose CT log is a `StaticCTLog` on `storage`.
struct StaticCTCA: Sendable {
    static let origin = "ca.sigil.test/ct"
    let base: TestCA
    let log: StaticCTLog
    let authority: CertificateAuthority

    init(
        storage: any LogStorage = InMemoryLogStorage(), base: TestCA? = nil,
        clock: @escaping @Sendable () -> Date = fixedClock
    ) async throws {
        let base = try base ?? TestCA()
        self.base = base
        log = try await StaticCTLog.open(
            storage: storage, signingKey: base.ctKey, origin: Self.origin,
            issuers: [base.intermediate, base.root], clock: clock)
        authority = CertificateAuthority(material: base.generated.material, ctLog: log.ctLog(), clock: clock)
    }

    /// Issues a certificate for an email identity and a fresh key.
    func issue(_ email: String = "alice@example.com") async throws -> IssuedCertificate {
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .email, value: email),
            issuer: "https://accounts.example.com")
        return try await authority.issue(
            for: identity, key: .unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)))
    }

    func asset(_ path: String) async throws -> [UInt8] {
        try #require(try await log.asset(at: path), "no asset at \(path)").bytes
    }
}

/// The RFC 6962 §3.5 check of a served checkpoint's type 0x05 signature, written from the spec (not with
/// `RFC6962NoteSignature`): returns the tree head timestamp.
func verifyRFC6962Signature(note: [UInt8], origin: String, key: P256.Signing.PublicKey) throws -> UInt64 {
    let signed = try SignedNote(parsing: String(decoding: note, as: UTF8.self))
    let checkpoint = try Checkpoint(text: signed.text)
    let logID = Array(SHA256.hash(data: Array(key.derRepresentation)))
    let keyID = Array(SHA256.hash(data: Array(origin.utf8) + [0x0A, 0x05] + logID)).prefix(4)
        .reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let lines = signed.signatures.filter { $0.name == origin && $0.keyID == keyID }
    try #require(lines.count == 1)
    let body = lines[0].signature
    try #require(body.count > 12)
    let timestamp = body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    #expect(body[8] == 4 && body[9] == 3, "digitally-signed must be sha256/ecdsa")
    let length = Int(body[10]) << 8 | Int(body[11])
    try #require(body.count == 12 + length)
    var input: [UInt8] = [0, 1]
    for value in [timestamp, checkpoint.size] { for shift in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
    input += checkpoint.rootHash.bytes
    let signature = try P256.Signing.ECDSASignature(derRepresentation: Array(body[12...]))
    try #require(key.isValidSignature(signature, for: input), "tree head signature does not verify")
    return timestamp
}

@Suite("Static CT log on the SigilLog engine")
struct StaticCTLogTests {
    @Test func anIssuedCertificatesSCTMatchesItsLoggedTileLeaf() async throws {
        let ca = try await StaticCTCA()
        let issued = try await ca.issue()
        let sct = issued.signedCertificateTimestamp
        #expect(sct.timestamp == 1_790_000_000_000)
        #expect(try StaticCTExtensions.leafIndex(in: sct.extensions) == 0)
        #expect(sct.extensions == [0, 0, 5, 0, 0, 0, 0, 0])
        // The SCT verifies for the final certificate (SigilX509 rebuilds the precert TBS from it).
        let verified = try SCTVerifier.verifyEmbeddedSCTs(
            in: issued.certificate, issuer: ca.base.intermediate,
            logs: [try CTLogKey(subjectPublicKeyInfo: Array(ca.base.ctKey.publicKey.derRepresentation))],
            at: [testNow])
        #expect(verified.count == 1)

        _ = try await ca.log.tileLog.waitForCheckpoint(covering: 0)
        let leaves = try PrecertificateTileLeaf.parseDataTile(try await ca.asset("tile/data/000.p/1"), width: 1)
        let leaf = try #require(leaves.first)
        // SPEC: RFC 6962 §3.4 / static-ct-api: the logged TimestampedEntry is what the SCT signed
        #expect(leaf.timestamp == sct.timestamp)
        #expect(leaf.extensions == sct.extensions)
        #expect(leaf.tbsCertificate == (try PrecertificateTBS.reconstruct(from: issued.certificate)))
        #expect(leaf.issuerKeyHash == (try CertificateCoding.subjectPublicKeyInfoSHA256(ca.base.intermediate)))
        #expect(leaf.precertificate == (try CertificateCoding.der(issued.precertificate)))
        let chainDER = try [ca.base.intermediate, ca.base.root].map { try CertificateCoding.der($0) }
        #expect(leaf.chainFingerprints == chainDER.map { Array(SHA256.hash(data: $0)) })
        // Every issuer a leaf names is served at issuer/<fingerprint>.
        for (fingerprint, der) in zip(leaf.chainFingerprints, chainDER) {
            let hex = fingerprint.map { String(format: "%02x", $0) }.joined()
            #expect(try await ca.asset("issuer/\(hex)") == der)
        }
        // Level-0 tile: SHA-256(0x00 ‖ MerkleTreeLeaf), MerkleTreeLeaf = 0x00 0x00 ‖ TimestampedEntry.
        let leafHash = Array(SHA256.hash(data: [0, 0, 0] + leaf.timestampedEntry))
        #expect(try await ca.asset("tile/0/000.p/1") == leafHash)
        let note = try await ca.asset("checkpoint")
        let checkpoint = try Checkpoint(text: try SignedNote(parsing: String(decoding: note, as: UTF8.self)).text)
        #expect(checkpoint.origin == StaticCTCA.origin)
        #expect(checkpoint.size == 1)
        #expect(checkpoint.rootHash.bytes == leafHash)
        let treeTime = try verifyRFC6962Signature(note: note, origin: StaticCTCA.origin, key: ca.base.ctKey.publicKey)
        #expect(treeTime >= sct.timestamp)
        // The engine's own ECDSA note signature verifies too.
        let key = try NoteVerifierKey.log(
            name: StaticCTCA.origin, subjectPublicKeyInfo: Array(ca.base.ctKey.publicKey.derRepresentation))
        #expect(try SignedNote(parsing: String(decoding: note, as: UTF8.self)).verify(keys: [key]).signatures.count == 1)
    }

    @Test func concurrentIssuancesGetDistinctIndicesThatTheTilesCommitTo() async throws {
        let ca = try await StaticCTCA()
        let count = 260
        let issued = try await withThrowingTaskGroup(of: IssuedCertificate.self) { group in
            for n in 0..<count { group.addTask { try await ca.issue("user\(n)@example.com") } }
            return try await group.reduce(into: [IssuedCertificate]()) { $0.append($1) }
        }
        #expect(issued.count == count)
        let indices = try issued.map { try #require(try StaticCTExtensions.leafIndex(in: $0.signedCertificateTimestamp.extensions)) }
        #expect(Set(indices) == Set((0..<UInt64(count))))
        let published = try await ca.log.tileLog.waitForCheckpoint(covering: UInt64(count - 1))
        #expect(published.size == UInt64(count))

        let leaves = try PrecertificateTileLeaf.parseDataTile(try await ca.asset("tile/data/000"), width: 256)
            + PrecertificateTileLeaf.parseDataTile(try await ca.asset("tile/data/001.p/4"), width: 4)
        #expect(leaves.count == count)
        for certificate in issued {
            let sct = certificate.signedCertificateTimestamp
            let index = try #require(try StaticCTExtensions.leafIndex(in: sct.extensions))
            let leaf = leaves[Int(index)]
            #expect(leaf.timestamp == sct.timestamp)
            #expect(leaf.tbsCertificate == (try PrecertificateTBS.reconstruct(from: certificate.certificate)))
        }
        let hashes = leaves.map { Merkle.leafHash($0.merkleTreeLeaf) }
        #expect(try await ca.asset("tile/0/000") == hashes.prefix(256).flatMap(\.bytes))
        #expect(try await ca.asset("tile/0/001.p/4") == hashes.suffix(4).flatMap(\.bytes))
        #expect(published.rootHash == Merkle.root(ofLeafHashes: hashes))
        // Nothing beyond the published tree, nothing malformed.
        for path in ["tile/data/001", "tile/data/001.p/5", "tile/data/002.p/1", "tile/data/x", "tile/6/000",
            "issuer/00", "checkpoints", "tile/data/000.p/0"]
        {
            #expect(try await ca.log.asset(at: path) == nil, "\(path)")
        }
    }

    @Test func theLogContinuesAfterARestartOnSQLite() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ct.sqlite").path
        let base = try TestCA()
        var first: [IssuedCertificate] = []
        do {
            let ca = try await StaticCTCA(storage: try SQLiteLogStorage(path: path), base: base)
            for n in 0..<3 { first.append(try await ca.issue("before\(n)@example.com")) }
            _ = try await ca.log.tileLog.waitForCheckpoint(covering: 2)
            await ca.log.tileLog.shutdown()
        }
        // A clock that went backwards: the SCT timestamps still do not decrease along the log.
        let earlier: @Sendable () -> Date = { testNow.addingTimeInterval(-60) }
        let ca = try await StaticCTCA(storage: try SQLiteLogStorage(path: path), base: base, clock: earlier)
        let after = try await ca.issue("after@example.com")
        #expect(try StaticCTExtensions.leafIndex(in: after.signedCertificateTimestamp.extensions) == 3)
        #expect(after.signedCertificateTimestamp.timestamp == first[2].signedCertificateTimestamp.timestamp)
        _ = try await ca.log.tileLog.waitForCheckpoint(covering: 3)
        let leaves = try PrecertificateTileLeaf.parseDataTile(try await ca.asset("tile/data/000.p/4"), width: 4)
        #expect(
            leaves.map(\.precertificate)
                == (try (first + [after]).map { try CertificateCoding.der($0.precertificate) }))
        await ca.log.tileLog.shutdown()
    }

    @Test func aChainWithAnIssuerTheLogDoesNotServeIsRefused() async throws {
        let ca = try await StaticCTCA()
        let other = try TestCA()
        let foreign = CertificateAuthority(
            material: other.generated.material, ctLog: ca.log.ctLog(), clock: fixedClock)
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .email, value: "a@b.example"),
            issuer: "https://i.example")
        await expectCAError(.issuanceFailed) {
            _ = try await foreign.issue(
                for: identity, key: .unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)))
        }
        let precertificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: Certificate.PublicKey(P256.Signing.PrivateKey().publicKey),
            notValidBefore: testNow, notValidAfter: testNow.addingTimeInterval(600), issuer: other.intermediate.subject,
            subject: DistinguishedName(), signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions([Precertificate.poisonExtension]),
            issuerPrivateKey: try Certificate.PrivateKey(pemEncoded: other.generated.intermediateKeyPEM))
        do {
            _ = try await ca.log.ctLog().addPreChain(precertificate, chain: [other.intermediate, other.root])
            Issue.record("a foreign chain was logged")
        } catch {
            #expect(error.code == .unknownIssuer)
        }
        #expect(try await ca.log.tileLog.storage.sequencedSize() == 0)
    }

    @Test func anEntryStoredAtAnotherIndexThanItsLeafIndexIsReported() async throws {
        let storage = InMemoryLogStorage()
        let ca = try await StaticCTCA(storage: storage)
        _ = try await ca.issue()
        // Another writer on the same store takes index 1 behind the CT log's back.
        let intruder = try PrecertificateTileLeaf(
            timestamp: 1, issuerKeyHash: Array(repeating: 1, count: 32), tbsCertificate: [0x30, 0x00],
            extensions: try StaticCTExtensions.leafIndex(1), precertificate: [0x30, 0x00], chainFingerprints: [])
        _ = try await storage.sequence([LogEntry(data: intruder.serialized(), identity: [9])])
        do {
            _ = try await ca.issue()
            Issue.record("an entry was logged at the wrong index")
        } catch let error as CAError {
            #expect(error.code == .ctLogUnavailable || error.code == .issuanceFailed, "\(error)")
            #expect("\(error)".contains("corruptLog"))
        }
        // The log resynchronises: the next entry gets the index the store gives it.
        let next = try await ca.issue()
        #expect(try StaticCTExtensions.leafIndex(in: next.signedCertificateTimestamp.extensions) == 3)
    }
}

@Suite("static-ct-api entry codecs")
struct TileLeafCodecTests {
    static func sample() throws -> PrecertificateTileLeaf {
        try PrecertificateTileLeaf(
            timestamp: 0x0102_0304_0506_0708, issuerKeyHash: Array(0..<32), tbsCertificate: [0x30, 0x03, 1, 2, 3],
            extensions: try StaticCTExtensions.leafIndex(0x01_0203_0405), precertificate: [0x30, 0x01, 0xAA],
            chainFingerprints: [Array(repeating: 7, count: 32), Array(repeating: 8, count: 32)])
    }

    @Test func aTileLeafHasTheRFC6962AndStaticCTLayout() throws {
        let leaf = try Self.sample()
        let expected: [UInt8] =
            [1, 2, 3, 4, 5, 6, 7, 8, 0, 1] + Array(0..<32) + [0, 0, 5, 0x30, 0x03, 1, 2, 3]
            + [0, 8, 0, 0, 5, 1, 2, 3, 4, 5]
            + [0, 0, 3, 0x30, 0x01, 0xAA] + [0, 64] + Array(repeating: 7, count: 32) + Array(repeating: 8, count: 32)
        #expect(leaf.serialized() == expected)
        #expect(leaf.merkleTreeLeaf == [0, 0] + Array(expected.prefix(10 + 32 + 3 + 5 + 10)))
        #expect(try PrecertificateTileLeaf(parsing: expected) == leaf)
        #expect(try PrecertificateTileLeaf.parseDataTile(expected + expected, width: 2) == [leaf, leaf])
    }

    @Test func malformedTileLeavesAreRefused() throws {
        let good = try Self.sample().serialized()
        var cases: [(String, [UInt8])] = [
            ("empty", []),
            ("trailing byte", good + [0]),
            ("x509_entry", Array(good.prefix(9)) + [0] + Array(good.dropFirst(10))),
            ("chain not a multiple of 32", Array(good.dropLast(66)) + [0, 63] + Array(repeating: 7, count: 63)),
            ("empty TBS", Array(good.prefix(42)) + [0, 0, 0] + Array(good.dropFirst(50))),
            ("oversize", Array(repeating: 0, count: PrecertificateTileLeaf.maxBytes + 1)),
        ]
        for cut in stride(from: 1, to: good.count, by: 7) { cases.append(("truncated at \(cut)", Array(good.prefix(cut)))) }
        #expect(cases.count > 6)
        for (name, bytes) in cases {
            #expect(throws: CTError.self, "\(name)") { _ = try PrecertificateTileLeaf(parsing: bytes) }
        }
        #expect(throws: CTError.self) { _ = try PrecertificateTileLeaf.parseDataTile(good, width: 2) }
        #expect(throws: CTError.self) { _ = try PrecertificateTileLeaf.parseDataTile(good + [1], width: 1) }
        #expect(throws: CTError.self) { _ = try PrecertificateTileLeaf.parseDataTile(good, width: 0) }
    }

    @Test func leafIndexExtensionsAreStrict() throws {
        #expect(try StaticCTExtensions.leafIndex(in: []) == nil)
        #expect(try StaticCTExtensions.leafIndex(in: [0, 0, 5, 0, 0, 0, 1, 0]) == 256)
        #expect(try StaticCTExtensions.leafIndex(in: [7, 0, 1, 9] + [0, 0, 5, 0, 0, 0, 0, 2]) == 2)
        #expect(try StaticCTExtensions.leafIndex(in: [7, 0, 0]) == nil)
        #expect(try StaticCTExtensions.leafIndex(StaticCTExtensions.maxLeafIndex) == [0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: CTError.self) { _ = try StaticCTExtensions.leafIndex(StaticCTExtensions.maxLeafIndex + 1) }
        let bad: [(String, [UInt8])] = [
            ("duplicate", [0, 0, 5, 0, 0, 0, 0, 1, 0, 0, 5, 0, 0, 0, 0, 2]),
            ("four-byte index", [0, 0, 4, 0, 0, 0, 1]),
            ("truncated", [0, 0, 5, 0, 0]),
            ("no length", [0]),
        ]
        for (name, bytes) in bad {
            #expect(throws: CTError.self, "\(name)") { _ = try StaticCTExtensions.leafIndex(in: bytes) }
        }
    }
}
