#!/usr/bin/env bash
# postgres-standalone.sh — a PostgreSQL server of its own from the server binaries installed here
# (/usr/lib/postgresql/<v>/bin), for machines where none runs (`tally dev-cluster` starts one only
# then). PostgreSQL refuses to run as root, so as root it runs as the postgres OS user.
#
#   scripts/postgres-standalone.sh up       initdb once (trust auth, loopback only), start, wait
#   scripts/postgres-standalone.sh down     stop it (its data stays for the next 'up')
#   scripts/postgres-standalone.sh status   pid and port (exit 1 when not running)
#
# Environment: PG_HOME_DIR (default .tally/postgres), PG_PORT (5432).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOME_DIR="${PG_HOME_DIR:-$ROOT/.tally/postgres}"
DATA="$HOME_DIR/data"
PORT="${PG_PORT:-5432}"

die() { echo "postgres-standalone: $*" >&2; exit 1; }
say() { echo "postgres-standalone: $*" >&2; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

bin_dir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n "$d" && -x "$d/initdb" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
  echo "$d"
}

as_pg() { # run a server tool as the postgres user when we are root
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

live_pid() {
  local pid
  [[ -f "$DATA/postmaster.pid" ]] || return 1
  pid="$(head -1 "$DATA/postmaster.pid")"
  [[ "$pid" =~ ^[0-9]+$ && -d "/proc/$pid" ]] || return 1
  echo "$pid"
}

cmd_up() {
  live_pid >/dev/null && die "already running on 127.0.0.1:$PORT; use 'down' first"
  port_in_use "$PORT" && die "port $PORT is taken (set PG_PORT)"
  local bin
  bin="$(bin_dir)"
  mkdir -p "$HOME_DIR"
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    mkdir -p "$DATA"
    if [[ "$(id -u)" == 0 ]]; then
      chown postgres:postgres "$DATA"
      # The postgres user must be able to reach its data directory.
      local d="$HOME_DIR"
      while [[ "$d" != / ]]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
    fi
    as_pg "$bin/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$HOME_DIR/initdb.log" 2>&1 ||
      { tail -20 "$HOME_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg "$bin/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1" start >/dev/null ||
    { tail -20 "$DATA/server.log" >&2; die "the server did not start"; }
  say "PostgreSQL up on 127.0.0.1:$PORT (pid $(live_pid), log $DATA/server.log)"
  echo "127.0.0.1:$PORT"
}

cmd_down() {
  live_pid >/dev/null || { say "not running"; return 0; }
  as_pg "$(bin_dir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  say "stopped PostgreSQL"
}

cmd_status() {
  local pid
  pid="$(live_pid)" || { echo "postgres-standalone: not running" >&2; return 1; }
  echo "postgres pid $pid on 127.0.0.1:$PORT"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
