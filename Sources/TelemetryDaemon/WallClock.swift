#if canImport(Glibc)
import Glibc
#endif

/// The daemon's one reading of wall-clock time: epoch milliseconds (UTC) from
/// `CLOCK_REALTIME`, without Foundation and without allocating (it is called per message).
///
/// Threading: stateless.
enum WallClock {
    @inline(__always)
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
