import Testing

@testable import TelemetryMQTT

/// `ClientState`'s waiters: a wake-up is registered only for what has not happened yet, and
/// the transition that makes it happen releases exactly the registered ones.
@Suite struct ClientStateTests {
    private func attemptingState() throws -> ClientState {
        var machine = MQTTConnectionStateMachine(
            startupPolicy: .keepRetrying, reconnectDelayMin: .seconds(1), reconnectDelayMax: .seconds(5))
        try machine.connectRequested()
        machine.attemptStarted()
        return ClientState(connection: machine)
    }

    @Test func waiterForWhatHasNotHappenedIsRegistered() throws {
        var state = try attemptingState()
        let registered = state.register(Wakeup(), for: .attemptDecided)
        #expect(registered)
        #expect(state.waiterCount(for: .attemptDecided) == 1)
    }

    @Test func waiterForWhatAlreadyHappenedIsNotRegistered() throws {
        var state = try attemptingState()
        _ = state.connection.connackRefused(reason: "not authorised")
        let registered = state.register(Wakeup(), for: .attemptDecided)
        #expect(!registered)
        #expect(state.waiterCount(for: .attemptDecided) == 0)
    }

    @Test func releaseTakesOnlyTheWaitersOfThatEvent() throws {
        var state = try attemptingState()
        let attemptWaiter = Wakeup()
        let stopWaiter = Wakeup()
        _ = state.register(attemptWaiter, for: .attemptDecided)
        _ = state.register(stopWaiter, for: .stopped)
        let released = state.release(.attemptDecided)
        #expect(released.count == 1 && released.first === attemptWaiter)
        #expect(state.release(.attemptDecided).isEmpty)
        #expect(state.waiterCount(for: .stopped) == 1)
    }

    @Test func unregisteredWaiterIsNotReleased() throws {
        var state = try attemptingState()
        let wakeup = Wakeup()
        _ = state.register(wakeup, for: .stopRequested)
        state.unregister(wakeup, for: .stopRequested)
        #expect(state.release(.stopRequested).isEmpty)
    }
}
