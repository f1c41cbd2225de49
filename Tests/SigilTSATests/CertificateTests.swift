// TSA key and certificate creation, PEM helpers, and the checks `TimeStampSigner` makes of its key and chain.

import Crypto
import Foundation
import SigilTSA
import SigilTimestamp
import SwiftASN1
import Testing
import X509

@Suite struct CertificateTests {
    @Test(arguments: ["P-256", "P-384"])
    func theLeafHasTheTimestampingProfile(_ curve: String) throws {
        let tsa = try TestTSA(curve: curve)
        let leaf = tsa.certificates.leaf
        let root = tsa.certificates.root

        let eku = try #require(leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage])
        #expect(eku.critical)
        #expect(Array(try ExtendedKeyUsage(eku)) == [.timeStamping])
        let keyUsage = try #require(leaf.extensions[oid: .X509ExtensionID.keyUsage])
        #expect(keyUsage.critical)
        #expect(try KeyUsage(keyUsage) == KeyUsage(digitalSignature: true))
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        let leafKeyID = try #require(try leaf.extensions.subjectKeyIdentifier)
        #expect(leafKeyID == SubjectKeyIdentifier(hash: leaf.publicKey))
        let authorityKeyID = try #require(try leaf.extensions.authorityKeyIdentifier)
        let rootKeyID = try #require(try root.extensions.subjectKeyIdentifier)
        #expect(authorityKeyID.keyIdentifier == rootKeyID.keyIdentifier)
        #expect(leaf.publicKey == tsa.certificates.signingKey.publicKey)
        #expect(leaf.issuer == root.subject)
        #expect(leaf.notValidBefore == TestTime.notBefore)
        #expect(leaf.notValidAfter == TestTime.notAfter)
        #expect(root.publicKey.isValidSignature(leaf.signature, for: leaf))

        #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        let rootUsage = try #require(root.extensions[oid: .X509ExtensionID.keyUsage])
        #expect(rootUsage.critical)
        #expect(try KeyUsage(rootUsage) == KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(root.issuer == root.subject)
        #expect(root.publicKey.isValidSignature(root.signature, for: root))
        #expect(root.publicKey == Certificate.PublicKey(tsa.certificates.rootKey.publicKey))
        try TimestampAuthority.checkSigningCertificateProfile(leaf)
    }

    @Test func opensslAcceptsTheLeafForTimestampSigning() throws {
        let directory = try TemporaryDirectory()
        let tsa = try TestTSA()
        try tsa.writePEMs(to: directory)
        let verify = try openssl(["verify", "-purpose", "timestampsign", "-CAfile", "root.pem", "tsa.pem"], in: directory)
        #expect(verify.succeeded, "\(verify.output) \(verify.error)")
        let text = try openssl(["x509", "-in", "tsa.pem", "-noout", "-text"], in: directory)
        #expect(text.output.contains("X509v3 Extended Key Usage: critical"))
        #expect(text.output.contains("Time Stamping"))
        #expect(text.output.contains("X509v3 Key Usage: critical"))
        #expect(text.output.contains("X509v3 Authority Key Identifier"))
        // The root is not a timestamping leaf.
        let rootAsLeaf = try openssl(["verify", "-purpose", "timestampsign", "-CAfile", "root.pem", "root.pem"], in: directory)
        #expect(!rootAsLeaf.succeeded)
    }

    @Test func anEmptyValidityPeriodIsRefused() {
        expectTSAError(.invalidConfiguration) {
            try TSACertificates.create(notValidBefore: TestTime.notAfter, notValidAfter: TestTime.notBefore)
        }
    }

    @Test func theCertificateChainPEMRoundTripsAndOpenSSLReadsIt() throws {
        let tsa = try TestTSA()
        let pem = try TimestampService.certificateChainPEM(tsa.certificates.chain)
        #expect(pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
        #expect(try TimestampService.certificates(pem: pem) == tsa.certificates.chain)
        let directory = try TemporaryDirectory()
        try directory.write("chain.pem", pem)
        let first = try openssl(["x509", "-in", "chain.pem", "-noout", "-subject"], in: directory)
        #expect(first.output.contains("CN = sigil-tsa"))
        #expect(!first.output.contains("sigil-tsa-root"))
    }

    @Test func aPEMChainWithOtherBlocksOrNoCertificateIsRefused() throws {
        let key = TimestampSigningKey.generateP256()
        let tsa = try TestTSA()
        let chain = try TimestampService.certificateChainPEM(tsa.certificates.chain)
        expectTSAError(.invalidPEM) { try TimestampService.certificates(pem: "") }
        expectTSAError(.invalidPEM) { try TimestampService.certificates(pem: "not pem") }
        expectTSAError(.invalidPEM) { try TimestampService.certificates(pem: chain + key.pemRepresentation) }
        expectTSAError(.invalidPEM) {
            try TimestampService.certificates(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        }
        expectTSAError(.invalidPEM) {
            try TimestampService.certificates(pem: String(repeating: chain, count: 17))
        }
    }

    @Test(arguments: ["P-256", "P-384"])
    func aSigningKeyRoundTripsThroughPEM(_ curve: String) throws {
        let key: TimestampSigningKey = curve == "P-384" ? .generateP384() : .generateP256()
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let loaded = try TimestampSigningKey(pemRepresentation: pem)
        #expect(loaded.publicKey == key.publicKey)
        #expect(loaded.digestAlgorithm == (curve == "P-384" ? .sha384 : .sha256))
        // openssl reads the key and names the curve.
        let directory = try TemporaryDirectory()
        try directory.write("key.pem", pem)
        let text = try openssl(["pkey", "-in", "key.pem", "-noout", "-text"], in: directory)
        #expect(text.output.contains(curve == "P-384" ? "NIST CURVE: P-384" : "NIST CURVE: P-256"), "\(text.output)")
        // A SEC 1 key written by openssl loads too.
        let sec1 = try openssl(["ec", "-in", "key.pem"], in: directory)
        #expect(try TimestampSigningKey(pemRepresentation: sec1.output).publicKey == key.publicKey)
    }

    @Test func aKeyThatIsNotP256OrP384IsRefused() throws {
        expectTSAError(.unsupportedKey) {
            try TimestampSigningKey(pemRepresentation: P521.Signing.PrivateKey().pemRepresentation)
        }
        expectTSAError(.unsupportedKey) { try TimestampSigningKey(pemRepresentation: "garbage") }
        expectTSAError(.invalidPEM) {
            try TimestampSigningKey(pemRepresentation: String(repeating: "A", count: 17 * 1024))
        }
    }

    @Test func theSignerRefusesAKeyThatIsNotTheLeafs() throws {
        let tsa = try TestTSA()
        expectTSAError(.keyMismatch) {
            try TimeStampSigner(
                signingKey: .generateP256(), certificateChain: tsa.certificates.chain, clock: { TestTime.genTime })
        }
    }

    @Test func theSignerRefusesALeafWithoutTheTimestampingProfile() throws {
        let tsa = try TestTSA()
        expectTSAError(.notTimestampingCertificate) {
            try TimeStampSigner(
                signingKey: TimestampSigningKey(tsa.certificates.rootKey), certificateChain: [tsa.certificates.root],
                clock: { TestTime.genTime })
        }
        // A leaf whose EKU is timeStamping but not critical.
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("lax-tsa") }
        let lax = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: TestTime.notBefore, notValidAfter: TestTime.notAfter,
            issuer: tsa.certificates.root.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.timeStamping])
            },
            issuerPrivateKey: Certificate.PrivateKey(tsa.certificates.rootKey))
        expectTSAError(.notTimestampingCertificate) {
            try TimeStampSigner(
                signingKey: TimestampSigningKey(key), certificateChain: [lax, tsa.certificates.root],
                clock: { TestTime.genTime })
        }
    }

    @Test func theSignerRefusesABrokenOrEmptyChain() throws {
        let tsa = try TestTSA()
        let other = try TestTSA()
        expectTSAError(.brokenChain) {
            try TimeStampSigner(
                signingKey: tsa.certificates.signingKey,
                certificateChain: [tsa.certificates.leaf, other.certificates.root], clock: { TestTime.genTime })
        }
        expectTSAError(.emptyChain) {
            try TimeStampSigner(signingKey: tsa.certificates.signingKey, certificateChain: [], clock: { TestTime.genTime })
        }
    }

    @Test func aSignerMadeFromPEMFilesSigns() async throws {
        let tsa = try TestTSA()
        let key = try TimestampSigningKey(pemRepresentation: tsa.certificates.signingKey.pemRepresentation)
        let chain = try TimestampService.certificates(pem: try TimestampService.certificateChainPEM(tsa.certificates.chain))
        let signer = try TimeStampSigner(signingKey: key, certificateChain: chain, clock: { TestTime.genTime })
        let data = Array("pem".utf8)
        let response = signer.respond(to: try TimeStampReq(hashing: data, nonce: 7).derEncoded())
        #expect(response.isGranted)
        _ = try await tsa.verifier.verify(responseDER: response.derEncoded, signature: data)
    }
}
