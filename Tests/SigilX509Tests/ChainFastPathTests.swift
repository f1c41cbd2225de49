// The fast path of `FulcioChainVerifier.verify` (a leaf issued directly by a P-384 trust anchor, checked with the
// anchor's precomputed tables) must accept exactly the chains swift-certificates' full validation accepts. Each
// case changes one property of a Fulcio-shaped P-384 PKI and runs both paths on the same inputs, with the
// anchor's tables built before the case runs, so the table arithmetic is what answers.

import Crypto
import Foundation
@testable import SigilX509
import SwiftASN1
import Testing
import X509

/// A throwaway P-384 PKI shaped like Fulcio's public-good one: the root and the intermediate are both trust
/// anchors, and the intermediate issues the leaves.
struct P384PKI {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let time = start.addingTimeInterval(60)

    var rootKey = P384.Signing.PrivateKey()
    var intermediateKey = P384.Signing.PrivateKey()
    var root: Certificate
    var intermediate: Certificate

    static func name(_ commonName: String) throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName("sigil.test")
            CommonName(commonName)
        }
    }

    static func caExtensions(
        keyUsage: KeyUsage = KeyUsage(keyCertSign: true, cRLSign: true), isCA: Bool = true,
        eku: ExtendedKeyUsage? = nil, extra: [Certificate.Extension] = []
    ) throws -> Certificate.Extensions {
        var result = [
            try Certificate.Extension(keyUsage, critical: true),
            try Certificate.Extension(
                isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority,
                critical: true),
        ]
        if let eku { result.append(try Certificate.Extension(eku, critical: false)) }
        return try Certificate.Extensions(result + extra)
    }

    init(intermediateExtensions: Certificate.Extensions? = nil, intermediateValidity: ClosedRange<Date>? = nil) throws {
        let rootName = try Self.name("p384 root")
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: Self.start.addingTimeInterval(-86_400), notValidAfter: Self.start.addingTimeInterval(86_400 * 365),
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Self.caExtensions(), issuerPrivateKey: .init(rootKey))
        let validity = intermediateValidity
            ?? Self.start.addingTimeInterval(-86_400)...Self.start.addingTimeInterval(86_400 * 365)
        intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey),
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound,
            issuer: rootName, subject: try Self.name("p384 intermediate"), signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try intermediateExtensions ?? Self.caExtensions(eku: try ExtendedKeyUsage([.codeSigning])),
            issuerPrivateKey: .init(rootKey))
    }

    var anchors: [Certificate] { [intermediate, root] }

    static func leafExtensions(extra: [Certificate.Extension] = []) throws -> Certificate.Extensions {
        var fulcio = FulcioExtensions()
        fulcio.issuer = "https://issuer.sigil.test"
        fulcio.issuerV2 = "https://issuer.sigil.test"
        return try Certificate.Extensions([
            try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
            try Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false),
            try Certificate.Extension(SubjectAlternativeNames([.rfc822Name("signer@sigil.test")]), critical: true),
        ] + (try fulcio.certificateExtensions()) + extra)
    }

    /// A Fulcio-shaped leaf issued by the intermediate (or by `signer`, under the intermediate's name).
    func leaf(
        signer: P384.Signing.PrivateKey? = nil, issuer: DistinguishedName? = nil,
        algorithm: Certificate.SignatureAlgorithm = .ecdsaWithSHA384, version: Certificate.Version = .v3,
        extensions: Certificate.Extensions? = nil, subject: DistinguishedName = DistinguishedName(),
        publicKey: Certificate.PublicKey? = nil
    ) throws -> Certificate {
        try Certificate(
            version: version, serialNumber: .init(), publicKey: publicKey ?? .init(P256.Signing.PrivateKey().publicKey),
            notValidBefore: Self.start, notValidAfter: Self.start.addingTimeInterval(600),
            issuer: issuer ?? intermediate.subject, subject: subject, signatureAlgorithm: algorithm,
            extensions: try extensions ?? Self.leafExtensions(), issuerPrivateKey: .init(signer ?? intermediateKey))
    }
}

/// One case: a PKI, a leaf, and whether the full validation accepts it.
struct FastPathCase: CustomTestStringConvertible, Sendable {
    let name: String
    let accepted: Bool
    /// Whether the intermediate's key gets as far as verifying signatures (so its tables are built by the warm-up).
    var signs = true
    let build: @Sendable () throws -> (pki: P384PKI, leaf: Certificate)
    var testDescription: String { name }
}

let unknownCritical = try! Certificate.Extension(
    oid: [1, 3, 6, 1, 4, 1, 57264, 99, 1], critical: true, value: [0x05, 0x00])

let fastPathCases: [FastPathCase] = [
    FastPathCase(name: "a leaf the intermediate signed with ECDSA-SHA384", accepted: true) {
        let pki = try P384PKI(); return (pki, try pki.leaf())
    },
    FastPathCase(name: "a leaf signed with ECDSA-SHA256", accepted: true) {
        let pki = try P384PKI(); return (pki, try pki.leaf(algorithm: .ecdsaWithSHA256))
    },
    FastPathCase(name: "a leaf signed with ECDSA-SHA512", accepted: true) {
        let pki = try P384PKI(); return (pki, try pki.leaf(algorithm: .ecdsaWithSHA512))
    },
    FastPathCase(name: "a leaf signed by another key under the intermediate's name", accepted: false) {
        let pki = try P384PKI(); return (pki, try pki.leaf(signer: P384.Signing.PrivateKey()))
    },
    FastPathCase(name: "a leaf naming an issuer no anchor has", accepted: false) {
        let pki = try P384PKI(); return (pki, try pki.leaf(issuer: try P384PKI.name("someone else")))
    },
    FastPathCase(name: "a leaf with an unknown critical extension", accepted: false) {
        let pki = try P384PKI()
        return (pki, try pki.leaf(extensions: try P384PKI.leafExtensions(extra: [unknownCritical])))
    },
    FastPathCase(name: "a version 1 leaf with extensions", accepted: false) {
        let pki = try P384PKI(); return (pki, try pki.leaf(version: .v1))
    },
    FastPathCase(name: "an intermediate with an unknown critical extension", accepted: false, signs: false) {
        let pki = try P384PKI(intermediateExtensions: try P384PKI.caExtensions(
            eku: try ExtendedKeyUsage([.codeSigning]), extra: [unknownCritical]))
        return (pki, try pki.leaf())
    },
    FastPathCase(name: "an intermediate without keyCertSign", accepted: false) {
        let pki = try P384PKI(intermediateExtensions: try P384PKI.caExtensions(
            keyUsage: KeyUsage(digitalSignature: true), eku: try ExtendedKeyUsage([.codeSigning])))
        return (pki, try pki.leaf())
    },
    FastPathCase(name: "an intermediate that is not a CA", accepted: false) {
        let pki = try P384PKI(intermediateExtensions: try P384PKI.caExtensions(
            isCA: false, eku: try ExtendedKeyUsage([.codeSigning])))
        return (pki, try pki.leaf())
    },
    FastPathCase(name: "an intermediate whose EKU excludes codeSigning", accepted: false) {
        let pki = try P384PKI(intermediateExtensions: try P384PKI.caExtensions(eku: try ExtendedKeyUsage([.serverAuth])))
        return (pki, try pki.leaf())
    },
    FastPathCase(name: "an intermediate expired at the verification time", accepted: false) {
        let pki = try P384PKI(intermediateValidity: P384PKI.start.addingTimeInterval(-86_400)...P384PKI.start)
        return (pki, try pki.leaf())
    },
    FastPathCase(name: "a leaf with the intermediate's subject and key and no SAN (swift-certificates' loop rule)", accepted: false) {
        let pki = try P384PKI()
        var fulcio = FulcioExtensions()
        fulcio.issuer = "https://issuer.sigil.test"
        let extensions = try Certificate.Extensions([
            try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
            try Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false),
        ] + (try fulcio.certificateExtensions()))
        return (pki, try pki.leaf(
            extensions: extensions, subject: pki.intermediate.subject, publicKey: pki.intermediate.publicKey))
    },
    FastPathCase(name: "an intermediate whose name constraints exclude the leaf's email", accepted: false) {
        let constraints = NameConstraints(excludedEmailAddresses: ["sigil.test"])
        let pki = try P384PKI(intermediateExtensions: try P384PKI.caExtensions(
            eku: try ExtendedKeyUsage([.codeSigning]), extra: [try Certificate.Extension(constraints, critical: true)]))
        return (pki, try pki.leaf())
    },
]

@Suite("The P-384 chain fast path accepts exactly what swift-certificates accepts")
struct ChainFastPathTests {
    @Test("a chain assembled for the policies holds the certificates in order")
    func assembledChain() throws {
        let pki = try P384PKI()
        let leaf = try pki.leaf()
        let chain = try #require(UnverifiedCertificateChain.assembled(from: [leaf, pki.intermediate, pki.root]))
        #expect(Array(chain) == [leaf, pki.intermediate, pki.root])
        #expect(chain.leaf == leaf)
        #expect(UnverifiedCertificateChain.assembled(from: []) == nil)
    }

    @Test("both paths give the same answer once the anchor's tables are built", arguments: fastPathCases)
    func sameAnswer(_ testCase: FastPathCase) async throws {
        let (pki, leaf) = try testCase.build()
        let prepared = PreparedTrustAnchors(pki.anchors)
        // Two good leaves first: the intermediate's key builds its tables on the second use.
        let warmup = try P384PKI.leafExtensions()
        for _ in 0..<2 {
            let good = try pki.leaf(extensions: warmup)
            _ = FulcioChainVerifier.directChain(leaf: good, anchors: prepared, at: P384PKI.time)
        }
        #expect(prepared.anchorsWithTables == (testCase.signs ? 1 : 0))

        let fast = FulcioChainVerifier.directChain(leaf: leaf, anchors: prepared, at: P384PKI.time)
        let full: VerifiedCertificateChain?
        do {
            full = try await FulcioChainVerifier.verify(leaf: leaf, trustAnchors: pki.anchors, intermediates: [], at: P384PKI.time)
        } catch {
            full = nil
        }
        #expect((full != nil) == testCase.accepted, "swift-certificates' validation")
        #expect((fast != nil) == testCase.accepted, "the fast path")
        if let fast, let full {
            #expect(fast.certificates == full.certificates)
        }
        // And through the public entry point with the prepared anchors: same outcome.
        let viaPrepared: VerifiedCertificateChain?
        do {
            viaPrepared = try await FulcioChainVerifier.verify(leaf: leaf, anchors: prepared, at: P384PKI.time)
        } catch {
            viaPrepared = nil
        }
        #expect((viaPrepared != nil) == testCase.accepted)
    }

    @Test("a P-256 anchor is left to swift-certificates: the fast path declines, the full validation accepts")
    func p256AnchorDeclined() async throws {
        let root = try TestPKI.root()
        let intermediate = try TestPKI.intermediate(under: root)
        let leaf = try TestPKI.leaf(under: intermediate)
        let anchors = [intermediate.certificate, root.certificate]
        let prepared = PreparedTrustAnchors(anchors)
        #expect(FulcioChainVerifier.directChain(leaf: leaf, anchors: prepared, at: TestPKI.inside) == nil)
        let chain = try await FulcioChainVerifier.verify(leaf: leaf, anchors: prepared, at: TestPKI.inside)
        #expect(chain.issuer == intermediate.certificate)
        #expect(prepared.anchorsWithTables == 0)
    }

    @Test("a reused P-384 key builds its tables on the second use and answers as swift-crypto does before and after")
    func reusedKeyTables() throws {
        let pki = try P384PKI()
        let key = try #require(ReusedP384Key(pki.intermediate.publicKey))
        #expect(ReusedP384Key(try TestPKI.root().certificate.publicKey) == nil)  // P-256: not for this type
        let good = try pki.leaf()
        let forged = try pki.leaf(signer: P384.Signing.PrivateKey())
        #expect(!key.hasTable)
        #expect(key.isValidSignature(of: good))
        #expect(!key.hasTable)
        #expect(!key.isValidSignature(of: forged))
        #expect(key.hasTable)
        for algorithm in [Certificate.SignatureAlgorithm.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512] {
            #expect(key.isValidSignature(of: try pki.leaf(algorithm: algorithm)))
            #expect(!key.isValidSignature(of: try pki.leaf(signer: P384.Signing.PrivateKey(), algorithm: algorithm)))
        }
        // A signature over bytes: right algorithm verifies, a different one or a non-ECDSA one does not.
        let message = Array("signed attributes".utf8)
        let signature = Array(try pki.intermediateKey.signature(for: SHA256.hash(data: message)).derRepresentation)
        #expect(key.isValidSignature(signature, for: message, signatureAlgorithm: .ecdsaWithSHA256))
        #expect(!key.isValidSignature(signature, for: message, signatureAlgorithm: .ecdsaWithSHA384))
        #expect(!key.isValidSignature(signature, for: message, signatureAlgorithm: .ed25519))
        #expect(!key.isValidSignature(Array(signature.dropLast()), for: message, signatureAlgorithm: .ecdsaWithSHA256))
    }
}
