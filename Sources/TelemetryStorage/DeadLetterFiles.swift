package import TelemetryCore

/// Reading `<data_dir>/deadletter/<YYYY-MM-DD>.jsonl` back (`telemetryctl deadletters`): the
/// day files in day order, each line a ``DeadLetter`` (``DeadLetter/init(jsonLine:)``) with its
/// text as written. Lines that are not dead letters are skipped and counted; blank lines are
/// ignored; a torn last line (the daemon mid-write) is skipped like any malformed one.
///
/// Threading: an immutable value; ``read(fromDay:toDay:)`` does blocking file I/O on the calling thread.
package struct DeadLetterFiles: Sendable, Equatable {
    /// `<data_dir>/deadletter`.
    package let path: String

    package init(_ directory: DataDirectory) {
        path = directory.deadLetters
    }

    /// One dead letter as read: its values and its line exactly as in the file.
    package struct Entry: Sendable, Equatable {
        package var letter: DeadLetter
        package var text: String

        package init(letter: DeadLetter, text: String) {
            self.letter = letter
            self.text = text
        }
    }

    /// What ``read(fromDay:toDay:)`` found.
    package struct Contents: Sendable {
        package var entries: [Entry] = []
        package var malformed = MalformedLineTally()
        /// Whether the `deadletter` directory exists at all.
        package var directoryExists = false

        package init() {}
    }

    /// The days that have a file, `YYYY-MM-DD`, in order.
    package func days() -> [String] {
        FileSystem.list(path).compactMap { name in
            guard name.hasSuffix(".jsonl") else { return nil }
            let day = String(name.dropLast(6))
            return DataDirectory.rollupDayStart(day) == nil ? nil : day
        }
    }

    /// The dead letters of the days from `fromDay` to `toDay` (inclusive, `YYYY-MM-DD`; nil:
    /// open), in file order. A symbolic link is refused, not followed.
    package func read(fromDay: String? = nil, toDay: String? = nil) throws(StorageError) -> Contents {
        var contents = Contents()
        contents.directoryExists = FileSystem.kind(path) == .directory
        for day in days() {
            if let fromDay, day < fromDay { continue }
            if let toDay, day > toDay { continue }
            let file = "\(path)/\(day).jsonl"
            guard let bytes = try FileSystem.readAll(file) else { continue }
            var lineNumber = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                do {
                    let letter = try DeadLetter(jsonLine: line)
                    contents.entries.append(Entry(letter: letter, text: String(decoding: line, as: UTF8.self)))
                } catch {
                    contents.malformed.record(path: file, line: lineNumber)
                }
            }
        }
        return contents
    }
}
