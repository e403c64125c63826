import Synchronization

/// A one-time event that tasks can wait for without blocking a thread: `complete()` from
/// any thread, `wait()` from async code (returns at once when already completed).
///
/// Invariants: every waiter is resumed exactly once, by `complete()` or at once when it
/// came after it.
///
/// Threading: `Sendable`; state behind a `Mutex`, continuations resumed outside it.
final class Completion: Sendable {
    private enum State {
        case pending([CheckedContinuation<Void, Never>])
        case completed
    }
    private let state = Mutex(State.pending([]))

    func complete() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            defer { s = .completed }
            if case .pending(let waiters) = s { return waiters }
            return []
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let already = state.withLock { s -> Bool in
                switch s {
                case .pending(let waiters): s = .pending(waiters + [c]); return false
                case .completed: return true
                }
            }
            if already { c.resume() }
        }
    }
}
