// libFuzzer target for the SigilX509 RFC 6962 SCT list parsers: the bytes as a TLS
// `SignedCertificateTimestampList` and as the certificate extension value (a DER OCTET STRING around it).
//
// Invariants checked on every input: no trap (errors are `X509Error` by the parsers' typed throws), every
// parsed list is non-empty, and a list read from an extension value equals the TLS parse of its contents.

import CLibFuzzerDriver
import SigilX509

@main
enum FuzzSCTListMain {
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
    if let list = try? SignedCertificateTimestampList.parse(tls: bytes) {
        check(!list.isEmpty, "an empty SCT list parsed")
    }
    if let list = try? SignedCertificateTimestampList.parse(extensionValue: bytes) {
        check(!list.isEmpty, "an empty SCT list parsed from an extension value")
        // The DER OCTET STRING header is the tag and the length octets: short form below 128, else 0x80 + n
        // followed by n length bytes.
        guard bytes.count >= 2 else { fatalError("an extension value of \(bytes.count) bytes parsed") }
        let header = bytes[1] < 0x80 ? 2 : 2 + Int(bytes[1] & 0x7F)
        let contents = try? SignedCertificateTimestampList.parse(tls: bytes.dropFirst(header))
        check(contents.map { $0 == list } ?? false, "extension value and TLS parse disagree")
    }
    return 0
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
