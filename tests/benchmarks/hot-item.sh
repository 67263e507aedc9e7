#!/usr/bin/env bash
# One hot item on Azurite: every interaction of the run goes to the same item (users uniform), at a rate the system
# sustains, for long enough to see what the item's growing state does: its entity size in the grain-state table,
# latency over time, and whether writes keep succeeding. An actor keeps the sequence number and rating of every
# interaction since its model's watermark (ActorState.Pending, ~15 bytes each: reviews are read back from the log on
# rebase) and a fixed-size deduplication ring; before that change the state kept review texts and counterparts too,
# grew ~220 bytes per interaction and hit Azure Table's 1 MB entity limit after ~3,500 interactions.
# Usage: tests/benchmarks/hot-item.sh   (env: RATE=40 DURATION=120 REVIEW=0 OUT=dir KEEP_WORK=1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
RATE=${RATE:-40}; DURATION=${DURATION:-120}
start_report hot-item
start_azurite
use_storage azure bench-hot
silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
start_gateway "$port" "$gw_port"
gateway="http://127.0.0.1:$port"
publish_demo_model "$gateway" 40 20 5

mix=rating=1; [ "${REVIEW:-0}" = 1 ] && mix=review=1
log ""; log "-- $RATE/s for $DURATION s, every interaction on one item ($mix)"
load run --gateway "$gateway" --rate "$RATE" --duration "$DURATION" --warmup 0 --mix "$mix" --users 100000 --zipf 0 --items 1 \
  --check-items --print-timeline 10 --timeout 30 --label "hot-item/$RATE" --json "$out/hot-item-$RATE.json" | grep -v '^JSON' | tee -a "$summary" || true
log ""; log "-- the item's entity in the grain-state table"
load table-stats --connection-string "$AZ_CONN" --contains -i0 --top 1 | grep -v '^JSON' | tee -a "$summary" || true
log ""; log "-- silo errors (first 3)"
grep -E "fail|rror|xception" "$work/silo-0.log" | head -3 | cut -c1-400 | tee -a "$summary" || true
{ head -40 "$work/silo-0.log" | cut -c1-600; echo "... ($(wc -l < "$work/silo-0.log") lines; $(grep -c EntityTooLarge "$work/silo-0.log") mention EntityTooLarge; first failures:)"; grep -m2 "fail:" "$work/silo-0.log" | cut -c1-1500; } > "$out/silo-0.excerpt.log" || true
