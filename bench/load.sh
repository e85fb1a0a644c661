#!/usr/bin/env bash
# The server's figures (SPEC §4, issue «Scale-out and speed»), in one report:
#   - start-up time to the first answer on the 1M-contact SQLite database, idle RSS;
#   - logged-in load, 64 concurrent connections, SECS (60) seconds each, with wrk:
#     a static file of the same server (the baseline), the client «Accueil» (50 SAV,
#     10 services, 20 answers), the search server function, the «Tableau de bord»:
#     throughput, p50, p99, errors; the server's peak RSS under that load; then the
#     «Accueil» again on a second server without the widget cache
#     (OUVRAGE_WIDGET_CACHE_MB=0: every widget read and drawn at every request);
#   - the browser bundle (release, wasm-opt): raw, gzip and brotli sizes.
# Needs: the release binary, `wrk` (Debian), the site built (`target/site`).
set -euo pipefail
source "$(dirname "$0")/session.sh"
BIN=${BIN:-$HOME/.cache/ouvrage/target/release/ouvrage}
DB=${DB:-sqlite://data/bench.db}
PORT=${PORT:-3190}
SECS=${SECS:-60}
CONTACTS=${CONTACTS:-1000000}
SITE=${LEPTOS_SITE_ROOT:-target/site}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
CLIENT=$(DATABASE_URL=$DB OUVRAGE_DEMO=0 RUST_LOG=error "$BIN" bench-load-prepare --contacts "$CONTACTS" | tee /dev/stderr | sed -n 's/^client=//p')

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# Resident memory split: anonymous (the process's own) and file-backed (SQLite's mmap of
# the database file: page cache the kernel may drop).
rss_split() { awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {printf "anonymous %d MB, file-mapped %d MB", a/1024, f/1024}' "/proc/$1/status" 2>/dev/null; }
T0=$(date +%s%N)
DATABASE_URL=$DB OUVRAGE_DEMO=0 OUVRAGE_SECURE_COOKIES=0 OUVRAGE_TRUST_PROXY=0 OUVRAGE_ADDR=127.0.0.1:$PORT RUST_LOG=error LEPTOS_SITE_ROOT=$SITE "$BIN" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
ORIGIN="http://127.0.0.1:$PORT"
wait_up "$ORIGIN" 3000 0.01 || true
T1=$(date +%s%N)
sleep 2
IDLE=$(rss_kb $SERVER)
COOKIE=$(bench_cookie "$ORIGIN")
curl -sf -o /dev/null -H "Cookie: $COOKIE" "$ORIGIN/clients/$CLIENT/accueil" || { echo "the «Accueil» page does not answer"; exit 1; }
SEARCH_LUA=$(mktemp --suffix=.lua)
cat > "$SEARCH_LUA" <<'LUA'
-- Searches as typed in the box: a few common queries in turn (names, town, phone prefix).
local queries = {"martin", "dupont jea", "lyon", "paviere", "06 12", "bernard mar", "durand", "roux"}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("POST", "/api/search", nil, "q=" .. queries[i]:gsub(" ", "+"))
end
LUA
PEAK=0
sample() { while kill -0 $SERVER 2>/dev/null; do r=$(rss_kb $SERVER); [ "$r" -gt "$(cat "$1")" ] && { echo "$r" > "$1"; rss_split $SERVER > "$1.split"; }; sleep 0.5; done; }
PEAK_FILE=$(mktemp); echo 0 > "$PEAK_FILE"
sample "$PEAK_FILE" & SAMPLER=$!
# The server's CPU time (user + system, in clock ticks) so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)
run() {
  local label=$1 path=$2; shift 2
  local ORIGIN=${RUN_ORIGIN:-$ORIGIN} COOKIE=${RUN_COOKIE:-$COOKIE} SERVER=${RUN_SERVER:-$SERVER}
  local out rps p50 p99 errors t0 t1 n
  t0=$(cpu_ticks)
  out=$(wrk -t2 -c64 -d"${SECS}s" --latency -H "Cookie: $COOKIE" -H "Origin: $ORIGIN" -H "Content-Type: application/x-www-form-urlencoded" "$@" "$ORIGIN$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  t1=$(cpu_ticks)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $4} /Socket errors/ {print $0}' | tr '\n' ' ')
  printf '%-46s %10s req/s   p50 %8s   p99 %8s   server CPU %6s ms/req   errors: %s\n' "$label" "$rps" "$p50" "$p99" \
    "$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$TICK" 'BEGIN {printf "%.3f", d * 1000 / hz / n}')" "${errors:-0}"
}
echo "== $(nproc) cores, $CONTACTS contacts (SQLite), 64 connections, ${SECS} s each, $(date -u +%F)"
printf 'start-up to first answer: %d ms; idle RSS: %d MB (%s)\n' $(( (T1 - T0) / 1000000 )) $(( IDLE / 1024 )) "$(rss_split $SERVER)"
run "baseline: static file /favicon.svg" /favicon.svg
run "client «Accueil» (50 SAV, 10 services, 20 ans.)" "/clients/$CLIENT/accueil"
run "search server function (POST /api/search)" /api/search -s "$SEARCH_LUA"
run "«Tableau de bord»" /
kill $SAMPLER 2>/dev/null || true
printf 'peak RSS under load: %d MB (%s)\n' $(( $(cat "$PEAK_FILE") / 1024 )) "$(cat "$PEAK_FILE.split" 2>/dev/null)"
kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true
# The same page drawn at every request: what a client opened for the first time costs.
DATABASE_URL=$DB OUVRAGE_DEMO=0 OUVRAGE_SECURE_COOKIES=0 OUVRAGE_TRUST_PROXY=0 OUVRAGE_ADDR=127.0.0.1:$((PORT + 1)) RUST_LOG=error LEPTOS_SITE_ROOT=$SITE OUVRAGE_WIDGET_CACHE_MB=0 "$BIN" &
SERVER=$!
RUN_ORIGIN="http://127.0.0.1:$((PORT + 1))"
wait_up "$RUN_ORIGIN" 3000 0.01 || true
RUN_COOKIE=$(bench_cookie "$RUN_ORIGIN") RUN_SERVER=$SERVER RUN_ORIGIN=$RUN_ORIGIN \
  run "«Accueil», widget cache off" "/clients/$CLIENT/accueil"
echo "== browser bundle (release, wasm-opt), bytes"
node -e '
const z = require("zlib"), fs = require("fs"), path = require("path");
const dir = process.argv[1];
for (const f of fs.readdirSync(dir).filter((f) => /\.(wasm|js|css)$/.test(f)).sort()) {
  const b = fs.readFileSync(path.join(dir, f));
  const br = z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(f.padEnd(24), String(b.length).padStart(9), "raw", String(z.gzipSync(b, { level: 9 }).length).padStart(9), "gzip", String(br).padStart(9), "brotli");
}' "$SITE/pkg"
