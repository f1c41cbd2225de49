// The entries of a static-ct-api log (c2sp.org/static-ct-api "Log entries"): the RFC 6962 §3.4
// `TimestampedEntry` of a precertificate, the `MerkleTreeLeaf` that is hashed into the tree, the `TileLeaf` that a
// data tile holds, and the `leaf_index` SCT extension. TLS presentation-language codecs written by hand: no allowed
// package encodes CT structures. The parser is strict, bounded and total (STYLE.md habit 3).

import Crypto

/// One precertificate entry of a static-ct-api log.
///
/// ```
/// struct {                                   // RFC 6962 §3.4
///     uint64 timestamp;
///     LogEntryType entry_type;               // uint16, precert_entry(1)
///     PreCert signed_entry;                  // opaque issuer_key_hash[32]; TBSCertificate<1..2^24-1>
///     CtExtensions extensions;               // opaque <0..2^16-1>
/// } TimestampedEntry;
///
/// struct {                                   // c2sp.org/static-ct-api
///     TimestampedEntry timestamped_entry;
///     ASN.1Cert pre_certificate;             // opaque <1..2^24-1>
///     Fingerprint certificate_chain<0..2^16-1>;  // SHA-256 of each issuer's DER
/// } TileLeaf;
/// ```
///
/// Only `precert_entry` leaves exist in Sigil's CT log (the CA logs precertificates only), so the parser refuses
/// `x509_entry`.
public struct PrecertificateTileLeaf: Hashable, Sendable {
    /// The largest leaf accepted (the SigilLog engine's entry limit).
    public static let maxBytes = Int(UInt16.max)
    /// `LogEntryType` precert_entry (RFC 6962 §3.1).
    static let precertEntryType: UInt16 = 1

    /// `TimestampedEntry.timestamp`: the SCT timestamp, milliseconds since the Unix epoch.
    public let timestamp: UInt64
    /// `PreCert.issuer_key_hash`: SHA-256 of the issuer's SubjectPublicKeyInfo.
    public let issuerKeyHash: [UInt8]
    /// `PreCert.tbs_certificate`: the precertificate's TBSCertificate without the poison extension.
    public let tbsCertificate: [UInt8]
    /// `TimestampedEntry.extensions` (`CtExtensions` content, equal to the SCT's extensions).
    public let extensions: [UInt8]
    /// `pre_certificate`: the precertificate as submitted (DER, poison included).
    public let precertificate: [UInt8]
    /// `certificate_chain`: SHA-256 of each submitted issuer certificate, issuer first.
    public let chainFingerprints: [[UInt8]]

    /// A leaf from its fields; throws `CTError.malformedEntry` when a field does not fit its TLS bounds or the
    /// whole leaf exceeds ``maxBytes``.
    public init(
        timestamp: UInt64, issuerKeyHash: [UInt8], tbsCertificate: [UInt8], extensions: [UInt8],
        precertificate: [UInt8], chainFingerprints: [[UInt8]]
    ) throws(CTError) {
        guard issuerKeyHash.count == 32 else {
            throw CTError(.malformedEntry, "issuer key hash is \(issuerKeyHash.count) bytes, want 32")
        }
        guard (1...0xFF_FFFF).contains(tbsCertificate.count), (1...0xFF_FFFF).contains(precertificate.count) else {
            throw CTError(
                .malformedEntry,
                "TBSCertificate \(tbsCertificate.count) and precertificate \(precertificate.count) bytes, want 1...16777215")
        }
        guard extensions.count <= 0xFFFF else {
            throw CTError(.malformedEntry, "extensions of \(extensions.count) bytes, want at most 65535")
        }
        guard chainFingerprints.allSatisfy({ $0.count == 32 }), chainFingerprints.count * 32 <= 0xFFFF else {
            throw CTError(.malformedEntry, "chain fingerprints must be 32 bytes each, at most 2047 of them")
        }
        self.timestamp = timestamp
        self.issuerKeyHash = issuerKeyHash
        self.tbsCertificate = tbsCertificate
        self.extensions = extensions
        self.precertificate = precertificate
        self.chainFingerprints = chainFingerprints
        let size = serialized().count
        guard size <= Self.maxBytes else {
            throw CTError(.malformedEntry, "tile leaf of \(size) bytes, limit \(Self.maxBytes)")
        }
    }

    /// The RFC 6962 §3.4 `TimestampedEntry` encoding.
    public var timestampedEntry: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + 2 + 32 + 3 + tbsCertificate.count + 2 + extensions.count)
        out.appendBigEndian(timestamp, bytes: 8)
        out.appendBigEndian(UInt64(Self.precertEntryType), bytes: 2)
        out += issuerKeyHash
        out.appendBigEndian(UInt64(tbsCertificate.count), bytes: 3)
        out += tbsCertificate
        out.appendBigEndian(UInt64(extensions.count), bytes: 2)
        out += extensions
        return out
    }

    /// The RFC 6962 §3.4 `MerkleTreeLeaf`: `version v1 (0) ‖ leaf_type timestamped_entry (0) ‖ TimestampedEntry`.
    /// Its RFC 6962 leaf hash `SHA-256(0x00 ‖ MerkleTreeLeaf)` is the level-0 tile hash.
    public var merkleTreeLeaf: [UInt8] { [0, 0] + timestampedEntry }

    /// The static-ct-api `TileLeaf` encoding: what a data tile concatenates.
    public func serialized() -> [UInt8] {
        var out = timestampedEntry
        out.appendBigEndian(UInt64(precertificate.count), bytes: 3)
        out += precertificate
        out.appendBigEndian(UInt64(chainFingerprints.count * 32), bytes: 2)
        for fingerprint in chainFingerprints { out += fingerprint }
        return out
    }

    /// Parses exactly one `TileLeaf` (no trailing bytes).
    public init(parsing bytes: some Collection<UInt8>) throws(CTError) {
        let input = Array(bytes)
        guard input.count <= Self.maxBytes else {
            throw CTError(.malformedEntry, "tile leaf of \(input.count) bytes, limit \(Self.maxBytes)")
        }
        var reader = TLSReader(input)
        self = try Self.read(from: &reader)
        guard reader.isAtEnd else {
            throw CTError(.malformedEntry, "\(reader.remaining) trailing bytes after the tile leaf")
        }
    }

    /// Parses a data tile (`tile/data/<N>[.p/<W>]`): exactly `width` concatenated leaves, nothing after.
    public static func parseDataTile(_ bytes: [UInt8], width: Int) throws(CTError) -> [PrecertificateTileLeaf] {
        guard (1...256).contains(width) else { throw CTError(.malformedEntry, "data tile width \(width), want 1...256") }
        guard bytes.count <= width * maxBytes else {
            throw CTError(.malformedEntry, "data tile of \(bytes.count) bytes is above \(width) × \(maxBytes)")
        }
        var reader = TLSReader(bytes)
        var leaves: [PrecertificateTileLeaf] = []
        for _ in 0..<width { leaves.append(try read(from: &reader)) }
        guard reader.isAtEnd else {
            throw CTError(.malformedEntry, "\(reader.remaining) trailing bytes after \(width) tile leaves")
        }
        return leaves
    }

    private static func read(from reader: inout TLSReader) throws(CTError) -> PrecertificateTileLeaf {
        // SPEC: RFC 6962 §3.4 TimestampedEntry; c2sp.org/static-ct-api "Log entries" TileLeaf
        let timestamp = try reader.integer(bytes: 8, "timestamp")
        let entryType = try reader.integer(bytes: 2, "entry_type")
        guard entryType == UInt64(precertEntryType) else {
            throw CTError(.malformedEntry, "entry_type \(entryType), want precert_entry (1)")
        }
        let issuerKeyHash = try reader.bytes(32, "issuer_key_hash")
        let tbs = try reader.opaque(lengthBytes: 3, minimum: 1, "tbs_certificate")
        let extensions = try reader.opaque(lengthBytes: 2, minimum: 0, "extensions")
        let precertificate = try reader.opaque(lengthBytes: 3, minimum: 1, "pre_certificate")
        let chain = try reader.opaque(lengthBytes: 2, minimum: 0, "certificate_chain")
        guard chain.count % 32 == 0 else {
            throw CTError(.malformedEntry, "certificate_chain of \(chain.count) bytes is not a multiple of 32")
        }
        let fingerprints = stride(from: 0, to: chain.count, by: 32).map { Array(chain[$0..<($0 + 32)]) }
        return try PrecertificateTileLeaf(
            timestamp: timestamp, issuerKeyHash: issuerKeyHash, tbsCertificate: tbs, extensions: extensions,
            precertificate: precertificate, chainFingerprints: fingerprints)
    }
}

/// The static-ct-api SCT extensions (c2sp.org/static-ct-api "SCT Extension").
public enum StaticCTExtensions {
    /// `ExtensionType` leaf_index.
    static let leafIndexType: UInt8 = 0
    /// The largest `LeafIndex` (uint40).
    public static let maxLeafIndex: UInt64 = (1 << 40) - 1

    /// `CtExtensions` holding only a `leaf_index` extension: `0x00 ‖ uint16 5 ‖ uint40 index` (8 bytes).
    public static func leafIndex(_ index: UInt64) throws(CTError) -> [UInt8] {
        guard index <= maxLeafIndex else {
            throw CTError(.malformedEntry, "leaf index \(index) does not fit in 40 bits")
        }
        var out: [UInt8] = [leafIndexType, 0, 5]
        out.appendBigEndian(index, bytes: 5)
        return out
    }

    /// The `leaf_index` in a `CtExtensions` field, or `nil` when there is none. Throws `CTError.malformedEntry`
    /// for a malformed list, a duplicate extension type, or a `leaf_index` whose data is not 5 bytes.
    public static func leafIndex(in extensions: [UInt8]) throws(CTError) -> UInt64? {
        // SPEC: c2sp.org/static-ct-api "SCT Extension": a list of (uint8 type, opaque data<0..2^16-1>), no
        // duplicate types, leaf_index data is a big-endian uint40
        guard extensions.count <= 0xFFFF else {
            throw CTError(.malformedEntry, "extensions of \(extensions.count) bytes, want at most 65535")
        }
        var reader = TLSReader(extensions)
        var seen: Set<UInt64> = []
        var index: UInt64?
        while !reader.isAtEnd {
            let type = try reader.integer(bytes: 1, "extension_type")
            let data = try reader.opaque(lengthBytes: 2, minimum: 0, "extension_data")
            guard seen.insert(type).inserted else {
                throw CTError(.malformedEntry, "extension type \(type) appears twice")
            }
            if type == UInt64(leafIndexType) {
                guard data.count == 5 else {
                    throw CTError(.malformedEntry, "leaf_index data of \(data.count) bytes, want 5")
                }
                index = data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            }
        }
        return index
    }
}

/// A bounds-checked reader of TLS presentation-language fields.
struct TLSReader {
    private let input: [UInt8]
    private var offset = 0

    init(_ input: [UInt8]) { self.input = input }

    var isAtEnd: Bool { offset == input.count }
    var remaining: Int { input.count - offset }

    mutating func bytes(_ count: Int, _ what: String) throws(CTError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw CTError(.malformedEntry, "\(what): want \(count) bytes, \(remaining) left")
        }
        defer { offset += count }
        return Array(input[offset..<(offset + count)])
    }

    mutating func integer(bytes count: Int, _ what: String) throws(CTError) -> UInt64 {
        try bytes(count, what).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    mutating func opaque(lengthBytes: Int, minimum: Int, _ what: String) throws(CTError) -> [UInt8] {
        let length = Int(try integer(bytes: lengthBytes, "\(what) length"))
        guard length >= minimum else {
            throw CTError(.malformedEntry, "\(what) of \(length) bytes, want at least \(minimum)")
        }
        return try bytes(length, what)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt64, bytes: Int) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}

extension PrecertificateTileLeaf {
    /// SHA-256 of a certificate's DER: a static-ct-api `Fingerprint` and the `issuer/<fingerprint>` name.
    public static func fingerprint(_ der: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: der)) }
}
