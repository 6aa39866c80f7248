#!/usr/bin/env bash
# JMH benchmark of the routing decision (RoutingTable acquire/release with metrics), 1 and 4 threads, next to a bare
# shared counter. Prints operations per microsecond (higher is better).
# Usage: bench/routing-jmh.sh   (after: mvn -B -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main RoutingTableBenchmark \
  -f 1 -wi 3 -w 1s -i 5 -r 1s "$@" 2>&1 | sed -n '/^Benchmark/,$p'
