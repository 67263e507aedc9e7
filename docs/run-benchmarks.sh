#!/usr/bin/env bash
# Reproduces docs/BENCHMARKS.md's model tables: run from the repo root after a Release build.
# Datasets are read from ../shared/data (never copied into the repo). Results land in docs/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DREX_DATA:-../shared/data}
trainer=(dotnet src/Drex.Trainer/bin/Release/net10.0/linux-x64/Drex.Trainer.dll)
mi="$data/amazon-musical-instruments-5core-2014"
ml="$data/movielens-latest-small"
out=docs/results
cold=$(mktemp -d)
/usr/bin/time -f "%e s wall" "${trainer[@]}" evaluate --data "$mi" --models drex --seeds 1 --epochs 1 --cache "$cold" --out "$out/mi-cold-encode.json"
rm -rf "$cold"
/usr/bin/time -f "%e s wall" "${trainer[@]}" evaluate --data "$mi" --split random --seeds 5 --out "$out/mi-random.json"
/usr/bin/time -f "%e s wall" "${trainer[@]}" evaluate --data "$mi" --split chrono --seeds 5 --out "$out/mi-chrono.json"
/usr/bin/time -f "%e s wall" "${trainer[@]}" evaluate --data "$mi" --split random --seeds 5 --drop-reviews 0.5 --models bias,drex,drex-mlp --out "$out/mi-random-drop-reviews-50.json"
/usr/bin/time -f "%e s wall" "${trainer[@]}" evaluate --data "$ml" --split random --seeds ${ML_SEEDS:-3} --out "$out/movielens-random.json"
