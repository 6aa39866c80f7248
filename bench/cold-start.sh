#!/usr/bin/env bash
# Scale to zero: how long the first request after idle takes (the activator path: queued, an instance started, health
# checked, served) for examples/python-hello on the local backend, against a warm request to the same service in the
# same run. A slipway server with --allow-scale-to-zero --idle-before-zero 2, a MinSize 0 auto scaling configuration
# (the AWS CLI checks MinSize >= 1 itself: this script turns its parameter validation off, as a user would), then N
# rounds of: wait until the service has no instance, time one request with curl, time a warm one.
# Usage: bench/cold-start.sh [rounds=5]   (after: mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
work=$(mktemp -d)
api=18487 router=19087
mkdir -p "$work/app" "$work/state" && cp examples/python-hello/* "$work/app/"
source bench/lib.sh
start_server $api $router --allow-source-dir "$work" --allow-scale-to-zero --idle-before-zero 2
printf '[profile slipway]\nparameter_validation = false\n' > "$work/aws-config"
export AWS_CONFIG_FILE="$work/aws-config"
asc=$(aws apprunner create-auto-scaling-configuration $E --auto-scaling-configuration-name to-zero \
  --max-concurrency 10 --min-size 0 --max-size 2 --query AutoScalingConfiguration.AutoScalingConfigurationArn --output text)
repo="{\"RepositoryUrl\":\"file://$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}"
arn=$(aws apprunner create-service --service-name bench-zero $E --auto-scaling-configuration-arn "$asc" \
  --source-configuration "{\"CodeRepository\":$repo}}" --query Service.ServiceArn --output text)
until [ "$(aws apprunner describe-service --service-arn "$arn" $E --query Service.Status --output text)" = RUNNING ]; do sleep 0.5; done
host=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text | sed 's/:.*//')
events="$work/state/logs/bench-zero/events.log"
scaled_to_zero() { grep -c "to 0 instances" "$events" || true; }
cold=() warm=()
for i in $(seq "$rounds"); do
  until [ "$(scaled_to_zero)" -ge "$i" ]; do sleep 0.2; done
  sleep 1 # drained and stopped: the last instance's process is gone, not only out of the route
  cold+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Host: $host" "http://127.0.0.1:$router/")")
  warm+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Host: $host" "http://127.0.0.1:$router/")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
echo "first request after scale to zero, seconds: ${cold[*]}  (median $(median "${cold[@]}"))"
echo "warm request right after it, seconds:       ${warm[*]}  (median $(median "${warm[@]}"))"
awk -v c="$(median "${cold[@]}")" -v w="$(median "${warm[@]}")" 'BEGIN { printf "ratio cold/warm (medians): %.0f\n", c / w }'
grep -h "Cold start" "$events" | sed 's/^[^ ]* /  events: /' | tail -n "$rounds"
