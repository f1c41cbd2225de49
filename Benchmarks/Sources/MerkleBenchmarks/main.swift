// Throughput of SigilMerkle: leaf and node hashing, roots of a 1M-leaf tree, proof verification.
//
// A plain release-mode executable (no benchmark framework): each figure is measured `--runs` times after one
// warm-up run and the median is reported, with the smallest and largest run, as one machine-readable line:
//
//   BENCH name=<figure> unit=<unit> median=<n> min=<n> max=<n> runs=<n> ops=<operations per run>
//         [tree=<leaves>] clock=<cpu|wall>
//
// `scripts/bench-merkle` builds this in release mode, runs it next to `openssl speed -evp sha256`, and prints
// the table that BENCHMARKS.md records.
//
// Usage: MerkleBenchmarks [--runs N] [--only PREFIX,...] [--ops N] [--leaves N] [--proofs N] [--clock cpu|wall]
//   --runs    measured runs per figure (default 7)      --only    figures whose names start with a prefix
//   --ops     hashes per run of the hashing figures     --leaves  leaves of the tree (default 1,000,000)
//   --proofs  proofs verified per run (default 4096)
//   --clock   cpu (default): this thread's CPU time, as `openssl speed` divides by its user CPU time, so a
//             run on a shared machine is not charged for time other processes held the core; wall: elapsed.

import Crypto
import SigilMerkle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Options

struct Options {
    var runs = 7
    var only: [String] = []
    var hashOps = 1 << 20
    var wallClock = false
    var leaves = 1_000_000
    var proofs = 4096

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst()
            switch (flag, value) {
            case ("--runs", let v?): runs = max(1, Int(v) ?? runs)
            case ("--only", let v?): only = v.split(separator: ",").map(String.init)
            case ("--ops", let v?): hashOps = max(1, Int(v) ?? hashOps)
            case ("--clock", "cpu"): wallClock = false
            case ("--clock", "wall"): wallClock = true
            case ("--leaves", let v?): leaves = max(2, Int(v) ?? leaves)
            case ("--proofs", let v?): proofs = max(1, Int(v) ?? proofs)
            default:
                print("usage: MerkleBenchmarks [--runs N] [--only PREFIX,...] [--ops N] [--leaves N] [--proofs N] [--clock cpu|wall]")
                exit(2)
            }
        }
    }
}

// MARK: - Measuring

/// Keeps results alive so the optimiser cannot drop the work that produced them. Loops fold each result into
/// a local with `fold` and hand the total to `consume` once per run, so no global is touched per hash.
nonisolated(unsafe) var sink: UInt64 = 0

@inline(never)
func consume(_ value: UInt64) {
    sink &+= value
}

@inline(never)
func consume(_ value: Int) {
    sink &+= UInt64(truncatingIfNeeded: value)
}

@inline(__always)
func fold(_ hash: MerkleHash) -> UInt64 {
    hash.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
}

@inline(__always)
func fold(_ digest: SHA256Digest) -> UInt64 {
    digest.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
}

@inline(never)
func consume(_ hash: MerkleHash) {
    consume(fold(hash))
}

/// Seconds of this thread's CPU time (user and system).
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// Seconds that `body` took, on the clock the options chose.
func timed(_ options: Options, _ body: () throws -> Void) rethrows -> Double {
    if options.wallClock {
        let start = ContinuousClock.now
        try body()
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) * 1e-18
    }
    let start = threadCPUSeconds()
    try body()
    return threadCPUSeconds() - start
}

/// Runs `body` (which performs `operations` operations) `runs` times after one warm-up run and prints the
/// median, smallest and largest rate in operations per second.
func bench(
    _ name: String, unit: String, operations: Int, tree: Int? = nil, options: Options, _ body: () throws -> Void
) throws {
    if !options.only.isEmpty, !options.only.contains(where: { name.hasPrefix($0) }) { return }
    try body()  // warm-up: caches, page faults, lazy globals
    var rates: [Double] = []
    for _ in 0..<options.runs {
        rates.append(Double(operations) / (try timed(options, body)))
    }
    rates.sort()
    let median = rates.count % 2 == 1
        ? rates[rates.count / 2]
        : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
    print("BENCH name=\(name) unit=\(unit) median=\(Int(median.rounded())) min=\(Int(rates[0].rounded())) max=\(Int(rates[rates.count - 1].rounded())) runs=\(options.runs) ops=\(operations)\(tree.map { " tree=\($0)" } ?? "") clock=\(options.wallClock ? "wall" : "cpu")")
}

// MARK: - Inputs

/// SplitMix64: a small deterministic generator, so every run measures the same inputs.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}

/// `count` inputs of `width` bytes each, laid end to end.
func inputs(count: Int, width: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(state: seed)
    return (0..<(count * width)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

/// Every complete node of a tree, by level (0 = leaf hashes) and index: what a log keeps in its tiles.
struct NodeStore {
    var levels: [[MerkleHash]] = []

    init(leafHashes: [MerkleHash]) {
        var range = CompactRange()
        for leaf in leafHashes {
            range.append(leaf) { level, index, hash in
                if level == levels.count { levels.append([]) }
                precondition(UInt64(levels[level].count) == index, "nodes arrive left to right")
                levels[level].append(hash)
            }
        }
    }

    struct MissingNode: Error { let level: Int, index: UInt64 }

    func node(level: Int, index: UInt64) throws -> MerkleHash {
        guard level < levels.count, index < UInt64(levels[level].count) else {
            throw MissingNode(level: level, index: index)
        }
        return levels[level][Int(index)]
    }

    /// The root of the tree of the first `size` leaves, folded from its perfect subtrees.
    func root(size: UInt64) throws -> MerkleHash {
        var parts: [MerkleHash] = []
        var start: UInt64 = 0
        var remaining = size
        while remaining > 0 {
            let level = UInt64.bitWidth - 1 - remaining.leadingZeroBitCount
            parts.append(try node(level: level, index: start >> UInt64(level)))
            start += UInt64(1) << UInt64(level)
            remaining -= UInt64(1) << UInt64(level)
        }
        guard var root = parts.popLast() else { return Merkle.emptyRoot }
        while let left = parts.popLast() { root = Merkle.nodeHash(left, root) }
        return root
    }
}

// MARK: - Self-check

/// Before timing anything: the hashing under test gives RFC 6962's answers. Compared with SHA-256 over the
/// prefixed bytes fed in pieces (the plain reading of RFC 9162 §2.1.1) for every leaf length up to 1,100
/// bytes (both sides of the single-update limit) and for nodes, and with the well-known 8-leaf root.
func selfCheck() {
    func reference(_ prefix: UInt8, _ parts: [[UInt8]]) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [prefix])
        for part in parts { hasher.update(data: part) }
        return MerkleHash(hasher.finalize())
    }
    var random = SplitMix64(state: 99)
    for length in 0...1100 {
        let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let leaf = Merkle.leafHash(data)
        precondition(leaf == reference(0, [data]), "leafHash disagrees with SHA-256(0x00 || d) at \(length) bytes")
        precondition(data.withUnsafeBytes { Merkle.leafHash($0) } == leaf, "leafHash entry points disagree")
        let other = Merkle.leafHash(data.reversed())
        precondition(Merkle.nodeHash(leaf, other) == reference(1, [leaf.bytes, other.bytes]), "nodeHash disagrees")
    }
    let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map { hex in stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16) ?? 0 } }
    let root = Merkle.root(ofLeafHashes: leaves.map { Merkle.leafHash($0) })
    precondition(root.hex == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", "8-leaf root is \(root)")
    precondition(Merkle.leafHash([UInt8]()).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    print("# self-check: leaf and node hashes match SHA-256 for leaves of 0...1100 bytes; 8-leaf root ok")
}

// MARK: - Figures

let options = Options(CommandLine.arguments)
selfCheck()
print("# MerkleBenchmarks: runs=\(options.runs) ops=\(options.hashOps) leaves=\(options.leaves) proofs=\(options.proofs) clock=\(options.wallClock ? "wall" : "cpu")")

// Hashing. 4096 distinct inputs (256 KiB) cycled through, so the data stays in cache as it would for a
// log hashing a batch; one run hashes `hashOps` of them.
let hashOps = options.hashOps
let inputCount = 4096
let data64 = inputs(count: inputCount, width: 64, seed: 1)
let data65 = inputs(count: inputCount, width: 65, seed: 2)

try data64.withUnsafeBytes { raw in
    try bench("leaf_hash_64", unit: "hashes/s", operations: hashOps, options: options) {
        var total: UInt64 = 0
        for i in 0..<hashOps {
            let offset = (i & (inputCount - 1)) * 64
            total &+= fold(Merkle.leafHash(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 64)])))
        }
        consume(total)
    }
}

try bench("leaf_hash_array_64", unit: "hashes/s", operations: hashOps, options: options) {
    // The generic entry point on an ArraySlice, as callers holding [UInt8] use it.
    var total: UInt64 = 0
    for i in 0..<hashOps {
        let offset = (i & (inputCount - 1)) * 64
        total &+= fold(Merkle.leafHash(data64[offset..<(offset + 64)]))
    }
    consume(total)
}

do {
    var a = Merkle.leafHash([UInt8](repeating: 1, count: 64))
    let b = Merkle.leafHash([UInt8](repeating: 2, count: 64))
    try bench("node_hash", unit: "hashes/s", operations: hashOps, options: options) {
        for _ in 0..<hashOps { a = Merkle.nodeHash(a, b) }
        consume(a)
    }
}

// swift-crypto's SHA-256 on the same sizes, by the shortest public path (one `update`, no Foundation):
// the floor under leafHash/nodeHash in Swift.
@inline(__always)
func sha256(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
    var hasher = SHA256()
    hasher.update(bufferPointer: bytes)
    return hasher.finalize()
}

try data65.withUnsafeBytes { raw in
    try bench("swift_crypto_sha256_65", unit: "hashes/s", operations: hashOps, options: options) {
        var total: UInt64 = 0
        for i in 0..<hashOps {
            let offset = (i & (inputCount - 1)) * 65
            total &+= fold(sha256(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 65)])))
        }
        consume(total)
    }
}
try data64.withUnsafeBytes { raw in
    try bench("swift_crypto_sha256_64", unit: "hashes/s", operations: hashOps, options: options) {
        var total: UInt64 = 0
        for i in 0..<hashOps {
            let offset = (i & (inputCount - 1)) * 64
            total &+= fold(sha256(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 64)])))
        }
        consume(total)
    }
}

// Trees. One fixed tree of `leaves` 64-byte leaves; leaf hashes computed once.
let leafCount = options.leaves
let leafData = inputs(count: leafCount, width: 64, seed: 3)
let leafHashes: [MerkleHash] = leafData.withUnsafeBytes { raw in
    (0..<leafCount).map { Merkle.leafHash(UnsafeRawBufferPointer(rebasing: raw[($0 * 64)..<($0 * 64 + 64)])) }
}
let store = NodeStore(leafHashes: leafHashes)
let size = UInt64(leafCount)
let root = try store.root(size: size)
precondition(Merkle.root(ofLeafHashes: leafHashes) == root, "root(ofLeafHashes:) disagrees with the node store")
print("# tree: \(leafCount) leaves, root \(root)")

try bench("root_leaf_hashes", unit: "leaves/s", operations: leafCount, tree: leafCount, options: options) {
    consume(Merkle.root(ofLeafHashes: leafHashes))
}

try bench("root_compact_range", unit: "leaves/s", operations: leafCount, tree: leafCount, options: options) {
    var range = CompactRange()
    for leaf in leafHashes { range.append(leaf) }
    consume(range.root)
}

try leafData.withUnsafeBytes { raw in
    try bench("root_from_data", unit: "leaves/s", operations: leafCount, tree: leafCount, options: options) {
        // Leaf hashing and tree building together, from the 64-byte leaves.
        var range = CompactRange()
        for i in 0..<leafCount {
            range.append(Merkle.leafHash(UnsafeRawBufferPointer(rebasing: raw[(i * 64)..<(i * 64 + 64)])))
        }
        consume(range.root)
    }
}

// Proofs on the fixed tree, built once from the node store (as a log builds them from its tiles).
let reader: MerkleNodeReader = { level, index in try store.node(level: level, index: index) }
var random = SplitMix64(state: 4)

let inclusionCases: [(index: UInt64, proof: [MerkleHash])] = try (0..<options.proofs).map { _ in
    let index = random.next(below: size)
    return (index, try Merkle.inclusionProof(index: index, size: size, nodes: reader))
}
for (index, proof) in inclusionCases {
    try Merkle.verifyInclusion(leafHash: leafHashes[Int(index)], index: index, size: size, proof: proof, root: root)
}

try bench("inclusion_verify", unit: "proofs/s", operations: inclusionCases.count, tree: leafCount, options: options) {
    for (index, proof) in inclusionCases {
        try Merkle.verifyInclusion(leafHash: leafHashes[Int(index)], index: index, size: size, proof: proof, root: root)
    }
}

try bench("inclusion_build", unit: "proofs/s", operations: inclusionCases.count, tree: leafCount, options: options) {
    for (index, _) in inclusionCases {
        let proof = try Merkle.inclusionProof(index: index, size: size, nodes: reader)
        consume(proof.count)
    }
}

let consistencyCases: [(size1: UInt64, root1: MerkleHash, proof: [MerkleHash])] = try (0..<options.proofs).map { _ in
    let size1 = 1 + random.next(below: size - 1)  // 1 ... size-1: a real proof, never the empty one
    return (size1, try store.root(size: size1), try Merkle.consistencyProof(from: size1, to: size, nodes: reader))
}
for (size1, root1, proof) in consistencyCases {
    try Merkle.verifyConsistency(size1: size1, size2: size, root1: root1, root2: root, proof: proof)
}

try bench("consistency_verify", unit: "proofs/s", operations: consistencyCases.count, tree: leafCount, options: options) {
    for (size1, root1, proof) in consistencyCases {
        try Merkle.verifyConsistency(size1: size1, size2: size, root1: root1, root2: root, proof: proof)
    }
}

let inclusionLength = Double(inclusionCases.reduce(0) { $0 + $1.proof.count }) / Double(inclusionCases.count)
let consistencyLength = Double(consistencyCases.reduce(0) { $0 + $1.proof.count }) / Double(consistencyCases.count)
print("# mean proof length: inclusion \(inclusionLength), consistency \(consistencyLength) hashes")
print("# checksum \(sink)")
