-- Search index, second form: a posting list per term, stored as blocks of sorted contact
-- ids (delta varints) and intersected in memory; one row per contact with its terms, to
-- update the postings when the contact changes. Replaces one row per (term, contact).
-- The index is derived data: it is emptied here and rebuilt from `contact` at start-up.
DROP TABLE contact_search;
DROP TABLE search_vocab;
DELETE FROM search_fuzzy;

CREATE TABLE search_doc (
    company_id  BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL,
    terms       TEXT NOT NULL,
    PRIMARY KEY (company_id, contact_id)
);

-- A block holds the ids in [first_id, next block's first_id); n = how many.
CREATE TABLE search_block (
    company_id  BIGINT NOT NULL,
    term        TEXT COLLATE "C" NOT NULL,
    first_id    BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    ids         BYTEA NOT NULL,
    PRIMARY KEY (company_id, term, first_id)
);
