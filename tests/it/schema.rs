//! The SQLite and PostgreSQL migrations describe one schema: both databases are made fresh
//! and compared — tables, columns (types mapped), nullability, primary and foreign keys,
//! indexes (columns, uniqueness, partial or not) and which tables' events fire triggers.
//! A difference fails the test unless it is listed in `ALLOWED` with its reason.

use crate::common;

use std::collections::BTreeSet;

use ouvrage::db::Db;

/// Differences that are meant, each with its reason.
const ALLOWED: &[(&str, &str)] = &[
    // sqlx keeps its own bookkeeping table, whose columns differ by driver.
    ("table _sqlx_migrations", "sqlx's own migration table"),
];

/// A row of SQLite's `PRAGMA foreign_key_list` (id, seq, table, from, to, on update, on
/// delete, match).
type ForeignKeyRow = (i64, i64, String, String, Option<String>, String, String, String);

/// One fact of a schema, as text (sorted sets compare and print well).
type Facts = BTreeSet<String>;

/// A column's type as one of the kinds both databases share.
fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("bool") {
        "bool"
    } else if t.contains("int") || t == "bigserial" || t == "serial" {
        "int"
    } else if t.contains("char") || t.contains("text") || t.is_empty() {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t.contains("numeric") {
        "float"
    } else {
        "other"
    }
}

async fn sqlite_facts(db: &Db) -> Facts {
    let Db::Sqlite(p, _) = db else { unreachable!() };
    let mut f = Facts::new();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(p)
            .await
            .unwrap();
    for t in &tables {
        if t == "_sqlx_migrations" {
            f.insert(format!("table {t}"));
            continue;
        }
        f.insert(format!("table {t}"));
        let cols: Vec<(i64, String, String, bool, Option<String>, i64)> =
            sqlx::query_as(&format!("PRAGMA table_info({t})")).fetch_all(p).await.unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (_, name, ty, notnull, _, pk_pos) in &cols {
            // A primary key column is NOT NULL in PostgreSQL; SQLite's INTEGER PRIMARY KEY too.
            let not_null = *notnull || *pk_pos > 0;
            f.insert(format!("column {t}.{name} {} {}", kind(ty), if not_null { "not null" } else { "null" }));
            if *pk_pos > 0 {
                pk.push((*pk_pos, name.clone()));
            }
        }
        pk.sort();
        if !pk.is_empty() {
            f.insert(format!("primary key {t} ({})", pk.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", ")));
        }
        let fks: Vec<ForeignKeyRow> = sqlx::query_as(&format!("PRAGMA foreign_key_list({t})")).fetch_all(p).await.unwrap();
        let mut by_id: std::collections::BTreeMap<i64, (String, Vec<String>)> = Default::default();
        for (id, _, target, from, _, _, _, _) in fks {
            by_id.entry(id).or_insert_with(|| (target.clone(), Vec::new())).1.push(from);
        }
        for (_, (target, from)) in by_id {
            f.insert(format!("foreign key {t} ({}) -> {target}", from.join(", ")));
        }
        let indexes: Vec<(i64, String, bool, String, bool)> =
            sqlx::query_as(&format!("PRAGMA index_list({t})")).fetch_all(p).await.unwrap();
        for (_, name, unique, origin, partial) in indexes {
            // Primary keys are compared above.
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(i64, i64, Option<String>)> = sqlx::query_as(&format!("PRAGMA index_info({name})")).fetch_all(p).await.unwrap();
            let cols: Vec<String> = cols.into_iter().map(|(_, _, c)| c.unwrap_or_else(|| "<expression>".into())).collect();
            f.insert(format!(
                "index {t} ({}){}{}",
                cols.join(", "),
                if unique { " unique" } else { "" },
                if partial { " partial" } else { "" }
            ));
        }
    }
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").fetch_all(p).await.unwrap();
    for (table, sql) in triggers {
        let head = sql.to_ascii_uppercase();
        let head = &head[..head.find(" ON ").unwrap_or(head.len())];
        for event in ["INSERT", "UPDATE", "DELETE"] {
            if head.contains(event) {
                f.insert(format!("trigger {table} after {}", event.to_ascii_lowercase()));
            }
        }
    }
    f
}

async fn postgres_facts(db: &Db) -> Facts {
    let Db::Pg(p) = db else { unreachable!() };
    let mut f = Facts::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(p)
    .await
    .unwrap();
    for t in &tables {
        f.insert(format!("table {t}"));
        if t == "_sqlx_migrations" {
            continue;
        }
        let cols: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(t)
        .fetch_all(p)
        .await
        .unwrap();
        for (name, ty, nullable) in cols {
            f.insert(format!("column {t}.{name} {} {}", kind(&ty), if nullable == "NO" { "not null" } else { "null" }));
        }
        // Keys and indexes, from the catalogue (column order as declared).
        let keys: Vec<(String, String, Vec<String>, Option<String>)> = sqlx::query_as(
            "SELECT c.contype::text, c.conname::text, \
                    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), \
                    (SELECT relname::text FROM pg_class WHERE oid = c.confrelid) \
             FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'f')",
        )
        .bind(t)
        .fetch_all(p)
        .await
        .unwrap();
        for (kind_, _, cols, target) in keys {
            match kind_.as_str() {
                "p" => f.insert(format!("primary key {t} ({})", cols.join(", "))),
                _ => f.insert(format!("foreign key {t} ({}) -> {}", cols.join(", "), target.unwrap_or_default())),
            };
        }
        let indexes: Vec<(bool, bool, bool, Vec<String>)> = sqlx::query_as(
            "SELECT i.indisunique, i.indisprimary, i.indpred IS NOT NULL, \
                    ARRAY(SELECT COALESCE(a.attname::text, '<expression>') FROM unnest(i.indkey) WITH ORDINALITY k(n, o) \
                          LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) \
             FROM pg_index i WHERE i.indrelid = $1::regclass",
        )
        .bind(t)
        .fetch_all(p)
        .await
        .unwrap();
        for (unique, primary, partial, cols) in indexes {
            if primary {
                continue;
            }
            f.insert(format!(
                "index {t} ({}){}{}",
                cols.join(", "),
                if unique { " unique" } else { "" },
                if partial { " partial" } else { "" }
            ));
        }
    }
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_object_table::text, lower(event_manipulation::text) FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    .fetch_all(p)
    .await
    .unwrap();
    for (table, event) in triggers {
        f.insert(format!("trigger {table} after {event}"));
    }
    f
}

fn allowed(fact: &str) -> bool {
    ALLOWED.iter().any(|(prefix, _)| fact.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_migrations_describe_one_schema() {
    if !common::postgres_available().await {
        return;
    }
    let (sqlite, _) = common::fresh_db(common::Backend::Sqlite).await;
    let (pg, pg_name) = common::fresh_db(common::Backend::Postgres).await;
    let (s, p) = (sqlite_facts(&sqlite).await, postgres_facts(&pg).await);
    assert!(s.len() > 300 && p.len() > 300, "both schemas read ({} and {} facts)", s.len(), p.len());
    let only_sqlite: Vec<&String> = s.difference(&p).filter(|f| !allowed(f)).collect();
    let only_pg: Vec<&String> = p.difference(&s).filter(|f| !allowed(f)).collect();
    sqlite.close().await;
    pg.close().await;
    common::drop_database(pg_name).await;
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "the two schemas differ:\n  only in SQLite:\n    {}\n  only in PostgreSQL:\n    {}",
        only_sqlite.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    "),
        only_pg.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    ")
    );
}
