// A memo of TSA certificate chains whose signatures swift-certificates has already verified, so that a
// long-lived `TimestampVerifier` checks the signatures of a trusted root's TSA chain (the same bytes for every
// token) once instead of once per token. Written by hand: no allowed package memoises chain validation.
//
// Only the signature work is saved. A chain is recorded only after swift-certificates' `Verifier` accepted it
// (every link's signature verified, every policy met); a later token whose authority lists exactly the same
// certificates (compared byte for byte) still has the whole policy run on that chain at its own genTime
// (validity of every certificate, version, basic and name constraints, the TSA leaf profile). Failures are
// never recorded, so the memo cannot turn a failing chain into a passing one.

import Synchronization
import SwiftASN1
import X509

/// Chains accepted by a full validation, at most `capacity` of them (a trusted root lists a handful of TSAs).
final class VerifiedChainMemo: Sendable {
    static let capacity = 16
    private let chains = Mutex<[UnverifiedCertificateChain]>([])

    /// The recorded chain made of exactly `certificates` (leaf first), if any.
    func chain(of certificates: [Certificate]) -> UnverifiedCertificateChain? {
        chains.withLock { chains in
            chains.first { $0.elementsEqual(certificates) }
        }
    }

    /// Records a chain that a full validation accepted; ignored once `capacity` chains are recorded.
    func record(_ chain: UnverifiedCertificateChain) {
        chains.withLock { chains in
            guard chains.count < Self.capacity, !chains.contains(chain) else { return }
            chains.append(chain)
        }
    }

    /// How many chains are recorded (for tests).
    var count: Int { chains.withLock { $0.count } }
}

/// A policy that accepts everything and remembers the chain `Verifier` evaluates, so the accepted chain can be
/// recorded as the `UnverifiedCertificateChain` value the other policies are run on later (swift-certificates
/// makes these only inside `Verifier`). It adds no rule and handles no critical extension.
struct ChainCapturePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let seen: SeenChains

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        seen.append(chain)
        return .meetsPolicy
    }
}

/// The last chain one `validate` call evaluated: `Verifier` returns as soon as a chain meets the policy, so after
/// a success this is the accepted chain.
final class SeenChains: Sendable {
    private let last = Mutex<UnverifiedCertificateChain?>(nil)

    func append(_ chain: UnverifiedCertificateChain) {
        last.withLock { $0 = chain }
    }

    /// The last evaluated chain, if it is made of exactly the certificates of `validated`.
    func chain(matching validated: ValidatedCertificateChain) -> UnverifiedCertificateChain? {
        last.withLock { chain in
            guard let chain, chain.elementsEqual(validated) else { return nil }
            return chain
        }
    }
}
