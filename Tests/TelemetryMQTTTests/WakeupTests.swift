import Testing

@testable import TelemetryMQTT

/// `Wakeup`: a one-shot that ends one task's wait exactly once — by `fire`, a deadline or
/// cancellation, whichever comes first.
@Suite(.timeLimit(.minutes(1))) struct WakeupTests {
    /// Starts a task waiting on `wakeup` and returns once it is suspended.
    private func waiting(
        on wakeup: Wakeup, until deadline: ContinuousClock.Instant? = nil
    ) async -> Task<Wakeup.Reason, Never> {
        let task = Task { await wakeup.wait(until: deadline) }
        _ = await eventually { wakeup.isWaiting }
        return task
    }

    @Test func fireWakesTheWaitingTask() async {
        let wakeup = Wakeup()
        let task = await waiting(on: wakeup)
        #expect(wakeup.isWaiting)
        wakeup.fire()
        #expect(await task.value == .signalled)
    }

    @Test func fireBeforeTheWaitIsKeptAndTheWaitReturnsAtOnce() async {
        let wakeup = Wakeup()
        wakeup.fire()
        let reason = await wakeup.wait(until: .now + .seconds(30))
        #expect(reason == .signalled)
    }

    @Test func firstFireWins() async {
        let wakeup = Wakeup()
        wakeup.fire(.timedOut)
        wakeup.fire(.signalled)
        #expect(wakeup.firedReason == .timedOut)
        #expect(await wakeup.wait() == .timedOut)
    }

    @Test func deadlineEndsTheWaitAsTimedOut() async {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        let reason = await wakeup.wait(until: started + .milliseconds(50))
        #expect(reason == .timedOut)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func deadlineAlreadyPassedEndsTheWaitAtOnce() async {
        let wakeup = Wakeup()
        let reason = await wakeup.wait(until: .now - .seconds(1))
        #expect(reason == .timedOut)
    }

    @Test func fireBeforeTheDeadlineEndsTheWaitWithoutWaitingForIt() async {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        let task = await waiting(on: wakeup, until: started + .seconds(30))
        wakeup.fire()
        #expect(await task.value == .signalled)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func cancellationEndsTheWaitAsCancelled() async {
        let wakeup = Wakeup()
        let task = await waiting(on: wakeup, until: .now + .seconds(30))
        task.cancel()
        #expect(await task.value == .cancelled)
    }

    @Test func waitInAnAlreadyCancelledTaskReturnsAtOnce() async {
        let wakeup = Wakeup()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await wakeup.wait()
        }
        #expect(await task.value == .cancelled)
    }

    @Test func fireAfterCancellationChangesNothing() async {
        let wakeup = Wakeup()
        let task = await waiting(on: wakeup)
        task.cancel()
        #expect(await task.value == .cancelled)
        wakeup.fire()
        #expect(wakeup.firedReason == .cancelled)
    }

    @Test func waitIgnoringCancellationReturnsOnlyWhenFired() async {
        let wakeup = Wakeup()
        let task = Task { await wakeup.waitIgnoringCancellation() }
        _ = await eventually { wakeup.isWaiting }
        task.cancel()
        try? await Task.sleep(for: .milliseconds(50))
        #expect(wakeup.isWaiting)
        wakeup.fire()
        #expect(await task.value == .signalled)
    }

    @Test func racingFiresResumeTheWaiterOnce() async {
        // A second resume of the continuation would trap.
        for _ in 0..<200 {
            let wakeup = Wakeup()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = await wakeup.wait(until: .now + .milliseconds(1)) }
                for _ in 0..<4 { group.addTask { wakeup.fire() } }
            }
            #expect(wakeup.firedReason != nil)
        }
    }
}
