-- Issue 29: invoices received from suppliers (Factur-X, CII, UBL), read into the EN 16931
-- terms and checked before they are kept, with their original (docs/e-invoicing.md).
CREATE TABLE received_invoice (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES company(id),
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
    supplier_id     INTEGER REFERENCES contact(id),
    total_ht        INTEGER NOT NULL,
    total_tva       INTEGER NOT NULL,
    total_ttc       INTEGER NOT NULL,
    due_payable     INTEGER NOT NULL,
    -- The lines and the VAT breakdown as read (JSON), for the page.
    detail          TEXT NOT NULL,
    original        BLOB NOT NULL,
    original_name   TEXT NOT NULL,
    original_mime   TEXT NOT NULL,
    created_by      INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (company_id, supplier_siren, supplier_name, number)
);
CREATE INDEX received_invoice_date ON received_invoice(company_id, issue_date);

-- Suppliers are contacts of a kind of their own: outside the client and prospect lists,
-- found by the search. SQLite keeps a CHECK in the table's text: it is widened in place
-- (one more value allowed: no row can break it; the schema is reloaded at once).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''corbeille''))', '''corbeille'', ''fournisseur''))') WHERE type = 'table' AND name = 'contact';
PRAGMA writable_schema = RESET;
