import TelemetryCore

extension StatusReport {
    /// `status --format json`: the status document as one compact JSON line, members in the
    /// order the daemon wrote them, for `jq` and scripts (`.counters.received`).
    package func jsonLine() -> String {
        var w = JSONWriter(reservingCapacity: 2_048)
        JSONValue.object(members).write(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// `status --format csv`: a `key,value` header, then one row per scalar in file order,
    /// nested members flattened as `counters.received` (arrays of scalars as `[a, b]`).
    package func csvLines() -> [String] {
        var rows: [(String, String)] = []
        for m in members { Self.flatten(m.value, prefix: m.key, into: &rows) }
        return [CSVWriter.record(["key", "value"])] + rows.map { CSVWriter.record([$0.0, $0.1]) }
    }
}
