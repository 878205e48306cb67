#!/usr/bin/env bash
# Decode benchmark of the llm engine (docs/benchmarks.md, "LLM decoding").
#   llm-service/bench.sh [model-dir] [decode-steps] [concurrencies]
# default: models/random-1b-fp32 (tools/exporter/ovis2_export.py --random-init --size 1b --seed 0
# --out models/random-1b-fp32), 32 steps, 1,4,8,16 streams. Prints figures; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-env.sh
model="${1:-models/random-1b-fp32}"
./mvnw -B -q -pl llm-service -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
# The class path goes through CLASSPATH, not -cp: with this ~260-entry class path on the command
# line, ONNX Runtime's native initialisation overflows the main thread's stack (SIGSEGV, no hs_err).
export CLASSPATH="llm-service/target/test-classes:llm-service/target/classes:$(cat llm-service/target/bench.classpath)"
# BENCH_JAVA_OPTS: extra JVM options, e.g. -Dbench.tokenizer=PATH for a bare decoder directory
# (decoder.onnx + text_embeds.bin, no model.json).
# shellcheck disable=SC2086
exec java --enable-native-access=ALL-UNNAMED -Xmx4g -XX:MaxDirectMemorySize=8g ${BENCH_JAVA_OPTS:-} \
  dev.ovis.serve.llm.decode.DecodeBenchmark "$model" "${2:-32}" "${3:-1,4,8,16}"
