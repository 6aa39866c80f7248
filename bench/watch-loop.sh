#!/usr/bin/env bash
# The development loop of `slipway up --watch`: save -> served by the new revision, for the Python and Node examples.
# For each example: a copy of it under `slipway up --watch`, then ROUNDS edits of its greeting; each round writes the
# file, then curls the service every 20 ms until the new text is served, and prints that time (measured by the client,
# from just before the write) next to the one `up` prints ("[watch] Served by the new revision X s after the save").
# Goal (issue 24): save -> served <= 1.5 s. Usage: bench/watch-loop.sh [rounds] (default 5), after
# mvn -B -q -DskipTests package. Needs python3, node, npm and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || { kill $pid 2>/dev/null; wait $pid 2>/dev/null; }; rm -rf "$work"' EXIT
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for example in python-hello node-hello; do
  app="$work/$example"
  cp -r "examples/$example" "$app"
  case $example in
    python-hello) file=server.py; old='"Hello, "' ;;
    node-hello) file=index.js; old='`Hello from Node.js, ' ;;
  esac
  SLIPWAY_STATE_DIR="$work/state-$example" java -jar server/target/slipway.jar up "$app" --watch --router-port 0 \
    --https-port -1 > "$work/$example.log" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do grep -q "\[watch\] Watching" "$work/$example.log" && break; sleep 0.1; done
  url=$(grep -o 'is RUNNING at http://[^ ]*' "$work/$example.log" | sed 's/is RUNNING at //') \
    || { cat "$work/$example.log" >&2; exit 1; }
  : > "$work/times"
  for r in $(seq "$rounds"); do
    text="Round $r of $RANDOM"
    served_before=$(grep -c "\[watch\] Served by" "$work/$example.log" || true)
    start=$(now)
    case $example in
      python-hello) sed -i "s/^MESSAGE = .*/MESSAGE = \"$text, \" + NAME + \"!\"/" "$app/$file" ;;
      node-hello) sed -i "s/^const message = .*/const message = \`$text, \${name}!\`;/" "$app/$file" ;;
    esac
    until curl -s "$url" | grep -q "$text"; do sleep 0.02; done
    end=$(now)
    for _ in $(seq 200); do [ "$(grep -c "\[watch\] Served by" "$work/$example.log" || true)" -gt "$served_before" ] && break; sleep 0.05; done
    reported=$(grep -o "Served by the new revision [0-9.]* s" "$work/$example.log" | tail -1 | grep -o "[0-9.]* s")
    client=$(echo "$end - $start" | bc -l)
    printf '%-13s round %d: save -> served %.2f s (client), up says %s\n' "$example" "$r" "$client" "$reported"
    echo "$client" >> "$work/times"
  done
  printf '%-13s median save -> served %.2f s over %d rounds (goal <= 1.5 s)\n' "$example" "$(median < "$work/times")" "$rounds"
  kill $pid; wait $pid 2>/dev/null || true; pid=
done
