import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time of the measured region, as a custom ordo-one metric.
///
/// Wall clock on a machine whose 2 cores are shared by several people measures the other
/// people's load as much as the code: a benchmark descheduled half the time looks twice as
/// slow. The CPU time the kernel accounts to the benchmark thread (or, where other threads do
/// the work, to the whole process) does not include time spent waiting for a core, so it is
/// the steadier figure here. It is read with `clock_gettime`, nanosecond resolution, between
/// the malloc snapshots: it allocates nothing (ordo-one's own CPU metrics read /proc and
/// would).
enum CPUTime {
    static let metric = BenchmarkMetric.custom("CPU time (ns)")

    /// Which clock a benchmark's CPU time comes from.
    enum Scope {
        /// The benchmark thread's own time: for benchmarks that run on it alone.
        case thread
        /// Every thread of the process: for benchmarks with worker threads (the ring's
        /// producers), which also counts ordo-one's sampler (a wake-up every 5 ms).
        case process

        var clock: clockid_t { self == .thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID }
    }

    static func now(_ scope: Scope) -> Int64 {
        var ts = timespec()
        clock_gettime(scope.clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension Benchmark {
    /// Runs `body` as this iteration's measured region and records its CPU time.
    func measure<T>(cpu scope: CPUTime.Scope = .thread, _ body: () -> T) -> T {
        startMeasurement()
        let start = CPUTime.now(scope)
        let result = body()
        let end = CPUTime.now(scope)
        stopMeasurement()
        measurement(CPUTime.metric, Int(end - start))
        return result
    }
}
