// The writer side of RFC 3161 and CMS (RFC 5652): what a timestamp authority needs to build a TSTInfo, sign it
// into a TimeStampToken (SignedData) and wrap it in a TimeStampResp, or to answer with a rejection.
//
// Written by hand on swift-asn1 for the same reason as the parser (`CMS.swift`): swift-certificates' CMS is
// `@_spi(CMS)` and only handles id-data content. Every value built here is parsed back with the strict parser
// before it is returned, so a writer bug surfaces as a `TimestampError`, never as a token verifiers reject.
// Pure: no clock, no I/O, no key handling. Time and the signature come from the caller.

import Crypto
import Foundation  // only for `Date`
import SwiftASN1
import X509

extension OID {
    /// id-signingTime signed attribute (RFC 5652 §11.3).
    static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 5]
}

// MARK: - Algorithm identifiers

extension CMSAlgorithmIdentifier {
    /// SHA-256 with absent parameters (RFC 5754 §2).
    public static let sha256 = CMSAlgorithmIdentifier(algorithm: OID.sha256)
    /// SHA-384 with absent parameters (RFC 5754 §2).
    public static let sha384 = CMSAlgorithmIdentifier(algorithm: OID.sha384)
    /// SHA-512 with absent parameters (RFC 5754 §2).
    public static let sha512 = CMSAlgorithmIdentifier(algorithm: OID.sha512)
    /// ecdsa-with-SHA256, parameters absent (RFC 5754 §3.3).
    public static let ecdsaWithSHA256 = CMSAlgorithmIdentifier(algorithm: OID.ecdsaWithSHA256)
    /// ecdsa-with-SHA384, parameters absent (RFC 5754 §3.3).
    public static let ecdsaWithSHA384 = CMSAlgorithmIdentifier(algorithm: OID.ecdsaWithSHA384)
    /// ecdsa-with-SHA512, parameters absent (RFC 5754 §3.3).
    public static let ecdsaWithSHA512 = CMSAlgorithmIdentifier(algorithm: OID.ecdsaWithSHA512)
}

extension TimestampHashAlgorithm {
    /// The AlgorithmIdentifier naming this hash, parameters absent.
    public var algorithmIdentifier: CMSAlgorithmIdentifier { CMSAlgorithmIdentifier(algorithm: oid) }

    /// The length of this hash's digest in bytes (32, 48 or 64).
    public var digestByteCount: Int { digestSize }
}

// MARK: - PKIFailureInfo

/// ```
/// PKIFailureInfo ::= BIT STRING {
///     badAlg (0), badRequest (2), badDataFormat (5), timeNotAvailable (14), unacceptedPolicy (15),
///     unacceptedExtension (16), addInfoNotAvailable (17), systemFailure (25) }
/// ```
/// Bit `n` of the ASN.1 BIT STRING is `1 << n` in `rawValue`.
public struct PKIFailureInfo: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Unrecognized or unsupported algorithm identifier (e.g. a SHA-1 imprint).
    public static let badAlg = PKIFailureInfo(rawValue: 1 << 0)
    /// Transaction not permitted or supported (e.g. a TimeStampReq version other than 1).
    public static let badRequest = PKIFailureInfo(rawValue: 1 << 2)
    /// The data submitted has the wrong format (undecodable DER, trailing bytes, wrong digest length).
    public static let badDataFormat = PKIFailureInfo(rawValue: 1 << 5)
    /// The TSA's time source is not available.
    public static let timeNotAvailable = PKIFailureInfo(rawValue: 1 << 14)
    /// The requested TSA policy is not supported by the TSA.
    public static let unacceptedPolicy = PKIFailureInfo(rawValue: 1 << 15)
    /// The requested extension is not supported by the TSA.
    public static let unacceptedExtension = PKIFailureInfo(rawValue: 1 << 16)
    /// The additional information requested could not be understood or is not available.
    public static let addInfoNotAvailable = PKIFailureInfo(rawValue: 1 << 17)
    /// The request cannot be handled due to system failure.
    public static let systemFailure = PKIFailureInfo(rawValue: 1 << 25)

    private static let names: [(PKIFailureInfo, String)] = [
        (.badAlg, "badAlg"), (.badRequest, "badRequest"), (.badDataFormat, "badDataFormat"),
        (.timeNotAvailable, "timeNotAvailable"), (.unacceptedPolicy, "unacceptedPolicy"),
        (.unacceptedExtension, "unacceptedExtension"), (.addInfoNotAvailable, "addInfoNotAvailable"),
        (.systemFailure, "systemFailure"),
    ]

    /// The flags of a parsed `PKIStatusInfo.failInfo` (the BIT STRING's bytes; bits past 31 are ignored).
    public init(bitStringBytes bytes: [UInt8]) {
        var value: UInt32 = 0
        for (index, byte) in bytes.prefix(4).enumerated() {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                value |= 1 << UInt32(index * 8 + bit)
            }
        }
        self.init(rawValue: value)
    }

    /// The DER BIT STRING: a named bit list, so trailing zero bits are removed (X.690 §11.2.2).
    var bitString: ASN1BitString {
        guard rawValue != 0 else { return ASN1BitString(bytes: []) }
        let highestSet = 31 - rawValue.leadingZeroBitCount
        var bytes = [UInt8](repeating: 0, count: highestSet / 8 + 1)
        for bit in 0...highestSet where rawValue & (1 << UInt32(bit)) != 0 {
            bytes[bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
        return ASN1BitString(bytes: ArraySlice(bytes), paddingBits: 7 - highestSet % 8)
    }

    public var description: String {
        let known = Self.names.filter { contains($0.0) }.map(\.1)
        let unknown = subtracting(Self.names.reduce(PKIFailureInfo()) { $0.union($1.0) })
        return (known + (unknown.isEmpty ? [] : ["0x\(String(unknown.rawValue, radix: 16))"])).joined(separator: ",")
    }
}

extension PKIStatusInfo {
    /// The failure flags of `failInfo`, if present.
    public var failureInfo: PKIFailureInfo? { failInfo.map(PKIFailureInfo.init(bitStringBytes:)) }
}

extension TimeStampResp {
    /// The DER of a `TimeStampResp` with status `rejection`, the given failure flags and, when given, one
    /// PKIFreeText status string.
    ///
    /// Written directly (not through `PKIStatusInfo`) so the failInfo BIT STRING carries the right number of
    /// unused bits, as DER requires of a named bit list.
    public static func rejectionDER(
        _ failure: PKIFailureInfo, statusString: String? = nil
    ) throws(TimestampError) -> [UInt8] {
        try parsing("TimeStampResp") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(PKIStatus.rejection.rawValue)
                    if let statusString {
                        try coder.serializeSequenceOf([ASN1UTF8String(statusString)])
                    }
                    try coder.serialize(failure.bitString)
                }
            }
            return coder.serializedBytes
        }
    }

    /// A granted response carrying `token` (status granted, no status string, no failInfo).
    public static func granted(_ token: TimeStampToken) -> TimeStampResp {
        TimeStampResp(status: PKIStatusInfo(status: .granted), timeStampToken: token)
    }
}

// MARK: - Accuracy

extension Accuracy {
    /// An accuracy of `seconds` + `millis` ms + `micros` µs (RFC 3161 §2.4.2: millis and micros in 1...999).
    public init(seconds: Int? = nil, millis: Int? = nil, micros: Int? = nil) throws(TimestampError) {
        if let seconds, seconds < 0 {
            throw TimestampError(.malformed, "accuracy seconds \(seconds) is negative")
        }
        for value in [millis, micros].compactMap({ $0 }) where !(1...999).contains(value) {
            throw TimestampError(.malformed, "accuracy millis/micros \(value) is outside 1...999")
        }
        self.seconds = seconds
        self.millis = millis
        self.micros = micros
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            if let seconds { try coder.serialize(seconds) }
            if let millis {
                try millis.serialize(into: &coder, withIdentifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
            }
            if let micros {
                try micros.serialize(into: &coder, withIdentifier: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific))
            }
        }
    }
}

// MARK: - Time

/// The UTC calendar fields of a point in time, truncated to whole seconds (proleptic Gregorian; H. Hinnant's
/// civil_from_days). Only years 1...9999 are representable in a GeneralizedTime.
struct CivilTime {
    var year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int

    init(_ date: Date) throws(TimestampError) {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59Z
        guard interval.isFinite, interval >= -62_135_596_800, interval <= 253_402_300_799 else {
            throw TimestampError(.malformed, "time \(date.timeIntervalSince1970) is outside years 1...9999")
        }
        let total = Int(interval)
        var days = total / 86_400
        var secondOfDay = total % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hours = secondOfDay / 3600
        minutes = secondOfDay / 60 % 60
        seconds = secondOfDay % 60
    }

    var generalizedTime: GeneralizedTime {
        get throws {
            try GeneralizedTime(
                year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds,
                fractionalSeconds: 0)
        }
    }
}

// MARK: - TSTInfo

extension TSTInfo {
    /// Builds and encodes a TSTInfo v1 (RFC 3161 §2.4.2), then parses it back.
    ///
    /// - Parameters:
    ///   - messageImprint: copied from the request (RFC 3161 §2.4.2: "MUST have the same value").
    ///   - serialNumber: a non-negative integer as an unsigned big-endian magnitude (leading zeros ignored).
    ///   - genTime: encoded as a UTC GeneralizedTime with **whole seconds** (the fraction is truncated); a
    ///     finer TSA would declare it in `accuracy` instead.
    ///   - nonce: the request's nonce as an unsigned big-endian magnitude, echoed verbatim.
    ///   - tsa: the TSA's name (`[0] EXPLICIT GeneralName`), if it should be stated.
    public init(
        policy: ASN1ObjectIdentifier, messageImprint: MessageImprint, serialNumber: [UInt8], genTime: Date,
        accuracy: Accuracy? = nil, ordering: Bool = false, nonce: [UInt8]? = nil, tsa: GeneralName? = nil
    ) throws(TimestampError) {
        let time = try CivilTime(genTime)
        let der = try parsing("TSTInfo") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)
                try coder.serialize(policy)
                try coder.serialize(messageImprint)
                try coder.serialize(ArraySlice(serialNumber.drop { $0 == 0 }))
                try coder.serialize(try time.generalizedTime)
                if let accuracy { try accuracy.serialize(into: &coder) }
                // DER: a DEFAULT FALSE is encoded only when TRUE (X.690 §11.5).
                if ordering { try coder.serialize(true) }
                if let nonce { try coder.serialize(ArraySlice(nonce.drop { $0 == 0 })) }
                if let tsa {
                    try coder.serialize(
                        explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific
                    ) { coder in try coder.serialize(tsa) }
                }
            }
            return coder.serializedBytes
        }
        try self.init(derEncoded: der)
    }
}

// MARK: - SignedData

/// X.690 §11.6: the elements of a DER SET OF are ordered by their encodings, compared as octet strings with
/// the shorter one padded at its end with zero octets.
func derSetOfPrecedes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    for index in 0..<max(lhs.count, rhs.count) {
        let left = index < lhs.count ? lhs[index] : 0
        let right = index < rhs.count ? rhs[index] : 0
        if left != right { return left < right }
    }
    return false
}

/// The DER of `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }` with
/// one value given as its DER.
func attributeDER(_ type: ASN1ObjectIdentifier, value: [UInt8]) throws -> [UInt8] {
    var coder = DER.Serializer()
    try coder.appendConstructedNode(identifier: .sequence) { coder in
        try coder.serialize(type)
        coder.appendConstructedNode(identifier: .set) { coder in coder.serializeRawBytes(value) }
    }
    return coder.serializedBytes
}

func encodeDER(_ body: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
    var coder = DER.Serializer()
    try body(&coder)
    return coder.serializedBytes
}

extension TimeStampToken {
    /// Signs `tstInfo` into a TimeStampToken: a ContentInfo holding a CMS SignedData v3 (RFC 5652 §5) whose
    /// encapsulated content is the TSTInfo (eContentType id-ct-TSTInfo, RFC 3161 §2.4.2), with one SignerInfo
    /// v1 naming `signer` by issuer and serial number.
    ///
    /// Signed attributes (RFC 5652 §5.3, §11; RFC 5035): content-type (id-ct-TSTInfo), message-digest (the
    /// `digestAlgorithm` hash of the TSTInfo DER), signing-certificate-v2 (one ESSCertIDv2: SHA-256 of the
    /// signer certificate's DER, with its issuer and serial number) and, when `signingTime` is given,
    /// signing-time. They are sorted as a DER SET OF, and `sign` is called with the DER of that SET (tag 0x31,
    /// RFC 5652 §5.4); it returns the signature value (for ECDSA, the DER `ECDSA-Sig-Value`).
    ///
    /// - Parameters:
    ///   - certificates: the certificates to embed (`[0] IMPLICIT CertificateSet`, sorted as a DER SET OF);
    ///     empty when the request's certReq was FALSE.
    ///   - signatureAlgorithm: e.g. `.ecdsaWithSHA256`; its hash must be `digestAlgorithm`.
    /// - Throws: `TimestampError` when a value cannot be encoded or the result does not parse back, or
    ///   whatever `sign` throws.
    public init(
        signing tstInfo: TSTInfo, signer: Certificate, certificates: [Certificate],
        digestAlgorithm: TimestampHashAlgorithm, signatureAlgorithm: CMSAlgorithmIdentifier,
        signingTime: Date? = nil, sign: (_ signedAttributes: [UInt8]) throws -> [UInt8]
    ) throws {
        let signedAttributes = try TimeStampToken.signedAttributes(
            tstInfo: tstInfo, signer: signer, digestAlgorithm: digestAlgorithm, signingTime: signingTime)
        let signature = try sign(signedAttributes)
        // The same bytes under the `[0] IMPLICIT` tag of SignerInfo.signedAttrs (constructed, 0xA0).
        var implicitAttributes = signedAttributes
        implicitAttributes[0] = 0xA0

        let der = try parsing("TimeStampToken") {
            let certificateDERs = try certificates.map { certificate in
                try encodeDER { try $0.serialize(certificate) }
            }.sorted(by: derSetOfPrecedes)
            let contextZero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
            return try encodeDER { coder in
                // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(OID.signedData)
                    try coder.appendConstructedNode(identifier: contextZero) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            // SPEC: RFC 5652 §5.1 — version 3 because eContentType is not id-data.
                            try coder.serialize(3)
                            try coder.appendConstructedNode(identifier: .set) { coder in
                                try coder.serialize(digestAlgorithm.algorithmIdentifier)
                            }
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(OID.tstInfo)
                                try coder.appendConstructedNode(identifier: contextZero) { coder in
                                    try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(tstInfo.derBytes)))
                                }
                            }
                            if !certificateDERs.isEmpty {
                                coder.appendConstructedNode(identifier: contextZero) { coder in
                                    for certificate in certificateDERs { coder.serializeRawBytes(certificate) }
                                }
                            }
                            try coder.appendConstructedNode(identifier: .set) { coder in
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    // SPEC: RFC 5652 §5.3 — version 1 with an issuerAndSerialNumber sid.
                                    try coder.serialize(1)
                                    try coder.serialize(
                                        IssuerAndSerialNumber(
                                            issuer: signer.issuer, serialNumber: Array(signer.serialNumber.bytes)))
                                    try coder.serialize(digestAlgorithm.algorithmIdentifier)
                                    coder.serializeRawBytes(implicitAttributes)
                                    try coder.serialize(signatureAlgorithm)
                                    try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(signature)))
                                }
                            }
                        }
                    }
                }
            }
        }
        try self.init(derEncoded: der)
    }

    /// The DER SET OF signed attributes (tag 0x31) the signature covers.
    static func signedAttributes(
        tstInfo: TSTInfo, signer: Certificate, digestAlgorithm: TimestampHashAlgorithm, signingTime: Date?
    ) throws -> [UInt8] {
        try parsing("signed attributes") {
            let signerDER = try encodeDER { try $0.serialize(signer) }
            var attributes: [[UInt8]] = []
            // SPEC: RFC 5652 §11.1 — content-type is the eContentType.
            attributes.append(try attributeDER(OID.contentType, value: try encodeDER { try $0.serialize(OID.tstInfo) }))
            // SPEC: RFC 5652 §11.2 — message-digest is the digest of the eContent octets (the TSTInfo DER).
            attributes.append(
                try attributeDER(
                    OID.messageDigest,
                    value: try encodeDER {
                        try $0.serialize(ASN1OctetString(contentBytes: ArraySlice(digestAlgorithm.hash(tstInfo.derBytes))))
                    }))
            // SPEC: RFC 3161 §2.4.1, RFC 5035 §3 — SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 };
            // ESSCertIDv2 { hashAlgorithm DEFAULT id-sha256 (omitted), certHash, issuerSerial }.
            attributes.append(
                try attributeDER(
                    OID.signingCertificateV2,
                    value: try encodeDER { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(
                                        ASN1OctetString(contentBytes: ArraySlice(SHA256.hash(data: signerDER))))
                                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                                            try coder.serialize(GeneralName.directoryName(signer.issuer))
                                        }
                                        try coder.serialize(signer.serialNumber.bytes)
                                    }
                                }
                            }
                        }
                    }))
            // SPEC: RFC 5652 §11.3 — signing-time is a UTCTime for 1950...2049, a GeneralizedTime otherwise.
            if let signingTime {
                let time = try CivilTime(signingTime)
                let value: [UInt8]
                if (1950...2049).contains(time.year) {
                    value = try encodeDER {
                        try $0.serialize(
                            try UTCTime(
                                year: time.year, month: time.month, day: time.day, hours: time.hours,
                                minutes: time.minutes, seconds: time.seconds))
                    }
                } else {
                    value = try encodeDER { try $0.serialize(try time.generalizedTime) }
                }
                attributes.append(try attributeDER(OID.signingTime, value: value))
            }
            // SPEC: RFC 5652 §5.4 — the signature covers the DER of the SET OF, so its elements are sorted.
            return try encodeDER { coder in
                coder.appendConstructedNode(identifier: .set) { coder in
                    for attribute in attributes.sorted(by: derSetOfPrecedes) { coder.serializeRawBytes(attribute) }
                }
            }
        }
    }
}

// MARK: - Signing certificate profile

extension TimestampAuthority {
    /// Checks that `certificate` may sign timestamps: extended key usage present, critical and exactly
    /// id-kp-timeStamping; key usage, if present, only digitalSignature and/or nonRepudiation (RFC 3161 §2.3
    /// and the OpenSSL timestamp-signing purpose sigstore-python applies). The same check the verifier runs.
    public static func checkSigningCertificateProfile(_ certificate: Certificate) throws(TimestampError) {
        try checkTimestampingProfile(certificate)
    }
}
