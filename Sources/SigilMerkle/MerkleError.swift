// Errors of proof verification and building: a struct with an extensible code (STYLE.md habit 6).

/// Why a Merkle proof did not verify or could not be built. Tests match on `code`; `reason` says what was
/// expected and what was found.
public struct MerkleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case indexOutOfRange, sizesOutOfOrder, wrongProofSize, rootMismatch, firstRootMismatch,
                secondRootMismatch, malformedHash, nodeUnavailable, sizeTooLarge
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The leaf index is not below the tree size.
        public static let indexOutOfRange = Code(.indexOutOfRange)
        /// A consistency proof was asked from a larger tree to a smaller one.
        public static let sizesOutOfOrder = Code(.sizesOutOfOrder)
        /// The proof has more or fewer hashes than the tree shape requires.
        public static let wrongProofSize = Code(.wrongProofSize)
        /// The inclusion proof recomputes a different root than the one expected.
        public static let rootMismatch = Code(.rootMismatch)
        /// The consistency proof's hashes do not rebuild the smaller tree's root. Only reported when the smaller
        /// size is not a power of two: otherwise the smaller root is itself the start of the path (see
        /// ``Merkle/verifyConsistency(size1:size2:root1:root2:proof:)``).
        public static let firstRootMismatch = Code(.firstRootMismatch)
        /// The consistency proof, with the smaller root, does not rebuild the larger tree's root; also reported
        /// for two trees of equal size whose roots differ.
        public static let secondRootMismatch = Code(.secondRootMismatch)
        /// A proof element or root read from outside is not a 32-byte hash (``MerkleHash/init(validating:as:)``).
        public static let malformedHash = Code(.malformedHash)
        /// Building a proof needed a node the reader could not supply. Readers throw it; the proof builders pass
        /// whatever the reader throws through unchanged.
        public static let nodeUnavailable = Code(.nodeUnavailable)
        /// A tree size is beyond what the operation supports (``CompactRange/maximumRestoredSize``).
        public static let sizeTooLarge = Code(.sizeTooLarge)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "Merkle proof: \(code): \(reason)" }
}
