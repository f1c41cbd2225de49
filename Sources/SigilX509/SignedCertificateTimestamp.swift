// RFC 6962 §3.2–3.3 Signed Certificate Timestamps embedded in certificates: the TLS codec of
// `SignedCertificateTimestampList`, written by hand because no allowed package reads TLS presentation-language
// structures. The reader is strict and bounded: every length is checked against what is left, nothing trails.

import Foundation  // Date only (RFC 6962 timestamps are milliseconds since the epoch)
import SwiftASN1
import X509

/// One SCT (RFC 6962 §3.2, version v1):
///
///     struct {
///         Version sct_version;              // v1(0)
///         LogID id;                          // opaque key_id[32] = SHA-256(log SPKI DER)
///         uint64 timestamp;                  // ms since the epoch
///         CtExtensions extensions;           // opaque <0..2^16-1>
///         digitally-signed struct { ... };   // hash(1) ‖ signature(1) ‖ opaque signature<0..2^16-1>
///     } SignedCertificateTimestamp;
public struct SignedCertificateTimestamp: Hashable, Sendable {
    /// TLS `HashAlgorithm` sha256 (RFC 5246 §7.4.1.4.1), the only one CT allows.
    public static let hashSHA256: UInt8 = 4
    /// TLS `SignatureAlgorithm` rsa.
    public static let signatureRSA: UInt8 = 1
    /// TLS `SignatureAlgorithm` ecdsa.
    public static let signatureECDSA: UInt8 = 3

    /// `sct_version`; only v1 (0) is accepted by the parser.
    public var version: UInt8
    /// The 32-byte log ID.
    public var logID: [UInt8]
    /// Milliseconds since the Unix epoch.
    public var timestamp: UInt64
    /// `CtExtensions` bytes (empty for every log Sigstore uses).
    public var extensions: [UInt8]
    /// TLS hash algorithm of the signature.
    public var hashAlgorithm: UInt8
    /// TLS signature algorithm of the signature.
    public var signatureAlgorithm: UInt8
    /// The signature bytes (DER ECDSA-Sig-Value for ECDSA, PKCS#1 v1.5 for RSA).
    public var signature: [UInt8]

    public init(
        version: UInt8 = 0, logID: [UInt8], timestamp: UInt64, extensions: [UInt8] = [],
        hashAlgorithm: UInt8 = hashSHA256, signatureAlgorithm: UInt8, signature: [UInt8]
    ) {
        self.version = version
        self.logID = logID
        self.timestamp = timestamp
        self.extensions = extensions
        self.hashAlgorithm = hashAlgorithm
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    /// The timestamp as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(timestamp) / 1000) }

    /// The TLS encoding of this SCT (without the outer `SerializedSCT` length).
    public func serialized() throws(X509Error) -> [UInt8] {
        guard logID.count == 32 else { throw X509Error(.malformedSCT, "log ID is \(logID.count) bytes, want 32") }
        var out: [UInt8] = [version]
        out += logID
        out.appendUInt64(timestamp)
        try out.appendOpaque16(extensions, what: "SCT extensions")
        out += [hashAlgorithm, signatureAlgorithm]
        try out.appendOpaque16(signature, what: "SCT signature")
        return out
    }

    /// Parses one SCT, which must use exactly all of `bytes`.
    public init(tls bytes: some Collection<UInt8>) throws(X509Error) {
        var reader = TLSReader(Array(bytes))
        let version = try reader.uint8("sct_version")
        guard version == 0 else { throw X509Error(.malformedSCT, "sct_version is \(version), want 0 (v1)") }
        let logID = try reader.bytes(32, "log ID")
        let timestamp = try reader.uint64("timestamp")
        let extensions = try reader.opaque16("extensions")
        let hash = try reader.uint8("hash algorithm")
        let signatureAlgorithm = try reader.uint8("signature algorithm")
        let signature = try reader.opaque16("signature")
        try reader.expectEnd("SCT")
        self.init(
            version: version, logID: logID, timestamp: timestamp, extensions: extensions, hashAlgorithm: hash,
            signatureAlgorithm: signatureAlgorithm, signature: signature
        )
    }
}

/// The RFC 6962 §3.3 `SignedCertificateTimestampList` as carried in the certificate extension
/// 1.3.6.1.4.1.11129.2.4.2: a DER OCTET STRING wrapping
///
///     opaque SerializedSCT<1..2^16-1>;
///     struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
public enum SignedCertificateTimestampList {
    /// The largest extension value accepted (the TLS list itself can be at most 2 + 65535 bytes).
    public static let maxExtensionSize = 2 + 65535 + 8

    /// Parses the TLS `SignedCertificateTimestampList` (no OCTET STRING around it).
    public static func parse(tls bytes: some Collection<UInt8>) throws(X509Error) -> [SignedCertificateTimestamp] {
        // SPEC: RFC 6962 §3.3 (list and SCT lengths are both <1..2^16-1>)
        guard bytes.count <= 2 + 0xFFFF else {
            throw X509Error(.malformedSCT, "SCT list is \(bytes.count) bytes, limit \(2 + 0xFFFF)")
        }
        var reader = TLSReader(Array(bytes))
        let list = try reader.opaque16("sct_list")
        try reader.expectEnd("SignedCertificateTimestampList")
        guard !list.isEmpty else { throw X509Error(.malformedSCT, "sct_list is empty, want at least one SCT") }
        var inner = TLSReader(list)
        var result: [SignedCertificateTimestamp] = []
        while !inner.atEnd {
            let serialized = try inner.opaque16("SerializedSCT")
            guard !serialized.isEmpty else { throw X509Error(.malformedSCT, "SerializedSCT is empty") }
            result.append(try SignedCertificateTimestamp(tls: serialized))
        }
        return result
    }

    /// Parses the value of the SCT list extension: one DER OCTET STRING whose contents are the TLS list.
    public static func parse(extensionValue bytes: some Collection<UInt8>) throws(X509Error)
        -> [SignedCertificateTimestamp]
    {
        let value = Array(bytes)
        guard value.count <= maxExtensionSize else {
            throw X509Error(.malformedSCT, "SCT list extension is \(value.count) bytes, limit \(maxExtensionSize)")
        }
        let octets: ASN1OctetString
        do {
            octets = try ASN1OctetString(derEncoded: value)
        } catch {
            throw X509Error(.malformedSCT, "SCT list extension is not one DER OCTET STRING: \(error)")
        }
        return try parse(tls: octets.bytes)
    }

    /// The SCTs embedded in a certificate. No SCT list extension is `sctMissing`.
    public static func embedded(in certificate: Certificate) throws(X509Error) -> [SignedCertificateTimestamp] {
        guard let ext = certificate.extensions[oid: FulcioOID.sctList] else {
            throw X509Error(.sctMissing, "certificate has no SCT list extension (1.3.6.1.4.1.11129.2.4.2)")
        }
        return try parse(extensionValue: ext.value)
    }

    /// The TLS encoding of a list of SCTs.
    public static func serialize(tls scts: [SignedCertificateTimestamp]) throws(X509Error) -> [UInt8] {
        guard !scts.isEmpty else { throw X509Error(.malformedSCT, "an SCT list needs at least one SCT") }
        var list: [UInt8] = []
        for sct in scts {
            try list.appendOpaque16(try sct.serialized(), what: "SerializedSCT")
        }
        var out: [UInt8] = []
        try out.appendOpaque16(list, what: "sct_list")
        return out
    }

    /// The DER extension value (OCTET STRING around the TLS list) for the SCT list extension.
    public static func serialize(extensionValue scts: [SignedCertificateTimestamp]) throws(X509Error) -> [UInt8] {
        let tls = try serialize(tls: scts)
        do {
            return try CertificateCoding.derEncoded(ASN1OctetString(contentBytes: tls[...]))
        } catch {
            throw X509Error(.malformedSCT, "cannot encode SCT list: \(error)")
        }
    }
}

/// A bounds-checked reader of TLS presentation-language values (big-endian integers, length-prefixed opaques).
struct TLSReader {
    private let buffer: [UInt8]
    private var offset = 0

    init(_ buffer: [UInt8]) { self.buffer = buffer }

    var atEnd: Bool { offset == buffer.count }

    mutating func bytes(_ count: Int, _ what: String) throws(X509Error) -> [UInt8] {
        guard count >= 0, buffer.count - offset >= count else {
            throw X509Error(.malformedSCT, "\(what): need \(count) bytes, \(buffer.count - offset) left")
        }
        defer { offset += count }
        return Array(buffer[offset..<offset + count])
    }

    mutating func uint8(_ what: String) throws(X509Error) -> UInt8 {
        try bytes(1, what)[0]
    }

    mutating func uint64(_ what: String) throws(X509Error) -> UInt64 {
        try bytes(8, what).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func opaque16(_ what: String) throws(X509Error) -> [UInt8] {
        let length = try bytes(2, "\(what) length").reduce(0) { $0 << 8 | Int($1) }
        return try bytes(length, what)
    }

    func expectEnd(_ what: String) throws(X509Error) {
        guard atEnd else { throw X509Error(.malformedSCT, "\(what): \(buffer.count - offset) trailing bytes") }
    }
}

extension [UInt8] {
    mutating func appendUInt64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func appendUInt16(_ value: Int) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt24(_ value: Int) {
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendOpaque16(_ value: [UInt8], what: String) throws(X509Error) {
        guard value.count <= 0xFFFF else {
            throw X509Error(.malformedSCT, "\(what) is \(value.count) bytes, limit 65535")
        }
        appendUInt16(value.count)
        self += value
    }
}
