#!/usr/bin/env bash
# Where the silo's CPU goes under rating-only ingestion: one silo (grain state in memory, or in Azurite with
# STORAGE=azure), the gateway, a demo model,
# an open-model load (Zipf users and items) and a dotnet-trace thread-time sample of the silo in the middle of it; prints the
# top methods by exclusive and by inclusive time, then the running stacks only (cpu-profile.py) and the callers of
# contended locks (lock-callers.py). With PROFILE=gc, a
# gc-verbose trace of the silo instead (10 s): its collections (pauses, promoted bytes) and its sampled allocations by
# type and site (the load tool's gc-report). Needs dotnet-trace (dotnet tool install -g dotnet-trace).
# PREWARM=seconds first runs the same load that long, unmeasured (a silo past its first minute: JIT, activations).
# TRACE=gateway traces the gateway instead of the silo; TRACE_FROM=seconds into the load when tracing starts (12:
# past the activations of the first seconds; 0 to see them); with STORAGE=azure, AZURITE_PROFILE=1 also writes a V8 CPU profile
# of Azurite over the whole run and prints its top functions (tests/benchmarks/node-profile.py).
# Usage: tests/benchmarks/profile-ingest.sh   (env: RATE=500 ZIPF=1.0 MIX=rating=1 STORAGE=folder|azure PROFILE=cpu|gc
#        TRACE=silo|gateway TRACE_FROM=12 PREWARM=0 AZURITE_PROFILE= OUT=dir)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || { echo "needs dotnet-trace: dotnet tool install -g dotnet-trace" >&2; exit 1; }
RATE=${RATE:-500}; ZIPF=${ZIPF:-1.0}; MIX=${MIX:-rating=1}; STORAGE=${STORAGE:-folder}; PROFILE=${PROFILE:-cpu}
case "$PROFILE" in cpu|gc) ;; *) echo "PROFILE must be cpu or gc, not '$PROFILE'" >&2; exit 2 ;; esac
TRACE=${TRACE:-silo}; TRACE_FROM=${TRACE_FROM:-12}
case "$TRACE" in silo|gateway) ;; *) echo "TRACE must be silo or gateway, not '$TRACE'" >&2; exit 2 ;; esac
start_report profile

case "$STORAGE" in
  folder) use_storage folder bench-prof ;;
  azure) [ -z "${AZURITE_PROFILE:-}" ] || export AZURITE_CPU_PROFILE_DIR="$out/azurite-profile"
         start_azurite; use_storage azure bench-prof ;;
  *) echo "STORAGE must be folder or azure, not '$STORAGE'" >&2; exit 2 ;;
esac
silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
start_gateway "$port" "$gw_port"
gateway="http://127.0.0.1:$port"
publish_demo_model "$gateway" 40 20 5

if [ "${PREWARM:-0}" -gt 0 ]; then
  log ""; log "-- $RATE/s $MIX for ${PREWARM} s, unmeasured"
  load run --gateway "$gateway" --rate "$RATE" --duration "$PREWARM" --warmup 0 --mix "$MIX" --zipf "$ZIPF" --max-inflight 1024 --no-check \
    --label "prewarm/$RATE" >/dev/null 2>&1 || true
fi
log ""; log "-- $RATE/s $MIX, zipf $ZIPF, 40 s; $TRACE traced ($PROFILE) from ${TRACE_FROM} s"
load run --gateway "$gateway" --rate "$RATE" --duration 30 --warmup 10 --mix "$MIX" --zipf "$ZIPF" --max-inflight 1024 \
  --label "profile/$RATE" --json "$out/load.json" > "$work/load.out" 2>&1 &
load_pid=$!
sleep "$TRACE_FROM"
case "$PROFILE" in
  gc) trace=(--profile gc-verbose --duration 00:00:00:10) ;;
  cpu) trace=(--profile dotnet-sampled-thread-time --duration 00:00:00:20) ;;
esac
traced_pid=$([ "$TRACE" = gateway ] && echo "${pids[0]}" || echo "$silo_pid_0")
dotnet-trace collect -p "$traced_pid" "${trace[@]}" -o "$work/$TRACE.nettrace" </dev/null >"$work/trace.out" 2>&1 || { log "trace failed"; tail -5 "$work/trace.out"; }
wait "$load_pid" || true
grep -v '^JSON' "$work/load.out" | grep -v "t=  " | tee -a "$summary"
if [ "$PROFILE" = gc ]; then
  log ""; log "-- the $TRACE's collections and allocations over 10 s from ${TRACE_FROM} s"
  load gc-report "$work/$TRACE.nettrace" --top 20 | cut -c1-260 | tee -a "$summary"
  exit 0
fi
log ""; log "-- top methods by exclusive samples (stacks of every thread, ~100 Hz: waiting threads included)"
dotnet-trace report "$work/$TRACE.nettrace" topN -n 30 2>&1 | cut -c1-220 | tee -a "$summary" || true
log ""; log "-- top methods by inclusive samples"
dotnet-trace report "$work/$TRACE.nettrace" topN -n 60 --inclusive 2>&1 | cut -c1-220 | tee -a "$summary" || true
log ""; log "-- running stacks only (waits dropped; cpu-profile.py)"
dotnet-trace convert --format speedscope -o "$work/$TRACE" "$work/$TRACE.nettrace" >/dev/null 2>&1 \
  && python3 "$root/tests/benchmarks/cpu-profile.py" "$work/$TRACE.speedscope.json" 60 | cut -c1-220 | tee -a "$summary" || log "conversion failed"
if [ -f "$work/$TRACE.speedscope.json" ]; then
  log ""; log "-- who waits on contended locks (lock-callers.py)"
  python3 "$root/tests/benchmarks/lock-callers.py" "$work/$TRACE.speedscope.json" 10 3 | cut -c1-260 | tee -a "$summary"
fi
if [ -n "${AZURITE_CPU_PROFILE_DIR:-}" ]; then
  stop_all
  log ""; log "-- Azurite's CPU profile over the whole run (start, model publish, load)"
  python3 "$root/tests/benchmarks/node-profile.py" "$AZURITE_CPU_PROFILE_DIR"/*.cpuprofile 30 40 | cut -c1-220 | tee -a "$summary"
fi
