#!/usr/bin/env bash
# Nothing lost under load, shown with hey: a service (MaxConcurrency 4, MinSize 1, MaxSize 3) takes 16 concurrent
# clients without pause while it is redeployed (StartDeployment) and updated (UpdateService, new env) through the AWS
# CLI, and the autoscaler scales it out; then 1 client while it scales back in. Prints hey's status codes and errors
# for each phase and the service's scaling events.
# Usage: bench/deploy-under-load.sh   (after: mvn -B -q -DskipTests package; needs hey: apt-get install hey)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hey > /dev/null || { echo "needs hey: apt-get install hey" >&2; exit 1; }
work=$(mktemp -d)
api=18486 router=19086
mkdir -p "$work/app" "$work/state" && cp examples/python-hello/* "$work/app/"
source bench/lib.sh
start_server $api $router --allow-source-dir "$work"
asc=$(aws apprunner create-auto-scaling-configuration $E --auto-scaling-configuration-name bench \
  --max-concurrency 4 --min-size 1 --max-size 3 --query AutoScalingConfiguration.AutoScalingConfigurationArn --output text)
repo="{\"RepositoryUrl\":\"file://$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}"
arn=$(aws apprunner create-service --service-name bench-load $E --auto-scaling-configuration-arn "$asc" \
  --source-configuration "{\"CodeRepository\":$repo}}" --query Service.ServiceArn --output text)
until [ "$(aws apprunner describe-service --service-arn "$arn" $E --query Service.Status --output text)" = RUNNING ]; do sleep 0.5; done
host=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text)

await_operation() {
  until [ "$(aws apprunner list-operations --service-arn "$arn" $E --query "OperationSummaryList[?Id=='$1'].Status" --output text)" = SUCCEEDED ]; do sleep 0.2; done
}
summary() { # hey output: the status codes and errors
  sed -n '/Status code distribution/,$p' "$1" | grep -v '^$' || true
}

echo "phase 1: hey -c 16 -z 30s while StartDeployment, UpdateService and scale-out happen"
hey -z 30s -c 16 -host "$host" "http://127.0.0.1:$router/" > "$work/phase1" &
load=$!
sleep 3
t0=$SECONDS
await_operation "$(aws apprunner start-deployment --service-arn "$arn" $E --query OperationId --output text)"
echo "  StartDeployment succeeded after $((SECONDS - t0)) s"
t0=$SECONDS
await_operation "$(aws apprunner update-service --service-arn "$arn" $E --query OperationId --output text --source-configuration \
  "{\"CodeRepository\":$repo,\"CodeConfiguration\":{\"ConfigurationSource\":\"API\",\"CodeConfigurationValues\":{\"Runtime\":\"PYTHON_3\",\"StartCommand\":\"python server.py\",\"Port\":\"8080\",\"RuntimeEnvironmentVariables\":{\"NAME\":\"Ada\"}}}}}")"
echo "  UpdateService succeeded after $((SECONDS - t0)) s"
wait $load
summary "$work/phase1"
grep -E "Requests/sec" "$work/phase1"

echo "phase 2: hey -c 1 -z 120s while the autoscaler scales in (after its 60 s stable window and 30 s delay)"
hey -z 120s -c 1 -host "$host" "http://127.0.0.1:$router/" > "$work/phase2"
summary "$work/phase2"
echo "scaling events:"
grep -h "Scaling from" "$work/state/logs/bench-load/events.log" | sed 's/^/  /' || echo "  (none)"
echo "last answer: $(curl -s -H "Host: $host" "http://127.0.0.1:$router/")"
