// Proof building through a node reader (the log reads nodes from tiles), and reading hashes from the wire.

import SigilMerkle
import SigilTesting
import Testing

private struct StorageFailure: Error, Equatable {
    let level: Int
    let index: UInt64
}

@Suite("Proof builders and wire hashes")
struct BuilderTests {
    static let reference = ReferenceMerkleTree(size: 70)

    @Test("building an inclusion proof for an index at or past the size fails with indexOutOfRange")
    func inclusionIndexOutOfRange() {
        for (index, size) in [(UInt64(0), UInt64(0)), (5, 5), (6, 5), (UInt64.max, 70)] {
            #expect(throws: MerkleError.self) {
                _ = try Merkle.inclusionProof(index: index, size: size) { _, _ in
                    Issue.record("no node may be read for an index out of range")
                    return Merkle.emptyRoot
                }
            }
            do {
                _ = try Merkle.inclusionProof(index: index, size: size, nodes: Self.reference.node)
            } catch let error as MerkleError {
                #expect(error.code == .indexOutOfRange)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("the builders read only complete nodes inside the tree, and none for the empty or equal-size consistency proof")
    func buildersReadOnlyNodesInsideTheTree() throws {
        var mismatches = Mismatches()
        for size in 1...70 {
            let inside = { (level: Int, index: UInt64) -> Bool in (index + 1) << UInt64(level) <= UInt64(size) }
            for index in 0..<size {
                _ = try Merkle.inclusionProof(index: UInt64(index), size: UInt64(size)) { level, node in
                    if !inside(level, node) { mismatches.add("PATH(\(index), \(size)) read \(level)/\(node)") }
                    return Self.reference.node(level: level, index: node)
                }
            }
            for size1 in 0...size {
                var reads = 0
                _ = try Merkle.consistencyProof(from: UInt64(size1), to: UInt64(size)) { level, node in
                    reads += 1
                    if !inside(level, node) { mismatches.add("PROOF(\(size1), \(size)) read \(level)/\(node)") }
                    return Self.reference.node(level: level, index: node)
                }
                if (size1 == 0 || size1 == size) && reads != 0 { mismatches.add("PROOF(\(size1), \(size)) read \(reads) nodes") }
            }
        }
        mismatches.expectNone("node reads")
    }

    @Test("an error thrown by the node reader reaches the caller unchanged")
    func readerErrorsPassThrough() {
        #expect(throws: StorageFailure.self) {
            _ = try Merkle.inclusionProof(index: 3, size: 10) { level, index in throw StorageFailure(level: level, index: index) }
        }
        #expect(throws: StorageFailure.self) {
            _ = try Merkle.consistencyProof(from: 3, to: 10) { level, index in throw StorageFailure(level: level, index: index) }
        }
        // A reader that reports a missing tile with nodeUnavailable: the code reaches the caller.
        do {
            _ = try Merkle.consistencyProof(from: 3, to: 10) { level, index in
                throw MerkleError(.nodeUnavailable, "tile for node \(level)/\(index) is missing")
            }
            Issue.record("expected nodeUnavailable")
        } catch let error as MerkleError {
            #expect(error.code == .nodeUnavailable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a wire hash of exactly 32 bytes reads back unchanged; any other length gives malformedHash",
          arguments: [0, 1, 12, 31, 32, 33, 64])
    func wireHashLength(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        let code = outcome { () throws(MerkleError) in
            let hash = try MerkleHash(validating: bytes, as: "root")
            #expect(hash.bytes == bytes)
        }
        #expect(code == (length == 32 ? nil : .malformedHash))
        let proofCode = outcome { () throws(MerkleError) in
            _ = try Merkle.proofHashes([Merkle.emptyRoot.bytes, bytes, Merkle.emptyRoot.bytes])
        }
        #expect(proofCode == (length == 32 ? nil : .malformedHash))
    }

    @Test("proofHashes keeps the order of the elements and names the first bad one")
    func proofHashesOrderAndReason() throws {
        let proof = Self.reference.inclusionProof(index: 9, size: 70)
        #expect(try Merkle.proofHashes(proof.map(\.bytes)) == proof)
        do {
            _ = try Merkle.proofHashes([proof[0].bytes, [], [1, 2]])
            Issue.record("expected malformedHash")
        } catch {
            #expect(error.code == .malformedHash)
            #expect(error.reason.contains("1"))
        }
    }
}
