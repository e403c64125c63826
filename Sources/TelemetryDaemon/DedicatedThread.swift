import Foundation

/// Runs blocking work on a thread of its own and suspends the caller until it returns, so
/// blocking work (reading captures as fast as the disk goes) never occupies a thread of
/// Swift's cooperative pool.
///
/// Threading: `body` runs on the new thread; the result is handed back to the caller's task.
func onDedicatedThread<Result: Sendable>(
    named name: String, _ body: @escaping @Sendable () -> Result
) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            ThreadName.apply(name)
            continuation.resume(returning: body())
        }
        thread.start()
    }
}
