// The `sigil` command: subcommands, exit codes, progress. No protocol logic lives here (DESIGN.md §5).

import ArgumentParser
import Foundation

struct SigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil",
        abstract: "Sign and verify software with Sigstore, and run a private Sigstore instance.",
        discussion: """
            Exit codes: 0 verified or done, 1 verification failed, 2 usage or input error.
            """,
        subcommands: [
            UpCommand.self, SignCommand.self, AttestCommand.self, VerifyCommand.self, LogCommand.self, CACommand.self, TSACommand.self,
            MerkleCommand.self,
        ]
    )
}

/// Exit codes scripts can trust (DESIGN.md §6).
enum SigilExit {
    static let verificationFailed = ExitCode(1)
    static let usage = ExitCode(2)
}

/// A problem with what the user gave us (a missing file, a bad flag value): exit 2.
struct InputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@main
enum SigilMain {
    static func main() async {
        do {
            var command = try SigilCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            Foundation.exit(SigilExit.usage.rawValue)
        } catch {
            let code = SigilCommand.exitCode(for: error)
            // ArgumentParser reports usage errors as EX_USAGE (64); Sigil's contract says 2.
            if code == .validationFailure {
                FileHandle.standardError.write(Data((SigilCommand.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(SigilExit.usage.rawValue)
            }
            SigilCommand.exit(withError: error)
        }
    }
}
