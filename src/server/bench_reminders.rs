//! `ouvrage bench-reminders --invoices N`: planning the day over N open invoices (20 %
//! overdue, some already reminded) in a company of its own, the set-based planner beside
//! a naive per-invoice loop, in the same run. Prints figures; asserts nothing.

use std::time::Instant;

use chrono::{Duration, NaiveDate};

use crate::db::{Db, Tenant, internal, now};
use crate::error::AppError;
use crate::{on_conn, on_pool};

pub async fn run(db: &Db, label: &str, invoices: usize, today: NaiveDate) -> Result<(), AppError> {
    let stamp = crate::mail::outbox::now_ms();
    let company = crate::server::demo::create_company(
        db,
        &format!("Bench relances {stamp}"),
        &format!("relances{stamp}@bench.test"),
        "Bench-Relances-2026",
    )
    .await?;
    let tenant = Tenant::trusted(company);
    let contacts = (invoices / 5).max(1);
    let t = Instant::now();
    seed(db, &tenant, contacts, invoices, today).await?;
    println!("== {label}: {invoices} open invoices ({contacts} clients) seeded in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let r = crate::reminders::planner::plan_company(db, &tenant, "bench.test", today).await?;
    let fast = t.elapsed().as_secs_f64();
    let due: i64 = on_pool!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM reminder_schedule WHERE company_id = $1 AND next_date <= $2")
        .bind(company).bind(today.format("%Y-%m-%d").to_string()).fetch_one(c).await)
    .map_err(internal)?;
    println!("planner (set-based SQL)      : {:>8.3} s  ({} invoices scheduled, {due} due today or before)", fast, r.scheduled);
    let t = Instant::now();
    let n = crate::reminders::planner::plan_naive(db, &tenant).await?;
    let naive = t.elapsed().as_secs_f64();
    println!("baseline: one invoice at once: {:>8.3} s  ({n} invoices scheduled) — the planner is {:.0}× faster", naive, naive / fast);
    Ok(())
}

/// Contacts and issued factures straight into the tables (multi-row inserts).
async fn seed(db: &Db, tenant: &Tenant, contacts: usize, invoices: usize, today: NaiveDate) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let first_contact: i64 = on_conn!(&mut tx, c => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM contact").fetch_one(c).await)
        .map_err(internal)?
        .unwrap_or(0)
        + 1;
    let at = now();
    // Explicit ids (PostgreSQL's identity columns take them only when told).
    let over = if db.is_postgres() { " OVERRIDING SYSTEM VALUE" } else { "" };
    for chunk in (0..contacts).collect::<Vec<_>>().chunks(500) {
        let mut sql = format!("INSERT INTO contact (id, company_id, statut, nom, societe, email, created_at, updated_at){over} VALUES ");
        let mut p = 0;
        for (k, _) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let ps: Vec<String> = (0..4)
                .map(|_| {
                    p += 1;
                    db.dialect().param(p)
                })
                .collect();
            sql.push_str(&format!("({}, {}, 'client', {}, {}, '', {at}, {at})", ps[0], ps[1], ps[2], ps[3]));
        }
        let rows: Vec<(i64, String, String)> = chunk
            .iter()
            .map(|i| (first_contact + *i as i64, format!("Client{i}"), if i % 2 == 0 { format!("Société {i}") } else { String::new() }))
            .collect();
        on_conn!(&mut tx, c => {
            let mut q = sqlx::query(&sql);
            for (id, nom, soc) in &rows {
                q = q.bind(*id).bind(tenant.company_id()).bind(nom).bind(soc);
            }
            q.execute(c).await.map(|_| ())
        })
        .map_err(internal)?;
    }
    let first_doc: i64 = on_conn!(&mut tx, c => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM document").fetch_one(c).await)
        .map_err(internal)?
        .unwrap_or(0)
        + 1;
    for chunk in (0..invoices).collect::<Vec<_>>().chunks(500) {
        let mut sql = format!(
            "INSERT INTO document (id, company_id, contact_id, kind, number, status, doc_date, due_date, total_ht, total_tva, total_ttc, paid, credited, created_at, updated_at){over} VALUES "
        );
        let mut p = 0;
        let mut rows = Vec::new();
        for (k, i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let ps: Vec<String> = (0..6)
                .map(|_| {
                    p += 1;
                    db.dialect().param(p)
                })
                .collect();
            sql.push_str(&format!(
                "({}, {}, {}, 'facture', {}, 'emise', {}, {}, 10000, 2000, 12000, 0, 0, {at}, {at})",
                ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]
            ));
            // One in five is past due (up to 90 days), the others fall due in the coming weeks.
            let due = if i % 5 == 0 { today - Duration::days(1 + (*i as i64 % 90)) } else { today + Duration::days(1 + (*i as i64 % 45)) };
            rows.push((
                first_doc + *i as i64,
                first_contact + (*i % contacts) as i64,
                format!("B-{}-{i:07}", tenant.company_id()),
                (due - Duration::days(30)).format("%Y-%m-%d").to_string(),
                due.format("%Y-%m-%d").to_string(),
            ));
        }
        on_conn!(&mut tx, c => {
            let mut q = sqlx::query(&sql);
            for (id, contact, number, doc_date, due) in &rows {
                q = q.bind(*id).bind(tenant.company_id()).bind(*contact).bind(number).bind(doc_date).bind(due);
            }
            q.execute(c).await.map(|_| ())
        })
        .map_err(internal)?;
    }
    // Some overdue invoices already had their R1 (one letter per invoice, for the figure).
    let reminded: Vec<(i64, i64)> = on_conn!(&mut tx, c => sqlx::query_as("SELECT id, contact_id FROM document WHERE company_id = $1 AND due_date < $2 ORDER BY id LIMIT $3")
        .bind(tenant.company_id()).bind(today.format("%Y-%m-%d").to_string()).bind((invoices / 20) as i64).fetch_all(c).await)
    .map_err(internal)?;
    for (doc, contact) in reminded {
        let letter: i64 = on_conn!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO reminder_letter (company_id, contact_id, level, channel, on_date, amount_due, penalties, indemnity, created_at) VALUES ($1, $2, 'R1', 'courrier', $3, 12000, 0, 0, $4) RETURNING id")
            .bind(tenant.company_id()).bind(contact).bind(today.format("%Y-%m-%d").to_string()).bind(at).fetch_one(c).await)
        .map_err(internal)?;
        on_conn!(&mut tx, c => sqlx::query("INSERT INTO reminder (company_id, letter_id, document_id, level, amount_due, penalties) VALUES ($1, $2, $3, 'R1', 12000, 0)")
            .bind(tenant.company_id()).bind(letter).bind(doc).execute(c).await.map(|_| ()))
        .map_err(internal)?;
    }
    tx.commit().await?;
    if db.is_postgres() {
        on_pool!(db, c => sqlx::query("ANALYZE").execute(c).await.map(|_| ())).map_err(internal)?;
    }
    Ok(())
}
