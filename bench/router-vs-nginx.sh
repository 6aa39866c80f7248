#!/usr/bin/env bash
# The Slipway router against two reference reverse proxies, nginx and HAProxy (one worker/thread each, keep-alive to
# the backend: nginx `keepalive 64`, HAProxy `http-reuse always`), each in front of an identical one-worker nginx
# backend that answers "hello world". `wrk -t1 -c64 -d6s --latency` against each, alternating (who goes first turns
# every round), after two unreported warm-up rounds each (20 s and 10 s, WARMUP="20s 10s"; with one 10 s round the
# router's first measured round was its slowest in most runs: the JIT had not yet seen connections close and
# recompiled); prints every round, the medians, and the ratios router/nginx and router/HAProxy (throughput: higher is
# better; p99 latency: lower is better), and the CPU time each proxy spent per request (the nginx proxy's worker
# process, HAProxy's process, the router's whole JVM, its control plane included), which varies less from run to run
# than requests per second on a shared machine. The router runs as `slipway up` serves a service, with admission and
# metrics on as always.
# ROUTERS="a b" runs one router per name, each with -Dslipway.router.http=NAME (how the framers were measured against
# Netty's codecs at commit 16b8284, ROUTERS="framers codec"; docs/architecture.md); by default, one router.
# Usage: bench/router-vs-nginx.sh [rounds=3]   (after: mvn -B -q -DskipTests package; needs wrk, nginx and haproxy)
# Extra JVM options for the router: JAVA_OPTS="-Dslipway.router.eventLoops=1 -Dslipway.router.transport=epoll" bench/router-vs-nginx.sh
# TRACING=1 bench/router-vs-nginx.sh [rounds]: two routers, one serving the service untraced and one traced (`slipway up
# --otlp-endpoint`, spans sent to an nginx that answers 200 to every OTLP export), and the ratio traced/untraced
# (goal: throughput >= 0.90).
# TLS=1 bench/router-vs-nginx.sh [rounds]: the TLS mode (HTTPS and HTTP/2 against nginx terminating TLS); see
# bench/router-vs-nginx-tls.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -z "${TLS:-}" ] || exec bench/router-vs-nginx-tls.sh "$@"
rounds=${1:-3}
for tool in wrk nginx haproxy; do command -v $tool > /dev/null || { echo "needs $tool: apt-get install wrk nginx-light haproxy" >&2; exit 1; }; done
work=$(mktemp -d)
backend_a=18601 backend_b=18602 proxy=18603 router=18604 haproxy_port=18605
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
# HAProxy, one thread, with a backend of its own (the same nginx), in a session of its own as the others'.
nginx_conf backend-b $backend_b 'default_type text/plain; return 200 "hello world\n";'
setsid nginx -c "$work/backend-b/nginx.conf" -e stderr & pids+=($!)
cat > "$work/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend in
  bind 127.0.0.1:$haproxy_port
  default_backend app
backend app
  server a 127.0.0.1:$backend_b maxconn 1000
EOF
haproxy -db -f "$work/haproxy.cfg" & pids+=($!)
haproxy_pid=$!

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
variants=(${ROUTERS:-default})
if [ -n "${TRACING:-}" ]; then
  variants=(untraced traced)
  nginx_conf sink $((router + 50)) 'return 200;' # an OTLP/HTTP endpoint that takes every export and keeps nothing
  setsid nginx -c "$work/sink/nginx.conf" -e stderr & pids+=($!)
fi
router_pids=() router_urls=() router_hosts=()
for i in "${!variants[@]}"; do
  v=${variants[$i]} port=$((router + 10 * i))
  opts=${JAVA_OPTS:-} up_args=()
  case $v in
    default|untraced) ;;
    traced) up_args=(--otlp-endpoint "http://127.0.0.1:$((router + 50))/v1/traces") ;;
    *) opts="$opts -Dslipway.router.http=$v" ;;
  esac
  java $opts -jar server/target/slipway.jar up "$work/app" --name "bench$i" --router-port $port "${up_args[@]}" > "$work/up-$i.log" 2>&1 & pids+=($!)
  router_pids+=($!)
  for _ in $(seq 600); do grep -q "is RUNNING at\|slipway up:" "$work/up-$i.log" && break; sleep 0.1; done
  url=$(grep -o 'is RUNNING at http://[^/]*' "$work/up-$i.log" | sed 's|.*http://||') || { cat "$work/up-$i.log" >&2; exit 1; }
  router_urls+=("http://127.0.0.1:$port/") router_hosts+=("${url%%:*}")
done

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
haproxy_url="http://127.0.0.1:$haproxy_port/"
proxy_worker=$(pgrep -P "$proxy_master" | head -1)
labels=(nginx haproxy) procs=("$proxy_worker" "$haproxy_pid") urls=("$nginx_url" "$haproxy_url") hosts=("" "")
for i in "${!variants[@]}"; do
  labels+=("router-${variants[$i]}") procs+=("${router_pids[$i]}") urls+=("${router_urls[$i]}") hosts+=("${router_hosts[$i]}")
done
measure() { # index [duration]: one wrk run against contender index
  local host=()
  [ -z "${hosts[$1]}" ] || host=(-H "Host: ${hosts[$1]}")
  WRK_DURATION=${2:-${WRK_DURATION:-6s}} run "${labels[$1]}" "${procs[$1]}" "${urls[$1]}" "${host[@]}"
}
for warm in ${WARMUP:-20s 10s}; do # twice: the second round also follows a first round's connections closing
  for i in "${!labels[@]}"; do measure "$i" "$warm" > /dev/null; done
done
printf '%5s' round; for l in "${labels[@]}"; do printf '  %16s rps  p99 ms  CPU us/req' "$l"; done; echo
: > "$work/rounds"
n=${#labels[@]}
for r in $(seq "$rounds"); do
  # who goes first turns round by round (measured second, a proxy can fare better: docs/benchmarks.md, "How far apart
  # nginx is from itself"); the columns keep their order
  results=()
  for k in $(seq 0 $((n - 1))); do i=$(( (k + r - 1) % n )); results[$i]=$(measure "$i"); done
  printf '%5d' "$r"; line=""
  for i in "${!labels[@]}"; do
    read -r rps p99 cpu <<< "${results[$i]}"
    printf '  %20.0f  %6.2f  %10.1f' "$rps" "$p99" "$cpu"
    line="$line $rps $p99 $cpu"
  done
  echo; echo "$line" >> "$work/rounds"
done
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v c="$1" '{print $c}' "$work/rounds" | median; }
m_rps=() m_p99=()
for i in "${!labels[@]}"; do
  m_rps[$i]=$(col $((3 * i + 1))); m_p99[$i]=$(col $((3 * i + 2)))
  printf 'median %-16s %8.0f rps, p99 %.2f ms, %.1f us CPU/req\n' "${labels[$i]}" "${m_rps[$i]}" "${m_p99[$i]}" "$(col $((3 * i + 3)))"
done
for i in "${!labels[@]}"; do
  [ "$i" -ge 2 ] || continue
  for ref in 0 1; do
    printf '%s/%s: throughput %.2f (goal >= 1.00), p99 %.2f (goal <= 1.00)\n' "${labels[$i]}" "${labels[$ref]}" \
      "$(echo "${m_rps[$i]} / ${m_rps[$ref]}" | bc -l)" "$(echo "${m_p99[$i]} / ${m_p99[$ref]}" | bc -l)"
  done
done
if [ -n "${TRACING:-}" ]; then
  printf '%s/%s: throughput %.3f (goal >= 0.90), p99 %.3f, CPU per request %.3f\n' "${labels[3]}" "${labels[2]}" \
    "$(echo "${m_rps[3]} / ${m_rps[2]}" | bc -l)" "$(echo "${m_p99[3]} / ${m_p99[2]}" | bc -l)" "$(echo "$(col 12) / $(col 9)" | bc -l)"
elif [ "${#variants[@]}" -gt 1 ]; then
  printf '%s/%s: throughput %.3f, p99 %.3f\n' "${labels[2]}" "${labels[3]}" \
    "$(echo "${m_rps[2]} / ${m_rps[3]}" | bc -l)" "$(echo "${m_p99[2]} / ${m_p99[3]}" | bc -l)"
fi
