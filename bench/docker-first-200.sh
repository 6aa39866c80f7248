#!/usr/bin/env bash
# Times `slipway up examples/python-hello` from the command to its first 200 through the router, on the docker backend
# (the base image present on the engine) and on the local backend, alternating, N rounds; prints each and the medians.
# Usage: bench/docker-first-200.sh [rounds=3]   (after: mvn -B -q -DskipTests package; needs a Docker engine)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
base=slipway-test/debian-python:bookworm
if [ -z "$(docker images -q $base)" ]; then
  echo "building $base with mmdebstrap (once)" >&2
  mmdebstrap --variant=minbase --include=python3 \
    --customize-hook='chroot "$1" ln -sf /usr/bin/python3 /usr/local/bin/python' bookworm - 2>/dev/null | docker import - $base >/dev/null
fi
first200() { # backend, extra args...
  local log; log=$(mktemp)
  local start; start=$(date +%s.%N)
  java -jar server/target/slipway.jar up examples/python-hello --router-port 0 --name "bench-$1" --backend "$@" >"$log" 2>&1 &
  local pid=$!
  local url=""
  while [ -z "$url" ]; do
    url=$(grep -o 'RUNNING at http://[^ ]*' "$log" | sed 's|RUNNING at http://||; s|/$||' || true)
    kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  local host=${url%:*} port=${url##*:}
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:$port/")" = 200 ]; do sleep 0.02; done
  local end; end=$(date +%s.%N)
  kill $pid; wait $pid 2>/dev/null || true
  rm -f "$log"
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}'
}
docker_times=() local_times=()
for i in $(seq "$rounds"); do
  d=$(first200 docker --base-image python3=$base); l=$(first200 local)
  echo "round $i: docker ${d}s  local ${l}s"
  docker_times+=("$d"); local_times+=("$l")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
md=$(median "${docker_times[@]}"); ml=$(median "${local_times[@]}")
echo "median source -> first 200: docker ${md}s, local ${ml}s (docker/local $(awk -v a="$md" -v b="$ml" 'BEGIN {printf "%.2f", a / b}'))"
