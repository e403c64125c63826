#!/usr/bin/env python3
"""Runs a command and writes its own accounting — wall seconds, user+sys CPU seconds and peak
RSS from os.wait4 — as one JSON object to the file named by the first argument:

    rusage.py RESULT.json COMMAND [ARG...]

Why a separate small process: Linux carries the RSS of the process that forks a child into
that child's ru_maxrss (at exec the old address space's high-water mark is kept), so a child
forked by the benchmark's own Python, which holds DuckDB and the check's data, would report
that Python's peak when its own is smaller. This launcher is a bare interpreter (`-S`, a few
MiB), smaller than any contestant, so the peak it reports is the command's own.
"""
import json
import os
import sys
import time


def main() -> int:
    """Forks and execs the command, waits for it with os.wait4, writes the result; returns
    the command's exit code (128 + signal number when it was killed)."""
    result_path, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(result_path, "w") as f:
        json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                   "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
                   "peak_rss_bytes": usage.ru_maxrss * 1024,
                   "exit_code": code if code >= 0 else 128 - code}, f)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
