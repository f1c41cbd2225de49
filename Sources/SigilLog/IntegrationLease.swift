// Several engines on one database (DESIGN.md §4, "several front ends"): any engine sequences, but integration
// and checkpoint signing are done by the one engine holding the integration lease; the others follow the
// checkpoints it publishes. The lease only saves work: the checkpoint compare-and-swap and the consistency check
// before signing keep two engines that both integrate (a lease that expired mid-step) correct.

/// What ``LogStorage/acquireIntegrationLease()`` answered.
public struct IntegrationLease: Hashable, Sendable, CustomStringConvertible {
    private let name: String
    private init(_ name: String) { self.name = name }

    /// The storage has one engine (no lease is kept): integrate, and trust the state this engine published.
    public static let exclusive = IntegrationLease("exclusive")
    /// This engine holds the lease (taken or renewed): re-read the published checkpoint, then integrate.
    public static let held = IntegrationLease("held")
    /// Another engine holds it: do not integrate; adopt what it publishes.
    public static let heldElsewhere = IntegrationLease("heldElsewhere")

    public var description: String { name }
}

extension LogStorage {
    /// Storage with one engine keeps no lease.
    public func acquireIntegrationLease() async throws -> IntegrationLease { .exclusive }

    /// Storage with one engine keeps no lease.
    public func releaseIntegrationLease() async throws {}
}
