// Test fixtures in `Tests/Fixtures/`, found from this file's location so every test target reads the same
// copies (upstream files are kept byte for byte; see each folder's README for where they come from).

import Foundation

/// Paths and bytes of the repository's test fixtures.
public enum Fixtures {
    /// `Tests/Fixtures` in the source tree.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SigilTesting
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Tests/Fixtures", isDirectory: true)

    /// The URL of a fixture, e.g. `url("sigstore-public/bundle.txt.sigstore")`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The bytes of a fixture. Fails loudly: a missing fixture is a broken checkout, not a skipped test.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    /// The text of a fixture (UTF-8).
    public static func text(_ relativePath: String) throws -> String {
        String(decoding: try bytes(relativePath), as: UTF8.self)
    }

    /// The names of the files in a fixture folder, sorted.
    public static func files(in relativePath: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relativePath).path).sorted()
    }
}
