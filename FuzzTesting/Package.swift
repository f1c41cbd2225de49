// swift-tools-version: 6.1
// Sigil fuzz targets: a separate package so the main build stays lean (DESIGN.md §5) and so the libFuzzer
// flags never reach anything else. Build and run them with `scripts/fuzz`, which passes
// `-sanitize=fuzzer,address -parse-as-library` to every Swift module, so the Sigil parsers themselves are
// coverage-instrumented (per-target `unsafeFlags` would instrument only the tiny fuzz targets).
//
// Each target is an executable whose `@main` hands `LLVMFuzzerTestOneInput` to libFuzzer's driver. The inputs
// that ever crashed one live in `Tests/Fixtures/fuzz/<target>/`, replayed by `SigilFuzzRegressionTests`.

import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

func sigil(_ product: String) -> Target.Dependency { .product(name: product, package: "Sigil") }

/// A fuzz target: its Sigil library and the libFuzzer driver shim.
func fuzzTarget(_ name: String, _ product: String) -> Target {
    .executableTarget(name: name, dependencies: [sigil(product), "CLibFuzzerDriver"], swiftSettings: strict)
}

let package = Package(
    name: "SigilFuzzTesting",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Sigil", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .target(name: "CLibFuzzerDriver"),
        fuzzTarget("FuzzBundle", "SigilBundle"),
        fuzzTarget("FuzzCheckpoint", "SigilTlog"),
        fuzzTarget("FuzzTimestampResponse", "SigilTimestamp"),
        fuzzTarget("FuzzSCTList", "SigilX509"),
        .executableTarget(
            name: "FuzzP384Verify",
            dependencies: [sigil("SigilX509"), .product(name: "Crypto", package: "swift-crypto"), "CLibFuzzerDriver"],
            swiftSettings: strict
        ),
    ]
)
