// Fulcio certificate chain verification: chain building and the RFC 5280 checks are swift-certificates'
// `Verifier` and `RFC5280Policy`; this file adds the Sigstore leaf and CA rules as a `VerifierPolicy` and
// maps failures to `X509Error` codes.
//
// `@_spi(FixedExpiryValidationTime)`: swift-certificates exposes validation at a caller-given time only as
// this SPI (the public initializer reads the clock). Our verify path is pure and time is a parameter, so we
// need it; it is the initializer the library documents for exactly this use.

import Foundation  // Date only
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// A leaf certificate chained to a trusted Fulcio CA at a given time. Only `FulcioChainVerifier` makes these.
public struct VerifiedCertificateChain: Hashable, Sendable {
    /// The chain, leaf first, trust anchor last (at least two certificates).
    public let certificates: [Certificate]
    /// The time the chain was validated at.
    public let validationTime: Date

    init(certificates: [Certificate], validationTime: Date) {
        self.certificates = certificates
        self.validationTime = validationTime
    }

    /// The leaf (signing) certificate.
    public var leaf: Certificate { certificates[0] }
    /// The certificate that issued the leaf (the issuer for SCT verification).
    public var issuer: Certificate { certificates[1] }
}

/// Chain verification of Fulcio leaf certificates under the Sigstore policy.
public enum FulcioChainVerifier {
    /// Verifies that `leaf` chains, at `time`, through `intermediates` to one of `trustAnchors`:
    ///
    /// - `time` lies within the leaf's validity (`notValidAtTime` otherwise);
    /// - the leaf has KeyUsage digitalSignature (`missingDigitalSignature`) and ExtendedKeyUsage codeSigning
    ///   (`missingCodeSigningEKU`), is not a CA, and has a critical SAN if its subject is empty;
    /// - a chain exists that passes swift-certificates' RFC 5280 policy at `time` (signatures, validity of
    ///   every certificate, basic constraints, name constraints) and the Sigstore CA rules: every issuer has
    ///   KeyUsage keyCertSign, and an issuer's ExtendedKeyUsage, if present, allows codeSigning
    ///   (`chainNotValid` with swift-certificates' reasons otherwise).
    ///
    /// The leaf's critical SubjectAlternativeName is accepted (Fulcio leaves have an empty subject). The caller
    /// takes the anchors (last certificate of each `certChain`) and intermediates (the others) from the
    /// trusted root, and should pass only CAs whose trusted-root validity window covers `time`.
    public static func verify(
        leaf: Certificate, trustAnchors: [Certificate], intermediates: [Certificate], at time: Date
    ) async throws(X509Error) -> VerifiedCertificateChain {
        try await verify(leaf: leaf, trustAnchors: trustAnchors, intermediates: intermediates, at: time, prepared: nil)
    }

    /// `verify(leaf:trustAnchors:intermediates:at:)` with the anchors of `anchors` and no intermediates, for a
    /// verifier that keeps `anchors` across many leaves: a leaf issued directly by a P-384 anchor takes the fast
    /// path, where the anchor's key checks the leaf's signature with precomputed tables and the same policies
    /// run on the chain [leaf, anchor]. Anything else, and any failure, goes through swift-certificates'
    /// `Verifier`, so the fast path only ever accepts what the full validation accepts and every error comes
    /// from the full validation.
    public static func verify(
        leaf: Certificate, anchors: PreparedTrustAnchors, at time: Date
    ) async throws(X509Error) -> VerifiedCertificateChain {
        try await verify(leaf: leaf, trustAnchors: anchors.certificates, intermediates: [], at: time, prepared: anchors)
    }

    private static func verify(
        leaf: Certificate, trustAnchors: [Certificate], intermediates: [Certificate], at time: Date,
        prepared: PreparedTrustAnchors?
    ) async throws(X509Error) -> VerifiedCertificateChain {
        guard !trustAnchors.isEmpty else { throw X509Error(.missingTrustAnchor, "no trust anchor given") }
        // SPEC: RFC 5280 §4.1.2.5 validity; Sigstore client spec: the leaf is valid at every verified time
        guard leaf.notValidBefore <= time, time <= leaf.notValidAfter else {
            throw X509Error(
                .notValidAtTime,
                "expected a time within \(leaf.notValidBefore)...\(leaf.notValidAfter), got \(time)"
            )
        }
        try checkLeafUsage(leaf)

        if let prepared, let chain = directChain(leaf: leaf, anchors: prepared, at: time) {
            return chain
        }

        // SPEC: RFC 5280 §6 path validation (swift-certificates) + Fulcio certificate profile for CAs
        var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            SigstoreChainPolicy()
        }
        let diagnostics = DiagnosticLog()
        let result = await verifier.validate(
            leaf: leaf, intermediates: CertificateStore(intermediates), diagnosticCallback: diagnostics.record)
        switch result {
        case .validCertificate(let chain):
            return VerifiedCertificateChain(certificates: Array(chain), validationTime: time)
        case .couldNotValidate(let failures):
            let reasons = failures.map { $0.policyFailureReason.description }
            throw X509Error(
                .chainNotValid,
                reasons.isEmpty
                    ? "no chain from the leaf to a trust anchor; swift-certificates: \(diagnostics.summary)"
                    : "no candidate chain met the policy: \(reasons.joined(separator: "; "))"
            )
        }
    }

    /// The fast path of `verify`: the chain [leaf, anchor] for an anchor that issued the leaf, checked as
    /// swift-certificates' `Verifier` checks it (no unhandled critical extension on either certificate, the
    /// anchor's subject is the leaf's issuer, the anchor is not the leaf again by its loop rule, the anchor's key
    /// verifies the leaf's signature, and the RFC 5280 and Sigstore policies accept the chain at `time`), but
    /// with the anchor's precomputed P-384 tables for the signature. `nil` sends the caller to the full
    /// validation.
    static func directChain(leaf: Certificate, anchors: PreparedTrustAnchors, at time: Date) -> VerifiedCertificateChain? {
        let rfc5280 = RFC5280Policy(fixedExpiryValidationTime: time)
        let sigstore = SigstoreChainPolicy()
        let handled = rfc5280.verifyingCriticalExtensions + sigstore.verifyingCriticalExtensions
        guard !leaf.hasUnhandledCriticalExtension(handled) else { return nil }
        for (anchor, key) in anchors.anchors where anchor.subject == leaf.issuer {
            // SPEC: RFC 5280 §6.1.3 (a)(1): the issuer's key verifies the certificate's signature
            guard let key, !anchor.isSameEntity(as: leaf), !anchor.hasUnhandledCriticalExtension(handled),
                key.isValidSignature(of: leaf),
                let chain = UnverifiedCertificateChain.assembled(from: [leaf, anchor])
            else { continue }
            // SPEC: RFC 5280 §6 (swift-certificates' RFC5280Policy) + the Sigstore CA rules, on the whole chain
            guard case .meetsPolicy = rfc5280.chainMeetsPolicyRequirements(chain: chain),
                case .meetsPolicy = sigstore.chainMeetsPolicyRequirements(chain: chain)
            else { continue }
            return VerifiedCertificateChain(certificates: [leaf, anchor], validationTime: time)
        }
        return nil
    }

    /// `verify(leaf:trustAnchors:intermediates:at:)` with the CA certificates given as DER (e.g. the
    /// `rawBytes` of a trusted root's `certChain`); a certificate that does not parse is `malformedCertificate`.
    public static func verify(
        leaf: Certificate, trustAnchorsDER: [[UInt8]], intermediatesDER: [[UInt8]], at time: Date
    ) async throws(X509Error) -> VerifiedCertificateChain {
        var anchors: [Certificate] = []
        for der in trustAnchorsDER { anchors.append(try CertificateCoding.certificate(der: der)) }
        var intermediates: [Certificate] = []
        for der in intermediatesDER { intermediates.append(try CertificateCoding.certificate(der: der)) }
        return try await verify(leaf: leaf, trustAnchors: anchors, intermediates: intermediates, at: time)
    }

    /// The leaf rules of the Fulcio profile that do not depend on the chain.
    static func checkLeafUsage(_ leaf: Certificate) throws(X509Error) {
        // SPEC: sigstore/fulcio docs/certificate-specification.md: KeyUsage digitalSignature, EKU codeSigning
        let keyUsage: KeyUsage?
        let extendedKeyUsage: ExtendedKeyUsage?
        let basicConstraints: BasicConstraints?
        do {
            keyUsage = try leaf.extensions.keyUsage
            extendedKeyUsage = try leaf.extensions.extendedKeyUsage
            basicConstraints = try leaf.extensions.basicConstraints
        } catch {
            throw X509Error(.malformedCertificate, "leaf extensions do not decode: \(error)")
        }
        guard let keyUsage, keyUsage.digitalSignature else {
            throw X509Error(
                .missingDigitalSignature,
                "expected KeyUsage with digitalSignature, found \(keyUsage.map { "\($0)" } ?? "no KeyUsage")"
            )
        }
        guard let extendedKeyUsage, extendedKeyUsage.contains(.codeSigning) else {
            throw X509Error(
                .missingCodeSigningEKU,
                "expected ExtendedKeyUsage with codeSigning, found \(extendedKeyUsage.map { "\($0)" } ?? "no ExtendedKeyUsage")"
            )
        }
        if case .isCertificateAuthority = basicConstraints {
            throw X509Error(.chainNotValid, "leaf is a CA (BasicConstraints CA:TRUE)")
        }
        // SPEC: RFC 5280 §4.2.1.6: with an empty subject the SubjectAlternativeName must be critical
        // (sigstore-python's verifier rejects the leaf otherwise, services.md §0 fact 7)
        if leaf.subject.isEmpty {
            guard let san = leaf.extensions[oid: .X509ExtensionID.subjectAlternativeName], san.critical else {
                throw X509Error(
                    .chainNotValid, "leaf subject is empty, so a critical SubjectAlternativeName is required")
            }
        }
    }
}

/// Trust anchors ready for `FulcioChainVerifier`'s fast path: each anchor with its key prepared for repeated
/// verification when it is a P-384 key (`ReusedP384Key`: tables from its second use on). Make one per trusted
/// root and keep it: that is what lets the tables pay off.
public struct PreparedTrustAnchors: Sendable {
    let anchors: [(certificate: Certificate, key: ReusedP384Key?)]

    public init(_ anchors: [Certificate]) {
        self.anchors = anchors.map { ($0, ReusedP384Key($0.publicKey)) }
    }

    /// The anchors.
    public var certificates: [Certificate] { anchors.map(\.certificate) }

    /// How many anchors have their tables built (for tests).
    public var anchorsWithTables: Int { anchors.count { $0.key?.hasTable ?? false } }
}

extension Certificate {
    /// swift-certificates' loop rule (RFC 4158 §5.2): `Verifier` never adds an issuer that has the same subject,
    /// public key and SubjectAlternativeName (or lack of one) as a certificate already in the chain.
    func isSameEntity(as other: Certificate) -> Bool {
        subject == other.subject && publicKey == other.publicKey
            && extensions[oid: .X509ExtensionID.subjectAlternativeName]?.value
                == other.extensions[oid: .X509ExtensionID.subjectAlternativeName]?.value
    }

    /// Whether a critical extension is not in `handled` (swift-certificates' `Verifier` rejects such a
    /// certificate anywhere in a chain).
    func hasUnhandledCriticalExtension(_ handled: [ASN1ObjectIdentifier]) -> Bool {
        extensions.contains { $0.critical && !handled.contains($0.oid) }
    }
}

extension UnverifiedCertificateChain {
    /// The chain `certificates` (leaf first), for running `VerifierPolicy` values on a chain whose signatures the
    /// caller has verified itself. swift-certificates makes these only inside `Verifier` (the initializer is
    /// internal); the type is a struct whose one stored property is the `[Certificate]`, so the array is
    /// reinterpreted. If a later swift-certificates changes that layout the size check fails and callers take the
    /// full `Verifier` path; `ChainFastPathTests` checks the reinterpretation round-trips.
    static func assembled(from certificates: [Certificate]) -> UnverifiedCertificateChain? {
        guard !certificates.isEmpty,
            MemoryLayout<UnverifiedCertificateChain>.size == MemoryLayout<[Certificate]>.size,
            MemoryLayout<UnverifiedCertificateChain>.alignment == MemoryLayout<[Certificate]>.alignment
        else { return nil }
        let chain = unsafeBitCast(certificates, to: UnverifiedCertificateChain.self)
        guard chain.count == certificates.count else { return nil }
        return chain
    }
}

/// Collects swift-certificates' diagnostics of one `validate` call (called synchronously from inside it) to
/// explain a chain that could not be built. Diagnostics are kept as values and only formatted when a chain fails:
/// formatting every one (they print whole certificates) cost a third of a successful verification.
private final class DiagnosticLog {
    private var diagnostics: [VerificationDiagnostic] = []

    func record(_ diagnostic: VerificationDiagnostic) {
        diagnostics.append(diagnostic)
    }

    /// The last few diagnostics, bounded in length.
    var summary: String {
        let text = diagnostics.suffix(3).map(\.description).joined(separator: " | ")
        return text.count > 2000 ? String(text.prefix(2000)) + "…" : text
    }
}

/// The Sigstore rules swift-certificates' RFC 5280 policy leaves to the application.
struct SigstoreChainPolicy: VerifierPolicy {
    /// SAN is critical on Fulcio leaves (empty subject, RFC 5280 §4.2.1.6); its content is the identity the
    /// caller checks. EKU is checked here (CAs) and in `checkLeafUsage` (leaf).
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.subjectAlternativeName,
        .X509ExtensionID.extendedKeyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        guard chain.count >= 2 else {
            return .failsToMeetPolicy(reason: "Sigstore: the leaf must not itself be a trust anchor")
        }
        for certificate in chain.dropFirst() {
            // SPEC: RFC 5280 §4.2.1.3 keyCertSign for keys that verify certificate signatures
            guard let keyUsage = try? certificate.extensions.keyUsage, keyUsage.keyCertSign else {
                return .failsToMeetPolicy(reason: "Sigstore: issuer \(certificate.subject) lacks KeyUsage keyCertSign")
            }
            // SPEC: Fulcio chains codeSigning EKU (pkg/ca VerifyCertChain); absent EKU means unrestricted
            let eku: ExtendedKeyUsage?
            do {
                eku = try certificate.extensions.extendedKeyUsage
            } catch {
                return .failsToMeetPolicy(reason: "Sigstore: issuer \(certificate.subject) EKU does not decode")
            }
            if let eku, !eku.contains(.codeSigning), !eku.contains(.any) {
                return .failsToMeetPolicy(reason: "Sigstore: issuer \(certificate.subject) EKU excludes codeSigning")
            }
        }
        return .meetsPolicy
    }
}
