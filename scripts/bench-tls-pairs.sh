#!/usr/bin/env bash
# Side by side over TLS (docs/benchmarks.md "TLS termination"): HAProxy (nbthread 2) and Gatehouse builds
# (workers 2), each started fresh in turn, ROUNDS times: keep-alive HTTP/1.1 and `Connection: close` (a
# full TLS 1.3 handshake per request), `wrk -t2 -c50`, the same ECDSA P-256 certificate, nginx upstream.
# Variants of this build isolate one change each: round robin through the primary instead of a socket
# per worker (`reuse_port: false`), node:http2's HTTP/1.1 fallback instead of the own server
# (`server: node`), and no session-ID cache (`tls_sessions.session_cache: 0`).
#   BASE=/path/to/other/built/checkout ROUNDS=3 SECS=6 scripts/bench-tls-pairs.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE:-}
rounds=${ROUNDS:-3}
secs=${SECS:-6}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"

upstream=18180 port=18543
. "$here/scripts/bench-tls-setup.sh"
cat site.pem site.key > site-haproxy.pem

gatehouse_yaml() { # extra top-level yaml, extra frontend yaml
  cat <<EOF
access_log: false
$1
frontends:
  bench:
    bind: "127.0.0.1:$port"
    default_backend: nginx
    tls: { cert: ./site.pem, key: ./site.key }
$2
backends:
  nginx: { servers: { s1: { address: "127.0.0.1:$upstream" } } }
EOF
}
gatehouse_yaml '' '' > default.yaml
gatehouse_yaml 'reuse_port: false' '' > round-robin.yaml
gatehouse_yaml '' '    server: node' > node-server.yaml
gatehouse_yaml 'tls_sessions: { session_cache: 0 }' '' > no-session-cache.yaml
cat > haproxy.cfg <<EOF
global
  nbthread 2
  maxconn 4000
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend bench
  bind 127.0.0.1:$port ssl crt $dir/site-haproxy.pem alpn h2,http/1.1
  default_backend nginx
backend nginx
  server s1 127.0.0.1:$upstream
EOF

rate() { wrk "$@" "https://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}'; }
one() { # name command...
  local name=$1
  shift
  "$@" > "$dir/target.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  sleep 1
  rate -t2 -c50 -d2s > /dev/null
  echo "$name keep-alive $(rate -t2 -c50 -d"${secs}"s) new-connections $(rate -t2 -c50 -d"${secs}"s -H 'Connection: close')"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  sleep 1
}
gatehouse() { # checkout config
  one "$1:$2" env GATEHOUSE_LOG_LEVEL=warn node "$1/dist/src/cli/main.js" gateway --config "$dir/$2.yaml" --workers 2
}
for _ in $(seq "$rounds"); do
  one haproxy /usr/sbin/haproxy -db -f haproxy.cfg
  [ -n "$base" ] && gatehouse "$base" default
  for config in default round-robin node-server no-session-cache; do gatehouse "$here" "$config"; done
done
