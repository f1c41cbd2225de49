// libFuzzer target for the SigilTimestamp RFC 3161 parsers: the bytes as a TimeStampResp (what a TSA
// answers) and as a TimeStampToken (what a Sigstore bundle's `signedTimestamp` usually holds), both through
// the hand-written CMS SignedData subset.
//
// Invariants checked on every input: no trap (errors are `TimestampError` by the parsers' typed throws),
// and a parsed value keeps the exact DER it came from.

import CLibFuzzerDriver
import SigilTimestamp

@main
enum FuzzTimestampResponseMain {
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
    if let response = try? TimeStampResp(derEncoded: bytes), let token = response.timeStampToken {
        check(TimeStampToken.reparses(token), "the token inside a TimeStampResp does not parse on its own")
    }
    if let token = try? TimeStampToken(derEncoded: bytes) {
        check(token.derBytes == bytes, "TimeStampToken.derBytes differs from its input")
        check(token.tstInfo.derBytes.count <= bytes.count, "TSTInfo larger than the token holding it")
    }
    return 0
}

extension TimeStampToken {
    fileprivate static func reparses(_ token: TimeStampToken) -> Bool {
        (try? TimeStampToken(derEncoded: token.derBytes)) == token
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
