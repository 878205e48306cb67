#!/usr/bin/env bash
# The vision benchmark (docs/benchmarks.md, "Vision"): preprocessing throughput for 12 MP photos,
# tokenizer overhead against a bare OrtSession.run, cached vs uncached latency.
#   vision-service/bench.sh [MODEL_DIR [CROPS_PER_RUN [RUNS [CACHE_MAX_PARTITION]]]]
# MODEL_DIR is relative to vision-service/ (default ../fixtures/tiny-ovis2; the 1B-shaped random
# model: ../models/random-1b-fp32, made by tools/export-random.sh 1b). CACHE_MAX_PARTITION (default 9)
# sets the grid of the cached-vs-uncached image (1 keeps a CPU run of the 1B model short). MODEL_DIR may
# also name a bare vision.onnx (float32 io).
#   vision-service/bench.sh compare REFERENCE_DIR OTHER_DIR [PAIRS [GREEDY_TOKENS [IMAGES]]]
# compares two model directories' vision graphs in one JVM (e.g. ../models/random-1b-fp32 and
# ../models/random-1b-fp32-vision-int8): per-token cosine of the visual embeddings on the fixture images,
# seconds per crop alternating the two (1 crop per run, median of PAIRS, default 5), and how many of
# GREEDY_TOKENS (default 16; 0 skips) greedy tokens agree through REFERENCE_DIR's decoder. PAIRS 0 stops
# after the accuracy part; IMAGES takes only the first n of the 3 fixture images (name order).
#   vision-service/bench.sh profile MODEL_DIR
# runs one crop twice through MODEL_DIR's vision graph with ONNX Runtime's profiler on and prints the
# kernel time per operator type.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/java-env.sh
exec ./mvnw -B -q -pl vision-service -am -Pbench test-compile -Dbench.args="$*"
