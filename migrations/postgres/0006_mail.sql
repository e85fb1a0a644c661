-- Outgoing mail (SPEC C9). A mail is written here in the transaction of the business
-- change that causes it; the outbox worker sends it. One idempotency key per company is
-- sent at most once (see docs/mail.md for the states and the crash edge).
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id      BIGINT NOT NULL REFERENCES company(id),
    idem_key        TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       BIGINT,
    created_by      BIGINT,
    from_addr       TEXT NOT NULL,
    from_name       TEXT NOT NULL,
    reply_to        TEXT NOT NULL,
    sent_from       TEXT NOT NULL DEFAULT '',
    sender_note     TEXT NOT NULL DEFAULT '',
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    -- pending → claimed → sending → sent | failed | uncertain (pending again on a transient failure)
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    lease_until_ms  BIGINT,
    claimed_by      TEXT,
    smtp_reply      TEXT NOT NULL DEFAULT '',
    advice          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE UNIQUE INDEX outbox_key ON outbox(company_id, idem_key);
CREATE INDEX outbox_due ON outbox(status, next_attempt_ms);
CREATE INDEX outbox_entity ON outbox(company_id, entity, entity_id);

CREATE TABLE outbox_attachment (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES company(id),
    outbox_id   BIGINT NOT NULL REFERENCES outbox(id),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    data        BYTEA NOT NULL
);
CREATE INDEX outbox_attachment_mail ON outbox_attachment(company_id, outbox_id);

-- «Vérifier mon domaine»: the last SPF/DMARC check of a sender domain (a cache with a TTL).
CREATE TABLE mail_domain_check (
    company_id  BIGINT NOT NULL REFERENCES company(id),
    domain      TEXT NOT NULL,
    status      TEXT NOT NULL,
    report      TEXT NOT NULL,
    checked_at  BIGINT NOT NULL,
    PRIMARY KEY (company_id, domain)
);
