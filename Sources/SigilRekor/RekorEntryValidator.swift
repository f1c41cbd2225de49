// What a Rekor v2 write means, apart from storage and HTTP: `POST /api/v2/log/entries` bytes in, a checked
// hashedrekord 0.0.2 entry out (canonical body, leaf identity, kind and version).
//
// Source of the rules: sigstore/rekor-tiles internal/server/service.go (`CreateEntry`), pkg/types/hashedrekord
// (`ToLogEntry`: validate, extract verifier, check algorithm, digest length, verify signature), internal/server/
// http.go (protojson with `DiscardUnknown: false`), and what sigstore-python 4.5.1 sends (services.md §1.4).
// Where Sigil is stricter or narrower than rekor-tiles, the step says so.

import Crypto
import SigilBundle
import SigilMerkle
import SigilX509
import X509

/// A hashedrekord 0.0.2 entry whose request parsed strictly and whose signature verified over its digest.
/// Only ``RekorEntryValidator`` makes one.
public struct ValidatedRekorEntry: Hashable, Sendable {
    /// The entry as the log stores it: `data` = {algorithm implied by `keyDetails`, the request's digest},
    /// `signature` = the request's signature exactly as sent (content, verifier, keyDetails).
    public let body: HashedRekordV002
    /// The RFC 8785 canonical JSON of `{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":…}}`:
    /// the log leaf's data, and `canonicalizedBody` of the answer. Byte-identical to what rekor-tiles writes
    /// (protojson, then cyberphone/json-canonicalization).
    public let canonicalBody: [UInt8]
    /// The dedup identity: `SHA-256(canonicalBody)`, what Tessera's antispam keys on (`tessera.NewEntry` sets
    /// the identity to the SHA-256 of the entry data). Two requests get the same identity only when their
    /// canonical bodies are byte-identical; ECDSA signatures are randomized, so re-signing never collides.
    public let identity: [UInt8]
    /// The RFC 6962 leaf hash `SHA-256(0x00 ‖ canonicalBody)` the tree commits to.
    public let leafHash: MerkleHash

    /// `hashedrekord` / `0.0.2`, the `kindVersion` of the answer.
    public var kindVersion: KindVersion { KindVersion(kind: "hashedrekord", version: "0.0.2") }
    /// The signing algorithm the entry names.
    public var keyDetails: PublicKeyDetails { body.signature.verifier.keyDetails }

    init(body: HashedRekordV002) {
        self.body = body
        self.canonicalBody = RekorEntryBody.hashedRekordV002(body).canonicalBody
        self.identity = Array(SHA256.hash(data: canonicalBody))
        self.leafHash = Merkle.leafHash(canonicalBody)
    }
}

/// Checks `CreateEntryRequest` bodies the way rekor-tiles does and turns them into log entries.
///
/// Accepted: `{"hashedRekordRequestV002": {"digest", "signature": {"content", "verifier": {"x509Certificate" |
/// "publicKey": {"rawBytes"}, "keyDetails"}}}}`, lowerCamel or snake_case names, bytes as padded standard base64.
/// The signature is an ECDSA signature (DER) over the digest, with the curve and hash `keyDetails` names.
public struct RekorEntryValidator: Sendable {
    /// The `keyDetails` Sigil can verify: ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512 (see EntryKeys.swift
    /// for why Ed25519ph and RSA, which rekor-tiles also accepts, are not here).
    public static let supportedKeyDetails: [PublicKeyDetails] = EntryAlgorithm.supported.map(\.keyDetails)
    /// rekor-tiles' default `--max-request-body-size`.
    public static let defaultMaxRequestBytes = 4 << 20
    /// The largest entry a c2sp.org/tlog-tiles entry bundle can hold (a uint16 length prefix), which is also
    /// Tessera's `DefaultEntrySizeLimit`.
    public static let defaultMaxEntryBytes = 65_535

    /// Requests longer than this are refused with `requestTooLarge` before parsing.
    public let maxRequestBytes: Int
    /// Entries whose canonical body is longer than this are refused with `entryTooLarge`.
    public let maxEntryBytes: Int
    /// The algorithms this log accepts, a subset of ``supportedKeyDetails`` (like rekor-tiles since #927, a
    /// configuration can only narrow the default set).
    public let allowedKeyDetails: [PublicKeyDetails]

    public init(
        maxRequestBytes: Int = defaultMaxRequestBytes, maxEntryBytes: Int = defaultMaxEntryBytes,
        allowedKeyDetails: [PublicKeyDetails] = supportedKeyDetails
    ) {
        self.maxRequestBytes = max(0, maxRequestBytes)
        self.maxEntryBytes = max(0, min(maxEntryBytes, Self.defaultMaxEntryBytes))
        self.allowedKeyDetails = Self.supportedKeyDetails.filter(allowedKeyDetails.contains)
    }

    /// Validates the bytes of a `POST /api/v2/log/entries` body.
    public func validate(_ requestBody: some Collection<UInt8>) throws(RekorError) -> ValidatedRekorEntry {
        // rekor-tiles wraps its HTTP handler in `http.MaxBytesHandler`: cap the size before reading anything.
        guard requestBody.count <= maxRequestBytes else {
            throw RekorError(
                .requestTooLarge, "request body of \(requestBody.count) bytes is over the limit of \(maxRequestBytes)")
        }
        return try validate(try Self.decode(requestBody, maxBytes: maxRequestBytes))
    }

    /// Validates a request already decoded (for callers that build requests in code).
    public func validate(_ request: CreateEntryRequest.HashedRekordRequestV002) throws(RekorError)
        -> ValidatedRekorEntry
    {
        let keyDetails = request.signature.verifier.keyDetails

        // SPEC: rekor-tiles pkg/types/hashedrekord `verifySupportedAlgorithm` with internal/algorithmregistry:
        // `keyDetails` must be in the log's allowed list.
        guard let algorithm = EntryAlgorithm.named(keyDetails), allowedKeyDetails.contains(keyDetails) else {
            var why = ""
            if keyDetails == .pkixEd25519 {
                why = " (pure Ed25519 signs the message itself, and a hashedrekord carries only its digest)"
            }
            throw RekorError(
                .unsupportedAlgorithm,
                "signature.verifier.keyDetails: \(keyDetails.name.prefix(100)) is not accepted\(why); this log accepts "
                    + allowedKeyDetails.map(\.name).joined(separator: ", "))
        }

        // SPEC: rekor-tiles `extractVerifier`: a DER SubjectPublicKeyInfo (Go `x509.ParsePKIXPublicKey`) or a
        // DER certificate (Go `x509.ParseCertificate`). A certificate's validity period, chain, identity and SCT
        // are not checked: the log records what was signed; verifiers judge the certificate. So no clock here.
        let key: Certificate.PublicKey
        switch request.signature.verifier.key {
        case .publicKey(let publicKey):
            key = try VerifierParsing.publicKey(publicKey.rawBytes)
        case .x509Certificate(let certificate):
            key = try VerifierParsing.certificate(certificate.rawBytes).publicKey
        }

        // SPEC: rekor-tiles `CheckEntryAlgorithms(key, hash of keyDetails)`: the key must suit `keyDetails`.
        // Sigil asks for the exact match (rekor-tiles would let an RSA-3072 key pass under a 2048 keyDetails).
        let entryKey = EntryKey(key)
        guard entryKey.keyDetails == keyDetails else {
            throw RekorError(
                .keyMismatch,
                "signature.verifier.keyDetails says \(keyDetails.name), but the verifier's key is \(entryKey.name)")
        }

        // SPEC: rekor-tiles `ToLogEntry`: the digest is exactly as long as the hash `keyDetails` implies.
        guard request.digest.count == algorithm.digestLength else {
            throw RekorError(
                .invalidDigest,
                "digest: expected \(algorithm.digestLength) bytes of \(algorithm.hash.name) for \(keyDetails.name), "
                    + "got \(request.digest.count)")
        }

        // SPEC: rekor-tiles `verifySignature`: the signature verifies over the digest (no rehashing).
        guard PrehashedSignature.isValid(request.signature.content, overDigest: request.digest, key: key) == true else {
            throw RekorError(
                .signatureInvalid,
                "signature.content: the \(keyDetails.name) signature does not verify over the digest "
                    + "with the verifier's key")
        }

        // SPEC: rekor-tiles `ToLogEntry`: Entry{kind "hashedrekord", apiVersion "0.0.2", spec.hashedRekordV002{
        // data: HashOutput{algorithm of keyDetails, digest}, signature: the request's}} → protojson → RFC 8785.
        let entry = ValidatedRekorEntry(
            body: HashedRekordV002(
                data: HashOutput(algorithm: algorithm.hash, digest: request.digest), signature: request.signature))
        guard entry.canonicalBody.count <= maxEntryBytes else {
            throw RekorError(
                .entryTooLarge,
                "the canonical entry is \(entry.canonicalBody.count) bytes, "
                    + "over the log's entry limit of \(maxEntryBytes)")
        }
        return entry
    }

    // MARK: - Decoding

    /// The member names of the `CreateEntryRequest` oneof (rekor_service.proto), both spellings.
    private static let hashedRekordNames: Set<String> = ["hashedRekordRequestV002", "hashed_rekord_request_v002"]
    private static let dsseNames: Set<String> = ["dsseRequestV002", "dsse_request_v002"]

    /// rekor-tiles' answer to anything but a hashedrekord request (internal/server/service.go).
    public static let mustBeHashedRekord = "invalid type, must be hashedrekord"

    static func decode(
        _ bytes: some Collection<UInt8>, maxBytes: Int
    ) throws(RekorError) -> CreateEntryRequest.HashedRekordRequestV002 {
        let json: JSONValue
        do {
            // The request nests five objects deep; 16 leaves room and still bounds the parser.
            json = try JSONValue.parse(bytes, limits: JSONLimits(maxBytes: max(maxBytes, 0), maxDepth: 16))
        } catch {
            throw map(error)
        }
        guard case .object(let top) = json else {
            throw RekorError(.wrongType, "expected a JSON object (CreateEntryRequest), got \(json.typeName)")
        }

        // SPEC: rekor-tiles CreateEntryRequest `oneof spec { hashed_rekord_request_v002 = 1; dsse_request_v002 = 2; }`;
        // the DSSE request is deprecated and refused; the oneof must be set (else "invalid type").
        var hashed: JSONValue?
        for member in top {
            if case .null = member.value { continue }  // proto3 JSON: null is "not set"
            if dsseNames.contains(member.name) {
                throw RekorError(
                    .unsupportedEntryKind,
                    "\(mustBeHashedRekord): \(member.name) is deprecated; log a DSSE envelope as a "
                        + "hashedRekordRequestV002 over SHA-256 of its PAE, signed by the envelope's signature")
            }
            guard hashedRekordNames.contains(member.name) else {
                throw RekorError(
                    .unsupportedEntryKind, "\(mustBeHashedRekord): unknown request kind \"\(member.name.prefix(100))\"")
            }
            guard hashed == nil else {
                throw RekorError(
                    .conflictingFields, "hashedRekordRequestV002 is present under both its JSON and its proto name")
            }
            hashed = member.value
        }
        guard let hashed else { throw RekorError(.unsupportedEntryKind, "\(mustBeHashedRekord): the request is empty") }

        // SPEC: rekor-tiles internal/server/http.go: protojson `DiscardUnknown: false`.
        try RequestSchema.hashedRekordRequestV002.check(hashed, path: "hashedRekordRequestV002")
        do {
            return try CreateEntryRequest.HashedRekordRequestV002(
                protoJSON: try ProtoJSONObject(hashed, path: "hashedRekordRequestV002"))
        } catch {
            throw map(error)
        }
    }

    /// SigilBundle's reader errors, as Rekor codes (the reason, with its field path, is kept).
    private static func map(_ error: any Error) -> RekorError {
        guard let error = error as? BundleError else {
            return RekorError(.internalError, "unexpected decoding error: \(error)")
        }
        let code: RekorError.Code
        switch error.code {
        case .inputTooLarge: code = .requestTooLarge
        case .nestingTooDeep, .invalidJSON, .invalidUTF8, .invalidEscape, .invalidNumber, .duplicateKey, .trailingData:
            code = .invalidJSON
        case .missingField: code = .missingField
        case .conflictingFields: code = .conflictingFields
        case .invalidBase64: code = .invalidBase64
        case .invalidEnumValue: code = .invalidEnumValue
        case .unsupportedEntryKind: code = .unsupportedEntryKind
        default: code = .wrongType
        }
        return RekorError(code, error.reason)
    }
}
