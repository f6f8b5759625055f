#!/usr/bin/env bash
# Serves the embedded default: a Celery worker (filesystem transport, beat embedded) and the sandbox identity
# provider (idp/, its own SQLite database in var/idp/) beside Django's server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PORT=${PORT:-8000}
IDP_PORT=${IDP_PORT:-8001}
export IDP_PORT
"$BIN/celery" -A justice worker -B --loglevel=INFO --concurrency=2 -s var/celerybeat-schedule >var/celery/worker.log 2>&1 &
WORKER=$!
IDP=""
cleanup() {
  kill "$WORKER" ${IDP:+"$IDP"} 2>/dev/null || true
  wait "$WORKER" ${IDP:+"$IDP"} 2>/dev/null || true
}
trap cleanup EXIT INT TERM
echo "Celery worker started (log: var/celery/worker.log)."

mkdir -p var/idp
IDP_ENV=(env -u DJANGO_SETTINGS_MODULE -u DATABASE_URL IDP_DATA_DIR=var/idp)
"${IDP_ENV[@]}" "$BIN/python" idp/manage.py migrate --noinput --verbosity 0
"${IDP_ENV[@]}" "$BIN/python" idp/manage.py idp_seed \
  --client-id justice-portal-local --client-secret sandbox-client-secret-local \
  --redirect-uri "http://127.0.0.1:${PORT}/account/oidc/sandbox/login/callback/" \
  --redirect-uri "http://localhost:${PORT}/account/oidc/sandbox/login/callback/"
"${IDP_ENV[@]}" "$BIN/python" idp/manage.py runserver --noreload "127.0.0.1:${IDP_PORT}" >var/idp/server.log 2>&1 &
IDP=$!
echo "Sandbox identity provider: http://127.0.0.1:${IDP_PORT}/  (log: var/idp/server.log)"
echo "Portal: http://127.0.0.1:${PORT}/  (passkeys: http://localhost:${PORT}/; Ctrl-C stops everything)"
"$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
