#!/usr/bin/env bash
# Times an image service on `slipway server --backend docker` through the AWS CLI: create-service to RUNNING and to
# its first 200 through the router, N rounds (each service deleted after). Prints each round and the medians.
# Usage: bench/docker-image-service.sh [rounds=3]   (after: mvn -B -q -DskipTests package; needs a Docker engine)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
image=slipway-test/busybox:1
if [ -z "$(docker images -q $image)" ]; then
  root=$(mktemp -d); mkdir -p "$root/bin" "$root/tmp"; cp /bin/busybox "$root/bin/"
  for c in sh echo mkdir httpd; do ln -s busybox "$root/bin/$c"; done
  tar -C "$root" -c . | docker import - $image >/dev/null; rm -rf "$root"
fi
work=$(mktemp -d) api=18486 router=19086
source bench/lib.sh
start_server $api $router --backend docker
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
running=() first=()
for i in $(seq "$rounds"); do
  start=$(now)
  arn=$(aws apprunner create-service --service-name "bench-img-$i" $E --query Service.ServiceArn --output text \
    --source-configuration "{\"ImageRepository\":{\"ImageIdentifier\":\"$image\",\"ImageRepositoryType\":\"ECR_PUBLIC\",\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"mkdir -p /tmp/w && echo ok > /tmp/w/index.html && exec httpd -f -p \$PORT -h /tmp/w\"}},\"AutoDeploymentsEnabled\":false}")
  until [ "$(aws apprunner describe-service --service-arn "$arn" $E --query Service.Status --output text)" = RUNNING ]; do sleep 0.05; done
  r=$(now)
  url=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: ${url%:*}" "http://127.0.0.1:$router/")" = 200 ]; do sleep 0.02; done
  f=$(now)
  running+=("$(secs "$start" "$r")"); first+=("$(secs "$start" "$f")")
  echo "round $i: create -> RUNNING ${running[-1]}s, -> first 200 ${first[-1]}s"
  aws apprunner delete-service --service-arn "$arn" $E >/dev/null
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median image service create -> RUNNING $(median "${running[@]}")s, -> first 200 $(median "${first[@]}")s (AWS CLI calls included)"
