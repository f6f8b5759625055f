#!/usr/bin/env bash
# Serves the embedded default: a Celery worker (filesystem transport, beat embedded) beside Django's server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
"$BIN/celery" -A justice worker -B --loglevel=INFO --concurrency=2 -s var/celerybeat-schedule >var/celery/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true; wait $WORKER 2>/dev/null || true' EXIT INT TERM
echo "Celery worker started (log: var/celery/worker.log)."
echo "Portal: http://127.0.0.1:${PORT:-8000}/  (Ctrl-C stops both)"
"$BIN/python" manage.py runserver "127.0.0.1:${PORT:-8000}"
