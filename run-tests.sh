#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests against real Kafka, PostgreSQL and
# S3 servers started in-process (Testcontainers instead where Docker is available).
set -euo pipefail
cd "$(dirname "$0")"
source tools/java-env.sh
bash tools/setup-machine.sh
exec ./mvnw -B -ntp verify "$@"
