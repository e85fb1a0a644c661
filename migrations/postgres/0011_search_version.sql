-- The search index's version per company: a new random value in every transaction that
-- changes the index, so that a server may keep what it read of the index as long as the
-- version it reads back is the same (src/search/cache.rs).
CREATE TABLE search_version (
    company_id  BIGINT NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL
);
