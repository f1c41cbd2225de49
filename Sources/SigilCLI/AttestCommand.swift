// `sigil attest`: sign an in-toto Statement about a file as a DSSE envelope and write a verified v0.3 bundle.

import ArgumentParser
import Foundation
import SigilBundle
import SigilClient
import SigilSign

struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Attest to files with an in-toto statement (DSSE) and write a bundle for each.",
        discussion: """
            Builds an in-toto Statement v1 whose subject is each FILE (name and SHA-256) with the predicate from \
            --predicate of type --type, signs it as a DSSE envelope with one short-lived certificate, logs it in \
            the Rekor v2 log, timestamps it, verifies the result, and writes FILE.sigstore.json.

            Example:
              sigil attest app.tar.gz --predicate provenance.json --type https://slsa.dev/provenance/v1 \\
                --trust-config trust-config.json --identity-token "$TOKEN"

            Exit codes: 0 attested, 1 a service refused or failed (the message names it), 2 usage or input error.
            """
    )

    @Argument(help: "The files the statement is about.")
    var files: [String]

    @Option(help: "A JSON file holding the predicate.")
    var predicate: String

    @Option(name: .customLong("type"), help: "The predicate type URI, e.g. https://slsa.dev/provenance/v1.")
    var predicateType: String

    @Option(help: "Where to write the bundle (only with one file; default: FILE.sigstore.json).")
    var bundle: String?

    @OptionGroup var options: SigningOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file to attest") }
        if bundle != nil, files.count != 1 { throw ValidationError("--bundle needs exactly one file") }
        guard !predicateType.isEmpty else { throw ValidationError("--type must not be empty") }
    }

    func run() async throws {
        let predicateValue: JSONValue
        do {
            predicateValue = try JSONValue.parse(try readInput(predicate, what: "predicate", limit: 16 << 20))
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError("predicate \(predicate) is not JSON: \(error)")
        }
        guard predicateValue.objectValue != nil else { throw InputError("predicate \(predicate) is not a JSON object") }
        let artifacts = try files.map { (path: $0, bytes: try readInput($0, what: "file")) }
        try await reportingSignErrors {
            let session = try await options.session()
            for artifact in artifacts {
                let name = URL(fileURLWithPath: artifact.path).lastPathComponent
                let result = try await session.attest(
                    artifact: artifact.bytes, name: name, predicateType: predicateType, predicate: predicateValue)
                let out = bundle ?? artifact.path + ".sigstore.json"
                try writeBundle(result, to: out)
                let index = result.verificationMaterial.tlogEntries.first.map { " (log index \($0.logIndex))" } ?? ""
                print("Attested \(artifact.path) → \(out)\(index)")
            }
        }
    }
}
