#!/usr/bin/env bash
# JMH benchmark of the router's per-request work on bytes: a request framed, checked and rewritten (RequestFramer),
# a response framed and relayed (ResponseFramer), with the bytes of bench/router-vs-nginx.sh. Prints ns per message
# (lower is better); steadier than the end-to-end benchmark for comparing two versions of the framers.
# Usage: bench/framers-jmh.sh   (after: mvn -B -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main FramersBenchmark \
  -f 1 -wi 3 -w 1s -i 5 -r 1s "$@" 2>&1 | sed -n '/^Benchmark/,$p'
