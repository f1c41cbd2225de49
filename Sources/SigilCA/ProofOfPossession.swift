// Proof of possession of the key to be certified, in Fulcio's two forms (fulcio.proto
// CreateSigningCertificateRequest): a PKCS#10 CSR whose self-signature verifies (what sigstore-python
// sends), or a public key with a signature over the token's challenge claim. CSR parsing and signature
// checks are swift-certificates'; the algorithm registry (Fulcio's default `--client-signing-algorithms`) and
// the request JSON reading are ours.

import Crypto
import SigilBundle
import SigilTlog
import SwiftASN1
import X509

/// A public key whose holder proved possession of the private key. Only `ProofOfPossession` makes these.
public struct ProvenPublicKey: Hashable, Sendable {
    public let publicKey: Certificate.PublicKey

    init(_ publicKey: Certificate.PublicKey) { self.publicKey = publicKey }

    /// A key nobody proved possession of (for tests and tools that already trust it).
    public static func unchecked(_ publicKey: Certificate.PublicKey) -> ProvenPublicKey { ProvenPublicKey(publicKey) }
}

/// Checks of the two proof-of-possession forms.
public enum ProofOfPossession {
    /// Largest CSR or public key accepted, PEM or DER.
    public static let maxSize = 16 * 1024

    /// A PKCS#10 CSR (PEM text or DER): its key must be one Fulcio accepts and its self-signature must
    /// verify. Subject and requested extensions are ignored, as Fulcio ignores them.
    public static func verify(csr bytes: [UInt8]) throws(CAError) -> ProvenPublicKey {
        guard bytes.count <= maxSize else {
            throw CAError(.malformedCSR, "CSR is \(bytes.count) bytes, limit \(maxSize)")
        }
        let csr: CertificateSigningRequest
        do {
            if bytes.starts(with: Array("-----BEGIN".utf8)) {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw CAError(.malformedCSR, "PEM CSR is not UTF-8")
                }
                let document = try PEMDocument(pemString: text)
                guard
                    document.discriminator == "CERTIFICATE REQUEST"
                        || document.discriminator == "NEW CERTIFICATE REQUEST"
                else {
                    throw CAError(
                        .malformedCSR, "expected a CERTIFICATE REQUEST PEM block, found \(document.discriminator)")
                }
                csr = try CertificateSigningRequest(derEncoded: document.derBytes)
            } else {
                csr = try CertificateSigningRequest(derEncoded: bytes)
            }
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.malformedCSR, "not a PKCS#10 certificate request: \(error)")
        }
        // SPEC: Fulcio pkg/server/grpc_server.go: algorithm registry check, then csr.CheckSignature()
        try checkAlgorithm(csr.publicKey, csr.signatureAlgorithm)
        // SPEC: RFC 2986 §3: the signature over CertificationRequestInfo verifies with the request's own key
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw CAError(.invalidProofOfPossession, "CSR self-signature does not verify with its public key")
        }
        return ProvenPublicKey(csr.publicKey)
    }

    /// A public key (PEM `PUBLIC KEY` or DER SubjectPublicKeyInfo) and a signature over `challenge` (the
    /// identity's challenge claim): ECDSA (DER signature) and RSA PKCS#1 v1.5 over SHA-256, or pure Ed25519.
    public static func verify(publicKey bytes: [UInt8], signature: [UInt8], challenge: String) throws(CAError)
        -> ProvenPublicKey
    {
        guard bytes.count <= maxSize, signature.count <= maxSize else {
            throw CAError(.malformedRequest, "public key or proof is larger than \(maxSize) bytes")
        }
        let key: Certificate.PublicKey
        do {
            if bytes.starts(with: Array("-----BEGIN".utf8)) {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw CAError(.malformedRequest, "PEM public key is not UTF-8")
                }
                key = try Certificate.PublicKey(pemEncoded: text)
            } else {
                key = try Certificate.PublicKey(derEncoded: bytes)
            }
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.malformedRequest, "public key is not a PEM or DER SubjectPublicKeyInfo: \(error)")
        }
        let kind = try keyKind(key)
        // SPEC: Fulcio pkg/challenges CheckSignature: SHA-256 for ECDSA and RSA, pure Ed25519
        let algorithm: Certificate.SignatureAlgorithm =
            switch kind {
            case .rsa: .sha256WithRSAEncryption
            case .ed25519: .ed25519
            default: .ecdsaWithSHA256
            }
        try checkAlgorithm(key, kind == .ed25519 ? .ed25519 : algorithm, challengeForm: true)
        guard key.isValidSignature(signature, for: Array(challenge.utf8), signatureAlgorithm: algorithm) else {
            throw CAError(
                .invalidProofOfPossession, "proof of possession is not a signature over the token's subject by this key"
            )
        }
        return ProvenPublicKey(key)
    }

    enum KeyKind: Equatable { case p256, p384, p521, rsa(bits: Int, exponent: [UInt8]), ed25519 }

    static func keyKind(_ key: Certificate.PublicKey) throws(CAError) -> KeyKind {
        if P256.Signing.PublicKey(key) != nil { return .p256 }
        if P384.Signing.PublicKey(key) != nil { return .p384 }
        if P521.Signing.PublicKey(key) != nil { return .p521 }
        if Curve25519.Signing.PublicKey(key) != nil { return .ed25519 }
        // RSA: read modulus size and exponent from the key bits, an RFC 3279 §2.3.1 RSAPublicKey
        // (`subjectPublicKeyInfoBytes` is the SPKI's BIT STRING content).
        do {
            let rsa = try DER.parse(key.subjectPublicKeyInfoBytes)
            guard case .constructed(let fields) = rsa.content, case let numbers = Array(fields), numbers.count == 2
            else {
                throw CAError(.unsupportedKey, "public key is not ECDSA, Ed25519 or an RSAPublicKey")
            }
            let modulus = try ArraySlice<UInt8>(derEncoded: numbers[0])
            let exponent = try ArraySlice<UInt8>(derEncoded: numbers[1])
            let significant = modulus.drop { $0 == 0 }
            let leadingBits = significant.first.map { 8 - $0.leadingZeroBitCount } ?? 0
            return .rsa(
                bits: max(0, significant.count - 1) * 8 + leadingBits, exponent: Array(exponent.drop { $0 == 0 }))
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.unsupportedKey, "public key is not ECDSA, Ed25519 or RSA: \(error)")
        }
    }

    /// Fulcio's default algorithm registry: ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, RSA PKCS#1 v1.5
    /// 2048/3072/4096 with SHA-256 and e = 65537, Ed25519. The public-key form always hashes with SHA-256.
    static func checkAlgorithm(
        _ key: Certificate.PublicKey, _ algorithm: Certificate.SignatureAlgorithm, challengeForm: Bool = false
    ) throws(CAError) {
        // SPEC: Fulcio pkg/server/grpc_server.go, --client-signing-algorithms default; goodkey for RSA
        let kind = try keyKind(key)
        let allowed: Bool
        switch kind {
        case .p256: allowed = algorithm == .ecdsaWithSHA256
        case .p384: allowed = algorithm == (challengeForm ? .ecdsaWithSHA256 : .ecdsaWithSHA384)
        case .p521: allowed = algorithm == (challengeForm ? .ecdsaWithSHA256 : .ecdsaWithSHA512)
        case .ed25519: allowed = algorithm == .ed25519
        case .rsa(let bits, let exponent):
            guard [2048, 3072, 4096].contains(bits), exponent == [0x01, 0x00, 0x01] else {
                throw CAError(
                    .unsupportedKey, "RSA key must be 2048, 3072 or 4096 bits with e = 65537, found \(bits) bits")
            }
            allowed = algorithm == .sha256WithRSAEncryption
        }
        guard allowed else {
            throw CAError(.unsupportedKey, "signature algorithm \(algorithm) is not allowed for a \(key) key")
        }
    }
}

/// A Fulcio v2 `CreateSigningCertificateRequest` as JSON (proto3 JSON mapping; lowerCamel or snake_case names).
public struct SigningCertificateRequest: Hashable, Sendable {
    /// `credentials.oidcIdentityToken`, if the token came in the body rather than the Authorization header.
    public var identityToken: String?
    /// `certificateSigningRequest`: the decoded bytes (PEM text or DER of a PKCS#10 request).
    public var certificateSigningRequest: [UInt8]?
    /// `publicKeyRequest.publicKey.content`: PEM or DER public key.
    public var publicKey: [UInt8]?
    /// `publicKeyRequest.proofOfPossession`: the signature over the challenge claim.
    public var proofOfPossession: [UInt8]?

    /// Largest request body accepted.
    public static let maxBodySize = 64 * 1024

    public init(
        identityToken: String? = nil, certificateSigningRequest: [UInt8]? = nil, publicKey: [UInt8]? = nil,
        proofOfPossession: [UInt8]? = nil
    ) {
        self.identityToken = identityToken
        self.certificateSigningRequest = certificateSigningRequest
        self.publicKey = publicKey
        self.proofOfPossession = proofOfPossession
    }

    /// Parses the request body. Exactly one of `certificateSigningRequest` and `publicKeyRequest` must be
    /// present (a proto oneof); unknown fields are refused.
    public static func parse(json body: some Collection<UInt8>) throws(CAError) -> SigningCertificateRequest {
        guard body.count <= maxBodySize else {
            throw CAError(.malformedRequest, "request body is \(body.count) bytes, limit \(maxBodySize)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(body), limits: JSONLimits(maxBytes: maxBodySize, maxDepth: 8))
        } catch {
            throw CAError(.malformedRequest, "request body is not JSON: \(error)")
        }
        guard let object = document.objectValue else {
            throw CAError(.malformedRequest, "request body is a JSON \(document.typeName), want an object")
        }
        var request = SigningCertificateRequest()
        for member in object {
            switch member.name {
            case "credentials":
                guard let credentials = member.value.objectValue else {
                    throw CAError(.malformedRequest, "\"credentials\" is not an object")
                }
                for field in credentials {
                    guard field.name == "oidcIdentityToken" || field.name == "oidc_identity_token",
                        let token = field.value.stringValue
                    else { throw CAError(.malformedRequest, "\"credentials\" has an unexpected field") }
                    request.identityToken = token
                }
            case "certificateSigningRequest", "certificate_signing_request":
                guard let text = member.value.stringValue else {
                    throw CAError(.malformedRequest, "\"certificateSigningRequest\" is not a string")
                }
                request.certificateSigningRequest = try protoBytes(text, "certificateSigningRequest")
            case "publicKeyRequest", "public_key_request":
                guard let keyRequest = member.value.objectValue else {
                    throw CAError(.malformedRequest, "\"publicKeyRequest\" is not an object")
                }
                for field in keyRequest {
                    switch field.name {
                    case "publicKey", "public_key":
                        guard let key = field.value.objectValue else {
                            throw CAError(.malformedRequest, "\"publicKey\" is not an object")
                        }
                        for part in key {
                            switch part.name {
                            case "algorithm":
                                guard part.value.stringValue != nil else {
                                    throw CAError(.malformedRequest, "\"algorithm\" is not a string")
                                }
                            case "content":
                                guard let content = part.value.stringValue else {
                                    throw CAError(.malformedRequest, "\"content\" is not a string")
                                }
                                request.publicKey = Array(content.utf8)
                            default:
                                throw CAError(
                                    .malformedRequest,
                                    "\"publicKey\" has an unexpected field \"\(part.name.prefix(64))\"")
                            }
                        }
                    case "proofOfPossession", "proof_of_possession":
                        guard let text = field.value.stringValue else {
                            throw CAError(.malformedRequest, "\"proofOfPossession\" is not a string")
                        }
                        request.proofOfPossession = try protoBytes(text, "proofOfPossession")
                    default:
                        throw CAError(
                            .malformedRequest,
                            "\"publicKeyRequest\" has an unexpected field \"\(field.name.prefix(64))\"")
                    }
                }
                guard request.publicKey != nil, request.proofOfPossession != nil else {
                    throw CAError(
                        .malformedRequest, "\"publicKeyRequest\" needs \"publicKey.content\" and \"proofOfPossession\"")
                }
            default:
                throw CAError(.malformedRequest, "unexpected request field \"\(member.name.prefix(64))\"")
            }
        }
        guard (request.certificateSigningRequest == nil) != (request.publicKey == nil) else {
            throw CAError(
                .malformedRequest, "expected exactly one of \"certificateSigningRequest\" and \"publicKeyRequest\"")
        }
        return request
    }

    /// proto3 JSON `bytes`: standard or URL-safe base64, padded or not (the mapping accepts all four).
    static func protoBytes(_ text: String, _ what: String) throws(CAError) -> [UInt8] {
        var standard = Array(text.utf8).map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        if !standard.contains(UInt8(ascii: "=")) {
            guard standard.count % 4 != 1 else { throw CAError(.malformedRequest, "\"\(what)\" is not base64") }
            while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        }
        guard let bytes = Base64.decode(utf8: standard) else {
            throw CAError(.malformedRequest, "\"\(what)\" is not base64")
        }
        return bytes
    }
}
