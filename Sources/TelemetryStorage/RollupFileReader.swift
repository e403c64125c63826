import Foundation
package import TelemetryCore

#if canImport(Glibc)
import Glibc
#endif

/// Streams ``RollupRow``s out of one rollup file (`.jsonl` or `.csv`), resuming where it left off.
///
/// Reads in 64 KiB chunks, so memory stays small however large the file is. Only complete
/// records are consumed: a record is complete when its terminating `\n` has been written (in
/// CSV, a newline inside a quoted field does not end the record). A trailing partial record is
/// a write in progress — it is neither shown nor counted, and ``offset`` stays before it, so a
/// later ``readAvailable(_:)`` picks it up once the daemon has finished it (this is how
/// `tail -f` follows files). A file that has become shorter than ``offset`` (replaced) is read
/// again from the start. Blank lines are ignored. Records that cannot be decoded are
/// skipped and counted in ``malformed``. Unknown JSON fields and unknown CSV columns are
/// ignored; CSV columns are located through the header line, so their order may change.
///
/// Threading: a value type holding only the read position; use each instance from one thread
/// at a time. Each call opens and closes the file.
package struct RollupFileReader: Sendable {
    /// The file being read.
    package let path: String
    /// Its encoding.
    package let format: RollupFileFormat
    /// Bytes consumed so far: the end of the last complete record.
    package private(set) var offset: UInt64 = 0
    /// Lines consumed so far (for locating malformed ones).
    package private(set) var linesConsumed = 0
    /// Records skipped because they could not be decoded.
    package private(set) var malformed = MalformedLineTally()
    /// CSV: field index of each known column, once the header has been read.
    private var csvColumns: [RollupColumn: Int]?
    /// The CSV header's percentile columns and their indices.
    private var csvPercentiles: [(Percentile, Int)] = []

    /// A reader for `path`, positioned at the start. `format` defaults to the file's extension
    /// (`.csv` means CSV, anything else JSON Lines).
    package init(path: String, format: RollupFileFormat? = nil) {
        self.path = path
        self.format = format ?? RollupFileFormat(fileName: path) ?? .jsonl
    }

    /// Reads every complete record after ``offset``, passing each decoded row to `body`.
    ///
    /// A file that does not exist (e.g. removed by retention) reads as empty. A symbolic
    /// link is refused, not followed: nothing in a data directory is read through one.
    /// - Returns: the number of rows passed to `body`.
    @discardableResult
    package mutating func readAvailable(_ body: (RollupRow) -> Void) throws(RollupReadError) -> Int {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return 0
            case ELOOP: throw .unreadable(path: path, reason: "it is a symbolic link, which is not followed")
            default: throw .unreadable(path: path, reason: "permission denied or not a regular file")
            }
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        var delivered = 0
        var scanFrom = 0
        var inQuotes = false
        var newlinesInRecord = 0
        do {
            if try handle.seekToEnd() < offset {
                // The file was replaced by a shorter one: start over.
                offset = 0
                linesConsumed = 0
                csvColumns = nil
            }
            try handle.seek(toOffset: offset)
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
                var recordStart = 0
                var i = scanFrom
                let count = buffer.count
                while i < count {
                    let b = buffer[i]
                    if format == .csv, b == UInt8(ascii: "\"") {
                        inQuotes.toggle()
                    } else if b == 0x0A {
                        if inQuotes {
                            newlinesInRecord += 1
                        } else {
                            delivered += consume(buffer, recordStart..<i, newlines: newlinesInRecord, body)
                            offset += UInt64(i + 1 - recordStart)
                            newlinesInRecord = 0
                            recordStart = i + 1
                        }
                    }
                    i += 1
                }
                buffer.removeFirst(recordStart)
                scanFrom = buffer.count
            }
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        return delivered
    }

    /// Returns the malformed-line tally gathered so far and starts a new one (for callers that
    /// read the same file repeatedly and report increments, like `tail -f`).
    package mutating func takeMalformed() -> MalformedLineTally {
        defer { malformed = MalformedLineTally() }
        return malformed
    }

    /// Reads every complete record after ``offset`` and returns the decoded rows.
    package mutating func readAll() throws(RollupReadError) -> [RollupRow] {
        var rows: [RollupRow] = []
        try readAvailable { rows.append($0) }
        return rows
    }

    /// Decodes one record `buffer[range]` (without its `\n`); returns 1 when a row was delivered.
    private mutating func consume(
        _ buffer: [UInt8], _ range: Range<Int>, newlines: Int, _ body: (RollupRow) -> Void
    ) -> Int {
        let lineNumber = linesConsumed + 1
        linesConsumed += newlines + 1
        var lower = range.lowerBound
        var upper = range.upperBound
        if offset == 0, upper - lower >= 3, buffer[lower] == 0xEF, buffer[lower + 1] == 0xBB,
           buffer[lower + 2] == 0xBF {
            lower += 3  // UTF-8 byte order mark
        }
        if upper > lower, buffer[upper - 1] == 0x0D { upper -= 1 }
        if buffer[lower..<upper].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return 0 }
        let row: RollupRow?
        switch format {
        case .jsonl:
            row = buffer.withUnsafeBytes { RollupRow.decode(jsonLine: UnsafeRawBufferPointer(rebasing: $0[lower..<upper])) }
        case .csv:
            guard let fields = CSVSplitter.split(buffer[lower..<upper]) else {
                malformed.record(path: path, line: lineNumber)
                return 0
            }
            if csvColumns == nil {
                if fields.contains("window"), fields.contains("start"), fields.contains("metric") {
                    var map: [RollupColumn: Int] = [:]
                    var percentiles: [(Percentile, Int)] = []
                    for (index, name) in fields.enumerated() {
                        if let column = RollupColumn(rawValue: name) {
                            if map[column] == nil { map[column] = index }
                        } else if let p = Percentile(name: name), !percentiles.contains(where: { $0.0 == p }) {
                            percentiles.append((p, index))
                        }
                    }
                    csvColumns = map
                    csvPercentiles = percentiles
                    return 0
                }
                // No header: assume the daemon's standard column order (default percentiles).
                let names = RollupFileFormat.columns
                csvColumns = Dictionary(uniqueKeysWithValues: RollupColumn.allCases.map { ($0, names.firstIndex(of: $0.rawValue)!) })
                csvPercentiles = Percentile.defaults.map { ($0, names.firstIndex(of: $0.name)!) }
            }
            let columns = csvColumns ?? [:]
            let percentiles = csvPercentiles.compactMap { p, index in index < fields.count ? (p, RollupRow.RawField.text(fields[index])) : nil }
            row = RollupRow.decode(textNumbers: true, percentiles: percentiles) { column in
                guard let index = columns[column], index < fields.count else { return nil }
                return .text(fields[index])
            }
        }
        guard let row else {
            malformed.record(path: path, line: lineNumber)
            return 0
        }
        body(row)
        return 1
    }
}
