// The requests sigstore-python sent to the public staging Rekor v2 logs, rebuilt from the bundles they
// produced: Sigil must accept them and write the very bytes the real log wrote.

import Crypto
import Foundation
import SigilBundle
import SigilMerkle
import SigilRekor
import SigilTesting
import Testing

/// A real staging bundle and the request that made its log entry.
struct RealRequest {
    let bundle: SigstoreBundle
    let entry: TransparencyLogEntry
    let request: String

    init(_ path: String) throws {
        bundle = try SigstoreBundle.parse(try Fixtures.bytes("sigstore-public/\(path)"))
        entry = try #require(bundle.verificationMaterial.tlogEntries.first)
        let certificate = try #require(bundle.verificationMaterial.leafCertificate).rawBytes
        let digest: [UInt8]
        let signature: [UInt8]
        switch bundle.content {
        case .messageSignature(let message):
            // The artifact's SHA-256, computed from the artifact itself.
            let artifact = try Fixtures.bytes(
                "sigstore-public/\(path.replacingOccurrences(of: ".sigstore.json", with: ""))")
            digest = Array(SHA256.hash(data: artifact))
            #expect(message.messageDigest?.digest == digest)
            signature = message.signature
        case .dsseEnvelope(let envelope):
            // SPEC: services.md §0.9: a DSSE envelope is logged as a hashedrekord over SHA-256(PAE).
            digest = Array(SHA256.hash(data: envelope.preAuthenticationEncoding))
            signature = try #require(envelope.signatures.first).sig
        }
        request = requestJSON(
            digest: digest, signature: signature, verifierDER: certificate, keyDetails: "PKIX_ECDSA_P256_SHA_256")
    }
}

@Suite("Requests rebuilt from real staging Rekor v2 bundles")
struct RealBundleRequestTests {
    static let bundles = ["staging-rekor-v2.txt.sigstore.json", "a.dsse.staging-rekor-v2.txt.sigstore.json"]

    @Test("the validator accepts the request and writes the log's canonical body byte for byte", arguments: bundles)
    func canonicalBodyMatchesTheRealLog(path: String) throws {
        let real = try RealRequest(path)
        let validated = try RekorEntryValidator().validate(Array(real.request.utf8))
        #expect(validated.canonicalBody == real.entry.canonicalizedBody)
        #expect(validated.kindVersion == real.entry.kindVersion)
        #expect(validated.keyDetails == .pkixECDSAP256SHA256)
    }

    @Test("the leaf hash of the canonical body is the leaf the real inclusion proof proves", arguments: bundles)
    func leafHashIsProvenByTheRealProof(path: String) throws {
        let real = try RealRequest(path)
        let validated = try RekorEntryValidator().validate(Array(real.request.utf8))
        let proof = try #require(real.entry.inclusionProof)
        try Merkle.verifyInclusion(
            leafHash: validated.leafHash, index: UInt64(proof.logIndex), size: UInt64(proof.treeSize),
            proof: try Merkle.proofHashes(proof.hashes), root: try #require(MerkleHash(bytes: proof.rootHash)))
        #expect(validated.identity == Array(SHA256.hash(data: real.entry.canonicalizedBody)))
    }

    @Test("the request with snake_case proto names gives the same entry", arguments: bundles)
    func snakeCaseNamesAreAccepted(path: String) throws {
        let real = try RealRequest(path)
        let snake = real.request
            .replacingOccurrences(of: "hashedRekordRequestV002", with: "hashed_rekord_request_v002")
            .replacingOccurrences(of: "x509Certificate", with: "x509_certificate")
            .replacingOccurrences(of: "rawBytes", with: "raw_bytes")
            .replacingOccurrences(of: "keyDetails", with: "key_details")
        #expect(snake != real.request)
        let validated = try RekorEntryValidator().validate(Array(snake.utf8))
        #expect(validated.canonicalBody == real.entry.canonicalizedBody)
    }

    @Test("a digest other than the one signed fails the signature check", arguments: bundles)
    func anotherDigestFails(path: String) throws {
        let real = try RealRequest(path)
        let body = try RekorEntryBody.parse(real.entry.canonicalizedBody)
        guard case .hashedRekordV002(let entry) = body else {
            Issue.record("not a hashedrekord 0.0.2")
            return
        }
        var digest = entry.data.digest
        digest[0] ^= 0x01
        let tampered = requestJSON(
            digest: digest, signature: entry.signature.content,
            verifierDER: try #require(
                { if case .x509Certificate(let c) = entry.signature.verifier.key { c.rawBytes } else { nil } }()),
            keyDetails: "PKIX_ECDSA_P256_SHA_256")
        expectRekorError(.signatureInvalid, status: 400) { try RekorEntryValidator().validate(Array(tampered.utf8)) }
    }
}

@Suite("Answers rebuilt from real staging Rekor v2 entries")
struct RealAnswerTests {
    @Test(
        "the answer built from the real entry's parts is the entry the bundle carries",
        arguments: RealBundleRequestTests.bundles)
    func answerMatchesTheRealEntry(path: String) throws {
        let real = try RealRequest(path)
        let proof = try #require(real.entry.inclusionProof)
        let answer = try RekorResponse.transparencyLogEntry(
            logIndex: UInt64(real.entry.logIndex), logID: real.entry.logId.keyId,
            canonicalBody: real.entry.canonicalizedBody, inclusionProof: try Merkle.proofHashes(proof.hashes),
            checkpoint: try #require(proof.checkpoint).envelope)
        #expect(answer == real.entry)
        // The bundle form leaves out what rekor-tiles' answer spells out as unset.
        #expect(answer.protoJSON(emitUnpopulated: false) == real.entry.protoJSON)
        let text = String(decoding: RekorResponse.json(answer), as: UTF8.self)
        #expect(text.contains(#""integratedTime":"0","inclusionPromise":null"#))
    }

    @Test("the answer for a real entry and the log identity of its trusted-root key agree on the log ID")
    func logIDFromTheTrustedRoot() throws {
        let real = try RealRequest("staging-rekor-v2.txt.sigstore.json")
        let root = try TrustedRoot.parse(try Fixtures.bytes("sigstore-public/trust/staging/trusted_root.json"))
        let log = try #require(root.transparencyLog(keyId: real.entry.logId.keyId))
        let identity = try RekorLogIdentity(
            origin: try RekorLogIdentity.origin(forBaseURL: log.baseUrl),
            subjectPublicKeyInfo: try #require(log.publicKey.rawBytes))
        let entry = try RekorEntryValidator().validate(Array(real.request.utf8))
        let proof = try #require(real.entry.inclusionProof)
        let answer = try RekorResponse.transparencyLogEntry(
            for: entry, logIndex: UInt64(real.entry.logIndex), log: identity,
            inclusionProof: try Merkle.proofHashes(proof.hashes), checkpoint: try #require(proof.checkpoint).envelope)
        #expect(answer == real.entry)
    }
}

@Suite("Fixtures made with sigstore-python 4.5.1")
struct SigstorePythonFixtureTests {
    static let pairs = [
        (
            "staging-rekor-v2.txt.sigstore.json", "sigstore-python-4.5.1-hashedrekord-request.json",
            "staging-rekor-v2-answer.json"
        ),
        (
            "a.dsse.staging-rekor-v2.txt.sigstore.json", "sigstore-python-4.5.1-dsse-request.json",
            "a.dsse.staging-rekor-v2-answer.json"
        ),
    ]

    @Test("the request sigstore-python sends becomes the real log's canonical body", arguments: pairs)
    func sigstorePythonRequest(bundle: String, request: String, answer: String) throws {
        let real = try RealRequest(bundle)
        let bytes = try Fixtures.bytes("rekor/\(request)")
        #expect(try RekorEntryValidator().validate(bytes).canonicalBody == real.entry.canonicalizedBody)
        // The tests' request builder writes exactly what sigstore-python writes.
        #expect(Array(real.request.utf8) == bytes)
    }

    @Test(
        "Sigil's answer for the real entry is still the one sigstore-python 4.5.1 was checked to parse",
        arguments: pairs)
    func answerBytes(bundle: String, request: String, answer: String) throws {
        let real = try RealRequest(bundle)
        let proof = try #require(real.entry.inclusionProof)
        let built = try RekorResponse.transparencyLogEntry(
            logIndex: UInt64(real.entry.logIndex), logID: real.entry.logId.keyId,
            canonicalBody: real.entry.canonicalizedBody, inclusionProof: try Merkle.proofHashes(proof.hashes),
            checkpoint: try #require(proof.checkpoint).envelope)
        #expect(RekorResponse.json(built) == (try Fixtures.bytes("rekor/\(answer)")))
    }
}
