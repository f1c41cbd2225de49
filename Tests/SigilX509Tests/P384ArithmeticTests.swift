// The hand-written P-384 arithmetic under `P384PrecomputedKey` (P384Verification.swift): its constants, the
// Montgomery field and scalar operations, the point formulas with their special cases, and the tables, each
// checked against an independent computation (schoolbook arithmetic on the same integers, swift-crypto's own
// keys and signatures). The end-to-end answers against swift-crypto and Wycheproof are in
// P384PrecomputedKeyTests.

import Crypto
import Foundation
import SigilTesting
@testable import SigilX509
import Testing

/// Plain modular arithmetic on U384 values, slow and obviously right, to check the Montgomery code against.
private enum Reference {
    /// (a + b) mod m for a, b < m.
    static func add(_ a: U384, _ b: U384, _ m: U384) -> U384 {
        let (sum, carry) = a.adding(b)
        let (reduced, borrow) = sum.subtracting(m)
        return (carry || !borrow) ? reduced : sum
    }

    /// a·b mod m by double-and-add over the bits of b.
    static func multiply(_ a: U384, _ b: U384, _ m: U384) -> U384 {
        var result = U384.zero
        for bit in stride(from: 383, through: 0, by: -1) {
            result = add(result, result, m)
            if b.bits(at: bit, width: 1) == 1 { result = add(result, a, m) }
        }
        return result
    }

    /// 2^384 mod m (R), by doubling 1 384 times.
    static func r(_ m: U384) -> U384 {
        var value = U384(1, 0, 0, 0, 0, 0)
        for _ in 0..<384 { value = add(value, value, m) }
        return value
    }
}

/// A deterministic stream of 384-bit values below a modulus, so failures reproduce.
private struct Values {
    var random: SplitMix64

    init(state: UInt64) {
        random = SplitMix64(state: state)
    }

    mutating func below(_ m: U384) -> U384 {
        while true {
            let value = U384(random.next(), random.next(), random.next(), random.next(), random.next(), random.next())
            if value < m { return value }
        }
    }
}

/// The affine point (plain coordinates) of a Jacobian point, or nil at infinity.
private func affine(_ point: JacobianPoint) -> (x: U384, y: U384)? {
    guard !point.z.isZero else { return nil }
    let zInverse = P384Field.inverse(point.z)
    let zInverse2 = P384Field.square(zInverse)
    return (P384Field.fromMontgomery(P384Field.multiply(point.x, zInverse2)),
            P384Field.fromMontgomery(P384Field.multiply(point.y, P384Field.multiply(zInverse2, zInverse))))
}

/// The public key point of `scalar`·G as swift-crypto computes it.
private func cryptoPoint(_ scalar: U384) throws -> (x: U384, y: U384) {
    let key = try P384.Signing.PrivateKey(rawRepresentation: scalar.bigEndianBytes)
    let encoded = Array(key.publicKey.x963Representation)
    return (U384(bigEndian: encoded[1..<49]), U384(bigEndian: encoded[49..<97]))
}

@Suite("Hand-written P-384 arithmetic")
struct P384ArithmeticTests {
    @Test("the Montgomery constants are what the moduli give: −m⁻¹ mod 2^64, R² mod m and R mod p")
    func constants() {
        for (modulus, inverseNegated, rSquared) in [
            (P384Field.modulus, P384Field.inverseNegated, P384Field.rSquared),
            (P384Scalar.modulus, P384Scalar.inverseNegated, P384Scalar.rSquared),
        ] {
            #expect(modulus.l0 &* inverseNegated == UInt64.max)  // m·(−m⁻¹) ≡ −1 mod 2^64
            let r = Reference.r(modulus)
            #expect(Reference.multiply(r, r, modulus) == rSquared)
        }
        #expect(Reference.r(P384Field.modulus) == P384Table.montgomeryOne)
        // p = 2^384 − 2^128 − 2^96 + 2^32 − 1: adding 2^128 + 2^96 − 2^32 + 1 (limbs 0xffffffff00000001,
        // 0x00000000ffffffff, 1) gives 2^384 exactly.
        let (sum, carry) = P384Field.modulus.adding(U384(0xffff_ffff_0000_0001, 0x0000_0000_ffff_ffff, 1, 0, 0, 0))
        #expect(sum.isZero && carry)
    }

    @Test("Montgomery multiplication, addition, subtraction and inversion agree with plain arithmetic mod p and mod n",
          arguments: ["p", "n"])
    func fieldOperations(modulusName: String) {
        let m = modulusName == "p" ? P384Field.modulus : P384Scalar.modulus
        func mul(_ a: U384, _ b: U384) -> U384 { modulusName == "p" ? P384Field.multiply(a, b) : P384Scalar.multiply(a, b) }
        func toM(_ a: U384) -> U384 { modulusName == "p" ? P384Field.toMontgomery(a) : P384Scalar.toMontgomery(a) }
        func fromM(_ a: U384) -> U384 { modulusName == "p" ? P384Field.fromMontgomery(a) : P384Scalar.fromMontgomery(a) }
        func inv(_ a: U384) -> U384 { modulusName == "p" ? P384Field.inverse(a) : P384Scalar.inverse(a) }
        func add(_ a: U384, _ b: U384) -> U384 { modulusName == "p" ? P384Field.add(a, b) : P384Scalar.add(a, b) }
        func sub(_ a: U384, _ b: U384) -> U384 { modulusName == "p" ? P384Field.subtract(a, b) : P384Scalar.subtract(a, b) }

        var values = Values(state: modulusName == "p" ? 1 : 2)
        let mMinus1 = m.subtracting(U384(1, 0, 0, 0, 0, 0)).difference
        var samples: [U384] = [.zero, U384(1, 0, 0, 0, 0, 0), mMinus1, U384(0, 0, 0, 0, 0, 1 << 63)]
        for _ in 0..<12 { samples.append(values.below(m)) }
        var checked = 0
        for a in samples {
            #expect(fromM(toM(a)) == a)
            for b in samples.prefix(8) {
                #expect(fromM(mul(toM(a), toM(b))) == Reference.multiply(a, b, m))
                #expect(add(a, b) == Reference.add(a, b, m))
                #expect(add(sub(a, b), b) == a)
                checked += 1
            }
            if !a.isZero {
                #expect(fromM(mul(inv(toM(a)), toM(a))) == U384(1, 0, 0, 0, 0, 0))
            }
        }
        #expect(checked == samples.count * 8)
        // The largest inputs: (m − 1)² ≡ 1.
        #expect(fromM(mul(toM(mMinus1), toM(mMinus1))) == U384(1, 0, 0, 0, 0, 0))
    }

    @Test("k·G from the generator table equals swift-crypto's public key for k·G, for small, large and random k")
    func generatorMultiples() throws {
        let n = P384Scalar.modulus
        var scalars: [U384] = (1...40).map { U384(UInt64($0), 0, 0, 0, 0, 0) }
        scalars += [
            n.subtracting(U384(1, 0, 0, 0, 0, 0)).difference,  // (n − 1)·G = −G
            n.subtracting(U384(16, 0, 0, 0, 0, 0)).difference,
            U384(0, 0, 0, 0, 0, 1 << 63),  // 2^383: a single digit in the top window
            U384(0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0, 0, 0, 0),  // a run of carries in the recoding
            // Every 5-bit window 16 (the largest positive digit, no carries), 17 (recoded to −15 with a carry
            // into every window) and 15.
            U384(0x0842_1084_2108_4210, 0x1084_2108_4210_8421, 0x2108_4210_8421_0842, 0x4210_8421_0842_1084,
                 0x8421_0842_1084_2108, 0x0842_1084_2108_4210),
            U384(0x18c6_318c_6318_c631, 0x318c_6318_c631_8c63, 0x6318_c631_8c63_18c6, 0xc631_8c63_18c6_318c,
                 0x8c63_18c6_318c_6318, 0x18c6_318c_6318_c631),
            U384(0xf7bd_ef7b_def7_bdef, 0xef7b_def7_bdef_7bde, 0xdef7_bdef_7bde_f7bd, 0xbdef_7bde_f7bd_ef7b,
                 0x7bde_f7bd_ef7b_def7, 0xf7bd_ef7b_def7_bdef),
        ]
        var values = Values(state: 3)
        for _ in 0..<8 { scalars.append(values.below(n)) }
        for scalar in scalars {
            let ours = try #require(affine(P384Table.linearCombination(scalar, P384Table.generator, .zero, P384Table.generator)))
            let theirs = try cryptoPoint(scalar)
            #expect(ours.x == theirs.x && ours.y == theirs.y, "k = \(scalar.bigEndianBytes)")
        }
    }

    @Test("a·G + b·G through two tables equals (a + b)·G, including a sum that meets a doubling and one that is infinity")
    func combinationsMeetSpecialCases() throws {
        let n = P384Scalar.modulus
        let one = U384(1, 0, 0, 0, 0, 0)
        let nMinus1 = n.subtracting(one).difference
        // 1·G + 1·G: the second addition adds G to G (the doubling case of the mixed addition).
        let doubled = try #require(affine(P384Table.linearCombination(one, P384Table.generator, one, P384Table.generator)))
        let two = try cryptoPoint(U384(2, 0, 0, 0, 0, 0))
        #expect(doubled.x == two.x && doubled.y == two.y)
        // 1·G + (n − 1)·G = infinity (the addition of a point and its negation).
        #expect(affine(P384Table.linearCombination(one, P384Table.generator, nMinus1, P384Table.generator)) == nil)
        // 0·G + 0·G is infinity.
        #expect(affine(P384Table.linearCombination(.zero, P384Table.generator, .zero, P384Table.generator)) == nil)
        // Random a, b: a·G + b·G = ((a + b) mod n)·G.
        var values = Values(state: 4)
        for _ in 0..<6 {
            let a = values.below(n)
            let b = values.below(n)
            let sum = P384Scalar.add(a, b)
            let ours = try #require(affine(P384Table.linearCombination(a, P384Table.generator, b, P384Table.generator)))
            let theirs = try cryptoPoint(sum)
            #expect(ours.x == theirs.x && ours.y == theirs.y)
        }
    }

    @Test("Jacobian addition (used to build tables) handles P + P, P + (−P) and the point at infinity")
    func jacobianAdditionSpecialCases() throws {
        let g = JacobianPoint(P384Table.generator[0])  // 1·G
        // A second representation of G with Z ≠ 1 (G + G − G is computed through other coordinates).
        let gScaled = g.doubled().adding(P384Table.generator[0].negated)
        let two = try cryptoPoint(U384(2, 0, 0, 0, 0, 0))
        let three = try cryptoPoint(U384(3, 0, 0, 0, 0, 0))
        let gAffine = try #require(affine(g))
        let doubled = try #require(affine(g.adding(gScaled)))  // equal points, different Z: the doubling case
        #expect(doubled.x == two.x && doubled.y == two.y)
        let tripled = try #require(affine(g.doubled().adding(gScaled)))
        #expect(tripled.x == three.x && tripled.y == three.y)
        let minusG = JacobianPoint(P384Table.generator[0].negated)
        #expect(affine(gScaled.adding(minusG)) == nil)
        let fromInfinity = try #require(affine(JacobianPoint.infinity.adding(gScaled)))
        let toInfinity = try #require(affine(gScaled.adding(JacobianPoint.infinity)))
        #expect(fromInfinity.x == gAffine.x && fromInfinity.y == gAffine.y)
        #expect(toInfinity.x == gAffine.x && toInfinity.y == gAffine.y)
    }

    @Test("a key's table holds d·2^(5j)·Q, the multiples swift-crypto computes for the same scalars")
    func keyTableEntries() throws {
        let secret = U384(0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321, 7, 0, 0, 0)
        let key = try P384.Signing.PrivateKey(rawRepresentation: secret.bigEndianBytes)
        let prepared = P384PrecomputedKey(key.publicKey)
        #expect(prepared.table.count == P384Table.windows * P384Table.entries)
        for (window, digit) in [(0, 1), (0, 16), (1, 3), (40, 11), (76, 16)] {
            let entry = prepared.table[window * P384Table.entries + digit - 1]
            // d·2^(5j)·secret mod n, as a private key, has public key d·2^(5j)·Q.
            var multiplier = U384(UInt64(digit), 0, 0, 0, 0, 0)
            for _ in 0..<(5 * window) { multiplier = P384Scalar.add(multiplier, multiplier) }
            let scalar = P384Scalar.fromMontgomery(
                P384Scalar.multiply(P384Scalar.toMontgomery(multiplier), P384Scalar.toMontgomery(secret)))
            let theirs = try cryptoPoint(scalar)
            #expect(P384Field.fromMontgomery(entry.x) == theirs.x && P384Field.fromMontgomery(entry.y) == theirs.y,
                    "window \(window) digit \(digit)")
        }
    }

    @Test("signatures whose r or s lies outside [1, n − 1] are refused before any arithmetic")
    func scalarRange() throws {
        let key = P384.Signing.PrivateKey()
        let digest = Array(SHA384.hash(data: Array("range".utf8)))
        let signature = try key.signature(for: SHA384.hash(data: Array("range".utf8)))
        let raw = Array(signature.rawRepresentation)
        let r = U384(bigEndian: raw[0..<48])
        let s = U384(bigEndian: raw[48..<96])
        let prepared = P384PrecomputedKey(key.publicKey)
        #expect(prepared.verify(r: r, s: s, digest: digest))
        let n = P384Scalar.modulus
        #expect(!prepared.verify(r: .zero, s: s, digest: digest))
        #expect(!prepared.verify(r: r, s: .zero, digest: digest))
        #expect(!prepared.verify(r: n, s: s, digest: digest))
        #expect(!prepared.verify(r: r, s: n, digest: digest))
        // r + n and s + n name the same residues but are out of range: refused, as FIPS 186-5 step 1 says.
        let (rPlusN, rCarry) = r.adding(n)
        if !rCarry { #expect(!prepared.verify(r: rPlusN, s: s, digest: digest)) }
        let (sPlusN, sCarry) = s.adding(n)
        if !sCarry { #expect(!prepared.verify(r: r, s: sPlusN, digest: digest)) }
    }
}
