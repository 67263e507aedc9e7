#!/usr/bin/env bash
# Online equals offline, on a real dataset: trains DReX on the random 80% training split (snapshot at the start),
# starts Azurite, a silo and the gateway, publishes the bundle, replays the training split through the gateway's
# batch endpoint, then compares the live system's predictions on the test split with the trainer's offline ones
# (test MAE within 0.001). The grain and parity tests check the states themselves (1e-4).
#   tests/checks/online-equals-offline.sh [DATASET]   (default: ../shared/data/amazon-musical-instruments-5core-2014)
# Needs a Release build (./test.sh or dotnet build -c Release) and a few minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${1:-$root/../shared/data/amazon-musical-instruments-5core-2014}
work=$(mktemp -d)
# shellcheck source=../system/lib.sh
source "$root/tests/system/lib.sh"
trap 'stop_all; rm -rf "$work"' EXIT

cd "$root"
trainer train --data "$data" --out "$work/bundle" --holdout random --seed 1 --snapshot start --epochs "${EPOCHS:-3}" | tail -3

start_azurite
use_storage azure offline
export Drex__Gateway__RateLimit__PermitsPerSecond=10000 Drex__Gateway__RateLimit__Burst=10000
silo_port=$(free_port); gw_port=$(free_port); http_port=$(free_port); port=$(free_port)
start_silo 0 "$silo_port" "$gw_port" "$http_port" "$silo_port"
start_gateway "$port" "$gw_port"
trainer publish --bundle "$work/bundle" --gateway "http://127.0.0.1:$port"
trainer replay --check "$work/bundle.offline" --gateway "http://127.0.0.1:$port"
