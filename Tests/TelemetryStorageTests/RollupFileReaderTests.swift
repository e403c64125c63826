import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

@Suite struct RollupFileReaderTests {
    @Test func readsTheSpecExampleLine() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("a.jsonl", """
            {"window":"1m","start":"2026-11-24T06:00:00.000Z","end":"2026-11-24T06:01:00.000Z","site":"hanoi","device":"aq-hanoi-001","metric":"pm25","count":6,"min":30.1,"max":41.0,"sum":213.6,"mean":35.6,"first":30.1,"last":41.0,"stddev":3.72}

            """)
        var reader = RollupFileReader(path: path)
        let rows = try reader.readAll()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.window.name == "1m")
        #expect(row.start == ms("2026-11-24T06:00:00Z"))
        #expect(row.end == ms("2026-11-24T06:01:00Z"))
        #expect(row.series == SeriesKey(site: "hanoi", device: "aq-hanoi-001", metric: "pm25"))
        #expect(row.count == 6)
        #expect(row.max == 41.0)
        #expect(row.stddev == 3.72)
    }

    @Test func ignoresUnknownJSONFields() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("a.jsonl", """
            {"schema":2,"window":"1m","start":"2026-11-24T06:00:00.000Z","end":"2026-11-24T06:01:00.000Z","site":"hanoi","device":"d","metric":"power.voltage","quality":{"flags":["x",1]},"count":6,"min":1.0,"max":2.0,"sum":9.0,"mean":1.5,"first":1.0,"last":2.0,"stddev":0.5,"p99":1.9}

            """)
        var reader = RollupFileReader(path: path)
        let rows = try reader.readAll()
        #expect(rows.map(\.metric) == ["power.voltage"])
        #expect(reader.malformed.count == 0)
    }

    @Test func partialLastLineIsNotShownUntilItsNewlineArrives() throws {
        let dir = try TemporaryDataDirectory()
        let complete = jsonLine(makeRow(start: "2026-11-24T06:00:00Z"))
        let partial = jsonLine(makeRow(start: "2026-11-24T06:01:00Z"))
        let path = try dir.write("a.jsonl", complete + partial.dropLast())
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().map(\.start) == [ms("2026-11-24T06:00:00Z")])
        #expect(reader.malformed.count == 0)
        #expect(reader.offset == UInt64(complete.utf8.count))

        try dir.append("a.jsonl", "\n")
        #expect(try reader.readAll().map(\.start) == [ms("2026-11-24T06:01:00Z")])
    }

    @Test func blankLinesAreNeitherRowsNorMalformed() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("a.jsonl", "\n" + jsonLine(makeRow()) + "  \n")
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().count == 1)
        #expect(reader.malformed.count == 0)
    }

    @Test func wrongTypesAreMalformed() throws {
        let dir = try TemporaryDataDirectory()
        var line = jsonLine(makeRow())
        line = line.replacingOccurrences(of: "\"count\":6", with: "\"count\":\"6\"")
        let path = try dir.write("a.jsonl", line)
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().isEmpty)
        #expect(reader.malformed.count == 1)
    }

    @Test func csvColumnsAreFoundByHeaderAndUnknownColumnsIgnored() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("06.csv", """
            site,window,extra,start,end,device,metric,count,min,max,sum,mean,first,last,stddev
            hanoi,1m,zzz,2026-11-24T06:00:00.000Z,2026-11-24T06:01:00.000Z,d1,pm25,6,1.0,2.0,9.0,1.5,1.0,2.0,0.5

            """)
        var reader = RollupFileReader(path: path)
        let rows = try reader.readAll()
        #expect(rows.count == 1)
        #expect(rows.first?.site == "hanoi")
        #expect(rows.first?.device == "d1")
        #expect(rows.first?.mean == 1.5)
        #expect(reader.malformed.count == 0)
    }

    @Test func csvQuotedFieldsWithCommasQuotesSpacesAndNewlines() throws {
        let dir = try TemporaryDataDirectory()
        let row = makeRow(site: "Hà Nội, \"cổng\" 1", device: "line\nbreak")
        let path = try dir.write("06.csv", csvHeaderLine + csvLine(row))
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll() == [row])
        #expect(reader.malformed.count == 0)
    }

    @Test func csvPartialRecordIsNotShown() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("06.csv", csvHeaderLine + csvLine(makeRow()) + "1m,2026-11-24T06:01:00.000Z,2026")
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().count == 1)
        #expect(reader.malformed.count == 0)
    }

    @Test func csvResumesWithTheHeaderItAlreadyRead() throws {
        let dir = try TemporaryDataDirectory()
        try dir.write("06.csv", csvHeaderLine + csvLine(makeRow()))
        var reader = RollupFileReader(path: dir.path + "/06.csv")
        #expect(try reader.readAll().count == 1)
        try dir.append("06.csv", csvLine(makeRow(start: "2026-11-24T06:01:00Z")))
        #expect(try reader.readAll().map(\.start) == [ms("2026-11-24T06:01:00Z")])
        #expect(reader.malformed.count == 0)
    }

    @Test func missingFileReadsAsEmpty() throws {
        var reader = RollupFileReader(path: "/nonexistent/dir/06.jsonl")
        #expect(try reader.readAll().isEmpty)
    }

    @Test func readsAcrossChunkBoundaries() throws {
        let dir = try TemporaryDataDirectory()
        var text = ""
        for i in 0..<2000 {
            text += jsonLine(makeRow(start: UTCTimestamp.format(milliseconds: ms("2026-11-24T06:00:00Z") + Int64(i) * 60_000)))
        }
        let path = try dir.write("big.jsonl", text)
        var reader = RollupFileReader(path: path)
        let rows = try reader.readAll()
        #expect(rows.count == 2000)
        #expect(reader.offset == UInt64(text.utf8.count))
        #expect(reader.malformed.count == 0)
    }

    @Test func csvWithoutHeaderAssumesTheDaemonColumnOrder() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("06.csv", csvLine(makeRow(mean: 7)))
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().map(\.mean) == [7])
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("a.jsonl", jsonLine(makeRow()).dropLast() + "\r\n")
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().count == 1)
        #expect(reader.malformed.count == 0)
    }

    @Test func aFileReplacedByAShorterOneIsReadFromTheStart() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("a.jsonl", jsonLine(makeRow(mean: 1)) + jsonLine(makeRow(mean: 2)))
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().count == 2)
        try dir.write("a.jsonl", jsonLine(makeRow(mean: 3)))
        #expect(try reader.readAll().map(\.mean) == [3])
    }
}
