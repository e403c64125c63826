import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Delivers POSIX signals (SIGTERM, SIGINT, SIGHUP, …) as an `AsyncStream` instead of
/// interrupting the process: their default actions are disabled and Dispatch signal sources
/// report them on a private queue.
///
/// Threading: `@unchecked Sendable` because Dispatch sources are not marked `Sendable`, but
/// the array is immutable after `init` and `DispatchSource.cancel()` is thread-safe. Create
/// once, iterate `signals` from one task. `cancel()` restores
/// nothing (the process is about to exit when it is called).
public final class SignalWatcher: @unchecked Sendable {
    public let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    public init(_ numbers: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        let queue = DispatchQueue(label: "telemetryd.signals")
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    public func cancel() { for s in sources { s.cancel() } }

    /// A signal's name for logs.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }
}
