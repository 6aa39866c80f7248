#!/usr/bin/env bash
# WebSockets through the router against nginx proxying them (one worker, proxy_http_version 1.1 with Upgrade and
# Connection passed, as nginx's documentation shows) and straight to the instance, in the same run: a WebSocket echo
# app (Python standard library) deployed by a slipway server; a Python client opens C connections and makes N round
# trips of a 64-byte text message on each, through each path; prints round trips per second and p50/p99 round-trip
# times, and the ratios router/nginx.
# Usage: bench/websocket-echo.sh [connections=8] [round-trips=2000]   (after: mvn -B -q -DskipTests package; needs nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-8}
trips=${2:-2000}
work=$(mktemp -d)
api=18488 router=19088
mkdir -p "$work/app" "$work/state"
sed -n '/ECHO_APP = """/,/""";/p' server/src/test/java/dev/slipway/server/WebSocketDeploymentIT.java | sed '1d;$d' \
  | sed 's/^            //; s/\\\\/\\/g' > "$work/app/server.py"
printf 'version: 1.0\nruntime: python3\nrun:\n  command: python3 server.py\n' > "$work/app/apprunner.yaml"
source bench/lib.sh
start_server $api $router --allow-source-dir "$work"
repo="{\"RepositoryUrl\":\"file://$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}"
arn=$(aws apprunner create-service --service-name bench-ws $E --source-configuration "{\"CodeRepository\":$repo}}" \
  --query Service.ServiceArn --output text)
until [ "$(aws apprunner describe-service --service-arn "$arn" $E --query Service.Status --output text)" = RUNNING ]; do sleep 0.5; done
host=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text | sed 's/:.*//')
port=$(grep -ho "started on port [0-9]*" "$work"/state/logs/bench-ws/deployment/*.log | head -1 | awk '{print $4}')
command -v nginx > /dev/null || { echo "needs nginx: apt-get install nginx-light" >&2; exit 1; }
nginx_port=19089
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; location / { proxy_pass http://127.0.0.1:$port; proxy_http_version 1.1;
    proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection "upgrade"; proxy_read_timeout 3600s; } }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -e stderr & nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
until (exec 3<>/dev/tcp/127.0.0.1/$nginx_port) 2>/dev/null; do sleep 0.1; done
python3 - "$router" "$host" "$port" "$conns" "$trips" "$nginx_port" <<'PY'
import base64, os, socket, statistics, sys, threading, time
router, host, port, conns, trips, nginx = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
def connect(p, h):
    s = socket.create_connection(("127.0.0.1", p)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(f"GET /echo HTTP/1.1\r\nHost: {h}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    return s
def frame(text):
    data, mask = text.encode(), os.urandom(4)
    return bytes([0x81, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))
def recv_frame(s):
    h = s.recv(2, socket.MSG_WAITALL); n = h[1] & 0x7f
    return s.recv(n, socket.MSG_WAITALL)
def run(p, h):
    rtts, threads = [], []
    def worker():
        s = connect(p, h); msg = frame("x" * 64); mine = []
        for _ in range(trips):
            t = time.perf_counter(); s.sendall(msg); recv_frame(s); mine.append(time.perf_counter() - t)
        rtts.extend(mine); s.close()
    start = time.perf_counter()
    for _ in range(conns):
        threads.append(threading.Thread(target=worker)); threads[-1].start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    rtts.sort()
    return conns * trips / took, rtts[len(rtts) // 2] * 1000, rtts[int(len(rtts) * 0.99)] * 1000
run(router, host)  # the JVM compiles the relay path first (a round not counted)
r = run(router, host); n = run(nginx, "127.0.0.1"); d = run(port, "127.0.0.1")
print(f"{conns} connections x {trips} round trips of 64-byte text messages")
print(f"through the router: {r[0]:8.0f} round trips/s   p50 {r[1]:.3f} ms   p99 {r[2]:.3f} ms")
print(f"through nginx:      {n[0]:8.0f} round trips/s   p50 {n[1]:.3f} ms   p99 {n[2]:.3f} ms")
print(f"to the instance:    {d[0]:8.0f} round trips/s   p50 {d[1]:.3f} ms   p99 {d[2]:.3f} ms")
print(f"ratio router/nginx: throughput {r[0] / n[0]:.2f}, p50 {r[1] / n[1]:.2f}x, p99 {r[2] / n[2]:.2f}x")
PY
