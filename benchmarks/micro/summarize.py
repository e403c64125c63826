#!/usr/bin/env python3
"""Turns ordo-one's JMH export of a micro-benchmark run into the suite's contract rows.

ordo-one's JMH export holds, per benchmark, the per-iteration mean and percentiles of each
metric, unscaled (wall clock in microseconds per iteration, mallocs per iteration). Each
benchmark here does a fixed number of operations per iteration (its `scalingFactor`, listed
in KINDS), so per-operation figures are those divided by it; unlike ordo-one's own scaled
table, whose malloc column rounds to whole numbers, fractions survive (0.1 mallocs per
reading shows as 0.1, not 0).

Usage: summarize.py JMH_JSON [--tiny 0|1] [--load TEXT] [--out FILE]
Exits 1 if the export lacks a benchmark the suite defines.
"""
import argparse
import json
import sys

# (name prefix, benchmarks expected with it, operations per iteration, operation,
#  on the per-reading hot path — where mallocs must be 0)
KINDS = [
    ("Harness/empty", 1, 1_000, "step", False),
    ("ReadingRing push+drain", 3, 1_000_000, "reading", True),
    ("MessageDecoder.decode", 3, 1_000, "message", True),
    ("WindowAggregator.add", 1, 1_000, "reading", True),
    ("RollupLineEncoder.append", 2, 1_000, "rollup", False),
    ("decode+push+aggregate", 1, 1_000, "message", True),
]
PREFIX = "package.benchmark.TelemetryMicro."


def kind_of(name):
    for kind in KINDS:
        if name.startswith(kind[0]):
            return kind
    return None


def significant(x, digits=4):
    if x == 0:
        return 0.0
    return float(f"{x:.{digits}g}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("jmh")
    p.add_argument("--tiny", default="0")
    p.add_argument("--out")
    p.add_argument("--load", default="?", help="1-minute load average before and after the run")
    a = p.parse_args()
    tiny = a.tiny == "1"

    with open(a.jmh) as f:
        elements = json.load(f)

    results = []
    for e in elements:
        name = e["benchmark"]
        name = name[len(PREFIX):] if name.startswith(PREFIX) else name
        name = name.replace("_", " ")
        kind = kind_of(name)
        if kind is None:
            print(f"micro: benchmark '{name}' is not in summarize.py's KINDS", file=sys.stderr)
            return 1
        m = e["secondaryMetrics"]
        wall = m["Time (wall clock)"]
        mallocs = m["Malloc (total)"]
        cpu = next((v for k, v in m.items() if k.startswith("CPU time")), None)
        if cpu is None:
            print(f"micro: benchmark '{name}' has no CPU time in the export", file=sys.stderr)
            return 1
        results.append((name, kind, e["measurementIterations"], wall, cpu, mallocs))

    broken = False
    for prefix, expected, *_ in KINDS:
        found = sum(1 for r in results if r[1][0] == prefix)
        if found != expected:
            print(f"micro: expected {expected} '{prefix}' benchmark(s) in the export, found {found}", file=sys.stderr)
            broken = True
    if broken:
        return 1

    order = {k[0]: i for i, k in enumerate(KINDS)}
    results.sort(key=lambda r: (order[r[1][0]], r[0]))

    rows = []
    lines = []
    for name, (prefix, _, ops, op, hot), samples, wall, cpu, mallocs in results:
        ns_mean = wall["score"] * 1_000 / ops  # μs per iteration → ns per operation
        ns_p50 = wall["scorePercentiles"]["50.0"] * 1_000 / ops
        cpu_mean = cpu["score"] / ops  # ns per iteration (a custom metric: not rescaled)
        cpu_p50 = cpu["scorePercentiles"]["50.0"] / ops
        cpu_min = cpu["scorePercentiles"]["0.0"] / ops
        scope = "the whole process (producers and consumer)" if prefix.startswith("ReadingRing") else "the benchmark thread"
        per_op_mallocs = mallocs["score"] / ops
        iteration = f"{ops:,} {op}s per iteration, {samples} iterations"
        tiny_note = "; tiny run: proves the benchmark works, the numbers mean nothing" if tiny else ""
        rate = 1e9 / ns_mean if ns_mean > 0 else None
        if hot:
            malloc_note = "hot path: must be 0"
        elif prefix == "Harness/empty":
            malloc_note = "the harness's own floor: an empty measured region; must be 0 for the other counts to mean anything"
        else:
            malloc_note = "per rollup written, not per reading: not on the per-reading hot path"
        rows.append({
            "benchmark": f"micro: {name}", "metric": f"wall time per {op} (mean)",
            "telemetryd": significant(ns_mean), "reference": None, "ratio": None,
            "unit": f"ns/{op}",
            "note": f"p50 {significant(ns_p50)} ns; {iteration}; wall clock on a shared 2-core machine (load average {a.load} before, after the run){tiny_note}",
        })
        rows.append({
            "benchmark": f"micro: {name}", "metric": f"CPU time per {op} (mean)",
            "telemetryd": significant(cpu_mean), "reference": None, "ratio": None,
            "unit": f"ns/{op}",
            "note": f"p50 {significant(cpu_p50)} ns, fastest iteration {significant(cpu_min)} ns; CPU time of {scope} (clock_gettime), which waiting for a "
                    f"core does not inflate; {iteration}{tiny_note}",
        })
        rows.append({
            "benchmark": f"micro: {name}", "metric": f"{op}s per second",
            "telemetryd": significant(rate) if rate else None, "reference": None, "ratio": None,
            "unit": f"{op}s/s", "note": f"1e9 / mean wall ns per {op}{tiny_note}",
        })
        rows.append({
            "benchmark": f"micro: {name}", "metric": f"mallocs per {op}",
            "telemetryd": significant(per_op_mallocs), "reference": None, "ratio": None,
            "unit": f"mallocs/{op}",
            "note": f"{malloc_note}; mean {mallocs['score']} per iteration of {ops:,}{tiny_note}",
        })
        flag = ""
        if hot and per_op_mallocs > 0:
            flag = "  <- allocates on the hot path"
        lines.append((name, f"{ns_mean:,.1f}", f"{ns_p50:,.1f}", f"{cpu_mean:,.1f}", f"{cpu_min:,.1f}", f"{rate:,.0f}" if rate else "-",
                      op, f"{per_op_mallocs:.4g}", flag))

    print()
    print("== micro: per operation (means over iterations, and the fastest iteration's CPU time, the figure"
          " least moved by other load; mallocs not rounded)" + (" — TINY RUN" if tiny else ""))
    w = max(len(l[0]) for l in lines)
    print(f"{'benchmark':<{w}}  {'wall ns/op':>11}  {'wall p50':>10}  {'CPU ns/op':>10}  {'CPU min':>10}  {'ops/s (wall)':>13}  {'op':<8} {'mallocs/op':>10}")
    for name, mean, p50, cpu_ns, cpu_min, rate, op, mal, flag in lines:
        print(f"{name:<{w}}  {mean:>11}  {p50:>10}  {cpu_ns:>10}  {cpu_min:>10}  {rate:>13}  {op:<8} {mal:>10}{flag}")

    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"== micro: wrote {len(rows)} rows to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
