#!/usr/bin/env bash
# The README's first quick-start command: install what is missing, build, start a local
# mosquitto on a free loopback port, run telemetryd against it with the shipped config,
# feed it with the simulator for a while, then show the rollups with telemetryctl.
#   DEMO_SECONDS=40  how long the simulator publishes
#   DEMO_RATE=200    messages per second
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DEMO_SECONDS:-40}
rate=${DEMO_RATE:-200}

missing=()
for tool in mosquitto:mosquitto mosquitto_pub:mosquitto-clients pkg-config:pkg-config; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ -f /usr/include/mosquitto.h ] || missing+=(libmosquitto-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== building (release)"
swift build -c release 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/telemetryd-demo.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $work/
CONF
[ "$(id -u)" -eq 0 ] && echo "user root" >> "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  kill -TERM "$broker" 2>/dev/null || true
}
trap cleanup EXIT
sleep 0.5

echo "== telemetryd on mqtt://127.0.0.1:$port, data in $work/data (log: $work/telemetryd.log)"
"$bin/telemetryd" run --config config/telemetryd.yaml --broker "mqtt://127.0.0.1:$port" \
  --data-dir "$work/data" --client-id telemetryd-demo > "$work/telemetryd.log" 2>&1 &
daemon=$!
for _ in $(seq 50); do grep -q "ready:" "$work/telemetryd.log" && break; sleep 0.2; done

echo "== telemetry-sim publishing $rate messages/s for ${seconds}s (2% faults)"
"$bin/telemetry-sim" publish --broker "mqtt://127.0.0.1:$port" --rate "$rate" --duration "${seconds}s" \
  --devices 20 --faults 0.02 2>&1 | grep '^telemetry-sim'
sleep 1
kill -TERM "$daemon"; wait "$daemon" || true; daemon=""

ctl="$bin/telemetryctl --data-dir $work/data"
echo; echo "== telemetryctl query --window 10s --site hanoi --limit 12"
$ctl query --window 10s --site hanoi --limit 12
echo; echo "== telemetryctl plot --window 10s --metric pm25 (first air-quality station in Hà Nội)"
device=$($ctl series --window 10s --site hanoi --metric pm25 --format csv | sed -n 2p | cut -d, -f3)
$ctl plot --window 10s --metric pm25 --site hanoi --device "$device" --height 8
echo; echo "== telemetryctl status"
$ctl status | head -30
echo; echo "Data kept in $work/data — try: $ctl tail -n 5"
