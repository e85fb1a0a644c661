-- Issue 29: invoices received from suppliers (Factur-X, CII, UBL), read into the EN 16931
-- terms and checked before they are kept, with their original (docs/e-invoicing.md).
CREATE TABLE received_invoice (
    id              BIGSERIAL PRIMARY KEY,
    company_id      BIGINT NOT NULL REFERENCES company(id),
    syntax          TEXT NOT NULL,
    number          TEXT NOT NULL,
    type_code       TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL DEFAULT '',
    supplier_name   TEXT NOT NULL,
    supplier_siren  TEXT NOT NULL DEFAULT '',
    supplier_vat    TEXT NOT NULL DEFAULT '',
    supplier_address TEXT NOT NULL DEFAULT '',
    -- The supplier as a contact of the kind «Fournisseur» (found by its SIREN, else made).
    supplier_id     BIGINT REFERENCES contact(id),
    total_ht        BIGINT NOT NULL,
    total_tva       BIGINT NOT NULL,
    total_ttc       BIGINT NOT NULL,
    due_payable     BIGINT NOT NULL,
    -- The lines and the VAT breakdown as read (JSON), for the page.
    detail          TEXT NOT NULL,
    original        BYTEA NOT NULL,
    original_name   TEXT NOT NULL,
    original_mime   TEXT NOT NULL,
    created_by      BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (company_id, supplier_siren, supplier_name, number)
);
CREATE INDEX received_invoice_date ON received_invoice(company_id, issue_date);

-- Suppliers are contacts of a kind of their own: outside the client and prospect lists,
-- found by the search.
ALTER TABLE contact DROP CONSTRAINT contact_statut_check;
ALTER TABLE contact ADD CONSTRAINT contact_statut_check CHECK (statut IN ('prospect', 'client', 'corbeille', 'fournisseur'));
