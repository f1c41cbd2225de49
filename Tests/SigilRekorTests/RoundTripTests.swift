// A whole Rekor v2 write, end to end and without mocks: a Fulcio-shaped certificate with an SCT from a test CT
// log, a request as sigstore-python sends it, the validated entry, a one-entry tree (SigilMerkle) under a
// checkpoint signed by a test Ed25519 log key, the JSON answer, then a v0.3 bundle with an RFC 3161 timestamp
// from `openssl ts` that SigilVerify's `Verifier` accepts against a trusted root listing all of these keys.

import Crypto
import Foundation
import SigilBundle
import SigilMerkle
import SigilRekor
import SigilTesting
import SigilTlog
import SigilVerify
import SigilX509
import SwiftASN1
import Testing
import X509

/// The test's own Sigstore: CA, CT log, transparency log, TSA (OpenSSL, from the timestamp fixtures).
private struct TestSigstore {
    let now = Date()
    let rootKey = P256.Signing.PrivateKey()
    let intermediateKey = P256.Signing.PrivateKey()
    let ctKey = P256.Signing.PrivateKey()
    let logKey = Curve25519.Signing.PrivateKey()
    let origin = "rekor.sigil.test"
    let root: Certificate
    let intermediate: Certificate

    static let identity = "signer@sigil.test"
    static let issuer = "https://issuer.sigil.test"

    init() throws {
        let caValidity = now.addingTimeInterval(-86_400)...now.addingTimeInterval(86_400)
        let rootName = try X509.DistinguishedName {
            OrganizationName("sigil.test")
            CommonName("rekor test root")
        }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: caValidity.lowerBound, notValidAfter: caValidity.upperBound, issuer: rootName,
            subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
            },
            issuerPrivateKey: .init(rootKey))
        intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey),
            notValidBefore: caValidity.lowerBound, notValidAfter: caValidity.upperBound, issuer: rootName,
            subject: try X509.DistinguishedName {
                OrganizationName("sigil.test")
                CommonName("rekor test intermediate")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                try ExtendedKeyUsage([.codeSigning])
            },
            issuerPrivateKey: .init(rootKey))
    }

    /// A 10-minute Fulcio-shaped leaf for `key` with one SCT from the test CT log embedded.
    func leaf(for key: P256.Signing.PrivateKey) throws -> Certificate {
        var fulcio = FulcioExtensions()
        fulcio.issuer = Self.issuer
        fulcio.issuerV2 = Self.issuer
        let extensions: [Certificate.Extension] =
            [
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false),
                try Certificate.Extension(SubjectAlternativeNames([.rfc822Name(Self.identity)]), critical: true),
            ] + (try fulcio.certificateExtensions())
        let serial = Certificate.SerialNumber()
        func build(_ scts: [SignedCertificateTimestamp]) throws -> Certificate {
            let value = try SignedCertificateTimestampList.serialize(extensionValue: scts)
            let all = extensions + [Certificate.Extension(oid: FulcioOID.sctList, critical: false, value: value[...])]
            return try Certificate(
                version: .v3, serialNumber: serial, publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(600),
                issuer: intermediate.subject, subject: X509.DistinguishedName(), signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions(all), issuerPrivateKey: .init(intermediateKey))
        }
        let ctSPKI = Array(ctKey.publicKey.derRepresentation)
        let logID = CertificateCoding.sha256(ctSPKI)
        let timestamp = UInt64(now.timeIntervalSince1970 * 1000)
        // The precertificate TBS does not depend on the SCT list's contents, so a placeholder gives the input.
        let placeholder = SignedCertificateTimestamp(
            logID: logID, timestamp: timestamp, signatureAlgorithm: 3, signature: [0])
        let tbs = try PrecertificateTBS.reconstruct(from: build([placeholder]))
        let issuerKeyHash = CertificateCoding.sha256(try CertificateCoding.subjectPublicKeyInfo(intermediate))
        var sct = SignedCertificateTimestamp(logID: logID, timestamp: timestamp, signatureAlgorithm: 3, signature: [])
        sct.signature = Array(
            try ctKey.signature(
                for: try SCTVerifier.signedData(sct: sct, issuerKeyHash: issuerKeyHash, tbs: tbs)
            ).derRepresentation)
        return try build([sct])
    }

    /// An RFC 3161 TimeStampResp over `signature` from `openssl ts -reply` with the timestamp fixtures' EC TSA.
    func timestamp(over signature: [UInt8]) throws -> (response: [UInt8], chain: [[UInt8]]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sigil-rekor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["tsa.cnf", "tsa-ec.pem", "tsa-ec.key", "root.pem"] {
            try Data(try Fixtures.bytes("timestamp/openssl/\(name)")).write(to: directory.appendingPathComponent(name))
        }
        try Data("01\n".utf8).write(to: directory.appendingPathComponent("serial"))
        try Data(signature).write(to: directory.appendingPathComponent("signature.bin"))
        try openssl(["ts", "-query", "-data", "signature.bin", "-sha256", "-cert", "-out", "query.tsq"], in: directory)
        try openssl(
            [
                "ts", "-reply", "-config", "tsa.cnf", "-section", "tsa_ec", "-queryfile", "query.tsq", "-out",
                "reply.tsr",
            ], in: directory)
        let response = [UInt8](try Data(contentsOf: directory.appendingPathComponent("reply.tsr")))
        let chain = try ["tsa-ec.pem", "root.pem"].map {
            try CertificateCoding.der(pem: try Fixtures.text("timestamp/openssl/\($0)"), type: "CERTIFICATE")
        }
        return (response, chain)
    }

    /// A trusted root with this test's CA, CT log, transparency log and TSA.
    func trustedRoot(tsaChain: [[UInt8]]) throws -> TrustedRoot {
        let since = TimeRange(start: try ProtoTimestamp(rfc3339: "2000-01-01T00:00:00Z"))
        let log = try RekorLogIdentity(origin: origin, publicKey: logKey.publicKey)
        let ctSPKI = Array(ctKey.publicKey.derRepresentation)
        return TrustedRoot(
            tlogs: [
                TransparencyLogInstance(
                    baseUrl: "https://\(origin)",
                    publicKey: PublicKey(rawBytes: log.subjectPublicKeyInfo, keyDetails: .pkixEd25519, validFor: since),
                    logId: LogId(keyId: log.logID))
            ],
            certificateAuthorities: [
                CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: "sigil.test", commonName: "rekor test"),
                    uri: "https://fulcio.sigil.test",
                    certChain: X509CertificateChain(certificates: [
                        X509Certificate(rawBytes: try CertificateCoding.der(intermediate)),
                        X509Certificate(rawBytes: try CertificateCoding.der(root)),
                    ]),
                    validFor: since)
            ],
            ctlogs: [
                TransparencyLogInstance(
                    baseUrl: "https://ct.sigil.test",
                    publicKey: PublicKey(rawBytes: ctSPKI, keyDetails: .pkixECDSAP256SHA256, validFor: since),
                    logId: LogId(keyId: CertificateCoding.sha256(ctSPKI)))
            ],
            timestampAuthorities: [
                CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: "sigil.test", commonName: "tsa"),
                    uri: "https://tsa.sigil.test",
                    certChain: X509CertificateChain(certificates: tsaChain.map { X509Certificate(rawBytes: $0) }),
                    validFor: since)
            ])
    }
}

@Suite("A Rekor v2 answer round trip")
struct RoundTripTests {
    @Test("an answer for index 0 of a one-entry tree parses as a TransparencyLogEntry and its bundle verifies")
    func roundTrip() async throws {
        let sigstore = try TestSigstore()
        let signingKey = P256.Signing.PrivateKey()
        let leaf = try sigstore.leaf(for: signingKey)
        let leafDER = try CertificateCoding.der(leaf)
        let artifact = Array("a file signed through Sigil's Rekor v2 personality\n".utf8)
        let digest = Array(SHA256.hash(data: artifact))
        let signature = Array(try signingKey.signature(for: artifact).derRepresentation)

        // 1. The request, as sigstore-python writes it; the validator's entry.
        let request = requestJSON(
            digest: digest, signature: signature, verifierDER: leafDER, keyDetails: "PKIX_ECDSA_P256_SHA_256")
        let entry = try RekorEntryValidator().validate(Array(request.utf8))

        // 2. A one-entry tree: the root is the leaf hash, the proof is empty; a checkpoint signed by the log.
        let log = try RekorLogIdentity(origin: sigstore.origin, publicKey: sigstore.logKey.publicKey)
        var tree = CompactRange()
        tree.append(entry.leafHash)
        let proof = try Merkle.inclusionProof(index: 0, size: 1) { level, index in
            guard level == 0, index == 0 else { throw MerkleError(.nodeUnavailable, "\(level)/\(index)") }
            return entry.leafHash
        }
        #expect(proof.isEmpty)
        let checkpoint = try SigilTlog.Checkpoint(origin: sigstore.origin, size: 1, rootHash: tree.root)
        let signer = try NoteSigner.ed25519(name: sigstore.origin, privateKey: sigstore.logKey)
        let envelope = try checkpoint.sign(with: [signer]).serialized

        // 3. The answer, then parsed back strictly as a client would.
        let answer = try RekorResponse.transparencyLogEntry(
            for: entry, logIndex: 0, log: log, inclusionProof: proof, checkpoint: envelope)
        let http = RekorResponse.httpResponse(answer)
        #expect(http.status == 201)
        let text = String(decoding: http.body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"logIndex":"0","logId":{"keyId":""#))
        #expect(
            text.contains(
                #""kindVersion":{"kind":"hashedrekord","version":"0.0.2"},"integratedTime":"0","inclusionPromise":null,"inclusionProof":{"logIndex":"0","rootHash":""#
            ))
        #expect(text.contains(#""treeSize":"1","hashes":[],"checkpoint":{"envelope":""#))
        let parsed = try TransparencyLogEntry.parse(http.body)
        #expect(parsed == answer)
        #expect(parsed.logId.keyId == log.logID)
        #expect(parsed.canonicalizedBody == entry.canonicalBody)
        #expect(parsed.inclusionProof?.rootHash == entry.leafHash.bytes)

        // 4. A v0.3 bundle with the certificate, the signature, the entry and a timestamp, verified by Sigil.
        let (timestamp, tsaChain) = try sigstore.timestamp(over: signature)
        let bundle = SigstoreBundle(
            mediaType: .v0_3,
            verificationMaterial: VerificationMaterial(
                content: .certificate(X509Certificate(rawBytes: leafDER)), tlogEntries: [parsed],
                timestampVerificationData: TimestampVerificationData(
                    rfc3161Timestamps: [RFC3161SignedTimestamp(signedTimestamp: timestamp)])),
            content: .messageSignature(
                MessageSignature(
                    messageDigest: HashOutput(algorithm: .sha2_256, digest: digest), signature: signature)))
        let reparsed = try SigstoreBundle.parse(bundle.jsonBytes())
        let verifier = try SigilVerify.Verifier(trustedRoot: try sigstore.trustedRoot(tsaChain: tsaChain))
        #expect(verifier.skippedKeys.isEmpty, "\(verifier.skippedKeys)")
        let result = try await verifier.verify(
            reparsed, artifact: Artifact(bytes: artifact),
            policy: .identity(TestSigstore.identity, issuer: TestSigstore.issuer))
        #expect(result.identity == TestSigstore.identity)
        #expect(result.logEntries.map(\.logIndex) == [0])
        #expect(result.logEntries.first?.kind == "hashedrekord")

        // And a bundle whose entry is for another artifact is refused by the same verifier.
        let otherArtifact = Array("another file".utf8)
        await #expect(throws: VerificationError.self) {
            _ = try await verifier.verify(
                reparsed, artifact: Artifact(bytes: otherArtifact),
                policy: .identity(TestSigstore.identity, issuer: TestSigstore.issuer))
        }
    }

    @Test("a DSSE attestation logged as a hashedrekord over its PAE makes a bundle that verifies")
    func dsseRoundTrip() async throws {
        let sigstore = try TestSigstore()
        let signingKey = P256.Signing.PrivateKey()
        let leafDER = try CertificateCoding.der(try sigstore.leaf(for: signingKey))
        let artifact = Array("an attested file\n".utf8)
        let statement = """
            {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.txt","digest":{"sha256":"\(Hex.encode(SHA256.hash(data: artifact)))"}}],\
            "predicateType":"https://sigil.test/predicate/v1","predicate":{}}
            """
        var envelope = DSSEEnvelope(
            payload: Array(statement.utf8), payloadType: DSSEEnvelope.inTotoPayloadType, signatures: [])
        let pae = envelope.preAuthenticationEncoding
        let signature = Array(try signingKey.signature(for: pae).derRepresentation)
        envelope.signatures = [DSSESignature(sig: signature)]

        // SPEC: services.md §0.9 — what sigstore-python's `attest` sends to a Rekor v2 log.
        let request = requestJSON(
            digest: Array(SHA256.hash(data: pae)), signature: signature, verifierDER: leafDER,
            keyDetails: "PKIX_ECDSA_P256_SHA_256")
        let entry = try RekorEntryValidator().validate(Array(request.utf8))
        let log = try RekorLogIdentity(origin: sigstore.origin, publicKey: sigstore.logKey.publicKey)
        let envelopeText = try SigilTlog.Checkpoint(origin: sigstore.origin, size: 1, rootHash: entry.leafHash)
            .sign(with: [try NoteSigner.ed25519(name: sigstore.origin, privateKey: sigstore.logKey)]).serialized
        let answer = try TransparencyLogEntry.parse(
            RekorResponse.json(
                try RekorResponse.transparencyLogEntry(
                    for: entry, logIndex: 0, log: log, inclusionProof: [], checkpoint: envelopeText)))

        let (timestamp, tsaChain) = try sigstore.timestamp(over: signature)
        let bundle = SigstoreBundle(
            mediaType: .v0_3,
            verificationMaterial: VerificationMaterial(
                content: .certificate(X509Certificate(rawBytes: leafDER)), tlogEntries: [answer],
                timestampVerificationData: TimestampVerificationData(
                    rfc3161Timestamps: [RFC3161SignedTimestamp(signedTimestamp: timestamp)])),
            content: .dsseEnvelope(envelope))
        let verifier = try SigilVerify.Verifier(trustedRoot: try sigstore.trustedRoot(tsaChain: tsaChain))
        let result = try await verifier.verify(
            try SigstoreBundle.parse(bundle.jsonBytes()), artifact: Artifact(bytes: artifact),
            policy: .identity(TestSigstore.identity, issuer: TestSigstore.issuer))
        #expect(result.payloadType == DSSEEnvelope.inTotoPayloadType)
        #expect(result.logEntries.first?.kind == "hashedrekord")
    }

    @Test("an answer in a larger tree carries the proof SigilMerkle builds, and refuses a wrong one")
    func largerTree() throws {
        let logKey = Curve25519.Signing.PrivateKey()
        let log = try RekorLogIdentity(origin: "log.sigil.test", publicKey: logKey.publicKey)
        let signer = try NoteSigner.ed25519(name: log.origin, privateKey: logKey)
        let bodies = (0..<5).map { Array("{\"entry\":\($0)}".utf8) }
        let leaves = bodies.map { Merkle.leafHash($0) }
        let root = Merkle.root(ofLeafHashes: leaves)
        let envelope = try SigilTlog.Checkpoint(origin: log.origin, size: 5, rootHash: root).sign(with: [signer])
            .serialized
        let nodes = ReferenceNodes(leaves: leaves)
        for index in 0..<5 {
            let proof = try Merkle.inclusionProof(index: UInt64(index), size: 5, nodes: nodes.node)
            let answer = try RekorResponse.transparencyLogEntry(
                logIndex: UInt64(index), logID: log.logID, canonicalBody: bodies[index], inclusionProof: proof,
                checkpoint: envelope)
            #expect(answer.inclusionProof?.treeSize == 5)
            #expect(answer.inclusionProof?.hashes == proof.map(\.bytes))
            // The wrong body, the wrong index, or a missing hash is our bug: refused, never sent.
            expectRekorError(.internalError, status: 500) {
                try RekorResponse.transparencyLogEntry(
                    logIndex: UInt64(index), logID: log.logID, canonicalBody: bodies[(index + 1) % 5],
                    inclusionProof: proof, checkpoint: envelope)
            }
            expectRekorError(.internalError) {
                try RekorResponse.transparencyLogEntry(
                    logIndex: UInt64(index), logID: log.logID, canonicalBody: bodies[index],
                    inclusionProof: Array(proof.dropLast()), checkpoint: envelope)
            }
        }
        expectRekorError(.internalError) {
            try RekorResponse.transparencyLogEntry(
                logIndex: 5, logID: log.logID, canonicalBody: bodies[0], inclusionProof: [], checkpoint: envelope)
        }
        expectRekorError(.internalError) {
            try RekorResponse.transparencyLogEntry(
                logIndex: 0, logID: Array(log.logID.prefix(4)), canonicalBody: bodies[0], inclusionProof: [],
                checkpoint: envelope)
        }
        expectRekorError(.internalError) {
            try RekorResponse.transparencyLogEntry(
                logIndex: 0, logID: log.logID, canonicalBody: bodies[0], inclusionProof: [], checkpoint: "not a note")
        }
    }
}

/// Node hashes of a small tree, computed from its leaves (RFC 6962 MTH over aligned subtrees).
private struct ReferenceNodes {
    let leaves: [MerkleHash]

    func node(_ level: Int, _ index: UInt64) throws -> MerkleHash {
        let width = 1 << level
        let start = Int(index) * width
        guard start + width <= leaves.count else { throw MerkleError(.nodeUnavailable, "\(level)/\(index)") }
        return Merkle.root(ofLeafHashes: leaves[start..<(start + width)])
    }
}
