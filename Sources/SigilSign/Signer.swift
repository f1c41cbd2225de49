// Sign: token → ephemeral P-256 key → CSR (proof of possession) → certificate (its SCT checked against the
// trusted root) → signature over the artifact digest or a DSSE PAE → Rekor v2 hashedrekord entry → RFC 3161
// timestamp(s) → bundle v0.3 → the bundle verified with SigilVerify before it is returned (DESIGN.md §2 "Sign").
// Also key-based signing with a managed P-256 key (the bundle names the key by a hint).
//
// Written by hand: the order of the steps and the checks between them are Sigstore's client protocol, which no
// allowed package implements.

import Crypto
import Foundation
import SigilBundle
import SigilTimestamp
import SigilTlog
import SigilVerify
import SigilX509
import SwiftASN1
import X509

/// Makes Sigstore bundles with a certificate authority, a transparency log and timestamp authorities, checked
/// against `trustedRoot`.
public struct Signer: Sendable {
    /// What every bundle must verify against before it is returned.
    public let trustedRoot: TrustedRoot
    public let certificateIssuer: any CertificateIssuer
    public let logSubmitter: any LogSubmitter
    /// Every timestamp authority to ask; each answer that is a valid timestamp goes into the bundle.
    public let timestampers: [any Timestamper]
    let verifier: SigilVerify.Verifier
    let ctLogs: [CTLogKey]
    let clock: @Sendable () -> Date

    /// - Parameter clock: "now", for the CT key validity check at signing time.
    public init(
        trustedRoot: TrustedRoot, certificateIssuer: any CertificateIssuer, logSubmitter: any LogSubmitter,
        timestampers: [any Timestamper], clock: @escaping @Sendable () -> Date
    ) throws(SignError) {
        do {
            verifier = try SigilVerify.Verifier(trustedRoot: trustedRoot)
        } catch {
            throw SignError(.invalidConfiguration, "the trusted root cannot verify bundles: \(error.reason)")
        }
        var ctLogs: [CTLogKey] = []
        for instance in trustedRoot.ctlogs {
            guard let raw = instance.publicKey.rawBytes else { continue }
            let key = try? CTLogKey(
                subjectPublicKeyInfo: raw, logID: instance.logId.keyId,
                validFrom: instance.publicKey.validFor.map { Self.date($0.start) },
                validUntil: instance.publicKey.validFor?.end.map(Self.date))
            if let key { ctLogs.append(key) }
        }
        self.trustedRoot = trustedRoot
        self.certificateIssuer = certificateIssuer
        self.logSubmitter = logSubmitter
        self.timestampers = timestampers
        self.ctLogs = ctLogs
        self.clock = clock
    }

    // MARK: Sessions

    /// Makes an ephemeral P-256 key, asks the certificate authority for a certificate with `identityToken`, and
    /// checks the certificate; the session signs any number of artifacts with that one certificate.
    public func session(identityToken: String) async throws(SignError) -> SigningSession {
        let key = P256.Signing.PrivateKey()
        let csr = try Self.certificateSigningRequest(for: key)
        let chain: [Certificate]
        do {
            chain = try await certificateIssuer.issueCertificate(
                certificateSigningRequest: csr, identityToken: identityToken)
        } catch let error as SignError {
            throw error
        } catch {
            throw SignError(.certificateIssuance, "the certificate authority did not issue a certificate: \(error)")
        }
        let leaf = try checkCertificate(chain, key: key)
        let identity: SubjectAlternativeName
        let issuer: String
        do {
            identity = try FulcioIdentity.identity(of: leaf)
            guard let value = try FulcioExtensions(leaf).oidcIssuer else {
                throw SignError(.invalidCertificate, "expected an OIDC issuer extension in the leaf, found none")
            }
            issuer = value
        } catch let error as SignError {
            throw error
        } catch {
            throw SignError(.invalidCertificate, "expected a Fulcio identity in the leaf: \(error)")
        }
        let leafDER: [UInt8]
        do { leafDER = try CertificateCoding.der(leaf) } catch {
            throw SignError(.invalidCertificate, "cannot encode the leaf: \(error.reason)")
        }
        return SigningSession(
            signer: self, key: key, material: .certificate(X509Certificate(rawBytes: leafDER)),
            verifierKey: .x509Certificate(X509Certificate(rawBytes: leafDER)),
            policy: .identity(identity.value, issuer: issuer), certificate: leaf, identity: identity.value,
            issuer: issuer)
    }

    /// A session signing with a managed P-256 key (PEM, PKCS#8 or SEC1). Bundles carry a `publicKey` hint
    /// (`hint`, by default the base64 SHA-256 of the SubjectPublicKeyInfo) instead of a certificate, and verify
    /// with a public-key policy.
    public func session(privateKeyPEM: String, hint: String? = nil) throws(SignError) -> SigningSession {
        let key: P256.Signing.PrivateKey
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw SignError(.invalidKey, "expected a PEM ECDSA P-256 private key: \(error)")
        }
        let spki = Array(key.publicKey.derRepresentation)
        return SigningSession(
            signer: self, key: key,
            material: .publicKey(PublicKeyIdentifier(hint: hint ?? Base64.encode(CertificateCoding.sha256(spki)))),
            verifierKey: .publicKey(RekorPublicKey(rawBytes: spki)), policy: .publicKey(subjectPublicKeyInfo: spki),
            certificate: nil, identity: nil, issuer: nil)
    }

    // MARK: Steps

    /// SPEC: RFC 2986 §4; services.md §1.3 — a PKCS#10 request with an empty subject and one requested
    /// extension, BasicConstraints CA:false (critical), self-signed with ECDSA-SHA256: Fulcio's proof of
    /// possession.
    public static func certificateSigningRequest(for key: P256.Signing.PrivateKey) throws(SignError) -> [UInt8] {
        do {
            var attributes = CertificateSigningRequest.Attributes()
            attributes.insert(
                try CertificateSigningRequest.Attribute(
                    ExtensionRequest(
                        extensions: try Certificate.Extensions {
                            Critical(BasicConstraints.notCertificateAuthority)
                        })))
            let csr = try CertificateSigningRequest(
                version: .v1, subject: X509.DistinguishedName(), privateKey: Certificate.PrivateKey(key),
                attributes: attributes, signatureAlgorithm: .ecdsaWithSHA256)
            var serializer = DER.Serializer()
            try serializer.serialize(csr)
            return serializer.serializedBytes
        } catch {
            throw SignError(.invalidKey, "cannot build the certificate signing request: \(error)")
        }
    }

    /// Checks the issued chain as sigstore-python does before using it.
    func checkCertificate(_ chain: [Certificate], key: P256.Signing.PrivateKey) throws(SignError) -> Certificate {
        // SPEC: sigstore-python fulcio/client.py — a chain of at least the leaf and its issuer.
        guard chain.count >= 2 else {
            throw SignError(
                .invalidCertificate, "expected a chain of at least 2 certificates from the CA, got \(chain.count)")
        }
        let leaf = chain[0]
        guard leaf.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw SignError(.invalidCertificate, "expected the leaf to certify the signing key, it certifies another")
        }
        guard chain[1].publicKey.isValidSignature(leaf.signature, for: leaf) else {
            throw SignError(.invalidCertificate, "expected the leaf to be signed by the next certificate, it is not")
        }
        // SPEC: sigstore-python _internal/sct.py verify_sct — exactly one embedded SCT, verified with a CT key
        // of the trusted root that is valid now (SIGN purpose).
        let now = clock()
        let embedded: [SignedCertificateTimestamp]
        do { embedded = try SignedCertificateTimestampList.embedded(in: leaf) } catch {
            throw SignError(.sctInvalid, "the leaf's SCT list does not parse: \(error.reason)")
        }
        guard embedded.count == 1 else {
            throw SignError(.sctInvalid, "expected exactly one SCT in the leaf, found \(embedded.count)")
        }
        let current = ctLogs.filter { key in
            (key.validFrom.map { $0 <= now } ?? true) && (key.validUntil.map { now <= $0 } ?? true)
        }
        do {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: chain[1], logs: current, at: [now])
        } catch {
            throw SignError(
                .sctInvalid, "the leaf's SCT does not verify with a current CT log key of the trusted root: \(error.reason)")
        }
        return leaf
    }

    static func date(_ timestamp: ProtoTimestamp) -> Date {
        Date(timeIntervalSince1970: TimeInterval(timestamp.seconds) + TimeInterval(timestamp.nanos) / 1_000_000_000)
    }
}

/// One signing identity (a certificate or a managed key) used for any number of artifacts.
public struct SigningSession: Sendable {
    let signer: Signer
    let key: P256.Signing.PrivateKey
    let material: VerificationMaterial.Content
    let verifierKey: RekorVerifier.Key
    /// The policy every bundle of this session is verified with before it is returned.
    public let policy: VerificationPolicy
    /// The signing certificate (nil for a managed key).
    public let certificate: Certificate?
    /// The certificate's identity (SAN value) and OIDC issuer (nil for a managed key).
    public let identity: String?
    public let issuer: String?

    /// Signs `artifact` (message signature over its SHA-256 digest) and returns a verified v0.3 bundle.
    public func sign(artifact: [UInt8]) async throws(SignError) -> SigstoreBundle {
        let digest = SHA256.hash(data: artifact)
        let signature: [UInt8]
        do { signature = Array(try key.signature(for: digest).derRepresentation) } catch {
            throw SignError(.invalidKey, "cannot sign: \(error)")
        }
        let content = SigstoreBundle.Content.messageSignature(
            MessageSignature(messageDigest: HashOutput(algorithm: .sha2_256, digest: Array(digest)), signature: signature))
        return try await finish(
            content: content, loggedDigest: Array(digest), signature: signature, artifact: Artifact(bytes: artifact))
    }

    /// Signs an in-toto Statement v1 whose only subject is `artifact` (named `name`, SHA-256 digest) with
    /// `predicate` of `predicateType`, as a DSSE envelope, and returns a verified v0.3 bundle. The log entry is a
    /// hashedrekord over SHA-256 of the envelope's PAE (services.md §0.9).
    public func attest(
        artifact: [UInt8], name: String, predicateType: String, predicate: JSONValue
    ) async throws(SignError) -> SigstoreBundle {
        guard !predicateType.isEmpty else { throw SignError(.invalidInput, "expected a predicate type, got none") }
        let subjectDigest = Hex.encode(SHA256.hash(data: artifact))
        let statement = InTotoStatement(
            subjects: [InTotoStatement.Subject(name: name, digest: ["sha256": subjectDigest])],
            predicateType: predicateType, predicate: predicate)
        var envelope = DSSEEnvelope(
            payload: statement.json.serialized(), payloadType: DSSEEnvelope.inTotoPayloadType, signatures: [])
        let pae = envelope.preAuthenticationEncoding
        let signature: [UInt8]
        do { signature = Array(try key.signature(for: pae).derRepresentation) } catch {
            throw SignError(.invalidKey, "cannot sign: \(error)")
        }
        envelope.signatures = [DSSESignature(sig: signature)]
        return try await finish(
            content: .dsseEnvelope(envelope), loggedDigest: Array(SHA256.hash(data: pae)), signature: signature,
            artifact: Artifact(bytes: artifact))
    }

    func finish(
        content: SigstoreBundle.Content, loggedDigest: [UInt8], signature: [UInt8], artifact: Artifact
    ) async throws(SignError) -> SigstoreBundle {
        // SPEC: services.md §1.1 — timestamps first (over the signature bytes), then the log entry.
        var timestamps: [RFC3161SignedTimestamp] = []
        var failures: [String] = []
        for timestamper in signer.timestampers {
            do {
                let response = try await timestamper.timestamp(signature: signature)
                try Self.checkTimestamp(response, signature: signature)
                timestamps.append(RFC3161SignedTimestamp(signedTimestamp: response))
            } catch {
                failures.append("\(error)")
            }
        }
        // SPEC: services.md §0.1 — a Rekor v2 entry has no integrated time: without a timestamp the bundle
        // cannot establish a signing time.
        guard !timestamps.isEmpty else {
            throw SignError(
                .noTimestamp,
                signer.timestampers.isEmpty
                    ? "no timestamp authority is configured, and a Rekor v2 entry needs a timestamp"
                    : "no timestamp authority gave a timestamp: \(failures.joined(separator: "; "))")
        }
        let request = CreateEntryRequest(
            hashedRekordRequestV002: CreateEntryRequest.HashedRekordRequestV002(
                digest: loggedDigest,
                signature: RekorSignature(
                    content: signature, verifier: RekorVerifier(key: verifierKey, keyDetails: .pkixECDSAP256SHA256))))
        let entry: TransparencyLogEntry
        do {
            entry = try await signer.logSubmitter.submit(request)
        } catch let error as SignError {
            throw error
        } catch {
            throw SignError(.logSubmission, "the transparency log did not accept the entry: \(error)")
        }
        let bundle = SigstoreBundle(
            mediaType: .v0_3,
            verificationMaterial: VerificationMaterial(
                content: material, tlogEntries: [entry],
                timestampVerificationData: TimestampVerificationData(rfc3161Timestamps: timestamps)),
            content: content)
        // SPEC: DESIGN.md §2 "Sign" — verify our own bundle (as written out and read back) before returning it.
        do {
            let reparsed = try SigstoreBundle.parse(bundle.jsonBytes())
            _ = try await signer.verifier.verify(reparsed, artifact: artifact, policy: policy)
        } catch let error as VerificationError {
            throw SignError(.selfVerification, "the new bundle does not verify: \(error.code): \(error.reason)")
        } catch {
            throw SignError(.selfVerification, "the new bundle does not read back: \(error)")
        }
        return bundle
    }

    /// SPEC: RFC 3161 §2.4.2 — a granted response whose token's imprint is SHA-256 of the signature.
    static func checkTimestamp(_ response: [UInt8], signature: [UInt8]) throws(SignError) {
        let parsed: TimeStampResp
        do { parsed = try TimeStampResp(derEncoded: response) } catch {
            throw SignError(.invalidTimestamp, "the answer is not a DER TimeStampResp: \(error.reason)")
        }
        guard parsed.status.status == .granted, let token = parsed.timeStampToken else {
            throw SignError(
                .invalidTimestamp,
                "expected status granted with a token, got \(parsed.status.status) \(parsed.status.statusStrings)")
        }
        let expected = MessageImprint(hashing: signature, with: .sha256)
        guard token.tstInfo.messageImprint == expected else {
            throw SignError(.invalidTimestamp, "expected the timestamp's imprint to be SHA-256 of the signature, it is not")
        }
    }
}
