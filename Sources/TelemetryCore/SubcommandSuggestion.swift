/// The "did you mean …?" line for a mistyped subcommand, given the arguments a command line
/// was parsed from and the message the argument parser rejected them with.
///
/// swift-argument-parser reports an unknown subcommand as an unexpected argument
/// (`Unexpected argument 'qurey'`), or — under a default subcommand — as one that subcommand
/// does not take. An argument is taken for a mistyped subcommand when it comes before any real
/// subcommand, does not start with `-`, is named (quoted) in the parser's message, and is close
/// to a subcommand name by ``NearestName``. Anything else is left to the parser's own message.
///
/// Threading: stateless.
package enum SubcommandSuggestion {
    /// `error: unknown command 'qurey'. Did you mean 'query'?`, or `nil` when the rejection
    /// was not a mistyped subcommand.
    package static func message(arguments: [String], subcommands: [String], parserMessage: String) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if argument.hasPrefix("-") { continue }
            if subcommands.contains(argument) { return nil }
            guard parserMessage.contains("'\(argument)'"),
                  let nearest = NearestName.suggestion(for: argument, among: subcommands)
            else { continue }
            return "error: unknown command '\(argument)'. Did you mean '\(nearest)'?"
        }
        return nil
    }
}
