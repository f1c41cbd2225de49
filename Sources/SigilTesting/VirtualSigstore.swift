// A whole Sigstore in one process, made of Sigil's real cores (STYLE.md habit 10): SigilCA's
// `CertificateAuthority` with SigilCT's `CTLog` (in-memory precertificate log), SigilTSA's `TimeStampSigner`,
// and a Rekor v2 log — SigilLog's `TileLog` on `InMemoryLogStorage`, requests checked by SigilRekor's
// `RekorEntryValidator` and answered by `RekorResponse`. All read one injected clock (fixed by default). It
// implements SigilSign's three service protocols directly (no HTTP) and exposes the TrustedRoot that trusts it.
//
// Identities: `identityToken(email:issuer:)` mints an opaque token the virtual CA turns into an identity with
// `Identity.unchecked` (no OIDC provider is involved; SigilCA's own tests cover token verification).

import Crypto
import Foundation
import SigilBundle
import SigilCA
import SigilCT
import SigilLog
import SigilRekor
import SigilSign
import SigilTSA
import SigilTlog
import SigilX509
import X509

/// An in-process Sigstore: certificate authority with CT log, Rekor v2 tile log, and timestamp authority.
public struct VirtualSigstore: CertificateIssuer, LogSubmitter, Timestamper, Sendable {
    /// 2026-06-01T00:00:00Z, the default fixed "now".
    public static let defaultNow = Date(timeIntervalSince1970: 1_780_272_000)
    /// Base URL of the log; its host is the checkpoint origin.
    public static let logBaseURL = "https://rekor.virtual.sigil.test"
    public static let defaultIssuer = "https://oidc.virtual.sigil.test"

    public let certificateAuthority: SigilCA.CertificateAuthority
    public let precertificateLog: InMemoryPrecertificateLog
    public let timeStampSigner: TimeStampSigner
    public let tsaCertificates: TSACertificates
    public let log: TileLog
    public let logIdentity: RekorLogIdentity
    /// The trusted root listing this instance's CA, CT log, Rekor log and TSA, valid from a day before `now`.
    public let trustedRoot: TrustedRoot
    public let clock: @Sendable () -> Date

    /// Builds a new instance with fresh keys. `clock` is what every core reads (fixed at `defaultNow` unless
    /// given); the trusted root's validity windows start a day before the clock's first reading.
    public static func make(clock: @escaping @Sendable () -> Date = { VirtualSigstore.defaultNow }) async throws
        -> VirtualSigstore
    {
        let now = clock()
        let start = now.addingTimeInterval(-86_400)
        let generated = try CAMaterial.generate(at: start, organization: "sigil.test", commonName: "virtual")
        let precertificateLog = InMemoryPrecertificateLog(clock: clock)
        let ctLog = CTLog(signingKey: P256.Signing.PrivateKey(), logger: precertificateLog)
        let ca = SigilCA.CertificateAuthority(material: generated.material, ctLog: ctLog, clock: clock)

        let tsa = try TSACertificates.create(notValidBefore: start, notValidAfter: now.addingTimeInterval(365 * 86_400))
        let signer = try TimeStampSigner(signingKey: tsa.signingKey, certificateChain: tsa.chain, clock: clock)

        let origin = try RekorLogIdentity.origin(forBaseURL: logBaseURL)
        let logKey = Curve25519.Signing.PrivateKey()
        let logIdentity = try RekorLogIdentity(origin: origin, publicKey: logKey.publicKey)
        var configuration = TileLogConfiguration(origin: origin)
        configuration.batchDelay = .milliseconds(1)
        let log = try await TileLog.open(
            storage: InMemoryLogStorage(), signer: try NoteSigner.ed25519(name: origin, privateKey: logKey),
            configuration: configuration)

        let since = TimeRange(start: try ProtoTimestamp(rfc3339: Self.rfc3339(start)))
        let ctSPKI = ctLog.subjectPublicKeyInfo
        let root = TrustedRoot(
            tlogs: [
                TransparencyLogInstance(
                    baseUrl: logBaseURL,
                    publicKey: PublicKey(
                        rawBytes: logIdentity.subjectPublicKeyInfo, keyDetails: .pkixEd25519, validFor: since),
                    logId: LogId(keyId: logIdentity.logID), checkpointKeyId: LogId(keyId: logIdentity.logID),
                    operator: "sigil.test")
            ],
            certificateAuthorities: [
                SigilBundle.CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: "sigil.test", commonName: "virtual"),
                    uri: "https://fulcio.virtual.sigil.test",
                    certChain: X509CertificateChain(
                        certificates: try [generated.material.intermediate, generated.material.root].map {
                            X509Certificate(rawBytes: try CertificateCoding.der($0))
                        }),
                    validFor: since, operator: "sigil.test")
            ],
            ctlogs: [
                TransparencyLogInstance(
                    baseUrl: "https://ct.virtual.sigil.test",
                    publicKey: PublicKey(rawBytes: ctSPKI, keyDetails: .pkixECDSAP256SHA256, validFor: since),
                    logId: LogId(keyId: ctLog.logID))
            ],
            timestampAuthorities: [
                SigilBundle.CertificateAuthority(
                    subject: SigilBundle.DistinguishedName(organization: "sigil.test", commonName: "virtual tsa"),
                    uri: "https://tsa.virtual.sigil.test/api/v1/timestamp",
                    certChain: X509CertificateChain(
                        certificates: try tsa.chain.map { X509Certificate(rawBytes: try CertificateCoding.der($0)) }),
                    validFor: since, operator: "sigil.test")
            ])
        return VirtualSigstore(
            certificateAuthority: ca, precertificateLog: precertificateLog, timeStampSigner: signer,
            tsaCertificates: tsa, log: log, logIdentity: logIdentity, trustedRoot: root, clock: clock)
    }

    /// A SigilSign `Signer` wired to this instance for all three services.
    public func signer() throws -> Signer {
        try Signer(
            trustedRoot: trustedRoot, certificateIssuer: self, logSubmitter: self, timestampers: [self], clock: clock)
    }

    // MARK: Identities

    static let tokenPrefix = "virtual-sigstore."

    /// A token the virtual CA accepts for the email identity `email` at `issuer`.
    public func identityToken(email: String, issuer: String = VirtualSigstore.defaultIssuer) -> String {
        Self.tokenPrefix + Base64.encode(Array(email.utf8)) + "." + Base64.encode(Array(issuer.utf8))
    }

    /// The identity a token minted by `identityToken(email:issuer:)` names.
    static func identity(forToken token: String) throws(CAError) -> Identity {
        guard token.hasPrefix(tokenPrefix) else {
            throw CAError(.malformedToken, "expected a token minted by VirtualSigstore")
        }
        let parts = token.dropFirst(tokenPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let email = Base64.decode(parts[0]), let issuer = Base64.decode(parts[1]) else {
            throw CAError(.malformedToken, "expected <email>.<issuer> in base64 after the prefix")
        }
        return Identity.unchecked(
            subjectAlternativeName: SubjectAlternativeName(kind: .email, value: String(decoding: email, as: UTF8.self)),
            issuer: String(decoding: issuer, as: UTF8.self))
    }

    // MARK: CertificateIssuer

    public func issueCertificate(certificateSigningRequest: [UInt8], identityToken: String) async throws
        -> [Certificate]
    {
        let identity = try Self.identity(forToken: identityToken)
        let key = try ProofOfPossession.verify(csr: certificateSigningRequest)
        let issued = try await certificateAuthority.issue(for: identity, key: key)
        return [issued.certificate] + issued.chain
    }

    // MARK: LogSubmitter

    public func submit(_ request: CreateEntryRequest) async throws -> TransparencyLogEntry {
        let entry = try RekorEntryValidator().validate(request.hashedRekordRequestV002)
        let appended = try await log.append(entry.canonicalBody, identity: entry.identity)
        let inclusion = try await log.waitForInclusion(of: appended.index)
        let answer = try RekorResponse.transparencyLogEntry(
            for: entry, logIndex: appended.index, log: logIdentity, inclusionProof: inclusion.proof,
            checkpoint: inclusion.checkpoint.noteText)
        // As a client reads it: the JSON answer, parsed back.
        return try TransparencyLogEntry.parse(RekorResponse.json(answer))
    }

    // MARK: Timestamper

    public func timestamp(signature: [UInt8]) async throws -> [UInt8] {
        timeStampSigner.respond(to: try TimestampQuery.der(signature: signature)).derEncoded
    }

    /// Stops the log's background work.
    public func shutdown() async { await log.shutdown() }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }
}
