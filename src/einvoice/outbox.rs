//! What goes to the company's Plateforme Agréée, queued in the caller's transaction and
//! sent by the worker (`einvoice::worker`), as the mail outbox (docs/mail.md) does:
//! `pending` → `claimed` (a worker holds it, lease) → `sending` (its HTTP request has
//! begun) → `deposited` | `failed` | `uncertain`; back to `pending` with a later
//! `next_attempt_ms` after a transient failure. A claim whose lease ran out goes back to
//! `pending` if its request had not begun, else to `uncertain`: never sent again without a
//! person («Redéposer»), unless the PA, asked for our tracking id, shows it has it.

use sqlx::FromRow;

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::mail::outbox::now_ms;
use crate::on_conn;

/// Attempts before a transient failure becomes `failed`.
pub const MAX_ATTEMPTS: i64 = 8;
/// The first retry's delay; each next one doubles, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let shift = (attempts.max(1) - 1).min(20) as u32;
    (2_000i64 << shift).min(3_600_000)
}

pub const UNCERTAIN_ADVICE: &str = "La plateforme n'a pas confirmé le dépôt (délai dépassé ou connexion coupée) : la facture est peut-être déposée. \
    Vérifiez sur la plateforme avant de cliquer sur « Redéposer ».";

/// Queues the deposit of an issued B2B facture or avoir (its Factur-X), once.
pub async fn enqueue_invoice(tx: &mut Tx, tenant: &Tenant, document_id: i64) -> Result<(), AppError> {
    enqueue(tx, tenant, Some(document_id), &format!("facture:{document_id}"), "facture", "").await
}

/// Queues a lifecycle status we emit (its CDAR in `body`), once per `key`.
pub async fn enqueue_status(tx: &mut Tx, tenant: &Tenant, document_id: i64, key: &str, body: &str) -> Result<(), AppError> {
    enqueue(tx, tenant, Some(document_id), key, "statut", body).await
}

/// Queues an e-reporting file (its XML in `body`), once per `key`.
pub async fn enqueue_report(tx: &mut Tx, tenant: &Tenant, key: &str, body: &str) -> Result<(), AppError> {
    enqueue(tx, tenant, None, key, "ereporting", body).await
}

async fn enqueue(tx: &mut Tx, tenant: &Tenant, document_id: Option<i64>, key: &str, kind: &str, body: &str) -> Result<(), AppError> {
    let sql = "INSERT INTO einvoice_deposit (company_id, document_id, idem_key, kind, body, status, next_attempt_ms, created_at) \
               VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) ON CONFLICT (company_id, idem_key) DO NOTHING";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(document_id).bind(key).bind(kind).bind(body).bind(now_ms()).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// «Redéposer» a failed or uncertain deposit: a person decided it should go (again).
pub async fn retry(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Option<i64>, AppError> {
    let sql = "UPDATE einvoice_deposit SET status = 'pending', attempts = 0, next_attempt_ms = $1, last_error = '' \
               WHERE company_id = $2 AND id = $3 AND status IN ('failed', 'uncertain') RETURNING document_id";
    let doc: Option<Option<i64>> =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(now_ms()).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
            .map_err(internal)?;
    if let Some(doc) = doc {
        return Ok(doc);
    }
    let exists = "SELECT COUNT(*) FROM einvoice_deposit WHERE company_id = $1 AND id = $2";
    let n: i64 = on_conn!(tx, c => sqlx::query_scalar(exists).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound("Dépôt".into()));
    }
    Err(AppError::invalid("id", "Ce dépôt n'est ni refusé ni incertain : il n'y a rien à redéposer."))
}

/// A claimed item, ready to go.
#[derive(FromRow, Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub company_id: i64,
    /// None for an e-reporting file.
    pub document_id: Option<i64>,
    pub idem_key: String,
    pub kind: String,
    pub body: String,
    pub attempts: i64,
}

/// Claims up to `n` due items for `worker` (one transaction; `SKIP LOCKED` on PostgreSQL).
pub async fn claim(db: &Db, worker: &str, n: i64, lease_ms: i64) -> Result<Vec<Claimed>, AppError> {
    let now = now_ms();
    let sql = format!(
        "UPDATE einvoice_deposit SET status = 'claimed', claimed_by = $1, lease_until_ms = $2 WHERE id IN \
         (SELECT id FROM einvoice_deposit WHERE status = 'pending' AND next_attempt_ms <= $3 ORDER BY next_attempt_ms, id LIMIT $4{}) \
         RETURNING id, company_id, document_id, idem_key, kind, body, attempts",
        db.dialect().skip_locked(None)
    );
    let mut tx = db.begin().await?;
    let mut rows: Vec<Claimed> =
        on_conn!(&mut tx, c => sqlx::query_as(&sql).bind(worker).bind(now + lease_ms).bind(now).bind(n).fetch_all(c).await)
            .map_err(internal)?;
    tx.commit().await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// How one request to the PA ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Deposited {
        flow_id: String,
    },
    /// Not taken, worth retrying (connection refused, 429, 5xx).
    Transient {
        error: String,
    },
    /// Refused for good (4xx: the file, the credentials): a person must act.
    Permanent {
        error: String,
    },
    /// The request went and no answer came back (timeout, cut): it may be deposited.
    Uncertain {
        error: String,
    },
}

/// Marks an item as begun: from here a crash leaves it `uncertain`, never re-sent.
pub async fn begin(db: &Db, worker: &str, id: i64) -> Result<bool, AppError> {
    let sql =
        "UPDATE einvoice_deposit SET status = 'sending', attempts = attempts + 1 WHERE id = $1 AND status = 'claimed' AND claimed_by = $2";
    let n =
        crate::on_pool!(db, c => sqlx::query(sql).bind(id).bind(worker).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    Ok(n == 1)
}

/// Records how an item ended (one commit), if it is still the one begun: an item given
/// back meanwhile (its lease ran out, then «Redéposer») is not overwritten.
pub async fn record(db: &Db, item: &Claimed, outcome: &Outcome) -> Result<(), AppError> {
    let attempts = item.attempts + 1;
    let mut tx = db.begin().await?;
    let r = match outcome {
        Outcome::Deposited { flow_id } => on_conn!(&mut tx, c => sqlx::query(
            "UPDATE einvoice_deposit SET status = 'deposited', flow_id = $1, deposited_at = $2, last_error = '', claimed_by = NULL, lease_until_ms = NULL WHERE id = $3 AND status = 'sending'")
            .bind(flow_id).bind(now()).bind(item.id).execute(c).await.map(|r| r.rows_affected())),
        Outcome::Transient { error } if attempts < MAX_ATTEMPTS => on_conn!(&mut tx, c => sqlx::query(
            "UPDATE einvoice_deposit SET status = 'pending', last_error = $1, next_attempt_ms = $2, claimed_by = NULL, lease_until_ms = NULL WHERE id = $3 AND status = 'sending'")
            .bind(error).bind(now_ms() + backoff_ms(attempts)).bind(item.id).execute(c).await.map(|r| r.rows_affected())),
        Outcome::Transient { error } | Outcome::Permanent { error } => on_conn!(&mut tx, c => sqlx::query(
            "UPDATE einvoice_deposit SET status = 'failed', last_error = $1, claimed_by = NULL, lease_until_ms = NULL WHERE id = $2 AND status = 'sending'")
            .bind(error).bind(item.id).execute(c).await.map(|r| r.rows_affected())),
        Outcome::Uncertain { error } => on_conn!(&mut tx, c => sqlx::query(
            "UPDATE einvoice_deposit SET status = 'uncertain', last_error = $1, claimed_by = NULL, lease_until_ms = NULL WHERE id = $2 AND status = 'sending'")
            .bind(format!("{UNCERTAIN_ADVICE} ({error})")).bind(item.id).execute(c).await.map(|r| r.rows_affected())),
    };
    r.map_err(internal)?;
    // What the page shows: a deposited invoice is «Déposée» (200) until the PA says more.
    if let (Outcome::Deposited { flow_id }, "facture", Some(doc)) = (outcome, item.kind.as_str(), item.document_id) {
        let tenant = Tenant::trusted(item.company_id);
        crate::einvoice::store::add_status(&mut tx, &tenant, doc, "200", "", None, now(), &format!("depot:{flow_id}")).await?;
    }
    tx.commit().await
}

/// Gives back claims: those of `worker`, or with `None` those whose lease ran out. Not
/// begun → `pending`; begun → `uncertain`.
pub async fn recover(db: &Db, worker: Option<&str>) -> Result<u64, AppError> {
    const WHOSE: &str = "(claimed_by = $1 OR ($1 IS NULL AND lease_until_ms < $2))";
    let back = format!(
        "UPDATE einvoice_deposit SET status = 'pending', claimed_by = NULL, lease_until_ms = NULL WHERE status = 'claimed' AND {WHOSE}"
    );
    let lost = format!(
        "UPDATE einvoice_deposit SET status = 'uncertain', lease_until_ms = NULL, last_error = $3 WHERE status = 'sending' AND {WHOSE}"
    );
    let now = now_ms();
    let mut tx = db.begin().await?;
    let a =
        on_conn!(&mut tx, c => sqlx::query(&back).bind(worker).bind(now).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let b = on_conn!(&mut tx, c => sqlx::query(&lost).bind(worker).bind(now).bind(UNCERTAIN_ADVICE).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    tx.commit().await?;
    Ok(a + b)
}

/// The uncertain items, for the worker to ask the PA whether it has them.
pub async fn uncertain(db: &Db, n: i64) -> Result<Vec<Claimed>, AppError> {
    let sql = "SELECT id, company_id, document_id, idem_key, kind, body, attempts FROM einvoice_deposit WHERE status = 'uncertain' ORDER BY id LIMIT $1";
    crate::on_pool!(db, c => sqlx::query_as(sql).bind(n).fetch_all(c).await).map_err(internal)
}

/// An uncertain item the PA showed it has: deposited after all.
pub async fn resolved(db: &Db, item: &Claimed, flow_id: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let n = on_conn!(&mut tx, c => sqlx::query(
        "UPDATE einvoice_deposit SET status = 'deposited', flow_id = $1, deposited_at = $2, last_error = '' WHERE id = $3 AND status = 'uncertain'")
        .bind(flow_id).bind(now()).bind(item.id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if let (1, "facture", Some(doc)) = (n, item.kind.as_str(), item.document_id) {
        let tenant = Tenant::trusted(item.company_id);
        crate::einvoice::store::add_status(&mut tx, &tenant, doc, "200", "", None, now(), &format!("depot:{flow_id}")).await?;
    }
    tx.commit().await
}
