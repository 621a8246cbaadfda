#!/usr/bin/env bash
# Entrypoint of the Tally Flink image: the official /docker-entrypoint.sh, plus automatic resume.
#
# Without high availability, a restarted application-mode JobManager submits the job with empty
# state, and the Kafka sources then continue from the committed offsets: every running total in the
# cache tables would silently restart from zero. So for `standalone-job`, unless the command already
# names a savepoint, this passes the newest completed checkpoint or savepoint (a directory holding
# `_metadata`) under $FLINK_STATE_DIR as --fromSavepoint.
#
#   RESTORE_FROM=latest   (default) newest checkpoint or savepoint, or empty state if there is none
#   RESTORE_FROM=none     always start with empty state
#   RESTORE_FROM=<path>   that checkpoint or savepoint directory
set -euo pipefail

state_dir=${FLINK_STATE_DIR:-/flink-data}
restore_from=${RESTORE_FROM:-latest}

names_a_savepoint() {
  local arg
  for arg in "$@"; do
    case $arg in
      -s | --fromSavepoint | --fromSavepoint=* | -Dexecution.savepoint.path=* | -Dexecution.state-recovery.path=*)
        return 0 ;;
    esac
  done
  [[ ${FLINK_PROPERTIES:-} == *execution.savepoint.path* || ${FLINK_PROPERTIES:-} == *execution.state-recovery.path* ]]
}

newest_snapshot() {
  # GNU find (the image is Ubuntu): "<mtime> <dir>" per completed checkpoint or savepoint.
  { find "$state_dir" -name _metadata -type f -printf '%T@ %h\n' 2>/dev/null || true; } |
    sort -n | tail -n 1 | cut -d ' ' -f 2-
}

if [[ ${1:-} == standalone-job ]] && ! names_a_savepoint "${@:2}"; then
  case $restore_from in
    none) path= ;;
    latest) path=$(newest_snapshot) ;;
    *) path=$restore_from ;;
  esac
  if [[ -n $path ]]; then
    echo "tally-entrypoint: resuming from $path (RESTORE_FROM=$restore_from)"
    # Flink's options must come before the job's arguments: the parser stops at the first unknown one.
    set -- standalone-job --fromSavepoint "$path" "${@:2}"
  else
    echo "tally-entrypoint: no checkpoint or savepoint to resume from; starting with empty state"
  fi
fi

exec /docker-entrypoint.sh "$@"
