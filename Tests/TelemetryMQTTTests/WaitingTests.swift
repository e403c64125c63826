import Synchronization
import TelemetryTestSupport
import Testing

@testable import TelemetryMQTT

/// The client's waits end when what they wait for happens — `stop()`, an acknowledgement, the
/// end of a connect timeout or backoff — or when their task is cancelled, without polling.
@Suite(.timeLimit(.minutes(1))) struct WaitingTests {
    /// A client of `broker`.
    private func client(
        of broker: MuteBroker, connectTimeout: Duration = .seconds(30),
        startup: MQTTClientConfiguration.StartupPolicy = .failAfter(attempts: 1)
    ) throws -> MQTTClient {
        try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, startup: startup, connectTimeout: connectTimeout),
            onMessage: { _ in })
    }

    /// A client connected to a broker that acknowledges nothing: QoS ≥ 1 messages published
    /// on it stay in flight.
    private func unacknowledgedClient(_ broker: MuteBroker) async throws -> MQTTClient {
        let client = try client(of: broker)
        try await client.connect()
        return client
    }

    /// A client that was never connected.
    private func offlineClient() throws -> MQTTClient {
        try MQTTClient(
            configuration: MQTTClientConfiguration(host: "127.0.0.1", port: try TestBroker.freePort()),
            onMessage: { _ in })
    }

    private func connecting(_ client: MQTTClient) -> Task<MQTTError?, Never> {
        Task { () -> MQTTError? in
            do throws(MQTTError) { try await client.connect() } catch { return error }
            return nil
        }
    }

    // MARK: - Waiting for an attempt's CONNACK

    @Test func connectTimeoutEndsAnAttemptThatGetsNoConnack() async throws {
        let broker = try MuteBroker(.neverConnack)
        defer { broker.close() }
        let client = try client(of: broker, connectTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let result = await connecting(client).value
        guard case .unreachable(_, _, let reason)? = result else {
            Issue.record("expected unreachable, got \(String(describing: result))")
            return
        }
        #expect(reason.contains("no CONNACK within 0.3 seconds"))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        await client.stop()
    }

    @Test func stopEndsAnAttemptWaitingForItsConnack() async throws {
        let broker = try MuteBroker(.neverConnack)
        defer { broker.close() }
        let client = try client(of: broker)
        let attempt = connecting(client)
        try await Task.sleep(for: .milliseconds(200))
        let stopping = ContinuousClock.now
        await client.stop()
        #expect(await attempt.value == MQTTError.stopped)
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }

    @Test func cancellationEndsAnAttemptWaitingForItsConnack() async throws {
        let broker = try MuteBroker(.neverConnack)
        defer { broker.close() }
        let client = try client(of: broker)
        let attempt = connecting(client)
        try await Task.sleep(for: .milliseconds(200))
        let cancelling = ContinuousClock.now
        attempt.cancel()
        #expect(await attempt.value == MQTTError.cancelled)
        #expect(ContinuousClock.now - cancelling < .seconds(5))
        await client.stop()
    }

    // MARK: - Backoff delays

    @Test func stopEndsABackoffDelayAtOnce() async throws {
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: try TestBroker.freePort(), reconnectDelayMin: .seconds(30),
                reconnectDelayMax: .seconds(30), startup: .keepRetrying),
            onMessage: { _ in })
        let events = EventRecorder(client)
        let attempts = connecting(client)
        #expect(await eventually { events.count { if case .connectAttemptFailed = $0 { true } else { false } } == 1 })
        let stopping = ContinuousClock.now
        await client.stop()
        #expect(await attempts.value == MQTTError.stopped)
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }

    @Test func cancellationEndsABackoffDelayAtOnce() async throws {
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: try TestBroker.freePort(), reconnectDelayMin: .seconds(30),
                reconnectDelayMax: .seconds(30), startup: .keepRetrying),
            onMessage: { _ in })
        let events = EventRecorder(client)
        let attempts = connecting(client)
        #expect(await eventually { events.count { if case .connectAttemptFailed = $0 { true } else { false } } == 1 })
        let cancelling = ContinuousClock.now
        attempts.cancel()
        #expect(await attempts.value == MQTTError.cancelled)
        #expect(ContinuousClock.now - cancelling < .seconds(5))
        await client.stop()
    }

    // MARK: - stop()

    @Test func concurrentStopsAllReturnOnlyOnceTheClientHasStopped() async throws {
        let client = try offlineClient()
        let stoppedWhenReturned = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await client.stop()
                    return client.state.withLock { $0.connection.state == .stopped }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stoppedWhenReturned == Array(repeating: true, count: 8))
        #expect(client.state.withLock { $0.waiterCount(for: .stopped) } == 0)
    }

    // MARK: - waitForPublished

    @Test func waitForPublishedReturnsAtOnceWithNothingInFlight() async throws {
        let client = try offlineClient()
        try await client.waitForPublished(timeout: .seconds(30))
        await client.stop()
    }

    @Test func waitForPublishedTimesOutWithTheNumberStillInFlight() async throws {
        let broker = try MuteBroker(.connackThenSilence)
        defer { broker.close() }
        let client = try await unacknowledgedClient(broker)
        try client.publish(topic: "queued/a", payload: "1", qos: .atLeastOnce)
        try client.publish(topic: "queued/b", payload: "2", qos: .exactlyOnce)
        let started = ContinuousClock.now
        await #expect(throws: MQTTError.publishTimeout(pending: 2)) {
            try await client.waitForPublished(timeout: .milliseconds(200))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(client.publishes.withLock { $0.waiterCount } == 0)
        await client.stop()
    }

    @Test func stopEndsWaitForPublishedWithStopped() async throws {
        let broker = try MuteBroker(.connackThenSilence)
        defer { broker.close() }
        let client = try await unacknowledgedClient(broker)
        try client.publish(topic: "queued/a", payload: "1", qos: .atLeastOnce)
        let waiting = Task { () -> MQTTError? in
            do throws(MQTTError) { try await client.waitForPublished(timeout: .seconds(30)) } catch { return error }
            return nil
        }
        #expect(await eventually { client.publishes.withLock { $0.waiterCount } == 1 })
        let stopping = ContinuousClock.now
        await client.stop()
        #expect(await waiting.value == MQTTError.stopped)
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }

    @Test func waitForPublishedAfterStopThrowsStopped() async throws {
        let broker = try MuteBroker(.connackThenSilence)
        defer { broker.close() }
        let client = try await unacknowledgedClient(broker)
        try client.publish(topic: "queued/a", payload: "1", qos: .atLeastOnce)
        await client.stop()
        await #expect(throws: MQTTError.stopped) { try await client.waitForPublished(timeout: .seconds(30)) }
    }

    @Test func cancellationEndsWaitForPublishedWithCancelled() async throws {
        let broker = try MuteBroker(.connackThenSilence)
        defer { broker.close() }
        let client = try await unacknowledgedClient(broker)
        try client.publish(topic: "queued/a", payload: "1", qos: .atLeastOnce)
        let waiting = Task { () -> MQTTError? in
            do throws(MQTTError) { try await client.waitForPublished(timeout: .seconds(30)) } catch { return error }
            return nil
        }
        #expect(await eventually { client.publishes.withLock { $0.waiterCount } == 1 })
        waiting.cancel()
        #expect(await waiting.value == MQTTError.cancelled)
        #expect(client.publishes.withLock { $0.waiterCount } == 0)
        await client.stop()
    }
}
