// `sigil verify`: offline verification of a Sigstore bundle against a trusted root.

import ArgumentParser
import Foundation
import SigilBundle
import SigilVerify
import SigilX509

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a Sigstore bundle for a file, offline.",
        discussion: """
            Checks the bundle's signature over FILE (or a digest given as sha256:HEX), its certificate chain and \
            SCT, its transparency log inclusion proof and checkpoint, and its timestamps, against a trusted root, \
            and that the signer is the identity you name. No network access.

            Examples:
              sigil verify release.tar.gz --bundle release.tar.gz.sigstore.json \\
                --certificate-identity alice@example.com --certificate-oidc-issuer https://accounts.google.com
              sigil verify sha256:c4e9…f201 --bundle app.sigstore --staging \\
                --certificate-identity-regexp '.*@example\\.com' --certificate-oidc-issuer https://github.com/login/oauth

            Exit codes: 0 verified, 1 not verified (the message names the failed step and what differed), \
            2 usage or input error.
            """
    )

    @Argument(help: "The artifact, or its digest as sha256:HEX.")
    var artifact: String

    @Option(help: "The bundle file (default: ARTIFACT.sigstore.json).")
    var bundle: String?

    @Option(help: "The identity (SAN) the signing certificate must carry, e.g. an email or a workflow URI.")
    var certificateIdentity: String?

    @Option(help: "A regular expression the whole identity (SAN) must match.")
    var certificateIdentityRegexp: String?

    @Option(help: "The OIDC issuer the signing certificate must carry.")
    var certificateOidcIssuer: String?

    @Option(help: "A regular expression the whole OIDC issuer must match.")
    var certificateOidcIssuerRegexp: String?

    @Option(help: "A PEM public key: verify a managed-key bundle signed with it instead of a certificate.")
    var key: String?

    @Option(help: "A trusted_root.json to verify against (default: the public-good production root).")
    var trustedRoot: String?

    @Option(help: "A ClientTrustConfig (e.g. the trust-config.json `sigil up` writes).")
    var trustConfig: String?

    @Flag(help: "Use the public-good staging trusted root.")
    var staging = false

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    func validate() throws {
        let trustFlags = [trustedRoot != nil, trustConfig != nil, staging].filter { $0 }.count
        guard trustFlags <= 1 else {
            throw ValidationError("give at most one of --trusted-root, --trust-config, --staging")
        }
        if key != nil {
            guard certificateIdentity == nil, certificateIdentityRegexp == nil, certificateOidcIssuer == nil,
                certificateOidcIssuerRegexp == nil
            else { throw ValidationError("--key verifies a managed-key bundle: leave out the certificate identity flags") }
            return
        }
        guard (certificateIdentity == nil) != (certificateIdentityRegexp == nil) else {
            throw ValidationError("give exactly one of --certificate-identity or --certificate-identity-regexp (or --key)")
        }
        guard (certificateOidcIssuer == nil) != (certificateOidcIssuerRegexp == nil) else {
            throw ValidationError("give exactly one of --certificate-oidc-issuer or --certificate-oidc-issuer-regexp")
        }
    }

    func run() async throws {
        let policy = try makePolicy()
        let target = try loadArtifact()
        let bundlePath = bundle ?? (artifact.hasPrefix("sha256:") ? nil : artifact + ".sigstore.json")
        guard let bundlePath else { throw InputError("--bundle is required when the artifact is given as a digest") }
        let bundleBytes = try readFile(bundlePath, what: "bundle")
        let verifier: Verifier
        let root = try loadTrustedRoot()
        do { verifier = try Verifier(trustedRoot: root) } catch {
            throw InputError("trusted root: \(error.reason)")
        }

        do {
            let parsed = try Verifier.parseBundle(bundleBytes)
            let result = try await verifier.verify(parsed, artifact: target, policy: policy)
            report(result, bundlePath: bundlePath)
        } catch {
            if output == .json {
                printJSON(["verified": false, "step": error.code.step, "code": error.code.description, "reason": error.reason])
            }
            FileHandle.standardError.write(Data("error: not verified: \(error.code.step): \(error.reason) [\(error.code)]\n".utf8))
            throw SigilExit.verificationFailed
        }
    }

    func makePolicy() throws -> VerificationPolicy {
        if let key {
            let pem = String(decoding: try readFile(key, what: "key"), as: UTF8.self)
            do { return .publicKey(subjectPublicKeyInfo: try CertificateCoding.der(pem: pem, type: "PUBLIC KEY")) } catch {
                throw InputError("\(key) is not a PEM public key: \(error)")
            }
        }
        if let identity = certificateIdentity, let issuer = certificateOidcIssuer {
            return .identity(identity, issuer: issuer)
        }
        do {
            if let pattern = certificateIdentityRegexp {
                return try .identity(matching: pattern, issuer: certificateOidcIssuer, issuerMatching: certificateOidcIssuerRegexp)
            }
            return try .identity(matching: "^" + NSRegularExpression.escapedPattern(for: certificateIdentity ?? "") + "$",
                issuer: nil, issuerMatching: certificateOidcIssuerRegexp)
        } catch {
            throw InputError(error.reason)
        }
    }

    func loadArtifact() throws -> Artifact {
        if artifact.hasPrefix("sha256:") {
            let hex = artifact.dropFirst("sha256:".count)
            guard let digest = Hex.decode(hex.lowercased()), digest.count == 32 else {
                throw InputError("expected sha256: followed by 64 hexadecimal digits, got \(artifact)")
            }
            return try Artifact(sha256: digest)
        }
        return Artifact(bytes: try readFile(artifact, what: "artifact"))
    }

    func loadTrustedRoot() throws -> TrustedRoot {
        if let trustConfig {
            do { return try ClientTrustConfig.parse(try readFile(trustConfig, what: "trust config")).trustedRoot } catch let error as InputError {
                throw error
            } catch {
                throw InputError("\(trustConfig) is not a ClientTrustConfig: \(error)")
            }
        }
        if let trustedRoot { return try parseRoot(try readFile(trustedRoot, what: "trusted root")) }
        let name = staging ? "staging-trusted-root" : "production-trusted-root"
        guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
            throw InputError("the built-in \(name).json is missing from this installation; pass --trusted-root")
        }
        return try parseRoot([UInt8](try Data(contentsOf: url)))
    }

    func parseRoot(_ bytes: [UInt8]) throws -> TrustedRoot {
        do { return try Verifier.parseTrustedRoot(bytes) } catch { throw InputError(error.reason) }
    }

    func readFile(_ path: String, what: String) throws -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw InputError("cannot read \(what) \(path): \((error as NSError).localizedDescription)")
        }
    }

    func report(_ result: VerificationResult, bundlePath: String) {
        let formatter = ISO8601DateFormatter()
        if output == .json {
            printJSON([
                "verified": true,
                "bundleVersion": result.bundleVersion,
                "identity": result.identity as Any,
                "issuer": result.issuer as Any,
                "content": result.content,
                "verifiedTimes": result.verifiedTimes.map {
                    ["source": $0.source, "authority": $0.authority, "time": formatter.string(from: $0.time)]
                },
                "logEntries": result.logEntries.map {
                    ["log": $0.logBaseURL, "logIndex": $0.logIndex, "treeSize": $0.treeSize, "kind": $0.kind] as [String: Any]
                },
            ])
            return
        }
        print("Verified OK: \(artifact)")
        if let identity = result.identity, let issuer = result.issuer {
            print("  signer:  \(identity) (issuer \(issuer))")
        } else {
            print("  signer:  the given key")
        }
        for time in result.verifiedTimes {
            print("  time:    \(formatter.string(from: time.time)) (\(time.source), \(time.authority))")
        }
        for entry in result.logEntries {
            print("  log:     \(entry.logBaseURL) index \(entry.logIndex) (tree size \(entry.treeSize))")
        }
    }

    func printJSON(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
