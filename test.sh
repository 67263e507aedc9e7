#!/usr/bin/env bash
# Builds and runs every test project of Drex.sln, then the whole-system scripts under tests/system. Tests that
# need storage start their own Azurite from the repo's pinned npm package (installed here when missing); the
# browser tests need Debian's chromium (installed here when missing, with apt-get). Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing the pinned Azurite (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# The browser tests drive Debian's Chromium headless; they fail with a clear message if it cannot be installed.
tests/Drex.Browser.Tests/install-chromium.sh || echo "warning: Chromium is not installed; the browser tests will fail"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet build Drex.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Drex.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The whole system through its own scripts (real processes, Azurite, SIGKILL): each script is one test.
for script in tests/system/*.sh; do
  case "$script" in */lib.sh) continue ;; esac
  echo "System test: $script"
  if "$script"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

# Online equals offline on real data, when the shared datasets sit beside the repo (as in CI): a few minutes.
data=../shared/data/amazon-musical-instruments-5core-2014
if [ -d "$data" ]; then
  echo "Check: tests/checks/online-equals-offline.sh $data"
  if tests/checks/online-equals-offline.sh "$data"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
else
  echo "Skipped the online-equals-offline check: $data is not there."
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
