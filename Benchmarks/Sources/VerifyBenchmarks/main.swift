// Throughput of SigilVerify on real public-good Sigstore bundles: bundles parsed and verified per second, on
// one task (one core).
//
// The bundles are the six expected-PASS bundles of Tests/Fixtures/sigstore-public (README.md there): four
// staging, one production, covering bundle v0.1/v0.2/v0.3, Rekor v1 and v2, DSSE, and RFC 3161 timestamps.
// Each trusted root is parsed once and each `Verifier` built once, as a long-running verifier would; the
// artifacts are hashed once (`Artifact(bytes:)`), so the figures are about the bundle, not the artifact size.
//
// A plain release-mode executable (no benchmark framework), in the style of MerkleBenchmarks: each figure is
// measured `--runs` times after one warm-up run and the median is reported with the smallest and largest run:
//
//   BENCH name=<figure> unit=bundles/s median=<n> min=<n> max=<n> runs=<n> ops=<bundles per run> clock=<cpu|wall>
//
// Figures: `verify_<bundle>` = `Verifier.parseBundle` + `Verifier.verify(_:artifact:policy:)` of one bundle,
// repeated; `verify_mix` = the six bundles in turn; `parse_<bundle>` and `parse_mix` = `Verifier.parseBundle`
// only. Before timing, every bundle must verify and must fail with a wrong identity. For scale, the floor under
// them: `ecdsa_p256_verify` and `ecdsa_p384_verify` = one swift-crypto ECDSA verification over a SHA-256 or
// SHA-384 digest (the signature kinds of Rekor/CT/bundle signatures and of the Fulcio and TSA chains);
// `ecdsa_p384_precomputed_verify` = the same P-384 verification with SigilX509's tables (what the trusted root's
// Fulcio and TSA keys use once warm) and `ecdsa_p384_table_build` = building one key's tables.
//
// Usage: VerifyBenchmarks [--runs N] [--only PREFIX,...] [--ops N] [--clock cpu|wall] [--fixtures DIR]
//   --runs      measured runs per figure (default 7)
//   --only      figures whose names start with one of the prefixes
//   --ops       verifications per run of a one-bundle figure (default 300; parse figures do 10x as many;
//               the mix does ops rounded up to whole rounds of the six bundles)
//   --clock     cpu (default): CPU time of the whole process (all threads), so a run on a shared machine is
//               not charged for time other processes held the cores; the verifier is driven from one task,
//               so only one thread works at a time. wall: elapsed time.
//   --fixtures  the sigstore-public directory (default: found from this source file's path)

import Crypto
import Foundation
import SigilBundle
import SigilVerify
import SigilX509

// MARK: - Options

struct Options: Sendable {
    var runs = 7
    var only: [String] = []
    var ops = 300
    var wallClock = false
    var fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/sigstore-public").path

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst()
            switch (flag, value) {
            case ("--runs", let v?): runs = max(1, Int(v) ?? runs)
            case ("--only", let v?): only = v.split(separator: ",").map(String.init)
            case ("--ops", let v?): ops = max(1, Int(v) ?? ops)
            case ("--clock", "cpu"): wallClock = false
            case ("--clock", "wall"): wallClock = true
            case ("--fixtures", let v?): fixtures = v
            default:
                print("usage: VerifyBenchmarks [--runs N] [--only PREFIX,...] [--ops N] [--clock cpu|wall] [--fixtures DIR]")
                exit(2)
            }
        }
    }

    func wants(_ name: String) -> Bool { only.isEmpty || only.contains(where: { name.hasPrefix($0) }) }
}

// MARK: - Measuring

/// Keeps results alive so the optimiser cannot drop the work that produced them.
nonisolated(unsafe) var sink = 0

@inline(never)
func consume(_ value: Int) {
    sink &+= value
}

/// Seconds of CPU time of this process (user and system, all threads).
func processCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// Seconds that `body` took, on the clock the options chose.
func timed(_ options: Options, _ body: () async throws -> Void) async rethrows -> Double {
    if options.wallClock {
        let start = ContinuousClock.now
        try await body()
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) * 1e-18
    }
    let start = processCPUSeconds()
    try await body()
    return processCPUSeconds() - start
}

/// Runs `body` (which handles `operations` bundles) `runs` times after one warm-up run and prints the median,
/// smallest and largest rate in bundles per second.
func bench(_ name: String, operations: Int, options: Options, _ body: () async throws -> Void) async rethrows {
    guard options.wants(name) else { return }
    try await body()  // warm-up: caches, page faults, lazy globals
    var rates: [Double] = []
    for _ in 0..<options.runs {
        rates.append(Double(operations) / (try await timed(options, body)))
    }
    rates.sort()
    let median = rates.count % 2 == 1
        ? rates[rates.count / 2]
        : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
    print("BENCH name=\(name) unit=bundles/s median=\(Int(median.rounded())) min=\(Int(rates[0].rounded())) max=\(Int(rates[rates.count - 1].rounded())) runs=\(options.runs) ops=\(operations) clock=\(options.wallClock ? "wall" : "cpu")")
}

// MARK: - Inputs

/// One expected-PASS bundle of Tests/Fixtures/sigstore-public/README.md.
struct Case: Sendable {
    let name: String
    let bundle: String
    /// A file under the fixtures directory, or `sha256:HEX`.
    let artifact: String
    let environment: String
    let identity: String
    let issuer: String
}

/// The six expected-PASS bundles, by short name.
enum PassBundles {
    static let cases: [Case] = [
        Case(name: "v02_prod_github", bundle: "bundle_v3_github.whl.sigstore",
             artifact: "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201", environment: "production",
             identity: "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
             issuer: "https://token.actions.githubusercontent.com"),
        Case(name: "v01_staging", bundle: "bundle.txt.sigstore", artifact: "bundle.txt", environment: "staging",
             identity: "a@tny.town", issuer: "https://github.com/login/oauth"),
        Case(name: "v03_staging", bundle: "bundle_v3.txt.sigstore", artifact: "bundle_v3.txt", environment: "staging",
             identity: "william@yossarian.net", issuer: "https://github.com/login/oauth"),
        Case(name: "v03_rekor2_tsa", bundle: "staging-rekor-v2.txt.sigstore.json", artifact: "staging-rekor-v2.txt",
             environment: "staging", identity: "jku@goto.fi", issuer: "https://github.com/login/oauth"),
        Case(name: "v03_dsse_rekor2_tsa", bundle: "a.dsse.staging-rekor-v2.txt.sigstore.json",
             artifact: "a.dsse.staging-rekor-v2.subject.txt", environment: "staging",
             identity: "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
             issuer: "https://token.actions.githubusercontent.com"),
        Case(name: "v03_two_tsa", bundle: "tsa/bundle.txt.sigstore", artifact: "tsa/bundle.txt", environment: "staging",
             identity: "alexis.challande@trailofbits.com", issuer: "https://accounts.google.com"),
    ]
}

/// A case ready to time: the bundle's bytes, the artifact, the policy and the verifier of its environment.
struct Loaded: Sendable {
    let name: String
    let bytes: [UInt8]
    let artifact: Artifact
    let policy: VerificationPolicy
    let verifier: Verifier
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
}

func read(_ directory: String, _ path: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw SetupError(description: "cannot read \(url.path) (give --fixtures DIR)")
    }
    return [UInt8](data)
}

func artifact(_ spec: String, in directory: String) throws -> Artifact {
    guard spec.hasPrefix("sha256:") else { return Artifact(bytes: try read(directory, spec)) }
    let hex = Array(spec.dropFirst("sha256:".count).utf8)
    var digest: [UInt8] = []
    var index = 0
    while index + 1 < hex.count {
        guard let byte = UInt8(String(decoding: hex[index...(index + 1)], as: UTF8.self), radix: 16) else {
            throw SetupError(description: "bad digest \(spec)")
        }
        digest.append(byte)
        index += 2
    }
    return try Artifact(sha256: digest)
}

func load(_ options: Options) throws -> [Loaded] {
    var verifiers: [String: Verifier] = [:]
    for environment in ["staging", "production"] {
        let root = try Verifier.parseTrustedRoot(try read(options.fixtures, "trust/\(environment)/trusted_root.json"))
        verifiers[environment] = try Verifier(trustedRoot: root)
    }
    return try PassBundles.cases.map { c in
        guard let verifier = verifiers[c.environment] else { throw SetupError(description: "no verifier for \(c.environment)") }
        return Loaded(
            name: c.name, bytes: try read(options.fixtures, c.bundle), artifact: try artifact(c.artifact, in: options.fixtures),
            policy: .identity(c.identity, issuer: c.issuer), verifier: verifier)
    }
}

// MARK: - Work

/// Parses and verifies one bundle; returns something derived from the result so it cannot be optimised away.
@inline(never)
func verifyOnce(_ c: Loaded) async throws -> Int {
    let bundle = try Verifier.parseBundle(c.bytes)
    let result = try await c.verifier.verify(bundle, artifact: c.artifact, policy: c.policy)
    return result.logEntries.count &+ result.verifiedTimes.count
}

@inline(never)
func parseOnce(_ c: Loaded) throws -> Int {
    let bundle = try Verifier.parseBundle(c.bytes)
    return bundle.verificationMaterial.tlogEntries.count
}

/// Before timing: every bundle verifies, and fails at the policy step with a wrong identity (so the timed loop
/// measures a verifier that really checks).
func selfCheck(_ loaded: [Loaded]) async throws {
    for c in loaded {
        let bundle = try Verifier.parseBundle(c.bytes)
        let result = try await c.verifier.verify(bundle, artifact: c.artifact, policy: c.policy)
        guard !result.logEntries.isEmpty, !result.verifiedTimes.isEmpty else {
            throw SetupError(description: "\(c.name): verified without log entries or times")
        }
        do {
            _ = try await c.verifier.verify(bundle, artifact: c.artifact, policy: .identity("nobody@example.com", issuer: "https://example.com"))
            throw SetupError(description: "\(c.name): verified with a wrong identity")
        } catch let error as VerificationError {
            guard error.code == .identityMismatch else {
                throw SetupError(description: "\(c.name): wrong identity failed with \(error.code), want identityMismatch")
            }
        }
    }
    print("# self-check: \(loaded.count) bundles verify; each fails with identityMismatch under a wrong identity")
}

/// All timed work runs here, in one nonisolated async function: one task on the global executor, so the loop
/// does not hop back to the main actor between bundles.
nonisolated func run(_ options: Options) async throws {
    let loaded = try load(options)
    try await selfCheck(loaded)
    print("# VerifyBenchmarks: runs=\(options.runs) ops=\(options.ops) clock=\(options.wallClock ? "wall" : "cpu (process)") bundles=\(loaded.count)")

    for c in loaded {
        let ops = options.ops
        try await bench("verify_\(c.name)", operations: ops, options: options) {
            var total = 0
            for _ in 0..<ops { total &+= try await verifyOnce(c) }
            consume(total)
        }
    }
    let rounds = (options.ops + loaded.count - 1) / loaded.count
    try await bench("verify_mix", operations: rounds * loaded.count, options: options) {
        var total = 0
        for _ in 0..<rounds {
            for c in loaded { total &+= try await verifyOnce(c) }
        }
        consume(total)
    }
    let parseOps = options.ops * 10
    for c in loaded {
        try await bench("parse_\(c.name)", operations: parseOps, options: options) {
            var total = 0
            for _ in 0..<parseOps { total &+= try parseOnce(c) }
            consume(total)
        }
    }
    let parseRounds = (parseOps + loaded.count - 1) / loaded.count
    try await bench("parse_mix", operations: parseRounds * loaded.count, options: options) {
        var total = 0
        for _ in 0..<parseRounds {
            for c in loaded { total &+= try parseOnce(c) }
        }
        consume(total)
    }
    try ecdsaFloor(options)
    print("# bundle sizes: " + loaded.map { "\($0.name)=\($0.bytes.count)B" }.joined(separator: " "))
    print("# checksum \(sink)")
}

/// swift-crypto's ECDSA verification rates: the public-key work a bundle cannot avoid.
func ecdsaFloor(_ options: Options) throws {
    let message = Array("sigil verify benchmark".utf8)
    let ops = options.ops * 2
    let p256 = P256.Signing.PrivateKey()
    let s256 = try p256.signature(for: SHA256.hash(data: message))
    let k256 = p256.publicKey
    let d256 = SHA256.hash(data: message)
    guard k256.isValidSignature(s256, for: d256) else { throw SetupError(description: "P-256 self-check failed") }
    try benchSync("ecdsa_p256_verify", operations: ops, options: options) {
        var total = 0
        for _ in 0..<ops where k256.isValidSignature(s256, for: d256) { total &+= 1 }
        consume(total)
    }
    let p384 = P384.Signing.PrivateKey()
    let d384 = SHA384.hash(data: message)
    let s384 = try p384.signature(for: d384)
    let k384 = p384.publicKey
    guard k384.isValidSignature(s384, for: d384) else { throw SetupError(description: "P-384 self-check failed") }
    try benchSync("ecdsa_p384_verify", operations: ops, options: options) {
        var total = 0
        for _ in 0..<ops where k384.isValidSignature(s384, for: d384) { total &+= 1 }
        consume(total)
    }
    // SigilX509's table-based P-384 verification (the Fulcio and TSA keys of a trusted root take this path).
    let precomputed = P384PrecomputedKey(k384)
    let d384Bytes = Array(d384)
    var tampered = d384Bytes
    tampered[0] ^= 1
    guard precomputed.isValidSignature(s384, digest: d384Bytes), !precomputed.isValidSignature(s384, digest: tampered) else {
        throw SetupError(description: "P384PrecomputedKey self-check failed")
    }
    try benchSync("ecdsa_p384_precomputed_verify", operations: ops, options: options) {
        var total = 0
        for _ in 0..<ops where precomputed.isValidSignature(s384, digest: d384Bytes) { total &+= 1 }
        consume(total)
    }
    try benchSync("ecdsa_p384_table_build", operations: max(1, ops / 20), unit: "tables/s", options: options) {
        var total = 0
        for _ in 0..<max(1, ops / 20) { total &+= P384PrecomputedKey(k384).key.rawRepresentation.count }
        consume(total)
    }
}

/// `bench` for synchronous work, in the same units (operations per second).
func benchSync(
    _ name: String, operations: Int, unit: String = "verifications/s", options: Options, _ body: () throws -> Void
) throws {
    guard options.wants(name) else { return }
    try body()
    var rates: [Double] = []
    for _ in 0..<options.runs {
        let start = options.wallClock ? wallSeconds() : processCPUSeconds()
        try body()
        rates.append(Double(operations) / ((options.wallClock ? wallSeconds() : processCPUSeconds()) - start))
    }
    rates.sort()
    let median = rates.count % 2 == 1
        ? rates[rates.count / 2]
        : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
    print("BENCH name=\(name) unit=\(unit) median=\(Int(median.rounded())) min=\(Int(rates[0].rounded())) max=\(Int(rates[rates.count - 1].rounded())) runs=\(options.runs) ops=\(operations) clock=\(options.wallClock ? "wall" : "cpu")")
}

func wallSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

let options = Options(CommandLine.arguments)
do {
    try await run(options)
} catch {
    print("VerifyBenchmarks: \(error)")
    exit(1)
}
