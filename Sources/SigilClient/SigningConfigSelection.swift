// Which services a signer uses, chosen from a SigningConfig v0.2 exactly as sigstore-python 4.5.1 chooses
// (services.md §1.8, `SigningConfig._get_valid_services`). Pure: "now" is a parameter.

import Foundation
import SigilBundle
import SigilSign

/// The services chosen for one signing run.
public struct SelectedServices: Hashable, Sendable {
    /// The certificate authority (Fulcio) to ask: the first valid one.
    public let certificateAuthority: Service
    /// The transparency log to write to (only the first selected log is used, as sigstore-python does).
    public let transparencyLog: Service
    /// Every selected timestamp authority (all are asked).
    public let timestampAuthorities: [Service]
    /// The OIDC provider for interactive sign-in, if any.
    public let oidcProvider: Service?
}

/// SigningConfig v0.2 service selection.
public enum SigningConfigSelection {
    /// Rekor API versions sigstore-python accepts (1 and 2). Sigil's signer writes only to v2 logs: pass `[2]`
    /// as `rekorVersions` (what `--rekor-version 2` does upstream).
    public static let supportedRekorVersions: [UInt32] = [1, 2]
    /// Fulcio, TSA and OIDC API versions.
    public static let supportedVersions: [UInt32] = [1]

    /// The valid services of `services` at `now` for `versions`:
    ///
    /// 1. drop those whose `majorApiVersion` is not in `versions` or whose `validFor` does not contain `now`
    ///    (`start ≤ now ≤ end`; no `validFor` = always valid);
    /// 2. group by `operator` (operators in first-seen order) and keep the highest `majorApiVersion` of each
    ///    (on a tie, the last one in list order);
    /// 3. apply `configuration`: absent or `ALL` → all; `ANY` → the first; `EXACT` → the first `count`, an error
    ///    when fewer are left.
    public static func validServices(
        _ services: [Service], versions: [UInt32], configuration: ServiceConfiguration?, at now: Date, kind: String
    ) throws(SignError) -> [Service] {
        // SPEC: sigstore-python models.py SigningConfig._get_valid_services, step 1.
        let valid = services.filter { service in
            guard versions.contains(service.majorApiVersion) else { return false }
            guard let window = service.validFor else { return true }
            guard date(window.start) <= now else { return false }
            if let end = window.end, now > date(end) { return false }
            return true
        }
        // Step 2: a stable sort by version, then the last per operator wins; operators keep first-seen order.
        var operators: [String] = []
        var best: [String: Service] = [:]
        for service in valid {
            if best[service.operator] == nil { operators.append(service.operator) }
            if let current = best[service.operator], current.majorApiVersion > service.majorApiVersion { continue }
            best[service.operator] = service
        }
        let grouped = operators.compactMap { best[$0] }
        // Step 3: the selector.
        let selector = configuration?.selector ?? .all
        switch selector {
        case .any:
            return Array(grouped.prefix(1))
        case .exact:
            let count = Int(configuration?.count ?? 0)
            guard grouped.count >= count else {
                throw SignError(
                    .noService, "expected \(count) valid \(kind) services for EXACT selection, found \(grouped.count)")
            }
            return Array(grouped.prefix(count))
        case .all, .undefined:
            return grouped
        default:
            throw SignError(.invalidConfiguration, "unknown \(kind) selector \(selector.name)")
        }
    }

    /// The services for a signing run at `now`. Throws `noService` when no CA or no Rekor log is valid.
    public static func select(
        _ config: SigningConfig, at now: Date, rekorVersions: [UInt32] = supportedRekorVersions
    ) throws(SignError) -> SelectedServices {
        guard config.mediaType == SigningConfig.mediaTypeV0_2 else {
            throw SignError(
                .invalidConfiguration,
                "expected signing config media type \(SigningConfig.mediaTypeV0_2), got \(config.mediaType)")
        }
        let cas = try validServices(
            config.caUrls, versions: supportedVersions, configuration: nil, at: now, kind: "Fulcio")
        guard let ca = cas.first else {
            throw SignError(.noService, "no valid Fulcio CA found in the signing config")
        }
        let logs = try validServices(
            config.rekorTlogUrls, versions: rekorVersions, configuration: config.rekorTlogConfig, at: now, kind: "Rekor")
        guard let log = logs.first else {
            throw SignError(.noService, "no valid Rekor transparency log found in the signing config")
        }
        let tsas = try validServices(
            config.tsaUrls, versions: supportedVersions, configuration: config.tsaConfig, at: now, kind: "TSA")
        let oidc = try validServices(
            config.oidcUrls, versions: supportedVersions, configuration: nil, at: now, kind: "OIDC")
        return SelectedServices(
            certificateAuthority: ca, transparencyLog: log, timestampAuthorities: tsas, oidcProvider: oidc.first)
    }

    static func date(_ timestamp: ProtoTimestamp) -> Date {
        Date(timeIntervalSince1970: TimeInterval(timestamp.seconds) + TimeInterval(timestamp.nanos) / 1_000_000_000)
    }
}
