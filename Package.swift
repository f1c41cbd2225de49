// swift-tools-version: 6.1
// Sigil: the Sigstore system in Swift. Target layout and import rules: DESIGN.md §5
// (mirrored by `Tests/SigilArchitectureTests`, which fails when an import leaves its row).

import PackageDescription

/// One set of strict settings for every target (STYLE.md habit 15).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let propertyBased: Target.Dependency = .product(name: "PropertyBased", package: "swift-property-based")
let jwtKit: Target.Dependency = .product(name: "JWTKit", package: "jwt-kit")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting: Target.Dependency = .product(name: "HummingbirdTesting", package: "hummingbird")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let postgresNIO: Target.Dependency = .product(name: "PostgresNIO", package: "postgres-nio")

let package = Package(
    name: "Sigil",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SigilMerkle", targets: ["SigilMerkle"]),
        .library(name: "SigilTlog", targets: ["SigilTlog"]),
        .library(name: "SigilBundle", targets: ["SigilBundle"]),
        .library(name: "SigilX509", targets: ["SigilX509"]),
        .library(name: "SigilTimestamp", targets: ["SigilTimestamp"]),
        .library(name: "SigilVerify", targets: ["SigilVerify"]),
        // For Benchmarks/ (IssuanceBenchmarks): the CA, CT and TSA cores and the log engine with its SQLite driver.
        .library(name: "SigilLog", targets: ["SigilLog"]),
        .library(name: "SigilStoreSQLite", targets: ["SigilStoreSQLite"]),
        .library(name: "SigilCT", targets: ["SigilCT"]),
        .library(name: "SigilCA", targets: ["SigilCA"]),
        .library(name: "SigilTSA", targets: ["SigilTSA"]),
        .executable(name: "sigil", targets: ["SigilCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Layer 0: pure formats and maths (no I/O, no clock reads).
        .target(name: "SigilMerkle", dependencies: [crypto], swiftSettings: strict),
        .target(name: "SigilTlog", dependencies: ["SigilMerkle", crypto, asn1], swiftSettings: strict),
        .target(name: "SigilBundle", dependencies: ["SigilTlog", "SigilMerkle", crypto], swiftSettings: strict),
        .target(name: "SigilX509", dependencies: [crypto, asn1, x509], swiftSettings: strict),
        .target(name: "SigilTimestamp", dependencies: ["SigilX509", crypto, asn1, x509], swiftSettings: strict),

        // Layer 1: the offline verifier.
        .target(
            name: "SigilVerify",
            dependencies: ["SigilBundle", "SigilMerkle", "SigilTimestamp", "SigilTlog", "SigilX509", crypto, asn1, x509],
            swiftSettings: strict
        ),

        // Layer 2: the generic tile log engine (storage behind one protocol).
        .target(name: "SigilLog", dependencies: ["SigilMerkle", "SigilTlog", crypto, logging], swiftSettings: strict),

        .target(name: "SigilStoreSQLite", dependencies: ["SigilLog", "SigilMerkle", "SigilTlog", grdb, logging], swiftSettings: strict),
        .target(
            name: "SigilStorePostgres",
            dependencies: ["SigilLog", "SigilMerkle", "SigilTlog", postgresNIO, logging],
            swiftSettings: strict
        ),

        // Layer 3: what entries and certificates mean.
        .target(
            name: "SigilRekor",
            dependencies: ["SigilBundle", "SigilMerkle", "SigilTlog", "SigilX509", crypto, asn1, x509],
            swiftSettings: strict
        ),
        .target(
            name: "SigilCT",
            dependencies: ["SigilX509", "SigilLog", "SigilMerkle", "SigilTlog", crypto, asn1, x509, logging],
            swiftSettings: strict
        ),
        .target(
            name: "SigilCA",
            dependencies: ["SigilCT", "SigilX509", "SigilBundle", "SigilTlog", crypto, asn1, x509, jwtKit],
            swiftSettings: strict
        ),
        .target(
            name: "SigilTSA",
            dependencies: ["SigilTimestamp", "SigilX509", crypto, asn1, x509],
            swiftSettings: strict
        ),

        .target(
            name: "SigilSign",
            dependencies: [
                "SigilBundle", "SigilVerify", "SigilX509", "SigilTimestamp", "SigilTlog", "SigilMerkle", crypto, asn1, x509,
                logging,
            ],
            swiftSettings: strict
        ),

        // Layer 4: wiring. HTTP servers (Hummingbird) and HTTP clients (AsyncHTTPClient).
        .target(
            name: "SigilServer",
            dependencies: [
                "SigilLog", "SigilRekor", "SigilCA", "SigilCT", "SigilTSA", "SigilBundle", "SigilTlog", "SigilX509",
                "SigilTimestamp", "SigilMerkle", crypto, asn1, x509, hummingbird, prometheus, metrics, serviceLifecycle, logging,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SigilClient",
            dependencies: [
                "SigilBundle", "SigilCA", "SigilSign", "SigilTimestamp", "SigilX509", "SigilTlog", crypto, x509,
                asyncHTTPClient, logging,
            ],
            swiftSettings: strict
        ),

        // Layer 5: the `sigil` executable.
        .executableTarget(
            name: "SigilCLI",
            dependencies: [
                "SigilMerkle", "SigilTlog", "SigilBundle", "SigilVerify", "SigilX509", "SigilServer", "SigilClient",
                "SigilLog", "SigilStoreSQLite", "SigilStorePostgres", "SigilRekor", "SigilCA", "SigilCT", "SigilTSA", "SigilTimestamp",
                "SigilSign", argumentParser, serviceLifecycle, logging,
            ],
            exclude: ["Resources/README.md"],
            resources: [.copy("Resources/production-trusted-root.json"), .copy("Resources/staging-trusted-root.json")],
            swiftSettings: strict
        ),

        // Test support: never linked into a product.
        .target(
            name: "SigilTesting",
            dependencies: [
                "SigilMerkle", "SigilSign", "SigilCA", "SigilCT", "SigilTSA", "SigilLog", "SigilRekor", "SigilBundle",
                "SigilTlog", "SigilX509", "SigilTimestamp", crypto, x509,
            ],
            swiftSettings: strict
        ),

        // Test support for tests that run services or the `sigil` binary: HTTP, processes, log clients.
        .target(
            name: "SigilServiceTesting",
            dependencies: ["SigilBundle", "SigilMerkle", "SigilTlog", "SigilTesting", crypto, asyncHTTPClient],
            swiftSettings: strict
        ),

        .testTarget(
            name: "SigilMerkleTests",
            dependencies: ["SigilMerkle", "SigilTesting", propertyBased],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilTlogTests",
            dependencies: ["SigilTlog", "SigilMerkle", "SigilTesting", crypto],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilBundleTests",
            dependencies: ["SigilBundle", "SigilTlog", "SigilTesting", crypto],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilX509Tests",
            dependencies: ["SigilX509", "SigilTesting", crypto, asn1, x509],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilTimestampTests",
            dependencies: ["SigilTimestamp", "SigilTesting", crypto, asn1, x509],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilVerifyTests",
            dependencies: ["SigilVerify", "SigilBundle", "SigilTesting", "SigilX509", "SigilTimestamp", "SigilTlog", crypto, x509],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilLogTests",
            dependencies: ["SigilLog", "SigilMerkle", "SigilTlog", "SigilTesting", crypto, propertyBased],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilRekorTests",
            dependencies: [
                "SigilRekor", "SigilBundle", "SigilMerkle", "SigilTlog", "SigilX509", "SigilVerify", "SigilTesting", crypto,
                asn1, x509,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilCATests",
            dependencies: [
                "SigilCA", "SigilCT", "SigilX509", "SigilVerify", "SigilBundle", "SigilTlog", "SigilLog", "SigilMerkle",
                "SigilStoreSQLite", "SigilTesting", "SigilServiceTesting", crypto, asn1, x509, jwtKit,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilTSATests",
            dependencies: ["SigilTSA", "SigilTimestamp", "SigilX509", "SigilTesting", crypto, asn1, x509],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilFuzzRegressionTests",
            dependencies: ["SigilBundle", "SigilTlog", "SigilTimestamp", "SigilX509", "SigilTesting", crypto],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilStoreSQLiteTests",
            dependencies: ["SigilStoreSQLite", "SigilLog", "SigilMerkle", "SigilTlog", "SigilTesting", crypto, grdb],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilStorePostgresTests",
            dependencies: [
                "SigilStorePostgres", "SigilLog", "SigilMerkle", "SigilTlog", "SigilBundle", "SigilTesting", "SigilServiceTesting", crypto,
                postgresNIO, logging, asyncHTTPClient,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilServerTests",
            dependencies: [
                "SigilServer", "SigilClient", "SigilLog", "SigilRekor", "SigilCA", "SigilTSA", "SigilBundle", "SigilVerify",
                "SigilTimestamp", "SigilX509", "SigilTlog", "SigilMerkle", "SigilTesting", "SigilServiceTesting", crypto, x509, hummingbird,
                hummingbirdTesting, asyncHTTPClient,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SigilSignTests",
            dependencies: [
                "SigilSign", "SigilClient", "SigilVerify", "SigilBundle", "SigilTesting", "SigilServiceTesting", "SigilX509", "SigilTimestamp", "SigilCT",
                "SigilCA", "SigilRekor", "SigilTSA", "SigilTlog", crypto, asn1, x509,
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "SigilCLITests", dependencies: ["SigilTesting", "SigilServiceTesting", "SigilBundle"], swiftSettings: strict),
        .testTarget(name: "SigilArchitectureTests", dependencies: ["SigilTesting"], swiftSettings: strict),
    ]
)
