#!/usr/bin/env bash
# A local Drex cluster: Azurite, N silos (Azure Table clustering), the gateway and the trainer loop, through the
# repository's run.sh. The only difference from ./run.sh is the default of three silos.
#   deploy/local/cluster.sh [--silos N] [--memory] [--data PATH] [--port P]
# Options are run.sh's (./run.sh --help); --silos defaults to 3 here. Silo i (0-based) uses silo port 11111+i,
# Orleans gateway port 30000+i and health port 8081+i; the HTTP gateway listens on --port (5000). Logs and state are
# in .drex/. Ctrl+C stops everything; deploy/local/status.sh shows what is up.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
args=("$@")
silos_given=0
for arg in "$@"; do
  case "$arg" in
    --silos) silos_given=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
  esac
done
[ "$silos_given" = 1 ] || args=(--silos 3 "${args[@]}")
exec "$root/run.sh" "${args[@]}"
