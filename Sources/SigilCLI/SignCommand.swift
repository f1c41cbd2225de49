// `sigil sign`: sign files with a short-lived certificate (or a managed key), log them in a Rekor v2 log,
// timestamp them, and write verified v0.3 bundles. The protocol is SigilSign's; this file reads flags and files.

import ArgumentParser
import Foundation
import SigilBundle
import SigilClient
import SigilSign

/// Flags `sign` and `attest` share: identity, trust, services, key.
struct SigningOptions: ParsableArguments {
    @Option(help: "The OIDC identity token (default: $SIGSTORE_ID_TOKEN, or --identity-token-file).")
    var identityToken: String?

    @Option(help: "A file holding the OIDC identity token.")
    var identityTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "Get the token for this email address from a `sigil up` dev OIDC issuer (the signing config's, on loopback).",
            valueName: "email"))
    var devIdentity: String?

    @Option(help: "A ClientTrustConfig with the trusted root and the signing config (e.g. from `sigil up`).")
    var trustConfig: String?

    @Option(help: "A trusted_root.json (with --signing-config).")
    var trustedRoot: String?

    @Option(help: "A signing_config.json v0.2 (with --trusted-root).")
    var signingConfig: String?

    @Option(help: "A PEM ECDSA P-256 private key: sign with it instead of a certificate (bundle names the key).")
    var key: String?

    @Option(help: "Seconds to wait for each service answer.")
    var timeout: Int = 30

    func validate() throws {
        guard (trustConfig != nil) != (trustedRoot != nil || signingConfig != nil),
            trustConfig != nil || (trustedRoot != nil && signingConfig != nil)
        else {
            throw ValidationError("give --trust-config, or both --trusted-root and --signing-config")
        }
        if key != nil, identityToken != nil || identityTokenFile != nil {
            throw ValidationError("--key signs with a managed key: leave out --identity-token and --identity-token-file")
        }
        if [identityToken, identityTokenFile, devIdentity].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --identity-token, --identity-token-file and --dev-identity")
        }
        if key != nil, devIdentity != nil {
            throw ValidationError("--key signs with a managed key: leave out --dev-identity")
        }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1...600 seconds") }
    }

    /// Loads the trust documents, picks the services at the current time, and opens a signing session.
    func session() async throws -> SigningSession {
        let trust: SigningTrust
        do {
            if let trustConfig {
                trust = try SigningTrust.clientTrustConfig(try readInput(trustConfig, what: "trust config"))
            } else if let trustedRoot, let signingConfig {
                trust = try SigningTrust.separate(
                    trustedRoot: try readInput(trustedRoot, what: "trusted root"),
                    signingConfig: try readInput(signingConfig, what: "signing config"))
            } else {
                throw InputError("give --trust-config, or both --trusted-root and --signing-config")
            }
        } catch let error as SignError {
            throw InputError(error.reason)
        }
        let now = Date()
        let http = HTTPServiceClient(timeout: .seconds(timeout))
        let config = trust.signingConfig
        let log: Service
        let tsas: [Service]
        do {
            // Sigil writes Rekor v2 entries only (what `--rekor-version 2` selects upstream).
            let logs = try SigningConfigSelection.validServices(
                config.rekorTlogUrls, versions: [2], configuration: config.rekorTlogConfig, at: now, kind: "Rekor")
            guard let first = logs.first else {
                throw SignError(.noService, "no valid Rekor v2 transparency log found in the signing config")
            }
            log = first
            tsas = try SigningConfigSelection.validServices(
                config.tsaUrls, versions: SigningConfigSelection.supportedVersions, configuration: config.tsaConfig,
                at: now, kind: "TSA")
        } catch {
            // A plain catch: Swift 6.3 crashes on `catch let … as SignError` when only SignError is thrown.
            throw InputError(signErrorMessage(error))
        }
        let timestampers = tsas.map { TSAClient(url: $0.url, http: http.with(timeout: .seconds(min(timeout, 5)))) }
        if let key {
            let pem = String(decoding: try readInput(key, what: "key"), as: UTF8.self)
            let signer = try Signer(
                trustedRoot: trust.trustedRoot, certificateIssuer: FulcioClient(url: "", http: http),
                logSubmitter: RekorClient(url: log.url, http: http), timestampers: timestampers, clock: { Date() })
            return try signer.session(privateKeyPEM: pem)
        }
        let ca: Service
        do {
            guard
                let first = try SigningConfigSelection.validServices(
                    config.caUrls, versions: SigningConfigSelection.supportedVersions, configuration: nil, at: now,
                    kind: "Fulcio"
                ).first
            else { throw SignError(.noService, "no valid Fulcio CA found in the signing config") }
            ca = first
        } catch {
            throw InputError(signErrorMessage(error))
        }
        let token: String
        if let devIdentity {
            token = try await Self.devToken(email: devIdentity, config: config, http: http)
        } else {
            token = try identityTokenValue()
        }
        let signer = try Signer(
            trustedRoot: trust.trustedRoot, certificateIssuer: FulcioClient(url: ca.url, http: http),
            logSubmitter: RekorClient(url: log.url, http: http), timestampers: timestampers, clock: { Date() })
        let session = try await signer.session(identityToken: token)
        if let identity = session.identity, let issuer = session.issuer {
            FileHandle.standardError.write(Data("Signing as \(identity) (issuer \(issuer)) via \(ca.url)\n".utf8))
        }
        return session
    }

    /// A token from the signing config's first OIDC issuer, which must be on loopback: `sigil up`'s dev issuer
    /// mints one for any address at `/token?email=` (and only for loopback clients).
    static func devToken(email: String, config: SigningConfig, http: HTTPServiceClient) async throws -> String {
        guard let issuer = config.oidcUrls.first?.url else {
            throw InputError("--dev-identity needs an OIDC issuer in the signing config (oidcUrls), as `sigil up` writes")
        }
        guard let host = URLComponents(string: issuer)?.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        else {
            throw InputError("--dev-identity only asks a dev issuer on loopback, and \(issuer) is not on loopback")
        }
        guard let query = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "@.-_+")))
        else { throw InputError("--dev-identity \(email) is not a usable email address") }
        do {
            let token = try await http.get(service: "dev OIDC issuer", url: issuer + "/token?email=" + query)
            return String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw InputError(signErrorMessage(error))
        }
    }

    /// `--identity-token`, else `--identity-token-file`, else `$SIGSTORE_ID_TOKEN`.
    func identityTokenValue() throws -> String {
        let raw: String
        if let identityToken {
            raw = identityToken
        } else if let identityTokenFile {
            raw = String(decoding: try readInput(identityTokenFile, what: "identity token"), as: UTF8.self)
        } else if let value = ProcessInfo.processInfo.environment["SIGSTORE_ID_TOKEN"] {
            raw = value
        } else {
            throw InputError("no identity token: give --identity-token, --identity-token-file or SIGSTORE_ID_TOKEN")
        }
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.utf8.count <= 64 * 1024 else {
            throw InputError("the identity token is empty or longer than 64 KiB")
        }
        return token
    }
}

/// The reason of a SignError, or the error's description.
func signErrorMessage(_ error: any Error) -> String {
    (error as? SignError)?.reason ?? "\(error)"
}

/// Reads a file the user named; a missing or unreadable file is an input error (exit 2).
func readInput(_ path: String, what: String, limit: Int = 1 << 30) throws -> [UInt8] {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
        throw InputError("cannot read \(what) \(path): \((error as NSError).localizedDescription)")
    }
    guard data.count <= limit else { throw InputError("\(what) \(path) is larger than \(limit) bytes") }
    return [UInt8](data)
}

/// Writes a bundle; an unwritable path is an input error.
func writeBundle(_ bundle: SigstoreBundle, to path: String) throws {
    do { try Data(bundle.jsonBytes()).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw InputError("cannot write bundle \(path): \((error as NSError).localizedDescription)")
    }
}

/// Runs `body`, turning a SignError into a message: exit 2 for what the user gave (a bad key, configuration or
/// input), exit 1 when a service refused or failed, or the result did not verify.
func reportingSignErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as SignError {
        if [.invalidKey, .invalidConfiguration, .invalidInput].contains(error.code) {
            throw InputError(error.reason)
        }
        FileHandle.standardError.write(Data("error: \(error.reason)\n".utf8))
        throw SigilExit.verificationFailed
    }
}

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign files with Sigstore and write a bundle for each.",
        discussion: """
            Gets one short-lived certificate for your identity token from the Fulcio CA of the signing config, \
            signs each file's SHA-256 digest, logs the signature in the Rekor v2 log, timestamps it, verifies the \
            result against the trusted root, and writes FILE.sigstore.json (or --bundle for a single file).

            Examples:
              sigil sign release.tar.gz --trust-config trust-config.json --identity-token "$TOKEN"
              SIGSTORE_ID_TOKEN=… sigil sign a.txt b.txt --trusted-root root.json --signing-config signing.json
              sigil sign a.txt --key cosign.key --trust-config trust-config.json

            Exit codes: 0 signed, 1 a service refused or failed (the message names it), 2 usage or input error.
            """
    )

    @Argument(help: "The files to sign.")
    var files: [String]

    @Option(help: "Where to write the bundle (only with one file; default: FILE.sigstore.json).")
    var bundle: String?

    @OptionGroup var options: SigningOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file to sign") }
        if bundle != nil, files.count != 1 { throw ValidationError("--bundle needs exactly one file") }
    }

    func run() async throws {
        let artifacts = try files.map { (path: $0, bytes: try readInput($0, what: "file")) }
        try await reportingSignErrors {
            let session = try await options.session()
            for artifact in artifacts {
                let result = try await session.sign(artifact: artifact.bytes)
                let out = bundle ?? artifact.path + ".sigstore.json"
                try writeBundle(result, to: out)
                let index = result.verificationMaterial.tlogEntries.first.map { " (log index \($0.logIndex))" } ?? ""
                print("Signed \(artifact.path) → \(out)\(index)")
            }
        }
    }
}
