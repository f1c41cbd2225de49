// What `sigil tsa serve` and `sigil ca serve` share: the data directory (private keys created with mode 0600,
// never overwritten, never printed), printing to stdout unbuffered (tests and scripts read the URLs as they
// appear), logging to stderr. POSIX open/fchmod/write come through Foundation (which re-exports the C
// library); only they can create a file with mode 0600 from the start, and running services until SIGINT/SIGTERM (swift-service-lifecycle).

import Foundation
import Logging
import ServiceLifecycle

/// A directory holding a service's keys and certificates.
struct DataDirectory {
    let url: URL

    /// Opens `path`, creating it (mode 0700) when missing.
    init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("\(path) exists and is not a directory") }
        } else {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The file's text, or nil when it does not exist.
    func read(_ name: String) throws -> String? {
        let file = path(name)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let text = String(data: try Data(contentsOf: URL(fileURLWithPath: file)), encoding: .utf8) else {
            throw InputError("\(file) is not UTF-8 text")
        }
        return text
    }

    /// Creates a file that must not exist yet, with `mode` from the first byte written (O_CREAT|O_EXCL, so a
    /// private key is never readable by others, not even briefly).
    func create(_ name: String, _ text: String, mode: mode_t) throws {
        let file = path(name)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else { throw InputError("cannot create \(file): errno \(errno)") }
        defer { close(descriptor) }
        _ = fchmod(descriptor, mode)  // the umask may have narrowed the mode; set exactly what we asked for
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            guard written > 0 else { throw InputError("cannot write \(file): errno \(errno)") }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw InputError("cannot sync \(file): errno \(errno)") }
    }

    /// A private key file: mode 0600.
    func createPrivate(_ name: String, _ text: String) throws { try create(name, text, mode: 0o600) }
    /// A certificate or public key file: mode 0644.
    func createPublic(_ name: String, _ text: String) throws { try create(name, text, mode: 0o644) }

    /// Writes a public file (mode 0644) that may already exist, atomically: readers see the old or the new
    /// text, never a part (a new file beside it, synced, then renamed over it).
    func replacePublic(_ name: String, _ text: String) throws {
        let temporary = ".\(name).\(getpid()).tmp"
        try? FileManager.default.removeItem(atPath: path(temporary))
        try create(temporary, text, mode: 0o644)
        guard rename(path(temporary), path(name)) == 0 else {
            throw InputError("cannot replace \(path(name)): errno \(errno)")
        }
    }
}

enum Console {
    /// Writes a line to stdout at once (no buffering: a reader of the pipe sees it immediately).
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// A logger writing to stderr. Callers never put tokens, keys or request bodies in messages or metadata.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .info
        return logger
    }
}

/// Runs `services` until SIGINT or SIGTERM, then shuts them down gracefully; returns normally (exit 0).
///
/// The signals are caught with Dispatch signal sources (through Foundation) that trigger the group's graceful
/// shutdown: swift-service-lifecycle's own signal option needs its UnixSignals module, outside our imports.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }, logger: logger))
    let sources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            Task { await group.triggerGracefulShutdown() }
        }
        source.resume()
        return source
    }
    defer { for source in sources { source.cancel() } }
    try await group.run()
}

/// Host names the CLI accepts for `--host` (anything the resolver takes; loopback by default).
enum ServeDefaults {
    static let host = "127.0.0.1"
}
