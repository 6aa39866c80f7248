#!/usr/bin/env bash
# How long the JUnit 5 extension takes to give a test its services: runs the examples/junit5 tests (SampleAppsTest:
# python-hello and node-hello per class; RedeployTest: a python service per test; classes in parallel) N times and
# prints each service's time from CreateService to ready, as the extension logs it.
# Usage: bench/junit5-startup.sh [runs=3]   (after: mvn -B -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
for i in $(seq "$runs"); do
  echo "run $i:"
  mvn -B -o verify -pl examples/junit5 2>&1 | grep -o "Service [^ ]* from [^ ]* is ready at [^ ]* after [0-9]* ms" \
    | sed -E 's/Service ([^ ]*) from ([^ ]*) is ready at [^ ]* after ([0-9]*) ms/  \2 (\1): \3 ms/'
done
