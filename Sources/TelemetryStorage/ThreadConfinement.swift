import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A debug-build check that a value documented as "owned by one thread" is only ever used
/// from that thread (the idea of swift-nio's `NIOLoopBound`, for plain threads).
///
/// The first `check()` binds the owner to the calling thread; every later `check()` traps,
/// naming the caller, when it runs on another thread. In release builds it stores nothing and
/// `check()` compiles to nothing, so it can sit on the hot path.
///
/// Threading: the point of it. Keep one per owned object, as a stored `var`, and call
/// `check()` at the top of the owner's methods.
package struct OwningThread {
    #if DEBUG
    private var owner: pthread_t?
    #endif

    package init() {}

    @inline(__always)
    package mutating func check(_ function: StaticString = #function, file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
        let current = pthread_self()
        if let owner {
            precondition(
                pthread_equal(owner, current) != 0,
                "\(function) called from a thread that does not own this object", file: file, line: line)
        } else {
            owner = current
        }
        #endif
    }
}

/// A debug-build check that a value documented as "used by one thread at a time" is never
/// used by two threads at once, for owners that may be handed from one thread to the next
/// (an MQTT client's producer: libmosquitto replaces its network thread when it restarts its
/// loop after a fatal error).
///
/// Wrap each use in `withExclusiveUse { … }`; a second thread entering while the first is
/// inside traps. In release builds it stores nothing and adds nothing.
///
/// Threading: `Sendable` (an atomic flag in debug builds).
package final class ExclusiveUse: Sendable {
    #if DEBUG
    private let inUse = Atomic<Bool>(false)
    #endif

    package init() {}

    @inline(__always)
    package func withExclusiveUse<Result>(
        _ function: StaticString = #function, file: StaticString = #fileID, line: UInt = #line,
        _ body: () throws -> Result
    ) rethrows -> Result {
        #if DEBUG
        precondition(
            !inUse.exchange(true, ordering: .acquiring),
            "\(function) entered by a second thread while another was using this object", file: file, line: line)
        defer { inUse.store(false, ordering: .releasing) }
        #endif
        return try body()
    }
}
