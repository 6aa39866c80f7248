#!/usr/bin/env bash
# What one change (TagResource, UpdateService) and one read (DescribeService, also while another thread saves changes)
# cost through the Java API with the state database, at 1, 1,000 and 10,000 services. Prints p50/p99/max in us.
# BACKEND=fake runs no process for the instances (the control plane's own part of an UpdateService); QUIET_MS is the
# pause after each UpdateService's deployment before the next call (500 by default; 0: back to back).
# Usage: [BACKEND=fake] [QUIET_MS=0] bench/state-writes.sh [counts...]   (after: mvn -B -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
app=$(mktemp -d)
trap 'rm -rf "$app"' EXIT
cp examples/python-hello/* "$app"/
git -C "$app" init -q -b main && git -C "$app" add . && git -C "$app" -c user.email=bench@slipway -c user.name=bench commit -qm app
java -Dbackend="${BACKEND:-local}" -Dquiet="${QUIET_MS:-500}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.slipway.benchmarks.StateWritesBenchmark "$app" "$@"
