-- Search index, second form: a posting list per term, stored as blocks of sorted contact
-- ids (delta varints) and intersected in memory; one row per contact with its terms, to
-- update the postings when the contact changes. Replaces one row per (term, contact).
-- The index is derived data: it is emptied here and rebuilt from `contact` at start-up.
DROP TABLE contact_search;
DROP TABLE search_vocab;
DELETE FROM search_fuzzy;

CREATE TABLE search_doc (
    company_id  INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL,
    terms       TEXT NOT NULL,
    PRIMARY KEY (company_id, contact_id)
) WITHOUT ROWID;

-- A block holds the ids in [first_id, next block's first_id); n = how many.
CREATE TABLE search_block (
    company_id  INTEGER NOT NULL,
    term        TEXT NOT NULL,
    first_id    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    ids         BLOB NOT NULL,
    PRIMARY KEY (company_id, term, first_id)
) WITHOUT ROWID;
