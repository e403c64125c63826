-- The reference for the replay benchmark: the rollups `telemetryd replay` writes, computed by
-- DuckDB from the same capture file (run with `SET threads = 1` by duckdb_rollups.py, which
-- sets the variable `capture` to the capture's path and copies this query's result to a
-- Parquet file).
--
-- The rules, as README.md ("Messages and readings", "Timestamp units", "Event time") states
-- them for the default configuration:
--   * a capture line is `<unix seconds>[.<fraction>] <topic> <payload>`; the arrival time is
--     the line's time in whole milliseconds (extra fraction digits cut off);
--   * `vn/{site}/{device}/telemetry` carries a JSON object: every number in it is a reading,
--     nested keys joined with `.` (`power.voltage`); numbers inside arrays, strings, booleans
--     and null are skipped; a top-level `ts` is the event time and `seq` is not a metric;
--   * `ts` as RFC 3339 text is that instant; a numeric `ts` is read with `ts_unit=auto`:
--     |ts| below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else
--     nanoseconds, down to the whole millisecond; without `ts` the event time is the arrival;
--   * `vn/{site}/{device}/{metric}` (any other last segment) carries one number as text;
--     its event time is the arrival time;
--   * tumbling windows of 10 s, 1 min and 1 h aligned to UTC midnight (the epoch is one), per
--     series (site, device, metric): count, min, max, sum, mean and population stddev, the
--     event times of the first and last readings and M2 (the sum of squared deviations).
-- What this does not model, because a clean capture (`telemetry-sim record --faults 0`) has
-- none of it: rejected messages (bad JSON, bad tags, future or late event times, the series
-- limit), duplicate `seq`s, and a key given twice in one object (telemetryd keeps the last).
WITH lines AS (
    SELECT line, strpos(line, ' ') AS p1
    FROM read_csv(getvariable('capture'), columns = {'line': 'VARCHAR'}, header = false,
                  delim = E'\x01', quote = '', escape = '', auto_detect = false)
),
messages AS (
    SELECT
        -- Whole milliseconds of `<seconds>.<fraction>`.
        CAST(split_part(time_text, '.', 1) AS BIGINT) * 1000
            + CAST(rpad(left(split_part(time_text, '.', 2), 3), 3, '0') AS BIGINT) AS arrival_ms,
        string_split(topic, '/') AS level,
        payload
    FROM (
        SELECT left(line, p1 - 1) AS time_text,
               split_part(rest, ' ', 1) AS topic,
               substr(rest, strpos(rest, ' ') + 1) AS payload
        FROM (SELECT line, p1, substr(line, p1 + 1) AS rest FROM lines)
    )
),
json_messages AS (
    SELECT arrival_ms, level[2] AS site, level[3] AS device, payload,
           json_type(payload, '$.ts') AS ts_type, payload ->> '$.ts' AS ts_text
    FROM messages
    WHERE len(level) = 4 AND level[1] = 'vn' AND level[4] = 'telemetry'
),
json_readings AS (
    SELECT
        CASE
            WHEN ts_type = 'VARCHAR' THEN epoch_ms(CAST(ts_text AS TIMESTAMPTZ))
            WHEN ts_type IN ('UBIGINT', 'BIGINT') THEN
                CASE
                    WHEN CAST(ts_text AS HUGEINT) < 100000000000 THEN CAST(ts_text AS BIGINT) * 1000
                    WHEN CAST(ts_text AS HUGEINT) < 100000000000000 THEN CAST(ts_text AS BIGINT)
                    WHEN CAST(ts_text AS HUGEINT) < 100000000000000000 THEN CAST(ts_text AS BIGINT) // 1000
                    ELSE CAST(CAST(ts_text AS HUGEINT) // 1000000 AS BIGINT)
                END
            WHEN ts_type = 'DOUBLE' THEN
                CASE
                    WHEN CAST(ts_text AS DOUBLE) < 1e11 THEN CAST(floor(CAST(ts_text AS DOUBLE) * 1000) AS BIGINT)
                    WHEN CAST(ts_text AS DOUBLE) < 1e14 THEN CAST(floor(CAST(ts_text AS DOUBLE)) AS BIGINT)
                    WHEN CAST(ts_text AS DOUBLE) < 1e17 THEN CAST(floor(CAST(ts_text AS DOUBLE) / 1000) AS BIGINT)
                    ELSE CAST(floor(CAST(ts_text AS DOUBLE) / 1e6) AS BIGINT)
                END
            ELSE arrival_ms
        END AS event_ms,
        site, device,
        replace(substr(node.fullkey, 3), '"', '') AS metric,
        CAST(node.atom AS DOUBLE) AS value
    FROM json_messages, json_tree(json_messages.payload) AS node
    WHERE node.type IN ('UBIGINT', 'BIGINT', 'DOUBLE')
      AND NOT contains(node.fullkey, '[')
      AND NOT (node.path = '$' AND node.key IN ('ts', 'seq'))
),
value_readings AS (
    SELECT arrival_ms AS event_ms, level[2] AS site, level[3] AS device, level[4] AS metric,
           CAST(payload AS DOUBLE) AS value
    FROM messages
    WHERE len(level) = 4 AND level[1] = 'vn' AND level[4] <> 'telemetry'
),
readings AS (
    SELECT * FROM json_readings
    UNION ALL
    SELECT * FROM value_readings
),
windows(name, ms) AS (VALUES ('10s', 10000), ('1m', 60000), ('1h', 3600000))
SELECT
    windows.name AS "window",
    readings.event_ms // windows.ms * windows.ms AS start_ms,
    site, device, metric,
    count(*) AS count,
    min(value) AS min,
    max(value) AS max,
    sum(value) AS sum,
    avg(value) AS mean,
    stddev_pop(value) AS stddev,
    min(event_ms) AS first_ms,
    max(event_ms) AS last_ms,
    var_pop(value) * count(*) AS m2
FROM readings, windows
GROUP BY ALL
