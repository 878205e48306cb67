#!/usr/bin/env bash
# Runs the suite as separate processes on this machine, without Docker: Kafka, PostgreSQL and the
# S3 store each in a JVM of its own (the embedded servers), then every service replica in a JVM of
# its own from its runnable jar (<module>/target/<module>-<version>-exec.jar), configured with the
# environment docker-compose.yml gives that service. Default: two gateways, two llm workers, one
# vision, video and OCR service; each on a free port of 127.0.0.1, printed when all are ready.
#   tools/topology/run-topology.sh [--gateway=N] [--vision=N] [--llm=N] [--video=N] [--ocr=N]
#                                  [--data-dir=DIR] [--start-timeout=SECONDS] [--env=NAME=VALUE]...
# State and one log per process live in .ovis-topology/ (--data-dir to move it). Ctrl-C or SIGTERM
# stops everything: the services (SIGTERM, 30 s grace), then S3, Kafka, PostgreSQL; whatever is
# still left in the topology's process group is then killed. OVIS_SKIP_BUILD=1 reuses the last
# build; OVIS_TOPOLOGY_JAVA_OPTS replaces the services' extra JVM options (-XX:+UseSerialGC -Xss512k).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/java-env.sh
bash tools/setup-machine.sh --local-run
jar=$(ls topology/target/topology-*-exec.jar 2>/dev/null | head -n 1 || true)
if [ "${OVIS_SKIP_BUILD:-0}" != 1 ] || [ -z "$jar" ]; then
  echo "Building the service jars and the topology launcher (tests skipped)..."
  ./mvnw -B -q -ntp -Dmaven.test.skip=true package -pl topology -am
  jar=$(ls topology/target/topology-*-exec.jar | head -n 1)
fi
# A session and process group of its own (no job control here, so setsid does not fork: $! is the
# launcher and its pid is the group id). Every process the launcher starts stays in that group.
set +m
setsid java -Dovis.repository="$PWD" -jar "$jar" "$@" &
launcher=$!
stop() {
  trap - INT TERM
  kill -TERM "$launcher" 2>/dev/null || true
  wait "$launcher" 2>/dev/null || true
  kill -KILL -- "-$launcher" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
rc=0
wait "$launcher" || rc=$?
kill -KILL -- "-$launcher" 2>/dev/null || true
exit "$rc"
