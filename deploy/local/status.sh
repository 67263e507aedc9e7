#!/usr/bin/env bash
# Shows the local Drex processes started by ./run.sh or deploy/local/cluster.sh: each one's PID and the state of its
# health endpoints, and the active model.
#   deploy/local/status.sh [--silos N] [--port P]
# --silos: how many silos to show (default: as many as are running, at least 1); --port: the gateway's (5000).
# Exits 0 when every component shown is up and healthy, 1 otherwise.
set -uo pipefail
silos=""; port=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$silos" ]; then
  silos=$(pgrep -fc 'Drex\.Silo\.dll' || true)
  [ "${silos:-0}" -gt 0 ] || silos=1
fi

healthy=1
pid_on() { # the PID listening on TCP port $1, or -
  local p
  p=$(ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
  echo "${p:--}"
}
probe() { # url: prints the health body (Healthy, Unhealthy, Degraded) or down
  local body
  if body=$(curl -sS --max-time 5 "$1" 2>/dev/null); then echo "${body:-empty}"; else echo down; fi
}
row() { printf '%-10s %-8s %-40s %s\n' "$@"; }
check() { # name pid base endpoint...: one row with each endpoint's state
  local name=$1 pid=$2 base=$3 states="" e s
  shift 3
  for e in "$@"; do
    s=$(probe "$base/health/$e")
    [ "$s" = Healthy ] || healthy=0
    states+="${states:+ }$e=$s"
  done
  row "$name" "$pid" "$base/health" "$states"
}

row COMPONENT PID ENDPOINT STATE
if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  row azurite "$(pid_on 10000)" "127.0.0.1:10000 (blob), :10002 (table)" listening
else
  row azurite - "127.0.0.1:10000 (blob), :10002 (table)" "down (expected with --memory)"
fi
for i in $(seq 0 $((silos - 1))); do
  http=$((8081 + i))
  check "silo $i" "$(pid_on "$http")" "http://127.0.0.1:$http" startup ready live
done
gateway="http://127.0.0.1:$port"
check gateway "$(pid_on "$port")" "$gateway" ready live
trainer=$(pgrep -f 'Drex\.Trainer\.dll loop' | head -n 1 || true)
if [ -n "$trainer" ]; then row trainer "$trainer" "(loop; log .drex/logs/trainer.log)" running
else row trainer - "(loop; log .drex/logs/trainer.log)" "not running"; healthy=0; fi
model=$(curl -sS --max-time 5 -H 'X-Api-Key: dev-read' "$gateway/api/model" 2>/dev/null \
  | sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p')
row model - "$gateway/api/model" "${model:-none (or the gateway is down)}"
[ "$healthy" = 1 ]
