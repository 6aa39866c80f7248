#!/usr/bin/env bash
# Redeploys a service N times (blue/green) through the AWS CLI while curl calls it in a loop on this machine,
# and prints how long each deployment took and how many requests succeeded and failed.
# Usage: bench/redeploy-under-load.sh [deployments=3]   (after: mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
work=$(mktemp -d)
api=18485 router=19085
mkdir -p "$work/app" "$work/state" && cp examples/python-hello/* "$work/app/"
source bench/lib.sh
start_server $api $router --allow-source-dir "$work"
arn=$(aws apprunner create-service --service-name bench-svc $E --query Service.ServiceArn --output text \
  --source-configuration "{\"CodeRepository\":{\"RepositoryUrl\":\"file://$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}")
while :; do
  status=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.Status --output text)
  [ "$status" = RUNNING ] && break
  [ "$status" = CREATE_FAILED ] && { echo "the service could not be created; see $work/state/logs" >&2; exit 1; }
  sleep 0.5
done
url=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text)
(
  ok=0 failed=0 end=$((SECONDS + 300))
  while [ ! -f "$work/stop" ] && [ $SECONDS -lt $end ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$url/")" = 200 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  done
  echo "requests: $ok succeeded, $failed failed" > "$work/result"
) &
loop=$!
for i in $(seq "$n"); do
  t0=$(date +%s.%N)
  op=$(aws apprunner start-deployment --service-arn "$arn" $E --query OperationId --output text)
  until [ "$(aws apprunner list-operations --service-arn "$arn" $E --query "OperationSummaryList[?Id=='$op'].Status" --output text)" = SUCCEEDED ]; do sleep 0.2; done
  echo "deployment $i: $(echo "$(date +%s.%N) - $t0" | bc) s (start-deployment to SUCCEEDED, polled with the AWS CLI)"
done
touch "$work/stop"
wait $loop
cat "$work/result"
