// swift-tools-version: 6.2
//
// telemetryd — IoT telemetry ingestion daemon.
//
// Layering (each layer depends only on the ones above it; InternalImportsByDefault makes
// every re-export explicit, and `package` access keeps cross-target internals out of the
// library product, whose `public` API is TelemetryCore's alone):
//   TelemetryCore       pure: decoding, ring, windows, the rollup format's one home (JSON and
//                       CSV writers, the JSON lexer). No I/O, no C imports, no Foundation.
//   TelemetryStorage    files: data-directory layout, rollup/dead-letter sinks, reading rollup
//                       files back, retention; debug thread-confinement checks.
//   TelemetryMQTT       the libmosquitto client (CMosquitto is the C module); independent of the rest.
//   TelemetryDaemon     configuration, capture replay, the ingest pipeline and the live
//                       ServiceGroup that ties them together (with the Prometheus endpoint).
//   TelemetryInspect    what `telemetryctl` shows: queries, series, charts, status.
//   TelemetrySimulator  a deterministic simulated fleet of Vietnamese sensor sites.
//   TelemetryCommandLine  what the three executables share: their `main` (did-you-mean).
// Executables (`telemetryd`, `telemetryctl`, `telemetry-sim`) only parse arguments and call in.

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // An import is internal unless it says otherwise: what a target exposes of another
    // module is written down (`package import`/`public import`) and checked by the compiler.
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The pure core is the measured hot path (decode, ring, aggregation, rollup encoding). Its
// classes are mutated through stored properties many times per message, and Swift's runtime
// exclusivity checks (`swift_beginAccess`) were 9–15 % of a dense replay's profile (measured
// with ordo-one/benchmark: decode −26 %, aggregation −53 % without them). Release builds of
// TelemetryCore turn the runtime checks off; debug builds — every test run — keep them, so an
// overlapping access still traps under test. Static (compile-time) checks are unaffected.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "telemetryd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "telemetryd", targets: ["telemetryd"]),
        .executable(name: "telemetryctl", targets: ["telemetryctl"]),
        .executable(name: "telemetry-sim", targets: ["telemetry-sim"]),
        .library(name: "TelemetryCore", targets: ["TelemetryCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(
            url: "https://github.com/apple/swift-configuration", from: "1.4.0",
            traits: [.defaults, "YAML"]),
        // swift-configuration's own YAML parser, used directly only to list a file's keys
        // (ConfigurationFileKeys), which the provider does not expose.
        .package(url: "https://github.com/jpsim/Yams", "5.4.0"..<"7.0.0"),
        // Prometheus /metrics (README, "Monitoring"): the exposition format, and the HTTP
        // server it is served by (FlyingFox: no SwiftNIO, the smaller build).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .target(
            name: "TelemetryCore",
            swiftSettings: strictSettings + hotPathSettings),
        .target(
            name: "TelemetryStorage",
            dependencies: ["TelemetryCore", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strictSettings),
        .target(
            name: "TelemetryDaemon",
            dependencies: [
                "TelemetryCore", "TelemetryStorage", "TelemetryMQTT",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            swiftSettings: strictSettings),
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .target(
            name: "TelemetryMQTT",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "TelemetryInspect",
            dependencies: ["TelemetryCore", "TelemetryStorage"],
            swiftSettings: strictSettings),
        .target(
            name: "TelemetrySimulator",
            dependencies: ["TelemetryCore"],
            path: "simulator/Sources/TelemetrySimulator",
            swiftSettings: strictSettings),
        .target(
            name: "TelemetryCommandLine",
            dependencies: ["TelemetryCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "telemetryd",
            dependencies: [
                "TelemetryDaemon", "TelemetryCore", "TelemetryStorage", "TelemetryCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "telemetryctl",
            dependencies: [
                "TelemetryInspect", "TelemetryStorage", "TelemetryCore", "TelemetryCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "telemetry-sim",
            dependencies: [
                "TelemetrySimulator", "TelemetryMQTT", "TelemetryCore", "TelemetryCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "simulator/Sources/telemetry-sim",
            swiftSettings: strictSettings),
        .target(
            name: "TelemetryTestSupport",
            dependencies: ["TelemetryCore", "TelemetryStorage"],
            path: "Tests/TelemetryTestSupport",
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetryCoreTests", dependencies: ["TelemetryCore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetryStorageTests", dependencies: ["TelemetryStorage", "TelemetryCore", "TelemetryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetryDaemonTests",
            dependencies: [
                "TelemetryDaemon", "TelemetryCore", "TelemetryStorage", "TelemetrySimulator", "TelemetryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetryMQTTTests",
            dependencies: ["TelemetryMQTT", "TelemetryTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetryInspectTests",
            dependencies: ["TelemetryInspect", "TelemetryCore", "TelemetryStorage", "TelemetryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelemetrySimulatorTests", dependencies: ["TelemetrySimulator", "TelemetryCore"],
            swiftSettings: strictSettings),
    ]
)

// libFuzzer targets for the decoders (Fuzz/README.md). They exist only when TELEMETRYD_FUZZ
// is set — `Fuzz/run.sh` sets it and builds them with `--sanitize=fuzzer` into its own
// scratch path — so a plain `swift build`/`swift test` neither compiles nor links them.
// Each is one file defining `LLVMFuzzerTestOneInput` and no `main` (libFuzzer brings it),
// and uses TelemetryCore's `package` API, so it lives in this package.
if Context.environment["TELEMETRYD_FUZZ"] != nil {
    for name in ["FuzzMessageDecoder", "FuzzTopicTemplate", "FuzzCaptureLine", "FuzzRollupReaders"] {
        package.targets.append(.executableTarget(
            name: name,
            dependencies: ["TelemetryCore"],
            path: "Fuzz/\(name)",
            swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
