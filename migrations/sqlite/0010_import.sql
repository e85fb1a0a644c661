-- Import of contacts from CSV/XLSX («Clients» › «Importer»), see docs/import-export.md.

-- One import: the file as uploaded (read again by the job), the column mapping, the
-- preview's analysis, and the job's progress. Never deleted: it is the record of who
-- imported what, and the handle to undo it.
CREATE TABLE import_job (
    id               INTEGER PRIMARY KEY,
    company_id       INTEGER NOT NULL REFERENCES company(id),
    user_id          INTEGER NOT NULL REFERENCES app_user(id),
    file_name        TEXT NOT NULL,
    content          BLOB NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('apercu', 'en_cours', 'interrompu', 'termine', 'echec', 'annule')),
    statut           TEXT NOT NULL,
    default_choice   TEXT NOT NULL,
    mapping          TEXT NOT NULL,
    choices          TEXT NOT NULL DEFAULT '',
    analysis         TEXT NOT NULL,
    total_rows       INTEGER NOT NULL DEFAULT 0,
    done_rows        INTEGER NOT NULL DEFAULT 0,
    created          INTEGER NOT NULL DEFAULT 0,
    merged           INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    invalid          INTEGER NOT NULL DEFAULT 0,
    stop_requested   BOOLEAN NOT NULL DEFAULT FALSE,
    heartbeat_at     INTEGER NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    undone_at        INTEGER,
    undone_by        INTEGER
);
CREATE INDEX import_job_company ON import_job(company_id, id);

-- What each applied row did, in the batch's transaction: the handle to undo it.
-- `prior` holds, for a merge into an existing record, the fields as they were.
CREATE TABLE import_row (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    import_id   INTEGER NOT NULL REFERENCES import_job(id),
    row_no      INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contact(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('cree', 'fusionne')),
    prior       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_no)
);
CREATE INDEX import_row_company ON import_row(company_id, import_id);
CREATE INDEX import_row_contact ON import_row(company_id, contact_id);
