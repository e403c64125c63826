import Testing
import TelemetryCore
import TelemetryInspect

/// `telemetryctl status --format json|csv`: the status document for scripts.
@Suite struct StatusFormatTests {
    let pretty = """
        {
          "counters" : {
            "received" : 3600,
            "dead_letters" : 36
          },
          "dead_letters_by_reason" : {
            "bad_json" : 4
          },
          "mode" : "run",
          "note" : "x\\u001b[2Jy",
          "ratio" : 0.5,
          "windows" : [
            "10s",
            "1m"
          ]
        }

        """

    @Test func jsonIsTheStatusDocumentOnOneLineInFileOrder() throws {
        let report = try StatusReport(json: pretty, path: "/d/status.json")
        #expect(report.jsonLine() == """
            {"counters":{"received":3600,"dead_letters":36},"dead_letters_by_reason":{"bad_json":4},"mode":"run",\
            "note":"x\\u001b[2Jy","ratio":0.5,"windows":["10s","1m"]}
            """)
    }

    @Test func jsonReadsBackToTheSameDocument() throws {
        let report = try StatusReport(json: pretty, path: "/d/status.json")
        let again = try StatusReport(json: report.jsonLine(), path: "/d/status.json")
        #expect(again.members == report.members)
    }

    @Test func csvIsKeyValueRowsWithNestedKeysFlattened() throws {
        let report = try StatusReport(json: pretty, path: "/d/status.json")
        #expect(report.csvLines() == [
            "key,value", "counters.received,3600", "counters.dead_letters,36", "dead_letters_by_reason.bad_json,4",
            "mode,run", "note,\"x\u{1B}[2Jy\"", "ratio,0.5", "windows,\"[10s, 1m]\"",
        ])
    }
}
