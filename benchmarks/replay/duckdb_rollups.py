#!/usr/bin/env python3
"""The reference contestant: DuckDB, one thread, computing rollups.sql from one capture.

Run as its own process by `run`, which measures it with os.wait4 (CPU and peak RSS include
the Python interpreter and DuckDB's import, as telemetryd's include its own start-up). The
query's result is copied to a Parquet file for the check; the CPU time of the query alone
(getrusage around it) is printed as one JSON line on stdout, for the notes.
"""
import argparse
import json
import resource
import time
from pathlib import Path

import duckdb


def cpu_seconds() -> float:
    """User plus system CPU seconds this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def compute_rollups(capture: Path, sql_file: Path, out: Path, threads: int) -> dict:
    """Runs the rollup query over `capture` with `threads` threads, writes the result to `out`
    (Parquet) and returns the rows written and the query's own wall and CPU seconds."""
    query = sql_file.read_text().strip().rstrip(";")
    connection = duckdb.connect()
    connection.execute(f"SET threads = {int(threads)}")
    connection.execute("SET VARIABLE capture = ?", [str(capture)])
    started_cpu, started_wall = cpu_seconds(), time.perf_counter()
    connection.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
    wall, cpu = time.perf_counter() - started_wall, cpu_seconds() - started_cpu
    rows = connection.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    return {"rows": rows, "query_wall_s": wall, "query_cpu_s": cpu}


def main() -> None:
    """Parses the arguments, computes the rollups and prints the outcome as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture", type=Path, help="capture file (telemetry-sim record output)")
    parser.add_argument("--sql", type=Path, default=Path(__file__).with_name("rollups.sql"),
                        help="the rollup query (default: rollups.sql beside this script)")
    parser.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    parser.add_argument("--threads", type=int, default=1, help="DuckDB threads (default 1)")
    args = parser.parse_args()
    print(json.dumps(compute_rollups(args.capture, args.sql, args.out, args.threads)))


if __name__ == "__main__":
    main()
