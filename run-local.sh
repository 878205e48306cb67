#!/usr/bin/env bash
# Builds and runs the whole suite in one JVM: Kafka, PostgreSQL and an S3 store in-process,
# the gateway on http://127.0.0.1:8080 and the vision, llm, video and OCR services on 8081-8084.
# Data (topics, jobs, media, the API key) lives in .ovis-local/ (OVIS_DATA_DIR or --data-dir=PATH
# to move it, --temporary for none). Ctrl-C stops everything. Arguments go to the suite:
#   --ephemeral-ports   --health-timeout=SECONDS   --some.spring.property=value (to every service)
# OVIS_SKIP_BUILD=1 reuses the last build; OVIS_JAVA_OPTS replaces the JVM options below.
set -euo pipefail
cd "$(dirname "$0")"
source tools/java-env.sh
# The system libraries the services need at run time (FFmpeg's, Tesseract), checked before the
# build: installed when this runs as root or with sudo, else named with the command that installs
# them, and the run stops here rather than half-way through start-up.
bash tools/setup-machine.sh --local-run
jar=standalone/target/standalone-0.1.0-SNAPSHOT.jar
# A plain `./mvnw verify` leaves a non-executable standalone jar: rebuild then too.
if [ "${OVIS_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ] || ! jar tf "$jar" | grep -q '^BOOT-INF/lib/'; then
  echo "Building (tests skipped; ./run-tests.sh runs them)..."
  # The service modules' plain jars go inside the standalone jar; their own runnable (-exec) jars
  # are not needed here, so their repackaging is skipped. forceCreation: a service jar repackaged
  # in place by a build from before the exec classifier must be rebuilt plain.
  ./mvnw -B -q -ntp -Dmaven.test.skip=true -Dspring-boot.repackage.skip=true -Dstandalone.repackage.skip=false \
    -Dmaven.jar.forceCreation=true \
    package -pl standalone -am
fi
# Heap for five Spring contexts, Kafka and s3proxy; SerialGC and a small code cache keep the idle
# footprint low (a local run is not latency-critical). Native memory (ONNX Runtime) is extra.
java_opts=${OVIS_JAVA_OPTS:-"-Xms128m -Xmx1g -XX:+UseSerialGC -XX:ReservedCodeCacheSize=96m -XX:MaxMetaspaceSize=384m -Xss512k"}
# shellcheck disable=SC2086
exec java --enable-native-access=ALL-UNNAMED $java_opts -jar "$jar" "$@"
