#!/usr/bin/env bash
# The README's first command, checked as a newcomer would use it (CI runs this before the tests):
#   1. ./run-local.sh (which installs what it needs and builds) until its ready line;
#   2. one chat, one OCR and one key-frame request through the gateway, each checked;
#   3. an async OCR job accepted, then SIGKILL to the run's whole process group (a crash);
#   4. ./run-local.sh again on the same data: ready again, and that job answered exactly once;
#   5. SIGTERM to the process group (what a supervisor sends): everything stops, nothing is left.
# Uses a temporary data directory and the default ports 8080-8084. Bounded: each wait has a limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tools/smoke
data=$(mktemp -d /tmp/ovis-smoke.XXXXXX)
log1=$data.run1.log
log2=$data.run2.log
leader=""

say() { echo "smoke: $*"; }
fail() {
  echo "smoke: FAILED: $*" >&2
  for l in "$log1" "$log2"; do [ -f "$l" ] && { echo "--- last lines of $l" >&2; tail -40 "$l" >&2; }; done
  stop_run KILL
  exit 1
}
# Starts ./run-local.sh in a session of its own (its pid is the process group id).
start_run() {
  setsid env OVIS_DATA_DIR="$data" "$@" ./run-local.sh --health-timeout=300 >"$current_log" 2>&1 &
  leader=$!
}
stop_run() {
  [ -n "$leader" ] || return 0
  kill "-${1:-TERM}" -- "-$leader" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$leader" 2>/dev/null || break; sleep 0.5; done
  leader=""
}
wait_ready() {
  for _ in $(seq 1 ${1:-900}); do
    grep -q 'Ovis Serve is ready' "$current_log" && return 0
    kill -0 "$leader" 2>/dev/null || fail "./run-local.sh exited before its ready line"
    sleep 1
  done
  fail "no ready line"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
trap 'stop_run KILL; rm -rf "$data"' EXIT

say "starting ./run-local.sh (data: $data)"
current_log=$log1
t0=$(date +%s)
start_run
wait_ready 1200
say "ready after $(( $(date +%s) - t0 )) s: $(grep 'Ovis Serve is ready' "$log1" | cut -c1-60)..."
gateway=$(grep -o 'gateway http://127.0.0.1:[0-9]*' "$log1" | head -1 | cut -d' ' -f2)
key=$(cat "$data/api-key")
auth=(-H "Authorization: Bearer $key")

model=$(curl -sf -m 30 "${auth[@]}" "$gateway/v1/models" | json 'd["data"][0]["id"]') || fail "GET /v1/models"
answer=$(curl -sf -m 120 "${auth[@]}" -H 'Content-Type: application/json' "$gateway/v1/chat/completions" \
  -d '{"model":"'"$model"'","messages":[{"role":"user","content":"Describe Ovis2."}],"max_tokens":8}') \
  || fail "chat completion"
echo "$answer" | json 'd["choices"][0]["finish_reason"] in ("stop","length") and d["usage"]["completion_tokens"] > 0 or sys.exit(1)' >/dev/null \
  || fail "chat answer malformed: $answer"
say "chat: $(echo "$answer" | json 'd["usage"]')"

ocr=$(curl -sf -m 120 "${auth[@]}" -F file=@$here/hello.png -F languages=en "$gateway/v1/ocr") || fail "OCR"
text=$(echo "$ocr" | json 'd["text"]')
case "$text" in *HELLO*OVIS*) say "OCR: '$text'" ;; *) fail "OCR read '$text', expected HELLO OVIS: $ocr" ;; esac

frames=$(curl -sf -m 180 "${auth[@]}" -F file=@$here/clip.mp4 -F question='what is shown?' -F frames=4 \
  "$gateway/v1/video/keyframes") || fail "key frames"
count=$(echo "$frames" | json 'len(d["frames"])') || fail "key-frame answer malformed: $frames"
[ "$count" -ge 1 ] || fail "no key frames: $frames"
say "key frames: $count chosen"

# A job accepted just before a crash is answered after the restart, exactly once.
media=$(curl -sf -m 60 "${auth[@]}" -F file=@$here/hello.png "$gateway/v1/media" | json 'd["id"]') || fail "upload"
job=$(curl -sf -m 60 "${auth[@]}" -H 'Content-Type: application/json' -H 'Idempotency-Key: smoke-crash-1' "$gateway/v1/jobs" \
  -d '{"kind":"OCR","payload":{"media":"'"$media"'","languages":["en"]}}' | json 'd["id"]') || fail "async job"
say "job $job accepted; SIGKILL to the run's process group"
stop_run KILL
leftover=$(pgrep -f -- "-D $data/postgres" || true)
[ -z "$leftover" ] || say "PostgreSQL still up after the kill (pid $leftover); the next start must stop it"

current_log=$log2
t0=$(date +%s)
start_run OVIS_SKIP_BUILD=1
wait_ready 600
say "ready again after $(( $(date +%s) - t0 )) s"
for _ in $(seq 1 120); do
  state=$(curl -sf -m 10 "${auth[@]}" "$gateway/v1/jobs/$job" | json 'd["status"] + " " + str(d["version"])') || state="?"
  case "$state" in SUCCEEDED*|FAILED*|CANCELLED*) break ;; esac
  sleep 1
done
case "$state" in
  SUCCEEDED*) say "job after restart: $state" ;;
  *) fail "job $job after the restart: $state (expected SUCCEEDED)" ;;
esac
# exactly once: the same Idempotency-Key gives the same job, and no other job was created
again=$(curl -sf -m 60 "${auth[@]}" -H 'Content-Type: application/json' -H 'Idempotency-Key: smoke-crash-1' "$gateway/v1/jobs" \
  -d '{"kind":"OCR","payload":{"media":"'"$media"'","languages":["en"]}}' | json 'd["id"]') || fail "idempotent resubmit"
[ "$again" = "$job" ] || fail "resubmitting the key gave job $again, not $job"
jobs=$(curl -sf -m 30 "${auth[@]}" "$gateway/v1/jobs?limit=100" | json 'sum(1 for j in d["data"] if j["kind"] == "OCR" and j["id"] == "'"$job"'")')
[ "$jobs" = 1 ] || fail "job $job listed $jobs times"

say "SIGTERM to the run's process group"
pg_leader=$leader
stop_run TERM
sleep 2
if pgrep -f -- "$data" >/dev/null; then
  ps -eo pid,args | grep -F -- "$data" | grep -v grep >&2
  fail "processes left running after SIGTERM"
fi
kill -0 "$pg_leader" 2>/dev/null && fail "the run did not stop on SIGTERM"
say "passed: ready, chat, OCR, key frames, crash recovery, clean stop"
