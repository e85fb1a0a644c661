# Sourced by the bench scripts: waiting for a server; logging in as the account that
# `ouvrage bench-load-prepare` creates (src/server/bench_load.rs).

# wait_up ORIGIN TRIES PAUSE: until the login page answers (at most TRIES × PAUSE s).
wait_up() {
  for _ in $(seq 1 "$2"); do curl -sf -o /dev/null "$1/connexion" && return 0; sleep "$3"; done
  return 1
}

# bench_cookie ORIGIN: the session cookie (name=value) of the bench account.
bench_cookie() {
  local jar
  jar=$(mktemp)
  curl -sf -c "$jar" -o /dev/null -H "Origin: $1" --data-urlencode "email=bench@bench.test" --data-urlencode "password=Bench-Charge-2026!" "$1/api/login" \
    || { rm -f "$jar"; return 1; }
  sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF>=7 {print $6"="$7}' | head -1
  rm -f "$jar"
}
