// Fulcio-profile rules on certificates built in the test with a throwaway P-256 PKI: one change per case.

import Crypto
import Foundation
import SigilX509
import SwiftASN1
import Testing
import X509

private func verifyChain(
    _ leaf: Certificate, root: Issued, intermediates: [Certificate], at time: Date = TestPKI.inside
) async throws -> VerifiedCertificateChain {
    try await FulcioChainVerifier.verify(
        leaf: leaf, trustAnchors: [root.certificate], intermediates: intermediates, at: time)
}

private func expectChainCode(
    _ code: X509Error.Code, _ leaf: Certificate, root: Issued, intermediates: [Certificate],
    at time: Date = TestPKI.inside, sourceLocation: SourceLocation = #_sourceLocation
) async {
    let error = await #expect(throws: X509Error.self, sourceLocation: sourceLocation) {
        _ = try await verifyChain(leaf, root: root, intermediates: intermediates, at: time)
    }
    #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
}

@Suite("Fulcio profile on built certificates")
struct BuiltCertificateTests {
    let root: Issued
    let intermediate: Issued

    init() throws {
        root = try TestPKI.root()
        intermediate = try TestPKI.intermediate(under: root)
    }

    @Test func aFulcioShapedLeafChainsThroughTheIntermediate() async throws {
        let leaf = try TestPKI.leaf(under: intermediate)
        let chain = try await verifyChain(leaf, root: root, intermediates: [intermediate.certificate])
        #expect(chain.certificates == [leaf, intermediate.certificate, root.certificate])
        #expect(chain.issuer == intermediate.certificate)
        #expect(chain.validationTime == TestPKI.inside)
        // The leaf's SAN is critical and was accepted.
        #expect(leaf.extensions[oid: .X509ExtensionID.subjectAlternativeName]?.critical == true)
    }

    @Test func caCertificatesMayBeGivenAsDER() async throws {
        let leaf = try TestPKI.leaf(under: intermediate)
        let chain = try await FulcioChainVerifier.verify(
            leaf: leaf, trustAnchorsDER: [try CertificateCoding.der(root.certificate)],
            intermediatesDER: [try CertificateCoding.der(intermediate.certificate)], at: TestPKI.inside)
        #expect(chain.certificates == [leaf, intermediate.certificate, root.certificate])
        let error = await #expect(throws: X509Error.self) {
            _ = try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchorsDER: [[0x30, 0x00]], intermediatesDER: [], at: TestPKI.inside)
        }
        #expect(error?.code == .malformedCertificate)
    }

    @Test func aLeafIssuedByTheRootDirectlyChains() async throws {
        let leaf = try TestPKI.leaf(under: root)
        let chain = try await verifyChain(leaf, root: root, intermediates: [])
        #expect(chain.certificates.count == 2)
    }

    @Test func validityBoundsAreInclusive() async throws {
        let leaf = try TestPKI.leaf(under: intermediate)
        for time in [leaf.notValidBefore, leaf.notValidAfter] {
            _ = try await verifyChain(leaf, root: root, intermediates: [intermediate.certificate], at: time)
        }
        for time in [leaf.notValidBefore.addingTimeInterval(-1), leaf.notValidAfter.addingTimeInterval(1)] {
            await expectChainCode(
                .notValidAtTime, leaf, root: root, intermediates: [intermediate.certificate], at: time)
        }
    }

    @Test func aLeafWithoutExtendedKeyUsageIsMissingCodeSigning() async throws {
        let leaf = try TestPKI.leaf(under: intermediate, extensions: TestPKI.leafExtensions(eku: nil))
        await expectChainCode(.missingCodeSigningEKU, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func aLeafWithOnlyServerAuthIsMissingCodeSigning() async throws {
        let leaf = try TestPKI.leaf(
            under: intermediate, extensions: TestPKI.leafExtensions(eku: try ExtendedKeyUsage([.serverAuth])))
        await expectChainCode(.missingCodeSigningEKU, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func aLeafWithTheWrongKeyUsageIsMissingDigitalSignature() async throws {
        let wrong = try TestPKI.leaf(
            under: intermediate, extensions: TestPKI.leafExtensions(keyUsage: KeyUsage(keyEncipherment: true)))
        await expectChainCode(.missingDigitalSignature, wrong, root: root, intermediates: [intermediate.certificate])
        let none = try TestPKI.leaf(under: intermediate, extensions: TestPKI.leafExtensions(keyUsage: nil))
        await expectChainCode(.missingDigitalSignature, none, root: root, intermediates: [intermediate.certificate])
    }

    @Test func aLeafThatIsACAIsRejected() async throws {
        let leaf = try TestPKI.leaf(
            under: intermediate,
            extensions: TestPKI.leafExtensions(extra: [
                try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true)
            ]))
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func aNonCriticalSANWithAnEmptySubjectIsRejected() async throws {
        var extensions = try TestPKI.leafExtensions()
        let index = try #require(extensions.firstIndex { $0.oid == .X509ExtensionID.subjectAlternativeName })
        extensions[index].critical = false
        let leaf = try TestPKI.leaf(under: intermediate, extensions: extensions)
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func aPrecertificateWithThePoisonExtensionIsRejected() async throws {
        let poison = Certificate.Extension(oid: FulcioOID.precertificatePoison, critical: true, value: [0x05, 0x00])
        let leaf = try TestPKI.leaf(under: intermediate, extensions: TestPKI.leafExtensions(extra: [poison]))
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func anIntermediateWithoutKeyCertSignIsRejected() async throws {
        let weak = try TestPKI.intermediate(
            under: root, extensions: TestPKI.caExtensions(keyUsage: KeyUsage(cRLSign: true), pathLength: 0))
        let leaf = try TestPKI.leaf(under: weak)
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [weak.certificate])
    }

    @Test func anIntermediateWhoseEKUExcludesCodeSigningIsRejected() async throws {
        let serverOnly = try TestPKI.intermediate(
            under: root, extensions: TestPKI.caExtensions(eku: try ExtendedKeyUsage([.serverAuth]), pathLength: 0))
        let leaf = try TestPKI.leaf(under: serverOnly)
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [serverOnly.certificate])
    }

    @Test func anIntermediateThatIsNotACAIsRejected() async throws {
        let notCA = try TestPKI.intermediate(
            under: root,
            extensions: [
                try Certificate.Extension(KeyUsage(keyCertSign: true), critical: true),
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
            ])
        let leaf = try TestPKI.leaf(under: notCA)
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [notCA.certificate])
    }

    @Test func anExpiredIntermediateIsRejectedAtTheLeafsTime() async throws {
        let expired = try TestPKI.intermediate(
            under: root, validity: TestPKI.start.addingTimeInterval(-7200)...TestPKI.start.addingTimeInterval(30))
        let leaf = try TestPKI.leaf(under: expired)
        _ = try await verifyChain(leaf, root: root, intermediates: [expired.certificate], at: TestPKI.start)  // control
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [expired.certificate])
    }

    @Test func aLeafSignedByAnotherKeyIsRejected() async throws {
        let impostor = Issued(certificate: intermediate.certificate, key: P256.Signing.PrivateKey())
        let leaf = try TestPKI.leaf(under: impostor)
        await expectChainCode(.chainNotValid, leaf, root: root, intermediates: [intermediate.certificate])
    }

    @Test func noTrustAnchorIsAnError() async throws {
        let leaf = try TestPKI.leaf(under: intermediate)
        let error = await #expect(throws: X509Error.self) {
            _ = try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchors: [], intermediates: [intermediate.certificate], at: TestPKI.inside)
        }
        #expect(error?.code == .missingTrustAnchor)
    }

    @Test func theLeafItselfAsTrustAnchorIsRejected() async throws {
        let leaf = try TestPKI.leaf(under: intermediate)
        let error = await #expect(throws: X509Error.self) {
            _ = try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchors: [leaf], intermediates: [], at: TestPKI.inside)
        }
        #expect(error?.code == .chainNotValid)
    }
}

@Suite("Identity and Fulcio extensions on built certificates")
struct BuiltIdentityTests {
    let issuer: Issued

    init() throws { issuer = try TestPKI.root() }

    @Test(
        "Each Sigstore SAN form gives its identity",
        arguments: [
            (GeneralName.rfc822Name("a@b.test"), SubjectAlternativeName(kind: .email, value: "a@b.test")),
            (
                .uniformResourceIdentifier("https://ci.test/w@refs/heads/main"),
                SubjectAlternativeName(kind: .uri, value: "https://ci.test/w@refs/heads/main")
            ),
            (
                .otherName(
                    .init(typeID: FulcioOID.otherNameSAN, value: try ASN1Any(erasing: ASN1UTF8String("user!gh.test")))),
                SubjectAlternativeName(kind: .username, value: "user!gh.test")
            ),
        ])
    func identityForms(_ name: GeneralName, _ expected: SubjectAlternativeName) throws {
        let leaf = try TestPKI.leaf(under: issuer, extensions: TestPKI.leafExtensions(san: [name]))
        #expect(try FulcioIdentity.identity(of: leaf) == expected)
    }

    @Test func nonSigstoreSANFormsAreIgnored() throws {
        let leaf = try TestPKI.leaf(
            under: issuer,
            extensions: TestPKI.leafExtensions(san: [
                .dnsName("host.test"),
                .otherName(.init(typeID: [1, 2, 3, 4], value: try ASN1Any(erasing: ASN1UTF8String("x")))),
                .rfc822Name("a@b.test"),
            ]))
        #expect(try FulcioIdentity.identity(of: leaf) == SubjectAlternativeName(kind: .email, value: "a@b.test"))
    }

    @Test func noSigstoreSANIsMissingIdentity() throws {
        for san: [GeneralName] in [[], [.dnsName("host.test")]] {
            let leaf = try TestPKI.leaf(under: issuer, extensions: TestPKI.leafExtensions(san: san))
            let error = #expect(throws: X509Error.self) { _ = try FulcioIdentity.identity(of: leaf) }
            #expect(error?.code == .missingIdentity)
        }
    }

    @Test func twoSigstoreSANsAreAmbiguous() throws {
        let leaf = try TestPKI.leaf(
            under: issuer, extensions: TestPKI.leafExtensions(san: [.rfc822Name("a@b.test"), .rfc822Name("c@d.test")]))
        #expect(try FulcioIdentity.subjectAlternativeNames(of: leaf).count == 2)
        let error = #expect(throws: X509Error.self) { _ = try FulcioIdentity.identity(of: leaf) }
        #expect(error?.code == .malformedSubjectAlternativeName)
    }

    @Test func aUsernameOtherNameThatIsNotAUTF8StringIsMalformed() throws {
        let printable = try ASN1Any(erasing: ASN1PrintableString("user"))
        let leaf = try TestPKI.leaf(
            under: issuer,
            extensions: TestPKI.leafExtensions(san: [
                .otherName(.init(typeID: FulcioOID.otherNameSAN, value: printable))
            ]))
        let error = #expect(throws: X509Error.self) { _ = try FulcioIdentity.identity(of: leaf) }
        #expect(error?.code == .malformedSubjectAlternativeName)
    }

    @Test func everyFulcioExtensionRoundTrips() throws {
        var all = FulcioExtensions()
        let paths: [WritableKeyPath<FulcioExtensions, String?>] = [
            \.issuer, \.githubWorkflowTrigger, \.githubWorkflowSHA, \.githubWorkflowName, \.githubWorkflowRepository,
            \.githubWorkflowRef, \.issuerV2, \.buildSignerURI, \.buildSignerDigest, \.runnerEnvironment,
            \.sourceRepositoryURI, \.sourceRepositoryDigest, \.sourceRepositoryRef, \.sourceRepositoryIdentifier,
            \.sourceRepositoryOwnerURI, \.sourceRepositoryOwnerIdentifier, \.buildConfigURI, \.buildConfigDigest,
            \.buildTrigger, \.runInvocationURI, \.sourceRepositoryVisibilityAtSigning, \.deploymentEnvironment,
            \.tokenSubject,
        ]
        for (index, path) in paths.enumerated() { all[keyPath: path] = "value \(index) ✓" }
        all.issuerV2 = all.issuer
        let encoded = try all.certificateExtensions()
        #expect(encoded.count == 23)
        let leaf = try TestPKI.leaf(under: issuer, extensions: TestPKI.leafExtensions(fulcio: all))
        #expect(try FulcioExtensions(leaf) == all)
        // .1 is raw bytes, .8 a DER UTF8String.
        #expect(leaf.extensions[oid: FulcioOID.issuer]?.value == Array("value 0 ✓".utf8)[...])
        #expect(leaf.extensions[oid: FulcioOID.issuerV2]?.value.first == 0x0C)
    }

    static let malformedExtensions: [(String, Certificate.Extension)] = [
        (
            "raw bytes where .8 needs a DER UTF8String",
            Certificate.Extension(oid: FulcioOID.issuerV2, critical: false, value: Array("https://x.test".utf8)[...])
        ),
        (
            "PrintableString in .9",
            Certificate.Extension(oid: FulcioOID.buildSignerURI, critical: false, value: [0x13, 0x01, 0x61])
        ),
        (
            "trailing byte after the .12 UTF8String",
            Certificate.Extension(oid: FulcioOID.sourceRepositoryURI, critical: false, value: [0x0C, 0x01, 0x61, 0x00])
        ),
        (
            "truncated .20 UTF8String",
            Certificate.Extension(oid: FulcioOID.buildTrigger, critical: false, value: [0x0C, 0x05, 0x61])
        ),
        (
            "invalid UTF-8 in raw .2",
            Certificate.Extension(oid: FulcioOID.githubWorkflowTrigger, critical: false, value: [0x61, 0xFF])
        ),
        (
            "invalid UTF-8 inside the .11 UTF8String",
            Certificate.Extension(oid: FulcioOID.runnerEnvironment, critical: false, value: [0x0C, 0x02, 0xC3, 0x28])
        ),
    ]

    @Test func malformedFulcioExtensionsAreRejected() throws {
        #expect(Self.malformedExtensions.count == 6)
        for (name, ext) in Self.malformedExtensions {
            let leaf = try TestPKI.leaf(
                under: issuer, extensions: TestPKI.leafExtensions(fulcio: FulcioExtensions(), extra: [ext]))
            let error = #expect(throws: X509Error.self, "\(name)") { _ = try FulcioExtensions(leaf) }
            #expect(error?.code == .malformedExtension, "\(name)")
        }
    }

    @Test func disagreeingIssuerExtensionsAreRejected() throws {
        var fulcio = TestPKI.defaultFulcio
        fulcio.issuerV2 = "https://other.sigil.test"
        let leaf = try TestPKI.leaf(under: issuer, extensions: TestPKI.leafExtensions(fulcio: fulcio))
        let error = #expect(throws: X509Error.self) { _ = try FulcioExtensions(leaf) }
        #expect(error?.code == .malformedExtension)
    }

    @Test func onlyTheV2IssuerIsUsedWhenTheRawOneIsAbsent() throws {
        var fulcio = FulcioExtensions()
        fulcio.issuerV2 = "https://v2.sigil.test"
        let leaf = try TestPKI.leaf(under: issuer, extensions: TestPKI.leafExtensions(fulcio: fulcio))
        let read = try FulcioExtensions(leaf)
        #expect(read.issuer == nil)
        #expect(read.oidcIssuer == "https://v2.sigil.test")
    }
}
