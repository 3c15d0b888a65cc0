#!/usr/bin/env bash
# HTTP/2 over TLS side by side (docs/benchmarks.md "HTTP/2 path"): a Gatehouse build against BASE, one
# worker pinned to CPU 0, h2load pinned to CPU 1, the nginx upstream unpinned, alternating ROUNDS times
# for each h2load shape. Per run: req/s, CPU µs per request (the gateway's process tree, user+sys from
# /proc, over the measured window only) and the worker's RSS after the run.
#   BASE=/path/to/other/built/checkout ROUNDS=5 SECS=5 scripts/bench-h2-pairs.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE:?BASE=/path/to/a/built/checkout}
rounds=${ROUNDS:-5}
secs=${SECS:-5}
shapes=${SHAPES:-"-c50 -m1;-c20 -m10"}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
upstream=18182 port=18545
. "$here/scripts/bench-tls-setup.sh"
cat > gateway.yaml <<CONF
access_log: false
frontends:
  bench:
    bind: "127.0.0.1:$port"
    default_backend: nginx
    tls: { cert: $dir/site.pem, key: $dir/site.key }
backends:
  nginx: { servers: { s1: { address: "127.0.0.1:$upstream" } } }
CONF

ticks() { # utime+stime clock ticks of $1 and its children (the cluster worker)
  local total=0 pid fields
  for pid in $1 $(pgrep -P "$1"); do
    fields=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
one() { # checkout label shape
  GATEHOUSE_LOG_LEVEL=warn taskset -c 0 node "$1/dist/src/cli/main.js" gateway --config "$dir/gateway.yaml" --workers 1 > "$dir/gateway.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  sleep 1
  taskset -c 1 h2load -D 2 $3 "https://127.0.0.1:$port/" > /dev/null 2>&1
  local before after out done rss worker
  before=$(ticks "$pid")
  out=$(taskset -c 1 h2load -D "$secs" $3 "https://127.0.0.1:$port/" 2>&1)
  after=$(ticks "$pid")
  done=$(echo "$out" | awk '/^requests:/ {print $8}')
  worker=$(pgrep -P "$pid" | head -1 || true)
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/${worker:-$pid}/status")
  echo "$2 [$3] req/s $(echo "$out" | awk '/^finished in/ {print int($4)}') cpu_us/req $(( (after - before) * 10000 / (done > 0 ? done : 1) )) rss_MB $rss"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  sleep 0.5
}
IFS=';' read -ra list <<< "$shapes"
for _ in $(seq "$rounds"); do
  for shape in "${list[@]}"; do
    one "$base" base "$shape"
    one "$here" this "$shape"
  done
done
