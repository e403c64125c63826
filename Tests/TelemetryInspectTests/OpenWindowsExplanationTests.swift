import Testing
import TelemetryCore
import TelemetryInspect
import TelemetryStorage
import TelemetryTestSupport

/// Before the first rollup is written there is no `rollups/`; when the daemon's status.json
/// counts open windows, the reason given says so instead of suspecting the data directory.
@Suite struct OpenWindowsExplanationTests {
    @Test func noRollupsDirectoryWithOpenWindowsInTheStatusSaysTheyAreStillOpenAndWhenTheFirstCloses() throws {
        let dir = try TemporaryDataDirectory()
        try dir.write("status.json", #"{"mode":"live","next_close":"2026-11-24T06:00:15.000Z","open_windows":12,"version":1}"#)
        do {
            _ = try dir.directory.resolveWindowExplained(nil)
            Issue.record("expected an error")
        } catch {
            #expect(error == .windowsStillOpen(
                dataDirectory: dir.path, openWindows: 12, nextCloseMs: UTCTimestamp.parse("2026-11-24T06:00:15.000Z")))
            #expect(error.description.contains("12 windows are still open"))
            #expect(error.description.contains("2026-11-24T06:00:15.000Z"))
            #expect(!error.description.contains("is telemetryd running"))
        }
    }

    @Test func withoutNextCloseTheMessageStillSaysWindowsAreOpen() throws {
        let dir = try TemporaryDataDirectory()
        try dir.write("status.json", #"{"mode":"live","open_windows":1,"version":1}"#)
        let error = dir.directory.explained(.rollupsDirectoryMissing(dataDirectory: dir.path))
        #expect(error == .windowsStillOpen(dataDirectory: dir.path, openWindows: 1, nextCloseMs: nil))
        #expect(error.description.contains("1 window is still open"))
    }

    @Test(arguments: [nil, #"{"mode":"live","open_windows":0,"version":1}"#, #"{"open_windows":"#])
    func withoutOpenWindowsInTheStatusTheDataDirectoryIsSuspected(status: String?) throws {
        let dir = try TemporaryDataDirectory()
        if let status { try dir.write("status.json", status) }
        let error = dir.directory.explained(.rollupsDirectoryMissing(dataDirectory: dir.path))
        #expect(error == .rollupsDirectoryMissing(dataDirectory: dir.path))
    }
}
