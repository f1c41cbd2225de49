// The log's Ed25519 signing key on disk: created once (file mode 0600), reused on every start.
//
// swift-crypto's PKCS#8 support for Curve25519 lives in CryptoExtras, which is not a dependency, so the DER is
// built here: RFC 8410 §7 PKCS#8, for Ed25519 a fixed 16-byte prefix and the 32-byte seed; SwiftASN1's
// `PEMDocument` does the PEM armour. `openssl pkey -in log.key -pubout` reads the file too.

import Crypto
import Foundation
import SwiftASN1

/// Loads or creates the log's signing key file.
public enum LogSigningKeyFile {
    /// RFC 8410: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }.
    static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// The file's name in the data directory.
    public static let fileName = "log-signing-key.pem"

    /// The key in `path`, or a new one written there with mode 0600 if there is no file. `created` says which.
    public static func loadOrCreate(at path: String) throws -> (key: Curve25519.Signing.PrivateKey, created: Bool) {
        let files = FileManager.default
        if files.fileExists(atPath: path) { return (try load(path), false) }
        let key = Curve25519.Signing.PrivateKey()
        // Create the file empty with 0600 first, so the secret is never in a file others may read.
        guard files.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600]) else {
            throw LogKeyFileError(.cannotCreate, "cannot create \(path)")
        }
        try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(pem(key).utf8))
        try handle.synchronize()
        return (key, true)
    }

    /// The PEM label of a PKCS#8 private key (RFC 7468 §10).
    static let pemType = "PRIVATE KEY"

    /// The PEM text of `key`.
    public static func pem(_ key: Curve25519.Signing.PrivateKey) -> String {
        PEMDocument(type: pemType, derBytes: pkcs8Prefix + Array(key.rawRepresentation)).pemString + "\n"
    }

    /// Reads a PKCS#8 Ed25519 private key PEM, refusing anything else (and a file others can read).
    public static func load(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw LogKeyFileError(
                .insecureMode, "\(path) has mode \(String(mode & 0o777, radix: 8)); a signing key must be 0600 (chmod 600 it)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count < 4096, let text = String(data: data, encoding: .utf8) else {
            throw LogKeyFileError(.malformed, "\(path) is not a PEM file")
        }
        guard let document = try? PEMDocument(pemString: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            document.discriminator == pemType
        else { throw LogKeyFileError(.malformed, "\(path) is not a PKCS#8 PEM private key") }
        let bytes = document.derBytes
        guard bytes.count == pkcs8Prefix.count + 32, bytes.starts(with: pkcs8Prefix) else {
            throw LogKeyFileError(.malformed, "\(path) does not hold an Ed25519 private key (RFC 8410)")
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: bytes[pkcs8Prefix.count...])
    }
}

/// A key file that cannot be used. Tests match on `code`; `reason` says what was expected and found.
public struct LogKeyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the file. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable { case cannotCreate, insecureMode, malformed }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The file could not be created.
        public static let cannotCreate = Code(.cannotCreate)
        /// Others than the owner may read or write the file.
        public static let insecureMode = Code(.insecureMode)
        /// The file is not a PKCS#8 PEM Ed25519 private key.
        public static let malformed = Code(.malformed)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "log key file: \(code): \(reason)" }
}
