import Testing
@testable import TelemetryCore

@Suite struct SubcommandSuggestionTests {
    let commands = ["query", "series", "tail", "plot", "status", "devices", "deadletters", "help"]

    @Test func aMistypedSubcommandNamedByTheParserGetsADidYouMean() {
        let message = SubcommandSuggestion.message(
            arguments: ["qurey", "--window", "1m"], subcommands: commands, parserMessage: "Unexpected argument 'qurey'")
        #expect(message == "error: unknown command 'qurey'. Did you mean 'query'?")
    }

    @Test func aMistypeAfterAGlobalOptionValueIsStillFound() {
        let message = SubcommandSuggestion.message(
            arguments: ["--data-dir", "/tmp/d", "stauts"], subcommands: commands,
            parserMessage: "Unexpected argument 'stauts'")
        #expect(message == "error: unknown command 'stauts'. Did you mean 'status'?")
    }

    @Test func anArgumentAfterARealSubcommandIsLeftToTheParser() {
        let message = SubcommandSuggestion.message(
            arguments: ["query", "tial"], subcommands: commands, parserMessage: "Unexpected argument 'tial'")
        #expect(message == nil)
    }

    @Test func anArgumentTheParserDidNotRejectIsNotTakenForATypo() {
        let message = SubcommandSuggestion.message(
            arguments: ["qurey"], subcommands: commands, parserMessage: "Missing expected argument '--topic <topic>'")
        #expect(message == nil)
    }

    @Test func aWordFarFromEveryCommandIsLeftToTheParser() {
        let message = SubcommandSuggestion.message(
            arguments: ["banana"], subcommands: commands, parserMessage: "Unexpected argument 'banana'")
        #expect(message == nil)
    }
}
