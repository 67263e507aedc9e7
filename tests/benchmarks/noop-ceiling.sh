#!/usr/bin/env bash
# How far the no-op ceiling goes: ingestion's own path to a no-op grain pair (POST /api/diagnostics/noop-interactions,
# see ingest.sh) on one silo with memory storage, at rates beyond the ingest ladder, until it stops keeping up.
# Usage: tests/benchmarks/noop-ceiling.sh   (env: RATES="5000 6500 8000" DURATION=20 WARMUP=5 OUT=dir)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; rm -rf "$work"' EXIT
RATES=${RATES:-"5000 6500 8000"}; DURATION=${DURATION:-20}; WARMUP=${WARMUP:-5}
start_report noop-ceiling
use_storage folder bench-noop
export Drex__Gateway__Diagnostics=true
silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
start_gateway "$port" "$gw_port"
for rate in $RATES; do
  log ""; log "-- no-op @ $rate/s"
  cpu_mark "silo:$silo_pid_0" "gateway:${pids[0]}"
  load run --gateway "http://127.0.0.1:$port" --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" --mix noop=1 --users 10000 --items 1000 \
    --zipf 1.0 --max-inflight 1024 --no-check --label "noop/$rate" --json "$out/noop-$rate.json" | grep -v '^JSON' | grep -v 'in flight' | tee -a "$summary" || true
  log "   $(cpu_since)"
done
echo "results in $out"
