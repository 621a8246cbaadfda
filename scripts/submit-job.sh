#!/usr/bin/env bash
# submit-job.sh — submit a job jar to a Flink session cluster through its REST API and wait until
# every task of the job is RUNNING (a job shows RUNNING while its tasks still wait for slots).
#
#   scripts/submit-job.sh [OPTIONS] JAR -- PROGRAM-ARGS...
#
# Options (before JAR):
#   --rest URL              the cluster (default: what scripts/flink-standalone.sh started, from
#                           .tally/flink/run/rest.url, else http://localhost:8081)
#   --savepoint PATH        start from this savepoint or retained checkpoint
#   --allow-non-restored    with --savepoint: skip state that no operator claims
#   --entry-class CLASS     default: the jar manifest's Main-Class
#   --parallelism N         default: what the program sets, else the cluster's default
#   --timeout SECONDS       how long to wait for RUNNING tasks (default 120)
#
# Prints the job id alone on stdout (progress and errors go to stderr), so
# JOB=$(scripts/submit-job.sh target/job.jar -- --flag value) works. Exit 0 when all tasks run,
# 1 when the submission or the job failed (with the cause), 2 on bad usage.
# The program arguments travel as `programArgsList` (the older `programArgs` string is ignored by
# Flink 2.x).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "submit-job: $*" >&2; exit 1; }
usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}
say() { echo "submit-job: $*" >&2; }
now_ms() { date +%s%3N; }

REST=""
SAVEPOINT=""
ALLOW_NON_RESTORED=false
ENTRY_CLASS=""
PARALLELISM=""
TIMEOUT=120
JAR=""
while (($#)); do
  case "$1" in
    --rest) REST="${2:?--rest needs a URL}"; shift 2 ;;
    --savepoint) SAVEPOINT="${2:?--savepoint needs a path}"; shift 2 ;;
    --allow-non-restored) ALLOW_NON_RESTORED=true; shift ;;
    --entry-class) ENTRY_CLASS="${2:?--entry-class needs a class name}"; shift 2 ;;
    --parallelism) PARALLELISM="${2:?--parallelism needs a number}"; shift 2 ;;
    --timeout) TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) echo "submit-job: unknown option $1" >&2; usage ;;
    *)
      [[ -z "$JAR" ]] || { echo "submit-job: one jar only; program arguments go after --" >&2; usage; }
      JAR="$1"
      shift
      ;;
  esac
done
PROGRAM_ARGS=("$@")
[[ -n "$JAR" ]] || { echo "submit-job: no jar given" >&2; usage; }
[[ -f "$JAR" ]] || die "no such jar: $JAR"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds, not $TIMEOUT"
[[ -z "$PARALLELISM" || "$PARALLELISM" =~ ^[1-9][0-9]*$ ]] || die "--parallelism must be a positive number"
command -v curl >/dev/null || die "curl is needed"
command -v jq >/dev/null || die "jq is needed"

if [[ -z "$REST" ]]; then
  if [[ -f "$ROOT/.tally/flink/run/rest.url" ]]; then
    REST="$(cat "$ROOT/.tally/flink/run/rest.url")"
  else
    REST="http://localhost:8081"
  fi
fi
REST="${REST%/}"

overview="$(curl -sf --max-time 5 "$REST/overview")" ||
  die "no Flink REST API answers at $REST (start one with scripts/flink-standalone.sh up, or pass --rest; its logs are in .tally/flink/log)"
slots="$(jq -r '."slots-total"' <<<"$overview")"
((slots > 0)) || die "the cluster at $REST has no TaskManager slots yet"

# Flink's error replies are {"errors": [..., "<stack trace>"]}: print the message and causes only.
# The two innermost causes say what happened; the whole trace is in the JobManager log.
print_errors() { # json
  local text causes
  text="$(jq -r '.errors[]? // empty' <<<"$1")"
  causes="$(grep -E '^Caused by: ' <<<"$text" | tail -2 || true)"
  if [[ -n "$causes" ]]; then
    echo "$causes" >&2
  else
    grep -vE '^\s*at |^\s*\.\.\. [0-9]+ more' <<<"$text" | head -5 >&2 || true
  fi
}

# ---- upload -------------------------------------------------------------------------------------------
t0="$(now_ms)"
reply="$(curl -sS --max-time 120 -X POST -H 'Expect:' -F "jarfile=@$JAR" "$REST/jars/upload")" ||
  die "uploading $JAR to $REST failed"
[[ "$(jq -r '.status // empty' <<<"$reply")" == success ]] || { print_errors "$reply"; die "the upload was refused: $reply"; }
jar_id="$(basename "$(jq -r .filename <<<"$reply")")"
say "uploaded $(basename "$JAR") as $jar_id in $(($(now_ms) - t0))ms"

# ---- run ----------------------------------------------------------------------------------------------
request="$(jq -n \
  --arg entry "$ENTRY_CLASS" --arg par "$PARALLELISM" --arg sp "$SAVEPOINT" \
  --argjson allow "$ALLOW_NON_RESTORED" \
  '{programArgsList: $ARGS.positional}
   + (if $entry != "" then {entryClass: $entry} else {} end)
   + (if $par != "" then {parallelism: ($par | tonumber)} else {} end)
   + (if $sp != "" then {savepointPath: $sp, allowNonRestoredState: $allow} else {} end)' \
  --args -- "${PROGRAM_ARGS[@]}")"
t1="$(now_ms)"
reply="$(curl -sS --max-time 300 -X POST -H 'Content-Type: application/json' -d "$request" \
  "$REST/jars/$jar_id/run")" || die "the run request to $REST failed"
job="$(jq -r '.jobid // empty' <<<"$reply")"
# The running job has its own copy in the blob store; uploads would pile up (40 MB each).
curl -sf --max-time 10 -X DELETE "$REST/jars/$jar_id" >/dev/null || true
if [[ -z "$job" ]]; then
  print_errors "$reply"
  die "the cluster did not start the job (cause above; the whole trace is in the JobManager log)"
fi
say "job $job submitted in $(($(now_ms) - t1))ms${SAVEPOINT:+ from $SAVEPOINT}"
echo "$job"

# ---- wait for all tasks RUNNING -------------------------------------------------------------------------
print_failure() {
  local ex
  ex="$(curl -sf --max-time 5 "$REST/jobs/$job/exceptions?maxExceptions=3")" || return 0
  jq -r '.exceptionHistory.entries[0] // empty
         | "\(.exceptionName): \(.taskName // "job") on \(.endpoint // .location // "?")\n\(.stacktrace)"' <<<"$ex" |
    grep -vE '^\s+at |^\s+\.\.\. [0-9]+ more' | awk '!seen[$0]++' | head -25 >&2 || true
}

deadline=$(($(now_ms) + TIMEOUT * 1000))
last=""
while :; do
  details="$(curl -sf --max-time 5 "$REST/jobs/$job")" || die "cannot read job $job from $REST"
  state="$(jq -r .state <<<"$details")"
  # Tasks per state over all vertices, e.g. "RUNNING=6" or "DEPLOYING=2 RUNNING=4".
  tasks="$(jq -r '[.vertices[].tasks | to_entries[] | select(.value > 0)]
                  | group_by(.key) | map("\(.[0].key)=\(map(.value) | add)") | join(" ")' <<<"$details")"
  total="$(jq -r '[.vertices[].parallelism] | add // 0' <<<"$details")"
  running="$(jq -r '[.vertices[].tasks.RUNNING // 0] | add // 0' <<<"$details")"
  if [[ "$state $tasks" != "$last" ]]; then
    say "job $state, tasks: ${tasks:-none yet}"
    # A restart is worth its cause even if the job recovers.
    [[ "$state" == RESTARTING || "$state" == FAILING ]] && print_failure
    last="$state $tasks"
  fi
  case "$state" in
    FAILED | CANCELED | CANCELLING | FINISHED | SUSPENDED)
      print_failure
      die "job $job is $state instead of running"
      ;;
  esac
  if [[ "$state" == RUNNING ]] && ((total > 0 && running == total)); then
    say "all $total tasks RUNNING $(($(now_ms) - t1))ms after the run request"
    exit 0
  fi
  if (($(now_ms) > deadline)); then
    print_failure
    # The usual reason: more parallel subtasks in one slot-sharing group than the cluster has slots.
    need="$(jq -r '[.vertices[].parallelism] | max // 0' <<<"$details")"
    if ((need > slots)); then
      say "the job needs $need slots (its highest parallelism), the cluster has $slots"
    fi
    say "it is left as it is; cancel it with: curl -X PATCH '$REST/jobs/$job?mode=cancel'"
    die "job $job: not all tasks RUNNING after ${TIMEOUT}s ($state, ${tasks:-no tasks})"
  fi
  sleep 0.5
done
