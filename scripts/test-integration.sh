#!/usr/bin/env bash
# Starts real PostgreSQL, Redis, Ceph radosgw and ClamAV's clamd on 127.0.0.1, runs the whole suite against them
# (PostgreSQL as the database, integration tests included), then stops them. Used by `make test-integration` and
# .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export SERVICES_DIR=${SERVICES_DIR:-/tmp/justice-services-$$}
export POSTGRES_PORT=${POSTGRES_PORT:-55432} REDIS_PORT=${REDIS_PORT:-56379} RGW_PORT=${RGW_PORT:-57480}
export CLAMD_PORT=${CLAMD_PORT:-57310}
cleanup() {
  scripts/services/clamd.sh stop || true
  scripts/services/ceph.sh stop || true
  scripts/services/redis.sh stop || true
  scripts/services/postgres.sh stop || true
}
trap cleanup EXIT
scripts/services/postgres.sh start
scripts/services/redis.sh start
scripts/services/ceph.sh start
scripts/services/clamd.sh start

export DATABASE_URL="postgres://postgres@127.0.0.1:${POSTGRES_PORT}/justice"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
export S3_ENDPOINT_URL="http://127.0.0.1:${RGW_PORT}"
export S3_ACCESS_KEY=${S3_ACCESS_KEY:-ciaccess} S3_SECRET_KEY=${S3_SECRET_KEY:-cisecret}
# clamd's unix socket and TCP address, and the folder of its signatures (tests write theirs there and reload).
export CLAMD_TEST_ADDRESS="$SERVICES_DIR/clamd/clamd.sock" CLAMD_TEST_TCP_ADDRESS="127.0.0.1:${CLAMD_PORT}"
export CLAMD_DATABASE_DIR="$SERVICES_DIR/clamd/db"
export JUSTICE_INTEGRATION=1
"$BIN/pytest" "$@"
