/// How a message's payload is decoded; chosen per topic template.
public enum PayloadFormat: String, Sendable, CaseIterable, Hashable {
    /// A flat or nested JSON object; numeric fields are metrics (nested keys joined with
    /// `.`), optional `ts` (a number in the template's `ts_unit`, or RFC 3339) and `seq`
    /// (integer) are not.
    case json
    /// A single number as text; the metric name comes from the topic's `{metric}`.
    case value
    /// InfluxDB line protocol: `measurement[,tag=v…] field=v[,field=v…] [timestamp]`, one
    /// or more lines, the timestamp in the template's `precision` (default ns); metrics are
    /// `measurement.field`.
    case influx
}
