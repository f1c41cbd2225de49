// libFuzzer target for the SigilTlog note parsers: a signed note (c2sp.org/signed-note), the checkpoint in it
// (c2sp.org/tlog-checkpoint), and `Checkpoint.verify` against fixed real keys, so the signature-line, key-ID
// and signature-verification paths see fuzzed input too.
//
// Invariants checked on every input: no trap, and what parses serialises back to the same bytes (both
// formats have one canonical spelling, so parse then serialise is the identity).

import CLibFuzzerDriver
import SigilTlog

/// The log keys of the seeds' signers (their SubjectPublicKeyInfo as published in the Sigstore trusted roots
/// and `Tests/Fixtures/tlog`), and the witnesses cosigning the staging Rekor v2 checkpoint.
private let logKeys: [NoteVerifierKey] = [
    ("rekor.sigstore.dev", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw=="),
    ("rekor.sigstage.dev", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDODRU688UYGuy54mNUlaEBiQdTE9nYLr0lg6RXowI/QV/RE1azBn4Eg5/2uTOMbhB1/gfcHzijzFi9Tk+g1Prg=="),
    ("log2025-alpha3.rekor.sigstage.dev", "MCowBQYDK2VwAyEAlD3dVc8yaP25mPtT/sJ59D3LLxGBgW/qYrM6x6KmOqk="),
    ("example.com/openssl-log", "MCowBQYDK2VwAyEA3eunp5F5onpgojXfeemk6YOr087wm5+EDQAd2U5pL6Y="),
    ("example.com/openssl-log", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZF7mZ0Ric62hOTeuO4ovenn7cWSldnU7cF8Wv1aOYc9w3fe4pph0SCDt5QRareKweXBJHE4a2KqAStqjgJKOug=="),
].map { name, spki in
    guard let der = Base64.decode(spki), let key = try? NoteVerifierKey.log(name: name, subjectPublicKeyInfo: der)
    else { fatalError("bad built-in log key \(name)") }
    return key
}

private let witnessKeys: [NoteVerifierKey] = [
    "witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv",
    "staging.witness.transparency.goog/ring-any-bells+2e1a8dc9+BG5JTpLc3FJtwzgh1Uv+Qelz9qeOH2bfWjS1s0s+y4rL",
    "witness.navigli.sunlight.geomys.org+a3e00fe2+BNy/co4C1Hn1p+INwJrfUlgz7W55dSZReusH/GhUhJ/G",
].map { vkey in
    guard let key = try? NoteVerifierKey(vkey: vkey) else { fatalError("bad built-in witness key \(vkey)") }
    return key
}

@main
enum FuzzCheckpointMain {
    static func main() {
        sigil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
            guard let data else { return 0 }
            return fuzz(data, size)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let note = try? SignedNote(parsing: bytes) {
        check(Array(note.serialized.utf8) == bytes, "SignedNote does not serialise back to its bytes")
        if let checkpoint = try? Checkpoint(text: note.text) {
            check(checkpoint.text == note.text, "Checkpoint does not serialise back to its text")
        }
    }
    // The input as a bare checkpoint body, too (most mutations of a note break its signature lines).
    if let checkpoint = try? Checkpoint(text: bytes) {
        check(Array(checkpoint.text.utf8) == bytes, "Checkpoint does not serialise back to its bytes")
    }
    if let verified = try? Checkpoint.verify(
        bytes, originMatching: { _ in true }, keys: logKeys, cosigners: witnessKeys)
    {
        check(!verified.signatures.isEmpty, "a verified checkpoint without a verified signature")
    }
    return 0
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
