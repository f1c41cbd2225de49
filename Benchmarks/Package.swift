// swift-tools-version: 6.1
// Sigil benchmarks: a separate package so the main build stays lean (DESIGN.md §5).
// A plain release-mode executable (lighter to build than ordo-one/benchmark); `scripts/bench-merkle` runs it
// next to `openssl speed` and prints the ratios that BENCHMARKS.md records.

import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SigilBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Sigil", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .executableTarget(
            name: "MerkleBenchmarks",
            dependencies: [
                .product(name: "SigilMerkle", package: "Sigil"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "VerifyBenchmarks",
            dependencies: [
                .product(name: "SigilVerify", package: "Sigil"),
                .product(name: "SigilBundle", package: "Sigil"),
                .product(name: "SigilX509", package: "Sigil"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "IssuanceBenchmarks",
            dependencies: [
                .product(name: "SigilCA", package: "Sigil"),
                .product(name: "SigilCT", package: "Sigil"),
                .product(name: "SigilTSA", package: "Sigil"),
                .product(name: "SigilLog", package: "Sigil"),
                .product(name: "SigilStoreSQLite", package: "Sigil"),
                .product(name: "SigilTimestamp", package: "Sigil"),
                .product(name: "SigilX509", package: "Sigil"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
    ]
)
