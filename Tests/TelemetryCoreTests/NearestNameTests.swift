import Testing
@testable import TelemetryCore

@Suite struct NearestNameTests {
    @Test func aDroppedLetterSuggestsTheKey() {
        #expect(NearestName.suggestion(for: "windws", among: ["windows", "lateness", "templates"]) == "windows")
    }

    @Test func swappedNeighboursCountAsOneEdit() {
        #expect(NearestName.distance(Array("qurey".unicodeScalars), Array("query".unicodeScalars)) == 1)
        #expect(NearestName.suggestion(for: "qurey", among: ["tail", "query", "series"]) == "query")
    }

    @Test func anExactNameSuggestsNothing() {
        #expect(NearestName.suggestion(for: "query", among: ["query", "series"]) == nil)
    }

    @Test func aNameFarFromEveryCandidateSuggestsNothing() {
        #expect(NearestName.suggestion(for: "banana", among: ["windows", "lateness"]) == nil)
    }

    @Test func shortNamesAllowOnlyOneEdit() {
        #expect(NearestName.suggestion(for: "tial", among: ["tail"]) == "tail")
        #expect(NearestName.suggestion(for: "xyl", among: ["tail"]) == nil)
    }

    @Test func caseDoesNotCount() {
        #expect(NearestName.suggestion(for: "Windws", among: ["windows"]) == "windows")
    }

    @Test func theClosestCandidateWins() {
        #expect(NearestName.suggestion(for: "mqtt.topic", among: ["mqtt.topics", "mqtt.tls.ca_file"]) == "mqtt.topics")
    }

    @Test func distanceIsTheEditCount() {
        #expect(NearestName.distance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)) == 3)
        #expect(NearestName.distance([], Array("abc".unicodeScalars)) == 3)
    }
}
