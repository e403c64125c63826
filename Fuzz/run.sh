#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/README.md) and fuzzes each for a bounded time, starting
# from its committed corpus; then feeds each the megabyte inputs made below. Exits non-zero
# on a crash, a broken invariant, a hang (-timeout) or memory beyond -rss_limit_mb, after
# printing the input that did it.
#
#   FUZZ_SECONDS=30 (per target)   FUZZ_TARGETS="FuzzMessageDecoder …"   FUZZ_WORK=<dir to keep>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
read -r -a targets <<< "${FUZZ_TARGETS:-FuzzMessageDecoder FuzzTopicTemplate FuzzCaptureLine FuzzRollupReaders}"
# A fuzzed input (at most 4 KiB) runs in milliseconds: 10 s is a hang, not a slow machine.
# A megabyte input may take a few seconds under AddressSanitizer; 30 s is its hang.
limits=(-rss_limit_mb=2048 -timeout=10)
big_limits=(-rss_limit_mb=2048 -timeout=30)

# The targets exist only with TELEMETRYD_FUZZ set (Package.swift); own scratch path, so the
# normal build is untouched. Release: the optimiser the daemon ships with, and more runs.
export TELEMETRYD_FUZZ=1
# Swift's backtracer and AddressSanitizer fight over a crashing process; libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
build=(--scratch-path .build-fuzz -c release --sanitize=fuzzer
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
for t in "${targets[@]}"; do swift build "${build[@]}" --product "$t"; done
bin=$(swift build "${build[@]}" --show-bin-path)

work=${FUZZ_WORK:-$(mktemp -d)}
[[ -n "${FUZZ_WORK:-}" ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

# Megabyte inputs, made here rather than committed: deep nesting, long numbers and strings,
# many metrics and lines, each 1 MiB or more (the decoder's targets get its 2 MiB limit).
python3 - "$work/big" <<'EOF'
import os, sys
root = sys.argv[1]
M = 1 << 20
def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    open(os.path.join(root, target, name), "wb").write(data)
big, big_own = b"\x08", b"\x0c"  # json topic / own topic, both with the 2 MiB payload limit
md = "FuzzMessageDecoder"
put(md, "json-deep-objects", big + b'{"a":' * (M // 5) + b"1" + b"}" * (M // 5))
put(md, "json-deep-arrays", big + b'{"a":' + b"[" * M + b"]" * M + b"}")
put(md, "json-long-number", big + b'{"a":1' + b"7" * M + b".5e-3}")
put(md, "json-long-fraction", big + b'{"a":0.' + b"0" * M + b"1}")
put(md, "json-long-exponent", big + b'{"a":1e' + b"9" * M + b"}")
put(md, "json-long-key", big + b'{"' + b"k" * M + b'":1}')
put(md, "json-long-string", big + b'{"s":"' + b"\\u00e9" * (M // 6) + b'","a":1}')
put(md, "json-many-metrics", big + b"{" + b",".join(b'"m%d":%d' % (i, i) for i in range(M // 12)) + b"}")
put(md, "json-same-metric", big + b"{" + b'"a":1,' * (M // 6) + b'"a":2}')
put(md, "json-nul-bytes", big + b'{"a":1,"s":"' + b"\x00" * M + b'"}')
put(md, "json-invalid-utf8", big + b'{"a":1,"s":"' + b"\xff" * M + b'"}')
put(md, "value-long-number", b"\x09" + b"1" * M)
put(md, "value-spaces", b"\x09" + b" " * M + b"1" + b" " * M)
put(md, "influx-many-fields", b"\x0b" + b"m,site=s,device=d " + b",".join(b"f%d=%d" % (i, i) for i in range(M // 10)))
put(md, "influx-many-lines", b"\x0b" + b"m,site=s,device=d f=1\n" * (M // 22))
put(md, "influx-long-escapes", b"\x0b" + b"m" + b"\\," * M + b" f=1")
put(md, "influx-long-string-field", b"\x0b" + b'm,site=s,device=d s="' + b"\\\"" * M + b'",f=1')
put(md, "own-topic-huge-payload", big_own + bytes([3]) + b"x/y" + b"{" * M)
put(md, "over-the-limit", b"\x00" + b'{"a":1' + b" " * M + b"}")
tt = "FuzzTopicTemplate"
put(tt, "many-segments", b"\x02" + b"/".join([b"{metric}"] + [b"+"] * (M // 2)) + b"\n" + b"/" * (M // 2))
put(tt, "long-literal", b"\x00{site}/{device}/" + b"x" * M + b"\n" + b"a/b/" + b"x" * M)
put(tt, "long-topic", b"\x01vn/{site}/{device}/{metric}\n" + b"vn/a/b/" + b"\xff" * M)
cl = "FuzzCaptureLine"
put(cl, "many-lines", b"1750000000.5 vn/s/d/pm25 1\n" * (M // 27))
put(cl, "long-line", b"1750000000 vn/s/d/telemetry " + b'{"a":1,"b":' + b"[" * M)
put(cl, "long-fraction", b"1750000000." + b"9" * M + b" vn/s/d/pm25 1")
put(cl, "newlines", b"\n" * M)
rr = "FuzzRollupReaders"
put(rr, "deep-arrays", b"[" * M + b"]" * M)
put(rr, "deep-objects", b'{"a":' * (M // 5) + b"1" + b"}" * (M // 5))
put(rr, "long-string", b'{"window":"' + b"\\ud83d\\ude00" * (M // 12) + b'"}')
put(rr, "long-number", b'{"count":' + b"9" * M + b"}")
put(rr, "checkpoint-many-devices", b'{"version":1,"windows":["1m"],"allowedLatenessMs":0,"open":[],"counters":{},"devices":['
    + b",".join([b'{"site":"s","device":"d","highest":1,"lowest":0,"seen":[1]}'] * (M // 60)) + b"]}")
put(rr, "csv-many-fields", b"," * M)
put(rr, "csv-long-quoted", b'"' + b'""' * M + b'"')
EOF

failed=0
failed_targets=()
for t in "${targets[@]}"; do
  before=$failed
  echo "== $t: fuzzing for ${seconds}s"
  mkdir -p "$work/corpus/$t" "$work/artifacts"
  # New inputs go to the first directory (in $work), so the committed seeds stay as they are.
  if ! "$bin/$t" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$work/artifacts/$t-" "$work/corpus/$t" "Fuzz/corpus/$t" 2>"$work/$t.log"; then
    failed=1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(average_exec_per_sec|slowest_unit_time_sec|peak_rss_mb)|ERROR|SUMMARY|Fatal error|ALARM|Test unit written' "$work/$t.log" || true
  echo "== $t: megabyte inputs"
  if ! "$bin/$t" "${big_limits[@]}" -artifact_prefix="$work/artifacts/$t-" "$work/big/$t"/* 2>"$work/$t-big.log"; then
    failed=1
    grep -E 'Running:|ERROR|SUMMARY|Fatal error|ALARM' "$work/$t-big.log" | tail -5
  fi
  grep -E '^Executed' "$work/$t-big.log" | sort -k4 -n | tail -1 | sed "s|$work/big/||; s|^|slowest: |" || true
  [[ $failed == "$before" ]] || failed_targets+=("$t")
done

# Each target is one check: it passes with no crash, broken invariant, hang or memory blow-up.
if [[ $failed != 0 ]]; then
  echo "fuzzing failed in ${failed_targets[*]}; the inputs that did it (first 512 bytes each, hex):"
  for a in "$work"/artifacts/*; do [[ -f "$a" ]] && { echo "-- $a"; head -c 512 "$a" | od -An -tx1 | head -8; }; done
  echo "fuzz: $(( ${#targets[@]} - ${#failed_targets[@]} )) passed, ${#failed_targets[@]} failed"
  exit 1
fi
echo "fuzz: ${#targets[@]} passed, 0 failed"
