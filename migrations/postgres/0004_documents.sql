-- Commercial documents (SPEC C7). Amounts in integer cents; dates as 'YYYY-MM-DD'.

-- «Bloquer la gestion commerciale» and «Plafond d'encours» (NULL: none), per contact.
ALTER TABLE contact ADD COLUMN bloque BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contact ADD COLUMN bloque_motif TEXT NOT NULL DEFAULT '';
ALTER TABLE contact ADD COLUMN plafond_encours BIGINT;

-- What the documents' header says about the company.
ALTER TABLE company ADD COLUMN adresse TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN code_postal TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN ville TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN siret TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN telephone TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- A devis, facture or avoir. `number` is given at issue time (gap-free per company, kind
-- and year); `source_id` is the devis a facture came from, or the facture of an avoir.
CREATE TABLE document (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES company(id),
    contact_id    BIGINT NOT NULL REFERENCES contact(id),
    kind          TEXT NOT NULL CHECK (kind IN ('devis', 'facture', 'avoir')),
    number        TEXT,
    status        TEXT NOT NULL CHECK (status IN ('brouillon', 'emise', 'partielle', 'payee', 'annulee')),
    doc_date      TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    source_id     BIGINT REFERENCES document(id),
    total_ht      BIGINT NOT NULL,
    total_tva     BIGINT NOT NULL,
    total_ttc     BIGINT NOT NULL,
    paid          BIGINT NOT NULL DEFAULT 0,
    credited      BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    issued_at     BIGINT,
    UNIQUE (company_id, number)
);
CREATE INDEX document_contact ON document(company_id, contact_id);

CREATE TABLE document_line (
    company_id     BIGINT NOT NULL,
    document_id    BIGINT NOT NULL REFERENCES document(id),
    position       BIGINT NOT NULL,
    designation    TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price     BIGINT NOT NULL,
    vat_bp         BIGINT NOT NULL,
    total_ht       BIGINT NOT NULL,
    total_tva      BIGINT NOT NULL,
    PRIMARY KEY (company_id, document_id, position)
);

-- The last number given, per company, kind and year (the row is the lock).
CREATE TABLE document_counter (
    company_id  BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    year        BIGINT NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (company_id, kind, year)
);

-- The PDF of an issued document, made once at issue time: what was sent stays as sent.
CREATE TABLE document_pdf (
    company_id   BIGINT NOT NULL,
    document_id  BIGINT NOT NULL REFERENCES document(id),
    data         BYTEA NOT NULL,
    PRIMARY KEY (company_id, document_id)
);

CREATE TABLE payment (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    document_id  BIGINT NOT NULL REFERENCES document(id),
    paid_on      TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    method       TEXT NOT NULL,
    created_by   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX payment_document ON payment(company_id, document_id);

-- Files imported into a client's «Porte doc» (kept in the database: one backup, one
-- transaction, scoped by company like everything else).
CREATE TABLE stored_file (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES company(id),
    contact_id  BIGINT NOT NULL REFERENCES contact(id),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX stored_file_contact ON stored_file(company_id, contact_id);
