// libFuzzer target: the readers of telemetryd's own files over arbitrary bytes — a rollup
// JSON line (`RollupRow.decode(jsonLine:)`), a rollup CSV record (`CSVSplitter` and
// `RollupRow.decode(textNumbers:)`), the checkpoint (`AggregatorCheckpoint(json:)`) and the
// `JSONLexer` steps they stand on. Each input goes through all of them. What one accepts,
// written back by its writer, reads back and writes the same bytes again.
import TelemetryCore

/// Stops the run, naming the broken promise (kept in release builds, unlike
/// `precondition`'s message), so that libFuzzer records the input.
private func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

private func jsonLine(_ row: RollupRow) -> [UInt8] {
    var out: [UInt8] = []
    RollupEncoder.append(row, format: .jsonl, to: &out)
    require(out.last == 0x0A, "a JSON line without its newline")
    out.removeLast()
    return out
}

private func csvRecord(_ row: RollupRow) -> [UInt8] {
    var out: [UInt8] = []
    RollupEncoder.append(row, format: .csv, to: &out)
    require(out.last == 0x0A, "a CSV record without its newline")
    out.removeLast()
    return out
}

/// A CSV record's row in the daemon's column order, as the reader takes a file without header.
private func csvRow(_ record: some Collection<UInt8>) -> RollupRow? {
    guard let fields = CSVSplitter.split(record) else { return nil }
    return RollupRow.decode(textNumbers: true) { column in
        guard let index = RollupColumn.allCases.firstIndex(of: column), index < fields.count else { return nil }
        return .text(fields[index])
    }
}

private func checkRollupJSON(_ input: UnsafeRawBufferPointer) {
    guard let row = RollupRow.decode(jsonLine: input) else { return }
    let written = jsonLine(row)
    guard let again = written.withUnsafeBytes({ RollupRow.decode(jsonLine: $0) }) else {
        fatalError("a row read from JSON does not read back: \(String(decoding: written, as: UTF8.self))")
    }
    require(jsonLine(again) == written, "a JSON row changes when written twice")
}

private func checkRollupCSV(_ input: UnsafeRawBufferPointer) {
    guard let row = csvRow(input) else { return }
    let written = csvRecord(row)
    guard let again = csvRow(written) else {
        fatalError("a row read from CSV does not read back: \(String(decoding: written, as: UTF8.self))")
    }
    require(csvRecord(again) == written, "a CSV row changes when written twice")
}

private func checkCheckpoint(_ input: UnsafeRawBufferPointer) {
    let checkpoint: AggregatorCheckpoint
    do throws(JSONParseError) {
        checkpoint = try AggregatorCheckpoint(json: input)
    } catch {
        require(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) of \(input.count)")
        return
    }
    let written = checkpoint.jsonBytes()
    let again: AggregatorCheckpoint
    do throws(JSONParseError) {
        again = try AggregatorCheckpoint(json: written)
    } catch {
        fatalError("a checkpoint read does not read back once written: \(error)")
    }
    require(again.jsonBytes() == written, "a checkpoint changes when written twice")
}

private func checkLexer(_ input: UnsafeRawBufferPointer) {
    var lexer = JSONLexer(bytes: input)
    if (try? lexer.skipAnyValue()) != nil {
        require(lexer.index > 0 && lexer.index <= input.count, "skipped to \(lexer.index) of \(input.count)")
    }
    lexer = JSONLexer(bytes: input)
    lexer.skipSpace()
    if lexer.peek == 0x22 {
        var out: [UInt8] = []
        let start = lexer.index
        var skipper = lexer
        let skipped = skipper.skipString()
        let decoded = lexer.readString(appendingTo: &out)
        require(skipped == (decoded != nil), "skipString and readString disagree at \(start)")
        if skipped { require(skipper.index == lexer.index, "skipString and readString end apart") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRollupReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    checkRollupJSON(input)
    checkRollupCSV(input)
    checkCheckpoint(input)
    checkLexer(input)
    return 0
}
