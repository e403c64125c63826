import Synchronization

/// A one-time event that one task can wait for without blocking a thread: `complete()` from
/// any thread, `wait()` from async code (returns at once when already completed).
///
/// Threading: `Sendable`; state behind a `Mutex`. At most one waiter.
final class Completion: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Void, Never>)
        case completed
    }
    private let state = Mutex(State.pending)

    func complete() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s = .completed }
            if case .waiting(let c) = s { return c }
            return nil
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let already = state.withLock { s -> Bool in
                switch s {
                case .pending: s = .waiting(c); return false
                case .completed: return true
                case .waiting: preconditionFailure("Completion supports one waiter")
                }
            }
            if already { c.resume() }
        }
    }
}
