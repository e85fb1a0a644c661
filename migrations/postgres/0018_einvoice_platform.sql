-- Issue 29: the company's «Plateforme Agréée» (PA), the deposits of its B2B invoices, and
-- the lifecycle statuses the PA reports (docs/e-invoicing.md).

-- «Paramètres › Facturation électronique». `secret_sealed`: the API secret encrypted
-- with the data key (never in clear, never shown back). The token the PA presents when it
-- pushes statuses: its SHA-256 (`webhook_token_hash`, to find the company) and sealed
-- (`webhook_token_sealed`, shown on the page to give to the PA).
CREATE TABLE einvoice_platform (
    company_id          BIGINT PRIMARY KEY REFERENCES company(id),
    name                TEXT NOT NULL DEFAULT '',
    url                 TEXT NOT NULL DEFAULT '',
    client_id           TEXT NOT NULL DEFAULT '',
    secret_sealed       TEXT NOT NULL DEFAULT '',
    enabled             BOOLEAN NOT NULL DEFAULT FALSE,
    webhook_token_hash  TEXT NOT NULL DEFAULT '',
    webhook_token_sealed TEXT NOT NULL DEFAULT '',
    -- The VAT regime, which sets the e-reporting periods: reel_mensuel | reel_trimestriel |
    -- simplifie (a company in franchise reports as such whatever this says).
    regime_tva          TEXT NOT NULL DEFAULT 'simplifie',
    updated_at          BIGINT NOT NULL
);
CREATE INDEX einvoice_platform_webhook ON einvoice_platform(webhook_token_hash);

-- What goes to the PA, as the mail outbox: pending → claimed → sending → deposited |
-- failed | uncertain (never re-sent without a person). `kind`: 'facture' (an issued B2B
-- facture or avoir, its Factur-X read from document_einvoice), 'statut' (a lifecycle
-- status we emit, «Encaissée», its CDAR in `body`) or 'ereporting' (a period's report in
-- `body`, no document). `idem_key`: once per key.
CREATE TABLE einvoice_deposit (
    id               BIGSERIAL PRIMARY KEY,
    company_id       BIGINT NOT NULL REFERENCES company(id),
    document_id      BIGINT REFERENCES document(id),
    idem_key         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    body             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms  BIGINT NOT NULL,
    claimed_by       TEXT,
    lease_until_ms   BIGINT,
    flow_id          TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    deposited_at     BIGINT,
    UNIQUE (company_id, idem_key)
);
CREATE INDEX einvoice_deposit_due ON einvoice_deposit(status, next_attempt_ms);
CREATE INDEX einvoice_deposit_flow ON einvoice_deposit(flow_id);

-- The lifecycle of an invoice: each status once (`event_id`, the PA's or ours), with the
-- date the PA gives and the date we received it.
CREATE TABLE einvoice_status (
    id           BIGSERIAL PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    document_id  BIGINT NOT NULL REFERENCES document(id),
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    amount       BIGINT,
    status_at    BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    event_id     TEXT NOT NULL,
    UNIQUE (company_id, event_id)
);
CREATE INDEX einvoice_status_document ON einvoice_status(company_id, document_id, status_at);

-- E-reporting transmissions (flux 10): one row per «Transmettre» of a period, `seq` 1 the
-- initial report (IN), the next ones rectifications (RE) that replace it; the file goes
-- through the deposit outbox under `deposit_key`.
CREATE TABLE ereport (
    id           BIGSERIAL PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    kind         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    type_code    TEXT NOT NULL,
    deposit_key  TEXT NOT NULL,
    created_by   BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (company_id, kind, start_date, seq)
);
