// Signs and publishes checkpoints. A log MUST NOT sign two inconsistent checkpoints (c2sp.org/tlog-checkpoint),
// so before the compare-and-swap the publisher proves, from the stored tiles, that the new tree extends the one
// the stored checkpoint signs. The check is cheap (one consistency proof, a few tile reads) and catches an engine
// bug, a corrupted tree state, or a second engine with a different idea of the log, before anything is signed
// into the world.

import SigilMerkle
import SigilTlog

/// A checkpoint the log published: the parsed body and the signed note as served.
public struct PublishedCheckpoint: Hashable, Sendable {
    /// The checkpoint body (origin, size, root hash).
    public let checkpoint: Checkpoint
    /// The signed note, exactly as served at `<prefix>/checkpoint`.
    public let note: [UInt8]

    /// The tree size.
    public var size: UInt64 { checkpoint.size }
    /// The root hash at ``size``.
    public var rootHash: MerkleHash { checkpoint.rootHash }
    /// The signed note as text.
    public var noteText: String { String(decoding: note, as: UTF8.self) }

    /// Parses a stored checkpoint note (without verifying its signature: the engine made it).
    init(note: [UInt8]) throws(LogError) {
        do {
            let signed = try SignedNote(parsing: note)
            self.checkpoint = try Checkpoint(text: signed.text)
            self.note = note
        } catch {
            throw LogError(.corruptStorage, "stored checkpoint note: \(error.reason)")
        }
    }
}

/// Signs checkpoints for one origin and publishes them with a compare-and-swap that only ever extends the tree.
public struct CheckpointPublisher: Sendable {
    /// The checkpoint origin line (the log's identity, e.g. `log.example.com`).
    public let origin: String
    /// The log's signer (Ed25519 for a public log; its key name SHOULD equal the origin).
    public let signer: NoteSigner

    public init(origin: String, signer: NoteSigner) {
        self.origin = origin
        self.signer = signer
    }

    /// Signs a checkpoint for `tree` without publishing it.
    public func sign(_ tree: CompactRange) throws(LogError) -> [UInt8] {
        do {
            let checkpoint = try Checkpoint(origin: origin, size: tree.size, rootHash: tree.root)
            return Array(try checkpoint.sign(with: [signer]).serialized.utf8)
        } catch {
            throw LogError(.signingFailed, "signing checkpoint of size \(tree.size): \(error.reason)")
        }
    }

    /// Publishes `tree` in place of `previous` (what the caller last read from storage; `nil` if none).
    ///
    /// The tiles of `tree` must already be stored. Returns the stored checkpoint, or `nil` when the
    /// compare-and-swap lost to another writer (re-read and retry). Throws
    /// ``LogError/Code-swift.struct/notAnExtension`` when `tree` is smaller than `previous`'s tree, has the same
    /// size and another root, or when the consistency proof built from the stored tiles does not verify between
    /// the two roots (or cannot be built because the tiles are missing or malformed); nothing is stored then.
    /// Throws ``LogError/Code-swift.struct/storageFailure`` when a storage call fails, the consistency check's
    /// tile reads included.
    public func publish(
        _ tree: CompactRange, replacing previous: StoredCheckpoint?, storage: any LogStorage
    ) async throws -> StoredCheckpoint? {
        try await publish(tree, replacing: previous, proofs: TileProofBuilder(storage: storage, treeSize: tree.size))
    }

    func publish(
        _ tree: CompactRange, replacing previous: StoredCheckpoint?, proofs: TileProofBuilder
    ) async throws -> StoredCheckpoint? {
        if let previous {
            let old = try PublishedCheckpoint(note: previous.note)
            // SPEC: c2sp.org/tlog-checkpoint: "a log MUST NOT sign two checkpoints that are not consistent".
            // RFC 9162 §2.1.4.2 consistency verification between the published root and the new one.
            guard old.size <= tree.size else {
                throw LogError(.notAnExtension, "new tree size \(tree.size) is below published size \(old.size)")
            }
            if old.size == tree.size {
                guard old.rootHash == tree.root else {
                    throw LogError(
                        .notAnExtension, "tree of size \(tree.size) has root \(tree.root), published \(old.rootHash)")
                }
            } else if old.size > 0 {
                let proof: [MerkleHash]
                do { proof = try await proofs.consistencyProof(from: old.size) } catch {
                    // A storage call that failed says nothing about the trees: it stays a storage failure (the
                    // caller retries; a service answers 503). Only what the stored tiles say (missing, malformed,
                    // of another tree) is a refusal.
                    throw Self.refusal(error, "cannot prove \(tree.size) extends \(old.size) from stored tiles")
                }
                do {
                    try Merkle.verifyConsistency(
                        size1: old.size, size2: tree.size, root1: old.rootHash, root2: tree.root, proof: proof)
                } catch {
                    throw LogError(
                        .notAnExtension, "tree \(tree.size) does not extend published \(old.size): \(error.reason)")
                }
            }
        }
        let stored = StoredCheckpoint(note: try sign(tree), tree: tree)
        let swapped = try await withStorage("compare-and-swap checkpoint") {
            try await proofs.storage.compareAndSwapCheckpoint(expected: previous, new: stored)
        }
        return swapped ? stored : nil
    }

    private static func refusal(_ error: any Error, _ what: String) -> any Error {
        guard let error = error as? LogError else { return error }
        if error.code == .storageFailure { return error }
        return LogError(.notAnExtension, "\(what): \(error.reason)")
    }
}
