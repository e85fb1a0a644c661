//! The daily schedule. For each company, in one transaction: every open invoice gets its
//! next level (the first of R1, R2, R3, MED it has not reached) and the date that level
//! is due (due date + the level's delay), set-based in SQL; invoices that are paid,
//! cancelled, disputed, or whose client is blocked or in the «Corbeille» get no row (the
//! schedule stops, and resumes by itself when that changes). Then the levels configured
//! as automatic are made for what is due, by e-mail through the outbox. Each invoice
//! reaches each level once (primary key); a missed day is caught up once, the next time
//! the planner runs. Planners on several servers are serialised per company (an advisory
//! lock on PostgreSQL, the write lock on SQLite). The date is a parameter.

use chrono::{Duration, NaiveDate};

use crate::db::{Db, Tenant, Tx, internal};
use crate::error::AppError;
use crate::on_conn;
use crate::reminders::law::Level;
use crate::reminders::store::{Channel, make, settings};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PlanReport {
    /// Open invoices with a next level.
    pub scheduled: u64,
    /// Reminders made automatically (letters, e-mailed).
    pub automatic: u64,
    /// Companies whose planning failed this time (logged; the others were planned).
    pub failed_companies: u64,
}

pub async fn plan(db: &Db, mail_host: &str, today: NaiveDate) -> Result<PlanReport, AppError> {
    let companies: Vec<i64> =
        crate::on_pool!(db, c => sqlx::query_scalar("SELECT id FROM company ORDER BY id").fetch_all(c).await).map_err(internal)?;
    let mut total = PlanReport::default();
    // One company's failure (bad data, a fault) must not stop the others' reminders.
    for id in companies {
        match plan_company(db, &Tenant::trusted(id), mail_host, today).await {
            Ok(r) => {
                total.scheduled += r.scheduled;
                total.automatic += r.automatic;
            }
            Err(e) => {
                tracing::error!(company = id, "reminder planner: this company is skipped this time: {e}");
                total.failed_companies += 1;
            }
        }
    }
    Ok(total)
}

/// The level that follows the highest one an invoice reached (NULL: all reached).
const NEXT_LEVEL: &str = "CASE COALESCE(r.top, 0) WHEN 0 THEN 'R1' WHEN 1 THEN 'R2' WHEN 2 THEN 'R3' WHEN 3 THEN 'MED' END";

pub async fn plan_company(db: &Db, tenant: &Tenant, mail_host: &str, today: NaiveDate) -> Result<PlanReport, AppError> {
    let mut tx = db.begin().await?;
    crate::db::lock_key(&mut tx, 7402, tenant.company_id()).await?;
    let s = settings(&mut tx, tenant).await?;
    let scheduled = schedule(&mut tx, tenant, &s).await?;
    let mut automatic = 0;
    let today_s = today.format("%Y-%m-%d").to_string();
    for (level, on) in [(Level::R1, s.auto_r1), (Level::R2, s.auto_r2), (Level::R3, s.auto_r3)] {
        if !on {
            continue;
        }
        let contacts: Vec<i64> = on_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT DISTINCT s.contact_id FROM reminder_schedule s JOIN contact c ON c.company_id = s.company_id AND c.id = s.contact_id \
             WHERE s.company_id = $1 AND s.next_level = $2 AND s.next_date <= $3 AND c.email <> '' ORDER BY s.contact_id")
            .bind(tenant.company_id()).bind(level.code()).bind(&today_s).fetch_all(c).await)
        .map_err(internal)?;
        for contact in contacts {
            match make(&mut tx, tenant, None, contact, level, "", false, Channel::Email, today, mail_host, true).await {
                Ok(_) => automatic += 1,
                // Nothing of this client is due at this level after all, or its data cannot make
                // a mail: skipped and recorded; a person sees it in the list.
                Err(AppError::Invalid { message, .. }) => {
                    tracing::info!(contact, "automatic {}: {message}", level.code());
                    crate::db::audit(
                        &mut tx,
                        tenant,
                        None,
                        "contact",
                        contact,
                        "reminder_skipped",
                        &format!("{} : {message}", level.code()),
                    )
                    .await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
    if automatic > 0 {
        schedule(&mut tx, tenant, &s).await?;
    }
    tx.commit().await?;
    Ok(PlanReport { scheduled, automatic, failed_companies: 0 })
}

/// Brings the company's schedule up to date with the invoices and their reminders: the
/// day's next levels are computed into a temporary table, then only the rows that
/// changed are written (on an ordinary day, few), so 100,000 open invoices plan in a
/// fraction of a second on both databases.
async fn schedule(tx: &mut Tx, tenant: &Tenant, s: &crate::reminders::model::ReminderSettings) -> Result<u64, AppError> {
    let pg = tx.dialect() == crate::db::Dialect::Postgres;
    let delay = "CASE x.lvl WHEN 'R1' THEN $2 WHEN 'R2' THEN $3 WHEN 'R3' THEN $4 ELSE $5 END";
    let next_date = if pg {
        format!("to_char(x.due_date::date + ({delay})::int, 'YYYY-MM-DD')")
    } else {
        format!("date(x.due_date, '+' || ({delay}) || ' days')")
    };
    // (PostgreSQL takes no parameters in CREATE TABLE AS: the table first, then the rows.)
    let create = if pg {
        "CREATE TEMP TABLE plan_next (document_id BIGINT PRIMARY KEY, contact_id BIGINT NOT NULL, next_level TEXT NOT NULL, next_date TEXT NOT NULL)"
    } else {
        "CREATE TEMP TABLE plan_next (document_id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, next_level TEXT NOT NULL, next_date TEXT NOT NULL)"
    };
    // Dropped at the end (the planner may run this twice in one transaction); statements on
    // it are not kept prepared, as the table is new each time.
    let drop = if pg { "DROP TABLE IF EXISTS pg_temp.plan_next" } else { "DROP TABLE IF EXISTS temp.plan_next" };
    on_conn!(tx, c => sqlx::query(drop).persistent(false).execute(c).await.map(|_| ())).map_err(internal)?;
    on_conn!(tx, c => sqlx::query(create).persistent(false).execute(c).await.map(|_| ())).map_err(internal)?;
    let level_rank = "CASE level WHEN 'R1' THEN 1 WHEN 'R2' THEN 2 WHEN 'R3' THEN 3 ELSE 4 END";
    let sql = format!(
        "INSERT INTO plan_next (document_id, contact_id, next_level, next_date) SELECT x.id AS document_id, x.contact_id, x.lvl AS next_level, {next_date} AS next_date FROM ( \
           SELECT d.id, d.contact_id, d.due_date, {NEXT_LEVEL} AS lvl FROM document d \
           JOIN contact c ON c.company_id = d.company_id AND c.id = d.contact_id \
           LEFT JOIN (SELECT document_id, MAX({level_rank}) AS top FROM reminder WHERE company_id = $1 GROUP BY document_id) r ON r.document_id = d.id \
           WHERE d.company_id = $1 AND d.kind = 'facture' AND d.status IN ('emise', 'partielle') AND d.litige = FALSE \
           AND d.total_ttc - d.paid - d.credited > 0 AND c.statut <> 'corbeille' AND c.bloque = 0 \
         ) x WHERE x.lvl IS NOT NULL"
    );
    let planned = on_conn!(tx, c => sqlx::query(&sql).persistent(false).bind(tenant.company_id()).bind(s.r1_days).bind(s.r2_days).bind(s.r3_days).bind(s.med_days)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if pg {
        on_conn!(tx, c => sqlx::query("ANALYZE plan_next").persistent(false).execute(c).await.map(|_| ())).map_err(internal)?;
    }
    let statements = [
        "DELETE FROM reminder_schedule WHERE company_id = $1 AND document_id NOT IN (SELECT document_id FROM plan_next)",
        "UPDATE reminder_schedule SET contact_id = n.contact_id, next_level = n.next_level, next_date = n.next_date FROM plan_next n \
         WHERE reminder_schedule.company_id = $1 AND reminder_schedule.document_id = n.document_id \
         AND (reminder_schedule.next_level <> n.next_level OR reminder_schedule.next_date <> n.next_date OR reminder_schedule.contact_id <> n.contact_id)",
        "INSERT INTO reminder_schedule (company_id, document_id, contact_id, next_level, next_date) \
         SELECT $1, n.document_id, n.contact_id, n.next_level, n.next_date FROM plan_next n \
         WHERE n.document_id NOT IN (SELECT document_id FROM reminder_schedule WHERE company_id = $1)",
    ];
    for sql in statements {
        on_conn!(tx, c => sqlx::query(sql).persistent(false).bind(tenant.company_id()).execute(c).await.map(|_| ())).map_err(internal)?;
    }
    on_conn!(tx, c => sqlx::query(drop).persistent(false).execute(c).await.map(|_| ())).map_err(internal)?;
    Ok(planned)
}

/// Runs the planner at start (the catch-up) and whenever the date in Paris changes.
pub fn start(db: Db, mail_host: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last: Option<NaiveDate> = None;
        loop {
            let today = crate::fmt::paris_date(crate::db::now());
            if last != Some(today) {
                match plan(&db, &mail_host, today).await {
                    Ok(r) => {
                        last = Some(today);
                        tracing::info!(scheduled = r.scheduled, automatic = r.automatic, "reminder planner");
                    }
                    Err(e) => tracing::warn!("reminder planner: {e}"),
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    })
}

/// The day's work, naively: one invoice at a time (the benchmark's baseline).
pub async fn plan_naive(db: &Db, tenant: &Tenant) -> Result<u64, AppError> {
    let mut tx = db.begin().await?;
    let s = settings(&mut tx, tenant).await?;
    let ids: Vec<(i64, i64, String)> = on_conn!(&mut tx, c => sqlx::query_as(
        "SELECT d.id, d.contact_id, d.due_date FROM document d JOIN contact c ON c.company_id = d.company_id AND c.id = d.contact_id \
         WHERE d.company_id = $1 AND d.kind = 'facture' AND d.status IN ('emise', 'partielle') AND d.litige = FALSE \
         AND d.total_ttc - d.paid - d.credited > 0 AND c.statut <> 'corbeille' AND c.bloque = 0")
        .bind(tenant.company_id()).fetch_all(c).await)
    .map_err(internal)?;
    on_conn!(&mut tx, c => sqlx::query("DELETE FROM reminder_schedule WHERE company_id = $1").bind(tenant.company_id()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    let mut n = 0;
    for (id, contact, due) in ids {
        let done: Vec<String> =
            on_conn!(&mut tx, c => sqlx::query_scalar("SELECT level FROM reminder WHERE company_id = $1 AND document_id = $2")
            .bind(tenant.company_id()).bind(id).fetch_all(c).await)
            .map_err(internal)?;
        let Some(level) = Level::after(done.iter().filter_map(|d| Level::from_code(d))) else { continue };
        let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap_or_default();
        let next = (due + Duration::days(s.delay(level))).format("%Y-%m-%d").to_string();
        on_conn!(&mut tx, c => sqlx::query("INSERT INTO reminder_schedule (company_id, document_id, contact_id, next_level, next_date) VALUES ($1, $2, $3, $4, $5)")
            .bind(tenant.company_id()).bind(id).bind(contact).bind(level.code()).bind(&next).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
