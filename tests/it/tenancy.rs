//! Every SQL statement that touches a business table names `company_id`, except the few
//! that run before the company is known (listed here with their reason). A new query
//! without the tenant's scope fails this test.

const BUSINESS_TABLES: &[&str] = &[
    "app_user",
    "user_right",
    "user_session",
    "user_pref",
    "audit",
    "contact",
    "contact_phone",
    "search_doc",
    "search_block",
    "search_fuzzy",
    "document",
    "document_line",
    "document_counter",
    "document_pdf",
    "payment",
    "stored_file",
    "outbox",
    "outbox_attachment",
    "mail_domain_check",
    "action_type",
    "action_response",
    "action",
    "action_share",
    "reminder_settings",
    "reminder_template",
    "rate",
    "reminder_schedule",
    "reminder_letter",
    "reminder",
    "question",
    "answer",
    "sav",
    "service",
    "user_layout",
    "recent_view",
    "import_job",
    "import_row",
    "search_version",
    "mail_domain_verification",
];

/// (file, start of the statement, why it is not scoped by company)
const UNSCOPED: &[(&str, &str, &str)] = &[
    (
        "src/auth/store.rs",
        "SELECT id, company_id, password_hash, active FROM app_user WHERE email",
        "login: finds the company from the e-mail",
    ),
    ("src/auth/store.rs", "UPDATE user_session SET revoked_at = $1 WHERE token_hash", "logout: the token identifies the session"),
    ("src/auth/store.rs", "UPDATE user_session SET last_seen_at", "by the session's primary key, found by token"),
    ("src/server/demo.rs", "SELECT id FROM app_user WHERE email", "demo users: e-mails are unique across companies"),
    ("src/server/seed.rs", "SELECT MAX(id) FROM contact", "bulk seed: contact ids are global to the table"),
    ("src/server/bench_reminders.rs", "SELECT MAX(id) FROM contact", "bulk seed: contact ids are global to the table"),
    ("src/server/bench_reminders.rs", "SELECT MAX(id) FROM document", "bulk seed: document ids are global to the table"),
    ("src/mail/outbox.rs", "SELECT id FROM outbox WHERE status = 'pending'", "the outbox worker serves every company"),
    (
        "src/actions/alerts.rs",
        "SELECT a.id, a.company_id, a.author_id",
        "the alert planner serves every company (each row then acts for its company_id)",
    ),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'claimed'", "the outbox worker serves every company"),
    ("src/mail/outbox.rs", "SELECT id, company_id, from_addr", "the worker reads the row it claimed, by primary key"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'sending'", "the worker's own claim, by primary key"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'sent'", "the worker's own claim, by primary key"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'pending', smtp_reply", "the worker's own claim, by primary key"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'failed'", "the worker's own claim, by primary key"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'pending', claimed_by = NULL", "claims given back, by worker or expired lease"),
    ("src/mail/outbox.rs", "UPDATE outbox SET status = 'uncertain'", "claims given back, by worker or expired lease"),
];

fn literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = src.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if c == '"' && prev != '\'' && prev != 'r' {
            let mut s = String::new();
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        if let Some(e) = chars.next() {
                            if e == '\n' {
                                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                    chars.next();
                                }
                            } else {
                                s.push(e);
                            }
                        }
                    }
                    '"' => break,
                    d => s.push(d),
                }
            }
            out.push(s);
            prev = '"';
        } else {
            prev = c;
        }
    }
    out
}

fn tables(sql: &str) -> Vec<String> {
    let words: Vec<&str> = sql.split(|c: char| c.is_whitespace() || c == '(' || c == ',').filter(|w| !w.is_empty()).collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0].to_uppercase().as_str(), "FROM" | "JOIN" | "UPDATE" | "INTO"))
        .map(|w| w[1].to_string())
        .collect()
}

#[test]
fn every_business_statement_is_scoped_by_company() {
    let mut checked = 0;
    let mut violations = Vec::new();
    for (file, src) in crate::common::source_files() {
        let rel = format!("src/{file}");
        for sql in literals(&src) {
            let upper = sql.to_uppercase();
            let is_sql = ["SELECT ", "UPDATE ", "DELETE FROM ", "INSERT INTO "]
                .iter()
                .any(|k| upper.starts_with(k) || upper.contains(&format!(" {k}")));
            if !is_sql || !tables(&sql).iter().any(|t| BUSINESS_TABLES.contains(&t.as_str())) {
                continue;
            }
            checked += 1;
            if sql.contains("company_id") {
                continue;
            }
            if UNSCOPED.iter().any(|(file, start, _)| *file == rel && sql.starts_with(start)) {
                continue;
            }
            violations.push(format!("{rel}: {sql}"));
        }
    }
    assert!(checked >= 25, "the scanner found only {checked} statements: it is broken");
    assert!(violations.is_empty(), "statements without company scope:\n{}", violations.join("\n"));
}

#[test]
fn the_scanner_catches_an_unscoped_statement() {
    let src = r#"let sql = "SELECT nom FROM contact WHERE id = $1";"#;
    let found = literals(src);
    assert_eq!(found, vec!["SELECT nom FROM contact WHERE id = $1".to_string()]);
    assert_eq!(tables(&found[0]), vec!["contact".to_string()]);
    assert!(!found[0].contains("company_id"));
}
