-- Search index: the terms of every contact that is not in the «Corbeille», kept current
-- in the same transaction as the contact. Derived data (no foreign keys): rebuilt from
-- `contact` if ever needed.
CREATE TABLE contact_search (
    company_id  INTEGER NOT NULL,
    term        TEXT NOT NULL,
    contact_id  INTEGER NOT NULL,
    PRIMARY KEY (company_id, term, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_search_contact ON contact_search(company_id, contact_id, term);

-- Every term with the number of contacts that have it: prefix expansion and ranking.
CREATE TABLE search_vocab (
    company_id  INTEGER NOT NULL,
    term        TEXT NOT NULL,
    freq        INTEGER NOT NULL,
    PRIMARY KEY (company_id, term)
) WITHOUT ROWID;

-- One-deletion variants of every term (SymSpell): one typo finds the term.
CREATE TABLE search_fuzzy (
    company_id  INTEGER NOT NULL,
    del         TEXT NOT NULL,
    term        TEXT NOT NULL,
    PRIMARY KEY (company_id, del, term)
) WITHOUT ROWID;
