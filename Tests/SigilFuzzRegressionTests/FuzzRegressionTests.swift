// Replays every committed fuzz input (Tests/Fixtures/fuzz/<target>/: the seed corpora and the inputs that
// once crashed a parser) through the parser entry points the FuzzTesting targets call, with the same
// invariants. A trap here kills the test process, which is the failure a regression input exists to show.

import Crypto
import SigilBundle
import SigilTesting
import SigilTimestamp
import SigilTlog
import SigilX509
import Testing

/// One committed fuzz input: a target's folder and a file in it.
struct FuzzInput: Sendable, CustomTestStringConvertible {
    let target: String
    let name: String

    var path: String { "fuzz/\(target)/\(name)" }
    var testDescription: String { "\(target)/\(name)" }
    /// Seeds are real, valid inputs: at least one entry point must accept them.
    var isSeed: Bool { name.hasPrefix("seed-") }

    func bytes() throws -> [UInt8] { try Fixtures.bytes(path) }

    /// The inputs of one fuzz target, sorted; empty if the folder is missing (the count test then fails).
    static func all(_ target: String) -> [FuzzInput] {
        ((try? Fixtures.files(in: "fuzz/\(target)")) ?? [])
            .filter { !$0.hasPrefix(".") }
            .map { FuzzInput(target: target, name: $0) }
    }
}

enum FuzzTargets {
    static let names = ["FuzzBundle", "FuzzCheckpoint", "FuzzTimestampResponse", "FuzzSCTList", "FuzzP384Verify"]
}

@Suite("Fuzz regression inputs")
struct FuzzRegressionTests {
    @Test("every fuzz target has committed inputs, seeds among them, all named seed-* or crash-*", arguments: FuzzTargets.names)
    func inputsLoaded(_ target: String) {
        let inputs = FuzzInput.all(target)
        #expect(inputs.count > 0)
        #expect(inputs.contains { $0.isSeed })
        for input in inputs where !input.isSeed {
            #expect(input.name.hasPrefix("crash-"), "\(input.name) is neither seed-* nor crash-*")
        }
    }

    // MARK: FuzzBundle

    @Test("bundle inputs parse or throw BundleError, and what parses round-trips", arguments: FuzzInput.all("FuzzBundle"))
    func bundle(_ input: FuzzInput) throws {
        let bytes = try input.bytes()
        var accepted = 0
        if let bundle = bundleParse({ try SigstoreBundle.parse(bytes) }) {
            accepted += 1
            #expect(try SigstoreBundle.parse(bundle.jsonBytes()) == bundle)
        }
        if let root = bundleParse({ try TrustedRoot.parse(bytes) }) {
            accepted += 1
            #expect(try TrustedRoot.parse(root.jsonBytes()) == root)
        }
        if let body = bundleParse({ try RekorEntryBody.parse(bytes) }) {
            accepted += 1
            #expect(try RekorEntryBody.parse(body.canonicalBody) == body)
        }
        if input.isSeed { #expect(accepted == 1, "a seed is exactly one of bundle, trusted root, entry body") }
    }

    /// The parsed value, or nil when the parser threw `BundleError`; any other error fails the test.
    private func bundleParse<T>(_ parse: () throws -> T) -> T? {
        do {
            return try parse()
        } catch is BundleError {
            return nil
        } catch {
            Issue.record("threw \(type(of: error)), not BundleError: \(error)")
            return nil
        }
    }

    // MARK: FuzzCheckpoint

    @Test("note inputs parse or throw TlogError, serialise back to their bytes, and signed seeds verify", arguments: FuzzInput.all("FuzzCheckpoint"))
    func checkpoint(_ input: FuzzInput) throws {
        let bytes = try input.bytes()
        let keys = try CheckpointKeys.load()
        var accepted = false
        // Typed throws: any failure is a TlogError by construction.
        if let note = try? SignedNote(parsing: bytes) {
            accepted = true
            #expect(Array(note.serialized.utf8) == bytes)
            if let checkpoint = try? Checkpoint(text: note.text) { #expect(checkpoint.text == note.text) }
        }
        if let checkpoint = try? Checkpoint(text: bytes) {
            accepted = true
            #expect(Array(checkpoint.text.utf8) == bytes)
        }
        let verified = Result { () throws(TlogError) -> VerifiedCheckpoint in
            try Checkpoint.verify(bytes, originMatching: { _ in true }, keys: keys.logs, cosigners: keys.witnesses)
        }
        if case .success(let checkpoint) = verified { #expect(!checkpoint.signatures.isEmpty) }
        if input.isSeed {
            #expect(accepted)
            // Every signed seed is signed by one of the fixed keys; the bare checkpoint body has no signature.
            if input.name.hasPrefix("seed-note-") {
                let checkpoint = try verified.get()
                if input.name.contains("witnessed") { #expect(checkpoint.cosignatures.count == 3) }
            }
        }
    }

    // MARK: FuzzTimestampResponse

    @Test("RFC 3161 inputs parse or throw TimestampError and keep their DER", arguments: FuzzInput.all("FuzzTimestampResponse"))
    func timestampResponse(_ input: FuzzInput) throws {
        let bytes = try input.bytes()
        var accepted = false
        // Typed throws: any failure is a TimestampError by construction.
        if let response = try? TimeStampResp(derEncoded: bytes) {
            accepted = true
            if let token = response.timeStampToken {
                #expect(try TimeStampToken(derEncoded: token.derBytes) == token)
            }
        }
        if let token = try? TimeStampToken(derEncoded: bytes) {
            accepted = true
            #expect(token.derBytes == bytes)
            #expect(token.tstInfo.derBytes.count <= bytes.count)
        }
        if input.isSeed { #expect(accepted) }
    }

    // MARK: FuzzSCTList

    @Test("SCT list inputs parse or throw X509Error, and both forms agree", arguments: FuzzInput.all("FuzzSCTList"))
    func sctList(_ input: FuzzInput) throws {
        let bytes = try input.bytes()
        var accepted = false
        // Typed throws: any failure is an X509Error by construction.
        if let list = try? SignedCertificateTimestampList.parse(tls: bytes) {
            accepted = true
            #expect(!list.isEmpty)
        }
        if let list = try? SignedCertificateTimestampList.parse(extensionValue: bytes) {
            accepted = true
            #expect(!list.isEmpty)
            try #require(bytes.count >= 2)
            let header = bytes[1] < 0x80 ? 2 : 2 + Int(bytes[1] & 0x7F)
            #expect(try SignedCertificateTimestampList.parse(tls: bytes.dropFirst(header)) == list)
        }
        if input.isSeed { #expect(accepted) }
    }

    // MARK: FuzzP384Verify

    @Test("P-384 inputs get the same verdict from the precomputed-table verifier as from swift-crypto", arguments: FuzzInput.all("FuzzP384Verify"))
    func p384Verify(_ input: FuzzInput) throws {
        let bytes = try input.bytes()
        try #require(bytes.count >= 2)
        // The input layout of FuzzTesting/Sources/FuzzP384Verify: key, mode, 96 signature (or mask) bytes, message.
        let key = P384FuzzKeys.keys[Int(bytes[0]) % P384FuzzKeys.keys.count]
        let digestKind = Int(bytes[1] >> 1) & 3
        let field = Array(bytes.dropFirst(2).prefix(96)) + [UInt8](repeating: 0, count: max(0, 96 - (bytes.count - 2)))
        let raw = bytes[1] & 1 == 0 ? field : zip(key.validSignatures[digestKind == 3 ? 0 : digestKind], field).map { $0 ^ $1 }
        let signature = try P384.Signing.ECDSASignature(rawRepresentation: raw)
        let message = P384FuzzKeys.message + bytes.dropFirst(98)
        let (digest, theirs): ([UInt8], Bool)
        switch digestKind {
        case 1: (digest, theirs) = (Array(SHA256.hash(data: message)), key.privateKey.publicKey.isValidSignature(signature, for: SHA256.hash(data: message)))
        case 2: (digest, theirs) = (Array(SHA512.hash(data: message)), key.privateKey.publicKey.isValidSignature(signature, for: SHA512.hash(data: message)))
        default: (digest, theirs) = (Array(SHA384.hash(data: message)), key.privateKey.publicKey.isValidSignature(signature, for: SHA384.hash(data: message)))
        }
        #expect(key.precomputed.isValidSignature(signature, digest: digest) == theirs)
        if input.isSeed { #expect(theirs, "a seed is a valid signature") }
    }
}

/// The keys of FuzzP384Verify (private scalars 1, n − 1 and a fixed value), each with a valid signature of
/// SHA-384, SHA-256 and SHA-512 over the fixed message.
enum P384FuzzKeys {
    struct Key: Sendable {
        let privateKey: P384.Signing.PrivateKey
        let precomputed: P384PrecomputedKey
        let validSignatures: [[UInt8]]
    }

    static let message = Array("sigil p384 fuzz".utf8)

    static let keys: [Key] = {
        let nMinus1: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
            0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x72,
        ]
        let one = [UInt8](repeating: 0, count: 47) + [1]
        let fixed = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        return [one, nMinus1, fixed].map { scalar in
            // The scalars are valid private keys and signing cannot fail for them.
            let key = try! P384.Signing.PrivateKey(rawRepresentation: scalar)
            let signatures = [
                try! key.signature(for: SHA384.hash(data: message)),
                try! key.signature(for: SHA256.hash(data: message)),
                try! key.signature(for: SHA512.hash(data: message)),
            ]
            return Key(privateKey: key, precomputed: P384PrecomputedKey(key.publicKey),
                       validSignatures: signatures.map { Array($0.rawRepresentation) })
        }
    }()
}

/// The keys FuzzCheckpoint verifies with, read here from the fixtures they come from: the Rekor log keys of
/// the production and staging trusted roots, the openssl-made test keys, and the three staging witnesses.
enum CheckpointKeys {
    static func load() throws -> (logs: [NoteVerifierKey], witnesses: [NoteVerifierKey]) {
        var logs: [NoteVerifierKey] = []
        for env in ["production", "staging"] {
            let root = try TrustedRoot.parse(try Fixtures.bytes("sigstore-public/trust/\(env)/trusted_root.json"))
            for tlog in root.tlogs {
                let host = tlog.baseUrl.split(separator: "/").last.map(String.init) ?? tlog.baseUrl
                let spki = try #require(tlog.publicKey.rawBytes)
                logs.append(try NoteVerifierKey.log(name: host, subjectPublicKeyInfo: spki))
            }
        }
        for file in ["openssl-ed25519.spki.der", "openssl-p256.spki.der"] {
            logs.append(
                try NoteVerifierKey.log(
                    name: "example.com/openssl-log", subjectPublicKeyInfo: try Fixtures.bytes("tlog/\(file)")))
        }
        let witnesses = try Fixtures.text("tlog/witness-vkeys.txt").split(separator: "\n").map {
            try NoteVerifierKey(vkey: $0)
        }
        return (logs, witnesses)
    }
}
