#!/usr/bin/env bash
# The Slipway router against nginx as a reverse proxy, each in front of an identical one-worker nginx backend that
# answers "hello world". `wrk -t1 -c64 -d6s --latency` against each, alternating, after two unreported warm-up rounds
# each (20 s and 10 s, WARMUP="20s 10s"; with one 10 s round the router's first measured round was its slowest in most
# runs: the JIT had not yet seen connections close and recompiled); prints every round, the medians, and the ratios router/nginx
# (throughput: higher is better; p99 latency: lower is better), and the CPU time each proxy spent per request (the
# nginx proxy's worker process; the router's whole JVM, its control plane included), which varies less from run to
# run than requests per second on a shared machine. The router runs as `slipway up` serves a service, with
# admission and metrics on as always.
# Usage: bench/router-vs-nginx.sh [rounds=3]   (after: mvn -B -q -DskipTests package; needs wrk and nginx)
# Extra JVM options for the router: JAVA_OPTS="-Dslipway.router.eventLoops=1 -Dslipway.router.transport=epoll" bench/router-vs-nginx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
for tool in wrk nginx; do command -v $tool > /dev/null || { echo "needs $tool: apt-get install wrk nginx-light" >&2; exit 1; }; done
work=$(mktemp -d)
backend_a=18601 proxy=18603 router=18604
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

nginx_conf() { # name, listen port, location body
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/$1/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1; proxy_temp_path $work/$1; fastcgi_temp_path $work/$1;
  uwsgi_temp_path $work/$1; scgi_temp_path $work/$1;
  upstream backend { server 127.0.0.1:$backend_a; keepalive 64; }
  server { listen 127.0.0.1:$2; location / { $3 } }
}
EOF
}
nginx_conf backend-a $backend_a 'default_type text/plain; return 200 "hello world\n";'
# NGINX_FORWARDED=1: nginx also adds the X-Forwarded-For/-Proto/-Host headers the router adds (the same work, and the
# same request for its backend); off by default, as the figures in docs/benchmarks.md were measured.
forwarded=''
[ -z "${NGINX_FORWARDED:-}" ] || forwarded='proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header X-Forwarded-Host $host;'
nginx_conf proxy $proxy "proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; $forwarded"
# The nginx proxy's backend starts in a session of its own (setsid), as Slipway starts every instance (the local
# backend's process groups): with the kernel's autogroup scheduling (kernel.sched_autogroup_enabled=1, as here) a
# session is a scheduling group, and a backend that shared the proxy's and wrk's group would be scheduled differently
# from the router's. SAME_SESSION=1 leaves it in this script's session (how the figures before 2026-11-26 were taken).
if [ -n "${SAME_SESSION:-}" ]; then
  nginx -c "$work/backend-a/nginx.conf" -e stderr & pids+=($!)
else
  setsid nginx -c "$work/backend-a/nginx.conf" -e stderr & pids+=($!)
fi
nginx -c "$work/proxy/nginx.conf" -e stderr & pids+=($!)
proxy_master=$!

# The router's backend: the same nginx, as the run command of a service that `slipway up` deploys (listening on
# the port Slipway gives it in PORT).
nginx_conf app LISTEN_PORT 'default_type text/plain; return 200 "hello world\n";'
cat > "$work/app/start.sh" <<EOF
sed "s/LISTEN_PORT/\$PORT/" $work/app/nginx.conf > $work/app/nginx-running.conf
exec nginx -c $work/app/nginx-running.conf -e stderr
EOF
cat > "$work/app/apprunner.yaml" <<EOF
version: 1.0
runtime: python3
run:
  command: sh start.sh
EOF
java ${JAVA_OPTS:-} -jar server/target/slipway.jar up "$work/app" --name bench --router-port $router > "$work/up.log" 2>&1 & pids+=($!)
router_pid=$!
for _ in $(seq 600); do grep -q "is RUNNING at\|slipway up:" "$work/up.log" && break; sleep 0.1; done
url=$(grep -o 'is RUNNING at http://[^/]*' "$work/up.log" | sed 's|.*http://||') || { cat "$work/up.log" >&2; exit 1; }
host=${url%%:*}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process, in clock ticks
run() { # label pid url [wrk args]: prints "rps p99ms cpu-us-per-request" (the CPU time of process pid)
  local out before after
  before=$(cpu_ticks "$2")
  out=$(wrk -t1 -c64 -d"${WRK_DURATION:-6s}" --latency "${@:3}")
  after=$(cpu_ticks "$2")
  local requests
  requests=$(awk '/requests in/ {print $1}' <<< "$out")
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}' <<< "$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<< "$out")
  [ -z "$errors" ] || echo "  $1: $errors" >&2
  echo "$rps $p99 $(echo "($after - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)"
}
nginx_url="http://127.0.0.1:$proxy/"
router_url="http://127.0.0.1:$router/"
proxy_worker=$(pgrep -P "$proxy_master" | head -1)
for warm in ${WARMUP:-20s 10s}; do # twice: the second round also follows a first round's connections closing
  WRK_DURATION=$warm run warm-up "$proxy_worker" "$nginx_url" > /dev/null
  WRK_DURATION=$warm run warm-up "$router_pid" "$router_url" -H "Host: $host" > /dev/null
done
echo "round  nginx rps  nginx p99 ms  nginx CPU us/req  router rps  router p99 ms  router CPU us/req"
: > "$work/rounds"
for i in $(seq "$rounds"); do
  read -r n_rps n_p99 n_cpu < <(run nginx "$proxy_worker" "$nginx_url")
  read -r r_rps r_p99 r_cpu < <(run router "$router_pid" "$router_url" -H "Host: $host")
  printf '%5d  %9.0f  %12.2f  %16.1f  %10.0f  %13.2f  %17.1f\n' "$i" "$n_rps" "$n_p99" "$n_cpu" "$r_rps" "$r_p99" "$r_cpu"
  echo "$n_rps $n_p99 $r_rps $r_p99 $n_cpu $r_cpu" >> "$work/rounds"
done
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
n_rps=$(awk '{print $1}' "$work/rounds" | median); n_p99=$(awk '{print $2}' "$work/rounds" | median)
r_rps=$(awk '{print $3}' "$work/rounds" | median); r_p99=$(awk '{print $4}' "$work/rounds" | median)
n_cpu=$(awk '{print $5}' "$work/rounds" | median); r_cpu=$(awk '{print $6}' "$work/rounds" | median)
printf 'median nginx %.0f rps, p99 %.2f ms, %.1f us CPU/req; router %.0f rps, p99 %.2f ms, %.1f us CPU/req\n' \
  "$n_rps" "$n_p99" "$n_cpu" "$r_rps" "$r_p99" "$r_cpu"
printf 'throughput ratio (router/nginx, goal >= 1.00): %.2f\n' "$(echo "$r_rps / $n_rps" | bc -l)"
printf 'p99 ratio (router/nginx, goal <= 1.25): %.2f\n' "$(echo "$r_p99 / $n_p99" | bc -l)"
