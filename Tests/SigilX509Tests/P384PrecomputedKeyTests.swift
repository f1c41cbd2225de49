// The hand-written P-384 ECDSA verifier (`P384PrecomputedKey`) must never disagree with swift-crypto (BoringSSL)
// nor with Wycheproof: every verdict below is compared with swift-crypto's for the same key, signature and digest
// bytes, and the Wycheproof verdicts with the file's expected result.
// Vectors: Tests/Fixtures/wycheproof/ (README.md there says where they come from).

import Crypto
import Foundation
import SigilTesting
import SigilX509
import Testing

// MARK: - Wycheproof

/// One Wycheproof ECDSA verify file (schema `ecdsa_verify_schema.json`), with the counts it must produce here.
struct WycheproofECDSAFile: Sendable, CustomTestStringConvertible {
    var name: String
    /// Cases whose result is `valid` (all must verify).
    var valid: Int
    /// Cases whose result is `invalid` and whose DER signature swift-crypto parses (all must fail to verify).
    var invalidParsed: Int
    /// Cases whose DER signature swift-crypto refuses to parse (all are `invalid` or `acceptable`).
    var rejectedByDER: Int
    var testDescription: String { name }
}

private let wycheproofFiles: [WycheproofECDSAFile] = [
    WycheproofECDSAFile(name: "ecdsa_secp384r1_sha384_test.json", valid: 190, invalidParsed: 69, rejectedByDER: 232),
    WycheproofECDSAFile(name: "ecdsa_secp384r1_sha512_test.json", valid: 227, invalidParsed: 69, rejectedByDER: 233),
]

private struct WycheproofVectors: Decodable {
    var algorithm: String
    var numberOfTests: Int
    var testGroups: [Group]

    struct Group: Decodable {
        var publicKey: Key?
        /// The field's name in older Wycheproof files.
        var key: Key?
        var sha: String
        var tests: [Case]
    }

    struct Key: Decodable {
        var uncompressed: String
    }

    struct Case: Decodable {
        var tcId: Int
        var comment: String
        var msg: String
        var sig: String
        var result: String
    }
}

/// The message hashed with the group's hash, and swift-crypto's verdict over that (typed) digest.
private func hashAndVerifyWithSwiftCrypto(
    _ key: P384.Signing.PublicKey, _ signature: P384.Signing.ECDSASignature, _ message: [UInt8], sha: String
) throws -> (digest: [UInt8], valid: Bool) {
    switch sha {
    case "SHA-256":
        let digest = SHA256.hash(data: message)
        return (Array(digest), key.isValidSignature(signature, for: digest))
    case "SHA-384":
        let digest = SHA384.hash(data: message)
        return (Array(digest), key.isValidSignature(signature, for: digest))
    case "SHA-512":
        let digest = SHA512.hash(data: message)
        return (Array(digest), key.isValidSignature(signature, for: digest))
    default:
        throw VectorError(reason: "unsupported hash \(sha)")
    }
}

// MARK: - Differential, random

private enum HashKind: CaseIterable {
    case sha256, sha384, sha512
}

/// Signs a fresh random message of random length, returning the digest bytes and the signature.
private func signRandomMessage(
    _ privateKey: P384.Signing.PrivateKey, _ kind: HashKind, using rng: inout some RandomNumberGenerator
) throws -> (digest: [UInt8], signature: P384.Signing.ECDSASignature) {
    let message = randomBytes(Int.random(in: 0..<300, using: &rng), using: &rng)
    switch kind {
    case .sha256:
        let digest = SHA256.hash(data: message)
        return (Array(digest), try privateKey.signature(for: digest))
    case .sha384:
        let digest = SHA384.hash(data: message)
        return (Array(digest), try privateKey.signature(for: digest))
    case .sha512:
        let digest = SHA512.hash(data: message)
        return (Array(digest), try privateKey.signature(for: digest))
    }
}

/// The fast verdict, after checking it is swift-crypto's verdict over the same digest bytes.
private func verdict(
    _ fast: P384PrecomputedKey, _ signature: P384.Signing.ECDSASignature, _ digest: [UInt8],
    _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    let mine = fast.isValidSignature(signature, digest: digest)
    let swiftCrypto = fast.key.isValidSignature(signature, for: RawDigest(digest))
    #expect(
        mine == swiftCrypto,
        """
        \(what()): fast \(mine), swift-crypto \(swiftCrypto); key \(hexString(Array(fast.key.x963Representation))), \
        signature \(hexString(Array(signature.rawRepresentation))), digest \(hexString(digest))
        """,
        sourceLocation: sourceLocation)
    return mine
}

// MARK: - Out-of-range and special scalars

/// The order n of the P-384 base point, 48 bytes big-endian: SEC 2 v2 §2.5.1 (secp384r1), the same curve as
/// P-384 in FIPS 186-5 / NIST SP 800-186 §3.2.1.4.
private let p384Order: [UInt8] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF, 0x58, 0x1A, 0x0D, 0xB2,
    0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73,
]

@Suite("P-384 precomputed-key ECDSA verifier never disagrees with Wycheproof or swift-crypto")
struct P384PrecomputedKeyTests {
    @Test(
        "Wycheproof P-384 ECDSA vectors get their expected verdict, the same as swift-crypto's",
        arguments: wycheproofFiles)
    func wycheproofVectorsGetTheirExpectedVerdict(file: WycheproofECDSAFile) throws {
        let vectors = try JSONDecoder().decode(
            WycheproofVectors.self, from: Data(try Fixtures.bytes("wycheproof/\(file.name)")))
        #expect(vectors.algorithm == "ECDSA")

        var run = 0, valid = 0, invalidParsed = 0, rejectedByDER = 0, keysRejected = 0
        for group in vectors.testGroups {
            let keyHex = try #require(group.publicKey?.uncompressed ?? group.key?.uncompressed, "group without a key")
            guard let key = try? P384.Signing.PublicKey(x963Representation: try hexBytes(keyHex)) else {
                // A key that does not parse makes every case of its group invalid.
                keysRejected += 1
                for test in group.tests {
                    run += 1
                    #expect(test.result == "invalid", "tcId \(test.tcId): key refused but the case is \(test.result)")
                }
                continue
            }
            let fast = P384PrecomputedKey(key)  // once per group: the tables cost a few verifications
            #expect(fast.key.x963Representation == key.x963Representation)
            for test in group.tests {
                run += 1
                let message = try hexBytes(test.msg)
                guard let signature = try? P384.Signing.ECDSASignature(derRepresentation: try hexBytes(test.sig)) else {
                    rejectedByDER += 1
                    #expect(
                        test.result == "invalid" || test.result == "acceptable",
                        "tcId \(test.tcId) (\(test.comment)): DER refused but the case is \(test.result)")
                    continue
                }
                let (digest, swiftCrypto) = try hashAndVerifyWithSwiftCrypto(
                    key, signature, message, sha: group.sha)
                let verdict = fast.isValidSignature(signature, digest: digest)
                #expect(
                    verdict == swiftCrypto,
                    "tcId \(test.tcId) (\(test.comment)): fast \(verdict), swift-crypto \(swiftCrypto)")
                switch test.result {
                case "valid":
                    valid += 1
                    #expect(verdict, "tcId \(test.tcId) (\(test.comment)) is valid")
                case "invalid":
                    invalidParsed += 1
                    #expect(!verdict, "tcId \(test.tcId) (\(test.comment)) is invalid")
                case "acceptable":
                    break  // either answer, as long as it is swift-crypto's (checked above)
                default:
                    Issue.record("tcId \(test.tcId): unknown result \(test.result)")
                }
            }
        }
        #expect(run > 0)
        #expect(run == vectors.numberOfTests)
        #expect(keysRejected == 0)
        #expect(valid == file.valid)
        #expect(invalidParsed == file.invalidParsed)
        #expect(rejectedByDER == file.rejectedByDER)
    }

    @Test("Signatures by fresh keys over SHA-256, SHA-384 and SHA-512 digests verify, as in swift-crypto")
    func freshSignaturesVerify() throws {
        var rng = SystemRandomNumberGenerator()
        // 24 keys: each table costs ~60,000 field multiplications, slow in a debug build.
        let privateKeys = (0..<24).map { _ in P384.Signing.PrivateKey() }
        let fastKeys = privateKeys.map { P384PrecomputedKey($0.publicKey) }
        var checked = 0
        for (index, privateKey) in privateKeys.enumerated() {
            let fast = fastKeys[index]
            let otherKey = fastKeys[(index + 1) % fastKeys.count]
            for kind in HashKind.allCases {
                let (digest, signature) = try signRandomMessage(privateKey, kind, using: &rng)
                let context = "key \(index), \(kind)"
                #expect(verdict(fast, signature, digest, "\(context): as signed"))

                // One flipped bit of the raw signature (r || s, 96 bytes).
                var raw = Array(signature.rawRepresentation)
                let sigBit = Int.random(in: 0..<(raw.count * 8), using: &rng)
                raw[sigBit / 8] ^= UInt8(1) << (sigBit % 8)
                let flipped = try P384.Signing.ECDSASignature(rawRepresentation: raw)
                #expect(!verdict(fast, flipped, digest, "\(context): signature bit \(sigBit) flipped"))

                // One flipped bit of the digest, among the bits ECDSA uses (the leftmost 384).
                var changed = digest
                let digestBit = Int.random(in: 0..<(min(digest.count, 48) * 8), using: &rng)
                changed[digestBit / 8] ^= UInt8(1) << (digestBit % 8)
                #expect(!verdict(fast, signature, changed, "\(context): digest bit \(digestBit) flipped"))

                // Another key.
                #expect(!verdict(otherKey, signature, digest, "\(context): under key \((index + 1) % privateKeys.count)"))
                checked += 1
            }
        }
        #expect(checked == 24 * 3)
    }

    @Test("Digests longer than 48 bytes count by their leftmost 384 bits, shorter ones whole, as in swift-crypto")
    func digestLengthsFollowTheLeftmostBitsRule() throws {
        var rng = SystemRandomNumberGenerator()
        let privateKey = P384.Signing.PrivateKey()
        let fast = P384PrecomputedKey(privateKey.publicKey)
        let lengths = [0, 1, 20, 28, 32, 47, 48, 49, 64, 65, 100]
        for length in lengths {
            let digest = randomBytes(length, using: &rng)
            let signature = try privateKey.signature(for: RawDigest(digest))
            #expect(verdict(fast, signature, digest, "\(length)-byte digest as signed"))
            if length > 48 {
                #expect(verdict(fast, signature, Array(digest.prefix(48)), "\(length)-byte digest cut to 48 bytes"))
                var tail = digest
                let bit = 48 * 8 + Int.random(in: 0..<((length - 48) * 8), using: &rng)
                tail[bit / 8] ^= UInt8(1) << (bit % 8)
                #expect(verdict(fast, signature, tail, "\(length)-byte digest, bit \(bit) (past 384) flipped"))
            } else {
                // A trailing zero byte multiplies the digest integer by 256 (a change unless it is 0), or, at 48
                // bytes, is cut off again.
                let longer = digest + [0]
                let expected = length == 48 || digest.allSatisfy { $0 == 0 }
                #expect(verdict(fast, signature, longer, "\(length)-byte digest + one zero byte") == expected)
            }
            if length > 0 {
                var changed = digest
                let bit = Int.random(in: 0..<(min(length, 48) * 8), using: &rng)
                changed[bit / 8] ^= UInt8(1) << (bit % 8)
                #expect(!verdict(fast, signature, changed, "\(length)-byte digest, bit \(bit) flipped"))
            }
        }
    }

    @Test("Signatures whose r or s is 0, 1, n - 1, n, n + 1 or all ones never verify, as in swift-crypto")
    func outOfRangeScalarsNeverVerify() throws {
        var rng = SystemRandomNumberGenerator()
        let zero = [UInt8](repeating: 0, count: 48)
        let one = [UInt8](repeating: 0, count: 47) + [1]
        let specials: [(name: String, value: [UInt8])] = [
            ("0", zero),
            ("1", one),
            ("n - 1", try subtracting(p384Order, one)),
            ("n", p384Order),
            ("n + 1", try adding(p384Order, one)),
            ("all ones", [UInt8](repeating: 0xFF, count: 48)),
        ]
        var checked = 0
        for _ in 0..<4 {
            let privateKey = P384.Signing.PrivateKey()
            let fast = P384PrecomputedKey(privateKey.publicKey)
            let digest = SHA384.hash(data: randomBytes(64, using: &rng))
            let signature = try privateKey.signature(for: digest)
            let raw = Array(signature.rawRepresentation)
            let (r, s) = (Array(raw[0..<48]), Array(raw[48..<96]))
            #expect(verdict(fast, signature, Array(digest), "as signed"))
            for special in specials {
                let candidates = [
                    ("r", special.value + s), ("s", r + special.value), ("r and s", special.value + special.value),
                ]
                for (which, candidate) in candidates {
                    // swift-crypto may refuse to build such a signature: then there is nothing to compare.
                    guard let odd = try? P384.Signing.ECDSASignature(rawRepresentation: candidate) else { continue }
                    #expect(!verdict(fast, odd, Array(digest), "\(which) = \(special.name)"))
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    @Test("The high-s twin (r, n - s) of a valid signature gets swift-crypto's answer (ECDSA accepts it)")
    func highSTwinVerifiesAsInSwiftCrypto() throws {
        var rng = SystemRandomNumberGenerator()
        var checked = 0
        for index in 0..<16 {
            let privateKey = P384.Signing.PrivateKey()
            let fast = P384PrecomputedKey(privateKey.publicKey)
            for kind in HashKind.allCases {
                let (digest, signature) = try signRandomMessage(privateKey, kind, using: &rng)
                let raw = Array(signature.rawRepresentation)
                let twinS = try subtracting(p384Order, Array(raw[48..<96]))
                let twin = try P384.Signing.ECDSASignature(rawRepresentation: Array(raw[0..<48]) + twinS)
                #expect(verdict(fast, twin, digest, "key \(index), \(kind): (r, n - s)"))
                checked += 1
            }
        }
        #expect(checked == 16 * 3)
    }

    @Test("One precomputed key gives the same verdicts when used from many tasks at once")
    func sharedKeyIsConsistentAcrossTasks() async throws {
        var rng = SystemRandomNumberGenerator()
        let privateKey = P384.Signing.PrivateKey()
        let fast = P384PrecomputedKey(privateKey.publicKey)
        var cases: [(signature: P384.Signing.ECDSASignature, digest: [UInt8], valid: Bool)] = []
        for index in 0..<8 {
            let (digest, signature) = try signRandomMessage(privateKey, .sha384, using: &rng)
            var changed = digest
            changed[index] ^= 0x80
            cases.append((signature, digest, true))
            cases.append((signature, changed, false))
        }
        let verdicts = await withTaskGroup(of: (Int, Bool).self) { group in
            for _ in 0..<4 {
                for (index, entry) in cases.enumerated() {
                    group.addTask { (index, fast.isValidSignature(entry.signature, digest: entry.digest)) }
                }
            }
            var all: [Int: [Bool]] = [:]
            for await (index, verdict) in group { all[index, default: []].append(verdict) }
            return all
        }
        #expect(verdicts.count == cases.count)
        for (index, entry) in cases.enumerated() {
            #expect(verdicts[index] == [Bool](repeating: entry.valid, count: 4), "case \(index)")
        }
    }
}

// MARK: - Helpers

/// Digest bytes as a swift-crypto `Digest`, for digests that no swift-crypto hash produced here (bit-flipped,
/// cut, odd lengths). swift-crypto's ECDSA (BoringSSL `ECDSA_do_sign` / `ECDSA_do_verify`) reads the digest
/// through `withUnsafeBytes`, so the byte count it uses is the array's; `byteCount` is not consulted there.
private struct RawDigest: Digest {
    static var byteCount: Int { 48 }
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }
    var description: String { "raw digest \(hexString(bytes))" }
}

private struct VectorError: Error {
    var reason: String
}

private func randomBytes(_ count: Int, using rng: inout some RandomNumberGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

private func hexBytes(_ hex: String) throws -> [UInt8] {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw VectorError(reason: "odd-length hex \(hex)") }
    func value(_ c: UInt8) throws -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: throw VectorError(reason: "not a hex digit in \(hex)")
        }
    }
    return try stride(from: 0, to: digits.count, by: 2).map { try value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}

private func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// a - b for equal-length big-endian numbers with a >= b.
private func subtracting(_ a: [UInt8], _ b: [UInt8]) throws -> [UInt8] {
    guard a.count == b.count else { throw VectorError(reason: "lengths \(a.count) and \(b.count) differ") }
    var result = a
    var borrow = 0
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        var digit = Int(a[i]) - Int(b[i]) - borrow
        borrow = digit < 0 ? 1 : 0
        if digit < 0 { digit += 256 }
        result[i] = UInt8(digit)
    }
    guard borrow == 0 else { throw VectorError(reason: "negative difference") }
    return result
}

/// a + b for equal-length big-endian numbers whose sum fits in that length.
private func adding(_ a: [UInt8], _ b: [UInt8]) throws -> [UInt8] {
    guard a.count == b.count else { throw VectorError(reason: "lengths \(a.count) and \(b.count) differ") }
    var result = a
    var carry = 0
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        let digit = Int(a[i]) + Int(b[i]) + carry
        carry = digit >> 8
        result[i] = UInt8(digit & 0xFF)
    }
    guard carry == 0 else { throw VectorError(reason: "sum overflows \(a.count) bytes") }
    return result
}
