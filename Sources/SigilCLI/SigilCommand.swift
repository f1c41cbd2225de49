// The `sigil` command: subcommands, exit codes, progress. No protocol logic lives here (DESIGN.md §5).

import ArgumentParser

@main
struct SigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil",
        abstract: "Sign and verify software with Sigstore, and run a private Sigstore instance.",
        discussion: """
            Exit codes: 0 verified or done, 1 verification failed, 2 usage or input error.
            """,
        subcommands: [MerkleCommand.self]
    )
}
