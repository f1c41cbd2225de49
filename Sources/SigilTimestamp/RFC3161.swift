// RFC 3161 messages: TimeStampReq (built by clients), TimeStampResp and its TimeStampToken / TSTInfo (parsed
// by verifiers). Written by hand on swift-asn1: no allowed package models RFC 3161.
//
// Parsing is strict and bounded: the input is capped before parsing, DER is required (swift-asn1 rejects
// non-minimal lengths, trailing bytes and DEFAULT values encoded at their default), and every failure is a
// `TimestampError` (never a trap).

import Crypto
import Foundation  // only for `Date`
import SwiftASN1

/// The largest TimeStampResp or TimeStampReq accepted, in bytes. Real Sigstore responses are 1–5 KiB.
public let maxTimestampMessageSize = 64 * 1024

/// Runs a swift-asn1 based parser and turns any error into a `TimestampError`.
func parsing<T>(_ what: String, _ body: () throws -> T) throws(TimestampError) -> T {
    do {
        return try body()
    } catch let error as TimestampError {
        throw error
    } catch {
        throw TimestampError(.malformed, "\(what) is not valid DER: \(error)")
    }
}

/// A hash algorithm allowed in a message imprint: SHA-256, SHA-384 or SHA-512 (SHA-1 is refused as weak, as
/// sigstore/timestamp-authority does).
public struct TimestampHashAlgorithm: Hashable, Sendable, CustomStringConvertible {
    public let oid: ASN1ObjectIdentifier
    let name: String
    let digestSize: Int

    public static let sha256 = TimestampHashAlgorithm(oid: OID.sha256, name: "SHA-256", digestSize: 32)
    public static let sha384 = TimestampHashAlgorithm(oid: OID.sha384, name: "SHA-384", digestSize: 48)
    public static let sha512 = TimestampHashAlgorithm(oid: OID.sha512, name: "SHA-512", digestSize: 64)

    /// The algorithm an OID names, or `nil` when it is not one of the three.
    public init?(oid: ASN1ObjectIdentifier) {
        switch oid {
        case OID.sha256: self = .sha256
        case OID.sha384: self = .sha384
        case OID.sha512: self = .sha512
        default: return nil
        }
    }

    private init(oid: ASN1ObjectIdentifier, name: String, digestSize: Int) {
        self.oid = oid
        self.name = name
        self.digestSize = digestSize
    }

    /// The digest of `data`.
    public func hash(_ data: some DataProtocol) -> [UInt8] {
        switch oid {
        case OID.sha384: return Array(SHA384.hash(data: data))
        case OID.sha512: return Array(SHA512.hash(data: data))
        default: return Array(SHA256.hash(data: data))
        }
    }

    public var description: String { name }
}

/// ```
/// MessageImprint ::= SEQUENCE {
///     hashAlgorithm  AlgorithmIdentifier,
///     hashedMessage  OCTET STRING }
/// ```
public struct MessageImprint: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var hashAlgorithm: CMSAlgorithmIdentifier
    public var hashedMessage: [UInt8]

    public init(hashAlgorithm: CMSAlgorithmIdentifier, hashedMessage: [UInt8]) {
        self.hashAlgorithm = hashAlgorithm
        self.hashedMessage = hashedMessage
    }

    /// The imprint of `data`: its hash with `algorithm`, parameters absent.
    public init(hashing data: some DataProtocol, with algorithm: TimestampHashAlgorithm = .sha256) {
        self.init(
            hashAlgorithm: CMSAlgorithmIdentifier(algorithm: algorithm.oid),
            hashedMessage: algorithm.hash(data))
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let algorithm = try CMSAlgorithmIdentifier(derEncoded: &nodes)
            let hashed = try ASN1OctetString(derEncoded: &nodes)
            return MessageImprint(hashAlgorithm: algorithm, hashedMessage: Array(hashed.bytes))
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(hashAlgorithm)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(hashedMessage)))
        }
    }
}

/// ```
/// Accuracy ::= SEQUENCE {
///     seconds  INTEGER           OPTIONAL,
///     millis   [0] INTEGER (1..999) OPTIONAL,
///     micros   [1] INTEGER (1..999) OPTIONAL }
/// ```
public struct Accuracy: Hashable, Sendable {
    public let seconds: Int?
    public let millis: Int?
    public let micros: Int?

    init(derEncoded node: ASN1Node) throws {
        (seconds, millis, micros) = try DER.sequence(node, identifier: .sequence) { nodes in
            let seconds = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as Int?
            let millis = try DER.optionalImplicitlyTagged(
                &nodes, tag: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) as Int?
            let micros = try DER.optionalImplicitlyTagged(
                &nodes, tag: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)) as Int?
            if let seconds, seconds < 0 {
                throw TimestampError(.malformed, "accuracy seconds \(seconds) is negative")
            }
            for value in [millis, micros].compactMap({ $0 }) where !(1...999).contains(value) {
                throw TimestampError(.malformed, "accuracy millis/micros \(value) is outside 1...999")
            }
            return (seconds, millis, micros)
        }
    }
}

/// ```
/// TSTInfo ::= SEQUENCE {
///     version        INTEGER { v1(1) },
///     policy         TSAPolicyId,
///     messageImprint MessageImprint,
///     serialNumber   INTEGER,
///     genTime        GeneralizedTime,
///     accuracy       Accuracy OPTIONAL,
///     ordering       BOOLEAN DEFAULT FALSE,
///     nonce          INTEGER OPTIONAL,
///     tsa            [0] GeneralName OPTIONAL,
///     extensions     [1] IMPLICIT Extensions OPTIONAL }
/// ```
public struct TSTInfo: Hashable, Sendable {
    public let version: Int
    public let policy: ASN1ObjectIdentifier
    public let messageImprint: MessageImprint
    /// The serial number as an unsigned big-endian magnitude without leading zero bytes.
    public let serialNumber: [UInt8]
    /// genTime as encoded.
    public let generalizedTime: GeneralizedTime
    /// genTime as a point in time (UTC, fractional seconds kept).
    public let genTime: Date
    public let accuracy: Accuracy?
    public let ordering: Bool
    /// The nonce as an unsigned big-endian magnitude without leading zero bytes (how swift-asn1 reads a
    /// non-negative INTEGER), if present.
    public let nonce: [UInt8]?
    /// The DER of the `tsa` GeneralName, if present.
    public let tsa: [UInt8]?
    /// The DER of the `[1]` extensions, if present.
    public let extensions: [UInt8]?
    /// The exact DER bytes this was parsed from (the eContent the message-digest attribute covers).
    public let derBytes: [UInt8]

    /// Parses a DER TSTInfo.
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        guard bytes.count <= maxTimestampMessageSize else {
            throw TimestampError(.oversize, "TSTInfo is \(bytes.count) bytes, cap is \(maxTimestampMessageSize)")
        }
        self = try parsing("TSTInfo") { try TSTInfo(node: try DER.parse(bytes), bytes: bytes) }
    }

    private init(node: ASN1Node, bytes: [UInt8]) throws {
        derBytes = bytes
        var parsed: (Int, ASN1ObjectIdentifier, MessageImprint, ArraySlice<UInt8>, GeneralizedTime, Accuracy?, Bool,
            ArraySlice<UInt8>?, [UInt8]?, [UInt8]?)
        parsed = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            // SPEC: RFC 3161 §2.4.2 — TSTInfo version is v1(1).
            guard version == 1 else {
                throw TimestampError(.unsupportedVersion, "TSTInfo version is \(version), want 1")
            }
            let policy = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let imprint = try MessageImprint(derEncoded: &nodes)
            let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
            let genTime = try GeneralizedTime(derEncoded: &nodes)
            var accuracy: Accuracy?
            var iterator = nodes
            if let next = iterator.next(), next.identifier == .sequence {
                accuracy = try Accuracy(derEncoded: next)
                nodes = iterator
            }
            let ordering = try DER.decodeDefault(&nodes, defaultValue: false)
            let nonce = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as ArraySlice<UInt8>?
            let tsa = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                rawBytes($0)
            }
            let extensions = DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                rawBytes($0)
            }
            return (version, policy, imprint, serial, genTime, accuracy, ordering, nonce, tsa, extensions)
        }
        (version, policy, messageImprint) = (parsed.0, parsed.1, parsed.2)
        serialNumber = Array(parsed.3)
        generalizedTime = parsed.4
        genTime = Date(parsed.4)
        (accuracy, ordering) = (parsed.5, parsed.6)
        nonce = parsed.7.map { Array($0) }
        (tsa, extensions) = (parsed.8, parsed.9)
    }
}

extension Date {
    /// The instant a GeneralizedTime (always UTC in DER) names.
    init(_ time: GeneralizedTime) {
        // Days from 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
        let y = time.month <= 2 ? time.year - 1 : time.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (time.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + time.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = ((days * 24 + time.hours) * 60 + time.minutes) * 60 + time.seconds
        self.init(timeIntervalSince1970: Double(seconds) + time.fractionalSeconds)
    }
}

/// `TimeStampToken ::= ContentInfo` whose content is SignedData encapsulating a TSTInfo (RFC 3161 §2.4.2).
///
/// Parsed values (token, SignedData, SignerInfo, TSTInfo) are immutable, so the fields a `VerifiedTimestamp`
/// reports are always the ones whose DER bytes were digested and signed.
///
/// ```
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     content [0] EXPLICIT ANY DEFINED BY contentType }
/// ```
public struct TimeStampToken: Hashable, Sendable {
    public let signedData: SignedData
    public let tstInfo: TSTInfo
    /// The exact DER of the ContentInfo.
    public let derBytes: [UInt8]

    /// Parses a DER TimeStampToken (a CMS ContentInfo).
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        guard bytes.count <= maxTimestampMessageSize else {
            throw TimestampError(.oversize, "TimeStampToken is \(bytes.count) bytes, cap is \(maxTimestampMessageSize)")
        }
        let node = try parsing("TimeStampToken") { try DER.parse(bytes) }
        try self.init(node: node)
    }

    init(node: ASN1Node) throws(TimestampError) {
        derBytes = rawBytes(node)
        signedData = try parsing("TimeStampToken") {
            try DER.sequence(node, identifier: .sequence) { nodes in
                let contentType = try ASN1ObjectIdentifier(derEncoded: &nodes)
                // SPEC: RFC 3161 §2.4.2, RFC 5652 §5.1 — the token's content type is id-signedData.
                guard contentType == OID.signedData else {
                    throw TimestampError(.wrongContentType, "ContentInfo contentType is \(contentType), want id-signedData")
                }
                guard
                    let content = try DER.optionalExplicitlyTagged(
                        &nodes, tagNumber: 0, tagClass: .contextSpecific, { try SignedData(derEncoded: $0) })
                else {
                    throw TimestampError(.malformed, "ContentInfo has no [0] content")
                }
                return content
            }
        }
        // SPEC: RFC 3161 §2.4.2 — eContentType is id-ct-TSTInfo and eContent holds the DER TSTInfo.
        guard signedData.encapsulatedContentType == OID.tstInfo else {
            throw TimestampError(
                .wrongContentType, "eContentType is \(signedData.encapsulatedContentType), want id-ct-TSTInfo")
        }
        guard let content = signedData.encapsulatedContent else {
            throw TimestampError(.malformed, "SignedData has no eContent (detached content is not a timestamp)")
        }
        tstInfo = try TSTInfo(derEncoded: content)
    }
}

/// `PKIStatus ::= INTEGER` (RFC 3161 §2.4.2).
public struct PKIStatus: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static let granted = PKIStatus(0)
    public static let grantedWithMods = PKIStatus(1)
    public static let rejection = PKIStatus(2)
    public static let waiting = PKIStatus(3)
    public static let revocationWarning = PKIStatus(4)
    public static let revocationNotification = PKIStatus(5)

    public var description: String {
        let names = ["granted", "grantedWithMods", "rejection", "waiting", "revocationWarning", "revocationNotification"]
        return names.indices.contains(rawValue) ? names[rawValue] : "status(\(rawValue))"
    }
}

/// ```
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL }
/// ```
public struct PKIStatusInfo: Hashable, Sendable {
    public var status: PKIStatus
    /// PKIFreeText: SEQUENCE OF UTF8String.
    public var statusStrings: [String]
    /// PKIFailureInfo: the BIT STRING's bytes, if present.
    public var failInfo: [UInt8]?

    public init(status: PKIStatus, statusStrings: [String] = [], failInfo: [UInt8]? = nil) {
        self.status = status
        self.statusStrings = statusStrings
        self.failInfo = failInfo
    }

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let status = try Int(derEncoded: &nodes)
            var strings: [String] = []
            var iterator = nodes
            if let next = iterator.next(), next.identifier == .sequence {
                nodes = iterator
                strings = try DER.sequence(of: ASN1UTF8String.self, identifier: .sequence, rootNode: next)
                    .map { String($0) }
            }
            let failInfo = try DER.optionalImplicitlyTagged(&nodes, tag: .bitString) as ASN1BitString?
            return PKIStatusInfo(
                status: PKIStatus(status), statusStrings: strings, failInfo: failInfo.map { Array($0.bytes) })
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(status.rawValue)
            if !statusStrings.isEmpty {
                try coder.serializeSequenceOf(statusStrings.map { ASN1UTF8String($0) })
            }
            if let failInfo {
                try coder.serialize(ASN1BitString(bytes: ArraySlice(failInfo)))
            }
        }
    }
}

/// ```
/// TimeStampResp ::= SEQUENCE {
///     status          PKIStatusInfo,
///     timeStampToken  TimeStampToken OPTIONAL }
/// ```
public struct TimeStampResp: Hashable, Sendable {
    public var status: PKIStatusInfo
    public var timeStampToken: TimeStampToken?

    public init(status: PKIStatusInfo, timeStampToken: TimeStampToken?) {
        self.status = status
        self.timeStampToken = timeStampToken
    }

    /// Parses a DER TimeStampResp (the body of an `application/timestamp-reply`, or a Sigstore bundle's
    /// `rfc3161Timestamps[].signedTimestamp`).
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        guard bytes.count <= maxTimestampMessageSize else {
            throw TimestampError(.oversize, "TimeStampResp is \(bytes.count) bytes, cap is \(maxTimestampMessageSize)")
        }
        let node = try parsing("TimeStampResp") { try DER.parse(bytes) }
        let (status, tokenNode) = try parsing("TimeStampResp") {
            try DER.sequence(node, identifier: .sequence) { nodes in
                guard let statusNode = nodes.next() else {
                    throw TimestampError(.malformed, "TimeStampResp has no status")
                }
                return (try PKIStatusInfo(derEncoded: statusNode), nodes.next())
            }
        }
        self.status = status
        self.timeStampToken = try tokenNode.map { node throws(TimestampError) in try TimeStampToken(node: node) }
    }

    /// The DER encoding.
    public func derEncoded() throws(TimestampError) -> [UInt8] {
        try parsing("TimeStampResp") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try status.serialize(into: &coder)
                if let timeStampToken { coder.serializeRawBytes(timeStampToken.derBytes) }
            }
            return coder.serializedBytes
        }
    }
}

/// ```
/// TimeStampReq ::= SEQUENCE {
///     version         INTEGER { v1(1) },
///     messageImprint  MessageImprint,
///     reqPolicy       TSAPolicyId   OPTIONAL,
///     nonce           INTEGER       OPTIONAL,
///     certReq         BOOLEAN       DEFAULT FALSE,
///     extensions      [0] IMPLICIT Extensions OPTIONAL }
/// ```
public struct TimeStampReq: Hashable, Sendable {
    public var version: Int
    public var messageImprint: MessageImprint
    public var reqPolicy: ASN1ObjectIdentifier?
    /// The nonce as an unsigned big-endian magnitude without leading zero bytes (see `integerBytes`).
    public var nonce: [UInt8]?
    public var certReq: Bool
    /// The DER of the `[0]` extensions, if present (Sigil's builder never sets them).
    public var extensions: [UInt8]?

    public init(
        messageImprint: MessageImprint, reqPolicy: ASN1ObjectIdentifier? = nil, nonce: [UInt8]? = nil,
        certReq: Bool = true
    ) {
        self.version = 1
        self.messageImprint = messageImprint
        self.reqPolicy = reqPolicy
        self.nonce = nonce
        self.certReq = certReq
        self.extensions = nil
    }

    /// The request Sigstore clients send: the imprint of `data` (the signature bytes), an optional 64-bit
    /// nonce, `certReq` TRUE, no policy, no extensions.
    public init(
        hashing data: some DataProtocol, with algorithm: TimestampHashAlgorithm = .sha256, nonce: UInt64? = nil,
        certReq: Bool = true
    ) {
        self.init(
            messageImprint: MessageImprint(hashing: data, with: algorithm),
            nonce: nonce.map(TimeStampReq.integerBytes), certReq: certReq)
    }

    /// The form Sigil keeps non-negative INTEGERs in (nonces, serial numbers): the unsigned big-endian
    /// magnitude without leading zero bytes (zero is empty). DER adds a 0x00 byte when the top bit is set.
    public static func integerBytes(_ value: UInt64) -> [UInt8] {
        Array(withUnsafeBytes(of: value.bigEndian) { Array($0) }.drop { $0 == 0 })
    }

    /// Parses a DER TimeStampReq (the body of an `application/timestamp-query`).
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        guard bytes.count <= maxTimestampMessageSize else {
            throw TimestampError(.oversize, "TimeStampReq is \(bytes.count) bytes, cap is \(maxTimestampMessageSize)")
        }
        self = try parsing("TimeStampReq") {
            try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                // SPEC: RFC 3161 §2.4.1 — TimeStampReq version is v1(1).
                guard version == 1 else {
                    throw TimestampError(.unsupportedVersion, "TimeStampReq version is \(version), want 1")
                }
                let imprint = try MessageImprint(derEncoded: &nodes)
                let policy = try DER.optionalImplicitlyTagged(&nodes, tag: .objectIdentifier) as ASN1ObjectIdentifier?
                let nonce = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as ArraySlice<UInt8>?
                let certReq = try DER.decodeDefault(&nodes, defaultValue: false)
                let extensions = DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    rawBytes($0)
                }
                var request = TimeStampReq(
                    messageImprint: imprint, reqPolicy: policy, nonce: nonce.map { Array($0) }, certReq: certReq)
                request.extensions = extensions
                return request
            }
        }
    }

    /// The DER encoding (what `openssl ts -reply -queryfile` and TSAs read).
    public func derEncoded() throws(TimestampError) -> [UInt8] {
        try parsing("TimeStampReq") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(version)
                try coder.serialize(messageImprint)
                if let reqPolicy { try coder.serialize(reqPolicy) }
                if let nonce { try coder.serialize(ArraySlice(nonce)) }
                if certReq { try coder.serialize(true) }
                if let extensions { coder.serializeRawBytes(extensions) }
            }
            return coder.serializedBytes
        }
    }
}
