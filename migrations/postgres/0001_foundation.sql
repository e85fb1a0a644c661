-- Foundation: companies (tenants), users and rights, sessions, preferences, audit, contacts.
-- Timestamps are seconds since the Unix epoch (UTC). Booleans are BOOLEAN.
CREATE TABLE company (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE app_user (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES company(id),
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    signature     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- Login is by e-mail alone, so an address belongs to one account across all companies.
CREATE UNIQUE INDEX app_user_email ON app_user(email);
CREATE INDEX app_user_company ON app_user(company_id);

CREATE TABLE user_right (
    company_id  BIGINT NOT NULL REFERENCES company(id),
    user_id     BIGINT NOT NULL REFERENCES app_user(id),
    code        TEXT NOT NULL,
    PRIMARY KEY (user_id, code)
);

CREATE TABLE user_session (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    user_id      BIGINT NOT NULL REFERENCES app_user(id),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX user_session_user ON user_session(user_id);

-- Failed logins, for throttling per account and per client address (not tenant data).
CREATE TABLE login_failure (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     TEXT NOT NULL,
    ip        TEXT NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX login_failure_email ON login_failure(email, at);
CREATE INDEX login_failure_ip ON login_failure(ip, at);

CREATE TABLE user_pref (
    company_id              BIGINT NOT NULL REFERENCES company(id),
    user_id                 BIGINT PRIMARY KEY REFERENCES app_user(id),
    show_archived_sav       BOOLEAN NOT NULL DEFAULT FALSE,
    observations_tooltip    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE audit (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES company(id),
    user_id     BIGINT REFERENCES app_user(id),
    at          BIGINT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit(company_id, entity, entity_id);

CREATE TABLE contact (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    statut       TEXT NOT NULL CHECK (statut IN ('prospect', 'client', 'corbeille')),
    civilite     TEXT NOT NULL DEFAULT '',
    nom          TEXT NOT NULL DEFAULT '',
    prenom       TEXT NOT NULL DEFAULT '',
    societe      TEXT NOT NULL DEFAULT '',
    adresse      TEXT NOT NULL DEFAULT '',
    code_postal  TEXT NOT NULL DEFAULT '',
    ville        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX contact_company ON contact(company_id, statut, nom);

CREATE TABLE contact_phone (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES company(id),
    contact_id  BIGINT NOT NULL REFERENCES contact(id),
    position    BIGINT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    number      TEXT NOT NULL
);
CREATE INDEX contact_phone_contact ON contact_phone(contact_id);
