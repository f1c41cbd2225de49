// Verification of embedded SCTs against trusted CT log keys: precertificate TBS reconstruction and the
// RFC 6962 §3.2 signed structure are written by hand (no allowed package builds them); signature checks are
// swift-certificates' `Certificate.PublicKey`.

import Foundation  // Date only
import SwiftASN1
import X509

/// A CT log key the caller trusts (from `trustedRoot.ctlogs`), with its validity window.
public struct CTLogKey: Hashable, Sendable {
    /// The 32-byte log ID: SHA-256 of the log's SubjectPublicKeyInfo DER (RFC 6962 §3.2).
    public let logID: [UInt8]
    /// The key as a DER SubjectPublicKeyInfo.
    public let subjectPublicKeyInfo: [UInt8]
    /// Start of the key's validity (`validFor.start`), if any.
    public let validFrom: Date?
    /// End of the key's validity (`validFor.end`), if any.
    public let validUntil: Date?
    let publicKey: Certificate.PublicKey
    let kind: KeyKind

    enum KeyKind: Hashable, Sendable { case ecdsaP256, ecdsaP384, rsa }

    /// A log key from its SubjectPublicKeyInfo DER (ECDSA P-256/P-384 or RSA). `logID` defaults to
    /// SHA-256(SPKI); a trusted root states it explicitly, and that value is what SCTs are matched against.
    public init(
        subjectPublicKeyInfo: [UInt8], logID: [UInt8]? = nil, validFrom: Date? = nil, validUntil: Date? = nil
    ) throws(X509Error) {
        let key: Certificate.PublicKey
        do {
            key = try Certificate.PublicKey(derEncoded: subjectPublicKeyInfo)
        } catch {
            throw X509Error(.malformedLogKey, "CT log key is not a DER SubjectPublicKeyInfo: \(error)")
        }
        let kind = try Self.kind(of: subjectPublicKeyInfo)
        let id = logID ?? CertificateCoding.sha256(subjectPublicKeyInfo)
        guard id.count == 32 else { throw X509Error(.malformedLogKey, "log ID is \(id.count) bytes, want 32") }
        if let validFrom, let validUntil, validUntil < validFrom {
            throw X509Error(.malformedLogKey, "log key validity ends (\(validUntil)) before it starts (\(validFrom))")
        }
        self.logID = id
        self.subjectPublicKeyInfo = subjectPublicKeyInfo
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.publicKey = key
        self.kind = kind
    }

    /// The key type named by the SPKI's AlgorithmIdentifier (RFC 5480 §2.1.1, RFC 3279 §2.3.1).
    static func kind(of spki: [UInt8]) throws(X509Error) -> KeyKind {
        let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
        let p256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
        let p384: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
        do {
            let root = try DER.parse(spki)
            guard case .constructed(let fieldNodes) = root.content,
                let algorithm = fieldNodes.first(where: { _ in true }),
                case .constructed(let partNodes) = algorithm.content
            else {
                throw X509Error(.malformedLogKey, "SubjectPublicKeyInfo has no AlgorithmIdentifier")
            }
            let parts = Array(partNodes)
            guard let oidNode = parts.first else {
                throw X509Error(.malformedLogKey, "SubjectPublicKeyInfo has no AlgorithmIdentifier")
            }
            let oid = try ASN1ObjectIdentifier(derEncoded: oidNode)
            if oid == rsaEncryption { return .rsa }
            if oid == ecPublicKey, parts.count == 2 {
                let curveNode = parts[1]
                let curve = try ASN1ObjectIdentifier(derEncoded: curveNode)
                if curve == p256 { return .ecdsaP256 }
                if curve == p384 { return .ecdsaP384 }
            }
            throw X509Error(.malformedLogKey, "CT log key must be ECDSA P-256, P-384 or RSA, found algorithm \(oid)")
        } catch let error as X509Error {
            throw error
        } catch {
            throw X509Error(.malformedLogKey, "SubjectPublicKeyInfo does not parse: \(error)")
        }
    }

    /// A log key given as a PKCS#1 `RSAPublicKey` (trusted-root key details `PKCS1_RSA_PKCS1V5`), wrapped here
    /// into a SubjectPublicKeyInfo with rsaEncryption and NULL parameters (RFC 3279 §2.3.1).
    public init(
        pkcs1RSAPublicKey: [UInt8], logID: [UInt8]? = nil, validFrom: Date? = nil, validUntil: Date? = nil
    ) throws(X509Error) {
        let spki: [UInt8]
        do {
            _ = try DER.parse(pkcs1RSAPublicKey)  // one well-formed DER value, nothing trailing
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize([1, 2, 840, 113549, 1, 1, 1] as ASN1ObjectIdentifier)
                    try coder.serialize(ASN1Null())
                }
                try coder.serialize(ASN1BitString(bytes: pkcs1RSAPublicKey[...]))
            }
            spki = serializer.serializedBytes
        } catch {
            throw X509Error(.malformedLogKey, "CT log key is not a DER RSAPublicKey: \(error)")
        }
        try self.init(subjectPublicKeyInfo: spki, logID: logID, validFrom: validFrom, validUntil: validUntil)
        guard kind == .rsa else {
            throw X509Error(.malformedLogKey, "PKCS#1 CT log key is not RSA")
        }
    }
}

/// An SCT whose signature verified with a trusted CT log key over the leaf's precertificate entry. Only
/// `SCTVerifier` makes these.
public struct VerifiedSCT: Hashable, Sendable {
    /// The SCT as parsed from the certificate.
    public let sct: SignedCertificateTimestamp
    /// The log key that verified it.
    public let log: CTLogKey

    init(sct: SignedCertificateTimestamp, log: CTLogKey) {
        self.sct = sct
        self.log = log
    }
}

/// Verification of the SCTs embedded in a leaf certificate (RFC 6962 §3).
public enum SCTVerifier {
    /// Verifies the SCTs embedded in `leaf`, issued by `issuer`, against the trusted CT log `logs`.
    ///
    /// Every SCT from a known log must verify (a bad one is `sctInvalid`, fail-closed); SCTs from unknown logs
    /// are skipped, and if none is left the error is `sctUnknownLog`. Each verified SCT's timestamp must lie
    /// inside its log key's validity window, and every verified time in `times` must be at or after the key's
    /// start (keys may have expired since, never be used before they start). Returns the verified SCTs (at
    /// least one).
    ///
    /// `issuer` is the certificate that signed `leaf` (chain[1]); a precertificate-signing certificate
    /// (EKU 1.3.6.1.4.1.11129.2.4.4) is not supported and Fulcio does not use one.
    public static func verifyEmbeddedSCTs(
        in leaf: Certificate, issuer: Certificate, logs: [CTLogKey], at times: [Date]
    ) throws(X509Error) -> [VerifiedSCT] {
        let scts = try SignedCertificateTimestampList.embedded(in: leaf)
        guard !scts.isEmpty else { throw X509Error(.sctMissing, "SCT list holds no SCT") }
        // SPEC: RFC 6962 §3.2 PreCert.issuer_key_hash = SHA-256 of the issuer's SubjectPublicKeyInfo DER
        let issuerKeyHash = try CertificateCoding.subjectPublicKeyInfoSHA256(issuer)
        // SPEC: RFC 6962 §3.2 PreCert.tbs_certificate = the leaf's TBSCertificate without the SCT list extension
        let tbs = try PrecertificateTBS.reconstruct(from: leaf)

        var verified: [VerifiedSCT] = []
        var unknown: [String] = []
        for sct in scts {
            let candidates = logs.filter { $0.logID == sct.logID }
            guard !candidates.isEmpty else {
                unknown.append(hex(sct.logID))
                continue
            }
            // SPEC: RFC 6962 §2.1.4 / §3.2: digitally-signed with SHA-256 and ECDSA or RSA PKCS#1 v1.5
            guard sct.hashAlgorithm == SignedCertificateTimestamp.hashSHA256 else {
                throw X509Error(.unsupportedSCTAlgorithm, "SCT hash algorithm \(sct.hashAlgorithm), want 4 (sha256)")
            }
            let signed = try signedData(sct: sct, issuerKeyHash: issuerKeyHash, tbs: tbs)
            guard
                let log = candidates.first(where: { isValid(sct, signed: signed, with: $0) })
            else {
                throw X509Error(
                    .sctInvalid,
                    "SCT from log \(hex(sct.logID)) at \(sct.timestamp) ms does not verify over the precertificate entry"
                )
            }
            // SPEC: sigstore client spec / trusted root `validFor`: the log key covers the SCT's timestamp
            if let from = log.validFrom, sct.date < from {
                throw X509Error(.sctOutsideLogValidity, "SCT timestamp \(sct.date) is before log key start \(from)")
            }
            if let until = log.validUntil, sct.date > until {
                throw X509Error(.sctOutsideLogValidity, "SCT timestamp \(sct.date) is after log key end \(until)")
            }
            for time in times {
                if let from = log.validFrom, time < from {
                    throw X509Error(.sctOutsideLogValidity, "verified time \(time) is before log key start \(from)")
                }
            }
            verified.append(VerifiedSCT(sct: sct, log: log))
        }
        guard !verified.isEmpty else {
            throw X509Error(
                .sctUnknownLog, "no SCT from a trusted CT log; SCT log IDs: \(unknown.joined(separator: ", "))")
        }
        return verified
    }

    /// The RFC 6962 §3.2 `digitally-signed` input for a precertificate entry:
    /// `0x00 v1 ‖ 0x00 certificate_timestamp ‖ uint64 timestamp ‖ uint16 1 precert_entry ‖
    /// issuer_key_hash[32] ‖ uint24 len ‖ TBSCertificate ‖ uint16 len ‖ extensions`.
    public static func signedData(
        sct: SignedCertificateTimestamp, issuerKeyHash: [UInt8], tbs: [UInt8]
    ) throws(X509Error) -> [UInt8] {
        guard issuerKeyHash.count == 32 else {
            throw X509Error(.malformedSCT, "issuer key hash is \(issuerKeyHash.count) bytes, want 32")
        }
        guard !tbs.isEmpty, tbs.count <= 0xFF_FFFF else {
            throw X509Error(.malformedSCT, "TBSCertificate is \(tbs.count) bytes, want 1...16777215")
        }
        var out: [UInt8] = [sct.version, 0]
        out.appendUInt64(sct.timestamp)
        out.appendUInt16(1)
        out += issuerKeyHash
        out.appendUInt24(tbs.count)
        out += tbs
        try out.appendOpaque16(sct.extensions, what: "SCT extensions")
        return out
    }

    static func isValid(_ sct: SignedCertificateTimestamp, signed: [UInt8], with log: CTLogKey) -> Bool {
        let algorithm: Certificate.SignatureAlgorithm
        switch sct.signatureAlgorithm {
        case SignedCertificateTimestamp.signatureECDSA:
            guard log.kind == .ecdsaP256 || log.kind == .ecdsaP384 else { return false }
            algorithm = .ecdsaWithSHA256
        case SignedCertificateTimestamp.signatureRSA:
            guard log.kind == .rsa else { return false }
            algorithm = .sha256WithRSAEncryption
        default:
            return false
        }
        return log.publicKey.isValidSignature(sct.signature, for: signed, signatureAlgorithm: algorithm)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}

/// RFC 6962 §3.2 precertificate TBSCertificate reconstruction from a final certificate.
public enum PrecertificateTBS {
    /// The leaf's TBSCertificate with the SCT list extension (1.3.6.1.4.1.11129.2.4.2) removed and everything
    /// else kept byte for byte, re-encoded as DER. Since Fulcio's final certificate is the precertificate minus
    /// the poison extension plus the SCT list, this equals the TBS the CT log signed over.
    public static func reconstruct(from leaf: Certificate) throws(X509Error) -> [UInt8] {
        let (tbs, removed) = try removing(FulcioOID.sctList, from: leaf)
        guard removed.count == 1 else {
            throw X509Error(.sctMissing, "expected one SCT list extension in the TBSCertificate, found \(removed.count)")
        }
        return tbs
    }

    /// The certificate's TBSCertificate with every extension `oid` removed and every other byte kept, re-encoded
    /// as DER, and the removed extensions. Written by hand: swift-certificates has no "same TBS minus one
    /// extension" operation. Used for both directions of RFC 6962 §3.2 (final certificate minus the SCT list,
    /// precertificate minus the poison).
    public static func removing(
        _ oid: ASN1ObjectIdentifier, from certificate: Certificate
    ) throws(X509Error) -> (tbs: [UInt8], removed: [Certificate.Extension]) {
        do {
            let root = try DER.parse(certificate.tbsCertificateBytes)
            guard root.identifier == .sequence, case .constructed(let fields) = root.content else {
                throw X509Error(.malformedCertificate, "TBSCertificate is not a SEQUENCE")
            }
            let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
            var removed: [Certificate.Extension] = []
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                for field in fields {
                    guard field.identifier == extensionsTag else {
                        coder.serializeRawBytes(field.encodedBytes)
                        continue
                    }
                    // extensions [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension
                    guard case .constructed(let wrappedNodes) = field.content,
                        case let wrapped = Array(wrappedNodes), wrapped.count == 1, let list = wrapped.first,
                        list.identifier == .sequence, case .constructed(let extensions) = list.content
                    else {
                        throw X509Error(.malformedCertificate, "extensions field is not [3] { SEQUENCE OF Extension }")
                    }
                    var kept: [ASN1Node] = []
                    for node in extensions {
                        let ext = try Certificate.Extension(derEncoded: node)
                        if ext.oid == oid { removed.append(ext) } else { kept.append(node) }
                    }
                    // An empty extension list is omitted, as SIZE (1..MAX) requires.
                    guard !kept.isEmpty else { continue }
                    coder.appendConstructedNode(identifier: extensionsTag) { coder in
                        coder.appendConstructedNode(identifier: .sequence) { coder in
                            for node in kept { coder.serializeRawBytes(node.encodedBytes) }
                        }
                    }
                }
            }
            return (serializer.serializedBytes, removed)
        } catch let error as X509Error {
            throw error
        } catch {
            throw X509Error(.malformedCertificate, "TBSCertificate does not re-encode: \(error)")
        }
    }
}
