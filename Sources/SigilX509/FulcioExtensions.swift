// Fulcio certificate extensions (OIDs 1.3.6.1.4.1.57264.1.*), read from and written to certificates.
// Hand-written: no package knows Sigstore's private OIDs. Values are decoded strictly: the deprecated .1–.6
// are raw UTF-8 bytes (no DER), .8 and up are exactly one DER UTF8String.

import SwiftASN1
import X509

/// The object identifiers under Sigstore's private enterprise number (sigstore/fulcio docs/oid-info.md).
public enum FulcioOID {
    /// 1.3.6.1.4.1.57264.1.1 Issuer (deprecated form: raw bytes). What sigstore-python matches
    /// `--cert-oidc-issuer` against.
    public static let issuer: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 1]
    /// 1.3.6.1.4.1.57264.1.2 GitHub Workflow Trigger (deprecated, raw bytes).
    public static let githubWorkflowTrigger: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 2]
    /// 1.3.6.1.4.1.57264.1.3 GitHub Workflow SHA (deprecated, raw bytes).
    public static let githubWorkflowSHA: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 3]
    /// 1.3.6.1.4.1.57264.1.4 GitHub Workflow Name (deprecated, raw bytes).
    public static let githubWorkflowName: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 4]
    /// 1.3.6.1.4.1.57264.1.5 GitHub Workflow Repository (deprecated, raw bytes).
    public static let githubWorkflowRepository: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 5]
    /// 1.3.6.1.4.1.57264.1.6 GitHub Workflow Ref (deprecated, raw bytes).
    public static let githubWorkflowRef: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 6]
    /// 1.3.6.1.4.1.57264.1.7 the OtherName SAN type for usernames (value: UTF8String).
    public static let otherNameSAN: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 7]
    /// 1.3.6.1.4.1.57264.1.8 Issuer (V2), DER UTF8String.
    public static let issuerV2: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 8]
    /// 1.3.6.1.4.1.57264.1.9 Build Signer URI.
    public static let buildSignerURI: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 9]
    /// 1.3.6.1.4.1.57264.1.10 Build Signer Digest.
    public static let buildSignerDigest: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 10]
    /// 1.3.6.1.4.1.57264.1.11 Runner Environment.
    public static let runnerEnvironment: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 11]
    /// 1.3.6.1.4.1.57264.1.12 Source Repository URI.
    public static let sourceRepositoryURI: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 12]
    /// 1.3.6.1.4.1.57264.1.13 Source Repository Digest.
    public static let sourceRepositoryDigest: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 13]
    /// 1.3.6.1.4.1.57264.1.14 Source Repository Ref.
    public static let sourceRepositoryRef: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 14]
    /// 1.3.6.1.4.1.57264.1.15 Source Repository Identifier.
    public static let sourceRepositoryIdentifier: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 15]
    /// 1.3.6.1.4.1.57264.1.16 Source Repository Owner URI.
    public static let sourceRepositoryOwnerURI: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 16]
    /// 1.3.6.1.4.1.57264.1.17 Source Repository Owner Identifier.
    public static let sourceRepositoryOwnerIdentifier: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 17]
    /// 1.3.6.1.4.1.57264.1.18 Build Config URI.
    public static let buildConfigURI: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 18]
    /// 1.3.6.1.4.1.57264.1.19 Build Config Digest.
    public static let buildConfigDigest: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 19]
    /// 1.3.6.1.4.1.57264.1.20 Build Trigger.
    public static let buildTrigger: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 20]
    /// 1.3.6.1.4.1.57264.1.21 Run Invocation URI.
    public static let runInvocationURI: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 21]
    /// 1.3.6.1.4.1.57264.1.22 Source Repository Visibility At Signing.
    public static let sourceRepositoryVisibilityAtSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 22]
    /// 1.3.6.1.4.1.57264.1.23 Deployment Environment.
    public static let deploymentEnvironment: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 23]
    /// 1.3.6.1.4.1.57264.1.24 Token Subject (the raw `sub` claim; newer Fulcio).
    public static let tokenSubject: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 24]

    /// id-kp-codeSigning, 1.3.6.1.5.5.7.3.3 (RFC 5280 §4.2.1.12).
    public static let codeSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 3]
    /// The RFC 6962 §3.3 embedded SCT list extension, 1.3.6.1.4.1.11129.2.4.2.
    public static let sctList: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 4, 2]
    /// The RFC 6962 §3.1 precertificate poison extension, 1.3.6.1.4.1.11129.2.4.3.
    public static let precertificatePoison: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 4, 3]
}

/// The Fulcio extensions of a certificate. Every field is optional because Fulcio emits only those its OIDC
/// issuer supplies (email issuers: .1, .8, .24; GitHub: .1–.6 and .8 onwards).
public struct FulcioExtensions: Hashable, Sendable {
    /// .1 Issuer, deprecated raw form. sigstore-python matches `--cert-oidc-issuer` against this.
    public var issuer: String?
    /// .2 GitHub Workflow Trigger (deprecated, raw).
    public var githubWorkflowTrigger: String?
    /// .3 GitHub Workflow SHA (deprecated, raw).
    public var githubWorkflowSHA: String?
    /// .4 GitHub Workflow Name (deprecated, raw).
    public var githubWorkflowName: String?
    /// .5 GitHub Workflow Repository (deprecated, raw).
    public var githubWorkflowRepository: String?
    /// .6 GitHub Workflow Ref (deprecated, raw).
    public var githubWorkflowRef: String?
    /// .8 Issuer (V2), DER UTF8String.
    public var issuerV2: String?
    /// .9 Build Signer URI.
    public var buildSignerURI: String?
    /// .10 Build Signer Digest.
    public var buildSignerDigest: String?
    /// .11 Runner Environment.
    public var runnerEnvironment: String?
    /// .12 Source Repository URI.
    public var sourceRepositoryURI: String?
    /// .13 Source Repository Digest.
    public var sourceRepositoryDigest: String?
    /// .14 Source Repository Ref.
    public var sourceRepositoryRef: String?
    /// .15 Source Repository Identifier.
    public var sourceRepositoryIdentifier: String?
    /// .16 Source Repository Owner URI.
    public var sourceRepositoryOwnerURI: String?
    /// .17 Source Repository Owner Identifier.
    public var sourceRepositoryOwnerIdentifier: String?
    /// .18 Build Config URI.
    public var buildConfigURI: String?
    /// .19 Build Config Digest.
    public var buildConfigDigest: String?
    /// .20 Build Trigger.
    public var buildTrigger: String?
    /// .21 Run Invocation URI.
    public var runInvocationURI: String?
    /// .22 Source Repository Visibility At Signing.
    public var sourceRepositoryVisibilityAtSigning: String?
    /// .23 Deployment Environment.
    public var deploymentEnvironment: String?
    /// .24 Token Subject.
    public var tokenSubject: String?

    /// No extensions (for building a certificate).
    public init() {}

    /// Which field holds which OID, and whether the value is raw bytes (.1–.6) or a DER UTF8String.
    private static var fields:
        [(oid: ASN1ObjectIdentifier, raw: Bool, path: WritableKeyPath<FulcioExtensions, String?>)]
    {
        [
            (FulcioOID.issuer, true, \.issuer),
            (FulcioOID.githubWorkflowTrigger, true, \.githubWorkflowTrigger),
            (FulcioOID.githubWorkflowSHA, true, \.githubWorkflowSHA),
            (FulcioOID.githubWorkflowName, true, \.githubWorkflowName),
            (FulcioOID.githubWorkflowRepository, true, \.githubWorkflowRepository),
            (FulcioOID.githubWorkflowRef, true, \.githubWorkflowRef),
            (FulcioOID.issuerV2, false, \.issuerV2),
            (FulcioOID.buildSignerURI, false, \.buildSignerURI),
            (FulcioOID.buildSignerDigest, false, \.buildSignerDigest),
            (FulcioOID.runnerEnvironment, false, \.runnerEnvironment),
            (FulcioOID.sourceRepositoryURI, false, \.sourceRepositoryURI),
            (FulcioOID.sourceRepositoryDigest, false, \.sourceRepositoryDigest),
            (FulcioOID.sourceRepositoryRef, false, \.sourceRepositoryRef),
            (FulcioOID.sourceRepositoryIdentifier, false, \.sourceRepositoryIdentifier),
            (FulcioOID.sourceRepositoryOwnerURI, false, \.sourceRepositoryOwnerURI),
            (FulcioOID.sourceRepositoryOwnerIdentifier, false, \.sourceRepositoryOwnerIdentifier),
            (FulcioOID.buildConfigURI, false, \.buildConfigURI),
            (FulcioOID.buildConfigDigest, false, \.buildConfigDigest),
            (FulcioOID.buildTrigger, false, \.buildTrigger),
            (FulcioOID.runInvocationURI, false, \.runInvocationURI),
            (FulcioOID.sourceRepositoryVisibilityAtSigning, false, \.sourceRepositoryVisibilityAtSigning),
            (FulcioOID.deploymentEnvironment, false, \.deploymentEnvironment),
            (FulcioOID.tokenSubject, false, \.tokenSubject),
        ]
    }

    /// Reads the Fulcio extensions of a certificate. Unknown 57264.1.* OIDs are ignored; a known one whose
    /// value is not valid UTF-8 (raw forms) or not exactly one DER UTF8String (.8 onwards) is an error, and so
    /// is a certificate whose .1 and .8 issuers disagree.
    public init(_ certificate: Certificate) throws(X509Error) {
        // SPEC: sigstore/fulcio docs/oid-info.md "Extension values"
        for field in Self.fields {
            guard let ext = certificate.extensions[oid: field.oid] else { continue }
            self[keyPath: field.path] =
                field.raw
                ? try Self.decodeRaw(ext.value, oid: field.oid)
                : try Self.decodeUTF8String(ext.value, oid: field.oid)
        }
        if let issuer, let issuerV2, issuer != issuerV2 {
            throw X509Error(
                .malformedExtension,
                "issuer extensions disagree: 1.3.6.1.4.1.57264.1.1 is \"\(issuer)\", 1.3.6.1.4.1.57264.1.8 is \"\(issuerV2)\""
            )
        }
    }

    /// The OIDC issuer Sigstore clients compare: the deprecated .1 value if present, else .8.
    public var oidcIssuer: String? { issuer ?? issuerV2 }

    /// The certificate extensions (non-critical) for every field that is set, in OID order, encoded as Fulcio
    /// encodes them.
    public func certificateExtensions() throws(X509Error) -> [Certificate.Extension] {
        var result: [Certificate.Extension] = []
        for field in Self.fields {
            guard let value = self[keyPath: field.path] else { continue }
            let bytes: [UInt8]
            if field.raw {
                bytes = Array(value.utf8)
            } else {
                do {
                    bytes = try CertificateCoding.derEncoded(ASN1UTF8String(value))
                } catch {
                    throw X509Error(.malformedExtension, "cannot encode \(field.oid): \(error)")
                }
            }
            result.append(Certificate.Extension(oid: field.oid, critical: false, value: bytes[...]))
        }
        return result
    }

    /// The value of any known field by OID (nil if the OID is not one of the fields or the field is unset).
    public subscript(oid: ASN1ObjectIdentifier) -> String? {
        Self.fields.first { $0.oid == oid }.flatMap { self[keyPath: $0.path] }
    }

    static func decodeRaw(_ bytes: ArraySlice<UInt8>, oid: ASN1ObjectIdentifier) throws(X509Error) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw X509Error(.malformedExtension, "\(oid) should be raw UTF-8 bytes, found invalid UTF-8")
        }
        return text
    }

    static func decodeUTF8String(_ bytes: ArraySlice<UInt8>, oid: ASN1ObjectIdentifier) throws(X509Error) -> String {
        let string: ASN1UTF8String
        do {
            string = try ASN1UTF8String(derEncoded: bytes)
        } catch {
            throw X509Error(.malformedExtension, "\(oid) should be one DER UTF8String: \(error)")
        }
        guard let text = String(validating: string.bytes, as: UTF8.self) else {
            throw X509Error(.malformedExtension, "\(oid) UTF8String holds invalid UTF-8")
        }
        return text
    }
}
