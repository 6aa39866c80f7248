#!/usr/bin/env bash
# HTTP/2 cleartext (h2c, prior knowledge) through the router against nginx (one worker, `listen ... http2`, keep-alive
# to its backend), each in front of an identical one-worker nginx backend that answers "hello world" over HTTP/1.1, in
# the same run: `h2load -c C -m M -n N` (C connections, M streams at once on each) against each, alternating, after a
# warm-up round each; prints every round, the medians, and the ratios router/nginx (requests per second: higher is
# better; mean request time: lower is better). The router runs as `slipway up` serves a service (each stream one
# request for admission and metrics, as always).
# Usage: bench/h2-vs-nginx.sh [rounds=3] [connections=4] [streams=16] [requests=100000]
#        (after: mvn -B -q -DskipTests package; needs h2load and nginx: apt-get install nghttp2-client nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} conns=${2:-4} streams=${3:-16} requests=${4:-100000}
for tool in h2load nginx; do command -v $tool > /dev/null || { echo "needs $tool: apt-get install nghttp2-client nginx-light" >&2; exit 1; }; done
work=$(mktemp -d)
backend=18701 proxy=18702 router=18704
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

nginx_conf() { # name, listen, location body
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/$1/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
  access_log off;
  http2_max_concurrent_streams 250;
  keepalive_requests 10000000;  # per HTTP/2 connection too (1000 by default: a GOAWAY every 1000 streams)
  client_body_temp_path $work/$1; proxy_temp_path $work/$1; fastcgi_temp_path $work/$1;
  uwsgi_temp_path $work/$1; scgi_temp_path $work/$1;
  upstream backend { server 127.0.0.1:$backend; keepalive 64; }
  server { listen $2; location / { $3 } }
}
NGINX
}
nginx_conf backend "127.0.0.1:$backend" 'default_type text/plain; return 200 "hello world\n";'
setsid nginx -c "$work/backend/nginx.conf" -e stderr & pids+=($!)
nginx_conf proxy "127.0.0.1:$proxy http2" 'proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";'
nginx -c "$work/proxy/nginx.conf" -e stderr & pids+=($!)
proxy_master=$!

# the router's backend: the same nginx, as the run command of a service `slipway up` deploys (on the port in PORT)
nginx_conf app 'LISTEN_PORT' 'default_type text/plain; return 200 "hello world\n";'
cat > "$work/app/start.sh" <<START
sed "s/LISTEN_PORT/127.0.0.1:\$PORT/" $work/app/nginx.conf > $work/app/nginx-running.conf
exec nginx -c $work/app/nginx-running.conf -e stderr
START
printf 'version: 1.0\nruntime: python3\nrun:\n  command: sh start.sh\n' > "$work/app/apprunner.yaml"
java ${JAVA_OPTS:-} -jar server/target/slipway.jar up "$work/app" --name bench-h2 --router-port $router > "$work/up.log" 2>&1 & pids+=($!)
for _ in $(seq 600); do grep -q "is RUNNING at\|slipway up:" "$work/up.log" && break; sleep 0.1; done
host=$(grep -o 'is RUNNING at http://[^/:]*' "$work/up.log" | sed 's|.*http://||') || { cat "$work/up.log" >&2; exit 1; }
until (exec 3<>/dev/tcp/127.0.0.1/$proxy) 2>/dev/null; do sleep 0.1; done

run() { # url [authority]: prints "rps mean-ms"
  local out
  out=$(h2load -c "$conns" -m "$streams" -n "$requests" ${2:+-H ":authority: $2"} "$1")
  grep -q "^status codes: $requests 2xx" <<< "$out" || echo "  $1: $(grep -E '^(requests|status codes):' <<< "$out" | tr '\n' ' ')" >&2
  echo "$(awk '/^finished in/ {print $4}' <<< "$out") $(awk '/^time for request:/ {v = $6; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else {sub(/ms$/, "", v)}; print v}' <<< "$out")"
}
echo "h2load -c $conns -m $streams -n $requests (h2c, prior knowledge), $rounds rounds"
run "http://127.0.0.1:$router/" "$host" > /dev/null # warm-up: the JIT compiles the router's path first
run "http://127.0.0.1:$proxy/" > /dev/null
r_rps=() n_rps=() r_ms=() n_ms=()
for i in $(seq "$rounds"); do
  read -r rr rm <<< "$(run "http://127.0.0.1:$router/" "$host")"
  read -r nr nm <<< "$(run "http://127.0.0.1:$proxy/")"
  r_rps+=("$rr") r_ms+=("$rm") n_rps+=("$nr") n_ms+=("$nm")
  printf 'round %d: router %8.0f req/s, mean %6.3f ms   nginx %8.0f req/s, mean %6.3f ms\n' "$i" "$rr" "$rm" "$nr" "$nm"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mr=$(median "${r_rps[@]}") mn=$(median "${n_rps[@]}") tr=$(median "${r_ms[@]}") tn=$(median "${n_ms[@]}")
printf 'median: router %.0f req/s (mean %.3f ms), nginx %.0f req/s (mean %.3f ms)\n' "$mr" "$tr" "$mn" "$tn"
printf 'ratio router/nginx: throughput %.2f, mean request time %.2fx\n' "$(echo "$mr / $mn" | bc -l)" "$(echo "$tr / $tn" | bc -l)"
