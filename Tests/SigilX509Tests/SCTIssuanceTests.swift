// SCTs minted in the test the way a CT log signs a precertificate (RFC 6962 §3.2), with P-256 and P-384 keys
// (swift-crypto) and an RSA key (the real `openssl` tool), then embedded in a leaf and verified.

import Crypto
import Foundation
import SigilX509
import SwiftASN1
import Testing
import X509

/// A CT log signer for tests: the key's SPKI and a function that signs bytes (TLS signature algorithm given).
private struct TestCTLog {
    var spki: [UInt8]
    var signatureAlgorithm: UInt8
    var sign: ([UInt8]) throws -> [UInt8]

    var logID: [UInt8] { CertificateCoding.sha256(spki) }
    func key(validFrom: Date? = nil, validUntil: Date? = nil) throws -> CTLogKey {
        try CTLogKey(subjectPublicKeyInfo: spki, validFrom: validFrom, validUntil: validUntil)
    }

    static func p256() -> TestCTLog {
        let key = P256.Signing.PrivateKey()
        return TestCTLog(spki: Array(key.publicKey.derRepresentation), signatureAlgorithm: 3) {
            Array(try key.signature(for: $0).derRepresentation)
        }
    }

    static func p384() -> TestCTLog {
        let key = P384.Signing.PrivateKey()
        // CT signatures are always over SHA-256, whatever the curve.
        return TestCTLog(spki: Array(key.publicKey.derRepresentation), signatureAlgorithm: 3) {
            Array(try key.signature(for: SHA256.hash(data: $0)).derRepresentation)
        }
    }
}

/// An RSA-2048 key made and used by the `openssl` command-line tool.
private struct OpenSSLRSA {
    let directory: URL
    var keyPath: String { directory.appendingPathComponent("key.pem").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-x509-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try Self.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath])
    }

    func spki() throws -> [UInt8] { try Self.run(["pkey", "-in", keyPath, "-pubout", "-outform", "DER"]) }
    func pkcs1() throws -> [UInt8] { try Self.run(["rsa", "-in", keyPath, "-RSAPublicKey_out", "-outform", "DER"]) }

    func sign(_ data: [UInt8]) throws -> [UInt8] {
        let input = directory.appendingPathComponent("in-\(UUID().uuidString)")
        try Data(data).write(to: input)
        return try Self.run(["dgst", "-sha256", "-sign", keyPath, input.path])
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    static func run(_ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("openssl \(arguments) failed") }
        return [UInt8](data)
    }
}

/// Builds a leaf whose SCT list holds one SCT per signer, each signed over the leaf's precertificate entry.
/// `sctPosition` places the SCT list extension among the others (Fulcio puts it last).
private func leafWithSCTs(
    under issuer: Issued, logs: [TestCTLog], timestamp: UInt64, sctPosition: Int? = nil,
    key: P256.Signing.PrivateKey = .init(), serial: Certificate.SerialNumber = .init()
) throws -> Certificate {
    let extensions = try TestPKI.leafExtensions()
    let position = min(sctPosition ?? extensions.count, extensions.count)
    func build(_ scts: [SignedCertificateTimestamp]) throws -> Certificate {
        var all = extensions
        let value = try SignedCertificateTimestampList.serialize(extensionValue: scts)
        all.insert(Certificate.Extension(oid: FulcioOID.sctList, critical: false, value: value[...]), at: position)
        return try TestPKI.leaf(under: issuer, extensions: all, key: key, serial: serial)
    }
    // The precertificate TBS does not depend on the SCT contents, so a placeholder list gives the signed input.
    let placeholder = logs.map {
        SignedCertificateTimestamp(
            logID: $0.logID, timestamp: timestamp, signatureAlgorithm: $0.signatureAlgorithm, signature: [0])
    }
    let tbs = try PrecertificateTBS.reconstruct(from: build(placeholder))
    let issuerKeyHash = CertificateCoding.sha256(try CertificateCoding.subjectPublicKeyInfo(issuer.certificate))
    let signed = try logs.map { log in
        var sct = SignedCertificateTimestamp(
            logID: log.logID, timestamp: timestamp, signatureAlgorithm: log.signatureAlgorithm, signature: [])
        sct.signature = try log.sign(try SCTVerifier.signedData(sct: sct, issuerKeyHash: issuerKeyHash, tbs: tbs))
        return sct
    }
    return try build(signed)
}

private let sctTime: UInt64 = 1_700_000_010_000  // 10 s after TestPKI.start

@Suite("SCTs minted by test CT logs")
struct SCTIssuanceTests {
    let issuer: Issued

    init() throws { issuer = try TestPKI.root() }

    @Test func aP256LogSCTVerifies() throws {
        let log = TestCTLog.p256()
        let leaf = try leafWithSCTs(under: issuer, logs: [log], timestamp: sctTime)
        let verified = try SCTVerifier.verifyEmbeddedSCTs(
            in: leaf, issuer: issuer.certificate, logs: [try log.key()], at: [TestPKI.inside])
        #expect(verified.map(\.sct.timestamp) == [sctTime])
        #expect(verified.first?.log.logID == log.logID)
    }

    @Test func aP384LogSCTVerifies() throws {
        let log = TestCTLog.p384()
        let leaf = try leafWithSCTs(under: issuer, logs: [log], timestamp: sctTime)
        let verified = try SCTVerifier.verifyEmbeddedSCTs(
            in: leaf, issuer: issuer.certificate, logs: [try log.key()], at: [TestPKI.inside])
        #expect(verified.count == 1)
    }

    @Test func anRSALogSCTSignedByOpenSSLVerifiesWithSPKIAndPKCS1Keys() throws {
        let rsa = try OpenSSLRSA()
        defer { rsa.cleanUp() }
        let spki = try rsa.spki()
        let log = TestCTLog(spki: spki, signatureAlgorithm: 1, sign: rsa.sign)
        let leaf = try leafWithSCTs(under: issuer, logs: [log], timestamp: sctTime)
        let fromSPKI = try CTLogKey(subjectPublicKeyInfo: spki)
        let fromPKCS1 = try CTLogKey(pkcs1RSAPublicKey: try rsa.pkcs1(), logID: log.logID)
        #expect(fromPKCS1.subjectPublicKeyInfo == spki)
        for key in [fromSPKI, fromPKCS1] {
            let verified = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer.certificate, logs: [key], at: [])
            #expect(verified.count == 1)
        }
        // An RSA signature labelled ECDSA does not verify.
        let mislabelled = TestCTLog(spki: spki, signatureAlgorithm: 3, sign: rsa.sign)
        let wrongLabel = try leafWithSCTs(under: issuer, logs: [mislabelled], timestamp: sctTime)
        let error = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: wrongLabel, issuer: issuer.certificate, logs: [fromSPKI], at: [])
        }
        #expect(error?.code == .sctInvalid)
    }

    @Test func anSCTFromAnUnknownLogNextToATrustedOneIsSkipped() throws {
        let trusted = TestCTLog.p256()
        let unknown = TestCTLog.p256()
        let leaf = try leafWithSCTs(under: issuer, logs: [unknown, trusted], timestamp: sctTime)
        let verified = try SCTVerifier.verifyEmbeddedSCTs(
            in: leaf, issuer: issuer.certificate, logs: [try trusted.key()], at: [])
        #expect(verified.map(\.log.logID) == [trusted.logID])
        let error = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer.certificate, logs: [], at: [])
        }
        #expect(error?.code == .sctUnknownLog)
    }

    @Test func aBadSCTFromATrustedLogFailsEvenNextToAGoodOne() throws {
        let good = TestCTLog.p256()
        let other = TestCTLog.p256()
        // `liar` claims good's log ID but signs with another key.
        let liar = TestCTLog(spki: good.spki, signatureAlgorithm: 3, sign: other.sign)
        let leaf = try leafWithSCTs(under: issuer, logs: [good, liar], timestamp: sctTime)
        let error = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer.certificate, logs: [try good.key()], at: [])
        }
        #expect(error?.code == .sctInvalid)
    }

    @Test func anUnsupportedHashAlgorithmIsRejected() throws {
        let log = TestCTLog.p256()
        var sct = SignedCertificateTimestamp(
            logID: log.logID, timestamp: sctTime, signatureAlgorithm: 3, signature: [1])
        sct.hashAlgorithm = 5  // sha384
        let value = try SignedCertificateTimestampList.serialize(extensionValue: [sct])
        let leaf = try TestPKI.leaf(
            under: issuer,
            extensions: TestPKI.leafExtensions(extra: [
                Certificate.Extension(oid: FulcioOID.sctList, critical: false, value: value[...])
            ]))
        let error = #expect(throws: X509Error.self) {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer.certificate, logs: [try log.key()], at: [])
        }
        #expect(error?.code == .unsupportedSCTAlgorithm)
    }

    @Test(arguments: [0, 1, 3])
    func theSCTListIsRemovedWhereverItSits(position: Int) throws {
        let log = TestCTLog.p256()
        let key = P256.Signing.PrivateKey()
        let leaf = try leafWithSCTs(under: issuer, logs: [log], timestamp: sctTime, sctPosition: position, key: key)
        #expect(leaf.extensions[position].oid == FulcioOID.sctList)
        #expect(
            try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer.certificate, logs: [try log.key()], at: [])
                .count == 1)
        // The reconstruction equals the TBS of the same certificate built without the extension (what a CA
        // signs as the precertificate, minus the poison).
        let without = try TestPKI.leaf(
            under: issuer, extensions: Array(leaf.extensions.filter { $0.oid != FulcioOID.sctList }), key: key,
            serial: leaf.serialNumber)
        #expect(try PrecertificateTBS.reconstruct(from: leaf) == Array(without.tbsCertificateBytes))
    }

    @Test func logKeysThatAreNotECDSAOrRSAAreRejected() throws {
        let ed25519 = Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        let spki: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + ed25519
        let cases: [(String, () throws -> CTLogKey)] = [
            ("Ed25519", { try CTLogKey(subjectPublicKeyInfo: spki) }),
            (
                "P-521",
                { try CTLogKey(subjectPublicKeyInfo: Array(P521.Signing.PrivateKey().publicKey.derRepresentation)) }
            ),
            ("garbage", { try CTLogKey(subjectPublicKeyInfo: [0x30, 0x00]) }),
            ("short log ID", { try CTLogKey(subjectPublicKeyInfo: TestCTLog.p256().spki, logID: [1, 2, 3]) }),
            (
                "window ends before it starts",
                {
                    try CTLogKey(
                        subjectPublicKeyInfo: TestCTLog.p256().spki, validFrom: TestPKI.inside,
                        validUntil: TestPKI.start)
                }
            ),
            ("EC key as PKCS#1", { try CTLogKey(pkcs1RSAPublicKey: TestCTLog.p256().spki) }),
        ]
        for (name, make) in cases {
            let error = #expect(throws: X509Error.self, "\(name)") { _ = try make() }
            #expect(error?.code == .malformedLogKey, "\(name)")
        }
    }
}
