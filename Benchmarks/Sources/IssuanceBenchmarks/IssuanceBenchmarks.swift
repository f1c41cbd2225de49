// Throughput of the certificate authority and the timestamp authority cores: certificates issued per second
// and timestamps per second, on one task.
//
// Figures (unit ops/s):
//   issue_service         FulcioService.createSigningCertificate, what `POST /api/v2/signingCert` runs: an ES256
//                         bearer token verified against the issuer's JWKS (jwt-kit), a sigstore-python-style CSR
//                         parsed and its proof of possession checked, the precertificate signed (P-384
//                         intermediate), logged in the static-ct-api CT log (StaticCTLog on the SigilLog engine,
//                         in-memory store) and its SCT signed (P-256), the final certificate signed (P-384).
//   issue_service_sqlite  the same with the CT log in SQLite (a temporary file; every certificate is one
//                         durable transaction, synchronous=FULL). Always wall time: the cost is waiting for the
//                         disk, which CPU time does not see.
//   issue_core            CertificateAuthority.issue alone (no token, no CSR), in-memory CT log.
//   timestamp_core        TimeStampSigner.respond(to:) on a DER TimeStampReq (SHA-256 imprint, nonce, certReq)
//                         and the DER of the reply: what `POST /api/v1/timestamp` runs. P-256 TSA key.
//   ecdsa_p256_sign, ecdsa_p384_sign   one swift-crypto signature over 64 bytes: the floor under the above.
//
// Each figure: one warm-up run, then `--runs` runs; the median, smallest and largest rate are printed as
//   BENCH name=<figure> unit=ops/s median=<n> min=<n> max=<n> runs=<n> ops=<n> clock=<cpu|wall>
// Before timing, one issued certificate's chain and SCT are checked (SigilX509) and one reply is parsed.
//
// Usage: IssuanceBenchmarks [--runs N] [--ops N] [--only PREFIX,...] [--clock cpu|wall]
//   --runs   measured runs per figure (default 7)
//   --ops    operations per run (default 300; the sign floors do 10x as many)
//   --only   figures whose names start with one of the prefixes
//   --clock  cpu (default): CPU time of the whole process (all threads: the log engine integrates on other
//            tasks, and that work is part of the cost); wall: elapsed time

import Crypto
import Foundation
import SigilCA
import SigilCT
import SigilLog
import SigilStoreSQLite
import SigilTSA
import SigilTimestamp
import SigilX509
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Options and measuring

struct Options: Sendable {
    var runs = 7
    var ops = 300
    var only: [String] = []
    var wallClock = false

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst()
            switch (flag, value) {
            case ("--runs", let v?): runs = max(1, Int(v) ?? runs)
            case ("--ops", let v?): ops = max(1, Int(v) ?? ops)
            case ("--only", let v?): only = v.split(separator: ",").map(String.init)
            case ("--clock", "cpu"): wallClock = false
            case ("--clock", "wall"): wallClock = true
            default:
                print("usage: IssuanceBenchmarks [--runs N] [--ops N] [--only PREFIX,...] [--clock cpu|wall]")
                exit(2)
            }
        }
    }

    func wants(_ name: String) -> Bool { only.isEmpty || only.contains(where: { name.hasPrefix($0) }) }
}

/// Keeps results alive so the optimiser cannot drop the work that produced them.
nonisolated(unsafe) var sink = 0

@inline(never)
func consume(_ value: Int) { sink &+= value }

/// Seconds of CPU time of this process (user and system, all threads): C `clock()`, microsecond resolution.
/// (Not `clock_gettime`: with MemberImportVisibility its `timespec` resolves to CoreFoundation's in this target.)
func processCPUSeconds() -> Double {
    Double(clock()) / Double(CLOCKS_PER_SEC)
}

func timed(wall: Bool, _ body: () async throws -> Void) async rethrows -> Double {
    if wall {
        let start = ContinuousClock.now
        try await body()
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) * 1e-18
    }
    let start = processCPUSeconds()
    try await body()
    return processCPUSeconds() - start
}

func bench(
    _ name: String, operations: Int, options: Options, forceWall: Bool = false, _ body: () async throws -> Void
) async rethrows {
    guard options.wants(name) else { return }
    let wall = forceWall || options.wallClock
    try await body()  // warm-up
    var rates: [Double] = []
    for _ in 0..<options.runs { rates.append(Double(operations) / (try await timed(wall: wall, body))) }
    rates.sort()
    let median = rates.count % 2 == 1
        ? rates[rates.count / 2] : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
    print(
        "BENCH name=\(name) unit=ops/s median=\(Int(median.rounded())) min=\(Int(rates[0].rounded())) max=\(Int(rates[rates.count - 1].rounded())) runs=\(options.runs) ops=\(operations) clock=\(wall ? "wall" : "cpu")"
    )
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Inputs: an OIDC issuer, a token, a CSR

func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// An ES256 issuer: its JWKS and one email token valid for an hour.
struct BenchIssuer {
    static let url = "https://issuer.bench.sigil.test"
    let key = P256.Signing.PrivateKey()

    var jwksJSON: String {
        let raw = Array(key.publicKey.rawRepresentation)
        return #"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"bench","x":"\#(base64URL(raw.prefix(32)))","y":"\#(base64URL(raw.suffix(32)))"}]}"#
    }

    func token(now: Date) throws -> String {
        let iat = Int(now.timeIntervalSince1970) - 60
        let header = base64URL(Array(#"{"alg":"ES256","kid":"bench","typ":"JWT"}"#.utf8))
        let payload = base64URL(
            Array(
                #"{"iss":"\#(Self.url)","aud":"sigstore","sub":"bench","email":"bench@example.com","email_verified":true,"iat":\#(iat),"exp":\#(iat + 3600)}"#
                    .utf8))
        let signature = try key.signature(for: Array("\(header).\(payload)".utf8))
        return "\(header).\(payload).\(base64URL(signature.rawRepresentation))"
    }
}

/// The request body sigstore-python sends: `{"certificateSigningRequest": base64(PEM)}` for a P-256 key, empty
/// subject, BasicConstraints CA:false requested.
func csrBody() throws -> [UInt8] {
    let key = P256.Signing.PrivateKey()
    let extensions = try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) }
    let csr = try CertificateSigningRequest(
        version: .v1, subject: DistinguishedName(), privateKey: Certificate.PrivateKey(key),
        attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]),
        signatureAlgorithm: .ecdsaWithSHA256)
    let pem = try csr.serializeAsPEM().pemString
    return Array(#"{"certificateSigningRequest":"\#(Data(pem.utf8).base64EncodedString())"}"#.utf8)
}

/// A CA over fresh material with a static-ct-api CT log on `storage`.
func makeAuthority(storage: any LogStorage, now: @escaping @Sendable () -> Date) async throws
    -> (CertificateAuthority, GeneratedCA, StaticCTLog)
{
    let generated = try CAMaterial.generate(at: now().addingTimeInterval(-86_400))
    let log = try await StaticCTLog.open(
        storage: storage, signingKey: P256.Signing.PrivateKey(), origin: "ct.bench.sigil.test",
        issuers: [generated.material.intermediate, generated.material.root], clock: now)
    return (CertificateAuthority(material: generated.material, ctLog: log.ctLog(), clock: now), generated, log)
}

// MARK: - Main
//
// The work is in functions of a `@main` type, not in top-level code: async top-level code with `defer` and nested
// scopes tripped the Swift 6.3 task allocator ("freed pointer was not the last allocation").

struct Inputs: Sendable {
    let now: @Sendable () -> Date
    let verifier: OIDCVerifier
    let authorization: String
    let body: [UInt8]
}

@main
enum IssuanceBenchmarks {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let now: @Sendable () -> Date = { Date() }
        let issuer = BenchIssuer()
        let verifier = try OIDCVerifier(issuers: [try OIDCIssuer(url: BenchIssuer.url, kind: .email)], clock: now)
        try await verifier.setKeys(jwksJSON: issuer.jwksJSON, for: BenchIssuer.url)
        let inputs = Inputs(
            now: now, verifier: verifier, authorization: "Bearer \(try issuer.token(now: now()))", body: try csrBody())
        try await issueService(options, inputs)
        if options.wants("issue_service_sqlite") { try await issueServiceSQLite(options, inputs) }
        try await issueCore(options, inputs)
        try await timestampCore(options, inputs)
        try await signFloors(options)
    }

    /// issue_service (in-memory CT log), checked once first.
    static func issueService(_ options: Options, _ inputs: Inputs) async throws {
        let (authority, generated, log) = try await makeAuthority(storage: InMemoryLogStorage(), now: inputs.now)
        let service = FulcioService(verifier: inputs.verifier, authority: authority)
        let issued = try await service.createSigningCertificate(authorization: inputs.authorization, body: inputs.body)
        _ = try SCTVerifier.verifyEmbeddedSCTs(
            in: issued.certificate, issuer: generated.material.intermediate,
            logs: [try log.ctLog().verificationKey()], at: [inputs.now()])
        guard issued.certificate.issuer == generated.material.intermediate.subject else {
            throw Failure("wrong issuer")
        }
        try await bench("issue_service", operations: options.ops, options: options) {
            for _ in 0..<options.ops {
                let issued = try await service.createSigningCertificate(
                    authorization: inputs.authorization, body: inputs.body)
                consume(issued.signedCertificateTimestamp.signature.count)
            }
        }
        await log.tileLog.shutdown()
    }

    /// issue_service_sqlite: the CT log in a SQLite file.
    static func issueServiceSQLite(_ options: Options, _ inputs: Inputs) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sigil-bench-ct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let storage = try SQLiteLogStorage(path: directory.appendingPathComponent("ct.sqlite").path)
        let (authority, _, log) = try await makeAuthority(storage: storage, now: inputs.now)
        let service = FulcioService(verifier: inputs.verifier, authority: authority)
        try await bench("issue_service_sqlite", operations: options.ops, options: options, forceWall: true) {
            for _ in 0..<options.ops {
                let issued = try await service.createSigningCertificate(
                    authorization: inputs.authorization, body: inputs.body)
                consume(issued.signedCertificateTimestamp.signature.count)
            }
        }
        await log.tileLog.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// issue_core: CertificateAuthority.issue alone.
    static func issueCore(_ options: Options, _ inputs: Inputs) async throws {
        let (authority, _, log) = try await makeAuthority(storage: InMemoryLogStorage(), now: inputs.now)
        let identity = Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .email, value: "bench@example.com"),
            issuer: BenchIssuer.url)
        let key = ProvenPublicKey.unchecked(Certificate.PublicKey(P256.Signing.PrivateKey().publicKey))
        try await bench("issue_core", operations: options.ops, options: options) {
            for _ in 0..<options.ops {
                let issued = try await authority.issue(for: identity, key: key)
                consume(issued.signedCertificateTimestamp.signature.count)
            }
        }
        await log.tileLog.shutdown()
    }

    /// timestamp_core.
    static func timestampCore(_ options: Options, _ inputs: Inputs) async throws {
        let start = inputs.now().addingTimeInterval(-86_400)
        let certificates = try TSACertificates.create(notValidBefore: start, notValidAfter: start + 365 * 86_400)
        let signer = try TimeStampSigner(
            signingKey: certificates.signingKey, certificateChain: certificates.chain, clock: inputs.now)
        let request = try TimeStampReq(hashing: Array(repeating: UInt8(7), count: 64), nonce: 0x1234_5678_9ABC_DEF0)
            .derEncoded()
        let reply = signer.respond(to: request)
        guard reply.isGranted, try TimeStampResp(derEncoded: reply.derEncoded).timeStampToken != nil else {
            throw Failure("the TSA did not grant the benchmark request")
        }
        await bench("timestamp_core", operations: options.ops, options: options) {
            for _ in 0..<options.ops { consume(signer.respond(to: request).derEncoded.count) }
        }
    }

    /// The ECDSA floors.
    static func signFloors(_ options: Options) async throws {
        let message = Array(repeating: UInt8(1), count: 64)
        let p256 = P256.Signing.PrivateKey()
        let p384 = P384.Signing.PrivateKey()
        try await bench("ecdsa_p256_sign", operations: options.ops * 10, options: options) {
            for _ in 0..<(options.ops * 10) { consume(try p256.signature(for: message).rawRepresentation.count) }
        }
        try await bench("ecdsa_p384_sign", operations: options.ops * 10, options: options) {
            for _ in 0..<(options.ops * 10) { consume(try p384.signature(for: message).rawRepresentation.count) }
        }
    }
}
