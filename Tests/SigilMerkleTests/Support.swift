// Helpers shared by the SigilMerkle tests: fixture decoding, a literal RFC 9162 verifier used as an independent
// oracle for expected error codes, and small conveniences. Written by hand: no allowed package provides them.

import Foundation
import SigilMerkle
import SigilTesting
import Testing

/// Every error code SigilMerkle defines, so fixture files can name them.
let allMerkleCodes: [MerkleError.Code] = [
    .indexOutOfRange, .sizesOutOfOrder, .wrongProofSize, .rootMismatch, .firstRootMismatch,
    .secondRootMismatch, .malformedHash, .nodeUnavailable, .sizeTooLarge,
]

/// The outcome of a verification: `nil` when it verified, else the error code.
func outcome(_ body: () throws(MerkleError) -> Void) -> MerkleError.Code? {
    do {
        try body()
        return nil
    } catch {
        return error.code
    }
}

/// A name for an outcome: "valid" or the code's name (as the fixture tables spell them).
func describe(_ code: MerkleError.Code?) -> String {
    code.map(\.description) ?? "valid"
}

/// A hash from 64 hex digits, failing the test when the text is not one.
func hash(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> MerkleHash {
    try #require(MerkleHash(hex: hex), "not a 32-byte hex hash: \(hex)", sourceLocation: sourceLocation)
}

/// `hash` with bit `bit` (0 = most significant bit of the first byte) flipped.
func flipped(_ hash: MerkleHash, bit: Int = 3) -> MerkleHash {
    var bytes = hash.bytes
    bytes[bit / 8] ^= UInt8(0x80) >> UInt8(bit % 8)
    guard let result = MerkleHash(bytes: bytes) else { preconditionFailure("32 bytes in, 32 bytes out") }
    return result
}

/// Distinct leaf hashes for tests, the same ones `ReferenceMerkleTree(size:)` uses.
func testLeaves(_ count: Int) -> [MerkleHash] {
    ReferenceMerkleTree(size: count).leaves
}

/// A node reader over the reference tree that remembers what it computed, so building many proofs over one
/// tree does not recompute the same subtree hashes (the values still come from `ReferenceMerkleTree.node`).
final class CachedReferenceNodes {
    let reference: ReferenceMerkleTree
    private var cache: [Int: [UInt64: MerkleHash]] = [:]
    private(set) var reads = 0

    init(_ reference: ReferenceMerkleTree) { self.reference = reference }

    func node(level: Int, index: UInt64) -> MerkleHash {
        reads += 1
        if let hit = cache[level]?[index] { return hit }
        let value = reference.node(level: level, index: index)
        cache[level, default: [:]][index] = value
        return value
    }
}

/// RFC 9162 §2.1.3.2 and §2.1.4.2 written out step by step (the `fn`/`sn` form of the RFC), sharing nothing with
/// SigilMerkle's verifier but the node hash. Tests use it to work out which code a tampered proof must produce.
enum LiteralRFC9162 {
    /// §2.1.3.2: `nil` when the path verifies.
    static func inclusion(
        leaf: MerkleHash, index: UInt64, size: UInt64, proof: [MerkleHash], root: MerkleHash
    ) -> MerkleError.Code? {
        guard index < size else { return .indexOutOfRange }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return .wrongProofSize }
            if fn & 1 == 1 || fn == sn {
                r = Merkle.nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = Merkle.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        if sn != 0 { return .wrongProofSize }
        return r == root ? nil : .rootMismatch
    }

    /// §2.1.4.2, plus the cases the RFC leaves to the caller (equal sizes, the empty first tree).
    static func consistency(
        size1: UInt64, size2: UInt64, root1: MerkleHash, root2: MerkleHash, proof: [MerkleHash]
    ) -> MerkleError.Code? {
        if size1 > size2 { return .sizesOutOfOrder }
        if size1 == size2 {
            if !proof.isEmpty { return .wrongProofSize }
            return root1 == root2 ? nil : .secondRootMismatch
        }
        if size1 == 0 { return proof.isEmpty ? nil : .wrongProofSize }
        if proof.isEmpty { return .wrongProofSize }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return .wrongProofSize }
            if fn & 1 == 1 || fn == sn {
                fr = Merkle.nodeHash(c, fr)
                sr = Merkle.nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = Merkle.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        if sn != 0 { return .wrongProofSize }
        if fr != root1 { return .firstRootMismatch }
        if sr != root2 { return .secondRootMismatch }
        return nil
    }
}

/// Collects mismatches in a long loop and reports the first few, so one bug does not flood the log.
struct Mismatches {
    private(set) var count = 0
    private var first: [String] = []

    mutating func add(_ message: @autoclosure () -> String) {
        count += 1
        if first.count < 10 { first.append(message()) }
    }

    func expectNone(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(count == 0, "\(count) mismatches in \(what): \(first.joined(separator: "; "))", sourceLocation: sourceLocation)
    }
}
