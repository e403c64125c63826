import Logging
import Testing
import TelemetryCore
@testable import TelemetryDaemon

/// An event as a `Logger` call would build it.
private func event(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata? = nil) -> LogEvent {
    LogEvent(level: level, message: message, metadata: metadata, source: nil, file: #fileID, function: #function, line: #line)
}

private let noon = UTCTimestamp.parse("2026-11-24T12:00:00.123Z")!

@Suite struct StandardErrorLogHandlerTests {
    @Test func settingTheLevelOnOneHandlerLeavesAnotherUntouched() {
        let control = LogLevelControl(.info)
        var a = StandardErrorLogHandler(label: "a", control: control, environment: [:])
        let b = StandardErrorLogHandler(label: "b", control: control, environment: [:])
        a.logLevel = .trace
        #expect(a.logLevel == .trace)
        #expect(b.logLevel == .info)
        #expect(control.level == .info)
    }

    @Test func settingTheLevelOnOneLoggerLeavesAnotherLoggerUntouched() {
        let control = LogLevelControl(.info)
        var a = Logger(label: "a") { StandardErrorLogHandler(label: $0, control: control, environment: [:]) }
        let b = Logger(label: "b") { StandardErrorLogHandler(label: $0, control: control, environment: [:]) }
        a.logLevel = .error
        #expect(a.logLevel == .error)
        #expect(b.logLevel == .info)
    }

    @Test func aCopyChangesItsLevelWithoutChangingTheOriginal() {
        var a = StandardErrorLogHandler(label: "a", control: LogLevelControl(.info), environment: [:])
        a.logLevel = .warning
        var copy = a
        copy.logLevel = .debug
        #expect(a.logLevel == .warning)
        #expect(copy.logLevel == .debug)
    }

    @Test func theSharedControlChangesTheLevelOfAHandlerWithoutItsOwn() {
        let control = LogLevelControl(.info)
        let handler = StandardErrorLogHandler(label: "a", control: control, environment: [:])
        control.level = .debug
        #expect(handler.logLevel == .debug)
    }

    @Test func aHandlersOwnLevelOutlivesAChangeOfTheSharedControl() {
        let control = LogLevelControl(.info)
        var handler = StandardErrorLogHandler(label: "a", control: control, environment: [:])
        handler.logLevel = .error
        control.level = .trace
        #expect(handler.logLevel == .error)
    }

    @Test func outsideSystemdALineIsTimeLevelMessageAndSortedMetadata() {
        var handler = StandardErrorLogHandler(label: "telemetryd", control: LogLevelControl(.info), environment: [:])
        handler.metadata = ["z": "handler", "b": "handler"]
        let line = handler.line(for: event(.warning, "disk full", ["b": "event", "a": "1"]), atMs: noon)
        #expect(String(decoding: line, as: UTF8.self) == "2026-11-24T12:00:00.123Z WARNING disk full a=1 b=event z=handler\n")
    }

    @Test func underSystemdALineStartsWithItsPriorityAndCarriesNoTime() {
        let handler = StandardErrorLogHandler(
            label: "telemetryd", control: LogLevelControl(.info), environment: ["JOURNAL_STREAM": "8:12345"])
        let line = handler.line(for: event(.error, "broker refused", ["code": "5"]), atMs: noon)
        #expect(String(decoding: line, as: UTF8.self) == "<3>broker refused code=5\n")
    }

    @Test func eachLevelHasItsSyslogPriority() {
        let priorities = Logger.Level.allCases.map(StandardErrorLogHandler.priority)
        #expect(priorities == [7, 7, 6, 5, 4, 3, 2])
    }
}
