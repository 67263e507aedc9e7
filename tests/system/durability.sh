#!/usr/bin/env bash
# Durability under a crash, and a hot swap under traffic, on Azurite: one silo takes acknowledged interactions, is
# killed with SIGKILL and restarted; every client then retries every interaction. Passes when each acknowledged
# interaction is reflected exactly once (per-user counts equal acknowledged counts; every retry reports a
# duplicate), and an item the model never saw, rated before the crash, is recommended again once the restarted
# silo's item index has caught up with the log (it rebuilds from the model's snapshot, which lacks the item). Then a second model is published while interactions stream in: no request may fail, and every actor
# answering afterwards reports the new version. Last, Azurite itself restarts: interactions acknowledged before and
# after it are each reflected exactly once.
# Expects a Release build (test.sh builds one). Prints PASS or FAIL lines; exit status 0 on success.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
# shellcheck source=lib.sh
source "$root/tests/system/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
cd "$work"

start_azurite
use_storage azure durability
silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
start_gateway "$port" "$gw_port"
gateway="http://127.0.0.1:$port"

publish_demo_model "$gateway" 12 6 4

post() { # id user item rating -> prints the response body; fails unless 200
  local out code
  out=$(curl -sS -w '\n%{http_code}' -H "X-Api-Key: dev-ingest" -H "Content-Type: application/json" \
    -d "{\"id\":\"$1\",\"userId\":\"$2\",\"itemId\":\"$3\",\"rating\":$4,\"review\":\"durable review $1\"}" "$gateway/api/interactions") || return 1
  code=${out##*$'\n'}; echo "${out%$'\n'*}"
  [ "$code" = 200 ]
}
declare -A acked=()
n=60
for k in $(seq 1 $n); do
  user="crash-user-$((k % 7))"; item="demo-item-$((k % 6))-g$((k % 6 % 4))"
  if post "crash-$k" "$user" "$item" $((1 + k % 5)) >/dev/null; then acked[$user]=$(( ${acked[$user]:-0} + 1 )); fi
done

post crash-new crash-newcomer crash-new-item 5 >/dev/null || { echo "FAIL: rating an item new to the model"; exit 1; }

kill -9 "$silo_pid_0"; wait "$silo_pid_0" 2>/dev/null || true
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"

# Every client retries everything (bounded: the cluster needs a moment to notice the dead silo).
duplicates=0; deadline=$((SECONDS + ${RETRY_SECONDS:-180}))
for k in $(seq 1 $n); do
  user="crash-user-$((k % 7))"; item="demo-item-$((k % 6))-g$((k % 6 % 4))"
  until answer=$(post "crash-$k" "$user" "$item" $((1 + k % 5)) 2>/dev/null); do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: retries kept failing after the restart: $(post "crash-$k" "$user" "$item" $((1 + k % 5)) 2>&1 | tail -c 400)"; exit 1; }
    sleep 0.5
  done
  grep -q '"duplicate":true' <<<"$answer" && duplicates=$((duplicates + 1))
done

status=0
for user in "${!acked[@]}"; do
  count=$(user_field "$gateway" "$user" interactions)
  if [ "$count" != "${acked[$user]}" ]; then echo "FAIL: $user reflects $count interactions, $((acked[$user])) were acknowledged"; status=1; fi
done
total=0; for user in "${!acked[@]}"; do total=$((total + acked[$user])); done
[ "$duplicates" = "$total" ] || { echo "FAIL: $duplicates of $total retries were recognised as duplicates"; status=1; }
# Nothing touches crash-new-item after the restart: only the index's catch-up with the log brings it back.
deadline=$((SECONDS + 30))
until curl -fsS -H "X-Api-Key: dev-read" "$gateway/api/users/crash-user-1/recommendations?k=20" 2>/dev/null | grep -q '"itemId":"crash-new-item"'; do
  [ $SECONDS -lt $deadline ] || { echo "FAIL: crash-new-item, rated before the crash, is missing from recommendations after the restart"; status=1; break; }
  sleep 0.2
done
[ $status = 0 ] || exit $status
echo "PASS: durability after SIGKILL: $total acknowledged interactions reflected exactly once; $duplicates of $total retries were duplicates; an item new since the model is recommended again after the restart"

# Hot swap under traffic: stream interactions in the background while a second model is trained and published.
trainer train --data "$work/demo.json" --out "$work/bundle2" --epochs 1 --seed 2 --cache "$work/cache" >"$work/train2.log" 2>&1 \
  || { echo "FAIL: training the second model"; tail -20 "$work/train2.log"; exit 1; }
failures="$work/stream-failures"; : >"$failures"
(
  for k in $(seq 1 400); do
    post "swap-$k" "swap-user-$((k % 5))" "demo-item-$((k % 6))-g$((k % 6 % 4))" $((1 + k % 5)) >/dev/null || echo "swap-$k" >>"$failures"
    [ -f "$work/stop-stream" ] && [ "$k" -gt 20 ] && break
  done
) &
streamer=$!
trainer publish --bundle "$work/bundle2" --gateway "$gateway" >/dev/null
published=$SECONDS
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$work/bundle2/manifest.json" | head -n 1)
touch "$work/stop-stream"; wait "$streamer"
[ ! -s "$failures" ] || { echo "FAIL: $(wc -l <"$failures") requests failed during the swap"; exit 1; }
# The publish call returns once the registry has made the version active; each silo swaps at its next registry poll
# (every 250 ms), so actors answer with the new version within a poll of that, and must within 2 s.
deadline=$((published + 2))
for u in 0 1 2 3 4; do
  until seen=$(user_field "$gateway" "swap-user-$u" modelVersion); [ "$seen" = "$version" ]; do
    [ $SECONDS -le $deadline ] || { echo "FAIL: swap-user-$u answers with model $seen, not $version, 2 s after the publish returned"; exit 1; }
    sleep 0.1
  done
done
echo "PASS: hot swap under traffic: no request failed; every actor answers with $version"

# Storage restart: Azurite goes down and comes back (same ports, same data); clients retry until acknowledged.
declare -A after=()
for k in $(seq 1 10); do post "store-$k" "store-user-$((k % 3))" "demo-item-$((k % 6))-g$((k % 6 % 4))" 4 >/dev/null && after[store-user-$((k % 3))]=$(( ${after[store-user-$((k % 3))]:-0} + 1 )); done
restart_azurite
deadline=$((SECONDS + ${RETRY_SECONDS:-180}))
for k in $(seq 1 20); do
  user="store-user-$((k % 3))"
  until answer=$(post "store-$k" "$user" "demo-item-$((k % 6))-g$((k % 6 % 4))" 4 2>/dev/null); do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: requests kept failing after the storage restart"; exit 1; }
    sleep 0.5
  done
  [ "$k" -gt 10 ] && after[$user]=$(( ${after[$user]:-0} + 1 ))
done
for user in "${!after[@]}"; do
  count=$(user_field "$gateway" "$user" interactions)
  [ "$count" = "${after[$user]}" ] || { echo "FAIL: $user reflects $count interactions after the storage restart, ${after[$user]} acknowledged"; exit 1; }
done
echo "PASS: storage restart: 20 interactions (10 before, 10 after Azurite restarted, all retried) reflected exactly once"
