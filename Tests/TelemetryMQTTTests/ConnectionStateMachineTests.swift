import Testing

@testable import TelemetryMQTT

/// `MQTTConnectionStateMachine` without a broker: what each thing libmosquitto reports does to
/// the state, and which actions the client is told to carry out.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = MQTTConnectionStateMachine

    private static let minDelay = Duration.seconds(1)
    private static let maxDelay = Duration.seconds(5)

    private func machine(startup: MQTTClientConfiguration.StartupPolicy = .failAfter(attempts: 5)) -> Machine {
        Machine(startupPolicy: startup, reconnectDelayMin: Self.minDelay, reconnectDelayMax: Self.maxDelay)
    }

    /// A machine whose start-up attempt is under way (network thread started).
    private func attempting(startup: MQTTClientConfiguration.StartupPolicy = .failAfter(attempts: 5)) throws -> Machine
    {
        var machine = machine(startup: startup)
        try machine.connectRequested()
        machine.attemptStarted()
        machine.networkThreadStarted()
        return machine
    }

    /// A machine connected by its start-up attempt (the waiter has collected the result).
    private func connected() throws -> Machine {
        var machine = try attempting()
        _ = machine.connackAccepted(sessionPresent: false)
        _ = machine.stopWaitingForAttempt()
        _ = machine.attemptFinished()
        return machine
    }

    /// A machine whose connection was lost and that libmosquitto's thread is reconnecting.
    private func reconnecting() throws -> Machine {
        var machine = try connected()
        _ = machine.disconnected(Machine.Disconnect(reason: "Connection reset by peer"))
        return machine
    }

    /// A machine recovering after libmosquitto's network thread ended.
    private func recovering() throws -> Machine {
        var machine = try connected()
        _ = machine.disconnected(Machine.Disconnect(reason: "protocol error", endsNetworkThread: true))
        return machine
    }

    private func isRecovering(_ machine: Machine) -> Bool {
        if case .recovering = machine.state { return true }
        return false
    }

    // MARK: - connect() and the start-up attempt

    @Test func connectMovesIdleToConnecting() throws {
        var machine = machine()
        try machine.connectRequested()
        #expect(
            machine.state == .connecting(Machine.Backoff(policy: .failAfter(attempts: 5), nextDelay: Self.minDelay)))
    }

    @Test func connectWhileConnectingIsInvalidState() throws {
        var machine = try attempting()
        #expect(throws: MQTTError.invalidState("connect() is already in progress")) {
            try machine.connectRequested()
        }
    }

    @Test func connectAfterStopThrowsStopped() {
        var machine = machine()
        _ = machine.stopRequested()
        #expect(throws: MQTTError.stopped) { try machine.connectRequested() }
    }

    @Test func failedConnectReturnsToIdleSoConnectMayBeCalledAgain() throws {
        var machine = try attempting()
        machine.connectFailed()
        #expect(machine.state == .idle)
        try machine.connectRequested()
    }

    @Test func acceptedConnackConnectsAndSubscribes() throws {
        var machine = try attempting()
        let actions = machine.connackAccepted(sessionPresent: true)
        #expect(
            actions == [
                .updateLogCallback, .emit(.connected(sessionPresent: true)), .subscribe,
                .resumeWaiters(.attemptDecided),
            ])
        #expect(machine.state == .connected(Machine.Connection(sessionPresent: true)))
        #expect(machine.isConnected)
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .connected(sessionPresent: true))
    }

    @Test func refusedConnackDecidesTheAttemptAndStopsLibmosquittoRetrying() throws {
        var machine = try attempting()
        let actions = machine.connackRefused(reason: "not authorised [code 5]")
        #expect(
            actions == [
                .emit(.connectionRefused(reason: "not authorised [code 5]")), .disconnect,
                .resumeWaiters(.attemptDecided),
            ])
        #expect(machine.hasHappened(.attemptDecided))
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .refused("not authorised [code 5]"))
        #expect(!machine.isConnected)
    }

    @Test func refusalEndsFailAfterStartupAtOnce() throws {
        var machine = try attempting(startup: .failAfter(attempts: 5))
        let error = MQTTError.refused(reason: "not authorised")
        let decision = machine.attemptFailed(error)
        #expect(decision == .giveUp(error))
    }

    @Test func tlsErrorLineDuringAttemptDecidesItAsTLSFailure() throws {
        var machine = try attempting()
        let line = "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
        let actions = machine.errorLogged(line, tlsFailure: "certificate verify failed")
        #expect(actions == [.resumeWaiters(.attemptDecided)])
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .tlsFailed)
        let finished = machine.attemptFinished()
        #expect(finished?.errorLines == [line])
    }

    @Test func tlsLayerFailureBeforeConnackDecidesTheAttemptAsTLSFailure() throws {
        var machine = try attempting()
        let actions = machine.disconnected(
            Machine.Disconnect(reason: "Protocol error", isTLSLayerFailure: true, endsNetworkThread: true))
        #expect(actions == [.disconnect, .resumeWaiters(.attemptDecided)])
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .tlsFailed)
    }

    @Test func connectionClosedBeforeConnackDecidesTheAttemptAsLost() throws {
        var machine = try attempting()
        let actions = machine.disconnected(Machine.Disconnect(reason: "Connection reset by peer"))
        #expect(actions == [.disconnect, .resumeWaiters(.attemptDecided)])
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .lost("Connection reset by peer"))
        #expect(!isRecovering(machine))
    }

    @Test func lateConnackAfterAbandonedAttemptDisconnects() throws {
        var machine = try attempting()
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == nil)  // timed out
        let actions = machine.connackAccepted(sessionPresent: false)
        #expect(actions == [.disconnect])
        #expect(!machine.isConnected)
        let finished = machine.attemptFinished()
        #expect(finished?.outcome == nil)
    }

    @Test func startupGivesUpAfterTheConfiguredNumberOfAttempts() throws {
        var machine = try attempting(startup: .failAfter(attempts: 3))
        let error = MQTTError.unreachable(host: "127.0.0.1", port: 1883, reason: "Connection refused")
        let first = machine.attemptFailed(error)
        let second = machine.attemptFailed(error)
        let third = machine.attemptFailed(error)
        #expect(first == .retry(attemptNumber: 1, after: .seconds(1)))
        #expect(second == .retry(attemptNumber: 2, after: .seconds(2)))
        #expect(third == .giveUp(error))
    }

    @Test func backoffDoublesUpToTheMaximum() throws {
        var machine = try attempting(startup: .keepRetrying)
        let error = MQTTError.unreachable(host: "127.0.0.1", port: 1883, reason: "Connection refused")
        var delays: [Duration] = []
        for _ in 0..<5 {
            guard case .retry(_, let delay) = machine.attemptFailed(error) else {
                Issue.record("keepRetrying gave up")
                return
            }
            delays.append(delay)
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test func keepRetryingRetriesRefusals() throws {
        var machine = try attempting(startup: .keepRetrying)
        #expect(
            machine.attemptFailed(.refused(reason: "not authorised")) == .retry(attemptNumber: 1, after: .seconds(1)))
    }

    // MARK: - Connected: losses, libmosquitto's reconnects, re-subscription

    @Test func lossThatLibmosquittoReconnectsIsReportedWithoutRecovery() throws {
        var machine = try connected()
        let actions = machine.disconnected(Machine.Disconnect(reason: "Connection reset by peer"))
        #expect(actions == [.updateLogCallback, .emit(.disconnected(reason: "Connection reset by peer"))])
        #expect(machine.state == .reconnecting)
        #expect(!machine.isConnected)
    }

    @Test func resubscribesOnReconnect() throws {
        var machine = try reconnecting()
        let actions = machine.connackAccepted(sessionPresent: true)
        #expect(actions == [.updateLogCallback, .emit(.connected(sessionPresent: true)), .subscribe])
        #expect(machine.isConnected)
    }

    @Test func aKeptSessionIsNotSubscribedAgainWhenConfiguredSo() throws {
        var machine = Machine(
            startupPolicy: .failAfter(attempts: 5), reconnectDelayMin: Self.minDelay, reconnectDelayMax: Self.maxDelay,
            resubscribeWhenSessionPresent: false)
        try machine.connectRequested()
        machine.attemptStarted()
        machine.networkThreadStarted()
        let first = machine.connackAccepted(sessionPresent: false)
        #expect(first.contains(.subscribe), "a new session has no subscriptions yet")
        _ = machine.stopWaitingForAttempt()
        _ = machine.attemptFinished()
        _ = machine.disconnected(Machine.Disconnect(reason: "Connection reset by peer"))
        let again = machine.connackAccepted(sessionPresent: true)
        #expect(again == [.updateLogCallback, .emit(.connected(sessionPresent: true))])
    }

    @Test func subackIsMatchedToTheGroupSentOnThisConnection() throws {
        var machine = try connected()
        machine.subscriptionSent(messageID: 7, group: 1)
        let group = machine.subackReceived(messageID: 7)
        #expect(group == 1)
        let again = machine.subackReceived(messageID: 7)
        #expect(again == nil)
    }

    @Test func subackOfALostConnectionIsIgnored() throws {
        var machine = try connected()
        machine.subscriptionSent(messageID: 7, group: 0)
        _ = machine.disconnected(Machine.Disconnect(reason: "Connection reset by peer"))
        _ = machine.connackAccepted(sessionPresent: false)
        let group = machine.subackReceived(messageID: 7)
        #expect(group == nil)
    }

    @Test func refusalDuringLibmosquittosReconnectIsOnlyReported() throws {
        var machine = try reconnecting()
        let actions = machine.connackRefused(reason: "Not authorized [code 135]")
        #expect(actions == [
            .emit(.connectionRefused(reason: "Not authorized [code 135]"))
        ])
        #expect(machine.state == .reconnecting)
    }

    // MARK: - Recovery: libmosquitto's network thread stopped by itself

    @Test func mqtt5ServerDisconnectStartsRecovery() throws {
        var machine = try connected()
        let reason = "the broker ended the connection: Session taken over"
        let actions = machine.disconnected(Machine.Disconnect(reason: reason, endsNetworkThread: true))
        #expect(
            actions == [
                .updateLogCallback, .emit(.disconnected(reason: reason)),
                .startRecovery(reason: reason, after: Self.minDelay),
            ])
        #expect(machine.state == .recovering(Machine.Backoff(policy: .keepRetrying, nextDelay: Self.minDelay)))
    }

    @Test func networkThreadEndingDuringLibmosquittosReconnectStartsRecovery() throws {
        // An MQTT 5 refusal (MOSQ_ERR_PROTOCOL) during libmosquitto's own reconnect.
        var machine = try reconnecting()
        let actions = machine.disconnected(Machine.Disconnect(reason: "protocol error", endsNetworkThread: true))
        #expect(actions.last == .startRecovery(reason: "protocol error", after: Self.minDelay))
        #expect(isRecovering(machine))
    }

    @Test func tlsFailureWhileLibmosquittoReconnectsStartsRecovery() throws {
        // A failed handshake during libmosquitto's own reconnect ends its thread without any
        // disconnect callback: the error line is the only sign.
        var machine = try reconnecting()
        let actions = machine.errorLogged(
            "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed",
            tlsFailure: "certificate verify failed")
        let reason = "TLS handshake failed: certificate verify failed"
        #expect(
            actions == [
                .emit(.connectAttemptFailed(reason: reason)), .startRecovery(reason: reason, after: Self.minDelay),
            ])
        #expect(isRecovering(machine))
    }

    @Test func errorLineThatIsNotAboutTLSWhileReconnectingChangesNothing() throws {
        var machine = try reconnecting()
        let actions = machine.errorLogged("Error: Connection refused", tlsFailure: nil)
        #expect(actions == [])
        #expect(machine.state == .reconnecting)
    }

    @Test func recoveryAttemptConnectsAndResubscribes() throws {
        var machine = try recovering()
        machine.attemptStarted()
        let actions = machine.connackAccepted(sessionPresent: false)
        #expect(
            actions == [
                .updateLogCallback, .emit(.connected(sessionPresent: false)), .subscribe,
                .resumeWaiters(.attemptDecided),
            ])
        #expect(machine.isConnected)
        let outcome = machine.stopWaitingForAttempt()
        #expect(outcome == .connected(sessionPresent: false))
    }

    @Test func recoveryRetriesWithBackoffAndNeverGivesUp() throws {
        var machine = try recovering()
        let error = MQTTError.tls(reason: "certificate verify failed")
        let first = machine.attemptFailed(error)
        let second = machine.attemptFailed(error)
        #expect(first == .retry(attemptNumber: 1, after: .seconds(1)))
        #expect(second == .retry(attemptNumber: 2, after: .seconds(2)))
        #expect(isRecovering(machine))
    }

    @Test func connackBeforeRecoveryMadeItsOwnAttemptDisconnects() throws {
        var machine = try recovering()
        let actions = machine.connackAccepted(sessionPresent: false)
        #expect(actions == [.disconnect])
        #expect(isRecovering(machine))
    }

    @Test func disconnectOfTheEndedThreadDuringRecoveryIsIgnored() throws {
        var machine = try recovering()
        let actions = machine.disconnected(
            Machine.Disconnect(reason: "disconnected on request", endsNetworkThread: true))
        #expect(actions == [])
        #expect(isRecovering(machine))
    }

    // MARK: - stop()

    @Test func stopDuringReconnectIgnoresLaterLossesAndDisconnectsLateConnacks() throws {
        var machine = try reconnecting()
        let first = machine.stopRequested()
        #expect(first != nil)
        let actions = machine.disconnected(Machine.Disconnect(reason: "protocol error", endsNetworkThread: true))
        #expect(actions == [])
        let lateConnack = machine.connackAccepted(sessionPresent: false)
        #expect(lateConnack == [.disconnect])
        #expect(machine.state == .stopping(nil))
    }

    @Test func stopDuringRecoveryEndsItsAttemptLoop() throws {
        var machine = try recovering()
        machine.attemptStarted()
        let first = machine.stopRequested()
        #expect(first != nil)
        #expect(machine.hasHappened(.attemptDecided))
        let error = MQTTError.unreachable(host: "127.0.0.1", port: 1883, reason: "Connection refused")
        let decision = machine.attemptFailed(error)
        #expect(decision == .giveUp(.stopped))
    }

    @Test func stopDuringStartupAttemptDisconnectsItsConnack() throws {
        var machine = try attempting()
        let first = machine.stopRequested()
        #expect(first != nil)
        let actions = machine.connackAccepted(sessionPresent: false)
        #expect(actions == [.disconnect])
        #expect(!machine.isConnected)
    }

    @Test func secondStopLeavesTheWorkToTheFirst() throws {
        var machine = try connected()
        let first = machine.stopRequested()
        #expect(first != nil)
        let second = machine.stopRequested()
        #expect(second == nil)
    }

    @Test func stoppingKeepsTheConnectionUntilItCloses() throws {
        var machine = try connected()
        _ = machine.stopRequested()
        #expect(machine.isConnected)
        let actions = machine.disconnected(Machine.Disconnect(reason: "disconnected on request"))
        #expect(actions == [])
        #expect(!machine.isConnected)
    }

    @Test func stopFinishedForgetsTheNetworkThread() throws {
        var machine = try connected()
        _ = machine.stopRequested()
        _ = machine.stopFinished()
        #expect(machine.state == .stopped)
        let wasRunning = machine.networkThreadStopping()
        #expect(!wasRunning)
    }

    // MARK: - What the client's tasks wait for

    @Test func attemptIsUndecidedUntilSomethingAnswersIt() throws {
        let machine = try attempting()
        #expect(!machine.hasHappened(.attemptDecided))
        #expect(!machine.hasHappened(.stopRequested))
        #expect(!machine.hasHappened(.stopped))
    }

    @Test func errorLineThatIsNotAboutTLSDuringAnAttemptWakesNobody() throws {
        var machine = try attempting()
        let actions = machine.errorLogged("Error: Connection refused", tlsFailure: nil)
        #expect(actions == [])
        #expect(!machine.hasHappened(.attemptDecided))
    }

    @Test func connackDuringLibmosquittosReconnectWakesNobody() throws {
        var machine = try reconnecting()
        let actions = machine.connackAccepted(sessionPresent: false)
        #expect(!actions.contains { if case .resumeWaiters = $0 { true } else { false } })
    }

    @Test func stopWakesTheAttemptWaiterAndBackoffDelays() throws {
        var machine = try attempting()
        let actions = machine.stopRequested()
        #expect(actions == [.resumeWaiters(.attemptDecided), .resumeWaiters(.stopRequested)])
        #expect(machine.hasHappened(.attemptDecided))
        #expect(machine.hasHappened(.stopRequested))
        #expect(!machine.hasHappened(.stopped))
    }

    @Test func secondStopWakesNobody() throws {
        var machine = try connected()
        _ = machine.stopRequested()
        let second = machine.stopRequested()
        #expect(second == nil)
    }

    @Test func stopFinishedWakesThoseWaitingForStopped() throws {
        var machine = try connected()
        _ = machine.stopRequested()
        let actions = machine.stopFinished()
        #expect(actions == [.resumeWaiters(.stopped)])
        #expect(machine.hasHappened(.stopped))
    }

    // MARK: - Network thread and log callback

    @Test func networkThreadIsJoinedOnlyOnce() throws {
        var machine = try attempting()
        let wasRunning = machine.networkThreadStopping()
        #expect(wasRunning)
        let again = machine.networkThreadStopping()
        #expect(!again)
    }

    @Test func libraryLogIsWantedWhileNotConnected() throws {
        #expect(try attempting().wantsLibraryLog(tracing: false))
        #expect(try reconnecting().wantsLibraryLog(tracing: false))
    }

    @Test func libraryLogIsWantedWhileConnectedOnlyWhenTracing() throws {
        let machine = try connected()
        #expect(!machine.wantsLibraryLog(tracing: false))
        #expect(machine.wantsLibraryLog(tracing: true))
    }
}
