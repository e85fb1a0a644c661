-- Duplicates and merge (SPEC C4).

-- A merged record points to its survivor (it is in the «Corbeille»: «Fusionnée dans …»).
ALTER TABLE contact ADD COLUMN merged_into INTEGER;

-- Other names a contact is found by (the merged record's name).
CREATE TABLE contact_alias (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES company(id),
    contact_id  INTEGER NOT NULL REFERENCES contact(id),
    alias       TEXT NOT NULL,
    merge_id    INTEGER
);
CREATE INDEX contact_alias_contact ON contact_alias(company_id, contact_id);

-- One merge, with what it needs to be undone: both records before, the rows it moved.
CREATE TABLE contact_merge (
    id               INTEGER PRIMARY KEY,
    company_id       INTEGER NOT NULL REFERENCES company(id),
    survivor_id      INTEGER NOT NULL REFERENCES contact(id),
    other_id         INTEGER NOT NULL REFERENCES contact(id),
    survivor_before  TEXT NOT NULL,
    survivor_after   TEXT NOT NULL,
    other_before     TEXT NOT NULL,
    moved            TEXT NOT NULL,
    merged_by        INTEGER,
    merged_at        INTEGER NOT NULL,
    undone_by        INTEGER,
    undone_at        INTEGER
);
CREATE INDEX contact_merge_contacts ON contact_merge(company_id, survivor_id);

-- «Pas un doublon»: never proposed again (a < b).
CREATE TABLE not_duplicate (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    a           INTEGER NOT NULL,
    b           INTEGER NOT NULL,
    marked_by   INTEGER,
    marked_at   INTEGER NOT NULL,
    PRIMARY KEY (company_id, a, b)
);

-- Whole-base scans («Doublons»): progress, then the scored pairs found.
CREATE TABLE duplicate_scan (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES company(id),
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    done         INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    started_by   INTEGER,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);

CREATE TABLE duplicate_pair (
    company_id  INTEGER NOT NULL,
    scan_id     INTEGER NOT NULL REFERENCES duplicate_scan(id),
    a           INTEGER NOT NULL,
    b           INTEGER NOT NULL,
    score       INTEGER NOT NULL,
    reasons     TEXT NOT NULL,
    PRIMARY KEY (company_id, scan_id, a, b)
);
