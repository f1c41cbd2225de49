// dev.sigstore.rekor.v1 (sigstore/protobuf-specs protos/sigstore_rekor.proto): the log entry a bundle
// carries and a Rekor v2 log returns.

import SigilTlog

/// `message KindVersion { string kind = 1; string version = 2; }`, e.g. `hashedrekord` / `0.0.2`.
public struct KindVersion: ProtoJSONMessage {
    public var kind: String
    public var version: String

    public init(kind: String, version: String) {
        self.kind = kind
        self.version = version
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        kind = try reader.nonEmptyString("kind")
        version = try reader.nonEmptyString("version")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("kind", string: kind)
        builder.add("version", string: version)
        return builder.value
    }
}

/// `message Checkpoint { string envelope = 1; }` — a C2SP signed note, kept as its exact text.
public struct Checkpoint: ProtoJSONMessage {
    public var envelope: String

    public init(envelope: String) { self.envelope = envelope }

    public init(protoJSON reader: ProtoJSONObject) throws {
        envelope = try reader.nonEmptyString("envelope")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("envelope", string: envelope)
        return builder.value
    }
}

/// `message InclusionProof { int64 log_index = 1; bytes root_hash = 2; int64 tree_size = 3;
/// repeated bytes hashes = 4; Checkpoint checkpoint = 5; }`
public struct InclusionProof: ProtoJSONMessage {
    public var logIndex: Int64
    public var rootHash: [UInt8]
    public var treeSize: Int64
    /// Leaf side first (RFC 6962 audit path).
    public var hashes: [[UInt8]]
    /// Absent in some old bundles; the verifier requires it.
    public var checkpoint: Checkpoint?

    public init(logIndex: Int64, rootHash: [UInt8], treeSize: Int64, hashes: [[UInt8]], checkpoint: Checkpoint?) {
        self.logIndex = logIndex
        self.rootHash = rootHash
        self.treeSize = treeSize
        self.hashes = hashes
        self.checkpoint = checkpoint
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        logIndex = try reader.int64("logIndex") ?? 0
        rootHash = try reader.nonEmptyBytes("rootHash")
        treeSize = try reader.int64("treeSize") ?? 0
        hashes = try reader.repeatedBytes("hashes")
        checkpoint = try reader.message("checkpoint", as: Checkpoint.self)
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("logIndex", int64: logIndex)
        builder.add("rootHash", bytes: rootHash)
        builder.add("treeSize", int64: treeSize)
        builder.add("hashes", bytesList: hashes)
        builder.add("checkpoint", message: checkpoint)
        return builder.value
    }
}

/// `message InclusionPromise { bytes signed_entry_timestamp = 1; }` — a Rekor v1 SET.
public struct InclusionPromise: ProtoJSONMessage {
    public var signedEntryTimestamp: [UInt8]

    public init(signedEntryTimestamp: [UInt8]) { self.signedEntryTimestamp = signedEntryTimestamp }

    public init(protoJSON reader: ProtoJSONObject) throws {
        signedEntryTimestamp = try reader.nonEmptyBytes("signedEntryTimestamp")
    }

    public var protoJSON: JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("signedEntryTimestamp", bytes: signedEntryTimestamp)
        return builder.value
    }
}

/// `message TransparencyLogEntry { int64 log_index = 1; LogId log_id = 2; KindVersion kind_version = 3;
/// int64 integrated_time = 4; InclusionPromise inclusion_promise = 5; InclusionProof inclusion_proof = 6;
/// bytes canonicalized_body = 7; }`
///
/// Structure only: `logId`, `kindVersion` and a non-empty `canonicalizedBody` are required; whether a
/// promise, a proof, or a checkpoint must be present is the verifier's call.
public struct TransparencyLogEntry: ProtoJSONMessage {
    public var logIndex: Int64
    public var logId: LogId
    public var kindVersion: KindVersion
    /// Seconds since the epoch; 0 when absent (Rekor v2 entries have no integrated time).
    public var integratedTime: Int64
    public var inclusionPromise: InclusionPromise?
    public var inclusionProof: InclusionProof?
    /// The exact bytes the log hashed into its leaf (`SHA-256(0x00 ‖ canonicalizedBody)`).
    public var canonicalizedBody: [UInt8]

    public init(
        logIndex: Int64, logId: LogId, kindVersion: KindVersion, integratedTime: Int64 = 0,
        inclusionPromise: InclusionPromise? = nil, inclusionProof: InclusionProof?, canonicalizedBody: [UInt8]
    ) {
        self.logIndex = logIndex
        self.logId = logId
        self.kindVersion = kindVersion
        self.integratedTime = integratedTime
        self.inclusionPromise = inclusionPromise
        self.inclusionProof = inclusionProof
        self.canonicalizedBody = canonicalizedBody
    }

    public init(protoJSON reader: ProtoJSONObject) throws {
        logIndex = try reader.int64("logIndex") ?? 0
        logId = try reader.requiredMessage("logId", as: LogId.self)
        kindVersion = try reader.requiredMessage("kindVersion", as: KindVersion.self)
        integratedTime = try reader.int64("integratedTime") ?? 0
        inclusionPromise = try reader.message("inclusionPromise", as: InclusionPromise.self)
        inclusionProof = try reader.message("inclusionProof", as: InclusionProof.self)
        canonicalizedBody = try reader.nonEmptyBytes("canonicalizedBody")
    }

    /// The form a bundle carries: unset fields (`integratedTime` 0, no promise) left out, as the real
    /// Rekor v2 bundles have it.
    public var protoJSON: JSONValue { protoJSON(emitUnpopulated: false) }

    /// With `emitUnpopulated`, the exact shape rekor-tiles answers `POST /api/v2/log/entries` with
    /// (services.md §1.4): `logIndex`, `logId`, `kindVersion`, `integratedTime` (`"0"` when unset),
    /// `inclusionPromise` (`null` when unset), `inclusionProof`, `canonicalizedBody`, in that order.
    public func protoJSON(emitUnpopulated: Bool) -> JSONValue {
        var builder = ProtoJSONBuilder()
        builder.add("logIndex", int64: logIndex)
        builder.add("logId", message: logId)
        builder.add("kindVersion", message: kindVersion)
        if emitUnpopulated || integratedTime != 0 { builder.add("integratedTime", int64: integratedTime) }
        if let inclusionPromise {
            builder.add("inclusionPromise", message: inclusionPromise)
        } else if emitUnpopulated {
            builder.add("inclusionPromise", .null)
        }
        if let inclusionProof {
            builder.add("inclusionProof", message: inclusionProof)
        } else if emitUnpopulated {
            builder.add("inclusionProof", .null)
        }
        builder.add("canonicalizedBody", bytes: canonicalizedBody)
        return builder.value
    }
}

extension TransparencyLogEntry {
    /// The bytes a Rekor v1 signed entry timestamp (SET) signs: RFC 8785 canonical JSON of
    /// `{"body": base64(canonicalizedBody), "integratedTime": <int>, "logID": <hex logId.keyId>,
    /// "logIndex": <int>}` (sigstore/rekor pkg/api entries; the top-level `logIndex`, not the proof's).
    public var signedEntryTimestampPayload: [UInt8] {
        let payload = JSONValue.makeObject([
            "body": .string(Base64.encode(canonicalizedBody)),
            "integratedTime": .integer(integratedTime),
            "logID": .string(Hex.encode(logId.keyId)),
            "logIndex": .integer(logIndex),
        ])
        // Integers outside ±2^53 cannot be canonicalized; no real log reaches them. Fall back to the compact
        // form (which the signature then will not match) rather than trap.
        return (try? payload.canonicalized()) ?? payload.serialized()
    }
}
