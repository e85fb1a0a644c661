-- Duplicates and merge (SPEC C4).

-- A merged record points to its survivor (it is in the «Corbeille»: «Fusionnée dans …»).
ALTER TABLE contact ADD COLUMN merged_into BIGINT;

-- Other names a contact is found by (the merged record's name).
CREATE TABLE contact_alias (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES company(id),
    contact_id  BIGINT NOT NULL REFERENCES contact(id),
    alias       TEXT NOT NULL,
    merge_id    BIGINT
);
CREATE INDEX contact_alias_contact ON contact_alias(company_id, contact_id);

-- One merge, with what it needs to be undone: both records before, the rows it moved.
CREATE TABLE contact_merge (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id       BIGINT NOT NULL REFERENCES company(id),
    survivor_id      BIGINT NOT NULL REFERENCES contact(id),
    other_id         BIGINT NOT NULL REFERENCES contact(id),
    survivor_before  TEXT NOT NULL,
    survivor_after   TEXT NOT NULL,
    other_before     TEXT NOT NULL,
    moved            TEXT NOT NULL,
    merged_by        BIGINT,
    merged_at        BIGINT NOT NULL,
    undone_by        BIGINT,
    undone_at        BIGINT
);
CREATE INDEX contact_merge_contacts ON contact_merge(company_id, survivor_id);

-- «Pas un doublon»: never proposed again (a < b).
CREATE TABLE not_duplicate (
    company_id  BIGINT NOT NULL REFERENCES company(id),
    a           BIGINT NOT NULL,
    b           BIGINT NOT NULL,
    marked_by   BIGINT,
    marked_at   BIGINT NOT NULL,
    PRIMARY KEY (company_id, a, b)
);

-- Whole-base scans («Doublons»): progress, then the scored pairs found.
CREATE TABLE duplicate_scan (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES company(id),
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    done         BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    started_by   BIGINT,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT
);

CREATE TABLE duplicate_pair (
    company_id  BIGINT NOT NULL,
    scan_id     BIGINT NOT NULL REFERENCES duplicate_scan(id),
    a           BIGINT NOT NULL,
    b           BIGINT NOT NULL,
    score       BIGINT NOT NULL,
    reasons     TEXT NOT NULL,
    PRIMARY KEY (company_id, scan_id, a, b)
);
