// SigningConfig v0.2 service selection, row by row as services.md §1.8 states sigstore-python's rules:
// validFor windows at an injected now, supported majorApiVersion, highest version per operator, ALL/ANY/EXACT.

import Foundation
import SigilBundle
import SigilClient
import SigilSign
import Testing

private func at(_ text: String) throws -> ProtoTimestamp { try ProtoTimestamp(rfc3339: text) }
private func date(_ text: String) throws -> Date {
    let stamp = try at(text)
    return Date(timeIntervalSince1970: TimeInterval(stamp.seconds))
}

private func service(
    _ url: String, _ version: UInt32 = 1, op: String = "a", from: String? = "2026-01-01T00:00:00Z", to: String? = nil
) throws -> Service {
    let window: TimeRange? = try from.map { TimeRange(start: try at($0), end: try to.map(at)) }
    return Service(url: url, majorApiVersion: version, validFor: window, operator: op)
}

/// One row: the services, the versions a client speaks, the selector, "now", and the URLs expected (nil: the
/// selection must fail with `noService`).
struct SelectionRow: Sendable, CustomTestStringConvertible {
    let name: String
    let services: [Service]
    let versions: [UInt32]
    let configuration: ServiceConfiguration?
    let now: String
    let expected: [String]?
    var testDescription: String { name }
}

private func rows() throws -> [SelectionRow] {
    let mid = "2026-06-01T00:00:00Z"
    return [
        SelectionRow(
            name: "no validFor is always valid", services: [try service("u1", from: nil)], versions: [1],
            configuration: nil, now: mid, expected: ["u1"]),
        SelectionRow(
            name: "start after now is not yet valid", services: [try service("u1", from: "2026-07-01T00:00:00Z")],
            versions: [1], configuration: nil, now: mid, expected: []),
        SelectionRow(
            name: "start equal to now is valid", services: [try service("u1", from: mid)], versions: [1],
            configuration: nil, now: mid, expected: ["u1"]),
        SelectionRow(
            name: "end before now has expired", services: [try service("u1", to: "2026-05-31T23:59:59Z")],
            versions: [1], configuration: nil, now: mid, expected: []),
        SelectionRow(
            name: "end equal to now is still valid", services: [try service("u1", to: mid)], versions: [1],
            configuration: nil, now: mid, expected: ["u1"]),
        SelectionRow(
            name: "an unsupported major version is dropped",
            services: [try service("v2", 2), try service("v1", 1, op: "b")], versions: [1], configuration: nil,
            now: mid, expected: ["v1"]),
        SelectionRow(
            name: "the highest version per operator wins, whatever the list order",
            services: [try service("v1", 1), try service("v2", 2)], versions: [1, 2], configuration: nil,
            now: mid, expected: ["v2"]),
        SelectionRow(
            name: "the highest version per operator wins when listed first",
            services: [try service("v2", 2), try service("v1", 1)], versions: [1, 2], configuration: nil,
            now: mid, expected: ["v2"]),
        SelectionRow(
            name: "on a version tie the last of an operator wins",
            services: [try service("first"), try service("second")], versions: [1], configuration: nil, now: mid,
            expected: ["second"]),
        SelectionRow(
            name: "operators keep first-seen order",
            services: [try service("b1", op: "b"), try service("a1", op: "a"), try service("b2", op: "b")],
            versions: [1], configuration: nil, now: mid, expected: ["b2", "a1"]),
        SelectionRow(
            name: "an expired newer version leaves the older one",
            services: [try service("v1", 1), try service("v2", 2, to: "2026-02-01T00:00:00Z")], versions: [1, 2],
            configuration: nil, now: mid, expected: ["v1"]),
        SelectionRow(
            name: "ALL keeps every operator",
            services: [try service("a", op: "a"), try service("b", op: "b"), try service("c", op: "c")],
            versions: [1], configuration: ServiceConfiguration(selector: .all), now: mid,
            expected: ["a", "b", "c"]),
        SelectionRow(
            name: "ANY keeps the first",
            services: [try service("a", op: "a"), try service("b", op: "b")], versions: [1],
            configuration: ServiceConfiguration(selector: .any), now: mid, expected: ["a"]),
        SelectionRow(
            name: "EXACT 2 keeps the first two",
            services: [try service("a", op: "a"), try service("b", op: "b"), try service("c", op: "c")],
            versions: [1], configuration: ServiceConfiguration(selector: .exact, count: 2), now: mid,
            expected: ["a", "b"]),
        SelectionRow(
            name: "EXACT counts operators, not entries",
            services: [try service("a1", op: "a"), try service("a2", op: "a")], versions: [1],
            configuration: ServiceConfiguration(selector: .exact, count: 2), now: mid, expected: nil),
        SelectionRow(
            name: "EXACT with fewer valid services fails",
            services: [try service("a", op: "a"), try service("b", op: "b", from: "2027-01-01T00:00:00Z")],
            versions: [1], configuration: ServiceConfiguration(selector: .exact, count: 2), now: mid, expected: nil),
    ]
}

@Suite("SigningConfig v0.2 service selection")
struct SigningConfigSelectionTests {
    @Test("the selection table has rows")
    func tableLoaded() throws { #expect(try rows().count > 10) }

    @Test("each row selects what sigstore-python selects", arguments: try rows())
    func row(_ row: SelectionRow) throws {
        let now = try date(row.now)
        if let expected = row.expected {
            let selected = try SigningConfigSelection.validServices(
                row.services, versions: row.versions, configuration: row.configuration, at: now, kind: "test")
            #expect(selected.map(\.url) == expected)
        } else {
            #expect {
                _ = try SigningConfigSelection.validServices(
                    row.services, versions: row.versions, configuration: row.configuration, at: now, kind: "test")
            } throws: { ($0 as? SignError)?.code == .noService }
        }
    }

    @Test("a whole config picks the first CA, the first log, every selected TSA, and refuses Fulcio v2")
    func wholeConfig() throws {
        let now = try date("2026-06-01T00:00:00Z")
        var config = SigningConfig(
            caUrls: [try service("https://fulcio-v2", 2), try service("https://fulcio", 1, op: "b")],
            oidcUrls: [try service("https://oidc")],
            rekorTlogUrls: [try service("https://rekor-v1", 1, op: "x"), try service("https://rekor-v2", 2, op: "y")],
            rekorTlogConfig: ServiceConfiguration(selector: .any),
            tsaUrls: [try service("https://tsa1/api/v1/timestamp", op: "t1"), try service("https://tsa2", op: "t2")],
            tsaConfig: nil)
        let selected = try SigningConfigSelection.select(config, at: now)
        #expect(selected.certificateAuthority.url == "https://fulcio")
        #expect(selected.transparencyLog.url == "https://rekor-v1")
        #expect(selected.timestampAuthorities.map(\.url) == ["https://tsa1/api/v1/timestamp", "https://tsa2"])
        #expect(selected.oidcProvider?.url == "https://oidc")
        // Sigil writes only to v2 logs.
        #expect(try SigningConfigSelection.select(config, at: now, rekorVersions: [2]).transparencyLog.url == "https://rekor-v2")

        config.caUrls = [try service("https://fulcio-v2", 2)]
        #expect {
            _ = try SigningConfigSelection.select(config, at: now)
        } throws: { ($0 as? SignError)?.code == .noService }
        config.caUrls = [try service("https://fulcio")]
        config.rekorTlogUrls = [try service("https://rekor", 2, from: "2027-01-01T00:00:00Z")]
        #expect {
            _ = try SigningConfigSelection.select(config, at: now)
        } throws: { ($0 as? SignError)?.code == .noService }
        config.mediaType = "application/vnd.dev.sigstore.signingconfig.v0.1+json"
        #expect {
            _ = try SigningConfigSelection.select(config, at: now)
        } throws: { ($0 as? SignError)?.code == .invalidConfiguration }
    }
}
