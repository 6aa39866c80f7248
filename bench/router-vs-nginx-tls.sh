#!/usr/bin/env bash
# The TLS mode of bench/router-vs-nginx.sh (TLS=1 bench/router-vs-nginx.sh [rounds]): the Slipway router's HTTPS
# listener against nginx terminating TLS in front of the same kind of backend (one worker each; nginx keep-alive to
# its backend), with the same kind of certificate (ECDSA P-256, issued by the same local CA, one certificate sent),
# the same protocols (TLS 1.2 and 1.3), ciphers and session cache. Five measurements, alternating (who goes first
# changes every round), after a warm-up:
#   h1-keepalive   wrk -t1 -c64 over HTTPS, HTTP/1.1, connections kept alive (a closed loop: each proxy at its own
#                  saturation, so the two p99s are taken at different request rates)
#   h1-keepalive-rate  the same 64 kept-alive connections as an open loop: h2load --h1 --rps, KEEPALIVE_RPS (default
#                  40000) requests a second in all, for 10 s, for both proxies; p99 from h2load's per-request log
#   h1-handshake   wrk -t1 -c64 with "Connection: close": a new TLS connection per request (handshakes per second);
#                  a closed loop, so its latency is where the queue forms (see docs/benchmarks.md), not what a
#                  request costs
#   h1-rate        h2load --h1 opening CONN_PER_MS (default 1) new TLS connections each millisecond for 10 s,
#                  one request on each, whatever the answers (an open loop: a request's latency is not hidden by
#                  the wait for an earlier one); p99 from h2load's per-request log
#   h2             h2load -c16 -m10 (HTTP/2 by ALPN, 10 streams per connection), for a fixed time
# Prints every round, the medians, and router/nginx ratios (goal: throughput >= 1.00, p99 <= 1.25; h2load gives the
# mean and max, not p99, so for h2 the mean is compared). The router serves as `slipway up --https-port` serves it.
# MODES="h1-handshake h2" runs some of the five; JAVA_OPTS are the router's JVM options; VERBOSE=1 prints each
# measurement's latency distribution (to stderr); ROUTER=nginx measures a second nginx in the router's place (an A/A
# run: its ratios are how far apart two measurements of one proxy come out here); WRK_THREADS (default 1) is wrk's
# -t; WARMUP (default "10 5") the seconds of each warm-up round (the router's HTTP/2 path wants about 30 s:
# WARMUP="20 20 10").
# Needs wrk, nginx, h2load (apt-get install wrk nginx-light nghttp2-client) and openssl; after mvn -B -q -DskipTests package.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
for tool in wrk nginx h2load openssl; do command -v $tool > /dev/null || { echo "needs $tool" >&2; exit 1; }; done
work=$(mktemp -d)
backend=18701 nginx_tls=18702 router=18703 router_tls=18704
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
CIPHERS="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

mkdir -p "$work/backend" "$work/app" "$work/nginx"
cat > "$work/backend/nginx.conf" <<EOF
worker_processes 1; daemon off; pid WORKDIR/nginx.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path WORKDIR; proxy_temp_path WORKDIR; fastcgi_temp_path WORKDIR;
  uwsgi_temp_path WORKDIR; scgi_temp_path WORKDIR;
  server { listen 127.0.0.1:LISTEN_PORT; location / { default_type text/plain; return 200 "hello world\n"; } } }
EOF
sed "s/LISTEN_PORT/$backend/; s|WORKDIR|$work/backend|g" "$work/backend/nginx.conf" > "$work/backend/nginx-running.conf"
setsid nginx -c "$work/backend/nginx-running.conf" -e stderr & pids+=($!)

# The router: slipway up serving the same backend (as its service's run command), HTTPS on $router_tls.
cat > "$work/app/start.sh" <<EOF
sed "s/LISTEN_PORT/\$PORT/; s|WORKDIR|$work/app|g" $work/backend/nginx.conf > $work/app/nginx-running.conf
exec nginx -c $work/app/nginx-running.conf -e stderr
EOF
printf 'version: 1.0\nruntime: python3\nrun:\n  command: sh start.sh\n' > "$work/app/apprunner.yaml"
SLIPWAY_STATE_DIR="$work/state" java ${JAVA_OPTS:-} -jar server/target/slipway.jar up "$work/app" --name bench \
  --router-port $router --https-port $router_tls > "$work/up.log" 2>&1 & pids+=($!)
router_pid=$!
for _ in $(seq 600); do grep -q "is RUNNING at\|slipway up:" "$work/up.log" && break; sleep 0.1; done
host=$(grep -o 'is RUNNING at http://[^:/]*' "$work/up.log" | sed 's|.*http://||') || { cat "$work/up.log" >&2; exit 1; }

# nginx: a certificate for localhost from the same local CA, of the same kind as the router's.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout "$work/nginx/key.pem" \
  -out "$work/nginx/req.pem" 2> /dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$work/nginx/ext"
openssl x509 -req -in "$work/nginx/req.pem" -CA "$work/state/local-ca.pem" -CAkey "$work/state/local-ca-key.pem" \
  -CAcreateserial -days 30 -sha256 -extfile "$work/nginx/ext" -out "$work/nginx/cert.pem" 2> /dev/null
# nginx_conf PORT NAME: the configuration of an nginx terminating TLS on PORT (NAME keeps two apart)
nginx_conf() { cat <<EOF
worker_processes ${3:-1}; daemon off; pid $work/nginx/$2.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  upstream backend { server 127.0.0.1:$backend; keepalive 64; }
  server {
    listen 127.0.0.1:$1 ssl http2;
    ssl_certificate $work/nginx/cert.pem; ssl_certificate_key $work/nginx/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers $CIPHERS; ssl_prefer_server_ciphers off;
    ssl_session_cache shared:SSL:10m; ssl_session_timeout 1h; ssl_session_tickets on;
    http2_max_concurrent_streams 250; keepalive_requests 10000000;  # the router closes no connection after N requests
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
}
# start_nginx PORT NAME [WORKERS]: starts an nginx terminating TLS on PORT; its workers' pids in $worker
start_nginx() {
  nginx_conf "$1" "$2" "${3:-1}" > "$work/nginx/$2.conf"
  nginx -c "$work/nginx/$2.conf" -e stderr & pids+=($!)
  local master=$!
  for _ in $(seq 50); do worker=$(pgrep -P "$master" | xargs) && [ "$(wc -w <<< "$worker")" -ge "${3:-1}" ] && break; sleep 0.1; done
}
start_nginx $nginx_tls nginx; nginx_worker=$worker
# ROUTER=nginx: an A/A run, a second nginx of the same configuration in the router's place, whose ratios to the
# first show how far apart two measurements of the same proxy are on this machine (the bench's own noise)
[ "${ROUTER:-}" != nginx ] || { router_tls=18705; start_nginx $router_tls nginx-b "${NGINX_B_WORKERS:-1}"; router_pid=$worker; }

cpu_ticks() { local p; for p in "$@"; do cat "/proc/$p/stat"; done | awk '{t += $14 + $15} END {print t}'; }
to_ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}'; }
# measure MODE CONTENDER -> "rps latency-ms cpu-us-per-request" (p99 for wrk, mean for h2load)
measure() {
  local mode=$1 who=$2 url pid hdr=() out before after requests rps lat
  if [ "$who" = nginx ]; then url="https://127.0.0.1:$nginx_tls/"; pid=$nginx_worker; else url="https://127.0.0.1:$router_tls/"; pid=$router_pid; fi
  before=$(cpu_ticks $pid)
  case $mode in
    h1-keepalive|h1-handshake)
      [ "$who" = nginx ] || hdr=(-H "Host: $host")
      [ "$mode" = h1-keepalive ] || hdr+=(-H "Connection: close")
      out=$(wrk -t"${WRK_THREADS:-1}" -c64 -d"${WRK_DURATION:-6s}" --latency "${hdr[@]}" "$url") ;;
    h2)
      [ "$who" = nginx ] || hdr=(-H ":authority: $host")
      out=$(h2load -c16 -m10 -D "${H2_DURATION:-6}" "${hdr[@]}" "$url") ;;
    h1-rate)  # open loop: a new connection every 1/CONN_PER_MS ms whatever the answers, one request on each
      [ "$who" = nginx ] || hdr=(-H ":authority: $host")
      local n=$(( ${CONN_PER_MS:-1} * 1000 * ${RATE_SECONDS:-10} ))
      rm -f "$work/requests.log"
      out=$(h2load --h1 -c $n -n $n -r "${CONN_PER_MS:-1}" --rate-period 1ms --log-file "$work/requests.log" "${hdr[@]}" "$url") ;;
    h1-keepalive-rate)  # open loop on 64 kept-alive connections: each sends KEEPALIVE_RPS/64 requests a second
      [ "$who" = nginx ] || hdr=(-H ":authority: $host")
      rm -f "$work/requests.log"
      out=$(h2load --h1 -c64 --rps $(( ${KEEPALIVE_RPS:-40000} / 64 )) -D "${RATE_SECONDS:-10}" --log-file "$work/requests.log" "${hdr[@]}" "$url") ;;
  esac
  after=$(cpu_ticks $pid)
  [ -z "${VERBOSE:-}" ] || { echo "--- $who $mode"; grep -E "^ +(50|75|90|99)%|Latency|Req/Sec|finished|time for request" <<< "$out"; } >&2
  if [ "$mode" = h1-rate ] || [ "$mode" = h1-keepalive-rate ]; then
    requests=$(awk '/^requests:/ {print $8}' <<< "$out")
    rps=$(awk '/^finished in/ {print $4}' <<< "$out")
    local secs; secs=$(awk '/^finished in/ {print $3 + 0}' <<< "$out")
    # the latency of each request from the log h2load writes (microseconds until the end of its response)
    lat=$(awk '{print $3}' "$work/requests.log" | sort -n | awk '{a[NR] = $1} END {print a[int(NR * 0.99)] / 1000}')
    [ -z "${VERBOSE:-}" ] || awk '{print $3}' "$work/requests.log" | sort -n | awk -v who="$who" '{a[NR] = $1}
      END {printf "  %s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", who, a[int(NR/2)]/1000, a[int(NR*0.9)]/1000, a[int(NR*0.99)]/1000, a[NR]/1000}' >&2
    # h2load opens connections (sends requests) on schedule only while it keeps up; a late run is a closed loop again
    if [ "$mode" = h1-rate ]; then
      [ "$(echo "$secs > ${RATE_SECONDS:-10} * 1.05" | bc -l)" = 0 ] || echo "  $who $mode: h2load fell behind the rate (${secs}s for ${RATE_SECONDS:-10}s of connections); lower CONN_PER_MS" >&2
    else
      [ "$(echo "$rps < ${KEEPALIVE_RPS:-40000} * 0.95" | bc -l)" = 0 ] || echo "  $who $mode: $rps requests/s, short of the ${KEEPALIVE_RPS:-40000} asked for; lower KEEPALIVE_RPS" >&2
    fi
    local bad; bad=$(awk '/^requests:/ {print $10 + $12}' <<< "$out")
    [ "$bad" = 0 ] || echo "  $who $mode: $bad requests failed or errored" >&2
  elif [ "$mode" = h2 ]; then
    rps=$(awk '/^finished in/ {print $4}' <<< "$out")
    requests=$(awk '/^requests:/ {print $8}' <<< "$out")
    lat=$(awk '/^time for request:/ {print $6}' <<< "$out" | to_ms)
    local bad; bad=$(awk '/^requests:/ {print $10 + $12}' <<< "$out")
    [ "$bad" = 0 ] || echo "  $who $mode: $bad requests failed or errored" >&2
  else
    requests=$(awk '/requests in/ {print $1}' <<< "$out")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
    lat=$(awk '$1 == "99%" {print $2}' <<< "$out" | to_ms)
    local errors; errors=$(awk '/Non-2xx|Socket errors/' <<< "$out")
    [ -z "$errors" ] || echo "  $who $mode: $errors" >&2
  fi
  echo "$rps $lat $(echo "($after - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)"
}
modes=(${MODES:-h1-keepalive h1-keepalive-rate h1-handshake h1-rate h2})  # MODES="h1-handshake" measures one
for warm in ${WARMUP:-10 5}; do
  for m in "${modes[@]}"; do for who in nginx router; do WRK_DURATION=${warm}s H2_DURATION=$warm RATE_SECONDS=$warm measure "$m" "$who" > /dev/null; done; done
done
: > "$work/rounds"
printf '%5s %-13s %12s %9s %9s %12s %9s %9s\n' round mode "nginx rps" "lat ms" "us/req" "router rps" "lat ms" "us/req"
for r in $(seq "$rounds"); do
  for m in "${modes[@]}"; do
    # who goes first changes from round to round: in A/A runs (ROUTER=nginx) the one measured second had the lower
    # closed-loop new-connection p99 in eight rounds of ten (docs/benchmarks.md, "How far apart nginx is from itself")
    if (( r % 2 )); then
      read -r n_rps n_lat n_cpu < <(measure "$m" nginx)
      read -r r_rps r_lat r_cpu < <(measure "$m" router)
    else
      read -r r_rps r_lat r_cpu < <(measure "$m" router)
      read -r n_rps n_lat n_cpu < <(measure "$m" nginx)
    fi
    printf '%5d %-13s %12.0f %9.2f %9.1f %12.0f %9.2f %9.1f\n' "$r" "$m" "$n_rps" "$n_lat" "$n_cpu" "$r_rps" "$r_lat" "$r_cpu"
    echo "$m $n_rps $n_lat $n_cpu $r_rps $r_lat $r_cpu" >> "$work/rounds"
  done
done
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for m in "${modes[@]}"; do
  col() { awk -v m="$m" -v c="$1" '$1 == m {print $c}' "$work/rounds" | median; }
  lat=p99; [ "$m" != h2 ] || lat=mean
  printf 'median %-13s nginx %7.0f rps %s %.2f ms %.1f us/req | router %7.0f rps %s %.2f ms %.1f us/req | router/nginx: throughput %.2f (goal >= 1.00), %s %.2f (goal <= 1.25)\n' \
    "$m" "$(col 2)" $lat "$(col 3)" "$(col 4)" "$(col 5)" $lat "$(col 6)" "$(col 7)" \
    "$(echo "$(col 5) / $(col 2)" | bc -l)" $lat "$(echo "$(col 6) / $(col 3)" | bc -l)"
done
grep -m1 -o "Router TLS: .*" "$work/up.log" || echo "router TLS: BoringSSL (netty-tcnative); nginx: $(nginx -V 2>&1 | grep -o 'OpenSSL [0-9.]*' | head -1)"
