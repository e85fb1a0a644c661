#!/usr/bin/env bash
# Instructions the server executes per request (valgrind's callgrind), one request at a
# time: a count that repeats from run to run, whatever else the machine does, where
# `bench/load.sh`'s throughput moves by a third between two runs of the same binary on
# these shared cores. For comparing two builds of a change: same database, same pages.
#   BIN=<release binary> [DB=sqlite://data/bench.db] [N=50] bash bench/instructions.sh
# Prints, per page, the instructions per request beside the static file's and a plain
# page's («Préférences»: the shell, the session, a form): the baselines of the same run.
# Needs: valgrind (callgrind_control), the database of `bench-load-prepare`.
set -euo pipefail
source "$(dirname "$0")/session.sh"
BIN=${BIN:-$HOME/.cache/ouvrage/target/release/ouvrage}
DB=${DB:-sqlite://data/bench.db}
PORT=${PORT:-3191}
# (Opening a client's «Accueil» records the visit, at most once a minute: a small N counts that
# write in a larger share of the requests.)
N=${N:-50}
SITE=${LEPTOS_SITE_ROOT:-target/site}
CONTACTS=${CONTACTS:-1000000}
command -v callgrind_control >/dev/null || apt-get install -y valgrind >/dev/null
CLIENT=$(DATABASE_URL=$DB OUVRAGE_DEMO=0 RUST_LOG=error "$BIN" bench-load-prepare --contacts "$CONTACTS" | sed -n 's/^client=//p')
ORIGIN="http://127.0.0.1:$PORT"
OUT=$(mktemp -d)
# Instrumentation off until the pages are warm (start-up and first requests not counted).
DATABASE_URL=$DB OUVRAGE_DEMO=0 OUVRAGE_SECURE_COOKIES=0 OUVRAGE_TRUST_PROXY=0 OUVRAGE_ADDR=127.0.0.1:$PORT RUST_LOG=error LEPTOS_SITE_ROOT=$SITE \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg.%p" "$BIN" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$OUT"' EXIT
wait_up "$ORIGIN" 1200 0.1 || true
COOKIE=$(bench_cookie "$ORIGIN")
get() { curl -sf -o /dev/null -H "Cookie: $COOKIE" -H "Origin: $ORIGIN" "$@"; }
# Instructions counted since the last zeroing (`-z`): a dump, read, then removed.
counted() { callgrind_control -d "$SERVER" >/dev/null 2>&1; awk '/^totals:/ {t=$2} END {print t+0}' "$OUT"/cg.*; rm -f "$OUT"/cg.*.[0-9]*; }
measure() {
  local label=$1; shift
  for _ in 1 2 3; do get "$@"; done
  callgrind_control -i on "$SERVER" >/dev/null 2>&1
  callgrind_control -z "$SERVER" >/dev/null 2>&1
  for _ in $(seq 1 "$N"); do get "$@"; done
  local total
  total=$(counted)
  callgrind_control -i off "$SERVER" >/dev/null 2>&1
  printf '%-48s %12s instructions per request\n' "$label" "$(awk -v t="$total" -v n="$N" 'BEGIN {printf "%.0f", t / n}')"
}
echo "== instructions per request (callgrind), $N requests each, one at a time, $(date -u +%F), $(git rev-parse --short HEAD 2>/dev/null)"
measure "baseline: static file /favicon.svg" "$ORIGIN/favicon.svg"
measure "baseline: «Préférences» (shell, session, form)" "$ORIGIN/preferences"
measure "client «Accueil» (50 SAV, 10 services, 20 ans.)" "$ORIGIN/clients/$CLIENT/accueil"
measure "search server function (POST, «dupont jea»)" -X POST -H "Content-Type: application/x-www-form-urlencoded" --data "q=dupont+jea" "$ORIGIN/api/search"
measure "«Tableau de bord»" "$ORIGIN/"
