-- Issue 29: electronic invoicing. An issued facture or avoir keeps, beside its PDF, its
-- electronic forms made at the same moment from the same numbers (docs/e-invoicing.md):
-- the Factur-X PDF/A-3 (EN 16931 profile, the CII XML embedded as factur-x.xml), the CII
-- XML itself and the UBL 2.1 XML. Never changed after issue.
CREATE TABLE document_einvoice (
    company_id   INTEGER NOT NULL,
    document_id  INTEGER NOT NULL REFERENCES document(id),
    facturx      BLOB NOT NULL,
    cii          TEXT NOT NULL,
    ubl          TEXT NOT NULL,
    PRIMARY KEY (company_id, document_id)
);

-- «Remise %» of a document line, in basis points (10 % = 1000): the line's total HT is its
-- gross (quantity × unit price, rounded) less the discount (rounded); an EN 16931 line
-- allowance (BG-27) in the electronic forms.
ALTER TABLE document_line ADD COLUMN discount_bp INTEGER NOT NULL DEFAULT 0;
