// Verification of an RFC 3161 timestamp against trusted timestamp authorities, as a Sigstore verifier needs it
// (the TSA timestamps the bundle's signature bytes). Time is never read from a clock: the only time used is
// the token's own genTime, checked against the certificate chain and the authority's validity window.
//
// Written by hand (swift-certificates' CMS verifier is `@_spi` and only accepts id-data content); the
// certificate chain is built and checked by swift-certificates' `Verifier`.
//
// `@_spi(FixedExpiryValidationTime)`: the only non-deprecated way to give `RFC5280Policy` a fixed validation
// time (genTime) instead of the current clock, which a pure verifier must never read.

import Crypto
import Foundation  // only for `Date`
import SigilX509
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// A timestamp authority from a trusted root (`timestampAuthorities[]` of a Sigstore TrustedRoot).
public struct TimestampAuthority: Hashable, Sendable {
    /// The TSA's certificates: its signing (leaf) certificate first, then intermediates, the root last.
    public var certificateChain: [Certificate]
    /// Start of the authority's validity window (`validFor.start`), inclusive.
    public var validFrom: Date
    /// End of the authority's validity window (`validFor.end`), inclusive; `nil` when open.
    public var validUntil: Date?

    public init(certificateChain: [Certificate], validFrom: Date, validUntil: Date? = nil) {
        self.certificateChain = certificateChain
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// An authority from DER certificates (leaf first, root last), as a TrustedRoot's `certChain` lists them.
    public init(derCertificates: [[UInt8]], validFrom: Date, validUntil: Date? = nil) throws(TimestampError) {
        let certificates = try derCertificates.map { der throws(TimestampError) in
            try parsing("TSA certificate") { try Certificate(derEncoded: der) }
        }
        self.init(certificateChain: certificates, validFrom: validFrom, validUntil: validUntil)
    }
}

/// A timestamp whose every check passed. Only `TimestampVerifier.verify` makes one.
public struct VerifiedTimestamp: Hashable, Sendable {
    /// When the TSA says the imprinted signature existed.
    public let genTime: Date
    /// The authority whose certificate signed the token.
    public let authority: TimestampAuthority
    /// The certificate that signed the token (the authority's leaf).
    public let signerCertificate: Certificate
    /// What was timestamped: the hash of the signature bytes.
    public let messageImprint: MessageImprint
    /// The whole signed TSTInfo (policy, serial number, accuracy, nonce, …).
    public let tstInfo: TSTInfo

    init(authority: TimestampAuthority, signerCertificate: Certificate, tstInfo: TSTInfo) {
        self.genTime = tstInfo.genTime
        self.authority = authority
        self.signerCertificate = signerCertificate
        self.messageImprint = tstInfo.messageImprint
        self.tstInfo = tstInfo
    }
}

/// Verifies RFC 3161 timestamps against a set of trusted timestamp authorities.
public struct TimestampVerifier: Sendable {
    public var authorities: [TimestampAuthority]
    /// TSA chains already accepted by a full validation: their signatures are not checked again (see
    /// ChainMemo.swift). Shared by copies of this verifier; keyed by the certificates' bytes, so changing
    /// `authorities` cannot reuse a chain it does not list.
    let chainMemo = VerifiedChainMemo()
    /// The TSA leaves' P-384 keys, with precomputed tables from their second use (SigilX509 ReusedP384Key).
    let leafKeys = ReusedKeyMemo()

    public init(authorities: [TimestampAuthority]) {
        self.authorities = authorities
    }

    /// How many TSA leaf keys have precomputed P-384 tables (built on a key's second use).
    public var keysWithTables: Int { leafKeys.keysWithTables }

    /// How many TSA chains this verifier has validated in full and will not check the signatures of again.
    public var memoizedChainCount: Int { chainMemo.count }

    /// Parses and verifies a DER TimeStampResp over `signature` (the bundle's signature bytes).
    public func verify(
        responseDER: [UInt8], signature: some DataProtocol, nonce: [UInt8]? = nil
    ) async throws(TimestampError) -> VerifiedTimestamp {
        try await verify(TimeStampResp(derEncoded: responseDER), signature: signature, nonce: nonce)
    }

    /// Verifies a TimeStampResp over `signature` (the bundle's signature bytes). When `nonce` is given (the
    /// request's nonce content bytes, e.g. `TimeStampReq.nonce`), the token must echo it.
    ///
    /// Authorities whose leaf certificate is the token's signer are tried in order; the first that verifies
    /// wins. When none does, the first one's error is thrown.
    public func verify(
        _ response: TimeStampResp, signature: some DataProtocol, nonce: [UInt8]? = nil
    ) async throws(TimestampError) -> VerifiedTimestamp {
        guard !authorities.isEmpty, authorities.allSatisfy({ !$0.certificateChain.isEmpty }) else {
            throw TimestampError(.noAuthorities, "expected at least one TSA with a certificate chain, got none")
        }

        // SPEC: RFC 3161 §2.4.2 — PKIStatus granted(0) or grantedWithMods(1) carries a token.
        guard response.status.status == .granted || response.status.status == .grantedWithMods else {
            let text = response.status.statusStrings.joined(separator: "; ")
            throw TimestampError(
                .statusNotGranted, "expected status granted, got \(response.status.status) \(text)")
        }
        guard let token = response.timeStampToken else {
            throw TimestampError(.missingToken, "status is \(response.status.status) but there is no TimeStampToken")
        }
        let signedData = token.signedData
        let tstInfo = token.tstInfo

        // SPEC: RFC 5652 §5.1 — SignedData version is 3 when eContentType is not id-data.
        guard signedData.version == 3 else {
            throw TimestampError(.unsupportedVersion, "SignedData version is \(signedData.version), want 3")
        }

        // SPEC: RFC 3161 §2.4.2 — "The time-stamp token MUST NOT contain any signatures other than the
        // signature of the TSA."
        guard signedData.signerInfos.count == 1, let signer = signedData.signerInfos.first else {
            throw TimestampError(.signerCount, "expected exactly 1 SignerInfo, got \(signedData.signerInfos.count)")
        }

        // SPEC: RFC 3161 §2.4.2 / Sigstore client spec (timestamp verification) — the messageImprint is the
        // hash of the signature bytes, with SHA-256, SHA-384 or SHA-512.
        let imprint = tstInfo.messageImprint
        guard let imprintAlgorithm = TimestampHashAlgorithm(oid: imprint.hashAlgorithm.algorithm),
            imprint.hashAlgorithm.parametersAbsentOrNull
        else {
            throw TimestampError(
                .unsupportedAlgorithm,
                "expected imprint hash SHA-256/384/512, got \(imprint.hashAlgorithm.algorithm)")
        }
        let expectedImprint = imprintAlgorithm.hash(signature)
        guard imprint.hashedMessage == expectedImprint else {
            throw TimestampError(
                .imprintMismatch,
                "expected \(imprintAlgorithm) imprint \(hex(expectedImprint)) of the signature, "
                    + "got \(hex(imprint.hashedMessage))")
        }

        // SPEC: RFC 3161 §2.4.2 — "the nonce MUST be present if it was present in the TimeStampReq", and
        // equal to it.
        if let nonce {
            guard tstInfo.nonce == nonce else {
                throw TimestampError(
                    .nonceMismatch, "expected nonce \(hex(nonce)), got \(tstInfo.nonce.map(hex) ?? "none")")
            }
        }

        // SPEC: RFC 5652 §5.3 — version 1 goes with issuerAndSerialNumber, version 3 with subjectKeyIdentifier.
        let expectedSignerVersion = signer.sid.issuerAndSerialNumber != nil ? 1 : 3
        guard signer.version == expectedSignerVersion else {
            throw TimestampError(
                .unsupportedVersion, "SignerInfo version is \(signer.version), want \(expectedSignerVersion) for its sid")
        }

        // SPEC: RFC 5652 §5.1 — digestAlgorithms lists the signer's digest algorithm.
        guard signedData.digestAlgorithms.contains(where: { $0.algorithm == signer.digestAlgorithm.algorithm }) else {
            throw TimestampError(
                .malformed, "digestAlgorithms does not list the signer's \(signer.digestAlgorithm.algorithm)")
        }
        guard let digestAlgorithm = TimestampHashAlgorithm(oid: signer.digestAlgorithm.algorithm),
            signer.digestAlgorithm.parametersAbsentOrNull
        else {
            throw TimestampError(
                .unsupportedAlgorithm, "expected signer digest SHA-256/384/512, got \(signer.digestAlgorithm.algorithm)")
        }

        // SPEC: RFC 5652 §5.3 — signedAttrs MUST be present when the content type is not id-data.
        guard let signedAttributesDER = signer.signedAttributesDER, let attributes = signer.signedAttributes else {
            throw TimestampError(.missingSignedAttributes, "expected signed attributes, got none")
        }
        // SPEC: RFC 5652 §11 — content-type and message-digest (and, per RFC 2634/5035, signing-certificate)
        // attributes MUST NOT appear more than once; Sigil refuses any repeated attribute type.
        var seenTypes: Set<ASN1ObjectIdentifier> = []
        for attribute in attributes {
            guard seenTypes.insert(attribute.type).inserted else {
                throw TimestampError(.malformed, "signed attribute \(attribute.type) appears more than once")
            }
        }

        // SPEC: RFC 5652 §11.1 — the content-type attribute equals eContentType (id-ct-TSTInfo).
        let contentTypes = signer.attributes(OID.contentType)
        guard contentTypes.count == 1, contentTypes[0].values.count == 1,
            let contentType = try? ASN1ObjectIdentifier(asn1Any: contentTypes[0].values[0]),
            contentType == OID.tstInfo
        else {
            throw TimestampError(
                .contentTypeAttributeMismatch, "expected one content-type attribute id-ct-TSTInfo, got \(contentTypes)")
        }

        // SPEC: RFC 5652 §11.2, §5.4 — the message-digest attribute is the digest of the eContent octets.
        let expectedDigest = digestAlgorithm.hash(tstInfo.derBytes)
        let digests = signer.attributes(OID.messageDigest)
        guard digests.count == 1, digests[0].values.count == 1,
            let digest = try? ASN1OctetString(asn1Any: digests[0].values[0])
        else {
            throw TimestampError(.messageDigestMismatch, "expected one message-digest attribute, got \(digests.count)")
        }
        guard Array(digest.bytes) == expectedDigest else {
            throw TimestampError(
                .messageDigestMismatch,
                "expected message digest \(hex(expectedDigest)) of the TSTInfo, got \(hex(Array(digest.bytes)))")
        }

        let signatureAlgorithm = try certificateSignatureAlgorithm(signer, digest: digestAlgorithm)

        // SPEC: RFC 5652 §5.6 — the signer is the certificate the sid names; Sigstore pins it to the TSA leaf
        // (`certChain[0]`) of a trusted-root timestamp authority.
        let candidates = authorities.filter { authority in
            authority.certificateChain.first.map(signer.sid.identifies) ?? false
        }
        guard !candidates.isEmpty else {
            throw TimestampError(
                .signerNotFound, "expected the signer \(describe(signer.sid)) to be a trusted TSA's leaf certificate")
        }

        var firstError: TimestampError?
        for authority in candidates {
            do {
                return try await verify(
                    tstInfo: tstInfo, signer: signer, signedAttributesDER: signedAttributesDER,
                    signatureAlgorithm: signatureAlgorithm, embedded: signedData.certificates, authority: authority)
            } catch {
                firstError = firstError ?? error
            }
        }
        throw firstError ?? TimestampError(.signerNotFound, "no TSA verified the timestamp")
    }

    /// The checks that depend on one authority.
    private func verify(
        tstInfo: TSTInfo, signer: SignerInfo, signedAttributesDER: [UInt8],
        signatureAlgorithm: Certificate.SignatureAlgorithm, embedded: [Certificate], authority: TimestampAuthority
    ) async throws(TimestampError) -> VerifiedTimestamp {
        guard let leaf = authority.certificateChain.first, let root = authority.certificateChain.last else {
            throw TimestampError(.noAuthorities, "TSA has an empty certificate chain")
        }

        // SPEC: RFC 3161 §2.4.1 (certReq) / sigstore-python — a certificate embedded in the token that the sid
        // names must be the trusted TSA leaf itself.
        for certificate in embedded where signer.sid.identifies(certificate) {
            guard certificate == leaf else {
                throw TimestampError(
                    .signerCertificateMismatch,
                    "the embedded certificate named by the sid is not the trusted TSA leaf \(leaf.subject)")
            }
        }

        // SPEC: RFC 3161 §2.4.1, RFC 2634 §5.4 (ESSCertID, SHA-1), RFC 5035 §3 (ESSCertIDv2) — when the
        // signing-certificate attribute is present, its first certificate ID names the signer certificate.
        try checkSigningCertificate(signer: signer, certificate: leaf)

        // SPEC: RFC 5652 §5.4, §5.6 — the signature is over the DER SET OF signed attributes.
        let signatureVerifies =
            leafKeys.key(for: leaf)?.isValidSignature(
                signer.signature, for: signedAttributesDER, signatureAlgorithm: signatureAlgorithm)
            ?? leaf.publicKey.isValidSignature(
                signer.signature, for: signedAttributesDER, signatureAlgorithm: signatureAlgorithm)
        guard signatureVerifies else {
            throw TimestampError(
                .invalidSignature,
                "the \(signatureAlgorithm) signature over the signed attributes does not verify with "
                    + "\(leaf.subject)'s key")
        }

        // SPEC: RFC 3161 §2.3 — the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical.
        try checkTimestampingProfile(leaf)

        // SPEC: RFC 5280 §6 / Sigstore client spec — the TSA chain (leaf, intermediates, root from the trusted
        // root) is valid at genTime. A chain this verifier accepted before has its policy checked again at this
        // genTime but not its signatures (ChainMemo.swift); any other chain is validated in full.
        if !chainMeetsPolicyWithoutSignatures(authority.certificateChain, at: tstInfo.genTime) {
            let intermediates = authority.certificateChain.count > 2
                ? Array(authority.certificateChain.dropFirst().dropLast()) : []
            let seen = SeenChains()
            var chainVerifier = Verifier(rootCertificates: CertificateStore([root])) {
                RFC5280Policy(fixedExpiryValidationTime: tstInfo.genTime)
                TimestampingLeafPolicy()
                ChainCapturePolicy(seen: seen)
            }
            let result = await chainVerifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
            guard case .validCertificate(let validated) = result else {
                throw TimestampError(
                    .untrustedChain,
                    "expected \(leaf.subject) to chain to \(root.subject) at genTime \(tstInfo.genTime), got \(result)")
            }
            if let accepted = seen.chain(matching: validated) { chainMemo.record(accepted) }
        }

        // SPEC: Sigstore TrustedRoot `timestampAuthorities[].validFor` — genTime lies in the authority's
        // validity window (both ends inclusive).
        guard tstInfo.genTime >= authority.validFrom,
            authority.validUntil.map({ tstInfo.genTime <= $0 }) ?? true
        else {
            throw TimestampError(
                .outsideValidityWindow,
                "expected genTime in \(authority.validFrom)…\(authority.validUntil.map { "\($0)" } ?? "open"), "
                    + "got \(tstInfo.genTime)")
        }

        return VerifiedTimestamp(authority: authority, signerCertificate: leaf, tstInfo: tstInfo)
    }
}

extension TimestampVerifier {
    /// Whether `certificates` (an authority's chain, leaf first) is a chain a full validation accepted before,
    /// and it meets the whole policy again at `time`: RFC 5280 (every certificate valid at `time`, version,
    /// basic and name constraints) and the TSA leaf profile. Its signatures were verified when it was
    /// recorded and are not checked again. `false` sends the caller to the full validation.
    func chainMeetsPolicyWithoutSignatures(_ certificates: [Certificate], at time: Date) -> Bool {
        guard let chain = chainMemo.chain(of: certificates) else { return false }
        guard case .meetsPolicy = RFC5280Policy(fixedExpiryValidationTime: time).chainMeetsPolicyRequirements(chain: chain),
            case .meetsPolicy = TimestampingLeafPolicy().chainMeetsPolicyRequirements(chain: chain)
        else { return false }
        return true
    }
}

/// Maps the SignerInfo's algorithms to the swift-certificates signature algorithm that verifies them:
/// ECDSA with SHA-256/384/512, and RSA PKCS#1 v1.5 (named either `rsaEncryption`, as OpenSSL writes it, or
/// `shaNNNWithRSAEncryption`). The signature's hash must be the SignerInfo's digest algorithm.
func certificateSignatureAlgorithm(
    _ signer: SignerInfo, digest: TimestampHashAlgorithm
) throws(TimestampError) -> Certificate.SignatureAlgorithm {
    let algorithm = signer.signatureAlgorithm
    let mapping: [(ASN1ObjectIdentifier, TimestampHashAlgorithm, Certificate.SignatureAlgorithm, Bool)] = [
        (OID.ecdsaWithSHA256, .sha256, .ecdsaWithSHA256, false),
        (OID.ecdsaWithSHA384, .sha384, .ecdsaWithSHA384, false),
        (OID.ecdsaWithSHA512, .sha512, .ecdsaWithSHA512, false),
        (OID.sha256WithRSAEncryption, .sha256, .sha256WithRSAEncryption, true),
        (OID.sha384WithRSAEncryption, .sha384, .sha384WithRSAEncryption, true),
        (OID.sha512WithRSAEncryption, .sha512, .sha512WithRSAEncryption, true),
    ]
    // SPEC: RFC 5754 §3.2 — ECDSA signature algorithm identifiers have absent parameters.
    // SPEC: RFC 4055 §5 / RFC 5754 §3.2 — RSA PKCS#1 v1.5 identifiers have NULL (or absent) parameters.
    for (oid, hash, signatureAlgorithm, isRSA) in mapping where oid == algorithm.algorithm {
        guard isRSA ? algorithm.parametersAbsentOrNull : algorithm.parameters == nil else {
            throw TimestampError(.malformed, "signature algorithm \(oid) has unexpected parameters")
        }
        guard hash == digest else {
            throw TimestampError(
                .unsupportedAlgorithm, "signature algorithm hashes with \(hash) but the digest algorithm is \(digest)")
        }
        return signatureAlgorithm
    }
    // SPEC: RFC 3370 §3.2 — rsaEncryption as signatureAlgorithm means PKCS#1 v1.5 with the digest algorithm.
    if algorithm.algorithm == OID.rsaEncryption, algorithm.parametersAbsentOrNull {
        switch digest {
        case .sha384: return .sha384WithRSAEncryption
        case .sha512: return .sha512WithRSAEncryption
        default: return .sha256WithRSAEncryption
        }
    }
    throw TimestampError(
        .unsupportedAlgorithm,
        "expected an ECDSA or RSA PKCS#1 v1.5 signature algorithm, got \(algorithm.algorithm)")
}

/// Checks the ESS signing-certificate(-v2) attributes, if present, against the signer certificate.
func checkSigningCertificate(signer: SignerInfo, certificate: Certificate) throws(TimestampError) {
    let der = try parsing("TSA certificate") {
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        return coder.serializedBytes
    }
    for (type, isV2) in [(OID.signingCertificateV2, true), (OID.signingCertificate, false)] {
        for attribute in signer.attributes(type) {
            guard attribute.values.count == 1 else {
                throw TimestampError(.signingCertificateMismatch, "\(type) has \(attribute.values.count) values, want 1")
            }
            let id = try parsing("ESS signing-certificate") {
                try ESSCertID(firstOf: attribute.values[0], v2: isV2)
            }
            let computed: [UInt8]
            if isV2 {
                guard let algorithm = TimestampHashAlgorithm(oid: id.hashAlgorithm) else {
                    throw TimestampError(.unsupportedAlgorithm, "ESSCertIDv2 hash \(id.hashAlgorithm) is not SHA-2")
                }
                computed = algorithm.hash(der)
            } else {
                computed = Array(Insecure.SHA1.hash(data: der))
            }
            guard computed == id.certHash else {
                throw TimestampError(
                    .signingCertificateMismatch,
                    "expected certHash \(hex(computed)) of \(certificate.subject), got \(hex(id.certHash))")
            }
            if let issuerSerial = id.issuerSerial {
                guard Array(certificate.serialNumber.bytes) == issuerSerial.serial,
                    issuerSerial.issuers.contains(certificate.issuer)
                else {
                    throw TimestampError(
                        .signingCertificateMismatch, "ESS issuerSerial does not name \(certificate.subject)")
                }
            }
        }
    }
}

/// The first ESSCertID(v2) of a SigningCertificate(V2) attribute value.
///
/// ```
/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL }
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///                            certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
/// SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies ... OPTIONAL }
/// ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// ```
struct ESSCertID {
    var hashAlgorithm: ASN1ObjectIdentifier
    var certHash: [UInt8]
    var issuerSerial: (issuers: [DistinguishedName], serial: [UInt8])?

    init(firstOf value: ASN1Any, v2: Bool) throws {
        let node = try DER.parse(try serializedBytes(value))
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let certs = nodes.next() else {
                throw TimestampError(.malformed, "SigningCertificate has no certs")
            }
            // policies (optional) are not used.
            _ = nodes.next()
            return try DER.sequence(certs, identifier: .sequence) { ids in
                guard let first = ids.next() else {
                    throw TimestampError(.malformed, "SigningCertificate certs is empty")
                }
                while ids.next() != nil {}
                return try ESSCertID(node: first, v2: v2)
            }
        }
    }

    private init(node: ASN1Node, v2: Bool) throws {
        var hashAlgorithm = OID.sha1
        (certHash, issuerSerial) = try DER.sequence(node, identifier: .sequence) { nodes in
            if v2 {
                hashAlgorithm = OID.sha256
                var peek = nodes
                if let next = peek.next(), next.identifier == .sequence {
                    let algorithm = try CMSAlgorithmIdentifier(derEncoded: next)
                    // DER forbids encoding a DEFAULT value (X.690 §11.5).
                    guard algorithm.algorithm != OID.sha256 else {
                        throw TimestampError(.malformed, "ESSCertIDv2 encodes the DEFAULT hash algorithm")
                    }
                    hashAlgorithm = algorithm.algorithm
                    nodes = peek
                }
            }
            let hash = try ASN1OctetString(derEncoded: &nodes)
            var issuerSerial: ([DistinguishedName], [UInt8])?
            if let serialNode = nodes.next() {
                issuerSerial = try DER.sequence(serialNode, identifier: .sequence) { inner in
                    guard let namesNode = inner.next() else {
                        throw TimestampError(.malformed, "IssuerSerial has no issuer")
                    }
                    let names = try DER.sequence(of: GeneralName.self, identifier: .sequence, rootNode: namesNode)
                    let serial = try ArraySlice<UInt8>(derEncoded: &inner)
                    let directoryNames = names.compactMap { name -> DistinguishedName? in
                        if case .directoryName(let dn) = name { return dn }
                        return nil
                    }
                    return (directoryNames, Array(serial))
                }
            }
            return (Array(hash.bytes), issuerSerial)
        }
        self.hashAlgorithm = hashAlgorithm
    }
}

func serializedBytes(_ value: ASN1Any) throws -> [UInt8] {
    var coder = DER.Serializer()
    try coder.serialize(value)
    return coder.serializedBytes
}

/// Checks the TSA leaf profile: extended key usage exactly id-kp-timeStamping and critical; key usage, if
/// present, digitalSignature and/or nonRepudiation only (the OpenSSL timestamp-signing purpose).
func checkTimestampingProfile(_ certificate: Certificate) throws(TimestampError) {
    guard let ekuExtension = certificate.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
        throw TimestampError(.notTimestampingCertificate, "expected a critical timeStamping EKU, got no EKU")
    }
    guard ekuExtension.critical else {
        throw TimestampError(.notTimestampingCertificate, "expected the timeStamping EKU to be critical, it is not")
    }
    let eku = try parsing("extended key usage") { try ExtendedKeyUsage(ekuExtension) }
    guard Array(eku) == [.timeStamping] else {
        throw TimestampError(.notTimestampingCertificate, "expected EKU exactly [timeStamping], got \(Array(eku))")
    }
    if let kuExtension = certificate.extensions[oid: .X509ExtensionID.keyUsage] {
        let ku = try parsing("key usage") { try KeyUsage(kuExtension) }
        var allowed = KeyUsage()
        allowed.digitalSignature = ku.digitalSignature
        allowed.nonRepudiation = ku.nonRepudiation
        guard ku.digitalSignature || ku.nonRepudiation, ku == allowed else {
            throw TimestampError(.keyUsage, "expected key usage digitalSignature/nonRepudiation only, got \(ku)")
        }
    }
}

/// The chain policy for the TSA leaf, so that swift-certificates' `Verifier` handles the (critical) EKU and
/// key usage extensions instead of rejecting them as unknown.
struct TimestampingLeafPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.extendedKeyUsage, .X509ExtensionID.keyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        do {
            try checkTimestampingProfile(chain.leaf)
            return .meetsPolicy
        } catch {
            return .failsToMeetPolicy(reason: "\(error)")
        }
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return out
}

func describe(_ sid: SignerIdentifier) -> String {
    if let issuerAndSerial = sid.issuerAndSerialNumber {
        return "issuer \(issuerAndSerial.issuer) serial \(hex(issuerAndSerial.serialNumber))"
    }
    return "subjectKeyIdentifier \(hex(sid.subjectKeyIdentifier ?? []))"
}
