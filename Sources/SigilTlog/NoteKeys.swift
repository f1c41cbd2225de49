// Verifier keys and signers of c2sp.org/signed-note, c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature.
// The key-ID rules, the vkey text form and the Ed25519 SubjectPublicKeyInfo check are written by hand: no
// allowed package implements signed notes. The cryptography itself is swift-crypto.

import Crypto

/// A signature algorithm a note key uses, named after its c2sp.org/signed-note signature type byte.
public struct NoteKeyAlgorithm: Hashable, Sendable, CustomStringConvertible {
    private enum Backing: String, Hashable, Sendable {
        case ed25519, ecdsaP256, ecdsaP384, ecdsaP521, cosignatureV1
    }

    private let backing: Backing
    private init(_ backing: Backing) { self.backing = backing }

    /// Type `0x01`: Ed25519 over the note text (RFC 8032). Rekor v2 and Tessera log keys.
    public static let ed25519 = NoteKeyAlgorithm(.ed25519)
    /// Type `0x02` on P-256: ASN.1 DER ECDSA with SHA-256 over the note text. Sigstore's Rekor v1 log keys.
    public static let ecdsaP256 = NoteKeyAlgorithm(.ecdsaP256)
    /// Type `0x02` on P-384 with SHA-384.
    public static let ecdsaP384 = NoteKeyAlgorithm(.ecdsaP384)
    /// Type `0x02` on P-521 with SHA-512.
    public static let ecdsaP521 = NoteKeyAlgorithm(.ecdsaP521)
    /// Type `0x04`: timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature, `cosignature/v1`).
    public static let cosignatureV1 = NoteKeyAlgorithm(.cosignatureV1)

    /// The c2sp.org/signed-note signature type byte.
    public var typeByte: UInt8 {
        switch backing {
        case .ed25519: 0x01
        case .ecdsaP256, .ecdsaP384, .ecdsaP521: 0x02
        case .cosignatureV1: 0x04
        }
    }

    /// Whether signatures of this kind are witness cosignatures rather than a log's own signatures.
    public var isCosignature: Bool { backing == .cosignatureV1 }

    public var description: String { backing.rawValue }
}

/// A public key that can verify note signatures: its key name, algorithm and key ID.
///
/// Key IDs (c2sp.org/signed-note "Signatures", "Signature types"):
/// - Ed25519: `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte key)[:4]`; the full 32-byte hash is the Rekor v2 log ID.
/// - ECDSA: `SHA-256(DER SubjectPublicKeyInfo)[:4]` (no name); the full hash is the Rekor v1 log ID.
/// - cosignature/v1: `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte key)[:4]` (c2sp.org/tlog-cosignature).
public struct NoteVerifierKey: Hashable, Sendable, CustomStringConvertible {
    /// The key name that signature lines carry.
    public let name: String
    /// The algorithm and signature type.
    public let algorithm: NoteKeyAlgorithm
    /// The public key: the 32 raw bytes for Ed25519 kinds, the DER SubjectPublicKeyInfo for ECDSA.
    public let publicKey: [UInt8]
    /// The full 32-byte SHA-256 whose first four bytes are the key ID (Sigstore's log ID for log keys).
    public let keyHash: [UInt8]

    /// The 32-bit key ID that prefixes this key's signatures (big-endian first four bytes of `keyHash`).
    public var keyID: UInt32 { NoteKeyID.uint32(keyHash) }

    private init(name: String, algorithm: NoteKeyAlgorithm, publicKey: [UInt8], keyHash: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.keyHash = keyHash
    }

    /// An Ed25519 log key (type `0x01`).
    public static func ed25519(name: String, publicKey: Curve25519.Signing.PublicKey) throws(TlogError)
        -> NoteVerifierKey
    {
        try ed25519Kind(.ed25519, name: name, rawKey: Array(publicKey.rawRepresentation))
    }

    /// An Ed25519 witness cosigner key (type `0x04`, c2sp.org/tlog-cosignature).
    public static func cosignatureV1(name: String, publicKey: Curve25519.Signing.PublicKey) throws(TlogError)
        -> NoteVerifierKey
    {
        try ed25519Kind(.cosignatureV1, name: name, rawKey: Array(publicKey.rawRepresentation))
    }

    private static func ed25519Kind(_ algorithm: NoteKeyAlgorithm, name: String, rawKey: [UInt8]) throws(TlogError)
        -> NoteVerifierKey
    {
        try NoteKeyName.check(name)
        guard rawKey.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey)) != nil else {
            throw TlogError(.malformedKey, "expected a 32-byte Ed25519 public key, got \(rawKey.count) bytes")
        }
        let hash = NoteKeyID.hash(name: name, type: algorithm.typeByte, key: rawKey)
        return NoteVerifierKey(name: name, algorithm: algorithm, publicKey: rawKey, keyHash: hash)
    }

    /// A log key from its DER SubjectPublicKeyInfo, as Sigstore trusted roots carry it
    /// (`tlogs[].publicKey.rawBytes`): Ed25519 (RFC 8410) becomes type `0x01`, ECDSA P-256/384/521 type `0x02`.
    /// The name is the key name the log's signature lines carry (the host of the log's base URL for Sigstore).
    public static func log(name: String, subjectPublicKeyInfo spki: [UInt8]) throws(TlogError) -> NoteVerifierKey {
        try NoteKeyName.check(name)
        guard spki.count <= 1024 else {
            throw TlogError(.oversize, "SubjectPublicKeyInfo of \(spki.count) bytes, cap 1024")
        }
        if let raw = Ed25519SPKI.rawKey(spki) {
            return try ed25519Kind(.ed25519, name: name, rawKey: raw)
        }
        let algorithm: NoteKeyAlgorithm
        let canonical: [UInt8]
        if let key = try? P256.Signing.PublicKey(derRepresentation: spki) {
            (algorithm, canonical) = (.ecdsaP256, Array(key.derRepresentation))
        } else if let key = try? P384.Signing.PublicKey(derRepresentation: spki) {
            (algorithm, canonical) = (.ecdsaP384, Array(key.derRepresentation))
        } else if let key = try? P521.Signing.PublicKey(derRepresentation: spki) {
            (algorithm, canonical) = (.ecdsaP521, Array(key.derRepresentation))
        } else {
            throw TlogError(.unsupportedKey, "expected an Ed25519 or ECDSA P-256/384/521 SubjectPublicKeyInfo")
        }
        // The key ID hashes the SPKI bytes, so only the one canonical (uncompressed point) encoding is
        // accepted: two encodings of one key would otherwise have two key IDs.
        guard canonical == spki else {
            throw TlogError(.malformedKey, "ECDSA SubjectPublicKeyInfo is not in canonical uncompressed DER form")
        }
        return NoteVerifierKey(
            name: name, algorithm: algorithm, publicKey: spki, keyHash: Array(SHA256.hash(data: spki)))
    }

    /// Parses a C2SP verifier key `<name>+<8 hex digits key ID>+<base64(type ‖ public key)>` of type `0x01`
    /// (Ed25519) or `0x04` (cosignature/v1), checking that the key ID is the one the key hashes to.
    public init(vkey: some StringProtocol) throws(TlogError) {
        let text = String(vkey)
        guard text.utf8.count <= 512 else { throw TlogError(.oversize, "vkey of \(text.utf8.count) bytes, cap 512") }
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw TlogError(.malformedKey, "expected <name>+<key ID>+<key>, got \(parts.count) parts")
        }
        let name = String(parts[0])
        try NoteKeyName.check(name)
        guard let id = NoteKeyID.parseHex(parts[1]) else {
            throw TlogError(.malformedKey, "expected 8 lower-case hex digits of key ID, got \"\(parts[1])\"")
        }
        guard let material = Base64.decode(parts[2]), let type = material.first else {
            throw TlogError(.malformedKey, "key material is not canonical base64")
        }
        let algorithm: NoteKeyAlgorithm
        switch type {
        case 0x01: algorithm = .ed25519
        case 0x04: algorithm = .cosignatureV1
        default:
            throw TlogError(
                .unsupportedKey, "vkey signature type 0x\(NoteKeyID.hex(UInt32(type)).suffix(2)) is not supported")
        }
        let key = try Self.ed25519Kind(algorithm, name: name, rawKey: Array(material.dropFirst()))
        guard key.keyID == id else {
            throw TlogError(
                .malformedKey, "vkey says key ID \(NoteKeyID.hex(id)), the key hashes to \(NoteKeyID.hex(key.keyID))")
        }
        self = key
    }

    /// The C2SP vkey text form, for Ed25519 kinds; `nil` for ECDSA keys (which have no vkey form here).
    public var vkey: String? {
        guard algorithm == .ed25519 || algorithm == .cosignatureV1 else { return nil }
        return "\(name)+\(NoteKeyID.hex(keyID))+\(Base64.encode([algorithm.typeByte] + publicKey))"
    }

    /// The DER SubjectPublicKeyInfo of the key (RFC 8410 for Ed25519 kinds).
    public var subjectPublicKeyInfo: [UInt8] {
        algorithm == .ed25519 || algorithm == .cosignatureV1 ? Ed25519SPKI.prefix + publicKey : publicKey
    }

    /// Whether `signature` (the bytes after the key ID) is this key's valid signature over `message`.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch algorithm {
        case .ed25519, .cosignatureV1:
            guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
            else { return false }
            return key.isValidSignature(signature, for: message)
        case .ecdsaP256:
            guard let key = try? P256.Signing.PublicKey(derRepresentation: publicKey),
                let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(sig, for: message)
        case .ecdsaP384:
            guard let key = try? P384.Signing.PublicKey(derRepresentation: publicKey),
                let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(sig, for: message)
        case .ecdsaP521:
            guard let key = try? P521.Signing.PublicKey(derRepresentation: publicKey),
                let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(sig, for: message)
        default:
            return false
        }
    }

    public var description: String { "\(algorithm) key \(name)+\(NoteKeyID.hex(keyID))" }
}

/// A private key that signs notes as a log (Ed25519 or ECDSA P-256) or cosigns checkpoints as a witness.
public struct NoteSigner: Sendable {
    private enum Key: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
    }

    private let key: Key
    /// The matching verifier key (name, algorithm, key ID).
    public let verifierKey: NoteVerifierKey

    /// The key name its signature lines carry.
    public var name: String { verifierKey.name }
    /// The key ID its signatures start with.
    public var keyID: UInt32 { verifierKey.keyID }

    /// An Ed25519 log signer (type `0x01`).
    public static func ed25519(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(TlogError) -> NoteSigner
    {
        NoteSigner(key: .ed25519(privateKey), verifierKey: try .ed25519(name: name, publicKey: privateKey.publicKey))
    }

    /// An ECDSA P-256 log signer (type `0x02`, key ID over the SubjectPublicKeyInfo, as Rekor v1 signs).
    public static func ecdsaP256(name: String, privateKey: P256.Signing.PrivateKey) throws(TlogError) -> NoteSigner {
        let spki = Array(privateKey.publicKey.derRepresentation)
        return NoteSigner(key: .p256(privateKey), verifierKey: try .log(name: name, subjectPublicKeyInfo: spki))
    }

    /// An Ed25519 witness cosigner (type `0x04`); sign with `cosign(_:timestamp:)`.
    public static func cosignatureV1(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(TlogError)
        -> NoteSigner
    {
        NoteSigner(
            key: .ed25519(privateKey), verifierKey: try .cosignatureV1(name: name, publicKey: privateKey.publicKey))
    }

    /// Signs a note text as a log. The text must be a valid note text (non-empty, ending in a newline).
    public func sign(_ text: String) throws(TlogError) -> NoteSignature {
        guard !verifierKey.algorithm.isCosignature else {
            throw TlogError(.unsupportedKey, "a cosigner key signs with cosign(_:timestamp:), not sign(_:)")
        }
        try SignedNote.checkText(Array(text.utf8))
        return NoteSignature(unchecked: name, keyID: keyID, signature: try rawSign(Array(text.utf8)))
    }

    /// Cosigns a checkpoint note text as a witness at `timestamp` (POSIX seconds, below 2^63), per
    /// c2sp.org/tlog-cosignature: Ed25519 over `cosignature/v1\ntime <timestamp>\n<text>`.
    public func cosign(_ text: String, timestamp: UInt64) throws(TlogError) -> NoteSignature {
        guard verifierKey.algorithm.isCosignature else {
            throw TlogError(
                .unsupportedKey, "only a cosigner key (type 0x04) can cosign, this is \(verifierKey.algorithm)")
        }
        guard timestamp <= UInt64(Int64.max) else {
            throw TlogError(.outOfRange, "cosignature timestamp \(timestamp) is not below 2^63")
        }
        try SignedNote.checkText(Array(text.utf8))
        let signature = try rawSign(Cosignature.signedMessage(text: Array(text.utf8), timestamp: timestamp))
        return Cosignature(name: name, keyID: keyID, timestamp: timestamp, signature: signature).noteSignature
    }

    private func rawSign(_ message: [UInt8]) throws(TlogError) -> [UInt8] {
        do {
            switch key {
            case .ed25519(let key): return Array(try key.signature(for: message))
            case .p256(let key): return Array(try key.signature(for: message).derRepresentation)
            }
        } catch {
            throw TlogError(.unsupportedKey, "signing failed: \(error)")
        }
    }
}

/// Key-name rules of c2sp.org/signed-note.
enum NoteKeyName {
    static let maxBytes = 256

    // SPEC: c2sp.org/signed-note "Format": key names MUST be non-empty and MUST NOT contain Unicode spaces or
    // `+`; notes MUST NOT contain control characters below U+0020.
    static func check(_ name: String) throws(TlogError) {
        guard !name.isEmpty else { throw TlogError(.malformedKey, "key name is empty") }
        guard name.utf8.count <= maxBytes else {
            throw TlogError(.oversize, "key name of \(name.utf8.count) bytes, cap \(maxBytes)")
        }
        for scalar in name.unicodeScalars {
            guard scalar != "+", scalar.value >= 0x20, !scalar.properties.isWhitespace else {
                throw TlogError(
                    .malformedKey,
                    "key name contains U+\(NoteKeyID.hex(scalar.value).uppercased()), which names may not")
            }
        }
    }

    static func isValid(_ name: String) -> Bool { (try? check(name)) != nil }
}

/// Key-ID arithmetic of c2sp.org/signed-note.
enum NoteKeyID {
    /// `SHA-256(name ‖ 0x0A ‖ type ‖ key)`, the recommended key hash.
    static func hash(name: String, type: UInt8, key: [UInt8]) -> [UInt8] {
        var sha = SHA256()
        sha.update(data: Array(name.utf8) + [0x0A, type])
        sha.update(data: key)
        return Array(sha.finalize())
    }

    static func uint32(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func bytes(_ id: UInt32) -> [UInt8] {
        [UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)]
    }

    static func hex(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<8).reversed().map { digits[Int(value >> (UInt32($0) * 4) & 0xf)] })
    }

    static func parseHex(_ text: some StringProtocol) -> UInt32? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 8 else { return nil }
        var value: UInt32 = 0
        for c in utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(c - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }
}

/// RFC 8410 §4 Ed25519 SubjectPublicKeyInfo: `SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING }`. The
/// parameters MUST be absent and DER is unique, so every valid encoding is this 12-byte prefix and the key.
enum Ed25519SPKI {
    static let prefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    static func rawKey(_ spki: [UInt8]) -> [UInt8]? {
        guard spki.count == prefix.count + 32, spki.starts(with: prefix) else { return nil }
        return Array(spki.dropFirst(prefix.count))
    }
}
