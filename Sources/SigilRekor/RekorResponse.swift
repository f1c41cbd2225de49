// The answer to a successful `POST /api/v2/log/entries`: a dev.sigstore.rekor.v1.TransparencyLogEntry in
// protobuf JSON, shaped as rekor-tiles writes it (`EmitUnpopulated: true`, so `"integratedTime":"0"` and
// `"inclusionPromise":null` appear; int64 as strings; bytes as padded standard base64) and as sigstore-python
// 4.5.1 parses it strictly (services.md §1.4), with HTTP status 201.
//
// SPEC: rekor-tiles internal/tessera/tessera.go: the proof is built to a published checkpoint and verified
// against it before answering; `logId` and `kindVersion` are filled in by internal/server/service.go.

import SigilBundle
import SigilMerkle
import SigilTlog

/// Builds the `TransparencyLogEntry` a Rekor v2 log answers with.
public enum RekorResponse {
    /// The HTTP status of a created entry (rekor-tiles sets `x-http-code: 201`).
    public static let createdStatus = 201

    /// The entry for `canonicalBody` at `logIndex`, proven by `inclusionProof` (leaf side first) to the tree the
    /// signed `checkpoint` note commits to (its size and root become the proof's `treeSize` and `rootHash`).
    ///
    /// The proof is checked against the checkpoint's root first: an answer that would not verify is a bug on
    /// our side (`internalError`), never sent.
    public static func transparencyLogEntry(
        logIndex: UInt64, logID: [UInt8], canonicalBody: [UInt8],
        kindVersion: KindVersion = KindVersion(kind: "hashedrekord", version: "0.0.2"),
        inclusionProof: [MerkleHash], checkpoint: String
    ) throws(RekorError) -> TransparencyLogEntry {
        let parsed: SigilTlog.Checkpoint
        do {
            let note = try SignedNote(parsing: checkpoint)
            parsed = try SigilTlog.Checkpoint(text: note.text)
        } catch {
            throw RekorError(.internalError, "the checkpoint to answer with does not parse: \(error.reason)")
        }
        return try transparencyLogEntry(
            logIndex: logIndex, logID: logID, canonicalBody: canonicalBody, kindVersion: kindVersion,
            inclusionProof: inclusionProof, checkpoint: checkpoint, parsed: parsed)
    }

    /// As above, with the checkpoint's body already parsed by the caller (a log engine that made the note):
    /// `parsed` must be the body of `checkpoint`.
    static func transparencyLogEntry(
        logIndex: UInt64, logID: [UInt8], canonicalBody: [UInt8], kindVersion: KindVersion,
        inclusionProof: [MerkleHash], checkpoint: String, parsed: SigilTlog.Checkpoint
    ) throws(RekorError) -> TransparencyLogEntry {
        guard logID.count == 32 else {
            throw RekorError(.internalError, "log ID is \(logID.count) bytes, want the 32-byte C2SP key hash")
        }
        guard !canonicalBody.isEmpty else { throw RekorError(.internalError, "the canonical body is empty") }
        guard logIndex < parsed.size else {
            throw RekorError(
                .internalError, "log index \(logIndex) is not below the checkpoint's tree size \(parsed.size)")
        }
        guard let index = Int64(exactly: logIndex), let size = Int64(exactly: parsed.size) else {
            throw RekorError(.internalError, "tree size \(parsed.size) does not fit an int64")
        }
        // SPEC: RFC 9162 §2.1.3.2, as rekor-tiles checks before answering.
        do {
            try Merkle.verifyInclusion(
                leafHash: Merkle.leafHash(canonicalBody), index: logIndex, size: parsed.size, proof: inclusionProof,
                root: parsed.rootHash)
        } catch {
            throw RekorError(
                .internalError, "the inclusion proof for index \(logIndex) does not verify: \(error.reason)")
        }
        return TransparencyLogEntry(
            logIndex: index, logId: LogId(keyId: logID), kindVersion: kindVersion, integratedTime: 0,
            inclusionPromise: nil,
            inclusionProof: InclusionProof(
                logIndex: index, rootHash: parsed.rootHash.bytes, treeSize: size,
                hashes: inclusionProof.map(\.bytes), checkpoint: SigilBundle.Checkpoint(envelope: checkpoint)),
            canonicalizedBody: canonicalBody)
    }

    /// The entry for a validated request, answered by `log` (whose origin the checkpoint must carry).
    public static func transparencyLogEntry(
        for entry: ValidatedRekorEntry, logIndex: UInt64, log: RekorLogIdentity, inclusionProof: [MerkleHash],
        checkpoint: String
    ) throws(RekorError) -> TransparencyLogEntry {
        guard checkpoint.utf8.starts(with: Array((log.origin + "\n").utf8)) else {
            throw RekorError(.internalError, "the checkpoint does not start with the log's origin \"\(log.origin)\"")
        }
        return try transparencyLogEntry(
            logIndex: logIndex, logID: log.logID, canonicalBody: entry.canonicalBody, kindVersion: entry.kindVersion,
            inclusionProof: inclusionProof, checkpoint: checkpoint)
    }

    /// The entry for a validated request, with the checkpoint body already parsed by the log engine that signed
    /// `checkpoint` (its size and root; `parsed` must be the body of `checkpoint`). The proof is still checked.
    public static func transparencyLogEntry(
        for entry: ValidatedRekorEntry, logIndex: UInt64, log: RekorLogIdentity, inclusionProof: [MerkleHash],
        checkpoint: String, parsed: SigilTlog.Checkpoint
    ) throws(RekorError) -> TransparencyLogEntry {
        guard parsed.origin == log.origin else {
            throw RekorError(.internalError, "the checkpoint's origin is not the log's origin \"\(log.origin)\"")
        }
        return try transparencyLogEntry(
            logIndex: logIndex, logID: log.logID, canonicalBody: entry.canonicalBody, kindVersion: entry.kindVersion,
            inclusionProof: inclusionProof, checkpoint: checkpoint, parsed: parsed)
    }

    /// The JSON body: `logIndex`, `logId`, `kindVersion`, `integratedTime` ("0"), `inclusionPromise` (null),
    /// `inclusionProof`, `canonicalizedBody`, in rekor-tiles' order.
    public static func json(_ entry: TransparencyLogEntry) -> [UInt8] {
        entry.protoJSON(emitUnpopulated: true).serialized()
    }

    /// The complete HTTP answer (201, JSON body).
    public static func httpResponse(_ entry: TransparencyLogEntry) -> RekorHTTPResponse {
        RekorHTTPResponse(status: createdStatus, body: json(entry))
    }
}
