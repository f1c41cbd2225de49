// ECDSA P-384 verification with precomputed tables, for public keys that verify many signatures: the Fulcio
// and TSA keys of a trusted root sign every bundle a verifier sees.
//
// Written by hand because no allowed package does it: swift-crypto (BoringSSL) verifies P-384 with generic
// Montgomery arithmetic and an interleaved wNAF double-and-add, about 0.49 ms per signature on the benchmark
// machine, which was 60 % of the time of a whole bundle verification (BENCHMARKS.md, "Verify"). Here u1·G + u2·Q
// is a sum of table entries: with a table of signed 5-bit window multiples for the generator (built once per
// process) and one for the key (built once per key, about three swift-crypto verifications' worth of work), a
// verification is at most 154 point additions and no doublings: about four times faster than swift-crypto.
//
// Scope and safety:
// - Verification only. Every input (key, digest, signature) is public, so the arithmetic is variable-time; no
//   private key ever reaches this file.
// - Parsing and validation stay swift-crypto's: the key comes in as a `P384.Signing.PublicKey` (a point on the
//   curve, not the point at infinity), the signature as a `P384.Signing.ECDSASignature`.
// - The answers are checked against swift-crypto and the Wycheproof vectors in Tests/SigilX509Tests
//   (P384PrecomputedKeyTests), including the edge cases (r or s of 0 or n, x(R) ≥ n, doubling inside the sum).
//
// SPEC: FIPS 186-5 §6.4.2 (ECDSA signature verification); SEC 2 v2 §2.5.1 (secp384r1 domain parameters);
// Montgomery multiplication in its CIOS form (Koç, Acar and Kaliski, "Analyzing and comparing Montgomery
// multiplication algorithms", 1996); Jacobian doubling for a = −3 ("dbl-2001-b"), mixed addition
// ("madd-2007-bl") and addition ("add-2007-bl") from the Explicit-Formulas Database (hyperelliptic.org/EFD,
// short Weierstrass curves, Jacobian coordinates).

import Crypto

// MARK: - Public API

/// A P-384 public key with the tables that make its ECDSA verifications about four times faster than
/// swift-crypto's. Building one costs about as much as three swift-crypto verifications and keeps 118 KiB; keep
/// it for a key that verifies many signatures (a CA or TSA key of a trusted root).
public final class P384PrecomputedKey: Sendable {
    /// The key the tables were built for.
    public let key: P384.Signing.PublicKey
    /// Multiples of the key, `P384Table.windows` windows of `P384Table.entries` affine points.
    let table: [AffinePoint]

    /// Builds the tables for `key`.
    public init(_ key: P384.Signing.PublicKey) {
        self.key = key
        // x963: 0x04 || X || Y, 48 bytes each; swift-crypto has checked the point is on the curve.
        let encoded = Array(key.x963Representation)
        let x = U384(bigEndian: encoded[1..<49])
        let y = U384(bigEndian: encoded[49..<97])
        table = P384Table.build(base: AffinePoint(x: P384Field.toMontgomery(x), y: P384Field.toMontgomery(y)))
    }

    /// ECDSA verification (FIPS 186-5 §6.4.2) of `signature` over a message digest given as bytes: the leftmost
    /// 384 bits of `digest` are used when it is longer, all of it when shorter. Gives the same answer as
    /// swift-crypto's `key.isValidSignature(signature, for:)` over the same digest.
    public func isValidSignature(_ signature: P384.Signing.ECDSASignature, digest: [UInt8]) -> Bool {
        let raw = Array(signature.rawRepresentation)
        guard raw.count == 96 else { return false }
        return verify(r: U384(bigEndian: raw[0..<48]), s: U384(bigEndian: raw[48..<96]), digest: digest)
    }

    /// The verification equation for `(r, s)` given as integers.
    func verify(r: U384, s: U384, digest: [UInt8]) -> Bool {
        let n = P384Scalar.modulus
        // SPEC: FIPS 186-5 §6.4.2 step 1: r and s lie in [1, n − 1].
        guard !r.isZero, !s.isZero, r < n, s < n else { return false }
        // SPEC: FIPS 186-5 §6.4.2 steps 2–4: e is the leftmost min(384, hash length) bits of the digest,
        // taken as an integer; e < 2^384 < 2n, so one subtraction reduces it modulo n.
        var e = U384(bigEndian: digest.prefix(48))
        if !(e < n) { e = e.subtracting(n).difference }
        // SPEC: FIPS 186-5 §6.4.2 step 5: w = s⁻¹, u1 = e·w, u2 = r·w (mod n). With s·R inverted in
        // Montgomery form, one Montgomery multiplication by a plain integer gives a plain product.
        let w = P384Scalar.inverse(P384Scalar.toMontgomery(s))
        let u1 = P384Scalar.multiply(e, w)
        let u2 = P384Scalar.multiply(r, w)
        // SPEC: FIPS 186-5 §6.4.2 step 6: R = u1·G + u2·Q; reject the point at infinity.
        let sum = P384Table.linearCombination(u1, P384Table.generator, u2, table)
        guard !sum.z.isZero else { return false }
        // SPEC: FIPS 186-5 §6.4.2 steps 7–8: x(R) mod n = r. With x(R) = X/Z² and 0 ≤ x(R) < p < 2n, that is
        // X = r·Z², or X = (r + n)·Z² when r + n < p; no inversion needed.
        let zz = P384Field.square(sum.z)
        if P384Field.multiply(P384Field.toMontgomery(r), zz) == sum.x { return true }
        let (rn, carry) = r.adding(n)
        guard !carry, rn < P384Field.modulus else { return false }
        return P384Field.multiply(P384Field.toMontgomery(rn), zz) == sum.x
    }
}

// MARK: - 384-bit integers

/// An unsigned 384-bit integer in six 64-bit limbs, least significant first.
struct U384: Equatable, Sendable {
    var l0, l1, l2, l3, l4, l5: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64, _ l5: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4, self.l5) = (l0, l1, l2, l3, l4, l5)
    }

    @inline(__always) static var zero: U384 { U384(0, 0, 0, 0, 0, 0) }

    /// The integer whose big-endian bytes are `bytes` (at most 48 of them; fewer are left-padded with zeros).
    init(bigEndian bytes: some Collection<UInt8>) {
        var limbs: [UInt64] = [0, 0, 0, 0, 0, 0]
        var shift = 0
        for byte in bytes.reversed().prefix(48) {
            limbs[shift / 64] |= UInt64(byte) << UInt64(shift % 64)
            shift += 8
        }
        self.init(limbs[0], limbs[1], limbs[2], limbs[3], limbs[4], limbs[5])
    }

    /// The 48 big-endian bytes of the integer.
    var bigEndianBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(48)
        for limb in [l5, l4, l3, l2, l1, l0] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
        }
        return out
    }

    @inline(__always) var isZero: Bool { (l0 | l1 | l2 | l3 | l4 | l5) == 0 }

    @inline(__always)
    func limb(_ index: Int) -> UInt64 {
        switch index {
        case 0: l0
        case 1: l1
        case 2: l2
        case 3: l3
        case 4: l4
        case 5: l5
        default: 0
        }
    }

    /// Bits `bit ..< bit + width` (width < 64), bits past 383 read as zero.
    @inline(__always)
    func bits(at bit: Int, width: Int) -> Int {
        let index = bit >> 6
        let offset = UInt64(bit & 63)
        var value = limb(index) >> offset
        if offset != 0 { value |= limb(index + 1) << (64 - offset) }
        return Int(truncatingIfNeeded: value & ((1 << UInt64(width)) - 1))
    }

    @inline(__always)
    static func < (a: U384, b: U384) -> Bool {
        if a.l5 != b.l5 { return a.l5 < b.l5 }
        if a.l4 != b.l4 { return a.l4 < b.l4 }
        if a.l3 != b.l3 { return a.l3 < b.l3 }
        if a.l2 != b.l2 { return a.l2 < b.l2 }
        if a.l1 != b.l1 { return a.l1 < b.l1 }
        return a.l0 < b.l0
    }

    /// `self + b` modulo 2^384, and whether it carried out.
    @inline(__always)
    func adding(_ b: U384) -> (sum: U384, carry: Bool) {
        var c: UInt64 = 0
        let r0 = addCarry(l0, b.l0, &c), r1 = addCarry(l1, b.l1, &c), r2 = addCarry(l2, b.l2, &c)
        let r3 = addCarry(l3, b.l3, &c), r4 = addCarry(l4, b.l4, &c), r5 = addCarry(l5, b.l5, &c)
        return (U384(r0, r1, r2, r3, r4, r5), c != 0)
    }

    /// `self − b` modulo 2^384, and whether it borrowed.
    @inline(__always)
    func subtracting(_ b: U384) -> (difference: U384, borrow: Bool) {
        var c: UInt64 = 0
        let r0 = subBorrow(l0, b.l0, &c), r1 = subBorrow(l1, b.l1, &c), r2 = subBorrow(l2, b.l2, &c)
        let r3 = subBorrow(l3, b.l3, &c), r4 = subBorrow(l4, b.l4, &c), r5 = subBorrow(l5, b.l5, &c)
        return (U384(r0, r1, r2, r3, r4, r5), c != 0)
    }
}

/// `a + b + carry`; `carry` (0 or 1) becomes the carry out.
@inline(__always)
private func addCarry(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    carry = (o1 ? 1 : 0) | (o2 ? 1 : 0)
    return s2
}

/// `a − b − borrow`; `borrow` (0 or 1) becomes the borrow out.
@inline(__always)
private func subBorrow(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
    let (d1, o1) = a.subtractingReportingOverflow(b)
    let (d2, o2) = d1.subtractingReportingOverflow(borrow)
    borrow = (o1 ? 1 : 0) | (o2 ? 1 : 0)
    return d2
}

/// The low word of `a·b + addend + carry`; `carry` becomes the high word (the sum fits in 128 bits).
@inline(__always)
private func multiplyAdd(_ a: UInt64, _ b: UInt64, _ addend: UInt64, _ carry: inout UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    let (s1, o1) = product.low.addingReportingOverflow(addend)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    carry = product.high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
    return s2
}

// MARK: - Montgomery arithmetic modulo p and n

/// An odd 384-bit modulus m with 2^383 < m < 2^384, for Montgomery arithmetic with R = 2^384.
protocol P384Modulus {
    static var modulus: U384 { get }
    /// −m⁻¹ mod 2^64.
    static var inverseNegated: UInt64 { get }
    /// R² mod m.
    static var rSquared: U384 { get }
}

/// The field prime p = 2^384 − 2^128 − 2^96 + 2^32 − 1 (SEC 2 §2.5.1).
enum P384Field: P384Modulus {
    @inline(__always) static var modulus: U384 {
        U384(0x0000_0000_ffff_ffff, 0xffff_ffff_0000_0000, 0xffff_ffff_ffff_fffe,
             0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff)
    }
    @inline(__always) static var inverseNegated: UInt64 { 0x0000_0001_0000_0001 }
    @inline(__always) static var rSquared: U384 {
        U384(0xffff_fffe_0000_0001, 0x0000_0002_0000_0000, 0xffff_fffe_0000_0000,
             0x0000_0002_0000_0000, 0x0000_0000_0000_0001, 0x0000_0000_0000_0000)
    }
}

/// The group order n (SEC 2 §2.5.1).
enum P384Scalar: P384Modulus {
    @inline(__always) static var modulus: U384 {
        U384(0xecec_196a_ccc5_2973, 0x581a_0db2_48b0_a77a, 0xc763_4d81_f437_2ddf,
             0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff)
    }
    @inline(__always) static var inverseNegated: UInt64 { 0x6ed4_6089_e88f_dc45 }
    @inline(__always) static var rSquared: U384 {
        U384(0x2d31_9b24_19b4_09a9, 0xff3d_81e5_df1a_a419, 0xbc3e_483a_fcb8_2947,
             0xd40d_4917_4aab_1cc5, 0x3fb0_5b7a_2826_6895, 0x0c84_ee01_2b39_bf21)
    }
}

/// The running sum of one Montgomery multiplication: seven limbs (the seventh is 0 or 1 between rows).
private struct MontgomeryAccumulator {
    var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0, t6: UInt64 = 0

    /// t = (t + a·b + q·m) / 2^64 with q chosen so the division is exact (one CIOS row). Keeps t < 2m.
    @inline(__always)
    mutating func row(_ a: U384, _ b: UInt64, _ m: U384, _ mInverseNegated: UInt64) {
        var c: UInt64 = 0
        t0 = multiplyAdd(a.l0, b, t0, &c)
        t1 = multiplyAdd(a.l1, b, t1, &c)
        t2 = multiplyAdd(a.l2, b, t2, &c)
        t3 = multiplyAdd(a.l3, b, t3, &c)
        t4 = multiplyAdd(a.l4, b, t4, &c)
        t5 = multiplyAdd(a.l5, b, t5, &c)
        let (top, topCarry) = t6.addingReportingOverflow(c)
        let q = t0 &* mInverseNegated
        c = 0
        _ = multiplyAdd(q, m.l0, t0, &c)  // the low word is 0 by the choice of q
        t0 = multiplyAdd(q, m.l1, t1, &c)
        t1 = multiplyAdd(q, m.l2, t2, &c)
        t2 = multiplyAdd(q, m.l3, t3, &c)
        t3 = multiplyAdd(q, m.l4, t4, &c)
        t4 = multiplyAdd(q, m.l5, t5, &c)
        let (high, highCarry) = top.addingReportingOverflow(c)
        t5 = high
        t6 = (topCarry ? 1 : 0) &+ (highCarry ? 1 : 0)
    }
}

extension P384Modulus {
    /// a·b·R⁻¹ mod m, fully reduced, for a, b < m.
    @inline(__always)
    static func multiply(_ a: U384, _ b: U384) -> U384 {
        let m = modulus
        let k = inverseNegated
        var t = MontgomeryAccumulator()
        t.row(a, b.l0, m, k)
        t.row(a, b.l1, m, k)
        t.row(a, b.l2, m, k)
        t.row(a, b.l3, m, k)
        t.row(a, b.l4, m, k)
        t.row(a, b.l5, m, k)
        let value = U384(t.t0, t.t1, t.t2, t.t3, t.t4, t.t5)
        let (reduced, borrow) = value.subtracting(m)
        return (t.t6 != 0 || !borrow) ? reduced : value
    }

    @inline(__always)
    static func square(_ a: U384) -> U384 { multiply(a, a) }

    /// a + b mod m, for a, b < m.
    @inline(__always)
    static func add(_ a: U384, _ b: U384) -> U384 {
        let (sum, carry) = a.adding(b)
        let (reduced, borrow) = sum.subtracting(modulus)
        return (carry || !borrow) ? reduced : sum
    }

    /// a − b mod m, for a, b < m.
    @inline(__always)
    static func subtract(_ a: U384, _ b: U384) -> U384 {
        let (difference, borrow) = a.subtracting(b)
        return borrow ? difference.adding(modulus).sum : difference
    }

    /// a·R mod m, for a < m.
    @inline(__always)
    static func toMontgomery(_ a: U384) -> U384 { multiply(a, rSquared) }

    /// a·R⁻¹ mod m: the plain value of a Montgomery-form a.
    static func fromMontgomery(_ a: U384) -> U384 { multiply(a, U384(1, 0, 0, 0, 0, 0)) }

    /// a⁻¹ for a Montgomery-form a ≠ 0, in Montgomery form: a^(m−2) by Fermat's little theorem (m is prime),
    /// left to right over 4-bit windows of the exponent.
    static func inverse(_ a: U384) -> U384 {
        let exponent = modulus.subtracting(U384(2, 0, 0, 0, 0, 0)).difference
        var powers = [toMontgomery(U384(1, 0, 0, 0, 0, 0)), a]
        powers.reserveCapacity(16)
        for _ in 2..<16 { powers.append(multiply(powers[powers.count - 1], a)) }
        var result = powers[0]
        for window in stride(from: 380, through: 0, by: -4) {
            result = square(square(square(square(result))))
            let digit = exponent.bits(at: window, width: 4)
            if digit != 0 { result = multiply(result, powers[digit]) }
        }
        return result
    }
}

// MARK: - Points

/// A point in affine coordinates, Montgomery form (never the point at infinity).
struct AffinePoint: Sendable {
    var x: U384
    var y: U384

    @inline(__always)
    var negated: AffinePoint { AffinePoint(x: x, y: P384Field.subtract(.zero, y)) }
}

/// A point in Jacobian coordinates (x = X/Z², y = Y/Z³), Montgomery form; Z = 0 is the point at infinity.
struct JacobianPoint {
    var x: U384
    var y: U384
    var z: U384

    static var infinity: JacobianPoint { JacobianPoint(x: .zero, y: .zero, z: .zero) }

    init(x: U384, y: U384, z: U384) {
        (self.x, self.y, self.z) = (x, y, z)
    }

    init(_ point: AffinePoint) {
        self.init(x: point.x, y: point.y, z: P384Table.montgomeryOne)
    }

    /// 2·self ("dbl-2001-b", for a = −3).
    func doubled() -> JacobianPoint {
        typealias F = P384Field
        if z.isZero { return self }
        let delta = F.square(z)
        let gamma = F.square(y)
        let beta = F.multiply(x, gamma)
        let product = F.multiply(F.subtract(x, delta), F.add(x, delta))
        let alpha = F.add(F.add(product, product), product)
        let beta2 = F.add(beta, beta)
        let beta4 = F.add(beta2, beta2)
        let beta8 = F.add(beta4, beta4)
        let x3 = F.subtract(F.square(alpha), beta8)
        let z3 = F.subtract(F.subtract(F.square(F.add(y, z)), gamma), delta)
        let gammaSquared = F.square(gamma)
        let g2 = F.add(gammaSquared, gammaSquared)
        let g4 = F.add(g2, g2)
        let g8 = F.add(g4, g4)
        let y3 = F.subtract(F.multiply(alpha, F.subtract(beta4, x3)), g8)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// self + q ("madd-2007-bl"), with the cases the formula does not cover: self at infinity, self = q
    /// (doubling) and self = −q (infinity).
    func adding(_ q: AffinePoint) -> JacobianPoint {
        typealias F = P384Field
        if z.isZero { return JacobianPoint(q) }
        let z1z1 = F.square(z)
        let u2 = F.multiply(q.x, z1z1)
        let s2 = F.multiply(q.y, F.multiply(z, z1z1))
        let h = F.subtract(u2, x)
        let sDifference = F.subtract(s2, y)
        if h.isZero {
            return sDifference.isZero ? doubled() : .infinity
        }
        let hh = F.square(h)
        let hh2 = F.add(hh, hh)
        let i = F.add(hh2, hh2)
        let j = F.multiply(h, i)
        let r = F.add(sDifference, sDifference)
        let v = F.multiply(x, i)
        let x3 = F.subtract(F.subtract(F.square(r), j), F.add(v, v))
        let y1j = F.multiply(y, j)
        let y3 = F.subtract(F.multiply(r, F.subtract(v, x3)), F.add(y1j, y1j))
        let z3 = F.subtract(F.subtract(F.square(F.add(z, h)), z1z1), hh)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }
}

extension JacobianPoint {
    /// self + q for a Jacobian q ("add-2007-bl"), with the cases the formula does not cover: either point at
    /// infinity, self = q (doubling) and self = −q (infinity). Used to build tables.
    func adding(_ q: JacobianPoint) -> JacobianPoint {
        typealias F = P384Field
        if z.isZero { return q }
        if q.z.isZero { return self }
        let z1z1 = F.square(z)
        let z2z2 = F.square(q.z)
        let u1 = F.multiply(x, z2z2)
        let u2 = F.multiply(q.x, z1z1)
        let s1 = F.multiply(y, F.multiply(q.z, z2z2))
        let s2 = F.multiply(q.y, F.multiply(z, z1z1))
        let h = F.subtract(u2, u1)
        let sDifference = F.subtract(s2, s1)
        if h.isZero {
            return sDifference.isZero ? doubled() : .infinity
        }
        let h2 = F.add(h, h)
        let i = F.square(h2)
        let j = F.multiply(h, i)
        let r = F.add(sDifference, sDifference)
        let v = F.multiply(u1, i)
        let x3 = F.subtract(F.subtract(F.square(r), j), F.add(v, v))
        let s1j = F.multiply(s1, j)
        let y3 = F.subtract(F.multiply(r, F.subtract(v, x3)), F.add(s1j, s1j))
        let z3 = F.multiply(F.subtract(F.subtract(F.square(F.add(z, q.z)), z1z1), z2z2), h)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }
}

// MARK: - Tables

/// Fixed-base tables: for window j (0 ..< 77) and digit d (1 ... 16), the affine point d·2^(5j)·P, so a
/// scalar written in signed 5-bit digits (each in −16 ... 16) is a sum of at most 77 table entries.
enum P384Table {
    static let windowBits = 5
    static let windows = 77  // 77·5 = 385 bits: 384 plus the last carry of the signed recoding
    static let entries = 16

    /// 1 in Montgomery form (R mod p).
    static var montgomeryOne: U384 {
        U384(0xffff_ffff_0000_0001, 0x0000_0000_ffff_ffff, 0x0000_0000_0000_0001, 0, 0, 0)
    }

    /// The table of the generator G (SEC 2 §2.5.1), built on first use.
    static let generator: [AffinePoint] = {
        let gx = U384(0x3a54_5e38_7276_0ab7, 0x5502_f25d_bf55_296c, 0x59f7_41e0_8254_2a38,
                      0x6e1d_3b62_8ba7_9b98, 0x8eb1_c71e_f320_ad74, 0xaa87_ca22_be8b_0537)
        let gy = U384(0x7a43_1d7c_90ea_0e5f, 0x0a60_b1ce_1d7e_819d, 0xe9da_3113_b5f0_b8c0,
                      0xf8f4_1dbd_289a_147c, 0x5d9e_98bf_9292_dc29, 0x3617_de4a_9626_2c6f)
        return build(base: AffinePoint(x: P384Field.toMontgomery(gx), y: P384Field.toMontgomery(gy)))
    }()

    /// The table of `base` (affine, Montgomery form, not infinity): every entry in Jacobian coordinates first,
    /// then all of them made affine with a single field inversion.
    static func build(base: AffinePoint) -> [AffinePoint] {
        var points: [JacobianPoint] = []
        points.reserveCapacity(windows * entries)
        var windowBase = JacobianPoint(base)
        for _ in 0..<windows {
            // d·B for d = 1 ... 16, then 32·B, the next window's base. None is infinity: n is prime, so
            // d·2^k·base (d ≤ 16) is never 0 mod n.
            points.append(windowBase)
            var current = windowBase.doubled()
            points.append(current)
            for _ in 3...entries {
                current = current.adding(windowBase)
                points.append(current)
            }
            windowBase = current.doubled()
        }
        return toAffine(points)
    }

    /// The affine forms of `points` (none at infinity) with one field inversion (Montgomery's trick).
    static func toAffine(_ points: [JacobianPoint]) -> [AffinePoint] {
        typealias F = P384Field
        var prefix: [U384] = []
        prefix.reserveCapacity(points.count)
        var running = montgomeryOne
        for point in points {
            running = F.multiply(running, point.z)
            prefix.append(running)
        }
        var inverse = F.inverse(running)
        var affine = [AffinePoint](repeating: AffinePoint(x: .zero, y: .zero), count: points.count)
        for index in points.indices.reversed() {
            let zInverse = index == 0 ? inverse : F.multiply(inverse, prefix[index - 1])
            inverse = F.multiply(inverse, points[index].z)
            let zInverse2 = F.square(zInverse)
            affine[index] = AffinePoint(
                x: F.multiply(points[index].x, zInverse2),
                y: F.multiply(points[index].y, F.multiply(zInverse2, zInverse)))
        }
        return affine
    }

    /// a·P + b·Q for scalars a, b < n and the tables of P and Q.
    static func linearCombination(_ a: U384, _ tableA: [AffinePoint], _ b: U384, _ tableB: [AffinePoint]) -> JacobianPoint {
        var sum = JacobianPoint.infinity
        var carryA = 0
        var carryB = 0
        for window in 0..<windows {
            let bit = window * windowBits
            sum = addDigit(a.bits(at: bit, width: windowBits), carry: &carryA, window: window, table: tableA, to: sum)
            sum = addDigit(b.bits(at: bit, width: windowBits), carry: &carryB, window: window, table: tableB, to: sum)
        }
        return sum
    }

    /// Adds the signed digit of one window (the raw 5 bits plus the carry from the window below, recoded into
    /// −16 ... 16) times that window's base.
    @inline(__always)
    private static func addDigit(_ raw: Int, carry: inout Int, window: Int, table: [AffinePoint], to sum: JacobianPoint) -> JacobianPoint {
        var digit = raw + carry
        if digit > entries {
            digit -= 1 << windowBits
            carry = 1
        } else {
            carry = 0
        }
        guard digit != 0 else { return sum }
        let entry = table[window * entries + abs(digit) - 1]
        return sum.adding(digit < 0 ? entry.negated : entry)
    }
}
