#!/usr/bin/env bash
# Recommendation latency over large catalogs, and model propagation to every silo.
# $SILOS silos (default 2; with STORAGE=folder, the default, Folder storage + Localhost clustering: grain state in memory,
# bundles in a shared folder; with STORAGE=azure, Azurite: grain state in tables, bundles in blobs) and the gateway
# run from the Release build. For each catalog size in $SIZES the load tool's `publish-synthetic` builds a bundle whose
# snapshot holds that many items (random weights, hidden 64) and $SNAPSHOT_USERS users, uploads it, publishes it and
# measures the time until every silo serves it, two ways:
#   - probes: 32 users created under the previous model are polled (GET /api/users/{id}); a user grain rebases onto
#     the model its own silo serves whenever it is read, so a probe reports the new version once its silo swapped;
#   - logs: each silo logs "Serving model V" at the swap; the UTC timestamps against the publish call's start.
# With STORAGE=azure it then reads the snapshot blob back from Azurite (`blob-read`, by 1 reader and by 2 at once):
# the ceiling of the silos' download.
# Then it measures GET /api/users/{id}/recommendations?k=10 for the snapshot's users (Zipf) at each rate of
# $RATES_<size>, and the silos' resident memory after each publish (old versions stay loaded: see the report).
# At each rate it also measures the floors of $FLOORS, the same load on paths with the work taken out: "live" (the
# gateway's HTTP alone: GET /health/live) and "noop" (HTTP and Orleans: a stateless worker calling two no-op grains).
# Usage: tests/benchmarks/recommend.sh   (env: SILOS=2 (1 to 3) STORAGE=folder SIZES="10000 1000000" SNAPSHOT_USERS=10000 DURATION=20 WARMUP=5
#        RATES_10000="20 100 300" RATES_1000000="5 20 40" FLOORS="live noop" OUT=dir KEEP_WORK=1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/benchmarks/common.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

SILOS=${SILOS:-2}
SIZES=${SIZES:-"10000 1000000"}
SNAPSHOT_USERS=${SNAPSHOT_USERS:-10000}
DURATION=${DURATION:-20}; WARMUP=${WARMUP:-5}
FLOORS=${FLOORS-"live noop"}
POLL_MS=${POLL_MS:-50}
start_report recommend

case "${STORAGE:-folder}" in
  folder) use_storage folder bench-rec ;;
  azure) start_azurite; use_storage azure bench-rec ;;
  *) echo "STORAGE is folder or azure" >&2; exit 2 ;;
esac
silos=$(seq 0 $((SILOS - 1)))
primary=$(free_port); gateways=(); silo_pids=()
for i in $silos; do
  [ "$i" = 0 ] && s=$primary || s=$(free_port)
  g=$(free_port); start_silo "$i" "$s" "$g" "$(free_port)" "$primary"
  gateways+=("$g"); pid_var="silo_pid_$i"; silo_pids+=("silo$i:${!pid_var}")
done
port=$(free_port)
export Drex__Gateway__Diagnostics=true # the noop floor
start_gateway "$port" "${gateways[@]}"
gateway="http://127.0.0.1:$port"
log "$SILOS silo(s) (${silo_pids[*]}), gateway $gateway"
rss_all() { # every silo's resident MiB, then its private (anonymous) part: the rest is mapped snapshot files the silos share
  local i pid_var all=() anon=(); for i in $silos; do pid_var="silo_pid_$i"; all+=("$(rss_of "${!pid_var}")"); anon+=("$(rss_of "${!pid_var}" RssAnon)"); done
  local IFS=,; echo "${all[*]} MiB (private ${anon[*]} MiB)"
}

load_step() { # mix label json-name [load run options...]: one measured step at $rate over $n items, with the processes' CPU
  local mix=$1 label=$2 name=$3; shift 3
  cpu_mark "${silo_pids[@]}" "gateway:${pids[0]}"
  load run --gateway "$gateway" --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" --mix "$mix=1" --users "$SNAPSHOT_USERS" \
    --items "$n" --max-inflight 256 --timeout 30 --no-check --label "$label" --json "$out/$name.json" "$@" \
    | grep -v '^JSON' | tee -a "$summary" || true
  log "   $(cpu_since)"
}

swap_times() { # version json -> per-silo swap delay from the silo logs (waits up to 300 s for each silo's line)
  local version=$1 json=$2 i deadline
  for i in $silos; do
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
  cpu_mark "${silo_pids[@]}"
  load publish-synthetic --gateway "$gateway" --items "$n" --users "$SNAPSHOT_USERS" --probes 32 --poll-ms "$POLL_MS" --version "$version" --json "$out/publish-$n.json" \
    | grep -v '^JSON' | tee -a "$summary"
  log "   $(cpu_since) (build and upload in the load tool included in the wall time)"
  swap_times "$version" "$out/publish-$n.json"
  log "   silo RSS: $(rss_all)"
  if [ "${STORAGE:-folder}" = azure ]; then # the ceiling of the silos' download: Azurite serving the snapshot blob alone
    load blob-read --connection-string "$AZ_CONN" --blob "$version/actors.bin" --readers 1 2 --json "$out/blob-read-$n.json" \
      | grep -v '^JSON' | sed 's/^/   /' | tee -a "$summary"
  fi
  rates_var="RATES_$n"; rates=${!rates_var:-"20 100"}
  for rate in $rates; do
    log ""; log "-- recommendations over $n items @ $rate/s"
    load_step recommend "recommend/$n/$rate" "recommend-$n-$rate" --user-prefix syn-u --item-prefix syn-i
    log "   silo RSS: $(rss_all), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for floor in $FLOORS; do
      log ""; log "-- floor at $rate/s: $floor"
      load_step "$floor" "floor-$floor/$n/$rate" "floor-$floor-$n-$rate"
    done
  done
done

log ""; log "==== a small model after the large one: does the silos' memory come back?"
version="syn-after-$RANDOM"
load publish-synthetic --gateway "$gateway" --items 1000 --users 100 --probes 32 --version "$version" --json "$out/publish-after.json" \
  | grep -v '^JSON' | tee -a "$summary"
swap_times "$version" "$out/publish-after.json"
sleep 5
log "   silo RSS 5 s later: $(rss_all)"
if command -v dotnet-gcdump >/dev/null || [ -x "$HOME/.dotnet/tools/dotnet-gcdump" ]; then
  PATH="$PATH:$HOME/.dotnet/tools"
  log ""; log "==== live heap of each silo now (dotnet-gcdump forces a full GC first): what is still held after the small model took over"
  for i in $silos; do
    pid_var="silo_pid_$i"
    dotnet-gcdump collect -p "${!pid_var}" -o "$work/silo-$i.gcdump" >/dev/null 2>&1 || { log "   silo $i: gcdump failed"; continue; }
    log "   silo $i:"
    dotnet-gcdump report "$work/silo-$i.gcdump" 2>/dev/null | head -16 | sed "s/^/     /" | tee -a "$summary" || true
  done
fi
for i in $silos; do cp "$work/silo-$i.log" "$out/silo-$i.log"; done

log ""; log "==== table"
python3 "$root/tests/benchmarks/table.py" "$out" | tee -a "$summary"
echo "results in $out"
