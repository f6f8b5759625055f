#!/usr/bin/env bash
# Throwaway PostgreSQL on 127.0.0.1 for integration tests: scripts/services/postgres.sh start|stop|restart
# Needs Debian's postgresql package (scripts/services/install.sh).
set -euo pipefail
D=${SERVICES_DIR:-/tmp/justice-services}/postgres
PORT=${POSTGRES_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] || { echo "PostgreSQL is not installed: run scripts/services/install.sh" >&2; exit 1; }
case "${1:-start}" in
start)
  if [ -f "$D/postmaster.pid" ] && runuser -u postgres -- "$BIN/pg_ctl" -D "$D" status >/dev/null 2>&1; then
    echo "postgres already running on 127.0.0.1:$PORT"; exit 0
  fi
  rm -rf "$D"; mkdir -p "$D"; chown postgres: "$D"; chmod 700 "$D"
  runuser -u postgres -- "$BIN/initdb" -D "$D" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -o "-k $D -h 127.0.0.1 -p $PORT -c fsync=off -c full_page_writes=off" \
    -l "$D/log" -w start >/dev/null
  echo "postgres ready on 127.0.0.1:$PORT (user postgres, trust auth)"
  ;;
restart)
  # Fault injection: a fast restart (open connections are cut), same data and options.
  runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -m fast -w restart >/dev/null
  ;;
stop)
  [ -d "$D" ] && runuser -u postgres -- "$BIN/pg_ctl" -D "$D" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
  ;;
*) echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
