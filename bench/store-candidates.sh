#!/usr/bin/env bash
# The candidates for the embedded default's state, each durable on every change: SQLite (WAL, synchronous=FULL, the
# one Slipway uses), H2's MVStore, and the whole-state JSON file of before. One change rewrites one 2.5 KB service
# document among N. Prints p50/p99 per change in us; the last line per N is SQLite's change after half a second of
# quiet (as an API call after a pause).
# Usage: bench/store-candidates.sh [counts...]   (after: mvn -B -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.slipway.benchmarks.StoreCandidatesBenchmark "$@"
