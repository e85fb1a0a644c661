-- Search index: the terms of every contact that is not in the «Corbeille», kept current
-- in the same transaction as the contact. Derived data (no foreign keys). Terms compare
-- bytewise (COLLATE "C"), as on SQLite, so that prefix ranges agree on both databases.
CREATE TABLE contact_search (
    company_id  BIGINT NOT NULL,
    term        TEXT COLLATE "C" NOT NULL,
    contact_id  BIGINT NOT NULL,
    PRIMARY KEY (company_id, term, contact_id)
);
CREATE INDEX contact_search_contact ON contact_search(company_id, contact_id, term);

CREATE TABLE search_vocab (
    company_id  BIGINT NOT NULL,
    term        TEXT COLLATE "C" NOT NULL,
    freq        BIGINT NOT NULL,
    PRIMARY KEY (company_id, term)
);

CREATE TABLE search_fuzzy (
    company_id  BIGINT NOT NULL,
    del         TEXT COLLATE "C" NOT NULL,
    term        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (company_id, del, term)
);
