-- Login throttling: one row per key («a:<e-mail>», «i:<address>»), claimed atomically
-- before a password is checked (docs/reliability.md, «Login throttling»). Replaces the
-- per-failure log, which was read before the check and written after it.
DROP TABLE login_failure;
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL,
    next_at       BIGINT NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle(window_start);

-- Secrets shared by every server of one database (the signature of errors echoed in a
-- URL). Made once, at the first start.
CREATE TABLE server_secret (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
