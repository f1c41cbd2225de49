// Test helpers: requests written the way sigstore-python 4.5.1 writes them, keys and certificates minted with
// swift-crypto and swift-certificates, and an `expect` for RekorError codes.

import Crypto
import Foundation
import SigilBundle
import SigilRekor
import SigilTesting
import SwiftASN1
import Testing
import X509

/// A `POST /api/v2/log/entries` body, as text (sigstore-python's shape, services.md §1.4).
func requestJSON(
    digest: [UInt8], signature: [UInt8], verifierKind: String = "x509Certificate", verifierDER: [UInt8],
    keyDetails: String
) -> String {
    """
    {"hashedRekordRequestV002": {"digest": "\(b64(digest))", "signature": {"content": "\(b64(signature))", \
    "verifier": {"\(verifierKind)": {"rawBytes": "\(b64(verifierDER))"}, "keyDetails": "\(keyDetails)"}}}}
    """
}

func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

func unb64(_ text: String) throws -> [UInt8] {
    [UInt8](try #require(Data(base64Encoded: text), "bad base64 \(text.prefix(20))"))
}

/// A signing key of one of the kinds a hashedrekord may name.
enum TestKey {
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case p521(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    var keyDetails: String {
        switch self {
        case .p256: "PKIX_ECDSA_P256_SHA_256"
        case .p384: "PKIX_ECDSA_P384_SHA_384"
        case .p521: "PKIX_ECDSA_P521_SHA_512"
        case .ed25519: "PKIX_ED25519"
        }
    }

    var certificateKey: Certificate.PrivateKey {
        switch self {
        case .p256(let key): Certificate.PrivateKey(key)
        case .p384(let key): Certificate.PrivateKey(key)
        case .p521(let key): Certificate.PrivateKey(key)
        case .ed25519(let key): Certificate.PrivateKey(key)
        }
    }

    var spki: [UInt8] {
        switch self {
        case .p256(let key): Array(key.publicKey.derRepresentation)
        case .p384(let key): Array(key.publicKey.derRepresentation)
        case .p521(let key): Array(key.publicKey.derRepresentation)
        case .ed25519(let key):
            [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
                + Array(key.publicKey.rawRepresentation)
        }
    }

    /// The digest of `message` with the hash that goes with the key (SHA-512 for Ed25519, for lack of better).
    func digest(_ message: [UInt8]) -> [UInt8] {
        switch self {
        case .p256: Array(SHA256.hash(data: message))
        case .p384: Array(SHA384.hash(data: message))
        case .p521, .ed25519: Array(SHA512.hash(data: message))
        }
    }

    /// The signature a client sends: ECDSA (DER) over the message's digest; Ed25519 over the digest bytes (the
    /// only thing a hashedrekord log could check).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        switch self {
        case .p256(let key): Array(try key.signature(for: message).derRepresentation)
        case .p384(let key): Array(try key.signature(for: message).derRepresentation)
        case .p521(let key): Array(try key.signature(for: message).derRepresentation)
        case .ed25519(let key): Array(try key.signature(for: digest(message)))
        }
    }

    /// A self-signed certificate for the key (the log checks nothing but its encoding and key).
    func selfSignedCertificate(
        notBefore: Date = Date(timeIntervalSince1970: 1_700_000_000), lifetime: TimeInterval = 600
    ) throws -> [UInt8] {
        let name = try X509.DistinguishedName { CommonName("sigil rekor test") }
        let algorithm: Certificate.SignatureAlgorithm
        switch self {
        case .p256: algorithm = .ecdsaWithSHA256
        case .p384: algorithm = .ecdsaWithSHA384
        case .p521: algorithm = .ecdsaWithSHA512
        case .ed25519: algorithm = .ed25519
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: certificateKey.publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(lifetime), issuer: name,
            subject: name, signatureAlgorithm: algorithm, extensions: Certificate.Extensions(),
            issuerPrivateKey: certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    static func fresh(_ kind: String) -> TestKey {
        switch kind {
        case "P-256": .p256(.init())
        case "P-384": .p384(.init())
        case "P-521": .p521(.init())
        default: .ed25519(.init())
        }
    }
}

/// Checks that `body` throws a `RekorError` with `code` (and, when given, HTTP `status`).
func expectRekorError<T>(
    _ code: RekorError.Code, status: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    do {
        let value = try body()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as RekorError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let status { #expect(error.httpStatus == status, "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected RekorError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The error `body` throws, or nil when it returns.
func refusal(_ body: () throws(RekorError) -> Void) -> RekorError? {
    do throws(RekorError) {
        try body()
        return nil
    } catch {
        return error
    }
}

/// Runs the `openssl` command-line tool in `directory`; stdout on success.
@discardableResult
func openssl(_ arguments: [String], in directory: URL) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    process.currentDirectoryURL = directory
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("openssl \(arguments) exited \(process.terminationStatus)")
    }
    return [UInt8](data)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
