// libFuzzer target for the SigilBundle JSON parsers: a Sigstore bundle, a trusted root and a Rekor entry body
// (the `canonicalizedBody` of a log entry) read from the same bytes.
//
// Invariants checked on every input:
// - no parser traps (bounds, overflow, force unwrap): libFuzzer and ASan report those as crashes;
// - every failure is a `BundleError` (the module's one error type), never some other error;
// - what parses, serialises to bytes that parse back to an equal value.

import CLibFuzzerDriver
import SigilBundle

@main
enum FuzzBundleMain {
    static func main() {
        sigil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
            guard let data else { return 0 }
            return fuzz(data, size)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let bundle: SigstoreBundle = parsed({ try SigstoreBundle.parse(bytes) }) {
        let again: SigstoreBundle? = parsed({ try SigstoreBundle.parse(bundle.jsonBytes()) })
        check(again == bundle, "SigstoreBundle does not survive serialise then parse")
    }
    if let root: TrustedRoot = parsed({ try TrustedRoot.parse(bytes) }) {
        let again: TrustedRoot? = parsed({ try TrustedRoot.parse(root.jsonBytes()) })
        check(again == root, "TrustedRoot does not survive serialise then parse")
    }
    if let body: RekorEntryBody = parsed({ try RekorEntryBody.parse(bytes) }) {
        let again: RekorEntryBody? = parsed({ try RekorEntryBody.parse(body.canonicalBody) })
        check(again == body, "RekorEntryBody does not survive serialise then parse")
    }
    return 0
}

/// The parsed value, nil for a `BundleError`; any other error is a finding.
private func parsed<T>(_ parse: () throws -> T) -> T? {
    do {
        return try parse()
    } catch is BundleError {
        return nil
    } catch {
        fatalError("parser threw \(type(of: error)), not BundleError: \(error)")
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
