// `sigil merkle`: RFC 6962 tree tools for operators and for a quick self-check of a fresh build.

import ArgumentParser
import SigilMerkle

struct MerkleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merkle",
        abstract: "RFC 6962 Merkle tree tools.",
        subcommands: [Root.self, SelfCheck.self]
    )

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the RFC 6962 root of the lines read from standard input, one leaf per line.",
            discussion: "Example: printf 'a\\nb\\nc\\n' | sigil merkle root"
        )

        func run() throws {
            var range = CompactRange()
            while let line = readLine(strippingNewline: true) {
                range.append(Merkle.leafHash(Array(line.utf8)))
            }
            print("size \(range.size)")
            print("root \(range.root.hex)")
        }
    }

    struct SelfCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-check",
            abstract: "Build trees of 1 to N leaves and check every inclusion and consistency proof.",
            discussion: "Exits 0 when every proof verifies, 1 otherwise."
        )

        @Option(help: "The largest tree size to check.")
        var size: Int = 64

        func validate() throws {
            guard (1...4096).contains(size) else { throw ValidationError("--size must be between 1 and 4096, got \(size)") }
        }

        func run() throws {
            let leaves = (0..<size).map { Merkle.leafHash(Array("leaf-\($0)".utf8)) }
            // Perfect subtrees straight from the leaves; the proof builder reads them like a tile store.
            let nodes: MerkleNodeReader = { level, index in
                let begin = Int(index) << level
                return Merkle.root(ofLeafHashes: leaves[begin..<(begin + (1 << level))])
            }
            var checked = 0
            var roots: [MerkleHash] = [Merkle.emptyRoot]
            for n in 1...size {
                roots.append(Merkle.root(ofLeafHashes: leaves[0..<n]))
            }
            for n in 1...size {
                for index in 0..<n {
                    let proof = try Merkle.inclusionProof(index: UInt64(index), size: UInt64(n), nodes: nodes)
                    try Merkle.verifyInclusion(leafHash: leaves[index], index: UInt64(index), size: UInt64(n), proof: proof, root: roots[n])
                    checked += 1
                }
                for m in 0...n {
                    let proof = try Merkle.consistencyProof(from: UInt64(m), to: UInt64(n), nodes: nodes)
                    try Merkle.verifyConsistency(size1: UInt64(m), size2: UInt64(n), root1: roots[m], root2: roots[n], proof: proof)
                    checked += 1
                }
            }
            print("ok: \(checked) proofs verified for tree sizes 1...\(size)")
        }
    }
}
