-- Actions (SPEC C6): typed, dated follow-ups on a client, shared and/or assigned.

-- «Paramètres» › «Actions»: the types and their possible responses, ordered; retired, never deleted.
CREATE TABLE action_type (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES company(id),
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    retired     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX action_type_label ON action_type(company_id, label);

CREATE TABLE action_response (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES company(id),
    type_id     INTEGER NOT NULL REFERENCES action_type(id),
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    retired     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX action_response_label ON action_response(company_id, type_id, label);

CREATE TABLE action (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES company(id),
    contact_id    INTEGER NOT NULL REFERENCES contact(id),
    type_id       INTEGER NOT NULL REFERENCES action_type(id),
    note          TEXT NOT NULL DEFAULT '',
    -- «Date d'alerte» as typed (Europe/Paris) and the instant it stands for (UTC seconds).
    alert_date    TEXT NOT NULL,
    alert_time    TEXT NOT NULL DEFAULT '',
    alert_at      INTEGER NOT NULL,
    -- The alert_at whose e-mail alerts were queued (a new date queues new ones).
    alerted_at    INTEGER,
    author_id     INTEGER NOT NULL REFERENCES app_user(id),
    assignee_id   INTEGER REFERENCES app_user(id),
    status        TEXT NOT NULL DEFAULT 'ouverte',
    response_id   INTEGER REFERENCES action_response(id),
    close_comment TEXT NOT NULL DEFAULT '',
    closed_by     INTEGER,
    closed_at     INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX action_contact ON action(company_id, contact_id);
CREATE INDEX action_due ON action(status, alert_at);
CREATE INDEX action_assignee ON action(company_id, assignee_id);
CREATE INDEX action_author ON action(company_id, author_id);

-- «Partager»: the colleagues informed.
CREATE TABLE action_share (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    action_id   INTEGER NOT NULL REFERENCES action(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    PRIMARY KEY (action_id, user_id)
);
CREATE INDEX action_share_user ON action_share(company_id, user_id);

-- «Préférences»: e-mail me when an action of mine is due.
ALTER TABLE user_pref ADD COLUMN action_alert_email BOOLEAN NOT NULL DEFAULT FALSE;
