// libFuzzer target for SigilX509's hand-written P-384 ECDSA verification (`P384PrecomputedKey`): on every input
// its answer must equal swift-crypto's for the same key, signature and digest. A difference is a crash that
// prints the key, signature and digest.
//
// Input: byte 0 picks the key (mod 3): d = 1 (Q = G, so u1·G + u2·Q meets doublings), d = n − 1 (Q = −G, so it
// meets the point at infinity), or a fixed d. Byte 1 is the mode: bit 0 clear takes bytes 2 ..< 98 as the raw
// signature r || s (zero-padded); bit 0 set XORs them into a valid signature of that key (all-zero bytes leave
// it valid). Bits 1–2 pick the digest (0: SHA-384, 1: SHA-256, 2: SHA-512, 3: SHA-384) of a fixed message
// followed by the bytes from 98 on. The valid signatures are made when the process starts (ECDSA nonces are
// random), so a crash is reproduced from the printed values, not only from its input file.

import CLibFuzzerDriver
import Crypto
import SigilX509

@main
enum FuzzP384VerifyMain {
    static func main() {
        sigil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
            guard let data else { return 0 }
            return fuzz(data, size)
        }
    }
}

/// One key of the fuzz target: swift-crypto's, ours, and a valid signature per digest of the fixed message.
struct FuzzKey {
    let publicKey: P384.Signing.PublicKey
    let precomputed: P384PrecomputedKey
    /// Valid signatures (raw r || s) of SHA-384, SHA-256 and SHA-512 of `fixedMessage`.
    let validSignatures: [[UInt8]]
}

let fixedMessage = Array("sigil p384 fuzz".utf8)

let fuzzKeys: [FuzzKey] = {
    let n: [UInt8] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
        0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x72,  // n − 1
    ]
    let one = [UInt8](repeating: 0, count: 47) + [1]
    let fixed = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    return [one, n, fixed].map { scalar in
        guard let key = try? P384.Signing.PrivateKey(rawRepresentation: scalar),
            let s384 = try? key.signature(for: SHA384.hash(data: fixedMessage)),
            let s256 = try? key.signature(for: SHA256.hash(data: fixedMessage)),
            let s512 = try? key.signature(for: SHA512.hash(data: fixedMessage))
        else { fatalError("fuzz key setup failed") }
        return FuzzKey(
            publicKey: key.publicKey, precomputed: P384PrecomputedKey(key.publicKey),
            validSignatures: [s384, s256, s512].map { Array($0.rawRepresentation) })
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    let key = fuzzKeys[Int(bytes[0]) % fuzzKeys.count]
    let digestKind = Int(bytes[1] >> 1) & 3
    let field = Array(bytes.dropFirst(2).prefix(96)) + [UInt8](repeating: 0, count: max(0, 96 - (bytes.count - 2)))
    let raw = bytes[1] & 1 == 0
        ? field
        : zip(key.validSignatures[digestKind == 3 ? 0 : digestKind], field).map { $0 ^ $1 }
    guard let signature = try? P384.Signing.ECDSASignature(rawRepresentation: raw) else { return 0 }
    let message = fixedMessage + bytes.dropFirst(98)
    let ours: Bool
    let theirs: Bool
    let digest: [UInt8]
    switch digestKind {
    case 1:
        let hash = SHA256.hash(data: message)
        (digest, theirs) = (Array(hash), key.publicKey.isValidSignature(signature, for: hash))
    case 2:
        let hash = SHA512.hash(data: message)
        (digest, theirs) = (Array(hash), key.publicKey.isValidSignature(signature, for: hash))
    default:
        let hash = SHA384.hash(data: message)
        (digest, theirs) = (Array(hash), key.publicKey.isValidSignature(signature, for: hash))
    }
    ours = key.precomputed.isValidSignature(signature, digest: digest)
    if ours != theirs {
        fatalError("""
            P384PrecomputedKey says \(ours), swift-crypto says \(theirs): key \(hex(key.publicKey.x963Representation)) \
            signature \(hex(raw)) digest \(hex(digest))
            """)
    }
    return 0
}

private func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
