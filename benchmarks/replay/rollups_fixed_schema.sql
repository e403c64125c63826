-- A faster reference for the same capture, for comparison: the rollups of rollups.sql, but
-- written for the payloads `telemetry-sim` sends (its eight metric names, `ts` as epoch
-- milliseconds or RFC 3339 text) instead of for any JSON object: each payload is parsed once
-- by json_extract_string with a list of paths, where rollups.sql walks it with json_tree.
-- It gives the same rollups only on simulator captures (the check in `run` says so), and
-- telemetryd, which knows no schema, is not asked to match that knowledge; use it with
-- `run --sql rollups_fixed_schema.sql` to see how much of DuckDB's time is the general
-- flattening. Variables and output as in rollups.sql.
WITH lines AS (
    SELECT line, strpos(line, ' ') AS p1
    FROM read_csv(getvariable('capture'), columns = {'line': 'VARCHAR'}, header = false,
                  delim = E'\x01', quote = '', escape = '', auto_detect = false)
),
messages AS (
    SELECT
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
fields(metric, i) AS (
    VALUES ('pm25', 1), ('pm10', 2), ('temperature', 3), ('humidity', 4),
           ('power.voltage', 5), ('power.current', 6), ('power.active', 7), ('energy', 8)
),
json_messages AS (
    SELECT arrival_ms, level[2] AS site, level[3] AS device,
           json_extract_string(payload, ['$.ts', '$.pm25', '$.pm10', '$.temperature', '$.humidity',
                                         '$.power.voltage', '$.power.current', '$.power.active',
                                         '$.energy']) AS v
    FROM messages
    WHERE len(level) = 4 AND level[1] = 'vn' AND level[4] = 'telemetry'
),
readings AS (
    SELECT
        CASE
            WHEN v[1] IS NULL THEN arrival_ms
            WHEN contains(v[1], 'T') THEN epoch_ms(CAST(v[1] AS TIMESTAMPTZ))
            WHEN CAST(v[1] AS HUGEINT) < 100000000000 THEN CAST(v[1] AS BIGINT) * 1000
            ELSE CAST(v[1] AS BIGINT)
        END AS event_ms,
        site, device, fields.metric, CAST(v[fields.i + 1] AS DOUBLE) AS value
    FROM json_messages, fields
    WHERE v[fields.i + 1] IS NOT NULL
    UNION ALL
    SELECT arrival_ms, level[2], level[3], level[4], CAST(payload AS DOUBLE)
    FROM messages
    WHERE len(level) = 4 AND level[1] = 'vn' AND level[4] <> 'telemetry'
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
