# Shared helpers for the system scripts: free ports, waiting on health endpoints, starting the parts of Drex from
# the Release build. Source it; it expects $root (the repo) and $work (a scratch folder) to be set.
pids=()
export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development Orleans__AdvertisedIPAddress=127.0.0.1
# Ports come from 20000-32767, below Linux's ephemeral range (32768-60999) so no outgoing connection can take one
# between the check and the bind, and each is handed out once per run (a file, since callers use $(...) subshells).
used_ports="$work/.used-ports"
free_port() { # a port nothing listens on and this run has not handed out
  local p
  touch "$used_ports"
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 12768))
    grep -qx "$p" "$used_ports" && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    echo "$p" >>"$used_ports"; echo "$p"; return
  done
  return 1
}
wait_http() { # url seconds what
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: $3 not ready at $1 within $2 s" >&2; return 1; }
    sleep 0.3
  done
}
user_field() { # gateway user field: one field of GET /api/users/{user}. Retries like any client on an error ("retry
  # shortly"): until the cluster declares a killed silo dead, calls to activations it held fail fast with a 503.
  local body deadline=$((SECONDS + 60))
  until body=$(curl -fsS -m 30 -H "X-Api-Key: dev-read" "$1/api/users/$2" 2>/dev/null); do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: GET $1/api/users/$2 kept failing" >&2; return 1; }
    sleep 0.5
  done
  sed -n "s/.*\"$3\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" <<<"$body"
}
bin() { echo "$root/src/$1/bin/Release/net10.0/$2"; }
start_azurite() { # sets AZ_CONN and the ports (reused by restart_azurite)
  az_b=$(free_port); az_q=$(free_port); az_t=$(free_port)
  launch_azurite
}
restart_azurite() { # stop (data persists under $work/azurite) and start again on the same ports
  kill "$azurite_pid"; wait "$azurite_pid" 2>/dev/null || true
  launch_azurite
}
launch_azurite() {
  local b=$az_b q=$az_q t=$az_t
  # AZURITE_CPU_PROFILE_DIR: write a V8 CPU profile there when Azurite exits (benchmarks only).
  node ${AZURITE_CPU_PROFILE_DIR:+--cpu-prof --cpu-prof-dir="$AZURITE_CPU_PROFILE_DIR"} "$root/node_modules/.bin/azurite" --silent --disableTelemetry --location "$work/azurite" --blobPort "$b" --queuePort "$q" --tablePort "$t" >>"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  AZ_CONN="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$b/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$q/devstoreaccount1;TableEndpoint=http://127.0.0.1:$t/devstoreaccount1;"
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$t") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$b") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: Azurite did not start" >&2; return 1; }
    sleep 0.2
  done
}
use_storage() { # azure|folder name: storage and clustering for the processes started next (azure after start_azurite)
  export Orleans__ClusterId="$2-$RANDOM"
  if [ "$1" = azure ]; then
    export Drex__Storage__Kind=Azure Drex__Storage__ConnectionString="$AZ_CONN" Orleans__Clustering=AzureTable \
      Drex__Storage__BundleCachePath="$work/bundle-cache-$2"
  else
    unset Drex__Storage__ConnectionString Drex__Storage__BundleCachePath
    export Drex__Storage__Kind=Folder Drex__Storage__Path="$work/store-$2" Orleans__Clustering=Localhost
  fi
}
start_silo() { # index silo_port gateway_port http_port primary_port
  Orleans__SiloPort=$2 Orleans__GatewayPort=$3 Drex__Silo__HttpPort=$4 Orleans__PrimarySiloPort=$5 \
    dotnet "$(bin Drex.Silo Drex.Silo.dll)" --contentRoot "$(bin Drex.Silo "")" >>"$work/silo-$1.log" 2>&1 &
  eval "silo_pid_$1=$!"
  wait_http "http://127.0.0.1:$4/health/ready" 120 "silo $1"
}
start_gateway() { # port gateway_ports...
  local port=$1; shift
  local env=() i=0
  for g in "$@"; do env+=("Orleans__GatewayPorts__$i=$g"); i=$((i + 1)); done
  env "${env[@]}" dotnet "$(bin Drex.Gateway Drex.Gateway.dll)" --contentRoot "$(bin Drex.Gateway "")" --urls "http://127.0.0.1:$port" >"$work/gateway.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/health/ready" 120 gateway
}
stop_all() {
  local p
  for p in "${pids[@]}" ${silo_pid_0:-} ${silo_pid_1:-} ${silo_pid_2:-}; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" ${silo_pid_0:-} ${silo_pid_1:-} ${silo_pid_2:-}; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  done
  [ -z "${azurite_pid:-}" ] || { kill "$azurite_pid" 2>/dev/null; wait "$azurite_pid" 2>/dev/null; } || true
}
trainer() { dotnet "$(bin Drex.Trainer linux-x64/Drex.Trainer.dll)" "$@"; }
publish_demo_model() { # gateway users items per_user: trains a tiny model on generated demo data ($work/demo.json), publishes it
  trainer demo-data --users "$2" --items "$3" --per-user "$4" --out "$work/demo.json" >/dev/null
  trainer train --data "$work/demo.json" --out "$work/bundle-demo-$RANDOM" --snapshot start --epochs 1 --publish --gateway "$1" --cache "$work/cache" >"$work/train.log" 2>&1 \
    || { echo "FAIL: training/publishing"; tail -20 "$work/train.log"; return 1; }
}
