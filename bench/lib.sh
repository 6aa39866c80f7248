# Shared by the bench scripts: `start_server API_PORT ROUTER_PORT [server options...]` runs `slipway server` with its
# state in $work/state (set $work first), stops it and removes $work on exit, points the AWS CLI at it ($E holds the
# endpoint option) and returns once it listens.
start_server() {
  local api=$1 router=$2
  shift 2
  java -jar server/target/slipway.jar server --state-dir "$work/state" --api-port "$api" --router-port "$router" "$@" \
    > "$work/server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
  export AWS_SHARED_CREDENTIALS_FILE="$work/state/credentials" AWS_PROFILE=slipway AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
  E="--endpoint-url http://127.0.0.1:$api"
  for _ in $(seq 300); do [ -f "$work/state/credentials" ] && grep -q "listening" "$work/server.log" && return; sleep 0.1; done
  echo "slipway server did not start; its log:" >&2; cat "$work/server.log" >&2; exit 1
}
