#!/usr/bin/env bash
# The load figure of the client «Accueil» (SPEC §4): logged-in GETs of the page of a
# client with 50 SAV, 10 services and 20 answers, on the 1M-contact SQLite database,
# 64 concurrent connections, beside a static file of the same server in the same run.
# Needs: the release binary, `wrk` (Debian), the site built (`target/site`).
set -euo pipefail
BIN=${BIN:-$HOME/.cache/ouvrage/target/release/ouvrage}
DB=${DB:-sqlite://data/bench.db}
PORT=${PORT:-3190}
SECS=${SECS:-30}
CONTACTS=${CONTACTS:-1000000}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
CLIENT=$(DATABASE_URL=$DB OUVRAGE_DEMO=0 RUST_LOG=error "$BIN" bench-load-prepare --contacts "$CONTACTS" | tee /dev/stderr | sed -n 's/^client=//p')
DATABASE_URL=$DB OUVRAGE_DEMO=0 OUVRAGE_ADDR=127.0.0.1:$PORT RUST_LOG=error LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site} "$BIN" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/connexion" && break; sleep 0.1; done
JAR=$(mktemp)
curl -sf -c "$JAR" -o /dev/null -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "email=bench@bench.test" --data-urlencode "password=Bench-Charge-2026!" "http://127.0.0.1:$PORT/api/login"
COOKIE=$(sed 's/^#HttpOnly_//' "$JAR" | awk '!/^#/ && NF>=7 {print $6"="$7}' | head -1)
curl -sf -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/clients/$CLIENT/accueil" || { echo "the «Accueil» page does not answer"; exit 1; }
run() {
  local label=$1 path=$2
  local out
  out=$(wrk -t2 -c64 -d"${SECS}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $4} /Socket errors/ {print $0}' | tr '\n' ' ')
  printf '%-44s %10s req/s   p50 %8s   p99 %8s   errors: %s\n' "$label" "$rps" "$p50" "$p99" "${errors:-0}"
}
echo "== $CONTACTS contacts, 64 connections, ${SECS} s each"
run "baseline: static file /pkg/ouvrage.css" /pkg/ouvrage.css
run "client «Accueil» (50 SAV, 10 services, 20 answers)" "/clients/$CLIENT/accueil"
run "«Tableau de bord»" /
