// The CT log on the SigilLog engine, publishing c2sp.org/static-ct-api assets.
//
//  CTLog.addPreChain ──▶ StaticCTLog.log (one at a time) ──▶ TileLeaf {timestamp, precert entry, leaf_index = next
//  index} ──▶ TileLog.append (durable when it returns) ──▶ receipt {timestamp, extensions} ──▶ CTLog signs the SCT
//  over exactly that timestamp and those extensions.
//
// The static-ct-api SCT carries the entry's index (`leaf_index`), and the index is inside the hashed entry, so the
// index must be known before the entry is written. The engine assigns indices in storage, so this log writes one
// entry at a time, predicts its index from the storage size, and checks that storage gave it that index. That needs
// one writer per store: open each store with one `StaticCTLog` only. Throughput is then one storage transaction per
// certificate.
//
// Read side (all paths relative to the monitoring prefix): `checkpoint` (the engine's note plus the RFC 6962 note
// signature), `tile/<L>/<N>[.p/<W>]` (the engine's hash tiles), `tile/data/<N>[.p/<W>]` (the stored TileLeafs),
// `issuer/<fingerprint>`.

import Crypto
import Foundation  // Date (injected clock)
import Logging
import SigilLog
import SigilMerkle
import SigilTlog
import SigilX509
import X509

/// A published static-ct-api asset and how it may be cached.
public struct StaticCTAsset: Hashable, Sendable {
    /// The body.
    public let bytes: [UInt8]
    /// `text/plain; charset=utf-8` (checkpoint), `application/octet-stream` (tiles), `application/pkix-cert`.
    public let contentType: String
    /// A `Cache-Control` value: a second for the checkpoint, a minute for partial tiles, a year otherwise.
    public let cacheControl: String

    static let checkpointCache = "public, max-age=1"
    static let partialCache = "public, max-age=60"
    static let immutableCache = "public, max-age=31536000, immutable"
}

/// A static-ct-api CT log whose entries live in a `SigilLog.TileLog` on any `LogStorage`.
public actor StaticCTLog: PrecertificateLogger {
    /// The checkpoint origin (static-ct-api: the submission prefix without scheme and trailing slash).
    public nonisolated let origin: String
    /// The engine (for waiting on checkpoints and building proofs).
    public nonisolated let tileLog: TileLog
    /// The log ID: SHA-256 of the log key's SubjectPublicKeyInfo.
    public nonisolated let logID: [UInt8]
    /// The issuer certificates this log accepts in chains, by lowercase hex SHA-256 fingerprint.
    public nonisolated let issuers: [String: [UInt8]]

    private let storage: TileLeafStorage
    private let signingKey: P256.Signing.PrivateKey
    private let clock: @Sendable () -> Date
    private var nextIndex: UInt64
    private var needsResync = false
    private var latestTimestamp: UInt64
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var servedCheckpoint: (note: [UInt8], served: [UInt8])?

    private init(
        origin: String, tileLog: TileLog, storage: TileLeafStorage, signingKey: P256.Signing.PrivateKey,
        issuers: [String: [UInt8]], clock: @escaping @Sendable () -> Date, nextIndex: UInt64, latestTimestamp: UInt64
    ) {
        self.origin = origin
        self.tileLog = tileLog
        self.storage = storage
        self.signingKey = signingKey
        self.logID = Array(SHA256.hash(data: Array(signingKey.publicKey.derRepresentation)))
        self.issuers = issuers
        self.clock = clock
        self.nextIndex = nextIndex
        self.latestTimestamp = latestTimestamp
    }

    /// Opens the CT log kept in `storage` (in-memory, SQLite, ...), creating it if empty.
    ///
    /// - Parameters:
    ///   - signingKey: the CT log key (ECDSA P-256). It signs SCTs (through `CTLog`), the engine's checkpoint
    ///     note (signed-note type 0x02, key name `origin`) and the RFC 6962 tree head on the served checkpoint.
    ///   - origin: the checkpoint origin, e.g. `ca.example.com/ct`; a store keeps the origin it was created with.
    ///   - issuers: the CA certificates that may appear in submitted chains; each is served at
    ///     `issuer/<fingerprint>`. A chain naming another certificate is refused (``CTError/Code-swift.struct/unknownIssuer``).
    ///   - clock: SCT and tree head timestamps.
    /// - Throws: `LogError` from the engine when the store holds another log or is unreadable, `CTError` when the
    ///   last stored entry is not a TileLeaf.
    public static func open(
        storage: any LogStorage, signingKey: P256.Signing.PrivateKey, origin: String, issuers: [Certificate],
        clock: @escaping @Sendable () -> Date, logger: Logger = Logger(label: "sigil.ct")
    ) async throws -> StaticCTLog {
        var byFingerprint: [String: [UInt8]] = [:]
        for issuer in issuers {
            let der = try CertificateCoding.der(issuer)
            byFingerprint[Self.hex(PrecertificateTileLeaf.fingerprint(der))] = der
        }
        let view = TileLeafStorage(inner: storage)
        var configuration = TileLogConfiguration(origin: origin)
        // Entries are appended one at a time (see the file header), so a batch never has company to wait for.
        configuration.maxBatchSize = 1
        let tileLog = try await TileLog.open(
            storage: view, signer: try NoteSigner.ecdsaP256(name: origin, privateKey: signingKey),
            configuration: configuration, logger: logger)
        let size = try await storage.sequencedSize()
        var latest: UInt64 = 0
        if size > 0, let last = try await view.rawEntries(in: (size - 1)..<size).first {
            do { latest = try PrecertificateTileLeaf(parsing: last.data).timestamp } catch {
                throw CTError(.corruptLog, "entry \(size - 1) is not a TileLeaf: \(error.reason)")
            }
        }
        return StaticCTLog(
            origin: origin, tileLog: tileLog, storage: view, signingKey: signingKey, issuers: byFingerprint,
            clock: clock, nextIndex: size, latestTimestamp: latest)
    }

    /// A `CTLog` that signs SCTs with this log's key and records precertificates here.
    public nonisolated func ctLog() -> CTLog { CTLog(signingKey: signingKey, logger: self) }

    // MARK: Writing

    /// Appends the precertificate as the next entry and returns the SCT fields it was logged with: the timestamp
    /// and the `leaf_index` extension. Durable when it returns (the entry is sequenced; it is integrated into a
    /// checkpoint shortly after). Throws ``CTError/Code-swift.struct/unknownIssuer`` for a chain certificate not
    /// given to ``open(storage:signingKey:origin:issuers:clock:logger:)``, ``CTError/Code-swift.struct/logUnavailable``
    /// when storage fails, ``CTError/Code-swift.struct/corruptLog`` when storage put the entry at another index.
    public func log(_ entry: PrecertificateEntry) async throws -> PrecertificateLogReceipt {
        await acquire()
        defer { release() }
        var fingerprints: [[UInt8]] = []
        for certificate in entry.chain {
            let fingerprint = PrecertificateTileLeaf.fingerprint(certificate)
            guard issuers[Self.hex(fingerprint)] != nil else {
                throw CTError(.unknownIssuer, "chain certificate \(Self.hex(fingerprint)) is not an accepted issuer")
            }
            fingerprints.append(fingerprint)
        }
        if needsResync {
            do { nextIndex = try await storage.sequencedSize() } catch {
                throw CTError(.logUnavailable, "cannot read the CT log size: \(error)")
            }
            needsResync = false
        }
        let index = nextIndex
        let timestamp = max(CTLog.milliseconds(clock()), latestTimestamp)
        // SPEC: c2sp.org/static-ct-api "SCT Extension": the SCT, and so the TimestampedEntry, carries leaf_index
        let extensions = try StaticCTExtensions.leafIndex(index)
        let leaf = try PrecertificateTileLeaf(
            timestamp: timestamp, issuerKeyHash: entry.issuerKeyHash, tbsCertificate: entry.tbsCertificate,
            extensions: extensions, precertificate: entry.precertificate, chainFingerprints: fingerprints)
        let bytes = leaf.serialized()
        let appended: AppendResult
        do {
            appended = try await tileLog.append(bytes, identity: Array(SHA256.hash(data: bytes)))
        } catch {
            // The entry may or may not have landed: learn the size again before the next one.
            needsResync = true
            throw CTError(.logUnavailable, "appending entry \(index): \(error)")
        }
        // A duplicate is this very entry, written by an earlier attempt that reported a failure: it is logged.
        guard appended.index == index else {
            needsResync = true
            throw CTError(
                .corruptLog, "entry written for index \(index) was stored at \(appended.index): another writer?")
        }
        nextIndex = index + 1
        latestTimestamp = timestamp
        return PrecertificateLogReceipt(timestamp: timestamp, extensions: extensions)
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()  // the lock passes straight to the next writer
        }
    }

    // MARK: Reading

    /// The asset at `path` below the monitoring prefix (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
    /// `tile/data/<N>[.p/<W>]`, `issuer/<fingerprint>`), or `nil` when there is none. Throws when storage fails.
    public func asset(at path: String) async throws -> StaticCTAsset? {
        if path == "checkpoint" {
            return StaticCTAsset(
                bytes: try await checkpoint(), contentType: "text/plain; charset=utf-8",
                cacheControl: StaticCTAsset.checkpointCache)
        }
        if path.hasPrefix("issuer/") {
            guard let der = issuers[String(path.dropFirst("issuer/".count))] else { return nil }
            return StaticCTAsset(
                bytes: der, contentType: "application/pkix-cert", cacheControl: StaticCTAsset.immutableCache)
        }
        if path.hasPrefix("tile/data/") {
            guard let id = try? EntryBundleID(path: "tile/entries/" + path.dropFirst("tile/data/".count)),
                let bytes = try await dataTile(id)
            else { return nil }
            return StaticCTAsset(
                bytes: bytes, contentType: "application/octet-stream",
                cacheControl: id.isPartial ? StaticCTAsset.partialCache : StaticCTAsset.immutableCache)
        }
        guard let id = try? TileID(path: path), id.level <= 5, let bytes = try await storage.tile(id) else {
            return nil
        }
        return StaticCTAsset(
            bytes: bytes, contentType: "application/octet-stream",
            cacheControl: id.isPartial ? StaticCTAsset.partialCache : StaticCTAsset.immutableCache)
    }

    /// The latest checkpoint: the engine's signed note with the RFC 6962 note signature (type 0x05) appended.
    /// The tree head timestamp is at least every logged SCT timestamp, so every entry in the tree is older.
    public func checkpoint() async throws -> [UInt8] {
        let published = await tileLog.latestCheckpoint
        if let servedCheckpoint, servedCheckpoint.note == published.note { return servedCheckpoint.served }
        let timestamp = max(CTLog.milliseconds(clock()), latestTimestamp)
        let line = try RFC6962NoteSignature.line(
            name: origin, signingKey: signingKey, timestamp: timestamp, treeSize: published.size,
            rootHash: published.rootHash)
        let served = published.note + Array(line.utf8)
        servedCheckpoint = (published.note, served)
        return served
    }

    /// A data tile: the stored TileLeafs of level-0 tile `id`, when the published tree covers all of them.
    private func dataTile(_ id: EntryBundleID) async throws -> [UInt8]? {
        let size = await tileLog.latestCheckpoint.size
        let (start, overflow) = id.index.multipliedReportingOverflow(by: UInt64(TileID.fullWidth))
        guard !overflow, start < size, UInt64(id.width) <= size - start else { return nil }
        let end = start + UInt64(id.width)
        let entries = try await storage.rawEntries(in: start..<end)
        guard entries.count == id.width else {
            throw CTError(.corruptLog, "read \(entries.count) entries of \(start)..<\(end) below the published size")
        }
        return entries.flatMap(\.data)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
