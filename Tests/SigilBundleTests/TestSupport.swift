import SigilBundle
import SigilTesting
import Testing

/// A step in a JSON path for test mutations.
enum Step {
    case key(String)
    case index(Int)
}

extension JSONValue {
    /// The value at `path`, replaced by `transform` (nil result removes an object member).
    func replacing(_ path: [Step], _ transform: (JSONValue?) -> JSONValue?) -> JSONValue {
        guard let first = path.first else { return transform(self) ?? .null }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(let object), .key(let name)):
            var out = JSONObject()
            var found = false
            for member in object.members {
                if member.name == name {
                    found = true
                    if rest.isEmpty {
                        if let new = transform(member.value) { out.insert(name, new) }
                    } else {
                        out.insert(name, member.value.replacing(rest, transform))
                    }
                } else {
                    out.insert(member.name, member.value)
                }
            }
            if !found && rest.isEmpty, let new = transform(nil) { out.insert(name, new) }
            return .object(out)
        case (.array(var elements), .index(let position)):
            elements[position] = rest.isEmpty ? (transform(elements[position]) ?? .null) : elements[position].replacing(rest, transform)
            return .array(elements)
        default:
            return self
        }
    }

    func setting(_ path: [Step], to value: JSONValue?) -> JSONValue { replacing(path) { _ in value } }

    /// Every object member renamed to its snake_case proto name, except inside subtrees named in `keep`.
    func snakeCased(keeping keep: Set<String> = ["dsseEnvelope"]) -> JSONValue {
        switch self {
        case .object(let object):
            var out = JSONObject()
            for member in object.members {
                let value = keep.contains(member.name) ? member.value : member.value.snakeCased(keeping: keep)
                out.insert(ProtoJSONObject.snakeCase(member.name), value)
            }
            return .object(out)
        case .array(let elements):
            return .array(elements.map { $0.snakeCased(keeping: keep) })
        default:
            return self
        }
    }
}

/// Runs `body` and returns the BundleError it throws (recording an issue when it does not throw).
func expectBundleError(_ code: BundleError.Code, _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) -> BundleError? {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown \(comment)", sourceLocation: sourceLocation)
    } catch let error as BundleError {
        #expect(error.code == code, "\(comment) \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error) \(comment)", sourceLocation: sourceLocation)
    }
    return nil
}

enum BundleFixtures {
    /// Every bundle file under sigstore-public (relative paths).
    static let bundles: [String] = [
        "sigstore-public/a.dsse.staging-rekor-v2.txt.sigstore.json",
        "sigstore-public/bundle.txt.sigstore",
        "sigstore-public/bundle_cve_2022_36056.txt.sigstore",
        "sigstore-public/bundle_no_cert_v1.txt.sigstore",
        "sigstore-public/bundle_no_log_entry.txt.sigstore",
        "sigstore-public/bundle_v3.txt.sigstore",
        "sigstore-public/bundle_v3_github.whl.sigstore",
        "sigstore-public/bundle_v3_no_signed_time.txt.sigstore.json",
        "sigstore-public/staging-rekor-v2.txt.sigstore.json",
        "sigstore-public/integration/Python-3.12.5.tgz.sigstore",
        "sigstore-public/tsa/bundle.txt.sigstore",
        "sigstore-public/tsa/bundle.txt.late_timestamp.sigstore",
    ]

    /// The extra real bundles in `Tests/Fixtures/bundle/`.
    static let extra: [String] = [
        "bundle/bundle_v3_alt.txt.sigstore",
        "bundle/sigstore-3.1.0.sigstore.json",
        "bundle/model-signing-dsse-v001.sigstore.json",
    ]

    static func json(_ path: String) throws -> JSONValue { try JSONValue.parse(try Fixtures.bytes(path)) }
}
