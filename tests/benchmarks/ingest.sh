#!/usr/bin/env bash
# Ingestion throughput and latency of one silo behind the gateway, as real processes from the Release build, read
# against ceilings measured in the same run:
#   - the encoder: raw review encoding per second (the load tool's `encoder`, batches of 16 as the silo and of 32);
#   - per storage mode (memory: Folder storage + Localhost clustering, grain state in memory; azure: Azurite):
#       HTTP ceiling  the same open-model load against GET /health/live on the gateway (no key, no grain call:
#                     Kestrel + routing + the health-check middleware);
#       no-op ceiling the same rating-only requests through ingestion's path to a no-op grain pair
#                     (POST /api/diagnostics/noop-interactions: key, rate limiter, JSON body, validation, a stateless
#                     worker and two grain calls keyed like the user and the item; no encoding, log, GRU or storage);
#       rating ladder rating-only interactions at each rate of $RATES (Zipf users and items, fresh ids per step),
#                     then the top rate once more with uniform users and items (no hot keys);
#       reviews       review interactions at each rate of $REVIEW_RATES;
#       raw writes    (azure only) Azure.Data.Tables upserts against the same Azurite (`table-writes`);
#     every load step ends with the exactly-once check (PASS/FAIL per step).
# Usage: tests/benchmarks/ingest.sh   (env: MODES="memory azure" RATES="500 1000 2000 3000" (or per mode: RATES_memory,
#        RATES_azure) DURATION=20 WARMUP=5
#        REVIEW_RATES="25 50 100" CEILINGS="http noop" (which ceilings; "" for none)
#        CEILING_RATES="$RATES 3000" (their rates) ENCODER_COUNT=1024 ZIPF=1.0 USERS=10000 ITEMS=1000 MAX_INFLIGHT=1024 OUT=dir KEEP_WORK=1)
# Expects the Release build (flock /tmp/drex-build.lock dotnet build Drex.sln -c Release). Results: $OUT/*.json and
# $OUT/summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

MODES=${MODES:-"memory azure"}
RATES=${RATES:-"500 1000 2000 3000"}
REVIEW_RATES=${REVIEW_RATES-"25 50 100"}
DURATION=${DURATION:-20}; WARMUP=${WARMUP:-5}; ZIPF=${ZIPF:-1.0}; USERS=${USERS:-10000}; ITEMS=${ITEMS:-1000}
MAX_INFLIGHT=${MAX_INFLIGHT:-1024}
start_report ingest

log ""; log "== encoder ceiling (no silo running)"
load encoder --count "${ENCODER_COUNT:-1024}" --batch 16 32 --single 200 --gap-ms 20 --json "$out/encoder.json" | grep -v '^JSON' | tee -a "$summary"

step() { # mode name rate mix extra-args... -> runs one load step
  local mode=$1 name=$2 rate=$3 mix=$4; shift 4
  log ""; log "-- $mode $name @ $rate/s ($mix)"
  cpu_mark "silo:$silo_pid_0" "gateway:${pids[0]}" ${azurite_pid:+"azurite:$azurite_pid"}
  load run --gateway "$gateway" --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" --mix "$mix" --users "$USERS" --items "$ITEMS" \
    --zipf "${STEP_ZIPF:-$ZIPF}" --max-inflight "$MAX_INFLIGHT" --check-items --label "$mode/$name/$rate" --json "$out/$mode-$name-$rate.json" "$@" \
    | grep -v '^JSON' | tee -a "$summary" || true
  log "   $(cpu_since)"
  log "   silo RSS $(rss_of "$silo_pid_0") MiB, gateway RSS $(rss_of "${pids[0]}") MiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

for mode in $MODES; do
  pids=(); unset silo_pid_0 azurite_pid
  log ""; log "==== mode: $mode"
  if [ "$mode" = azure ]; then
    start_azurite
    use_storage azure "bench-$mode"
  else
    use_storage folder "bench-$mode"
  fi
  export Drex__Gateway__Diagnostics=true
  silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
  start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
  start_gateway "$port" "$gw_port"
  gateway="http://127.0.0.1:$port"
  publish_demo_model "$gateway" 40 20 5
  log "model: $(curl -fsS -H 'X-Api-Key: dev-read' "$gateway/api/model")"

  rates_var="RATES_$mode"; rates=${!rates_var:-$RATES}
  ceiling_rates=${CEILING_RATES:-"$rates ${CEILING_EXTRA-3000}"}
  for ceiling in ${CEILINGS-http noop}; do
    mix=$([ "$ceiling" = http ] && echo live=1 || echo noop=1)
    for rate in $ceiling_rates; do step "$mode" "$ceiling-ceiling" "$rate" "$mix" --no-check; done
  done
  for rate in $rates; do step "$mode" rating "$rate" rating=1; done
  top=${rates##* }
  [ -n "$top" ] && STEP_ZIPF=0 step "$mode" rating-uniform "$top" rating=1
  for rate in $REVIEW_RATES; do step "$mode" review "$rate" review=1; done
  if [ "$mode" = azure ]; then
    log ""; log "-- grain state in Azurite after the load: entity count and the largest entities"
    load table-stats --connection-string "$AZ_CONN" --top 5 --json "$out/azure-table-stats.json" | grep -v '^JSON' | tee -a "$summary" || true
    log ""; log "-- do reads write? 50 GETs of users that never interacted (each answers 404), then their entities in storage"
    codes=$(for i in $(seq 1 50); do curl -s -o /dev/null -w '%{http_code} ' -H 'X-Api-Key: dev-read' "$gateway/api/users/nosuchuser-$i"; done)
    log "   status codes: $(xargs -n1 <<<"$codes" | sort | uniq -c | xargs)"
    load table-stats --connection-string "$AZ_CONN" --contains nosuchuser --top 2 | grep -v '^JSON' | tee -a "$summary" || true
    log ""; log "-- raw Azurite table upserts (same Azurite, silo idle)"
    load table-writes --connection-string "$AZ_CONN" --duration "${TABLE_SECONDS:-10}" --concurrency 1 16 64 256 --json "$out/azure-table-writes.json" \
      | grep -v '^JSON' | tee -a "$summary"
  fi
  cp "$work/silo-0.log" "$out/$mode-silo-0.log" 2>/dev/null || true
  stop_all
  rm -f "$work/silo-0.log" "$work/gateway.log"
done

log ""; log "==== table (throughput = acknowledged/s over the measured window; latency from the intended send time)"
python3 "$root/tests/benchmarks/table.py" "$out" | tee -a "$summary"
echo "results in $out"
