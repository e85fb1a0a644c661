-- Complementary questions, SAV and services (SPEC C5, C8), and the widget pages' layout.

-- «Paramètres» › «Questions complémentaires»: retired, never deleted (answers are kept).
CREATE TABLE question (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES company(id),
    label       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('texte', 'oui_non', 'nombre', 'date', 'choix')),
    choices     TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    pinned      BOOLEAN NOT NULL DEFAULT FALSE,
    retired     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX question_company ON question(company_id, position);

-- The answers on «Fiche contact», as typed (checked against the question's kind).
CREATE TABLE answer (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES company(id),
    contact_id   INTEGER NOT NULL REFERENCES contact(id),
    question_id  INTEGER NOT NULL REFERENCES question(id),
    value        TEXT NOT NULL,
    updated_by   INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX answer_one ON answer(contact_id, question_id);
CREATE INDEX answer_company ON answer(company_id, contact_id);

-- After-sales tickets.
CREATE TABLE sav (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES company(id),
    contact_id    INTEGER NOT NULL REFERENCES contact(id),
    title         TEXT NOT NULL,
    observations  TEXT NOT NULL DEFAULT '',
    opened_on     TEXT NOT NULL,
    closed_on     TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('ouvert', 'en_cours', 'clos')),
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX sav_contact ON sav(company_id, contact_id);

-- Recurring services (e.g. yearly boiler maintenance).
CREATE TABLE service (
    id                 INTEGER PRIMARY KEY,
    company_id         INTEGER NOT NULL REFERENCES company(id),
    contact_id         INTEGER NOT NULL REFERENCES contact(id),
    label              TEXT NOT NULL,
    start_date         TEXT NOT NULL,
    periodicity_months INTEGER NOT NULL,
    next_due           TEXT NOT NULL,
    notes              TEXT NOT NULL DEFAULT '',
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX service_contact ON service(company_id, contact_id);

-- «Personnaliser»: which widgets a user shows on a page, in order (keys, comma-separated).
CREATE TABLE user_layout (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    page        TEXT NOT NULL,
    widgets     TEXT NOT NULL,
    PRIMARY KEY (user_id, page)
);

-- «Clients consultés récemment» on the dashboard.
CREATE TABLE recent_view (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    contact_id  INTEGER NOT NULL REFERENCES contact(id),
    viewed_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, contact_id)
);
