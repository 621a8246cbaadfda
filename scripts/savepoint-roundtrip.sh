#!/usr/bin/env bash
# savepoint-roundtrip.sh — the upgrade path of docs/UPGRADE.md, checked end to end with the
# launcher alone (what CI runs after `mvn -B verify`, see .ci/run):
#   bin/tally dev-cluster up → submit (parallelism 2) → produce → stop with a savepoint →
#   produce while stopped (new messages and repeats) → submit --savepoint --parallelism 1 →
#   the tables go on with nothing lost or doubled → a savepoint of another job is refused →
#   stop → dev-cluster down, leaving no process behind.
#
#   scripts/savepoint-roundtrip.sh
#
# Needs java 17, the built jars (mvn -B -DskipTests package), psql, and a PostgreSQL on
# 127.0.0.1:5432 or server binaries (dev-cluster starts one then). Ports: Kafka RT_KAFKA_PORT
# (39292), Flink REST RT_FLINK_PORT (18181). Everything lives in .tally/roundtrip and is removed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TALLY="$ROOT/bin/tally"
DIR="$ROOT/.tally/roundtrip"
DB="tally_roundtrip_$$"
DEV=(--dir "$DIR" --kafka-port "${RT_KAFKA_PORT:-39292}" --flink-rest-port "${RT_FLINK_PORT:-18181}" --database "$DB")
JOB=(--pipelines chat --checkpoint-interval 2s)

passed=0
failed=0
say() { echo "roundtrip: $*" >&2; }
now_ms() { date +%s%3N; }
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then echo "PASS $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi
}
q() { psql "postgresql://postgres@127.0.0.1:5432/$DB" -XAtq -c "$1"; }
wait_for() { # sql expected timeout-seconds
  local t0 got=""
  t0="$(now_ms)"
  while (($(now_ms) - t0 < $3 * 1000)); do
    got="$(q "$1" 2>/dev/null || true)"
    [[ "$got" == "$2" ]] && return 0
    sleep 0.3
  done
  say "waited $3s for [$1] = [$2], last saw [$got]"
  return 1
}
messages() { # first last repeat-of-first?  — chat messages m<first>..m<last>, 3 words each
  local now i
  now="$(now_ms)"
  for ((i = $1; i <= $2; i++)); do
    printf '{"id":"rt-%d","username":"user%d","text":"round trip %d","ts":%d}\n' "$i" $((i % 7)) "$i" $((now - 60000 + i))
  done
}

cleanup() {
  local rc=$?
  [[ -n "${JOB_ID:-}" ]] && "$TALLY" stop "$JOB_ID" >/dev/null 2>&1 || true
  "$TALLY" dev-cluster down "${DEV[@]}" >/dev/null 2>&1 || true
  psql "postgresql://postgres@127.0.0.1:5432/postgres" -XAtq -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$DIR"
  exit "$rc"
}
trap cleanup EXIT

t0="$(now_ms)"
# Once in CI the broker's start failed with nothing on stderr; the logs went with the cleanup.
# Show them, then try once more before failing.
if ! "$TALLY" dev-cluster up "${DEV[@]}" >/dev/null; then
  say "dev-cluster up failed; the broker's logs:"
  for f in "$DIR"/kafka/format.log "$DIR"/kafka/kafka.out "$DIR"/kafka/kafka.log; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
  done
  "$TALLY" dev-cluster down "${DEV[@]}" >&2 || true
  say "retrying dev-cluster up once"
  "$TALLY" dev-cluster up "${DEV[@]}" >/dev/null
fi
set -a
# shellcheck disable=SC1091
. "$DIR/env"
set +a
say "dev cluster up after $(($(now_ms) - t0)) ms ($TALLY_FLINK_REST, $TALLY_BOOTSTRAP_SERVERS)"

JOB_ID="$("$TALLY" submit "${JOB[@]}" --parallelism 2)"
say "job $JOB_ID running at parallelism 2"
messages 1 60 | "$TALLY" produce chat --file - >/dev/null 2>&1
check "before the savepoint: 60 messages, 180 words in user_stats" \
  wait_for "select sum(message_count) || ' ' || sum(total_words) from user_stats" "60 180" 60

SP="$("$TALLY" stop "$JOB_ID")"
JOB_ID=""
say "stopped with savepoint $SP"
check "savepoint written with the job's fingerprint" test -f "${SP#file:}/tally-job.json"

# While the job is down: 40 new messages and 10 repeats of ids the savepoint has seen.
{ messages 61 100; messages 1 10; } | "$TALLY" produce chat --file - >/dev/null 2>&1

check "a savepoint of another job is refused (exit 2)" \
  bash -c '"$0" submit --pipelines chat,reviews --savepoint "$1" >/dev/null 2>&1; [[ $? == 2 ]]' "$TALLY" "$SP"

JOB_ID="$("$TALLY" submit "${JOB[@]}" --parallelism 1 --savepoint "$SP")"
say "job $JOB_ID running at parallelism 1 from the savepoint"
check "after rescaling 2 → 1: 100 messages, 300 words (nothing lost, repeats not counted)" \
  wait_for "select sum(message_count) || ' ' || sum(total_words) from user_stats" "100 300" 60
check "pipeline_status goes on: 110 in, 100 out" \
  wait_for "select records_in || ' ' || records_out from pipeline_status where pipeline = 'chat'" "110 100" 60
check "tally status --json shows the job RUNNING" \
  bash -c '"$0" status --json | grep -q "\"state\" : \"RUNNING\""' "$TALLY"

"$TALLY" stop "$JOB_ID" >/dev/null
JOB_ID=""
"$TALLY" dev-cluster down "${DEV[@]}" >/dev/null 2>&1
left="$(pgrep -f -- "$DIR/" || true)"
check "dev-cluster down leaves no process behind" test -z "$left"

say "whole round trip $(($(now_ms) - t0)) ms"
echo "$passed passed, $failed failed"
((failed == 0))
