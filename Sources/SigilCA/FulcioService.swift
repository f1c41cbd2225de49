// The Fulcio v2 request pipeline without HTTP: request body + bearer token → verified identity → proven key
// → issued certificate, plus the JSON response shapes sigstore-python 4.5.1 parses and the one mapping from
// CA errors to HTTP statuses (STYLE.md habit 7). The HTTP server wires these to routes.

import Foundation  // Date (the trust bundle has no dates; CertificateAuthority's clock is Date-based)
import SigilBundle
import SigilX509
import SwiftASN1
import X509

/// `POST /api/v2/signingCert` and `GET /api/v2/trustBundle` as functions.
public struct FulcioService: Sendable {
    public let verifier: OIDCVerifier
    public let authority: CertificateAuthority

    public init(verifier: OIDCVerifier, authority: CertificateAuthority) {
        self.verifier = verifier
        self.authority = authority
    }

    /// Handles a signing-certificate request: parses `body` (400 on error), takes the token from the
    /// `Authorization: Bearer` header value or else from `credentials.oidcIdentityToken` (401 if none),
    /// verifies it (401), checks the proof of possession (400), and issues.
    public func createSigningCertificate(authorization: String?, body: some Collection<UInt8>) async throws(CAError)
        -> IssuedCertificate
    {
        let request = try SigningCertificateRequest.parse(json: body)
        guard let token = FulcioHTTP.bearerToken(authorization) ?? request.identityToken, !token.isEmpty else {
            throw CAError(.missingToken, "no identity token in the Authorization header or the request body")
        }
        let identity = try await verifier.verify(token)
        let key: ProvenPublicKey
        if let csr = request.certificateSigningRequest {
            key = try ProofOfPossession.verify(csr: csr)
        } else if let publicKey = request.publicKey, let proof = request.proofOfPossession {
            key = try ProofOfPossession.verify(publicKey: publicKey, signature: proof, challenge: identity.challenge)
        } else {
            throw CAError(.malformedRequest, "request has neither a CSR nor a public key with proof")
        }
        return try await authority.issue(for: identity, key: key)
    }

    /// The trust bundle: one chain, intermediate then root.
    public func trustBundleJSON() -> [UInt8] {
        FulcioHTTP.trustBundle(chains: [[authority.material.intermediate, authority.material.root]])
    }
}

/// JSON bodies and status codes of the Fulcio v2 HTTP API.
public enum FulcioHTTP {
    /// Status of a successful `signingCert` (Fulcio answers 201 Created).
    public static let createdStatus = 201

    /// `{"signedCertificateEmbeddedSct":{"chain":{"certificates":[leaf, intermediate, root]}}}` (PEM strings):
    /// the only response shape sigstore-python accepts.
    public static func signingCertificateResponse(_ issued: IssuedCertificate) -> [UInt8] {
        signingCertificateResponse(certificatesPEM: issued.certificatesPEM)
    }

    /// The embedded-SCT response for PEM certificates, leaf first.
    public static func signingCertificateResponse(certificatesPEM: [String]) -> [UInt8] {
        let chain = JSONValue.makeObject(["certificates": .array(certificatesPEM.map { .string($0) })])
        return JSONValue.makeObject(["signedCertificateEmbeddedSct": .makeObject(["chain": chain])]).serialized()
    }

    /// `{"chains":[{"certificates":[PEM...]}]}`.
    public static func trustBundle(chains: [[Certificate]]) -> [UInt8] {
        let list: [JSONValue] = chains.map { chain in
            .makeObject([
                "certificates": .array(chain.map { .string((try? $0.serializeAsPEM().pemString) ?? "") })
            ])
        }
        return JSONValue.makeObject(["chains": .array(list)]).serialized()
    }

    /// An error answer: HTTP status, `{"code": <gRPC code>, "message": "<CA code>: <reason>"}` (the shape of
    /// Fulcio's grpc-gateway errors), and a Retry-After for 503.
    public struct ErrorResponse: Hashable, Sendable {
        public let status: Int
        public let body: [UInt8]
        public let retryAfterSeconds: Int?
    }

    /// The one place CA errors become HTTP: token problems 401 (gRPC 16 Unauthenticated); request, CSR, key
    /// and proof-of-possession problems 400 (gRPC 3 InvalidArgument); issuer keys not loaded or CT log down
    /// 503 with Retry-After (gRPC 14 Unavailable); everything else 500 (gRPC 13 Internal), whose reason stays
    /// in our logs and is not sent.
    public static func errorResponse(for error: CAError) -> ErrorResponse {
        let status: Int
        let grpcCode: Int64
        var retryAfter: Int?
        var message = "\(error.code): \(error.reason)"
        switch error.code {
        case .missingToken, .malformedToken, .badSignature, .unknownKey, .unsupportedAlgorithm, .wrongIssuer,
            .wrongAudience, .expired, .notYetValid, .missingClaim, .emailNotVerified, .invalidSubject:
            (status, grpcCode) = (401, 16)
        case .malformedRequest, .malformedCSR, .invalidProofOfPossession, .unsupportedKey:
            (status, grpcCode) = (400, 3)
        case .issuerKeysUnavailable, .ctLogUnavailable:
            (status, grpcCode) = (503, 14)
            retryAfter = 5
            message = "\(error.code): service temporarily unavailable, retry later"
        default:
            (status, grpcCode) = (500, 13)
            message = "internal error"
        }
        let body = JSONValue.makeObject(["code": .integer(grpcCode), "message": .string(message)]).serialized()
        return ErrorResponse(status: status, body: body, retryAfterSeconds: retryAfter)
    }

    /// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive), or nil.
    public static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
