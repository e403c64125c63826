package import ArgumentParser
import Foundation
import TelemetryCore

// argument-parser's `main`, with a did-you-mean for a mistyped subcommand: the one entry point
// of telemetryd, telemetryctl and telemetry-sim (each root command's `static func main()`
// calls it). Parsing errors that are not a mistyped subcommand, `--help`, `--version` and
// errors from `run()` are reported by argument-parser as before.

extension ParsableCommand {
    /// Parses the process's arguments, runs the command, exits as argument-parser's `main`
    /// does; a mistyped subcommand exits 64 with `error: unknown command 'qurey'. Did you mean 'query'?`.
    package static func mainSuggestingSubcommands() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitSuggestingSubcommand(arguments: arguments, error: error)
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    /// Exits 64 with the did-you-mean line when `error` rejected a mistyped subcommand of
    /// this (root) command; returns otherwise.
    static func exitSuggestingSubcommand(arguments: [String], error: any Error) {
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard let hint = SubcommandSuggestion.message(
            arguments: arguments, subcommands: names, parserMessage: message(for: error))
        else { return }
        FileHandle.standardError.write(Data((hint + "\n").utf8))
        Foundation.exit(64)
    }
}

extension AsyncParsableCommand {
    /// ``ParsableCommand/mainSuggestingSubcommands()`` for a root command whose subcommands
    /// may be async.
    package static func mainSuggestingSubcommands() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(arguments)
        } catch {
            exitSuggestingSubcommand(arguments: arguments, error: error)
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
