-- Import of contacts from CSV/XLSX («Clients» › «Importer»), see docs/import-export.md.

-- One import: the file as uploaded (read again by the job), the column mapping, the
-- preview's analysis, and the job's progress. Never deleted: it is the record of who
-- imported what, and the handle to undo it.
CREATE TABLE import_job (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id       BIGINT NOT NULL REFERENCES company(id),
    user_id          BIGINT NOT NULL REFERENCES app_user(id),
    file_name        TEXT NOT NULL,
    content          BYTEA NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('apercu', 'en_cours', 'interrompu', 'termine', 'echec', 'annule')),
    statut           TEXT NOT NULL,
    default_choice   TEXT NOT NULL,
    mapping          TEXT NOT NULL,
    choices          TEXT NOT NULL DEFAULT '',
    analysis         TEXT NOT NULL,
    total_rows       BIGINT NOT NULL DEFAULT 0,
    done_rows        BIGINT NOT NULL DEFAULT 0,
    created          BIGINT NOT NULL DEFAULT 0,
    merged           BIGINT NOT NULL DEFAULT 0,
    skipped          BIGINT NOT NULL DEFAULT 0,
    invalid          BIGINT NOT NULL DEFAULT 0,
    stop_requested   BOOLEAN NOT NULL DEFAULT FALSE,
    heartbeat_at     BIGINT NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    undone_at        BIGINT,
    undone_by        BIGINT
);
CREATE INDEX import_job_company ON import_job(company_id, id);

-- What each applied row did, in the batch's transaction: the handle to undo it.
-- `prior` holds, for a merge into an existing record, the fields as they were.
CREATE TABLE import_row (
    company_id  BIGINT NOT NULL REFERENCES company(id),
    import_id   BIGINT NOT NULL REFERENCES import_job(id),
    row_no      BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL REFERENCES contact(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('cree', 'fusionne')),
    prior       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_no)
);
CREATE INDEX import_row_company ON import_row(company_id, import_id);
CREATE INDEX import_row_contact ON import_row(company_id, contact_id);
