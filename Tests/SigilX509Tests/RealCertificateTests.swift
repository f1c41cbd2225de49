// Behaviour on the real Fulcio leaves of every expected-PASS bundle in Tests/Fixtures/sigstore-public.

import Foundation
import SigilX509
import Testing
import X509

@Suite("Real Fulcio certificates")
struct RealCertificateTests {
    @Test func theFixtureTableIsNotEmpty() {
        #expect(realLeaves.count == 7)
    }

    @Test("The SAN identity equals the README's", arguments: realLeaves)
    func identityMatchesTheReadme(_ fixture: RealLeaf) throws {
        let identity = try FulcioIdentity.identity(of: fixture.leaf())
        #expect(identity.value == fixture.identity)
        #expect(identity.kind == fixture.identityKind)
    }

    @Test("The OIDC issuer extension equals the README's", arguments: realLeaves)
    func issuerMatchesTheReadme(_ fixture: RealLeaf) throws {
        let extensions = try FulcioExtensions(fixture.leaf())
        #expect(extensions.issuer == fixture.issuer)
        #expect(extensions.oidcIssuer == fixture.issuer)
        #expect(extensions.issuerV2 == nil || extensions.issuerV2 == fixture.issuer)
    }

    @Test("The leaf chains to its Fulcio CA at a time inside its validity", arguments: realLeaves)
    func leafChainsToItsCA(_ fixture: RealLeaf) async throws {
        let leaf = try fixture.leaf()
        let root = try TrustedRootFixture(environment: fixture.environment)
        let chain = try await FulcioChainVerifier.verify(
            leaf: leaf, trustAnchors: root.anchors, intermediates: root.intermediates, at: leaf.timeInsideValidity)
        #expect(chain.leaf == leaf)
        #expect(chain.certificates.count == 3)
        #expect(root.anchors.contains(chain.certificates[2]))
        #expect(root.intermediates.contains(chain.issuer))
    }

    @Test("The embedded SCT verifies against the trusted root's CT logs", arguments: realLeaves)
    func sctVerifies(_ fixture: RealLeaf) async throws {
        let leaf = try fixture.leaf()
        let root = try TrustedRootFixture(environment: fixture.environment)
        let time = leaf.timeInsideValidity
        let chain = try await FulcioChainVerifier.verify(
            leaf: leaf, trustAnchors: root.anchors, intermediates: root.intermediates, at: time)
        let verified = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: chain.issuer, logs: root.ctLogs, at: [time])
        #expect(verified.count == 1)
        #expect(verified.first?.sct.date ?? .distantPast >= leaf.notValidBefore.addingTimeInterval(-1))
        #expect(verified.first?.sct.date ?? .distantFuture <= leaf.notValidAfter)
    }

    @Test("Times outside the leaf's validity are rejected", arguments: realLeaves)
    func timeOutsideValidityFails(_ fixture: RealLeaf) async throws {
        let leaf = try fixture.leaf()
        let root = try TrustedRootFixture(environment: fixture.environment)
        for time in [leaf.notValidBefore.addingTimeInterval(-1), leaf.notValidAfter.addingTimeInterval(1)] {
            let error = await #expect(throws: X509Error.self) {
                try await FulcioChainVerifier.verify(
                    leaf: leaf, trustAnchors: root.anchors, intermediates: root.intermediates, at: time)
            }
            #expect(error?.code == .notValidAtTime)
        }
    }

    @Test("A leaf checked against the other environment's root has no valid chain", arguments: realLeaves)
    func wrongEnvironmentFails(_ fixture: RealLeaf) async throws {
        let leaf = try fixture.leaf()
        let other = try TrustedRootFixture(environment: fixture.environment == "staging" ? "production" : "staging")
        let error = await #expect(throws: X509Error.self) {
            try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchors: other.anchors, intermediates: other.intermediates, at: leaf.timeInsideValidity
            )
        }
        #expect(error?.code == .chainNotValid)
    }

    @Test("Without the intermediate the chain does not build", arguments: realLeaves)
    func missingIntermediateFails(_ fixture: RealLeaf) async throws {
        let leaf = try fixture.leaf()
        let root = try TrustedRootFixture(environment: fixture.environment)
        let error = await #expect(throws: X509Error.self) {
            try await FulcioChainVerifier.verify(
                leaf: leaf, trustAnchors: root.anchors, intermediates: [], at: leaf.timeInsideValidity)
        }
        #expect(error?.code == .chainNotValid)
    }

    @Test func gitHubWorkflowExtensionsAreDecoded() throws {
        let leaf = try #require(realLeaves.first { $0.bundle == "bundle_v3_github.whl.sigstore" }).leaf()
        let ext = try FulcioExtensions(leaf)
        #expect(ext.githubWorkflowTrigger == "release")
        #expect(ext.githubWorkflowSHA == "d8b4a6445f38c48b9137a8099706d9b8073146e4")
        #expect(ext.githubWorkflowName == "release")
        #expect(ext.githubWorkflowRepository == "trailofbits/rfc8785.py")
        #expect(ext.githubWorkflowRef == "refs/tags/v0.1.2")
        #expect(ext.issuerV2 == "https://token.actions.githubusercontent.com")
        #expect(
            ext.buildSignerURI
                == "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2")
        #expect(ext.buildSignerDigest == "d8b4a6445f38c48b9137a8099706d9b8073146e4")
        #expect(ext.runnerEnvironment == "github-hosted")
        #expect(ext.sourceRepositoryURI == "https://github.com/trailofbits/rfc8785.py")
        #expect(ext.sourceRepositoryDigest == "d8b4a6445f38c48b9137a8099706d9b8073146e4")
        #expect(ext.sourceRepositoryRef == "refs/tags/v0.1.2")
        #expect(ext.sourceRepositoryIdentifier == "768213997")
        #expect(ext.sourceRepositoryOwnerURI == "https://github.com/trailofbits")
        #expect(ext.sourceRepositoryOwnerIdentifier == "2314423")
        #expect(
            ext.buildConfigURI
                == "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2")
        #expect(ext.buildConfigDigest == "d8b4a6445f38c48b9137a8099706d9b8073146e4")
        #expect(ext.buildTrigger == "release")
        #expect(ext.runInvocationURI == "https://github.com/trailofbits/rfc8785.py/actions/runs/8351058501/attempts/1")
        #expect(ext.sourceRepositoryVisibilityAtSigning == "public")
        #expect(ext.deploymentEnvironment == nil)
        #expect(ext[FulcioOID.sourceRepositoryRef] == "refs/tags/v0.1.2")
    }

    @Test("Re-encoding the Fulcio extensions gives the certificate's bytes", arguments: realLeaves)
    func fulcioExtensionsRoundTrip(_ fixture: RealLeaf) throws {
        let leaf = try fixture.leaf()
        let encoded = try FulcioExtensions(leaf).certificateExtensions()
        #expect(!encoded.isEmpty)
        for ext in encoded {
            #expect(leaf.extensions[oid: ext.oid] == ext)
        }
    }

    @Test("PEM and DER convert both ways", arguments: realLeaves)
    func pemRoundTrip(_ fixture: RealLeaf) throws {
        let der = try fixture.leafDER()
        let pem = CertificateCoding.pem(der: der, type: "CERTIFICATE")
        let parsed = try CertificateCoding.certificates(pem: pem + pem)
        #expect(parsed.count == 2)
        #expect(try CertificateCoding.der(parsed[0]) == der)
        #expect(try CertificateCoding.der(pem: pem, type: "CERTIFICATE") == der)
    }
}
