#!/usr/bin/env bash
# cluster-smoke.sh — end-to-end check of the shaded job jar on a stock Flink standalone session
# cluster: Flink (scripts/flink-standalone.sh), a Kafka broker (scripts/kafka-standalone.sh) and a
# fresh database on the PostgreSQL server at $PGHOST:$PGPORT. It submits the jar over REST,
# produces chat messages and one malformed line with kcat, checks the tables and the dead-letter
# topic, stops the job with a savepoint, resubmits from it on the same cluster, and checks that the
# counts go on from where they were. Everything it started is stopped, and the database dropped,
# on exit (also on failure), unless --keep.
#
#   scripts/cluster-smoke.sh [--keep] [JAR]        (default JAR: pipeline/target/tally-job.jar)
#
# Needs: java 17, mvn (first run only), curl, jq, kcat, psql. Environment: PGHOST (127.0.0.1),
# PGPORT (5432), PGUSER (postgres), KAFKA_PORT (39092), KAFKA_CLASSPATH_FILE (a classpath with
# kafka_2.13; default pipeline/target/classpath.txt, written by the build).
# Prints timings and ends with "N passed, N failed"; exit 0 only when all checks passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S="$ROOT/scripts"
KEEP=false
JAR=""
for a in "$@"; do
  case "$a" in
    --keep) KEEP=true ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "cluster-smoke: unknown option $a" >&2; exit 2 ;;
    *) JAR="$a" ;;
  esac
done
JAR="${JAR:-$ROOT/pipeline/target/tally-job.jar}"
[[ -f "$JAR" ]] || { echo "cluster-smoke: no jar at $JAR (build it: mvn -B -DskipTests package)" >&2; exit 2; }
for tool in java curl jq kcat psql; do
  command -v "$tool" >/dev/null || { echo "cluster-smoke: $tool is needed" >&2; exit 2; }
done

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
KAFKA_PORT="${KAFKA_PORT:-39092}"
BROKER="127.0.0.1:$KAFKA_PORT"
DB="tally_smoke_$$"
JDBC="jdbc:postgresql://$PGHOST:$PGPORT/$DB?user=$PGUSER"
JOB_ARGS=(--bootstrap-servers "$BROKER" --jdbc-url "$JDBC" --pipelines chat --checkpoint-interval 5s)

passed=0
failed=0
TIMINGS=()
say() { echo "cluster-smoke: $*" >&2; }
now_ms() { date +%s%3N; }
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then
    echo "PASS $what"
    passed=$((passed + 1))
  else
    echo "FAIL $what"
    failed=$((failed + 1))
  fi
}
q() { psql -d "$DB" -XAtq -c "$1"; }
quiet() { "$@" >/dev/null; }

cleanup() {
  local rc=$?
  if [[ "$KEEP" == true ]]; then
    say "--keep: leaving Flink, Kafka and database $DB running"
  else
    "$S/flink-standalone.sh" down || true
    "$S/kafka-standalone.sh" down || true
    psql -d postgres -XAtq -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  fi
  exit "$rc"
}

# Waits until the SQL query prints exactly the expected text; prints the milliseconds it took.
wait_for() { # sql expected timeout-seconds
  local t0 got=""
  t0="$(now_ms)"
  while (($(now_ms) - t0 < $3 * 1000)); do
    got="$(q "$1" 2>/dev/null || true)"
    if [[ "$got" == "$2" ]]; then
      echo $(($(now_ms) - t0))
      return 0
    fi
    sleep 0.05
  done
  say "waited $3s for [$1] = [$2], last saw [$got]"
  return 1
}

produce() { # key, then JSON lines on stdin
  kcat -P -b "$BROKER" -t chat-messages -k "$1"
}

msg() { # id user text age-ms
  printf '{"id":"%s","username":"%s","text":"%s","ts":%d}\n' "$1" "$2" "$3" $(($(now_ms) - $4))
}

# ---- start --------------------------------------------------------------------------------------------
if "$S/flink-standalone.sh" status >/dev/null 2>&1; then
  echo "cluster-smoke: a cluster from scripts/flink-standalone.sh is already running; 'down' it first" >&2
  exit 2
fi
trap cleanup EXIT
t="$(now_ms)"
"$S/flink-standalone.sh" up >/dev/null
TIMINGS+=("flink-standalone up (JM + TM registered): $(($(now_ms) - t)) ms")
t="$(now_ms)"
"$S/kafka-standalone.sh" up >/dev/null
TIMINGS+=("kafka-standalone up: $(($(now_ms) - t)) ms")
psql -d postgres -XAtq -c "CREATE DATABASE $DB"

# ---- first run --------------------------------------------------------------------------------------------
t="$(now_ms)"
job="$("$S/submit-job.sh" "$JAR" -- "${JOB_ARGS[@]}")" || { echo "FAIL first submission"; exit 1; }
TIMINGS+=("upload + run + all tasks RUNNING: $(($(now_ms) - t)) ms")
say "job $job running"

msg m1 Alice "hello world" 3000 | produce alice
if ms="$(wait_for "select message_count from user_stats where username = 'alice'" 1 30)"; then
  TIMINGS+=("first message -> user_stats row: $ms ms")
  check "first message reaches user_stats" true
else
  check "first message reaches user_stats" false
fi

{ msg m2 Alice "the quick brown fox" 2000; msg m4 Alice "again" 500; } | produce alice
{ msg m3 Bob "hi there bob here" 1500; msg m3 Bob "hi there bob here" 1500; } | produce bob
marker="smoke-$$-not-json {"
echo "$marker" | produce mallory

check "user_stats: alice 3 messages / 7 words, bob 1 / 4 (duplicate id dropped)" \
  quiet wait_for "select string_agg(username || ':' || message_count || ':' || total_words, ' ' order by username) from user_stats" \
  "alice:3:7 bob:1:4" 30
check "user_daily_activity has a row per user and day" \
  quiet wait_for "select count(*) from user_daily_activity" 2 30
check "pipeline_status: 6 in, 4 out, 1 dead letter" \
  quiet wait_for "select records_in || ' ' || records_out || ' ' || dead_letters from pipeline_status where pipeline = 'chat'" \
  "6 4 1" 30
dead_letter_seen() {
  kcat -C -b "$BROKER" -t tally-dead-letters -o beginning -e -q 2>/dev/null |
    jq -e --arg m "$marker" 'select(.value == $m and .reason == "not-json")' >/dev/null
}
check "the malformed line is in tally-dead-letters with reason not-json" dead_letter_seen

# ---- stop with a savepoint, resubmit from it -------------------------------------------------------------
sleep 1 # let a flush and a checkpoint pass; the savepoint itself flushes too
t="$(now_ms)"
savepoint="$("$S/stop-job.sh" "$job")" || { echo "FAIL stop with savepoint"; exit 1; }
TIMINGS+=("stop with savepoint: $(($(now_ms) - t)) ms")
check "savepoint written" test -f "${savepoint#file:}/_metadata"

t="$(now_ms)"
if job2="$("$S/submit-job.sh" --savepoint "$savepoint" "$JAR" -- "${JOB_ARGS[@]}")"; then
  TIMINGS+=("resubmit from savepoint -> all tasks RUNNING: $(($(now_ms) - t)) ms")
  check "resubmission from the savepoint runs" true
  say "job $job2 running from $savepoint"
  msg m5 Alice "after the savepoint" 200 | produce alice
  msg m2 Alice "the quick brown fox" 2000 | produce alice # a repeat: the dedupe state survived?
  if ms="$(wait_for "select message_count || ':' || total_words from user_stats where username = 'alice'" "4:10" 30)"; then
    TIMINGS+=("message after restore -> row: $ms ms")
    check "counts go on from the savepoint (alice 3 -> 4 messages, 7 -> 10 words)" true
  else
    check "counts go on from the savepoint (alice 3 -> 4 messages, 7 -> 10 words)" false
  fi
  check "pipeline_status goes on: 8 in, 5 out (the repeated id is dropped)" \
    quiet wait_for "select records_in || ' ' || records_out from pipeline_status where pipeline = 'chat'" "8 5" 30
else
  check "resubmission from the savepoint runs" false
fi

echo "--- timings"
printf '%s\n' "${TIMINGS[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
