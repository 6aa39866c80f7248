#!/usr/bin/env bash
# How fast the console's service list paints with 100 services: a real slipway server (local backend) with 100
# services, and Debian's chromium (headless, through chromedriver's WebDriver protocol) loading /console/services;
# prints the browser's first contentful paint and the server's response time for each load, and the same page saved
# as a file and served by python's http.server as the reference (ratio = console / static copy).
# Usage: bench/console-first-paint.sh [services=100] [loads=10]   (after: mvn -B -q -DskipTests install; needs chromium,
# chromium-driver)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
services=${1:-100}
loads=${2:-10}
work=$(mktemp -d)
mkdir -p "$work/app"
printf 'version: 1.0\nruntime: python3\nbuild:\n  commands:\n    build:\n      - "true"\nrun:\n  command: python3 -c "import time; time.sleep(1e9)"\n' \
  > "$work/app/apprunner.yaml"
start_server 18584 18580 --allow-source-dir "$work" --quota "services=$services"
seq -w "$services" | xargs -P 8 -I{} aws apprunner create-service $E --service-name "bench-service-{}" --source-configuration \
  "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},\"CodeConfiguration\":{\"ConfigurationSource\":\"REPOSITORY\"}}}" \
  --query Service.ServiceName --output text > /dev/null
echo "$services services created (their instances never answer a health check: they end CREATE_FAILED, and are listed all the same)"
key=$(sed -n 's/^aws_access_key_id *= *//p' "$work/state/credentials")
secret=$(sed -n 's/^aws_secret_access_key *= *//p' "$work/state/credentials")
python3 - "$key" "$secret" "$loads" "$work" <<'PY'
import json, subprocess, sys, time, urllib.parse, urllib.request, threading, http.server, functools, os, statistics
key, secret, loads, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
driver = subprocess.Popen(["/usr/bin/chromedriver", "--port=19515"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def call(method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:19515" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["value"]
for _ in range(100):
    try:
        call("GET", "/status"); break
    except Exception:
        time.sleep(0.1)
session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
    "binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]}}}})["sessionId"]
timing = """const done = arguments[arguments.length - 1];
const n = performance.getEntriesByType('navigation')[0];
const answer = (fcp) => done([fcp, n.responseEnd - n.requestStart, document.querySelectorAll('#service-rows tr').length]);
new PerformanceObserver((list) => {
  const p = list.getEntries().find(e => e.name === 'first-contentful-paint');
  if (p) answer(p.startTime);
}).observe({type: 'paint', buffered: true});
setTimeout(() => answer(null), 5000);"""
def measure(url):
    out = []
    for _ in range(loads):
        call("POST", f"/session/{session}/url", {"url": url})
        out.append(call("POST", f"/session/{session}/execute/async", {"script": timing, "args": []}))
    return out
try:
    call("POST", f"/session/{session}/url", {"url": "http://127.0.0.1:18584/console/sign-in#key=" + key + "&secret=" + urllib.parse.quote(secret)})
    time.sleep(1)
    console = measure("http://127.0.0.1:18584/console/services")
    html = call("POST", f"/session/{session}/execute/sync", {"script": "return document.documentElement.outerHTML", "args": []})
    static = os.path.join(work, "static"); os.makedirs(os.path.join(static, "console", "static"), exist_ok=True)
    open(os.path.join(static, "services.html"), "w").write("<!doctype html>" + html)
    for asset in ("console.css", "console.js"):
        urllib.request.urlretrieve("http://127.0.0.1:18584/console/static/" + asset, os.path.join(static, "console", "static", asset))
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 18590), functools.partial(Quiet, directory=static))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reference = measure("http://127.0.0.1:18590/services.html")
    fcp = statistics.median(c[0] for c in console); ref = statistics.median(r[0] for r in reference)
    print(f"rows on the page: {console[-1][2]}")
    print("console  first contentful paint ms: " + " ".join(f"{c[0]:.0f}" for c in console) + f"  (median {fcp:.0f})")
    print("console  server response ms:        " + " ".join(f"{c[1]:.1f}" for c in console) + f"  (median {statistics.median(c[1] for c in console):.1f})")
    print("static   first contentful paint ms: " + " ".join(f"{r[0]:.0f}" for r in reference) + f"  (median {ref:.0f})")
    print(f"ratio console/static (median first paint): {fcp / ref:.2f}")
finally:
    call("DELETE", f"/session/{session}")
    driver.terminate()
PY
