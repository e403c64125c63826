import Foundation
import Testing
import TelemetryCore
import TelemetryTestSupport
@testable import TelemetryStorage

/// `<data_dir>/devices.jsonl`: written whole and atomically, read back line by line.
@Suite struct DeviceHealthFileTests {
    @Test func itLivesInTheDataDirectory() {
        #expect(DeviceHealthFile(DataDirectory("/var/lib/telemetryd/")).path == "/var/lib/telemetryd/devices.jsonl")
    }

    @Test func writingReplacesTheWholeListSortedBySiteThenDevice() throws {
        let dir = try TemporaryDataDirectory()
        let file = DeviceHealthFile(DataDirectory(dir.path))
        try file.write([makeDevice(device: "z"), makeDevice(device: "y"), makeDevice(device: "x")])
        try file.write([makeDevice(site: "hcmc", device: "a"), makeDevice(site: "danang", device: "b"), makeDevice(site: "hcmc", device: "0")])
        let contents = try #require(try file.read())
        #expect(contents.lines.map { "\($0.health.site)/\($0.health.device)" } == ["danang/b", "hcmc/0", "hcmc/a"])
        #expect(contents.malformed.count == 0)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"))
    }

    @Test func whatIsReadIsWhatWasWrittenWithTheLineText() throws {
        let dir = try TemporaryDataDirectory()
        let file = DeviceHealthFile(DataDirectory(dir.path))
        let devices = [makeDevice(device: "b", offsetMs: -602_500, gaps: 2), makeDevice(device: "a", tooLate: 4)]
        try file.write(devices)
        let contents = try #require(try file.read())
        #expect(contents.lines.map(\.health) == devices.sorted(by: DeviceHealth.fileOrder))
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(contents.lines.map { $0.text + "\n" }.joined() == text)
    }

    @Test func anEmptyListIsAnEmptyFile() throws {
        let dir = try TemporaryDataDirectory()
        let file = DeviceHealthFile(DataDirectory(dir.path))
        try file.write([])
        #expect(try #require(try file.read()).lines.isEmpty)
    }

    @Test func noFileReadsAsNil() throws {
        let dir = try TemporaryDataDirectory()
        #expect(try DeviceHealthFile(DataDirectory(dir.path)).read() == nil)
    }

    @Test func linesThatAreNotDevicesAreSkippedAndCountedWithTheFirstLocation() throws {
        let dir = try TemporaryDataDirectory()
        let good = makeDevice().jsonLine()
        let path = try dir.write("devices.jsonl", "\(good)\n{\"site\":\"x\"}\n\n  \nnot json\n\(good)\n")
        let contents = try #require(try DeviceHealthFile(DataDirectory(dir.path)).read())
        #expect(contents.lines.count == 2)
        #expect(contents.malformed.count == 2)
        #expect(contents.malformed.firstLocation == "\(path):2")
    }

    @Test func aSymbolicLinkIsRefusedNotFollowed() throws {
        let dir = try TemporaryDataDirectory()
        let target = try dir.write("elsewhere.jsonl", makeDevice().jsonLine() + "\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/devices.jsonl", withDestinationPath: target)
        #expect(throws: StorageError.self) { try DeviceHealthFile(DataDirectory(dir.path)).read() }
    }

    @Test func duckDBTypesTheFileCleanly() async throws {
        let dir = try TemporaryDataDirectory()
        let file = DeviceHealthFile(DataDirectory(dir.path))
        var quiet = makeDevice(device: "quiet", offsetMs: 0)
        quiet.lastEventMs = DeviceHealth.never
        quiet.watermarkMs = DeviceHealth.never
        try file.write([
            makeDevice(device: "fast", offsetMs: 240_000, late: ["10s": 52, "1m": 3, "1h": 0]),
            makeDevice(device: "slow", offsetMs: -602_500, tooLate: 7, deadLetters: 9), quiet,
        ])
        let script = """
            import duckdb
            r = duckdb.sql("select count(*), typeof(any_value(last_arrival)), typeof(any_value(watermark)), \
            typeof(any_value(clock_offset_s)), typeof(any_value(messages)), typeof(any_value(late_by_window)), \
            sum(late_by_window['10s']), min(clock_offset_s), count(watermark) from read_json_auto('\(file.path)')").fetchall()[0]
            print("|".join(str(x) for x in r))
            """
        let (status, text) = try await runPython(script)
        #expect(status == 0, "python3 with duckdb is needed (pip install duckdb)")
        let parts = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(parts.count == 9, "\(text)")
        #expect(parts[0] == "3")
        #expect(parts[1].hasPrefix("TIMESTAMP"))
        #expect(parts[2].hasPrefix("TIMESTAMP"))
        #expect(parts[3] == "DOUBLE")
        #expect(parts[4] == "BIGINT")
        #expect(parts[5].hasPrefix("STRUCT(\"10s\" BIGINT, \"1m\" BIGINT, \"1h\" BIGINT)"), "\(parts[5])")
        #expect(parts[6] == "52")
        #expect(parts[7] == "-602.5")
        #expect(parts[8] == "2")
    }
}
