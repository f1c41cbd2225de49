// The offline Sigstore verifier: every step of DESIGN.md §2 "Verify", each its own function with its own
// error code. Pure: no I/O, no clock; the only times are the ones the bundle proves.

import Crypto
import Foundation
import SigilBundle
import SigilMerkle
import SigilTimestamp
import SigilTlog
import SigilX509
import SwiftASN1
import X509

/// Verifies Sigstore bundles against one trusted root.
public struct Verifier: Sendable {
    /// Sigstore's limits on what one bundle may carry.
    public static let maxLogEntries = 32
    public static let maxTimestamps = 32

    public let trustedRoot: TrustedRoot
    let logs: [TrustedLog]
    let ctLogs: [CTLogKey]
    let certificateAuthorities: [TrustedCA]
    let timestampVerifier: TimestampVerifier
    /// The URI of each timestamp authority, by its signing (leaf) certificate, to name it in results.
    let timestampAuthorityURIs: [(leaf: Certificate, uri: String)]
    /// Keys of the trusted root that could not be loaded and were skipped, as sigstore-python skips them.
    public let skippedKeys: [String]

    /// A transparency log of the trusted root, with its key ready for checkpoints and signed entry timestamps.
    struct TrustedLog: Sendable {
        let instance: TransparencyLogInstance
        let host: String
        let key: Certificate.PublicKey
        let noteKey: NoteVerifierKey
        let validFrom: Date?
        let validUntil: Date?
    }

    struct TrustedCA: Sendable {
        /// Parsed once, when the trusted root is loaded.
        /// Every certificate the trusted root lists for the CA, as trust anchors, with their P-384 keys ready
        /// for repeated use (the chain check's fast path).
        let anchors: PreparedTrustAnchors
        let validFrom: Date?
        let validUntil: Date?

        func covers(_ time: Date) -> Bool {
            if let validFrom, time < validFrom { return false }
            if let validUntil, time > validUntil { return false }
            return true
        }
    }

    /// Loads the trusted root's keys and certificates once, so verifying many bundles does not repeat it.
    public init(trustedRoot: TrustedRoot) throws(VerificationError) {
        self.trustedRoot = trustedRoot
        var skipped: [String] = []
        var logs: [TrustedLog] = []
        for instance in trustedRoot.tlogs {
            guard let spki = instance.publicKey.rawBytes,
                let key = try? Certificate.PublicKey(derEncoded: spki)
            else {
                skipped.append("tlog \(instance.baseUrl): key does not parse")
                continue
            }
            let host = Self.host(of: instance.baseUrl)
            guard let noteKey = try? NoteVerifierKey.log(name: host, subjectPublicKeyInfo: spki) else {
                skipped.append("tlog \(instance.baseUrl): key type \(instance.publicKey.keyDetails.name) cannot sign checkpoints")
                continue
            }
            logs.append(TrustedLog(
                instance: instance, host: host, key: key, noteKey: noteKey,
                validFrom: instance.publicKey.validFor.map { Self.date($0.start) },
                validUntil: instance.publicKey.validFor?.end.map(Self.date)))
        }
        var ctLogs: [CTLogKey] = []
        for instance in trustedRoot.ctlogs {
            guard let raw = instance.publicKey.rawBytes else { continue }
            let from = instance.publicKey.validFor.map { Self.date($0.start) }
            let until = instance.publicKey.validFor?.end.map(Self.date)
            do {
                if instance.publicKey.keyDetails == .pkcs1RSAPKCS1v5 {
                    ctLogs.append(try CTLogKey(pkcs1RSAPublicKey: raw, logID: instance.logId.keyId, validFrom: from, validUntil: until))
                } else {
                    ctLogs.append(try CTLogKey(subjectPublicKeyInfo: raw, logID: instance.logId.keyId, validFrom: from, validUntil: until))
                }
            } catch {
                skipped.append("ctlog \(instance.baseUrl): \(error.reason)")
            }
        }
        var cas: [TrustedCA] = []
        for authority in trustedRoot.certificateAuthorities {
            let chain: [Certificate]
            do {
                chain = try authority.certChain.certificates.map { certificate throws(X509Error) in
                    try CertificateCoding.certificate(der: certificate.rawBytes)
                }
            } catch {
                skipped.append("certificate authority \(authority.uri): \(error.reason)")
                continue
            }
            guard !chain.isEmpty else { continue }
            // Every certificate the trusted root lists for a CA is trust material, so each is an anchor, as
            // sigstore-python puts them all in its verification store. A chain then ends at the intermediate
            // that issued the leaf, and the root's signature over the intermediate, the same for every bundle,
            // is not checked again per bundle (it was a third of the signature checks).
            cas.append(TrustedCA(
                anchors: PreparedTrustAnchors(chain),
                validFrom: authority.validFor.map { Self.date($0.start) },
                validUntil: authority.validFor?.end.map(Self.date)))
        }
        var tsas: [TimestampAuthority] = []
        var tsaURIs: [(leaf: Certificate, uri: String)] = []
        for authority in trustedRoot.timestampAuthorities {
            let chain = authority.certChain.certificates.map(\.rawBytes)
            do {
                let tsa = try TimestampAuthority(
                    derCertificates: chain,
                    validFrom: authority.validFor.map { Self.date($0.start) } ?? Date(timeIntervalSince1970: 0),
                    validUntil: authority.validFor?.end.map(Self.date))
                tsas.append(tsa)
                if let leaf = tsa.certificateChain.first { tsaURIs.append((leaf, authority.uri)) }
            } catch {
                skipped.append("timestamp authority \(authority.uri): \(error.reason)")
            }
        }
        self.logs = logs
        self.ctLogs = ctLogs
        self.certificateAuthorities = cas
        self.timestampVerifier = TimestampVerifier(authorities: tsas)
        self.timestampAuthorityURIs = tsaURIs
        self.skippedKeys = skipped
    }

    /// How many keys of the trusted root (Fulcio CA and TSA keys, P-384 only) have precomputed tables for
    /// faster signature checks. A key gets them on its second use, so a verifier kept for many bundles speeds up
    /// and a one-off verification pays nothing.
    public var keysWithTables: Int {
        certificateAuthorities.reduce(0) { $0 + $1.anchors.anchorsWithTables } + timestampVerifier.keysWithTables
    }

    /// Verifies `bundle` over `artifact` and checks that its signer satisfies `policy`.
    ///
    /// Steps, in order: the bundle's structure; the times it proves (RFC 3161 timestamps, Rekor v1 signed entry
    /// timestamps); the certificate chain and SCT at each time; the policy; every log entry (body against the
    /// bundle, inclusion proof, checkpoint); the signature over the artifact. The first failure is thrown.
    public func verify(
        _ bundle: SigstoreBundle, artifact: Artifact, policy: VerificationPolicy
    ) async throws(VerificationError) -> VerificationResult {
        let material = try checkStructure(bundle)
        let signature = material.signature

        var (times, timestampFailures) = await verifyTimestamps(bundle, signature: signature)
        for entry in bundle.verificationMaterial.tlogEntries {
            if let time = try verifyInclusionPromise(entry) { times.append(time) }
        }
        // SPEC: Sigstore client spec, "Establishing a Time for the Signature": at least one verified time.
        // Like sigstore-python, a timestamp that does not verify is left out rather than fatal, since it
        // adds no time; but when it was the only source of time, its failure is the reason.
        guard !times.isEmpty else {
            if let failure = timestampFailures.first { throw failure }
            throw VerificationError(
                .noVerifiedTime,
                "expected an inclusion promise or an RFC 3161 timestamp to establish the signing time, found neither")
        }

        let signingKey: Certificate.PublicKey
        var identity: String?
        var issuer: String?
        switch (material.leaf, policy.kind) {
        case (let leaf?, .certificate(let identityMatcher, let issuerMatcher)):
            try await verifyCertificate(leaf, at: times.map(\.time))
            (identity, issuer) = try checkPolicy(leaf, identity: identityMatcher, issuer: issuerMatcher)
            signingKey = leaf.publicKey
        case (nil, .publicKey(let spki)):
            guard let key = try? Certificate.PublicKey(derEncoded: spki) else {
                throw VerificationError(.publicKeyMismatch, "the given public key is not a DER SubjectPublicKeyInfo")
            }
            signingKey = key
        case (_?, .publicKey):
            throw VerificationError(.publicKeyMismatch, "expected a bundle signed with the given key, got one with a certificate")
        case (nil, .certificate):
            throw VerificationError(.publicKeyMismatch, "expected a bundle with a signing certificate, got one that names a key (use --key)")
        }

        try verifySignature(bundle, artifact: artifact, key: signingKey)

        var entries: [VerifiedLogEntry] = []
        for entry in bundle.verificationMaterial.tlogEntries {
            try checkEntryMatchesBundle(entry, bundle: bundle, material: material, artifact: artifact, key: signingKey)
            entries.append(try verifyInclusion(entry, at: times.map(\.time)))
        }

        let payloadType: String?
        if case .dsseEnvelope(let envelope) = bundle.content { payloadType = envelope.payloadType } else { payloadType = nil }
        return VerificationResult(
            bundleVersion: bundle.version.description, identity: identity, issuer: issuer, verifiedTimes: times,
            logEntries: entries, content: payloadType == nil ? "messageSignature" : "dsseEnvelope", payloadType: payloadType)
    }

    // MARK: - Step 1: structure

    struct Material {
        let signature: [UInt8]
        let leaf: Certificate?
        let leafDER: [UInt8]?
    }

    func checkStructure(_ bundle: SigstoreBundle) throws(VerificationError) -> Material {
        let material = bundle.verificationMaterial
        // SPEC: protobuf-specs sigstore_bundle.proto — v0.1/v0.2 carry an x509CertificateChain whose first
        // certificate is the leaf; v0.3 carries the leaf alone in `certificate`.
        var leafDER: [UInt8]?
        switch material.content {
        case .x509CertificateChain(let chain):
            guard let first = chain.certificates.first else {
                throw VerificationError(.bundleInvalid, "expected a non-empty certificate chain in the bundle, got 0 certificates")
            }
            leafDER = first.rawBytes
        case .certificate(let certificate):
            leafDER = certificate.rawBytes
        case .publicKey:
            leafDER = nil
        }
        var leaf: Certificate?
        if let leafDER {
            do { leaf = try CertificateCoding.certificate(der: leafDER) } catch {
                throw VerificationError(.bundleInvalid, "the signing certificate does not parse: \(error.reason)")
            }
        }

        // SPEC: Sigstore client spec, "Verification": at most 32 log entries and 32 timestamps, no duplicates.
        let entries = material.tlogEntries
        guard !entries.isEmpty else {
            throw VerificationError(.bundleInvalid, "expected at least one transparency log entry in the bundle, got 0")
        }
        guard entries.count <= Self.maxLogEntries else {
            throw VerificationError(.limitExceeded, "expected at most \(Self.maxLogEntries) log entries, got \(entries.count)")
        }
        let timestamps = material.rfc3161Timestamps.map(\.signedTimestamp)
        guard timestamps.count <= Self.maxTimestamps else {
            throw VerificationError(.limitExceeded, "expected at most \(Self.maxTimestamps) timestamps, got \(timestamps.count)")
        }
        guard timestamps.count < 2 || Set(timestamps).count == timestamps.count else {
            throw VerificationError(.limitExceeded, "the bundle carries the same RFC 3161 timestamp twice")
        }
        guard entries.count < 2 || Set(entries).count == entries.count else {
            throw VerificationError(.limitExceeded, "the bundle carries the same log entry twice")
        }

        for (index, entry) in entries.enumerated() {
            // SPEC: sigstore-python (client policy, also ours): every entry carries an inclusion proof with its
            // checkpoint; a proof without a signed checkpoint proves nothing about the log's signed state.
            guard let proof = entry.inclusionProof else {
                throw VerificationError(.bundleInvalid, "log entry \(index) has no inclusion proof")
            }
            guard proof.checkpoint != nil else {
                throw VerificationError(
                    .checkpointMissing,
                    "log entry \(index) (log index \(entry.logIndex)) has an inclusion proof without a checkpoint; "
                        + "fetch the entry's checkpoint from its log to repair the bundle (e.g. `sigstore plumbing fix-bundle`)")
            }
            // SPEC: protobuf-specs — a v0.1 bundle's entries must carry an inclusion promise.
            if bundle.version == .v0_1 && entry.inclusionPromise == nil {
                throw VerificationError(.bundleInvalid, "a v0.1 bundle needs an inclusion promise on log entry \(index)")
            }
        }

        let signature: [UInt8]
        switch bundle.content {
        case .messageSignature(let message):
            signature = message.signature
        case .dsseEnvelope(let envelope):
            guard envelope.signatures.count == 1, let only = envelope.signatures.first else {
                throw VerificationError(.bundleInvalid, "expected exactly one DSSE signature, got \(envelope.signatures.count)")
            }
            signature = only.sig
        }
        return Material(signature: signature, leaf: leaf, leafDER: leafDER)
    }

    // MARK: - Step 2: time

    /// Verifies every RFC 3161 timestamp; returns the verified times and, separately, why others failed.
    func verifyTimestamps(_ bundle: SigstoreBundle, signature: [UInt8]) async -> ([VerifiedTime], [VerificationError]) {
        // SPEC: RFC 3161 §2.4.2 and the Sigstore client spec: each timestamp is over the signature bytes and
        // signed by a timestamp authority of the trusted root, valid at its genTime.
        var times: [VerifiedTime] = []
        var failures: [VerificationError] = []
        for (index, timestamp) in bundle.verificationMaterial.rfc3161Timestamps.enumerated() {
            do {
                let verified = try await timestampVerifier.verify(responseDER: timestamp.signedTimestamp, signature: signature)
                let uri = timestampAuthorityURIs.first(where: { $0.leaf == verified.signerCertificate })?.uri
                times.append(VerifiedTime(source: "rfc3161", authority: uri ?? "timestamp authority", time: verified.genTime))
            } catch {
                failures.append(VerificationError(.timestampInvalid, "RFC 3161 timestamp \(index): \(error.reason) [\(error.code)]"))
            }
        }
        return (times, failures)
    }

    /// Verifies a Rekor v1 signed entry timestamp; its integrated time is then a verified time.
    func verifyInclusionPromise(_ entry: TransparencyLogEntry) throws(VerificationError) -> VerifiedTime? {
        guard let promise = entry.inclusionPromise else { return nil }
        // SPEC: Rekor v1 SET: ECDSA over RFC 8785 {"body","integratedTime","logID","logIndex"}, only for the
        // v1 kinds (hashedrekord/dsse/intoto 0.0.1-0.0.2 as logged by a v1 log).
        let log = try trustedLog(for: entry)
        let payload = entry.signedEntryTimestampPayload
        guard Signatures.isValid(signature: promise.signedEntryTimestamp, message: payload, key: log.key) else {
            throw VerificationError(
                .inclusionPromiseInvalid,
                "signed entry timestamp of log index \(entry.logIndex) does not verify with the key of \(log.instance.baseUrl)")
        }
        let time = Date(timeIntervalSince1970: TimeInterval(entry.integratedTime))
        try checkLogValid(log, at: time)
        return VerifiedTime(source: "tlog", authority: log.instance.baseUrl, time: time)
    }

    // MARK: - Step 3: certificate

    func verifyCertificate(_ leaf: Certificate, at times: [Date]) async throws(VerificationError) {
        var issuer: Certificate?
        for time in times {
            // SPEC: Sigstore client spec, "Certificate": the chain leads to a Fulcio CA of the trusted root whose
            // validity window covers the time, and every certificate is valid at that time.
            let usable = certificateAuthorities.filter { $0.covers(time) }
            guard !usable.isEmpty else {
                throw VerificationError(.certificateInvalid, "no certificate authority of the trusted root is valid at \(time)")
            }
            var firstError: X509Error?
            var verified: VerifiedCertificateChain?
            for authority in usable {
                do {
                    verified = try await FulcioChainVerifier.verify(leaf: leaf, anchors: authority.anchors, at: time)
                    break
                } catch {
                    firstError = firstError ?? error
                }
            }
            guard let chain = verified else {
                let reason = firstError.map { "\($0.reason) [\($0.code)]" } ?? "no chain"
                throw VerificationError(.certificateInvalid, "the signing certificate is not valid at \(time): \(reason)")
            }
            issuer = chain.issuer
        }
        guard let issuer else { return }
        // SPEC: RFC 6962 §3.3 and the Fulcio profile: the leaf embeds an SCT from a CT log of the trusted root.
        do {
            _ = try SCTVerifier.verifyEmbeddedSCTs(in: leaf, issuer: issuer, logs: ctLogs, at: times)
        } catch {
            throw VerificationError(.sctInvalid, "\(error.reason) [\(error.code)]")
        }
    }

    // MARK: - Step 4: policy

    func checkPolicy(
        _ leaf: Certificate, identity: VerificationPolicy.Matcher, issuer: VerificationPolicy.Matcher
    ) throws(VerificationError) -> (String, String) {
        // SPEC: Sigstore client spec, "Identity": a SAN (email, URI or Fulcio otherName) and the OIDC issuer
        // extension (1.3.6.1.4.1.57264.1.1, or .8) must match the policy.
        let names: [SubjectAlternativeName]
        let extensions: FulcioExtensions
        do {
            names = try FulcioIdentity.subjectAlternativeNames(of: leaf)
            extensions = try FulcioExtensions(leaf)
        } catch {
            throw VerificationError(.identityMismatch, "the certificate's identity does not parse: \(error.reason)")
        }
        guard let matched = names.first(where: { identity.matches($0.value) }) else {
            let found = names.map { "\"\($0.value)\"" }.joined(separator: ", ")
            throw VerificationError(.identityMismatch, "expected identity \(identity.text), got \(found.isEmpty ? "none" : found)")
        }
        guard let oidcIssuer = extensions.oidcIssuer else {
            throw VerificationError(.issuerMismatch, "expected OIDC issuer \(issuer.text), got a certificate without one")
        }
        guard issuer.matches(oidcIssuer) else {
            throw VerificationError(.issuerMismatch, "expected OIDC issuer \(issuer.text), got \"\(oidcIssuer)\"")
        }
        return (matched.value, oidcIssuer)
    }

    // MARK: - Step 5: transparency log

    func trustedLog(for entry: TransparencyLogEntry) throws(VerificationError) -> TrustedLog {
        guard let log = logs.first(where: { $0.instance.logId.keyId == entry.logId.keyId || $0.instance.checkpointKeyId?.keyId == entry.logId.keyId }) else {
            throw VerificationError(.unknownLog, "log ID \(Hex.encode(entry.logId.keyId)) is not a transparency log of the trusted root")
        }
        return log
    }

    func checkLogValid(_ log: TrustedLog, at time: Date) throws(VerificationError) {
        // SPEC: trusted root `validFor`: a log key is never trusted before its start; after its end it still
        // vouches for entries made while it was valid.
        if let from = log.validFrom, time < from {
            throw VerificationError(.unknownLog, "log \(log.instance.baseUrl) is valid from \(from), not at \(time)")
        }
        if let until = log.validUntil, time > until {
            throw VerificationError(.unknownLog, "log \(log.instance.baseUrl) was valid until \(until), not at \(time)")
        }
    }

    func verifyInclusion(_ entry: TransparencyLogEntry, at times: [Date]) throws(VerificationError) -> VerifiedLogEntry {
        let log = try trustedLog(for: entry)
        for time in times { try checkLogValid(log, at: time) }
        guard let proof = entry.inclusionProof, let checkpoint = proof.checkpoint else {
            throw VerificationError(.checkpointMissing, "log index \(entry.logIndex) has no inclusion proof with checkpoint")
        }
        // SPEC: RFC 9162 §2.1.3.2: the leaf SHA-256(0x00 ‖ canonicalizedBody) and the proof recompute the root.
        guard proof.logIndex >= 0, proof.treeSize >= 0 else {
            throw VerificationError(.inclusionProofInvalid, "negative log index \(proof.logIndex) or tree size \(proof.treeSize)")
        }
        var hashes: [MerkleHash] = []
        for (position, bytes) in proof.hashes.enumerated() {
            guard let hash = MerkleHash(bytes: bytes) else {
                throw VerificationError(.inclusionProofInvalid, "proof hash \(position) is \(bytes.count) bytes, want 32")
            }
            hashes.append(hash)
        }
        guard let root = MerkleHash(bytes: proof.rootHash) else {
            throw VerificationError(.inclusionProofInvalid, "root hash is \(proof.rootHash.count) bytes, want 32")
        }
        do {
            try Merkle.verifyInclusion(
                leafHash: Merkle.leafHash(entry.canonicalizedBody), index: UInt64(proof.logIndex),
                size: UInt64(proof.treeSize), proof: hashes, root: root)
        } catch {
            throw VerificationError(.inclusionProofInvalid, "\(error.reason) [\(error.code)]")
        }

        // SPEC: C2SP signed-note and tlog-checkpoint: the checkpoint is signed by the log's key, its origin is
        // the log's (Rekor v1: "<host> - <tree ID>"), and it commits to the proof's root and size.
        let verified: VerifiedCheckpoint
        do {
            verified = try SigilTlog.Checkpoint.verify(
                Array(checkpoint.envelope.utf8),
                originMatching: { $0 == log.host || $0.hasPrefix(log.host + " - ") },
                keys: [log.noteKey])
        } catch {
            throw VerificationError(.checkpointInvalid, "checkpoint of \(log.instance.baseUrl): \(error.reason) [\(error.code)]")
        }
        guard verified.rootHash == root else {
            throw VerificationError(.checkpointInvalid, "checkpoint root \(verified.rootHash) is not the proof's root \(root)")
        }
        guard verified.size == UInt64(proof.treeSize) else {
            throw VerificationError(.checkpointInvalid, "checkpoint tree size \(verified.size) is not the proof's tree size \(proof.treeSize)")
        }
        return VerifiedLogEntry(logBaseURL: log.instance.baseUrl, logIndex: entry.logIndex, treeSize: proof.treeSize, kind: entry.kindVersion.kind)
    }

    // MARK: - Step 6: signature

    func verifySignature(_ bundle: SigstoreBundle, artifact: Artifact, key: Certificate.PublicKey) throws(VerificationError) {
        switch bundle.content {
        case .messageSignature(let message):
            // SPEC: Sigstore client spec, "Signature": the message digest, when present, is the artifact's, and
            // the signature verifies over the artifact (prehashed with SHA-256).
            if let digest = message.messageDigest {
                guard digest.algorithm == .sha2_256 else {
                    throw VerificationError(.unsupported, "message digest algorithm \(digest.algorithm.name) is not supported, want SHA2_256")
                }
                guard digest.digest == artifact.sha256 else {
                    throw VerificationError(
                        .artifactMismatch,
                        "expected artifact digest sha256:\(Hex.encode(digest.digest)) (from the bundle), got sha256:\(Hex.encode(artifact.sha256))")
                }
            }
            let valid: Bool
            if let prehashed = Signatures.isValid(signature: message.signature, digest: artifact.sha256, key: key) {
                valid = prehashed
            } else if let bytes = artifact.bytes {
                valid = Signatures.isValid(signature: message.signature, message: bytes, key: key)
            } else {
                throw VerificationError(.unsupported, "this key type signs the artifact itself: give the file, not its digest")
            }
            guard valid else {
                throw VerificationError(.signatureInvalid, "the signature does not verify over sha256:\(Hex.encode(artifact.sha256)) with the signing key")
            }
        case .dsseEnvelope(let envelope):
            // SPEC: DSSE v1: the signature is over PAE(payloadType, payload).
            guard let signature = envelope.signatures.first?.sig,
                Signatures.isValid(signature: signature, message: envelope.preAuthenticationEncoding, key: key)
            else {
                throw VerificationError(.signatureInvalid, "the DSSE signature does not verify over the envelope's PAE with the signing key")
            }
            // SPEC: in-toto Statement v1: the artifact is one of the statement's subjects.
            guard envelope.payloadType == "application/vnd.in-toto+json" else {
                throw VerificationError(.subjectMismatch, "expected DSSE payload type application/vnd.in-toto+json, got \(envelope.payloadType)")
            }
            let statement: InTotoStatement
            do { statement = try InTotoStatement.parse(envelope.payload) } catch {
                throw VerificationError(.subjectMismatch, "the DSSE payload is not an in-toto statement: \(error)")
            }
            guard statement.hasSubject(algorithm: "sha256", digest: artifact.sha256) else {
                let subjects = statement.subjects.compactMap { $0.digest["sha256"] }.joined(separator: ", ")
                throw VerificationError(.subjectMismatch, "expected an in-toto subject with sha256:\(Hex.encode(artifact.sha256)), got \(subjects.isEmpty ? "none" : subjects)")
            }
        }
    }

    // MARK: - Helpers

    /// Parses a bundle file's bytes (strict proto3 JSON); any failure is ``VerificationError/Code-swift.struct/malformedBundle``.
    public static func parseBundle(_ bytes: [UInt8]) throws(VerificationError) -> SigstoreBundle {
        do { return try SigstoreBundle.parse(bytes) } catch {
            throw VerificationError(.malformedBundle, "the bundle does not parse: \(error)")
        }
    }

    /// Parses a trusted root (`trusted_root.json`); any failure is ``VerificationError/Code-swift.struct/trustedRootInvalid``.
    public static func parseTrustedRoot(_ bytes: [UInt8]) throws(VerificationError) -> TrustedRoot {
        do { return try TrustedRoot.parse(bytes) } catch {
            throw VerificationError(.trustedRootInvalid, "the trusted root does not parse: \(error)")
        }
    }

    static func date(_ timestamp: ProtoTimestamp) -> Date {
        Date(timeIntervalSince1970: TimeInterval(timestamp.seconds) + TimeInterval(timestamp.nanos) / 1_000_000_000)
    }

    /// The host (and port) of a URL: the C2SP origin of a Rekor v2 log, the key name of a v1 log's checkpoints.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        return String(rest)
    }
}
