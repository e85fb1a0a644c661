-- Issue 27, point 7: sending as a domain is tied to the company that proved it.
-- «Vérifier mon domaine» gives the company a token per domain; the company publishes the
-- TXT record `_ouvrage.<domain>` = `ouvrage-verification=<token>`. When the check sees
-- it, the domain is claimed (`verified_at`): one company at most holds a domain (the
-- first to prove it), whatever the timing (the unique index below). Mail goes From a
-- user's address only when their company holds the domain, its token is still seen and
-- SPF authorises us (docs/mail.md).
CREATE TABLE mail_domain_verification (
    company_id  INTEGER NOT NULL REFERENCES company(id),
    domain      TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_by  INTEGER,
    created_at  INTEGER NOT NULL,
    -- when this company proved the domain first; NULL while not proved
    verified_at INTEGER,
    -- the last check: pending | verified | other_company | unknown | revoked (by
    -- Ouvrage's administrator, never claimed again automatically)
    state       TEXT NOT NULL DEFAULT 'pending',
    checked_at  INTEGER,
    PRIMARY KEY (company_id, domain)
);
CREATE UNIQUE INDEX mail_domain_owner ON mail_domain_verification(domain) WHERE verified_at IS NOT NULL;
