#!/usr/bin/env bash
# Faults under load on a three-silo cluster (Azure Table clustering on Azurite): clients stream interactions (each
# retried until acknowledged, as a client would) while one silo is killed with SIGKILL, Azurite restarts and a new
# model is published. Passes when every acknowledged interaction is reflected exactly once; prints the errors the
# clients saw before their retries succeeded.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
# shellcheck source=lib.sh
source "$root/tests/system/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
cd "$work"

start_azurite
use_storage azure faults
export Drex__Gateway__RateLimit__PermitsPerSecond=10000 Drex__Gateway__RateLimit__Burst=10000
gateways=()
for i in 0 1 2; do
  eval "sp_$i=$(free_port) gp_$i=$(free_port) hp_$i=$(free_port)"
done
for i in 0 1 2; do
  eval "start_silo $i \$sp_$i \$gp_$i \$hp_$i \$sp_0"
  eval "gateways+=(\$gp_$i)"
done
port=$(free_port)
start_gateway "$port" "${gateways[@]}"
gateway="http://127.0.0.1:$port"

publish_demo_model "$gateway" 12 6 4
trainer train --data "$work/demo.json" --out "$work/bundle2" --epochs 1 --seed 2 --cache "$work/cache" >"$work/train2.log" 2>&1

post() {
  curl -sS -o /dev/null -w '%{http_code}' -m 60 -H "X-Api-Key: dev-ingest" -H "Content-Type: application/json" \
    -d "{\"id\":\"$1\",\"userId\":\"$2\",\"itemId\":\"demo-item-$(( $3 % 6 ))-g$(( $3 % 6 % 4 ))\",\"rating\":4,\"review\":\"fault review $1\"}" "$gateway/api/interactions" 2>/dev/null || echo 000
}
client() { # one client: n interactions, each retried until acknowledged; logs "user" per ack and each error code
  local c=$1 n=$2 k code deadline
  for k in $(seq 1 "$n"); do
    deadline=$((SECONDS + 240))
    while code=$(post "f-$c-$k" "fault-user-$c" "$k"); [ "$code" != 200 ]; do
      echo "$code" >>"$work/errors"
      [ $SECONDS -lt $deadline ] || { echo "gave-up f-$c-$k" >>"$work/errors"; break; }
      sleep 0.2
    done
    [ "$code" = 200 ] && echo "fault-user-$c" >>"$work/acks"
  done
}
: >"$work/errors"; : >"$work/acks"
clients=()
for c in 1 2 3 4 5 6; do client "$c" 40 & clients+=($!); done

# Faults on a progress schedule: each one after a number of acknowledged interactions, not after wall time.
after_acks() { # n: wait (bounded) until n interactions were acknowledged
  local deadline=$((SECONDS + 120))
  until [ "$(wc -l <"$work/acks")" -ge "$1" ]; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: the load stalled before $1 acknowledgements"; exit 1; }
    sleep 0.2
  done
}
after_acks 40; kill -9 "$silo_pid_2"; echo "killed silo 2 (SIGKILL) after 40 acknowledged interactions"
after_acks 100; restart_azurite; echo "restarted Azurite after 100"
after_acks 160; trainer publish --bundle "$work/bundle2" --gateway "$gateway" >/dev/null && echo "published a new model after 160"
wait "${clients[@]}"

status=0
grep -q gave-up "$work/errors" && { echo "FAIL: some interactions were never acknowledged"; status=1; }
for c in 1 2 3 4 5 6; do
  acked=$(grep -cx "fault-user-$c" "$work/acks" || true)
  count=$(user_field "$gateway" "fault-user-$c" interactions) || { echo "FAIL: fault-user-$c could not be read"; status=1; continue; }
  [ "$count" = "$acked" ] || { echo "FAIL: fault-user-$c reflects $count interactions, $acked acknowledged"; status=1; }
done
errors=$(sort "$work/errors" | uniq -c | tr '\n' ' ')
[ $status = 0 ] && echo "PASS: three silos, SIGKILL of one, Azurite restart and a publish under load: $(wc -l <"$work/acks") acknowledged interactions reflected exactly once; client errors before retries: ${errors:-none}"
exit $status
