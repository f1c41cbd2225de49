// sigstore-python 4.5.1's own SCT check (`sigstore._internal.sct.verify_sct` with the CT keyring of a trusted
// root, as `sigstore sign` runs it on Fulcio's answer) on certificates issued by Sigil's real CA and static-ct-api
// CT log, through `Tests/Fixtures/ca/verify_sct.py`. Also two certificates it must refuse: the same SCT against a
// trusted root listing another CT key, and a leaf with one byte of its SAN changed.
//
// The peer is `<repo>/.venv/bin/python3` (what .ci/run installs), else `python3` on PATH, with sigstore 4.5.1
// importable. Without it the test is skipped with a message, except when the environment variable CI is set:
// then it fails.

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilCT
import SigilServiceTesting
import SigilTesting
import SigilX509
import SwiftASN1
import Testing
import X509

/// Where sigstore-python 4.5.1 is, if anywhere.
enum SigstorePythonPeer {
    static let version = "4.5.1"
    static let repository = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
    static let isCI = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty

    /// The interpreter as `(executable, leading arguments)`, or `nil` when no candidate imports sigstore 4.5.1.
    static let python: (executable: String, arguments: [String])? = {
        let candidates: [(String, [String])] = [
            (repository.appendingPathComponent(".venv/bin/python3").path, []), ("/usr/bin/env", ["python3"]),
        ]
        let probe = "import sigstore, sigstore._internal.sct; print(sigstore.__version__)"
        for (executable, arguments) in candidates where FileManager.default.isExecutableFile(atPath: executable) {
            if let result = try? runTool(executable, arguments + ["-c", probe]), result.status == 0,
                result.output.trimmingCharacters(in: .whitespacesAndNewlines) == version
            {
                return (executable, arguments)
            }
        }
        return nil
    }()

    static let missingMessage =
        "sigstore-python \(version) not found (\(repository.path)/.venv/bin/python3 or python3 on PATH): create the venv as .ci/run does"

    /// Runs `Tests/Fixtures/ca/verify_sct.py`; returns its exit status (0 accepted, 1 refused, 2 broken) and JSON.
    static func verifySCT(leaf: URL, chain: URL, trustedRoot: URL) throws -> (status: Int32, report: String) {
        let python = try #require(python, "CI is set and \(missingMessage)")
        let result = try runTool(
            python.executable,
            python.arguments + [Fixtures.url("ca/verify_sct.py").path, leaf.path, chain.path, trustedRoot.path])
        return (result.status, result.output + result.error)
    }
}

/// A trusted root with this CA chain and one CT log key, valid since 2020 (sigstore-python checks that the CT
/// key's `validFor.start` is in the past when it signs).
func trustedRootJSON(chain: [Certificate], ctKey: P256.Signing.PublicKey) throws -> [UInt8] {
    let since = TimeRange(start: try ProtoTimestamp(rfc3339: "2020-09-13T12:26:40Z"))
    let spki = Array(ctKey.derRepresentation)
    let root = TrustedRoot(
        tlogs: [],
        certificateAuthorities: [
            SigilBundle.CertificateAuthority(
                subject: SigilBundle.DistinguishedName(organization: "sigil.test", commonName: "test"),
                uri: "http://127.0.0.1:1", certChain: X509CertificateChain(
                    certificates: try chain.map { X509Certificate(rawBytes: try CertificateCoding.der($0)) }),
                validFor: since, operator: "sigil.test")
        ],
        ctlogs: [
            TransparencyLogInstance(
                baseUrl: "http://127.0.0.1:1/ct",
                publicKey: PublicKey(rawBytes: spki, keyDetails: .pkixECDSAP256SHA256, validFor: since),
                logId: LogId(keyId: CertificateCoding.sha256(spki)), operator: "sigil.test")
        ],
        timestampAuthorities: [])
    return root.jsonBytes()
}

@Suite("sigstore-python's SCT check on Sigil certificates")
struct SigstorePythonSCTTests {
    @Test(
        .enabled(
            if: SigstorePythonPeer.python != nil || SigstorePythonPeer.isCI, Comment(rawValue: SigstorePythonPeer.missingMessage)))
    func sigstorePythonAcceptsTheSCTOfAnIssuedCertificateAndRefusesForgeries() async throws {
        let fixture = try await OIDCFixture()
        let ca = try await StaticCTCA()
        // Two certificates first, so the one checked carries leaf_index 2 (a non-zero extension value).
        for _ in 0..<2 { _ = try await ca.issue("warmup@example.com") }
        let service = FulcioService(verifier: fixture.verifier, authority: ca.authority)
        let (_, csrPEM) = try sigstorePythonStyleCSR()
        let issued = try await service.createSigningCertificate(
            authorization: "Bearer \(try await fixture.emailToken())", body: csrRequestBody(csrPEM))
        #expect(try StaticCTExtensions.leafIndex(in: issued.signedCertificateTimestamp.extensions) == 2)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url
        }
        let pems = issued.certificatesPEM
        let leaf = try write("leaf.pem", Array((pems[0] + "\n").utf8))
        let chain = try write("chain.pem", Array((pems[1] + "\n" + pems[2] + "\n").utf8))
        let root = try write(
            "trusted_root.json", try trustedRootJSON(chain: issued.chain, ctKey: ca.base.ctKey.publicKey))

        let accepted = try SigstorePythonPeer.verifySCT(leaf: leaf, chain: chain, trustedRoot: root)
        #expect(accepted.status == 0, "\(accepted.report)")
        #expect(accepted.report.contains(#""ok": true"#), "\(accepted.report)")

        // The SCT is not from a log the trusted root lists.
        let otherRoot = try write(
            "other_root.json", try trustedRootJSON(chain: issued.chain, ctKey: P256.Signing.PrivateKey().publicKey))
        let wrongKey = try SigstorePythonPeer.verifySCT(leaf: leaf, chain: chain, trustedRoot: otherRoot)
        #expect(wrongKey.status == 1, "\(wrongKey.report)")
        #expect(wrongKey.report.contains("SCT verify failed"), "\(wrongKey.report)")

        // The leaf's SAN changed after the SCT was signed (alice → alicf): the precert TBS no longer matches.
        var der = try CertificateCoding.der(issued.certificate)
        let san = Array("alice@example.com".utf8)
        let at = try #require(
            (0...(der.count - san.count)).first { der[$0..<($0 + san.count)].elementsEqual(san) }, "SAN not in DER")
        der[at + 4] ^= 0x03
        let tamperedPEM = try PEMDocument(type: "CERTIFICATE", derBytes: der).pemString
        let tampered = try write("tampered.pem", Array((tamperedPEM + "\n").utf8))
        let forged = try SigstorePythonPeer.verifySCT(leaf: tampered, chain: chain, trustedRoot: root)
        #expect(forged.status == 1, "\(forged.report)")
        #expect(forged.report.contains("SCT verify failed"), "\(forged.report)")
    }
}
