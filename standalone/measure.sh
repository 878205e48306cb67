#!/usr/bin/env bash
# Measures the one-JVM run: time from launch to "ready" (build excluded), resident memory at idle
# of every process it started (the JVM, PostgreSQL's processes, the watchdog), the time Ctrl-C
# takes, and that nothing is left running afterwards. Prints one line of figures per run.
#   standalone/measure.sh [runs=1] [idle-seconds=30]     (after ./run-local.sh has built once)
# A fresh data directory per run: the first start of each also pays initdb and Kafka formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
idle=${2:-30}
export OVIS_SKIP_BUILD=1

descendants() {  # pid and all its descendants
  local p=$1
  echo "$p"
  for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do descendants "$c"; done
}
kib() {  # sum of a field (Rss or Pss) over pids, in KiB
  local field=$1; shift
  local total=0
  for p in "$@"; do
    v=$(awk -v f="$field:" '$1==f {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

cpu_seconds() {  # user+system CPU of pids (and their waited-for children), in seconds
  local ticks=0 hz
  hz=$(getconf CLK_TCK)
  for p in "$@"; do
    t=$(awk '{print $14+$15+$16+$17}' /proc/"$p"/stat 2>/dev/null || echo 0)
    ticks=$((ticks + ${t:-0}))
  done
  echo "scale=1; $ticks / $hz" | bc
}

for run in $(seq 1 "$runs"); do
  data=$(mktemp -d /tmp/ovis-measure.XXXXXX)
  log=$data.log
  start=$(date +%s.%N)
  # Background jobs of a script ignore SIGINT; restore it so the kill below is a real Ctrl-C.
  setsid /usr/bin/python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    ./run-local.sh --data-dir="$data/state" >"$log" 2>&1 &
  launcher=$!
  until grep -q "Ovis Serve is ready" "$log"; do
    if ! kill -0 "$launcher" 2>/dev/null; then echo "run $run: the suite exited; see $log" >&2; exit 1; fi
    sleep 0.2
  done
  ready=$(date +%s.%N)
  postmaster=$(head -n 1 "$data/state/postgres/postmaster.pid")
  mapfile -t pids < <(descendants "$launcher"; descendants "$postmaster")
  cpu=$(cpu_seconds "${pids[@]}")
  sleep "$idle"
  # pg_ctl daemonises PostgreSQL: its processes hang off the postmaster, not off the JVM.
  postmaster=$(head -n 1 "$data/state/postgres/postmaster.pid")
  mapfile -t pids < <(descendants "$launcher"; descendants "$postmaster")
  rss=$(kib Rss "${pids[@]}")
  pss=$(kib Pss "${pids[@]}")
  jvm_rss=$(kib Rss "$launcher")
  stop_start=$(date +%s.%N)
  kill -INT "$launcher"
  wait "$launcher" || true
  stopped=$(date +%s.%N)
  sleep 2  # a watchdog's last `sleep 1` may still be finishing
  left=$( (pgrep -f -- "$data"; kill -0 "$postmaster" 2>/dev/null && echo "$postmaster") | sort -u | tr '\n' ' ' || true)
  printf 'run %d: ready %.1f s (%s s CPU), idle after %d s: %d processes, RSS %d MiB (JVM %d MiB), PSS %d MiB; Ctrl-C to exit %.1f s; left running: %s; load average %s\n' \
    "$run" "$(echo "$ready - $start" | bc)" "$cpu" "$idle" "${#pids[@]}" $((rss / 1024)) $((jvm_rss / 1024)) $((pss / 1024)) \
    "$(echo "$stopped - $stop_start" | bc)" "${left:-none}" "$(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf "$data" "$log"
done
