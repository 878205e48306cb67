#!/usr/bin/env python3
"""A user's view of the suite's latency: one kept-alive HTTP connection to a running gateway
(./run-local.sh), alternating GET /v1/models (the HTTP floor: auth and JSON, no database or Kafka)
and a one-token, non-streamed text chat, with a pause before each request. Prints p50/p90/p99 of
both after a warm-up. Standard library only, so it runs anywhere Python 3 does.

  ./run-local.sh --temporary &      # prints "API key (tenant default): KEY"
  python3 tools/bench/chat_latency.py --key KEY [--warmup 200] [--pairs 300] [--pause-ms 110]

The default pause keeps one tenant under run-local's rate limit (600 a minute); docs/benchmarks.md,
"Chat API load", records what it measured.
"""
import argparse
import http.client
import json
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key", required=True, help="an API key of the gateway")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--warmup", type=int, default=200, help="pairs sent before measuring (the JIT warms up)")
    parser.add_argument("--pairs", type=int, default=300, help="measured pairs of GET and chat")
    parser.add_argument("--pause-ms", type=float, default=110, help="pause before each request")
    args = parser.parse_args()

    connection = http.client.HTTPConnection(args.host, args.port)
    headers = {"Authorization": "Bearer " + args.key, "Content-Type": "application/json"}

    def timed(method, path, body=None):
        time.sleep(args.pause_ms / 1000)
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise SystemExit(f"{method} {path}: HTTP {response.status}: {payload[:300]!r}")
        return elapsed, payload

    _, models = timed("GET", "/v1/models")
    model = json.loads(models)["data"][0]["id"]
    chat = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}],
                       "max_tokens": 1, "temperature": 0})
    floor, chats = [], []
    for i in range(args.warmup + args.pairs):
        get_ms, _ = timed("GET", "/v1/models")
        chat_ms, _ = timed("POST", "/v1/chat/completions", chat)
        if i >= args.warmup:
            floor.append(get_ms)
            chats.append(chat_ms)

    def pct(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"model {model}, {args.pairs} pairs after {args.warmup} warm-up, {args.pause_ms:g} ms before each request")
    print(f"GET /v1/models     p50 {pct(floor, .5):6.2f}  p90 {pct(floor, .9):6.2f}  p99 {pct(floor, .99):6.2f} ms")
    print(f"one-token chat     p50 {pct(chats, .5):6.1f}  p90 {pct(chats, .9):6.1f}  p99 {pct(chats, .99):6.1f} ms")


if __name__ == "__main__":
    main()
