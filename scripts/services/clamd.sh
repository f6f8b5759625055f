#!/usr/bin/env bash
# Throwaway ClamAV daemon for integration tests: scripts/services/clamd.sh start|stop
# It listens on a unix socket ($SERVICES_DIR/clamd/clamd.sock) and on 127.0.0.1:$CLAMD_PORT, and loads its
# signatures from $SERVICES_DIR/clamd/db only: no freshclam download. That folder starts with one placeholder
# signature (clamd refuses to start without any); tests write the signatures they need there and send RELOAD.
set -euo pipefail
D=${SERVICES_DIR:-/tmp/justice-services}/clamd
PORT=${CLAMD_PORT:-57310}
CLAMD=$(command -v clamd || echo /usr/sbin/clamd)
[ -x "$CLAMD" ] || { echo "clamd is not installed: run scripts/services/install.sh" >&2; exit 1; }
stop() {
  [ -f "$D/clamd.pid" ] && kill "$(cat "$D/clamd.pid")" 2>/dev/null || true
  for _ in $(seq 50); do [ -S "$D/clamd.sock" ] || break; sleep 0.1; done
  rm -rf "$D"
}
case "${1:-start}" in
start)
  if [ -f "$D/clamd.pid" ] && kill -0 "$(cat "$D/clamd.pid")" 2>/dev/null; then
    echo "clamd already running on $D/clamd.sock and 127.0.0.1:$PORT"; exit 0
  fi
  stop
  mkdir -p "$D/db" "$D/tmp"
  chmod 700 "$D"
  # A signature that matches nothing real (random bytes), so the database is never empty.
  echo "Justice.Placeholder.NeverMatches:0:*:$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" > "$D/db/placeholder.ndb"
  cat > "$D/clamd.conf" <<CONF
Foreground no
PidFile $D/clamd.pid
LocalSocket $D/clamd.sock
LocalSocketMode 600
TCPSocket $PORT
TCPAddr 127.0.0.1
DatabaseDirectory $D/db
TemporaryDirectory $D/tmp
LogFile $D/clamd.log
LogTime yes
# Evidence may be up to 2 GiB: stream and scan it whole rather than let clamd answer OK without looking.
StreamMaxLength 2100M
MaxFileSize 2100M
MaxScanSize 4000M
AlertExceedsMax yes
SelfCheck 0
CONF
  "$CLAMD" --config-file="$D/clamd.conf"
  for _ in $(seq 300); do [ -S "$D/clamd.sock" ] && break; sleep 0.1; done
  [ -S "$D/clamd.sock" ] || { echo "clamd did not start:" >&2; cat "$D/clamd.log" >&2; exit 1; }
  echo "clamd ready on $D/clamd.sock and 127.0.0.1:$PORT (signatures in $D/db)"
  ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
