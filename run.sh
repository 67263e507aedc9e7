#!/usr/bin/env bash
# Starts Drex on this machine: Azurite (pinned, on-disk), N silos (Azure Table clustering), the gateway, and the
# periodic trainer; on first start it trains and publishes a model and replays the dataset through the gateway.
#   ./run.sh [--silos N] [--memory] [--data PATH] [--port P]
# --memory keeps grain state in memory (bundles and the log still go to .drex/); --data loads a real Amazon or
# MovieLens dataset instead of the generated SYNTHETIC demo. Ctrl+C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
silos=2; memory=0; data=""; port=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos="$2"; shift 2 ;;
    --memory) memory=1; shift ;;
    --data) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
state="$root/.drex"; logs="$state/logs"; mkdir -p "$logs"
pids=()
azurite_pid=""
stop() { # newest first (trainer, gateway, silos), Azurite last: silos leave the cluster through storage
  trap - INT TERM EXIT; echo; echo "Stopping..."
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "$azurite_pid" ]; then kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; fi
}
trap stop INT TERM EXIT

wait_port() { # host port seconds name
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "$4 did not open port $2 within $3 s (logs in $logs)" >&2; exit 1; }
    sleep 0.3
  done
}
wait_http() { # url seconds name
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "$3 was not ready at $1 within $2 s (logs in $logs)" >&2; exit 1; }
    sleep 0.5
  done
}

[ -x node_modules/.bin/azurite ] || { echo "Installing the pinned Azurite..."; npm ci --no-audit --no-fund --loglevel=error; }
echo "Building (Release)..."
dotnet build Drex.sln -c Release -nologo -v quiet >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log"; exit 1; }

export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development Orleans__AdvertisedIPAddress=127.0.0.1
if [ "$memory" = 1 ]; then
  export Drex__Storage__Kind=Folder Drex__Storage__Path="$state/store" Orleans__Clustering=Localhost
else
  mkdir -p "$state/azurite"
  # In a process group of its own (job control on for this one job): Ctrl+C in a terminal signals the whole
  # foreground group, and an Azurite gone at once leaves the silos unable to leave the cluster (each then waits out
  # its shutdown timeout and is killed). stop() ends it after everything else.
  set -m
  node_modules/.bin/azurite --silent --disableTelemetry --location "$state/azurite" >"$logs/azurite.log" 2>&1 &
  azurite_pid=$!
  set +m
  wait_port 127.0.0.1 10000 30 Azurite; wait_port 127.0.0.1 10002 30 Azurite
  # The silos download each model into one folder and map it from there (docs/SYSTEM.md, "Models").
  export Drex__Storage__Kind=Azure Drex__Storage__ConnectionString="UseDevelopmentStorage=true" Orleans__Clustering=AzureTable \
    Drex__Storage__BundleCachePath="$state/bundle-cache"
fi

bin() { echo "$root/src/$1/bin/Release/net10.0/$2"; }
gateway_ports=()
for i in $(seq 0 $((silos - 1))); do
  Orleans__SiloPort=$((11111 + i)) Orleans__GatewayPort=$((30000 + i)) Orleans__PrimarySiloPort=11111 Drex__Silo__HttpPort=$((8081 + i)) \
    dotnet "$(bin Drex.Silo Drex.Silo.dll)" --contentRoot "$(bin Drex.Silo "")" >"$logs/silo-$i.log" 2>&1 &
  pids+=($!)
  gateway_ports+=("Orleans__GatewayPorts__$i=$((30000 + i))")
  wait_http "http://127.0.0.1:$((8081 + i))/health/ready" 120 "silo $i"
  echo "Silo $i up (silo port $((11111 + i)), gateway port $((30000 + i)), health http://127.0.0.1:$((8081 + i))/health/ready)"
done
env "${gateway_ports[@]}" dotnet "$(bin Drex.Gateway Drex.Gateway.dll)" --contentRoot "$(bin Drex.Gateway "")" --urls "http://127.0.0.1:$port" >"$logs/gateway.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/health/ready" 120 gateway
gateway="http://127.0.0.1:$port"
trainer=(dotnet "$(bin Drex.Trainer linux-x64/Drex.Trainer.dll)")

if ! curl -fsS -o /dev/null -H "X-Api-Key: dev-read" "$gateway/api/model" 2>/dev/null; then
  if [ -z "$data" ]; then
    data="$state/demo/demo_reviews.json"
    [ -f "$data" ] || "${trainer[@]}" demo-data --out "$data"
  fi
  echo "No model yet: training on $data and publishing it (snapshot at the start: the replay below rebuilds every state)..."
  "${trainer[@]}" train --data "$data" --out "$state/bundles/first" --snapshot start --publish --gateway "$gateway"
  echo "Replaying $data through the gateway..."
  "${trainer[@]}" replay --data "$data" --gateway "$gateway"
fi

"${trainer[@]}" loop --every-minutes 30 --every-interactions 5000 --gateway "$gateway" >"$logs/trainer.log" 2>&1 &
pids+=($!)
echo
echo "Drex is running: web page $gateway/  (API page: $gateway/scalar, model: $gateway/api/model; dev keys dev-read, dev-ingest, dev-admin)"
echo "Logs in $logs. Ctrl+C stops everything."
wait
