#!/usr/bin/env bash
# Several app servers on one PostgreSQL: N processes of the release binary on ports
# BASE_PORT, BASE_PORT+1, …, all against DATABASE_URL (sessions and background jobs live
# in the database; see docs/scaling.md). Put any HTTP load balancer in front, e.g. nginx:
#   upstream ouvrage { server 127.0.0.1:3001; server 127.0.0.1:3002; }
# with `proxy_set_header X-Forwarded-For $remote_addr;` and OUVRAGE_TRUST_PROXY=1.
# Ctrl+C stops them all.
set -euo pipefail
source "$(dirname "$0")/session.sh"
N=${N:-2}
BASE_PORT=${BASE_PORT:-3001}
BIN=${BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/ouvrage/target}/release/ouvrage}
: "${DATABASE_URL:?DATABASE_URL must name the shared PostgreSQL database, e.g. postgres://ouvrage@db/ouvrage}"
case "$DATABASE_URL" in postgres*) ;; *) echo "several servers need PostgreSQL (DATABASE_URL=postgres://…)"; exit 1;; esac
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait' EXIT INT TERM
# The first one migrates the database and creates the company; the others follow.
for i in $(seq 0 $((N - 1))); do
  PORT=$((BASE_PORT + i))
  OUVRAGE_ADDR=127.0.0.1:$PORT OUVRAGE_SECURE_COOKIES=${OUVRAGE_SECURE_COOKIES:-0} OUVRAGE_TRUST_PROXY=${OUVRAGE_TRUST_PROXY:-1} LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site} "$BIN" &
  PIDS+=($!)
  wait_up "http://127.0.0.1:$PORT" 600 0.1 || true
  echo "server $((i + 1))/$N: http://127.0.0.1:$PORT (pid ${PIDS[-1]})"
done
wait
