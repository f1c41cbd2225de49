// The parsers are total and canonical: random mutations of real inputs never trap, throw only TlogError,
// and whatever still parses serializes back to exactly the input (one spelling per value).

import Foundation
import SigilMerkle
import SigilTesting
import SigilTlog
import Testing


/// One random edit: flip a bit, delete, insert or duplicate a byte, or truncate.
func mutate(_ input: [UInt8], _ rng: inout SplitMix64, alphabet: [UInt8]) -> [UInt8] {
    var bytes = input
    let edits = Int.random(in: 1...3, using: &rng)
    for _ in 0..<edits {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 1 where !bytes.isEmpty: bytes.remove(at: position)
        case 2: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: position)
        case 3 where !bytes.isEmpty: bytes.insert(bytes[position], at: position)
        default: bytes = Array(bytes.prefix(position))
        }
    }
    return bytes
}

@Suite struct TotalParserTests {
    static let noteAlphabet = Array("\n \u{2014}+=/0123456789abcxyzAB.-".utf8)

    @Test func mutatedRealNotesParseCanonicallyOrThrowTlogError() throws {
        var rng = SplitMix64(state: 1)
        var parsed = 0
        var rejected = 0
        for (bundle, environment, origin) in realCheckpoints {
            let real = Array(try BundleEntry(bundle).envelope.utf8)
            let keys = try logKeys(environment)
            for _ in 0..<400 {
                let input = mutate(real, &rng, alphabet: Self.noteAlphabet)
                if let note = try? SignedNote(parsing: input) {
                    parsed += 1
                    #expect(Array(note.serialized.utf8) == input)
                    if let checkpoint = try? Checkpoint(text: note.text) {
                        #expect(Array(checkpoint.text.utf8) == Array(note.text.utf8))
                    }
                } else {
                    rejected += 1
                    #expect(errorCode { try SignedNote(parsing: input) } != nil)
                }
                // Verification never accepts a changed text or signature.
                if let verified = try? Checkpoint.verify(input, origin: origin, keys: keys) {
                    let original = try SignedNote(parsing: real)
                    #expect(verified.note.text == original.text)
                    #expect(verified.signatures.map(\.signature).allSatisfy(original.signatures.contains))
                }
            }
        }
        #expect(parsed > 0)
        #expect(rejected > 0)
    }

    @Test func mutatedTilePathsParseCanonicallyOrThrowTlogError() throws {
        var rng = SplitMix64(state: 2)
        let alphabet = Array("0123456789x/.p entries".utf8)
        var parsed = 0
        for seed in TileTests.pathTable.map(\.path) + ["tile/entries/x001/x234/067.p/17", "tile/entries/000"] {
            for _ in 0..<500 {
                let input = String(decoding: mutate(Array(seed.utf8), &rng, alphabet: alphabet), as: UTF8.self)
                if let tile = try? TileID(path: input) {
                    parsed += 1
                    #expect(tile.path == input)
                } else {
                    #expect(errorCode { try TileID(path: input) } == .malformedPath)
                }
                if let bundle = try? EntryBundleID(path: input) {
                    parsed += 1
                    #expect(bundle.path == input)
                } else {
                    #expect(errorCode { try EntryBundleID(path: input) } == .malformedPath)
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test func mutatedTilesAndBundlesParseCanonicallyOrThrowTlogError() throws {
        var rng = SplitMix64(state: 3)
        let tile = try HashTile(hashes: Array(ReferenceMerkleTree(size: 5).leaves)).bytes
        let bundle = try EntryBundle(entries: [Array("a".utf8), [], Array("ccc".utf8), [0, 1, 2, 0xff]]).bytes
        var parsed = 0
        for _ in 0..<2000 {
            let t = mutate(tile, &rng, alphabet: [0, 1, 0xff])
            if let value = try? HashTile(bytes: t) {
                parsed += 1
                #expect(value.bytes == t)
            } else {
                #expect(errorCode { try HashTile(bytes: t) } != nil)
            }
            let b = mutate(bundle, &rng, alphabet: [0, 1, 2, 0xff])
            if let value = try? EntryBundle(bytes: b) {
                parsed += 1
                #expect(value.bytes == b)
            } else {
                #expect(errorCode { try EntryBundle(bytes: b) } != nil)
            }
        }
        #expect(parsed > 0)
    }

    @Test func mutatedVkeysParseCanonicallyOrThrowTlogError() throws {
        var rng = SplitMix64(state: 4)
        let seeds = try Fixtures.text("tlog/witness-vkeys.txt").split(separator: "\n").map(String.init)
        var rejected = 0
        for seed in seeds {
            for _ in 0..<300 {
                let input = String(
                    decoding: mutate(Array(seed.utf8), &rng, alphabet: Array("+0123456789abcdefAB/=".utf8)),
                    as: UTF8.self)
                if let key = try? NoteVerifierKey(vkey: input) {
                    #expect(key.vkey == input)
                } else {
                    rejected += 1
                    #expect(errorCode { try NoteVerifierKey(vkey: input) } != nil)
                }
            }
        }
        #expect(rejected > 0)
    }
}
