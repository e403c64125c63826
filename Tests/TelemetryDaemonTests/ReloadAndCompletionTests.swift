import Testing
import TelemetryCore
import TelemetryStorage
@testable import TelemetryDaemon

/// What a SIGHUP reload reports as needing a restart.
@Suite struct ReloadKeysTests {
    @Test func anUnchangedConfigurationNeedsNoRestart() {
        let c = DaemonConfiguration()
        #expect(ConfigurationReloader.keysNeedingRestart(running: c, fresh: c).isEmpty)
    }

    @Test func logLevelAndRetentionChangeWithoutARestart() {
        let c = DaemonConfiguration()
        var fresh = c
        fresh.logLevel = "debug"
        fresh.retentionDays = 7
        #expect(ConfigurationReloader.keysNeedingRestart(running: c, fresh: fresh).isEmpty)
    }

    @Test func everyOtherChangedKeyIsNamed() {
        let c = DaemonConfiguration()
        var fresh = c
        fresh.dataDirectory = DataDirectory("/elsewhere")
        fresh.ringCapacity = c.ringCapacity * 2
        fresh.fileFormat = .csv
        fresh.allowedLatenessMs = c.allowedLatenessMs + 1_000
        #expect(ConfigurationReloader.keysNeedingRestart(running: c, fresh: fresh)
                == ["data_dir", "windows/lateness", "ring", "files.format"])
    }
}

/// The one-time event the pipeline's `finish` waits on.
@Suite struct CompletionTests {
    @Test func aWaiterAfterCompletionReturnsAtOnce() async {
        let done = Completion()
        done.complete()
        await done.wait()
    }

    @Test func everyWaiterIsResumedByOneCompletion() async {
        let done = Completion()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { await done.wait() } }
            group.addTask { try? await Task.sleep(for: .milliseconds(20)); done.complete() }
        }
    }
}
