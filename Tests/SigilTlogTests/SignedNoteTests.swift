// Signed notes and checkpoints: negative tables (each case names its expected error code), spec examples,
// and sign → parse → verify round trips.

import Crypto
import Foundation
import SigilMerkle
import SigilTesting
import SigilTlog
import Testing

/// One input that must fail with one specific code.
struct NegativeCase: CustomStringConvertible {
    var name: String
    var note: [UInt8]
    var origin: String
    var keys: [NoteVerifierKey]
    var cosigners: [NoteVerifierKey] = []
    var expected: TlogError.Code
    var description: String { name }
}

@Suite struct SignedNoteTests {
    static let origin = "log2025-alpha1.rekor.sigstage.dev"

    /// A checkpoint text signed by a deterministic test key of the given origin.
    static func signed(_ text: String, seed: UInt8 = 7, name: String = origin) throws -> (
        note: String, key: NoteVerifierKey
    ) {
        let signer = try NoteSigner.ed25519(name: name, privateKey: try ed25519Key(seed))
        return (try SignedNote.sign(text, with: [signer]).serialized, signer.verifierKey)
    }

    static func negativeCases() throws -> [NegativeCase] {
        let real = try BundleEntry("sigstore-public/staging-rekor-v2.txt.sigstore.json").envelope
        let realBytes = Array(real.utf8)
        let stagingKeys = try logKeys("staging")
        let root = "kNum4JmdViJPfZLMRB3xPi6flATj2JzJSiF+1pQDzNQ="
        var cases: [NegativeCase] = []
        func add(
            _ name: String, _ note: [UInt8], _ expected: TlogError.Code, origin: String = Self.origin,
            keys: [NoteVerifierKey]? = nil
        ) {
            cases.append(
                NegativeCase(name: name, note: note, origin: origin, keys: keys ?? stagingKeys, expected: expected))
        }

        // Truncations of the real note: every cut either loses the final newline, the blank line or the
        // signature's bytes.
        add("truncated: last newline cut", Array(realBytes.dropLast()), .malformedNote)
        add("truncated: signature line half gone", Array(realBytes.prefix(realBytes.count - 40)), .malformedNote)
        add(
            "truncated: signature block gone",
            Array(real.utf8.prefix(real.utf8.count - (real.split(separator: "\n").last?.utf8.count ?? 0) - 1)),
            .malformedNote)
        add("truncated: only the text", Array("\(Self.origin)\n646\n\(root)\n".utf8), .malformedNote)
        add("truncated: empty", [], .malformedNote)
        // Trailing garbage.
        add("trailing garbage without newline", realBytes + Array("x".utf8), .malformedNote)
        add("trailing garbage line", realBytes + Array("garbage\n".utf8), .malformedNote)
        add("trailing blank line", realBytes + [0x0A], .malformedNote)
        add("trailing NUL", realBytes + [0x00], .malformedNote)
        // Missing blank line between the text and the signatures.
        add("missing blank line", Array(real.replacingOccurrences(of: "\n\n", with: "\n").utf8), .malformedNote)
        // Signature-line form.
        add(
            "hyphen instead of em dash", Array(real.replacingOccurrences(of: "\u{2014}", with: "-").utf8),
            .malformedNote)
        add(
            "en dash instead of em dash", Array(real.replacingOccurrences(of: "\u{2014}", with: "\u{2013}").utf8),
            .malformedNote)
        add(
            "no space after the dash", Array(real.replacingOccurrences(of: "\u{2014} ", with: "\u{2014}").utf8),
            .malformedNote)
        add(
            "two spaces before the signature",
            Array(real.replacingOccurrences(of: ".dev 8w1am", with: ".dev  8w1am").utf8), .malformedNote)
        add(
            "signature without padding", Array(real.replacingOccurrences(of: "8AE=\n", with: "8AE\n").utf8),
            .malformedNote)
        add("URL-safe signature", Array(real.replacingOccurrences(of: "/", with: "_").utf8), .malformedNote)
        add(
            "key name with a plus",
            Array(real.replacingOccurrences(of: "\u{2014} log2025", with: "\u{2014} +log2025").utf8), .malformedNote)
        add(
            "signature of four bytes only",
            Array("\(Self.origin)\n646\n\(root)\n\n\u{2014} \(Self.origin) 8w1amQ==\n".utf8), .malformedNote)
        add("carriage return line ends", Array(real.replacingOccurrences(of: "\n", with: "\r\n").utf8), .malformedNote)
        add("tab in the text", Array(real.replacingOccurrences(of: "646\n", with: "646\t\n").utf8), .malformedNote)
        add(
            "invalid UTF-8",
            Array("\(Self.origin)\n646\n".utf8) + [0xC3, 0x28] + Array("\n\n\u{2014} a AAAAAAA=\n".utf8), .malformedNote
        )
        // Oversize.
        let big = String(repeating: "e", count: SignedNote.maxSize)
        add("oversize note", Array("\(Self.origin)\n646\n\(root)\n\(big)\n\n\u{2014} a AAAAAAA=\n".utf8), .oversize)
        let manySignatures = String(repeating: "\u{2014} someone AAAAAAA=\n", count: SignedNote.maxSignatures + 1)
        add("101 signatures", realBytes + Array(manySignatures.utf8), .oversize)
        // Keys.
        let stranger = try NoteVerifierKey.ed25519(name: Self.origin, publicKey: try ed25519Key(99).publicKey)
        add("wrong key (same name, other key)", realBytes, .noKnownSignature, keys: [stranger])
        add("no keys at all", realBytes, .noKnownSignature, keys: [])
        add("wrong origin", realBytes, .wrongOrigin, origin: "log2025-alpha2.rekor.sigstage.dev")
        add("origin with a trailing slash", realBytes, .wrongOrigin, origin: Self.origin + "/")
        let flipped = try withPayload(of: real, line: 0) { payload in
            var payload = payload
            payload[20] ^= 0x80
            return payload
        }
        add("flipped signature byte", Array(flipped.utf8), .signatureInvalid)
        let flippedID = try withPayload(of: real, line: 0) { payload in
            var payload = payload
            payload[0] ^= 0x01
            return payload
        }
        add("flipped key ID byte: now an unknown key", Array(flippedID.utf8), .noKnownSignature)
        add(
            "other root hash",
            Array(real.replacingOccurrences(of: root, with: "5iaX4xK6PMnp4ZFTP4iywMcwLgaTjzgRTkrTOUFIrfY=").utf8),
            .signatureInvalid)
        add("other tree size", Array(real.replacingOccurrences(of: "\n646\n", with: "\n647\n").utf8), .signatureInvalid)
        let unknownOnly = try BundleEntry("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json").envelope
            .split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { !$0.element.hasPrefix("\u{2014} log2025") }.map(\.element).joined(separator: "\n")
        add(
            "unknown (witness) keys only", Array(unknownOnly.utf8), .noKnownSignature,
            origin: "log2025-alpha3.rekor.sigstage.dev")

        // Checkpoint bodies, each validly signed by a test key so that only the body is wrong.
        func body(_ name: String, _ text: String, _ expected: TlogError.Code) throws {
            let (note, key) = try signed(text)
            add(name, Array(note.utf8), expected, keys: [key])
        }
        try body("size with a leading zero", "\(Self.origin)\n0646\n\(root)\n", .nonCanonicalSize)
        try body("size 00", "\(Self.origin)\n00\n\(root)\n", .nonCanonicalSize)
        try body("size with a plus sign", "\(Self.origin)\n+646\n\(root)\n", .nonCanonicalSize)
        try body("negative size", "\(Self.origin)\n-1\n\(root)\n", .nonCanonicalSize)
        try body("size 2^64", "\(Self.origin)\n18446744073709551616\n\(root)\n", .nonCanonicalSize)
        try body(
            "size of 30 digits", "\(Self.origin)\n\(String(repeating: "9", count: 30))\n\(root)\n", .nonCanonicalSize)
        try body("size in hex", "\(Self.origin)\n0x10\n\(root)\n", .nonCanonicalSize)
        try body("size with a space", "\(Self.origin)\n 646\n\(root)\n", .nonCanonicalSize)
        try body("size with a decimal point", "\(Self.origin)\n646.0\n\(root)\n", .nonCanonicalSize)
        try body(
            "root of 31 bytes", "\(Self.origin)\n646\n\(Data(repeating: 1, count: 31).base64EncodedString())\n",
            .malformedRootHash)
        try body(
            "root of 33 bytes", "\(Self.origin)\n646\n\(Data(repeating: 1, count: 33).base64EncodedString())\n",
            .malformedRootHash)
        try body("root without padding", "\(Self.origin)\n646\n\(root.dropLast())\n", .malformedRootHash)
        try body("root in hex", "\(Self.origin)\n646\n\(String(repeating: "ab", count: 32))\n", .malformedRootHash)
        try body("size 0 with a non-empty root", "\(Self.origin)\n0\n\(root)\n", .malformedRootHash)
        try body("two lines only", "\(Self.origin)\n646\n", .malformedCheckpoint)
        try body("empty origin", "\n646\n\(root)\n", .malformedCheckpoint)
        try body("empty extension line", "\(Self.origin)\n646\n\(root)\n\nx\n", .malformedCheckpoint)
        return cases
    }

    @Test func everyNegativeCaseFailsWithItsOwnCode() throws {
        let cases = try Self.negativeCases()
        #expect(cases.count > 40)
        for item in cases {
            let code = errorCode {
                try Checkpoint.verify(item.note, origin: item.origin, keys: item.keys, cosigners: item.cosigners)
            }
            #expect(code == item.expected, "\(item.name)")
        }
    }

    @Test func everyTruncationOfARealCheckpointFailsUnlessItDropsWholeWitnessLines() throws {
        let real = Array(try BundleEntry("sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json").envelope.utf8)
        let keys = try logKeys("staging")
        // Valid cuts: right after the log's signature line or after any witness line (dropping later lines).
        let firstSignatureLine = try #require(real.firstIndex(of: 0xE2))
        let validCuts = Set(real.indices.filter { $0 > firstSignatureLine && real[$0] == 0x0A }.map { $0 + 1 })
        #expect(validCuts.count == 4)
        for length in 0..<real.count {
            let code = errorCode {
                try Checkpoint.verify(
                    Array(real.prefix(length)), origin: "log2025-alpha3.rekor.sigstage.dev", keys: keys)
            }
            #expect((code == nil) == validCuts.contains(length), "length \(length): \(String(describing: code))")
        }
    }

    @Test func everyBitFlipOfARealLogSignatureIsRejected() throws {
        let real = try BundleEntry("sigstore-public/staging-rekor-v2.txt.sigstore.json").envelope
        let keys = try logKeys("staging")
        var checked = 0
        for position in 4..<68 {
            for bit in [0, 3, 7] {
                let tampered = try withPayload(of: real, line: 0) { payload in
                    var payload = payload
                    payload[position] ^= 1 << UInt8(bit)
                    return payload
                }
                #expect(
                    errorCode { try Checkpoint.verify(tampered, origin: Self.origin, keys: keys) } == .signatureInvalid)
                checked += 1
            }
        }
        #expect(checked == 192)
    }

    @Test func theSignedNoteSpecExampleParsesWithAnEmptyLineInsideItsText() throws {
        let example = """
            Ognuno sta solo sul cuor della terra
            trafitto da un raggio di sole:

            ed è subito sera.

            — quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=

            """
        let note = try SignedNote(parsing: example)
        #expect(
            note.text == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n")
        #expect(note.signatures.count == 1)
        #expect(note.signatures[0].name == "quasimodo.example/salvatore")
        #expect(note.signatures[0].keyID == 0x367b_a04b)
        #expect(note.signatures[0].signature.count == 64)
        #expect(note.serialized == example)
        // Not a checkpoint: its text has an empty line.
        #expect(errorCode { try Checkpoint(text: note.text) } == .malformedCheckpoint)
    }

    @Test func theCheckpointSpecExampleParsesAndReserializes() throws {
        let example = """
            example.com/behind-the-sofa
            20852163
            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

            — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
            — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==

            """
        let note = try SignedNote(parsing: example)
        #expect(note.serialized == example)
        let checkpoint = try Checkpoint(text: note.text)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.extensions.isEmpty)
        #expect(checkpoint.text == note.text)
        // The tlog-cosignature example's witness line: its time is the example's `time 1679315147`.
        let cosignature = try Cosignature(note.signatures[1])
        #expect(cosignature.timestamp == 1_679_315_147)
        #expect(cosignature.keyID == 0x8d66_cf3f)
        // Verifying against any key we hold fails closed.
        let stranger = try NoteVerifierKey.ed25519(
            name: "example.com/behind-the-sofa", publicKey: try ed25519Key(1).publicKey)
        #expect(
            errorCode { try Checkpoint.verify(example, origin: "example.com/behind-the-sofa", keys: [stranger]) }
                == .noKnownSignature)
    }

    @Test func signParseVerifyRoundTripsForEveryAlgorithm() throws {
        let root = Merkle.root(ofLeafHashes: (0..<5).map { Merkle.leafHash(Array("entry \($0)".utf8)) })
        let checkpoint = try Checkpoint(
            origin: "sigil.example/log", size: 5, rootHash: root, extensions: ["ext one", "ext 2"])
        let ed = try NoteSigner.ed25519(name: "sigil.example/log", privateKey: try ed25519Key(3))
        let ec = try NoteSigner.ecdsaP256(name: "sigil.example/log", privateKey: try p256Key(4))
        let witness = try NoteSigner.cosignatureV1(name: "witness.example/w", privateKey: try ed25519Key(5))
        let signed = try checkpoint.sign(with: [ed, ec])
            .appending([try witness.cosign(checkpoint.text, timestamp: 1_700_000_000)])
        let text = signed.serialized
        #expect(try SignedNote(parsing: text) == signed)
        #expect(try SignedNote(parsing: text).serialized == text)

        let both = try Checkpoint.verify(
            text, origin: "sigil.example/log", keys: [ed.verifierKey, ec.verifierKey],
            cosigners: [witness.verifierKey])
        #expect(both.checkpoint == checkpoint)
        #expect(both.signatures.map(\.key) == [ed.verifierKey, ec.verifierKey])
        #expect(both.cosignatures.map(\.timestamp) == [1_700_000_000])
        #expect(both.extensions == ["ext one", "ext 2"])
        // Each key alone suffices; the other log line is then an unknown signature.
        #expect(
            try Checkpoint.verify(text, origin: "sigil.example/log", keys: [ed.verifierKey]).verifiedBy
                == ed.verifierKey)
        #expect(
            try Checkpoint.verify(text, origin: "sigil.example/log", keys: [ec.verifierKey]).verifiedBy
                == ec.verifierKey)
        // A cosigner key is not a log key, and the reverse.
        #expect(
            errorCode { try Checkpoint.verify(text, origin: "sigil.example/log", keys: [witness.verifierKey]) }
                == .unsupportedKey)
        #expect(
            errorCode {
                try Checkpoint.verify(
                    text, origin: "sigil.example/log", keys: [ed.verifierKey], cosigners: [ec.verifierKey])
            } == .unsupportedKey)
        // Only cosignatures: no log signature vouches for it.
        let cosignedOnly = try SignedNote(
            text: checkpoint.text, signatures: [try witness.cosign(checkpoint.text, timestamp: 1)])
        #expect(
            errorCode {
                try Checkpoint.verify(
                    cosignedOnly.serialized, origin: "sigil.example/log", keys: [ed.verifierKey],
                    cosigners: [witness.verifierKey])
            } == .noKnownSignature)
    }

    @Test func aCosignatureIsBoundToItsTimestamp() throws {
        let checkpoint = try Checkpoint(origin: "sigil.example/log", size: 0, rootHash: Merkle.emptyRoot)
        let log = try NoteSigner.ed25519(name: "sigil.example/log", privateKey: try ed25519Key(3))
        let witness = try NoteSigner.cosignatureV1(name: "witness.example/w", privateKey: try ed25519Key(5))
        let line = try witness.cosign(checkpoint.text, timestamp: 1_700_000_000)
        let cosignature = try Cosignature(line)
        #expect(cosignature.timestamp == 1_700_000_000)
        // The signature over the same text at another time is not this one.
        let moved = try NoteSignature(
            name: line.name, keyID: line.keyID, signature: bytes(timestamp: 1_700_000_001) + cosignature.signature)
        let note = try checkpoint.sign(with: [log]).appending([moved])
        #expect(
            errorCode {
                try Checkpoint.verify(
                    note.serialized, origin: "sigil.example/log", keys: [log.verifierKey],
                    cosigners: [witness.verifierKey])
            } == .signatureInvalid)
        // Timestamps at or above 2^63 are refused both ways.
        #expect(errorCode { try witness.cosign(checkpoint.text, timestamp: 1 << 63) } == .outOfRange)
        let tooLate = try NoteSignature(
            name: line.name, keyID: line.keyID, signature: bytes(timestamp: 1 << 63) + cosignature.signature)
        #expect(errorCode { try Cosignature(tooLate) } == .malformedCosignature)
        // A log signer cannot cosign, a cosigner cannot sign as a log.
        #expect(errorCode { try log.cosign(checkpoint.text, timestamp: 1) } == .unsupportedKey)
        #expect(errorCode { try witness.sign(checkpoint.text) } == .unsupportedKey)
    }

    @Test func theCosignedMessageIsTheSpecsThreePartMessage() {
        let message = Cosignature.signedMessage(
            text: Array("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n".utf8),
            timestamp: 1_679_315_147)
        #expect(
            String(decoding: message, as: UTF8.self)
                == "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        )
    }

    @Test func checkpointPartsThatCannotFormLinesAreRefused() throws {
        #expect(errorCode { try Checkpoint(origin: "", size: 1, rootHash: Merkle.emptyRoot) } == .malformedCheckpoint)
        #expect(errorCode { try Checkpoint(origin: "a\nb", size: 1, rootHash: Merkle.emptyRoot) } != nil)
        #expect(
            errorCode { try Checkpoint(origin: "a", size: 1, rootHash: Merkle.emptyRoot, extensions: [""]) }
                == .malformedCheckpoint)
        #expect(
            errorCode { try Checkpoint(origin: "a", size: 1, rootHash: Merkle.emptyRoot, extensions: ["x\ny"]) } != nil)
        #expect(
            errorCode { try Checkpoint(origin: "a\u{1}", size: 1, rootHash: Merkle.emptyRoot) } == .malformedCheckpoint)
        #expect(
            try Checkpoint(origin: "a", size: 0, rootHash: Merkle.emptyRoot).text
                == "a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        #expect(errorCode { try Checkpoint(origin: "a", size: 0, rootHash: Merkle.leafHash([])) } == .malformedRootHash)
        let max = try Checkpoint(origin: "a", size: .max, rootHash: Merkle.emptyRoot)
        #expect(try Checkpoint(text: max.text).size == UInt64.max)
        #expect(max.text == "a\n18446744073709551615\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
    }

    @Test func keyNamesFollowTheSpecRules() throws {
        let key = try ed25519Key(1).publicKey
        for bad in ["", "a+b", "a b", "a\u{00A0}b", "a\u{2003}b", "a\tb", "a\nb", "a\u{1}b"] {
            #expect(
                errorCode { try NoteVerifierKey.ed25519(name: bad, publicKey: key) } == .malformedKey,
                "\(bad.debugDescription)")
        }
        #expect(
            errorCode { try NoteVerifierKey.ed25519(name: String(repeating: "a", count: 257), publicKey: key) }
                == .oversize)
        #expect(
            try NoteVerifierKey.ed25519(name: "rekor.sigstore.dev/ünïcode", publicKey: key).name
                == "rekor.sigstore.dev/ünïcode")
    }

    @Test func malformedVkeysAreRefused() throws {
        let good = "log2025-alpha3.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp"
        let table: [(String, TlogError.Code)] = [
            ("log2025-alpha3.rekor.sigstage.dev+d3d3a70d+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp", .malformedKey),  // wrong ID
            ("log2025-alpha3.rekor.sigstage.dev+D3D3A70C+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp", .malformedKey),  // upper hex
            ("log2025-alpha3.rekor.sigstage.dev+d3d3a70+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp", .malformedKey),  // 7 digits
            ("log2025-alpha2.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp", .malformedKey),  // other name
            (
                "log2025-alpha3.rekor.sigstage.dev+d3d3a70c+BZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp",
                .unsupportedKey
            ),  // type 0x05
            ("log2025-alpha3.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipj", .malformedKey),  // truncated
            ("log2025-alpha3.rekor.sigstage.dev+d3d3a70c", .malformedKey),
            ("+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp", .malformedKey),
            (good + "=", .malformedKey),
            (good + String(repeating: "A", count: 600), .oversize),
        ]
        for (vkey, code) in table { #expect(errorCode { try NoteVerifierKey(vkey: vkey) } == code, "\(vkey)") }
        #expect(try NoteVerifierKey(vkey: good).vkey == good)
    }

    @Test func subjectPublicKeyInfosOtherThanEd25519AndECDSAAreRefused() throws {
        let p256 = Array(try p256Key(1).publicKey.derRepresentation)
        let compressed = Array(try p256Key(1).publicKey.compressedRepresentation)
        let table: [(String, [UInt8], TlogError.Code)] = [
            ("empty", [], .unsupportedKey),
            ("truncated P-256", Array(p256.dropLast()), .unsupportedKey),
            ("P-256 with a trailing byte", p256 + [0], .unsupportedKey),
            ("a raw compressed point", compressed, .unsupportedKey),
            (
                "Ed25519 SPKI with a flipped OID byte",
                [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x03, 0x21, 0x00]
                    + [UInt8](repeating: 1, count: 32), .unsupportedKey
            ),
            ("oversize", [UInt8](repeating: 0x30, count: 2000), .oversize),
        ]
        for (name, spki, code) in table {
            #expect(errorCode { try NoteVerifierKey.log(name: "a", subjectPublicKeyInfo: spki) } == code, "\(name)")
        }
        let ecKey = try NoteVerifierKey.log(name: "a", subjectPublicKeyInfo: p256)
        #expect(ecKey.keyHash == Array(SHA256.hash(data: p256)))
        #expect(ecKey.vkey == nil)
        // The ECDSA key ID ignores the name, like Rekor v1 (the name still has to match the line).
        #expect(try NoteVerifierKey.log(name: "b", subjectPublicKeyInfo: p256).keyID == ecKey.keyID)
    }

    @Test func notesBuiltFromPartsFollowTheParsingRules() throws {
        let line = try NoteSignature(name: "a", keyID: 1, signature: [1, 2, 3])
        #expect(line.line == "\u{2014} a AAAAAQECAw==\n")
        #expect(errorCode { try SignedNote(text: "no newline", signatures: [line]) } == .malformedNote)
        #expect(errorCode { try SignedNote(text: "", signatures: [line]) } == .malformedNote)
        #expect(errorCode { try SignedNote(text: "ok\n", signatures: []) } == .malformedNote)
        #expect(errorCode { try NoteSignature(name: "a", keyID: 1, signature: []) } == .malformedNote)
        #expect(errorCode { try NoteSignature(name: "a b", keyID: 1, signature: [1]) } == .malformedKey)
        // Any text ending in a newline round-trips, even one ending in blank lines.
        for text in ["\n", "a\n\n", "a\n\n\nb\n", "— looks like a signature line\n"] {
            let note = try SignedNote(text: text, signatures: [line])
            #expect(try SignedNote(parsing: note.serialized) == note, "\(text.debugDescription)")
        }
    }
}

/// The 8 big-endian bytes of a cosignature timestamp.
func bytes(timestamp: UInt64) -> [UInt8] {
    (0..<8).reversed().map { UInt8(timestamp >> (UInt64($0) * 8) & 0xff) }
}
