#!/usr/bin/env bash
# fault-suite.sh — SPEC §1.8 under the faults production has (issue 9): for each fault, the three
# pipelines run on a real session cluster over the same input as a failure-free run, the fault hits
# while the input streams in, and then every Tally table is compared with the failure-free run's,
# row by row. Prints, per fault: events in, rows compared, rows that differ (must be 0), how long
# the fault lasted and how long the job took to catch up after it. Exits 1 if any row differs or a
# case could not finish.
#
#   scripts/fault-suite.sh [--events N] [--rate R] [--cases a,b,…] [--pg-outage S] [--report FILE] [--keep]
#
#   --events N      chat messages in the streamed phase (default 3000; reviews ≈ N/2.5 lines, and
#                   2 or 4 member imports of max(500, N/3) contacts each)
#   --rate R        chat lines a second while streaming (default 300; reviews in proportion)
#   --cases LIST    any of: job-failures postgres-down run-postgres-down kafka-restart kafka-outage
#                   taskmanager-killed savepoint-rescale late-after-restore (default all but
#                   kafka-outage, which shows an open defect; "all" adds it; in that order)
#   --pg-outage S   how long PostgreSQL stays down in postgres-down (default 30); run-postgres-down,
#                   the job of `bin/tally run` rather than the cluster, always has 60 s (issue 9)
#   --kafka-outage S  how long the broker stays down in kafka-outage (default 120, more than the
#                   jobs' --idleness 90s; kafka-restart: 2 s plus the broker's start)
#   --report FILE   also write the table as Markdown, with date, machine and command
#   --keep          leave the cluster, databases and files (.tally/fault-suite) for a look
#
# What runs (all local processes; nothing of the machine's own services is touched): a PostgreSQL
# server of its own (postgres-standalone.sh, port FS_PG_PORT 55433, data in a temp dir), a Kafka
# broker process and a Flink standalone session cluster (bin/tally dev-cluster; ports
# FS_KAFKA_PORT 39392, FS_FLINK_PORT 18281), a members API (FS_MEMBERS_PORT 18389). Input: one
# deterministic file set from scripts/fault-suite/FaultSuiteTool.java. Each case gets its own
# topics, consumer group and database; see scripts/README.md for the phases, how recovery is
# measured and which columns are not compared (wall-clock ones) and why.
#
# Needs java 17, the built jars (bin/tally builds them), PostgreSQL server binaries, psql, curl,
# jq and kcat.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TALLY="$ROOT/bin/tally"
DIR="$ROOT/.tally/fault-suite"
ALL_CASES=(job-failures postgres-down run-postgres-down kafka-restart kafka-outage taskmanager-killed savepoint-rescale
  late-after-restore)
# kafka-outage is left out unless asked for: it shows a defect that is known and open (scripts/README.md).
DEFAULT_CASES=(job-failures postgres-down run-postgres-down kafka-restart taskmanager-killed savepoint-rescale
  late-after-restore)

EVENTS=3000
RATE=300
PG_OUTAGE=30
KAFKA_DOWN=2
KAFKA_OUTAGE=120
# The sources' idleness timeout for every job of the suite (Tally's default is 30 s). A broker
# down for longer than it makes every split idle, and on its return the first partitions read
# drag the watermark over the others' backlog, which is then dropped as too-late: an open defect
# that kafka-outage shows (down 120 s). kafka-restart checks a restart below the timeout, and on
# a busy 2-core machine a broker JVM alone can take 60 s to start.
IDLENESS=90
CKPT=5 # checkpoint interval, seconds
REPORT=""
KEEP=0
CASES=("${DEFAULT_CASES[@]}")
COMMAND="scripts/fault-suite.sh $*"
while (($#)); do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --pg-outage) PG_OUTAGE=$2; shift 2 ;;
    --kafka-outage) KAFKA_OUTAGE=$2; shift 2 ;;
    --report) REPORT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --cases)
      IFS=, read -r -a CASES <<<"$2"
      [[ "$2" == all ]] && CASES=("${ALL_CASES[@]}")
      for c in "${CASES[@]}"; do
        [[ " ${ALL_CASES[*]} " == *" $c "* ]] || { echo "fault-suite: unknown case '$c' (${ALL_CASES[*]})" >&2; exit 2; }
      done
      shift 2 ;;
    -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fault-suite: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

PG_PORT="${FS_PG_PORT:-55433}"
KAFKA_PORT="${FS_KAFKA_PORT:-39392}"
FLINK_PORT="${FS_FLINK_PORT:-18281}"
MEMBERS_PORT="${FS_MEMBERS_PORT:-18389}"
# The REST port of the job `bin/tally run` starts in run-postgres-down (its embedded cluster's).
RUN_REST_PORT="${FS_RUN_REST_PORT:-$((FLINK_PORT + 1))}"
RUN_PG_OUTAGE=60
CLUSTER="$DIR/cluster"
DEV=(--dir "$CLUSTER" --kafka-port "$KAFKA_PORT" --flink-rest-port "$FLINK_PORT" --postgres-port "$PG_PORT" --database fault_suite)
# The scripts dev-cluster runs, pointed where it points them (for the kills and restarts).
export KAFKA_HOME_DIR="$CLUSTER/kafka" KAFKA_PORT KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1))
export KAFKA_AUTO_CREATE_TOPICS=true KAFKA_PARTITIONS=4
export FLINK_HOME_DIR="$CLUSTER/flink" FLINK_CLASSPATH_DIR="$ROOT/.tally/flink-classpath"
# Our own server, so that stopping it disturbs nobody; outside the checkout, which the postgres
# OS user may not be able to reach.
PG_HOME="$(mktemp -d "${TMPDIR:-/tmp}/tally-fault-suite-pg.XXXXXX")"
export PG_HOME_DIR="$PG_HOME" PG_PORT
# The members credential: the cluster's JVMs inherit it from `dev-cluster up` (SPEC §4.1).
export TALLY_CREDENTIAL_FAULT_SUITE="fault-suite-secret"
export TALLY_CREDENTIAL_FAULT_SUITE_ALLOWED_URLS="http://127.0.0.1:$MEMBERS_PORT/api/v2/"

say() { echo "fault-suite: $*" >&2; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1"; }
q() { psql "$(pg_url "$DB")" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
qq() { q "$1" 2>/dev/null || true; } # while the server may be down

MEMBERS_PID=""
JOB=""
RUN_PID="" # bin/tally run, in run-postgres-down
PRODUCERS=()
cleanup() {
  local rc=$?
  set +e
  for p in "${PRODUCERS[@]}"; do kill "$p" 2>/dev/null; done
  if ((KEEP)); then
    say "--keep: left running; stop with: $TALLY dev-cluster down ${DEV[*]}; kill $MEMBERS_PID;" \
      "PG_HOME_DIR=$PG_HOME PG_PORT=$PG_PORT scripts/postgres-standalone.sh down"
    exit "$rc"
  fi
  [[ -n "$JOB" ]] && curl -sf -X PATCH "$TALLY_FLINK_REST/jobs/$JOB?mode=cancel" >/dev/null 2>&1
  stop_local_run
  "$TALLY" dev-cluster down "${DEV[@]}" >/dev/null 2>&1
  [[ -n "$MEMBERS_PID" ]] && kill "$MEMBERS_PID" 2>/dev/null
  "$ROOT/scripts/postgres-standalone.sh" down >/dev/null 2>&1
  rm -rf "$PG_HOME"
  ((rc == 0)) && rm -rf "$DIR" # on failure the differences, logs and dumps stay
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in java psql curl jq kcat; do
  command -v "$tool" >/dev/null || { say "needs $tool"; exit 1; }
done
"$TALLY" --version >/dev/null # builds the jars on first use
for p in "$PG_PORT" "$KAFKA_PORT" "$FLINK_PORT" "$MEMBERS_PORT" "$RUN_REST_PORT"; do
  port_in_use "$p" && { say "port $p is taken (set FS_PG_PORT, FS_KAFKA_PORT, FS_FLINK_PORT, FS_MEMBERS_PORT, FS_RUN_REST_PORT)"; exit 1; }
done
rm -rf "$DIR"
mkdir -p "$DIR"
T_SUITE="$(now_ms)"

# ---- input, members API, PostgreSQL, cluster ---------------------------------------------------
CP="$ROOT/pipeline/target/tally-pipeline-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/pipeline/target/classpath.txt")"
# Compiled once: every phase of every case starts it again.
mkdir -p "$DIR/tool"
javac -nowarn -cp "$CP" -d "$DIR/tool" "$ROOT/scripts/fault-suite/FaultSuiteTool.java"
TOOL=(java -cp "$DIR/tool:$CP" FaultSuiteTool)
"${TOOL[@]}" generate --out "$DIR/input" --events "$EVENTS" --members-url "http://127.0.0.1:$MEMBERS_PORT"
# shellcheck disable=SC1091
. "$DIR/input/counts.env"
IN_TOTAL=$((N_A_CHAT + N_A_REVIEWS + N_A_MEMBERS + N_B_CHAT + N_B_REVIEWS + N_B_MEMBERS + N_C_CHAT + N_C_REVIEWS + N_C_MEMBERS))
JOBS_TOTAL=$((N_A_MEMBERS + 1 + N_C_MEMBERS)) # b's second line repeats a job of a

setsid "${TOOL[@]}" members-api --port "$MEMBERS_PORT" --secret "$TALLY_CREDENTIAL_FAULT_SUITE" \
  --audiences "$DIR/input/audiences.tsv" >"$DIR/members-api.log" 2>&1 </dev/null &
MEMBERS_PID=$!
"$ROOT/scripts/postgres-standalone.sh" up >/dev/null
t0="$(now_ms)"
if ! "$TALLY" dev-cluster up "${DEV[@]}" >/dev/null; then
  for f in "$CLUSTER"/kafka/kafka.out "$CLUSTER"/kafka/kafka.log "$CLUSTER"/flink/log/jobmanager.out "$CLUSTER"/flink/log/jobmanager.log; do
    [[ -s "$f" ]] && { echo "--- $f" >&2; grep -E 'ERROR|Exception|Caused by' "$f" | tail -n 10 >&2 || true; }
  done
  "$TALLY" dev-cluster down "${DEV[@]}" >&2 || true
  say "retrying dev-cluster up once"
  "$TALLY" dev-cluster up "${DEV[@]}" >/dev/null
fi
set -a
# shellcheck disable=SC1091
. "$CLUSTER/env"
set +a
until port_in_use "$MEMBERS_PORT"; do
  kill -0 "$MEMBERS_PID" 2>/dev/null || { cat "$DIR/members-api.log" >&2; say "the members API did not start"; exit 1; }
  sleep 0.3
done
say "cluster up in $(secs $(($(now_ms) - t0))) s ($TALLY_FLINK_REST, $TALLY_BOOTSTRAP_SERVERS, PostgreSQL 127.0.0.1:$PG_PORT);" \
  "input: $IN_TOTAL events (a: $N_A_CHAT chat, $N_A_REVIEWS reviews, $N_A_MEMBERS imports; b: $N_B_CHAT, $N_B_REVIEWS, $N_B_MEMBERS; c: $N_C_CHAT, $N_C_REVIEWS)"

# ---- the job --------------------------------------------------------------------------------------
REST="$TALLY_FLINK_REST" # the current job's: the session cluster's, or bin/tally run's own

# run-postgres-down runs the job as a user without a cluster does: `bin/tally run`, in the
# background, its embedded cluster's REST API on RUN_REST_PORT for the checks above.
start_local_run() {
  local t0
  REST="http://127.0.0.1:$RUN_REST_PORT"
  # shellcheck disable=SC2046
  "$TALLY" run $(job_args "$CASE") --parallelism 2 --state-dir "$DIR/$CASE/state" \
    --flink-conf "rest.bind-port=$RUN_REST_PORT" >"$DIR/$CASE/run.log" 2>&1 </dev/null &
  RUN_PID=$!
  t0="$(now_ms)"
  until JOB="$(curl -sf --max-time 3 "$REST/jobs/overview" 2>/dev/null | jq -r '.jobs[0].jid // empty')" && [[ -n "$JOB" ]]; do
    kill -0 "$RUN_PID" 2>/dev/null || { tail -n 20 "$DIR/$CASE/run.log" >&2; say "$CASE: bin/tally run exited"; return 1; }
    (($(now_ms) - t0 < 180000)) || { say "$CASE: bin/tally run started no job within 180 s"; return 1; }
    sleep 0.5
  done
}

stop_local_run() {
  [[ -n "$RUN_PID" ]] || return 0
  kill "$RUN_PID" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$RUN_PID" 2>/dev/null
  wait "$RUN_PID" 2>/dev/null
  RUN_PID=""
  REST="$TALLY_FLINK_REST"
}
job_args() { # case
  local tp="fs-$1"
  echo --bootstrap-servers "$TALLY_BOOTSTRAP_SERVERS" --jdbc-url "jdbc:postgresql://127.0.0.1:$PG_PORT/$DB?user=postgres" \
    --topic-chat "$tp-chat" --topic-reviews "$tp-reviews" --topic-members "$tp-members" \
    --topic-dead-letters "$tp-dead-letters" --topic-alerts "$tp-alerts" --group-id "$tp" \
    --retention-days 30 --checkpoint-interval "${CKPT}s" --idleness "${IDLENESS}s"
}

# True when the job is RUNNING with every task RUNNING (a job is RUNNING while its tasks restart).
job_running() {
  curl -sf --max-time 3 "$REST/jobs/$JOB" 2>/dev/null |
    jq -e '.state == "RUNNING" and ([.vertices[].status] | all(. == "RUNNING"))' >/dev/null 2>&1
}
# Two failures close together (late-after-restore fails chat and reviews at once) can share one
# entry of the history, the second among its concurrentExceptions: both count.
job_failures() { # how many failures the job's exception history holds
  curl -sf --max-time 3 "$REST/jobs/$JOB/exceptions?maxExceptions=100" 2>/dev/null |
    jq '[.exceptionHistory.entries[] | 1 + (.concurrentExceptions // [] | length)] | add // 0' 2>/dev/null || echo 0
}

# The topic's end offsets summed over its partitions: what has been produced so far.
produced() { # topic
  local args=() p
  for p in 0 1 2 3; do args+=(-t "$1:$p:-1"); done
  local out
  out="$(kcat -b "$TALLY_BOOTSTRAP_SERVERS" -m 5 -Q "${args[@]}" 2>/dev/null)" || return 1
  [[ "$(grep -c offset <<<"$out")" == 4 ]] || return 1
  awk '/offset/ { s += $NF } END { print s + 0 }' <<<"$out"
}

records_in() { # pipeline
  local v
  v="$(qq "SELECT records_in FROM pipeline_status WHERE pipeline = '$1'")"
  echo "${v:-0}"
}

# One phase's files, all three topics from one process (FaultSuiteTool produce: keyed and with
# the idempotent producer of `bin/tally produce`), in the background; its pid goes to PRODUCERS.
produce() { # phase [chat-lines-per-second]
  local tp="fs-$CASE"
  "${TOOL[@]}" produce --in "$DIR/input" --phase "$1" --bootstrap-servers "$TALLY_BOOTSTRAP_SERVERS" \
    --topics "chat=$tp-chat,reviews=$tp-reviews,members=$tp-members" ${2:+--rate "$2"} >"$DIR/$CASE/produce-$1.log" 2>&1 &
  PRODUCERS+=($!)
}

wait_producers() {
  local p rc=0
  for p in "${PRODUCERS[@]}"; do wait "$p" || rc=1; done
  PRODUCERS=()
  ((rc == 0)) || { tail -n 3 "$DIR/$CASE"/produce-*.log >&2; say "$CASE: a producer failed (above)"; return 1; }
}

# Waits until each pipeline has read what was produced for it, and every import job has finished.
wait_consumed() { # chat reviews members timeout-s
  local t0 c r m j
  t0="$(now_ms)"
  while :; do
    c="$(records_in chat)" r="$(records_in reviews)" m="$(records_in members)"
    j="$(qq "SELECT count(*) FROM import_jobs WHERE status IN ('completed', 'failed')")"
    [[ "$c" == "$1" && "$r" == "$2" && "$m" == "$3" && "${j:-0}" -ge "$JOBS_DONE" ]] && return 0
    if (($(now_ms) - t0 > $4 * 1000)); then
      say "$CASE: waited $4 s: records_in chat $c/$1, reviews $r/$2, members $m/$3; imports finished ${j:-?}/$JOBS_DONE"
      return 1
    fi
    sleep 0.5
  done
}

# Recovery, called when the fault's action is over (the server is back, the new TaskManager has
# registered, the job was resubmitted…): from HEAL_MS until the job is RUNNING and each pipeline
# has read everything produced by now, in a status row written from now on (a restored job's lower
# counts are not written over the crashed run's higher ones, SPEC §1.8, so an old row cannot pass
# for a new one).
wait_caught_up() { # timeout-s
  local t c after target_c target_r target_m
  after="$(now_ms)"
  # Right after a broker restart kcat may not get metadata yet.
  until target_c="$(produced "fs-$CASE-chat")" && target_r="$(produced "fs-$CASE-reviews")" &&
    target_m="$(produced "fs-$CASE-members")"; do
    (($(now_ms) - after < 60000)) || { say "$CASE: cannot read the topics' end offsets"; return 1; }
    sleep 0.5
  done
  while :; do
    t="$(now_ms)"
    if job_running; then
      c="$(qq "SELECT count(*) FROM pipeline_status WHERE updated_at >= to_timestamp($after / 1000.0) AND
               records_in >= CASE pipeline WHEN 'chat' THEN $target_c WHEN 'reviews' THEN $target_r ELSE $target_m END")"
      [[ "${c:-0}" == 3 ]] && { REC_MS=$((t - HEAL_MS)); return 0; }
    fi
    if ((t - HEAL_MS > $1 * 1000)); then
      say "$CASE: not caught up $1 s after the fault ended (targets chat $target_c, reviews $target_r, members $target_m;" \
        "now $(records_in chat), $(records_in reviews), $(records_in members))"
      return 1
    fi
    sleep 0.3
  done
}

wait_checkpoint() { # one completed after now (+1 s)
  local t0 at
  t0="$(now_ms)"
  while :; do
    at="$(curl -sf --max-time 3 "$REST/jobs/$JOB/checkpoints" | jq '.latest.completed.trigger_timestamp // 0' 2>/dev/null || echo 0)"
    ((at > t0 + 1000)) && return 0
    (($(now_ms) - t0 < 120000)) || { say "$CASE: no checkpoint completed within 120 s"; return 1; }
    sleep 0.5
  done
}

# After phase c: the final watermark (T_END − 5 s bound) has reached the status operators, and
# no cache table has changed for 2 s.
wait_settled() { # timeout-s
  local t0 last="" now stable=0
  t0="$(now_ms)"
  while :; do
    now="$(qq "SELECT (SELECT count(*) FROM pipeline_status
                         WHERE extract(epoch FROM watermark) * 1000 >= $T_END_MS - 5001)
               || ' ' || (SELECT string_agg(table_name || records || coalesce(last_update::text, ''), ',' ORDER BY table_name)
                            FROM cache_freshness)")"
    if [[ "$now" == 3\ * && "$now" == "$last" ]]; then
      stable=$((stable + 1))
      ((stable >= 4)) && return 0
    else
      stable=0
    fi
    last="$now"
    (($(now_ms) - t0 < $1 * 1000)) || { say "$CASE: tables did not settle within $1 s"; return 1; }
    sleep 0.5
  done
}

# ---- faults ----------------------------------------------------------------------------------------
# Each sets FAULT_MS (how long the fault lasted) and HEAL_MS (from when recovery is measured).

# A trigger that fails the next write into a table once per arming (a sequence is not rolled back
# with the failed transaction, so each arming costs exactly one failure). SQLSTATE XX000 is neither
# transient nor a data error, so the sink fails the task and Flink restores the pipeline's region.
install_failure_triggers() {
  q "CREATE FUNCTION fault_suite_fail() RETURNS trigger LANGUAGE plpgsql AS \$\$
     BEGIN
       IF nextval(TG_ARGV[0]::regclass) = 1 THEN
         RAISE EXCEPTION 'fault suite: injected failure writing %', TG_TABLE_NAME USING ERRCODE = 'XX000';
       END IF;
       RETURN NEW;
     END \$\$;
     CREATE SEQUENCE fault_suite_chat START 100;
     CREATE SEQUENCE fault_suite_reviews START 100;
     CREATE SEQUENCE fault_suite_status_chat START 100;
     CREATE SEQUENCE fault_suite_status_reviews START 100;
     CREATE SEQUENCE fault_suite_status_members START 100;
     CREATE TRIGGER fault_suite_fail BEFORE INSERT OR UPDATE ON user_stats
       FOR EACH ROW EXECUTE FUNCTION fault_suite_fail('fault_suite_chat');
     CREATE TRIGGER fault_suite_fail BEFORE INSERT OR UPDATE ON leaderboard_scores
       FOR EACH ROW EXECUTE FUNCTION fault_suite_fail('fault_suite_reviews');
     CREATE TRIGGER fault_suite_fail_chat BEFORE INSERT OR UPDATE ON pipeline_status_counts
       FOR EACH ROW WHEN (NEW.pipeline = 'chat') EXECUTE FUNCTION fault_suite_fail('fault_suite_status_chat');
     CREATE TRIGGER fault_suite_fail_reviews BEFORE INSERT OR UPDATE ON pipeline_status_counts
       FOR EACH ROW WHEN (NEW.pipeline = 'reviews') EXECUTE FUNCTION fault_suite_fail('fault_suite_status_reviews');
     CREATE TRIGGER fault_suite_fail_members BEFORE INSERT OR UPDATE ON pipeline_status_counts
       FOR EACH ROW WHEN (NEW.pipeline = 'members') EXECUTE FUNCTION fault_suite_fail('fault_suite_status_members');" >/dev/null
}

# Fails one write of a pipeline: arms the trigger on its busiest table and on its status row
# (written at least every 5 s, so something fails even when its input has all been read), waits
# for the first to fire and disarms the other.
fail_pipeline() { # chat|reviews|members
  local seqs=("fault_suite_status_$1") s t0
  [[ "$1" == members ]] || seqs+=("fault_suite_$1")
  for s in "${seqs[@]}"; do q "SELECT setval('$s', 1, false)" >/dev/null || return 1; done
  t0="$(now_ms)"
  until [[ "$(q "SELECT bool_or(is_called) FROM (SELECT is_called FROM ${seqs[0]}
                 ${seqs[1]:+UNION ALL SELECT is_called FROM ${seqs[1]}}) s")" == t ]]; do
    (($(now_ms) - t0 < 60000)) || { say "$CASE: the armed failure of $1 never fired"; return 1; }
    sleep 0.2
  done
  for s in "${seqs[@]}"; do q "SELECT setval('$s', 100, true) FROM $s WHERE NOT is_called" >/dev/null || return 1; done
}

await_chat_progress() { # fraction of phase a read by the chat pipeline (percent)
  local want=$((N_A_CHAT * $1 / 100)) t0
  t0="$(now_ms)"
  until (($(records_in chat) >= want)); do
    (($(now_ms) - t0 < 600000)) || { say "$CASE: chat never reached $1 % of phase a"; return 1; }
    sleep 0.2
  done
}

fault_job-failures() {
  local t0
  t0="$(now_ms)"
  fail_pipeline chat || return 1
  await_chat_progress 50 || return 1
  fail_pipeline reviews || return 1
  fail_pipeline members || return 1
  await_chat_progress 70 || return 1
  fail_pipeline chat || return 1
  HEAL_MS="$(now_ms)" HEAL_WHAT="the last injected failure"
  FAULT_MS=0
  FAILURES="$(job_failures)"
  say "$CASE: $FAILURES task failures injected over $(secs $((HEAL_MS - t0))) s"
}

fault_postgres-down() {
  local t0
  t0="$(now_ms)"
  "$ROOT/scripts/postgres-standalone.sh" down >/dev/null 2>&1 || return 1
  sleep "$PG_OUTAGE"
  job_running || say "$CASE: WARNING the job is not RUNNING while PostgreSQL is down"
  "$ROOT/scripts/postgres-standalone.sh" up >/dev/null 2>&1 || return 1
  HEAL_MS="$(now_ms)" HEAL_WHAT="the server was back"
  FAULT_MS=$((HEAL_MS - t0))
}

fault_kafka-restart() {
  local t0
  t0="$(now_ms)"
  "$ROOT/scripts/kafka-standalone.sh" kill 2>/dev/null || return 1
  sleep "$KAFKA_DOWN"
  "$ROOT/scripts/kafka-standalone.sh" start >/dev/null 2>&1 || return 1
  HEAL_MS="$(now_ms)" HEAL_WHAT="the broker was back"
  FAULT_MS=$((HEAL_MS - t0))
}

# Issue 9's "done when": the job of `bin/tally run` rides through PostgreSQL stopped for a minute
# (the sink waits and retries for up to sink-retry-timeout, 5 min) — it must not even restart.
fault_run-postgres-down() {
  local t0 before
  before="$(job_failures)"
  t0="$(now_ms)"
  "$ROOT/scripts/postgres-standalone.sh" down >/dev/null 2>&1 || return 1
  sleep "$RUN_PG_OUTAGE"
  kill -0 "$RUN_PID" 2>/dev/null || { tail -n 20 "$DIR/$CASE/run.log" >&2; say "$CASE: bin/tally run exited while PostgreSQL was down"; return 1; }
  "$ROOT/scripts/postgres-standalone.sh" up >/dev/null 2>&1 || return 1
  HEAL_MS="$(now_ms)" HEAL_WHAT="the server was back"
  FAULT_MS=$((HEAL_MS - t0))
  if (($(job_failures) > before)); then
    say "$CASE: the job failed while PostgreSQL was down ($(job_failures) failures); it must ride the outage through"
    return 1
  fi
}

# The same, down for longer than the sources' idleness timeout: every split goes idle.
fault_kafka-outage() {
  local t0
  t0="$(now_ms)"
  "$ROOT/scripts/kafka-standalone.sh" kill 2>/dev/null || return 1
  sleep "$KAFKA_OUTAGE"
  "$ROOT/scripts/kafka-standalone.sh" start >/dev/null 2>&1 || return 1
  HEAL_MS="$(now_ms)" HEAL_WHAT="the broker was back"
  FAULT_MS=$((HEAL_MS - t0))
}

fault_taskmanager-killed() {
  local t0
  t0="$(now_ms)"
  "$ROOT/scripts/flink-standalone.sh" kill-taskmanager 2>/dev/null || return 1
  # A supervisor would start a new one at once; recovery counts from the kill.
  "$ROOT/scripts/flink-standalone.sh" start-taskmanager 2>/dev/null || return 1
  HEAL_MS="$t0" HEAL_WHAT="the kill"
  FAULT_MS=$(($(now_ms) - t0))
}

fault_savepoint-rescale() {
  local t0 sp
  t0="$(now_ms)"
  sp="$("$TALLY" stop "$JOB")" || return 1
  # shellcheck disable=SC2046
  JOB="$("$TALLY" submit $(job_args "$CASE") --savepoint "$sp" --parallelism 1)" || return 1
  HEAL_MS="$t0" HEAL_WHAT="the stop began"
  FAULT_MS=$(($(now_ms) - t0))
  say "$CASE: stopped with a savepoint, resumed at parallelism 1 as job $JOB"
}

# Between phases a and b: the job fails (status rows, written every 5 s even without input) and
# restores from its last checkpoint, and only then do b's too-late messages arrive — the restored
# job has not seen a watermark from every partition yet (SPEC §1.5, issue 9).
fault_late-after-restore() {
  local t0 before
  before="$(job_failures)"
  t0="$(now_ms)"
  fail_pipeline chat || return 1
  fail_pipeline reviews || return 1
  until (($(job_failures) >= before + 2)) && job_running; do
    (($(now_ms) - t0 < 300000)) || { say "$CASE: the job did not come back within 300 s"; return 1; }
    sleep 0.2
  done
  HEAL_MS="$t0" HEAL_WHAT="the failure was injected"
  FAULT_MS=$(($(now_ms) - t0))
}

# ---- one case ----------------------------------------------------------------------------------------
declare -A RESULT_IN RESULT_ROWS RESULT_DIFF RESULT_FAULT RESULT_REC
FAILED=0

# Every step ends the case on failure (`|| return 1`: set -e does not apply inside `if ! run_case`).
run_case() { # name
  CASE=$1
  DB="fs_${CASE//-/_}"
  mkdir -p "$DIR/$CASE"
  local t0
  t0="$(now_ms)"
  psql "$(pg_url postgres)" -XAtq -c "CREATE DATABASE $DB" >/dev/null || return 1
  if [[ "$CASE" == run-postgres-down ]]; then
    start_local_run || return 1
  else
    # shellcheck disable=SC2046
    JOB="$("$TALLY" submit $(job_args "$CASE") --parallelism 2)" || return 1
  fi
  if [[ "$CASE" == job-failures || "$CASE" == late-after-restore ]]; then
    install_failure_triggers || return 1
  fi
  HEAL_MS="" FAULT_MS="" REC_MS=""
  say "$CASE: job $JOB; streaming phase a at $RATE chat lines/s"

  JOBS_DONE=$N_A_MEMBERS
  produce a "$RATE"
  if [[ "$CASE" != none && "$CASE" != late-after-restore ]]; then
    await_chat_progress 30 || return 1
    say "$CASE: injecting the fault at $(records_in chat)/$N_A_CHAT chat messages read"
    "fault_$CASE" || return 1
    wait_caught_up 600 || return 1
    say "$CASE: the fault lasted $(secs "$FAULT_MS") s; RUNNING and caught up $(secs "$REC_MS") s after $HEAL_WHAT"
  fi
  wait_producers || return 1
  wait_consumed "$N_A_CHAT" "$N_A_REVIEWS" "$N_A_MEMBERS" 600 || return 1
  say "$CASE: phase a read at $(secs $(($(now_ms) - t0))) s"
  # A checkpoint takes the watermark of all of a before b comes (for every case alike).
  wait_checkpoint || return 1
  if [[ "$CASE" == late-after-restore ]]; then
    fault_late-after-restore || return 1
    wait_caught_up 300 || return 1
    say "$CASE: failed and restored in $(secs "$FAULT_MS") s; now the late input"
  fi
  # c only has to follow b in every partition, which one producer sending b, then c, does.
  JOBS_DONE=$JOBS_TOTAL
  produce b,c
  wait_producers || return 1
  wait_consumed $((N_A_CHAT + N_B_CHAT + N_C_CHAT)) $((N_A_REVIEWS + N_B_REVIEWS + N_C_REVIEWS)) \
    $((N_A_MEMBERS + N_B_MEMBERS + N_C_MEMBERS)) 600 || return 1
  say "$CASE: phases b and c read at $(secs $(($(now_ms) - t0))) s"
  wait_settled 120 || return 1
  if [[ -n "$RUN_PID" ]]; then
    (($(job_failures) == 0)) || { say "$CASE: the job of bin/tally run failed $(job_failures) time(s)"; return 1; }
    stop_local_run
  else
    curl -sf -X PATCH "$TALLY_FLINK_REST/jobs/$JOB?mode=cancel" >/dev/null || true
  fi
  JOB=""
  dump "$DB" "$DIR/$CASE/tables" || return 1
  RESULT_IN[$CASE]=$IN_TOTAL
  RESULT_FAULT[$CASE]="${FAULT_MS:+$(secs "$FAULT_MS")}"
  RESULT_REC[$CASE]="${REC_MS:+$(secs "$REC_MS")}"
  [[ "$CASE" == none ]] || compare "$CASE"
  say "$CASE: done in $(secs $(($(now_ms) - t0))) s"
}

# Columns not compared, each because a failure-free run cannot reproduce it either:
#   updated_at (every table)           wall-clock time of the write (DEFAULT now())
#   pipeline_status_counts.last_flush_at   wall-clock time the status row was emitted
#   import_jobs.started_at, completed_at, completed_date   wall clock: an import is I/O (README)
#   email_contacts.created_at          DEFAULT now()
#   rejected_rows.rejected_at          wall clock
#   r4r_alerts.id                      BIGSERIAL: a replayed insert that ON CONFLICT DO NOTHING skips
#                                      still takes a number; the key is (userkey, at, to_level)
# flyway_schema_history is Flyway's own (install times).
EXCLUDED="'pipeline_status_counts.last_flush_at','import_jobs.started_at','import_jobs.completed_at',\
'import_jobs.completed_date','email_contacts.created_at','rejected_rows.rejected_at','r4r_alerts.id'"

dump() { # database dir — every base table as sorted text, one file per table, in one session
  local db=$1 out=$2
  mkdir -p "$out"
  psql "$(pg_url "$db")" -XAtq -v ON_ERROR_STOP=1 -c "
    SELECT format('\\copy (SELECT %s FROM %I) TO PROGRAM %L',
                  string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position), c.table_name,
                  'LC_ALL=C sort > $out/' || c.table_name || '.tsv')
      FROM information_schema.columns c
      JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'flyway_schema_history'
       AND c.column_name <> 'updated_at' AND c.table_name || '.' || c.column_name NOT IN ($EXCLUDED)
     GROUP BY c.table_name ORDER BY c.table_name" >"$out.sql" || return 1
  psql "$(pg_url "$db")" -Xq -v ON_ERROR_STOP=1 -f "$out.sql" >/dev/null
}

compare() { # case
  local ref="$DIR/none/tables" got="$DIR/$1/tables" f t rows=0 diff=0 n d
  for f in "$ref"/*.tsv; do
    t="$(basename "$f" .tsv)"
    [[ -f "$got/$t.tsv" ]] || { say "$1: table $t missing"; diff=$((diff + $(wc -l <"$f"))); continue; }
    n=$(wc -l <"$f")
    rows=$((rows + n))
    d=$(LC_ALL=C comm -3 "$f" "$got/$t.tsv" | wc -l)
    if ((d > 0)); then
      diff=$((diff + d))
      {
        echo "--- $t: only in the failure-free run (<) / only after $1 (>)"
        LC_ALL=C comm -23 "$f" "$got/$t.tsv" | sed 's/^/< /'
        LC_ALL=C comm -13 "$f" "$got/$t.tsv" | sed 's/^/> /'
      } >>"$DIR/$1/differences.txt"
      say "$1: $t: $d row(s) differ of $n"
    fi
  done
  RESULT_ROWS[$1]=$rows
  RESULT_DIFF[$1]=$diff
  if ((diff > 0)); then
    FAILED=1
    say "$1: $diff row(s) differ; first lines of $DIR/$1/differences.txt:"
    head -n 20 "$DIR/$1/differences.txt" >&2
  fi
}

# The failure-free run must show the cases it is the reference for.
check_reference() {
  DB=fs_none
  local c
  c="$(q "SELECT (SELECT late_dropped FROM pipeline_status WHERE pipeline = 'chat') || ' too-late, '
           || (SELECT count(*) FROM user_daily_activity) || ' day rows, '
           || (SELECT count(*) FROM chat_achievements) || ' awards, '
           || (SELECT count(*) FROM r4r_alerts) || ' alerts, '
           || (SELECT count(*) FROM leaderboard_scores) || ' leaderboard rows, '
           || (SELECT count(*) FROM import_jobs WHERE status = 'completed') || ' imports, '
           || (SELECT count(*) FROM email_contacts) || ' contacts'")"
  say "failure-free run: $c"
  [[ "$c" != 0\ * ]] || { say "the reference dropped nothing as too-late: the late case tests nothing"; exit 1; }
}

run_case none || { say "the failure-free run did not finish"; exit 1; }
RESULT_ROWS[none]=$(cat "$DIR"/none/tables/*.tsv | wc -l)
check_reference
for c in "${CASES[@]}"; do
  if ! run_case "$c"; then
    FAILED=1
    RESULT_IN[$c]=$IN_TOTAL RESULT_ROWS[$c]="-" RESULT_DIFF[$c]="did not finish"
    for p in "${PRODUCERS[@]}"; do kill "$p" 2>/dev/null || true; done
    PRODUCERS=()
    [[ -n "$JOB" && -z "$RUN_PID" ]] && { curl -sf -X PATCH "$TALLY_FLINK_REST/jobs/$JOB?mode=cancel" >/dev/null 2>&1 || true; }
    stop_local_run
    JOB=""
    # What a case may have left down, for the next one.
    "$ROOT/scripts/postgres-standalone.sh" status >/dev/null 2>&1 || "$ROOT/scripts/postgres-standalone.sh" up >/dev/null 2>&1 || true
    "$ROOT/scripts/kafka-standalone.sh" status >/dev/null 2>&1 || "$ROOT/scripts/kafka-standalone.sh" start >/dev/null 2>&1 || true
    if ! "$ROOT/scripts/flink-standalone.sh" status >/dev/null 2>&1 ||
      [[ "$(curl -sf "$TALLY_FLINK_REST/overview" | jq '."slots-available"')" == 0 ]]; then
      "$ROOT/scripts/flink-standalone.sh" start-taskmanager >/dev/null 2>&1 || true
    fi
  fi
done

table() {
  echo "| fault | events in | rows compared | rows that differ | fault lasted s | recovery s |"
  echo "|---|---|---|---|---|---|"
  echo "| none (the failure-free reference) | ${RESULT_IN[none]} | ${RESULT_ROWS[none]} | — | — | — |"
  for c in "${CASES[@]}"; do
    echo "| $c | ${RESULT_IN[$c]:-} | ${RESULT_ROWS[$c]:-} | ${RESULT_DIFF[$c]:-} | ${RESULT_FAULT[$c]:-} | ${RESULT_REC[$c]:-} |"
  done
}
echo
table
total="$(secs $(($(now_ms) - T_SUITE)))"
echo
echo "whole suite: $total s ($EVENTS events in phase a, $RATE chat lines/s, PostgreSQL down $PG_OUTAGE s)"
if [[ -n "$REPORT" ]]; then
  {
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sm); \`$COMMAND\` (whole suite $total s)"
    echo
    table
  } >"$REPORT"
fi
((FAILED == 0)) || say "FAILED: rows differ or a case did not finish; files in $DIR"
((FAILED == 0))
