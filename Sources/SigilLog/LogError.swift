// Errors of the tile log engine and its storage: a struct with an extensible code (STYLE.md habit 6).

/// Why a log operation failed. Tests and the HTTP error mapper match on `code`; `reason` says what was expected
/// and what was found.
public struct LogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case storageFailure, entryTooLarge, malformedIdentity, pushback, stopped, notAnExtension,
                indexOutOfRange, corruptStorage, signingFailed, injectedFault
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A storage call threw (I/O, connection, constraint). Nothing that call would have acknowledged was
        /// acknowledged; the caller may retry. Services answer 503.
        public static let storageFailure = Code(.storageFailure)
        /// The entry is larger than an entry bundle can hold (65,535 bytes) or than the configured limit.
        public static let entryTooLarge = Code(.entryTooLarge)
        /// The dedup identity is empty or longer than ``LogEntry/maxIdentityBytes``.
        public static let malformedIdentity = Code(.malformedIdentity)
        /// Too many entries are waiting to be sequenced; retry later. Services answer 503.
        public static let pushback = Code(.pushback)
        /// The engine is shut down (or stopped after repeated storage failures) and accepts no more work.
        public static let stopped = Code(.stopped)
        /// A checkpoint was refused because its tree does not extend the last published one.
        public static let notAnExtension = Code(.notAnExtension)
        /// The index (or tree size) is beyond what the log has sequenced or integrated.
        public static let indexOutOfRange = Code(.indexOutOfRange)
        /// Stored data contradicts itself: a tile or bundle is missing or malformed, or the stored tree state
        /// does not match the stored checkpoint.
        public static let corruptStorage = Code(.corruptStorage)
        /// Signing the checkpoint failed.
        public static let signingFailed = Code(.signingFailed)
        /// A fault injected by ``FaultInjectingLogStorage`` (tests only).
        public static let injectedFault = Code(.injectedFault)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "log: \(code): \(reason)" }
}
