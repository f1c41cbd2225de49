// Real Sigstore checkpoints (Rekor v2 Ed25519, Rekor v1 ECDSA, witness cosignatures) verified against the
// real trusted roots.

import Foundation
import SigilMerkle
import SigilTesting
import SigilTlog
import Testing

@Suite struct RealCheckpointTests {
    @Test func everyStagingAndProductionLogKeyHashesToItsTrustedRootLogID() throws {
        var checked = 0
        for environment in ["staging", "production"] {
            for log in try TrustedLog.all(environment) {
                let key = try log.noteKey()
                // Rekor v2: SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ key); Rekor v1: SHA-256(SPKI).
                #expect(key.keyHash == log.logID, "\(log.host)")
                #expect(key.algorithm == (log.keyDetails == "PKIX_ED25519" ? .ed25519 : .ecdsaP256), "\(log.host)")
                #expect(key.subjectPublicKeyInfo == log.spki, "\(log.host)")
                checked += 1
            }
        }
        #expect(checked == 6)
    }

    @Test(arguments: realCheckpoints.map(\.bundle))
    func realCheckpointVerifiesAgainstItsTrustedRootAndMatchesTheInclusionProof(bundle: String) throws {
        let (_, environment, origin) = try #require(realCheckpoints.first { $0.bundle == bundle })
        let entry = try BundleEntry(bundle)
        let keys = try logKeys(environment)
        let verified = try Checkpoint.verify(entry.envelope, origin: origin, keys: keys)
        #expect(verified.origin == origin)
        #expect(verified.size == entry.treeSize)
        #expect(verified.rootHash.bytes == entry.rootHash)
        #expect(verified.verifiedBy.keyHash == entry.logID)
        #expect(verified.signatures.count == 1)
        #expect(entry.logIndex < verified.size)
    }

    @Test func rekorV2CheckpointsAreSignedByEd25519AndRekorV1ByECDSA() throws {
        for (bundle, environment, origin) in realCheckpoints {
            let verified = try Checkpoint.verify(
                try BundleEntry(bundle).envelope, origin: origin, keys: try logKeys(environment))
            #expect(verified.verifiedBy.algorithm == (origin.contains(" - ") ? .ecdsaP256 : .ed25519), "\(bundle)")
        }
    }

    @Test func rekorV1CheckpointsVerifyWithAnOriginPrefixWhenTheShardIsUnknown() throws {
        var checked = 0
        for (bundle, environment, origin) in realCheckpoints where origin.contains(" - ") {
            let logs = try TrustedLog.all(environment).filter { $0.keyDetails != "PKIX_ED25519" }
            let host = try #require(logs.first?.host)
            let note = Array(try BundleEntry(bundle).envelope.utf8)
            let verified = try Checkpoint.verify(
                note, originMatching: { $0.hasPrefix(host + " - ") }, keys: try logs.map { try $0.noteKey() })
            #expect(verified.origin == origin)
            let code = errorCode {
                try Checkpoint.verify(
                    note, originMatching: { $0.hasPrefix("rekor.example - ") }, keys: try logs.map { try $0.noteKey() })
            }
            #expect(code == .wrongOrigin)
            checked += 1
        }
        #expect(checked == 4)
    }

    @Test func theOlderStagingRekorV1CheckpointKeepsItsTimestampExtensionLine() throws {
        let entry = try BundleEntry("sigstore-public/bundle.txt.sigstore")
        let verified = try Checkpoint.verify(
            entry.envelope, origin: "rekor.sigstage.dev - 8050909264565447525", keys: try logKeys("staging"))
        #expect(verified.extensions == ["Timestamp: 1682468469199678948"])
    }

    @Test(arguments: realCheckpoints.map(\.bundle))
    func realCheckpointsSerializeBackToTheirExactBytes(bundle: String) throws {
        let envelope = try BundleEntry(bundle).envelope
        let note = try SignedNote(parsing: envelope)
        #expect(note.serialized == envelope)
        #expect(try SignedNote(parsing: Array(envelope.utf8)) == note)
        let checkpoint = try Checkpoint(text: note.text)
        #expect(checkpoint.text == note.text)
        #expect(
            try Checkpoint(
                origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash,
                extensions: checkpoint.extensions) == checkpoint)
    }

    @Test func aStagingCheckpointDoesNotVerifyWithProductionKeys() throws {
        for (bundle, environment, origin) in realCheckpoints {
            let other = environment == "staging" ? "production" : "staging"
            let (envelope, keys) = (try BundleEntry(bundle).envelope, try logKeys(other))
            let code = errorCode { try Checkpoint.verify(envelope, origin: origin, keys: keys) }
            #expect(code == .noKnownSignature, "\(bundle)")
        }
    }

    @Test func theDSSECheckpointCarriesThreeRealWitnessCosignaturesThatVerify() throws {
        let entry = try BundleEntry("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json")
        let witnesses = try witnessKeys()
        #expect(witnesses.count == 3)
        #expect(witnesses.allSatisfy { $0.algorithm == .cosignatureV1 })
        let verified = try Checkpoint.verify(
            entry.envelope, origin: "log2025-alpha3.rekor.sigstage.dev", keys: try logKeys("staging"),
            cosigners: witnesses)
        #expect(verified.cosignatures.count == 3)
        #expect(Set(verified.cosignatures.map(\.key)) == Set(witnesses))
        #expect(verified.cosignatures.allSatisfy { $0.timestamp == 1_778_700_214 })
        #expect(verified.signatures.allSatisfy { $0.timestamp == nil })

        // Without cosigner keys the witness lines are unknown signatures and are ignored.
        let logOnly = try Checkpoint.verify(
            entry.envelope, origin: "log2025-alpha3.rekor.sigstage.dev", keys: try logKeys("staging"))
        #expect(logOnly.cosignatures.isEmpty)
        #expect(logOnly.note.signatures.count == 4)

        // A generic note verification with only witness keys verifies the cosignatures alone.
        let byWitnesses = try SignedNote(parsing: entry.envelope).verify(keys: witnesses)
        #expect(
            byWitnesses.signatures.map(\.signature.name) == [
                "witness.stagemole.eu", "staging.witness.transparency.goog/ring-any-bells",
                "witness.navigli.sunlight.geomys.org",
            ])
    }

    @Test func aTamperedCosignatureFromAKnownWitnessRejectsTheCheckpoint() throws {
        let entry = try BundleEntry("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json")
        let (keys, witnesses) = (try logKeys("staging"), try witnessKeys())
        for line in 1...3 {
            // Byte 4..11 is the timestamp: changing it changes the signed message.
            for position in [4, 11, 12, 40, 75] {
                let tampered = try withPayload(of: entry.envelope, line: line) { payload in
                    var payload = payload
                    payload[position] ^= 0x01
                    return payload
                }
                let code = errorCode {
                    try Checkpoint.verify(
                        tampered, origin: "log2025-alpha3.rekor.sigstage.dev", keys: keys, cosigners: witnesses)
                }
                #expect(code == .signatureInvalid, "line \(line), byte \(position)")
            }
        }
    }

    @Test func theRealCosignatureLinesParseWithTheirTimestamps() throws {
        let note = try SignedNote(
            parsing: try BundleEntry("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json").envelope)
        let cosignatures = try note.signatures.dropFirst().map { try Cosignature($0) }
        #expect(cosignatures.map(\.timestamp) == [1_778_700_214, 1_778_700_214, 1_778_700_214])
        #expect(cosignatures.map(\.noteSignature) == Array(note.signatures.dropFirst()))
        // The log's own Ed25519 line is 68 bytes, not a cosignature.
        #expect(errorCode { try Cosignature(note.signatures[0]) } == .malformedCosignature)
    }

    @Test func thePublishedVkeyOfAStagingLogIsTheTrustedRootKey() throws {
        let text = try Fixtures.text("tlog/log2025-alpha3.vkey").trimmingCharacters(in: .newlines)
        let key = try NoteVerifierKey(vkey: text)
        let fromRoot = try #require(
            try TrustedLog.all("staging").first { $0.host == "log2025-alpha3.rekor.sigstage.dev" })
        #expect(key == (try fromRoot.noteKey()))
        #expect(key.vkey == text)
        #expect(key.keyID == 0xd3d3_a70c)
    }

    @Test func witnessVkeysRoundTrip() throws {
        let lines = try Fixtures.text("tlog/witness-vkeys.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        for line in lines { #expect(try NoteVerifierKey(vkey: line).vkey == line) }
    }

    @Test func notesSignedByTheOpensslCLIVerify() throws {
        for (note, spki, algorithm) in [
            ("tlog/openssl-ed25519.note", "tlog/openssl-ed25519.spki.der", NoteKeyAlgorithm.ed25519),
            ("tlog/openssl-p256.note", "tlog/openssl-p256.spki.der", NoteKeyAlgorithm.ecdsaP256),
        ] {
            let key = try NoteVerifierKey.log(
                name: "example.com/openssl-log", subjectPublicKeyInfo: try Fixtures.bytes(spki))
            #expect(key.algorithm == algorithm)
            let verified = try Checkpoint.verify(
                try Fixtures.bytes(note), origin: "example.com/openssl-log", keys: [key])
            #expect(verified.size == 4)
            #expect(verified.verifiedBy == key)
        }
    }
}
