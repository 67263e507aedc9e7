#!/usr/bin/env bash
# Recommendation latency over large catalogs, and model propagation to every silo.
# Two silos (Folder storage + Localhost clustering: grain state in memory, bundles in a shared folder) and the gateway
# run from the Release build. For each catalog size in $SIZES the load tool's `publish-synthetic` builds a bundle whose
# snapshot holds that many items (random weights, hidden 64) and $SNAPSHOT_USERS users, uploads it, publishes it and
# measures the time until every silo serves it, two ways:
#   - probes: 32 users created under the previous model are polled (GET /api/users/{id}); a user grain rebases onto
#     the model its own silo serves whenever it is read, so a probe reports the new version once its silo swapped;
#   - logs: each silo logs "Serving model V" at the swap; the UTC timestamps against the publish call's start.
# Then it measures GET /api/users/{id}/recommendations?k=10 for the snapshot's users (Zipf) at each rate of
# $RATES_<size>, and the silos' resident memory after each publish (old versions stay loaded: see the report).
# Usage: tests/benchmarks/recommend.sh   (env: SIZES="10000 1000000" SNAPSHOT_USERS=10000 DURATION=20 WARMUP=5
#        RATES_10000="20 100 300" RATES_1000000="5 20 40" OUT=dir KEEP_WORK=1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

SIZES=${SIZES:-"10000 1000000"}
SNAPSHOT_USERS=${SNAPSHOT_USERS:-10000}
DURATION=${DURATION:-20}; WARMUP=${WARMUP:-5}
start_report recommend

use_storage folder bench-rec
s0=$(free_port); g0=$(free_port); h0=$(free_port); s1=$(free_port); g1=$(free_port); h1=$(free_port); port=$(free_port)
start_silo 0 "$s0" "$g0" "$h0" "$s0"
start_silo 1 "$s1" "$g1" "$h1" "$s0"
start_gateway "$port" "$g0" "$g1"
gateway="http://127.0.0.1:$port"
log "2 silos (pids $silo_pid_0, $silo_pid_1), gateway $gateway"

swap_times() { # version json -> per-silo swap delay from the silo logs (waits up to 300 s for each silo's line)
  local version=$1 json=$2 i deadline
  for i in 0 1; do
    deadline=$((SECONDS + 300))
    until grep -q "Serving model $version" "$work/silo-$i.log" || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
    python3 - "$work/silo-$i.log" "$version" "$json" "$i" <<'EOF' | tee -a "$summary"
import datetime, json, re, sys
log, version, summary, silo = sys.argv[1:5]
start = datetime.datetime.fromisoformat(json.load(open(summary))["publishStartUtc"])
for line in open(log, errors="replace"):
    if f"Serving model {version}" in line:
        t = datetime.datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00"))
        print(f"   silo {silo} logged 'Serving model {version}' {(t - start).total_seconds():.3f} s after the publish call started")
        break
else:
    print(f"   silo {silo}: no 'Serving model {version}' line")
EOF
  done
}

log ""; log "-- base model (100 items) so that probes can be created under a previous version"
load publish-synthetic --gateway "$gateway" --items 100 --users 100 --probes 0 --version "syn-base-$RANDOM" --json "$out/publish-base.json" \
  | grep -v '^JSON' | tee -a "$summary"
sleep 2

for n in $SIZES; do
  version="syn-$n-$RANDOM"
  log ""; log "==== $n items: publish $version"
  cpu_mark "silo0:$silo_pid_0" "silo1:$silo_pid_1"
  load publish-synthetic --gateway "$gateway" --items "$n" --users "$SNAPSHOT_USERS" --probes 32 --version "$version" --json "$out/publish-$n.json" \
    | grep -v '^JSON' | tee -a "$summary"
  log "   $(cpu_since) (build and upload in the load tool included in the wall time)"
  swap_times "$version" "$out/publish-$n.json"
  log "   silo RSS: $(rss_of "$silo_pid_0") MiB, $(rss_of "$silo_pid_1") MiB"
  rates_var="RATES_$n"; rates=${!rates_var:-"20 100"}
  for rate in $rates; do
    log ""; log "-- recommendations over $n items @ $rate/s"
    cpu_mark "silo0:$silo_pid_0" "silo1:$silo_pid_1" "gateway:${pids[0]}"
    load run --gateway "$gateway" --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" --mix recommend=1 --users "$SNAPSHOT_USERS" \
      --user-prefix syn-u --item-prefix syn-i --items "$n" --max-inflight 256 --timeout 30 --no-check --label "recommend/$n/$rate" \
      --json "$out/recommend-$n-$rate.json" | grep -v '^JSON' | tee -a "$summary" || true
    log "   $(cpu_since)"
    log "   silo RSS: $(rss_of "$silo_pid_0") MiB, $(rss_of "$silo_pid_1") MiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done

log ""; log "==== a small model after the large one: does the silos' memory come back?"
version="syn-after-$RANDOM"
load publish-synthetic --gateway "$gateway" --items 1000 --users 100 --probes 32 --version "$version" --json "$out/publish-after.json" \
  | grep -v '^JSON' | tee -a "$summary"
swap_times "$version" "$out/publish-after.json"
sleep 5
log "   silo RSS 5 s later: $(rss_of "$silo_pid_0") MiB, $(rss_of "$silo_pid_1") MiB"
if command -v dotnet-gcdump >/dev/null || [ -x "$HOME/.dotnet/tools/dotnet-gcdump" ]; then
  PATH="$PATH:$HOME/.dotnet/tools"
  log ""; log "==== live heap of each silo now (dotnet-gcdump forces a full GC first): what is still held after the small model took over"
  for i in 0 1; do
    pid_var="silo_pid_$i"
    dotnet-gcdump collect -p "${!pid_var}" -o "$work/silo-$i.gcdump" >/dev/null 2>&1 || { log "   silo $i: gcdump failed"; continue; }
    log "   silo $i:"
    dotnet-gcdump report "$work/silo-$i.gcdump" 2>/dev/null | head -16 | sed "s/^/     /" | tee -a "$summary" || true
  done
fi
cp "$work/silo-0.log" "$out/silo-0.log"; cp "$work/silo-1.log" "$out/silo-1.log"

log ""; log "==== table"
python3 "$root/tests/benchmarks/table.py" "$out" | tee -a "$summary"
echo "results in $out"
