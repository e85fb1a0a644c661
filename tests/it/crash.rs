//! Crash safety: the real binary under a write load (contacts, invoices issued, payments,
//! merges)
//! is killed with SIGKILL at random moments 20 times and restarted; every write the client
//! saw acknowledged is there, invoice numbers stay gap-free, and SQLite's integrity check
//! passes. Same against PostgreSQL.

use crate::common;

use std::process::Child;
use std::time::Duration;

use crate::common::{Backend, Client, free_port, process_client as client};

both_databases!(acknowledged_writes_survive_sigkill);

const ADMIN: (&str, &str) = ("crash@test.fr", "Crash-Test-2026!");

fn start(url: &str, port: u16) -> Child {
    common::server_process(url, port, ADMIN, &[])
}

async fn logged_in(port: u16) -> Client {
    for _ in 0..200 {
        let c = client(port);
        let r = c.http.post(format!("{}/api/login", c.base)).form(&[("email", ADMIN.0), ("password", ADMIN.1)]).send().await;
        if r.is_ok_and(|r| r.status().as_u16() == 200) {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// A call that may be cut by the kill: `None` when no answer came back.
async fn try_call(c: &Client, endpoint: &str, form: &[(&str, &str)]) -> Option<(u16, String)> {
    let r = c.http.post(format!("{}/api/{endpoint}", c.base)).form(form).send().await.ok()?;
    let status = r.status().as_u16();
    Some((status, r.text().await.ok()?))
}

async fn acknowledged_writes_survive_sigkill(b: Backend) {
    let (db, pg_name) = common::fresh_db(b).await;
    let url = common::db_url(&db).await;
    db.close().await;
    let mut seed = 0x5EED_u64;
    let mut acked_contacts: Vec<String> = Vec::new();
    let mut acked_numbers: Vec<String> = Vec::new();
    let mut acked_payments = 0i64;
    let mut acked_merges = 0i64;
    let mut contact_id: Option<String> = None;
    let rounds = 20;
    for round in 0..rounds {
        let port = free_port();
        let mut child = start(&url, port);
        let c = logged_in(port).await;
        if contact_id.is_none() {
            // A real company completes its identity before it issues invoices.
            assert_eq!(common::post_identity(&c, &[]).await.status, 200);
            let r = try_call(&c, "contacts/create", &[("statut", "client"), ("nom", "Facturé"), ("societe", "Crash SARL")]).await.unwrap();
            assert_eq!(r.0, 200);
            acked_contacts.push("Facturé".into());
            let list = try_call(&c, "contacts/list", &[("statut", "client"), ("sort", "recent")]).await.unwrap();
            contact_id = Some(serde_json::from_str::<serde_json::Value>(&list.1).unwrap()["rows"][0]["id"].to_string());
        }
        let cid = contact_id.clone().unwrap();
        // Writes until the kill, each one recorded only once acknowledged.
        let writer = {
            let c2 = logged_in(port).await;
            let cid = cid.clone();
            tokio::spawn(async move {
                let (mut contacts, mut numbers, mut payments, mut merges) = (Vec::new(), Vec::new(), 0i64, 0i64);
                let mut last: Option<String> = None;
                for i in 0.. {
                    let nom = format!("Round{round}-{i}");
                    match try_call(&c2, "contacts/create", &[("statut", "client"), ("nom", &nom), ("prenom", "Crash")]).await {
                        Some((200, _)) => contacts.push(nom),
                        _ => break,
                    }
                    // Every fifth contact is merged into the one before it.
                    if i % 5 == 4 {
                        let Some((200, list)) = try_call(&c2, "contacts/list", &[("statut", "client"), ("sort", "recent")]).await else {
                            break;
                        };
                        let newest = serde_json::from_str::<serde_json::Value>(&list).unwrap()["rows"][0]["id"].to_string();
                        if let Some(survivor) = last.take() {
                            match try_call(&c2, "duplicates/merge", &[("survivor", &survivor), ("other", &newest)]).await {
                                Some((200, _)) => merges += 1,
                                _ => break,
                            }
                        }
                        last = Some(newest);
                    }
                    if i % 3 == 0 {
                        let Some((200, id)) = try_call(
                            &c2,
                            "documents/create",
                            &[
                                ("contact_id", &cid),
                                ("kind", "facture"),
                                ("doc_date", "2026-11-29"),
                                ("designation[]", "x"),
                                ("unit_price[]", "10"),
                                ("vat[]", "2000"),
                            ],
                        )
                        .await
                        else {
                            break;
                        };
                        match try_call(&c2, "documents/issue", &[("id", &id)]).await {
                            Some((200, n)) => numbers.push(n.trim_matches('"').to_string()),
                            _ => break,
                        }
                        match try_call(
                            &c2,
                            "documents/pay",
                            &[("id", &id), ("paid_on", "2026-11-30"), ("amount", "5"), ("method", "Chèque")],
                        )
                        .await
                        {
                            Some((200, _)) => payments += 1,
                            _ => break,
                        }
                    }
                }
                (contacts, numbers, payments, merges)
            })
        };
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        tokio::time::sleep(Duration::from_millis(150 + (seed >> 33) % 500)).await;
        child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
        let _ = child.wait();
        let (contacts, numbers, payments, merges) = writer.await.unwrap();
        acked_merges += merges;
        acked_contacts.extend(contacts);
        acked_numbers.extend(numbers);
        acked_payments += payments;
    }
    // Reopen the database as the application does and check.
    let db = ouvrage::db::Db::connect(&url).await.unwrap();
    let names: Vec<String> = ouvrage::on_pool!(&db, c => sqlx::query_scalar("SELECT nom FROM contact").fetch_all(c).await).unwrap();
    let lost: Vec<&String> = acked_contacts.iter().filter(|n| !names.contains(n)).collect();
    assert!(lost.is_empty(), "acknowledged contacts lost: {lost:?}");
    let numbers: Vec<String> = ouvrage::on_pool!(&db, c => sqlx::query_scalar("SELECT number FROM document WHERE number IS NOT NULL ORDER BY number").fetch_all(c).await).unwrap();
    for n in &acked_numbers {
        assert!(numbers.contains(n), "acknowledged invoice {n} lost");
    }
    assert!(acked_numbers.len() >= rounds, "invoices were issued through the kills: {}", acked_numbers.len());
    assert!(acked_merges > 0, "merges were made through the kills");
    let expected: Vec<String> = (1..=numbers.len()).map(|i| format!("F-2026-{i:05}")).collect();
    assert_eq!(numbers, expected, "invoice numbers stay gap-free across kills");
    let paid: i64 = ouvrage::on_pool!(&db, c => sqlx::query_scalar("SELECT COUNT(*) FROM payment").fetch_one(c).await).unwrap();
    assert!(paid >= acked_payments, "acknowledged payments lost: {paid} < {acked_payments}");
    let merged: i64 = ouvrage::on_pool!(&db, c => sqlx::query_scalar("SELECT COUNT(*) FROM contact_merge").fetch_one(c).await).unwrap();
    assert!(merged >= acked_merges, "acknowledged merges lost: {merged} < {acked_merges}");
    if let ouvrage::db::Db::Sqlite(p, _) = &db {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(p).await.unwrap();
        assert_eq!(check, "ok");
    }
    eprintln!(
        "crash safety ({b:?}): {rounds} SIGKILLs, {} contacts, {} invoices, {acked_payments} payments, {acked_merges} merges acknowledged; lost 0",
        acked_contacts.len(),
        acked_numbers.len()
    );
    db.close().await;
    common::drop_database(pg_name).await;
}
