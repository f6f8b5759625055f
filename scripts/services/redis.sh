#!/usr/bin/env bash
# Throwaway Redis on 127.0.0.1 for integration tests: scripts/services/redis.sh start|stop
set -euo pipefail
D=${SERVICES_DIR:-/tmp/justice-services}/redis
PORT=${REDIS_PORT:-56379}
command -v redis-server >/dev/null || { echo "Redis is not installed: run scripts/services/install.sh" >&2; exit 1; }
case "${1:-start}" in
start)
  mkdir -p "$D"
  if [ -f "$D/redis.pid" ] && kill -0 "$(cat "$D/redis.pid")" 2>/dev/null; then
    echo "redis already running on 127.0.0.1:$PORT"; exit 0
  fi
  redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$D" --pidfile "$D/redis.pid" --logfile "$D/redis.log"
  for _ in $(seq 50); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "redis ready on 127.0.0.1:$PORT"
  ;;
stop)
  # Returns once the server has exited: SIGTERM only schedules the shutdown, and Redis serves until then.
  if [ -f "$D/redis.pid" ]; then
    pid=$(cat "$D/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
  rm -rf "$D"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
