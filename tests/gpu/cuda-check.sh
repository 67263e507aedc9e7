#!/usr/bin/env bash
# The trainer's CUDA path, checked against its CPU path on the same data: one seed of `evaluate` on each device, then
# the two MSEs compared. Runs a published trainer (any build of src/Drex.Trainer) on a machine with a GPU.
#
#   tests/gpu/cuda-check.sh TRAINER_DIR DATA OUT_DIR [EPOCHS [EVALUATE OPTIONS...]]
#
# TRAINER_DIR  a `dotnet publish` output of src/Drex.Trainer. With -p:DrexTorchBackend=system it carries no libtorch,
#              and LIBTORCH_DIR (default: the lib folder of python3's torch) supplies it.
# DATA         a dataset `evaluate` reads (a ratings-only one needs no review encoder).
# OUT_DIR      where the logs and result JSON files go.
set -euo pipefail
trainer=${1:?trainer folder}; data=${2:?dataset}; out=${3:?output folder}; epochs=${4:-3}; extra=("${@:5}")
mkdir -p "$out"
if [[ ! -f "$trainer/libtorch_cpu.so" ]]; then
  libtorch=${LIBTORCH_DIR:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
  export LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "libtorch from $libtorch"
fi
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

run() { # device
  local started=$SECONDS
  timeout "${CHECK_TIMEOUT:-3600}" "$trainer/Drex.Trainer" evaluate --data "$data" --models drex --seeds 1 --epochs "$epochs" --device "$1" \
    --out "$out/$1.json" "${extra[@]}" >"$out/$1.log" 2>&1 || { echo "$1: exit $?"; tail -40 "$out/$1.log"; return 1; }
  echo "$1: $((SECONDS - started)) s; $(grep -a 'seed 1 drex' "$out/$1.log")"
}
failed=0
run cuda || failed=1
run cpu || failed=1
((failed == 0)) || exit 1
python3 - "$out" <<'PY'
import json, sys
mse = {d: json.load(open(f"{sys.argv[1]}/{d}.json"))["models"]["drex"]["mse"] for d in ("cuda", "cpu")}
gap = abs(mse["cuda"] - mse["cpu"])
print(f"MSE cuda {mse['cuda']:.4f}, cpu {mse['cpu']:.4f}, difference {gap:.4f}: {'PASS' if gap <= 0.01 else 'FAIL'} (limit 0.01)")
sys.exit(0 if gap <= 0.01 else 1)
PY
