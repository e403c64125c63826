// swift-tools-version: 6.1
//
// telemetryd's core micro-benchmarks (issue 12, item 3), a package of their own so that the
// daemon's package does not depend on the benchmark harness.
//
// What is measured is TelemetryCore's public library API — the decoder, the ring, the
// window aggregator and the rollup encoder — taken from the main package by path, built in
// release mode. The harness is ordo-one/benchmark with its malloc interposer (the
// `MallocInterposer` trait; the Linux ARC runtime interposer, the other default trait, is
// left off), so every benchmark counts the mallocs of its measured region. Run with `./run`
// (README.md).

import PackageDescription

let package = Package(
    name: "telemetryd-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "telemetryd", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The plugin looks for benchmark executables in `Benchmarks/<name>`.
        .executableTarget(
            name: "TelemetryMicro",
            dependencies: [
                .product(name: "TelemetryCore", package: "telemetryd"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TelemetryMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
