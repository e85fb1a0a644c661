-- Invoice reminders R1, R2, R3, MED (SPEC C10).

-- «En litige»: a disputed invoice is not reminded.
ALTER TABLE document ADD COLUMN litige BOOLEAN NOT NULL DEFAULT FALSE;

-- «Paramètres» › «Gestion des relances» (a missing row means the defaults).
CREATE TABLE reminder_settings (
    company_id          BIGINT PRIMARY KEY REFERENCES company(id),
    r1_days             BIGINT NOT NULL,
    r2_days             BIGINT NOT NULL,
    r3_days             BIGINT NOT NULL,
    med_days            BIGINT NOT NULL,
    auto_r1             BOOLEAN NOT NULL,
    auto_r2             BOOLEAN NOT NULL,
    auto_r3             BOOLEAN NOT NULL,
    med_deadline_days   BIGINT NOT NULL,
    contract_rate_bp    BIGINT,
    updated_at          BIGINT NOT NULL
);

-- Letter and e-mail texts per level, with placeholders.
CREATE TABLE reminder_template (
    company_id     BIGINT NOT NULL REFERENCES company(id),
    level          TEXT NOT NULL,
    letter         TEXT NOT NULL,
    email_subject  TEXT NOT NULL,
    email          TEXT NOT NULL,
    PRIMARY KEY (company_id, level)
);

-- Rates as data, per half-year ('2026-1', '2026-2'): the ECB refinancing rate of 1 January
-- / 1 July, and the two legal interest rates (creditor a private person / other cases).
CREATE TABLE rate (
    company_id  BIGINT NOT NULL REFERENCES company(id),
    kind        TEXT NOT NULL CHECK (kind IN ('bce', 'legal_particulier', 'legal_autre')),
    half        TEXT NOT NULL,
    rate_bp     BIGINT NOT NULL,
    PRIMARY KEY (company_id, kind, half)
);

-- The schedule: each open invoice's next level and the date it is due. Derived data,
-- rewritten by the planner: no foreign keys (their checks were most of a day's planning).
CREATE TABLE reminder_schedule (
    company_id   BIGINT NOT NULL,
    document_id  BIGINT PRIMARY KEY,
    contact_id   BIGINT NOT NULL,
    next_level   TEXT NOT NULL,
    next_date    TEXT NOT NULL
);
CREATE INDEX reminder_schedule_due ON reminder_schedule(company_id, next_level, next_date);

-- One reminder (a letter or an e-mail to a client, for one or more invoices).
CREATE TABLE reminder_letter (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES company(id),
    contact_id    BIGINT NOT NULL REFERENCES contact(id),
    level         TEXT NOT NULL,
    channel       TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    author_id     BIGINT,
    on_date       TEXT NOT NULL,
    amount_due    BIGINT NOT NULL,
    penalties     BIGINT NOT NULL,
    indemnity     BIGINT NOT NULL,
    deadline      TEXT NOT NULL DEFAULT '',
    skipped       TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX reminder_letter_contact ON reminder_letter(company_id, contact_id);

-- Each invoice reaches each level at most once.
CREATE TABLE reminder (
    company_id   BIGINT NOT NULL REFERENCES company(id),
    letter_id    BIGINT NOT NULL REFERENCES reminder_letter(id),
    document_id  BIGINT NOT NULL REFERENCES document(id),
    level        TEXT NOT NULL,
    amount_due   BIGINT NOT NULL,
    penalties    BIGINT NOT NULL,
    PRIMARY KEY (document_id, level)
);
CREATE INDEX reminder_letter_rows ON reminder(company_id, letter_id);
