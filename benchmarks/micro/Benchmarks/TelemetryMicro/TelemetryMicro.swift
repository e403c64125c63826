import Benchmark
import TelemetryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The core micro-benchmarks of telemetryd (issue 12, item 3). Each benchmark's name says
/// what one operation is (`…/reading`, `…/message`, `…/rollup`); ordo-one's `scalingFactor`
/// is the number of those operations in one measured iteration, so its table shows time and
/// mallocs per operation (`*`), and `run` divides the exported per-iteration means by it.
///
/// Every benchmark counts the mallocs of its measured region (the malloc interposer counts
/// every thread's): the hot path — decode, push, drain, aggregate — must show 0 per
/// operation. What the setup does (registering series, growing tables, rendering payloads)
/// is outside the measured region, as in a daemon that has run for a while.
///
/// `TELEMETRY_MICRO_TINY=1` (set by `run --tiny`) runs each benchmark for a few iterations
/// only, to prove the suite works.
let benchmarks: @Sendable () -> Void = {
    let tiny = getenv("TELEMETRY_MICRO_TINY").map { String(cString: $0) != "0" } ?? false
    Benchmark.defaultConfiguration = .init(
        // No CPU-time metric: ordo-one reads it from /proc between the two malloc snapshots,
        // which would count its own 16 mallocs in every iteration (and its 10 ms ticks are
        // coarser than most iterations here anyway).
        metrics: [.wallClock, .throughput, .mallocCountTotal, CPUTime.metric],
        timeUnits: .nanoseconds,
        warmupIterations: tiny ? 1 : 3,
        maxDuration: tiny ? .milliseconds(50) : .seconds(3),
        maxIterations: tiny ? 5 : 1_000_000)

    harnessBenchmarks()
    ringBenchmarks()
    decoderBenchmarks()
    aggregatorBenchmarks()
    encoderBenchmarks()
    pipelineBenchmarks()
}

/// The harness's own floor: an empty measured region must count 0 mallocs, or no other
/// count means anything.
func harnessBenchmarks() {
    Benchmark("Harness/empty", configuration: .init(scalingFactor: .kilo)) { benchmark in
        benchmark.measure {
            for i in benchmark.scaledIterations { blackHole(i) }
        }
    }
}
