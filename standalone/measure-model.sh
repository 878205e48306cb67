#!/usr/bin/env bash
# Measures the one-JVM run on a given model directory: time to ready, resident memory of the JVM
# at idle and at its peak, an 8-token text chat, an image chat (4 crops) the first time and again
# with its visual embeddings cached, and the time to first token (streamed) of another image the
# first time and again (vision cache and llm prefix cache). Prints one line of figures.
#   standalone/measure-model.sh models/random-1b-fp32        (after ./run-local.sh has built once)
# Temporary data and free ports; stops the run and leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "${1:?usage: standalone/measure-model.sh MODEL_DIR}")
log=$(mktemp /tmp/ovis-measure-model.XXXXXX.log)
OVIS_SKIP_BUILD=1 setsid ./run-local.sh --temporary --ephemeral-ports --health-timeout=900 \
  --ovis.model.dir="$model" >"$log" 2>&1 &
leader=$!
trap 'kill -TERM -- -$leader 2>/dev/null || true; wait $leader 2>/dev/null || true' EXIT
t0=$(date +%s.%N)
peak=0
rss() { awk '$1=="Rss:" {print $2}' /proc/"$leader"/smaps_rollup 2>/dev/null || echo 0; }
for _ in $(seq 1 1800); do
  grep -q 'Ovis Serve is ready' "$log" && break
  kill -0 "$leader" 2>/dev/null || { tail -30 "$log"; exit 1; }
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
  sleep 0.5
done
ready=$(echo "$(date +%s.%N) - $t0" | bc)
gateway=$(grep -o 'gateway http://127.0.0.1:[0-9]*' "$log" | head -1 | cut -d' ' -f2)
key=$(grep -o 'API key (tenant default): [^ ]*' "$log" | awk '{print $NF}')
model_id=$(curl -sf -H "Authorization: Bearer $key" "$gateway/v1/models" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
sleep 5
idle=$(rss)
img=$(base64 -w0 fixtures/tiny-ovis2/reference/images/street_wide.png)
chat() {  # $1 = body; prints seconds
  local s; s=$(date +%s.%N)
  curl -sf -m 900 -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    "$gateway/v1/chat/completions" -d "$1"
  echo "$(date +%s.%N) - $s" | bc
}
watch_peak() { while kill -0 "$leader" 2>/dev/null; do r=$(rss); [ "$r" -gt "$(cat "$log.peak")" ] && echo "$r" >"$log.peak"; sleep 0.5; done; }
echo "$peak" >"$log.peak"
watch_peak & watcher=$!
text=$(chat '{"model":"'"$model_id"'","messages":[{"role":"user","content":"Describe Ovis2."}],"max_tokens":8}')
image_body='{"model":"'"$model_id"'","max_tokens":8,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,'"$img"'","max_partition":4}},{"type":"text","text":"What is in the image?"}]}]}'
first=$(chat "$image_body")
cached=$(chat "$image_body")
# Time to first token, streamed, of a new image (uncached: decode, vision, whole prefill) and of the
# same image again (embeddings from the vision cache, prompt prefix from the llm's prefix cache).
ttft() {  # $1 = body; prints seconds until the first content delta arrives at the client
  python3 - "$gateway/v1/chat/completions" "$key" "$1" <<'PY'
import json, sys, time, urllib.request
url, key, body = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
body["stream"] = True
request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
start = time.monotonic()
with urllib.request.urlopen(request, timeout=900) as response:
    for line in response:
        line = line.decode().strip()
        if not line.startswith("data:") or line == "data: [DONE]":
            continue
        delta = json.loads(line[5:])["choices"][0].get("delta", {})
        if delta.get("content"):
            print(f"{time.monotonic() - start:.3f}")
            break
PY
}
img2=$(base64 -w0 fixtures/tiny-ovis2/reference/images/tower_tall.png)
stream_body='{"model":"'"$model_id"'","max_tokens":8,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,'"$img2"'","max_partition":4}},{"type":"text","text":"What is written here?"}]}]}'
ttft_first=$(ttft "$stream_body")
ttft_cached=$(ttft "$stream_body")
kill "$watcher" 2>/dev/null || true
peak=$(cat "$log.peak")
printf 'model=%s ready_s=%.1f rss_idle_gib=%.2f rss_peak_gib=%.2f text_8tok_s=%.2f image_first_s=%.2f image_cached_s=%.2f ttft_first_s=%.3f ttft_cached_s=%.3f ttft_ratio=%.4f load=%s\n' \
  "$(basename "$model")" "$ready" "$(echo "$idle/1048576" | bc -l)" "$(echo "$peak/1048576" | bc -l)" \
  "$text" "$first" "$cached" "$ttft_first" "$ttft_cached" "$(echo "$ttft_cached/$ttft_first" | bc -l)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$log.peak"
