import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A handful of OS threads that start together on `go()` and are joined by `join()`.
///
/// The threads are created (which allocates) before the measured region; each waits,
/// yielding, for the start signal, runs its body, then waits for the release signal, so
/// that neither thread creation nor thread exit falls inside what is measured.
///
/// Threading: `go`, `release` and `join` are called by the thread that made it.
final class ProducerThreads: @unchecked Sendable {
    private let started = Atomic<Bool>(false)
    private let released = Atomic<Bool>(false)
    private let finished = Atomic<Int>(0)
    private var threads: [pthread_t] = []
    let count: Int

    /// Body of one thread, with its index.
    private final class Context: @unchecked Sendable {
        let owner: ProducerThreads
        let index: Int
        let body: (Int) -> Void
        init(owner: ProducerThreads, index: Int, body: @escaping (Int) -> Void) {
            self.owner = owner
            self.index = index
            self.body = body
        }
    }

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        for i in 0..<count {
            let context = Unmanaged.passRetained(Context(owner: self, index: i, body: body)).toOpaque()
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t?
            #endif
            let rc = pthread_create(&thread, nil, { raw in
                let c = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
                c.owner.run(c.index, c.body)
                return nil
            }, context)
            precondition(rc == 0, "pthread_create failed: \(rc)")
            #if canImport(Glibc)
            threads.append(thread)
            #else
            threads.append(thread!)
            #endif
        }
    }

    private func run(_ index: Int, _ body: (Int) -> Void) {
        while !started.load(ordering: .acquiring) { sched_yield() }
        body(index)
        finished.add(1, ordering: .releasing)
        while !released.load(ordering: .acquiring) { sched_yield() }
    }

    /// Starts every thread's body.
    func go() { started.store(true, ordering: .releasing) }

    /// Whether every body has returned.
    var allFinished: Bool { finished.load(ordering: .acquiring) == count }

    /// Lets the threads end and waits for them.
    func join() {
        released.store(true, ordering: .releasing)
        for t in threads { pthread_join(t, nil) }
        threads.removeAll()
    }
}
