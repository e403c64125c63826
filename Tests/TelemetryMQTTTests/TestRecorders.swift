import Logging
import TelemetryTestSupport
import Synchronization
import TelemetryMQTT

/// One received message, copied out of the borrowed view.
struct ReceivedMessage: Sendable, Equatable {
    let topic: String
    let payload: [UInt8]
    let qos: MQTTQoS
    let retain: Bool
}

/// Collects messages from the client's handler (network thread) for the test to inspect.
final class MessageRecorder: Sendable {
    private let received = Mutex<[ReceivedMessage]>([])

    var handler: MQTTClient.MessageHandler {
        { [self] view in
            let message = ReceivedMessage(
                topic: view.topicString, payload: Array(view.payload), qos: view.qos, retain: view.retain)
            received.withLock { $0.append(message) }
        }
    }

    var messages: [ReceivedMessage] { received.withLock { $0 } }
}

/// Collects `client.events` in the background (until the stream ends at `stop()`).
final class EventRecorder: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[MQTTEvent]>([])
    }

    private let storage = Storage()

    init(_ client: MQTTClient) {
        let stream = client.events
        Task { [storage] in
            for await event in stream { storage.events.withLock { $0.append(event) } }
        }
    }

    var events: [MQTTEvent] { storage.events.withLock { $0 } }

    func count(where predicate: (MQTTEvent) -> Bool) -> Int { events.filter(predicate).count }

    var subscribedCount: Int {
        count {
            if case .subscribed = $0 { return true }
            return false
        }
    }
}

/// Collects what the client logs (any thread), for tests about logging.
final class LogRecorder: Sendable {
    struct Line: Sendable, Equatable {
        let level: Logger.Level
        let message: String
    }

    private let recorded = Mutex<[Line]>([])

    /// A logger writing into this recorder, starting at `level` (each copy has its own level).
    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "test.mqtt") { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    var lines: [Line] { recorded.withLock { $0 } }

    fileprivate func record(_ line: Line) { recorded.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.record(Line(level: event.level, message: event.message.description))
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns the last result.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A unique client id per test run (brokers are per test, but ids make logs readable).
func testClientID(_ name: String) -> String {
    "t-\(name)-\(UInt32.random(in: 0...UInt32.max))"
}
