#!/usr/bin/env bash
# stop-job.sh — stop a running Flink job with a savepoint through the REST API
# (POST /jobs/<id>/stop), wait for it, and print the savepoint path alone on stdout, ready for
# `scripts/submit-job.sh --savepoint PATH`.
#
#   scripts/stop-job.sh [--rest URL] [--dir SAVEPOINT-DIR] [--drain] [--timeout SECONDS] JOB-ID
#
#   --rest URL      default: .tally/flink/run/rest.url (scripts/flink-standalone.sh), else :8081
#   --dir DIR       where the savepoint goes (default: the cluster's
#                   execution.checkpointing.savepoint-dir)
#   --drain         advance event time to the end first (fires all timers; for a final stop only)
#   --timeout S     default 120
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "stop-job: $*" >&2; exit 1; }
usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}
now_ms() { date +%s%3N; }

REST=""
DIR=""
DRAIN=false
TIMEOUT=120
JOB=""
while (($#)); do
  case "$1" in
    --rest) REST="${2:?--rest needs a URL}"; shift 2 ;;
    --dir) DIR="${2:?--dir needs a directory}"; shift 2 ;;
    --drain) DRAIN=true; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "stop-job: unknown option $1" >&2; usage ;;
    *) [[ -z "$JOB" ]] || usage; JOB="$1"; shift ;;
  esac
done
[[ "$JOB" =~ ^[0-9a-f]{32}$ ]] || { echo "stop-job: give the 32-hex-digit job id" >&2; usage; }
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
if [[ -z "$REST" ]]; then
  REST="$(cat "$ROOT/.tally/flink/run/rest.url" 2>/dev/null || echo http://localhost:8081)"
fi
REST="${REST%/}"

state="$(curl -sf --max-time 5 "$REST/jobs/$JOB" | jq -r .state)" || die "no job $JOB at $REST"
[[ "$state" == RUNNING ]] || die "job $JOB is $state, not RUNNING"

t0="$(now_ms)"
body="$(jq -n --arg dir "$DIR" --argjson drain "$DRAIN" \
  '{drain: $drain} + (if $dir != "" then {targetDirectory: $dir} else {} end)')"
reply="$(curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' -d "$body" "$REST/jobs/$JOB/stop")"
trigger="$(jq -r '."request-id" // empty' <<<"$reply")"
[[ -n "$trigger" ]] || die "the stop request was refused: $(jq -r '.errors[0]? // .' <<<"$reply" | head -3)"

while :; do
  status="$(curl -sf --max-time 5 "$REST/jobs/$JOB/savepoints/$trigger")" || die "cannot read the savepoint status"
  if [[ "$(jq -r .status.id <<<"$status")" == COMPLETED ]]; then
    location="$(jq -r '.operation.location // empty' <<<"$status")"
    if [[ -z "$location" ]]; then
      jq -r '.operation."failure-cause".stacktrace // .operation' <<<"$status" |
        grep -vE '^\s+at |^\s+\.\.\. [0-9]+ more' | head -15 >&2
      die "stop-with-savepoint of $JOB failed (the job keeps running)"
    fi
    break
  fi
  (($(now_ms) - t0 < TIMEOUT * 1000)) || die "no savepoint after ${TIMEOUT}s"
  sleep 0.2
done
echo "stop-job: job $JOB stopped with a savepoint in $(($(now_ms) - t0))ms" >&2
echo "$location"
