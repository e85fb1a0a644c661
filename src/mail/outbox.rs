//! The outbox table: mails written in the caller's transaction, claimed and recorded by
//! the worker. States: `pending` → `claimed` (a worker holds it, lease) → `sending` (its
//! SMTP transaction has begun) → `sent` | `failed` | `uncertain`; back to `pending` with a
//! later `next_attempt_ms` after a transient failure. A claim whose lease ran out (the
//! process died) goes back to `pending` if its SMTP transaction had not begun, else to
//! `uncertain`: never sent again without a person deciding (docs/mail.md).

use std::str::FromStr;

use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::mail::model::MailView;
use crate::on_conn;

/// Attachments of one mail, all together, at most this size.
pub const ATTACHMENTS_MAX_BYTES: usize = 10 * 1024 * 1024;
pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 100_000;

pub struct Attachment {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// A mail to queue. `key` is its idempotency key (e.g. `reminder:<invoice>:<level>`):
/// queuing the same key twice queues it once.
pub struct NewMail {
    pub key: String,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<Attachment>,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A recipient or sender address: one mailbox, no display name, no line break.
pub fn check_address(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, "Indiquez l'adresse e-mail du destinataire."));
    }
    if v.chars().any(char::is_control) || v.len() > 254 || lettre::Address::from_str(v).is_err() {
        return Err(AppError::invalid(field, format!("« {} » n'est pas une adresse e-mail valide.", crate::auth::model::shorten(v, 80))));
    }
    Ok(v.to_string())
}

/// A header value (subject, name): one line, bounded.
pub fn check_header(field: &str, label: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.contains(['\r', '\n']) || v.chars().any(|c| c.is_control() && c != '\t') {
        return Err(AppError::invalid(field, format!("{label} ne peut pas contenir de retour à la ligne.")));
    }
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("{label} est obligatoire.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(field, format!("{label} : {max} caractères au plus.")));
    }
    Ok(v.to_string())
}

/// The Message-ID of a key: the same key always gives the same Message-ID, so that a
/// receiver can recognise the same mail and a count at the sink is a count per key.
pub fn message_id(company_id: i64, key: &str, host: &str) -> String {
    let digest = Sha256::digest(format!("{company_id}:{key}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("<{hex}.{company_id}@{host}>")
}

/// Queues a mail from `user_id` in the caller's transaction. Returns false when a mail
/// with this key was already queued (nothing is added).
pub async fn enqueue(tx: &mut Tx, tenant: &Tenant, user_id: i64, mail: NewMail, host: &str) -> Result<bool, AppError> {
    let to = check_address("to", &mail.to)?;
    let subject = check_header("subject", "L'objet", &mail.subject, SUBJECT_MAX)?;
    if mail.text.len() > BODY_MAX {
        return Err(AppError::invalid("message", "Le message est trop long (100 000 caractères au plus)."));
    }
    let total: usize = mail.attachments.iter().map(|a| a.data.len()).sum();
    if total > ATTACHMENTS_MAX_BYTES {
        return Err(AppError::invalid(
            "attachments",
            format!("Les pièces jointes font {} Mo : 10 Mo au plus par e-mail.", total.div_ceil(1024 * 1024)),
        ));
    }
    for a in &mail.attachments {
        check_header("attachments", "Le nom d'une pièce jointe", &a.name, 200)?;
    }
    let (email, name, signature): (String, String, String) = on_conn!(tx, c => sqlx::query_as(
        "SELECT email, name, signature FROM app_user WHERE company_id = $1 AND id = $2 AND active = TRUE")
        .bind(tenant.company_id()).bind(user_id).fetch_optional(c).await)
    .map_err(internal)?
    .ok_or_else(|| AppError::NotFound("Utilisateur".into()))?;
    let name = name.replace(['\r', '\n'], " ");
    let text = with_signature(mail.text.trim_end(), &signature);
    let html = html_body(mail.text.trim_end(), &signature);
    let message_id = message_id(tenant.company_id(), &mail.key, host);
    let at = now();
    let sql = "INSERT INTO outbox (company_id, idem_key, entity, entity_id, created_by, from_addr, from_name, reply_to, to_addr, subject, body_text, body_html, message_id, status, next_attempt_ms, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14, $15) ON CONFLICT (company_id, idem_key) DO NOTHING RETURNING id";
    let id: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id()).bind(&mail.key).bind(mail.entity).bind(mail.entity_id).bind(user_id)
        .bind(&email).bind(&name).bind(&email).bind(&to).bind(&subject).bind(&text).bind(&html).bind(&message_id)
        .bind(now_ms()).bind(at)
        .fetch_optional(c).await)
    .map_err(internal)?;
    let Some(id) = id else { return Ok(false) };
    for a in mail.attachments {
        on_conn!(tx, c => sqlx::query("INSERT INTO outbox_attachment (company_id, outbox_id, name, mime, data) VALUES ($1, $2, $3, $4, $5)")
            .bind(tenant.company_id()).bind(id).bind(&a.name).bind(&a.mime).bind(&a.data).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    }
    Ok(true)
}

fn with_signature(text: &str, signature: &str) -> String {
    match signature.trim() {
        "" => format!("{text}\n"),
        s => format!("{text}\n\n-- \n{s}\n"),
    }
}

fn html_body(text: &str, signature: &str) -> String {
    let para = |s: &str| {
        s.split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| format!("<p>{}</p>", crate::fmt::escape_html(p.trim()).replace('\n', "<br>")))
            .collect::<String>()
    };
    let sig = match signature.trim() {
        "" => String::new(),
        s => format!("<div class=\"signature\" style=\"color:#555\">-- <br>{}</div>", crate::fmt::escape_html(s).replace('\n', "<br>")),
    };
    format!("<!DOCTYPE html><html lang=\"fr\"><body>{}{sig}</body></html>", para(text))
}

/// The mails of one document (or other entity), newest first.
pub async fn list_for(db: &Db, tenant: &Tenant, entity: &str, entity_id: i64) -> Result<Vec<MailView>, AppError> {
    let sql = "SELECT id, to_addr, subject, status, sent_from, sender_note, smtp_reply, advice, attempts, created_at, sent_at FROM outbox \
               WHERE company_id = $1 AND entity = $2 AND entity_id = $3 ORDER BY id DESC";
    let rows: Vec<MailRow> =
        crate::on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(entity).bind(entity_id).fetch_all(c).await)
            .map_err(internal)?;
    Ok(rows.into_iter().map(MailRow::view).collect())
}

#[derive(FromRow)]
struct MailRow {
    id: i64,
    to_addr: String,
    subject: String,
    status: String,
    sent_from: String,
    sender_note: String,
    smtp_reply: String,
    advice: String,
    attempts: i64,
    created_at: i64,
    sent_at: Option<i64>,
}

impl MailRow {
    fn view(self) -> MailView {
        MailView {
            id: self.id,
            to: self.to_addr,
            subject: self.subject,
            status: self.status,
            sent_from: self.sent_from,
            sender_note: self.sender_note,
            smtp_reply: self.smtp_reply,
            advice: self.advice,
            attempts: self.attempts,
            created_at: self.created_at,
            sent_at: self.sent_at,
        }
    }
}

/// «Renvoyer» an uncertain or failed mail: a person decided it should go (again).
pub async fn retry(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_ms = $1, advice = '' WHERE company_id = $2 AND id = $3 AND status IN ('failed', 'uncertain')")
        .bind(now_ms()).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("id", "Cet e-mail n'est ni en échec ni incertain : il n'y a rien à renvoyer."));
    }
    Ok(())
}

// ---- the worker's side -------------------------------------------------------------

/// A claimed mail, ready to be sent.
#[derive(FromRow, Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub company_id: i64,
    pub from_addr: String,
    pub from_name: String,
    pub reply_to: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: i64,
}

#[derive(FromRow)]
pub struct StoredAttachment {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// Claims up to `n` due mails for `worker` (one transaction). On PostgreSQL the rows are
/// taken with `FOR UPDATE SKIP LOCKED`, so concurrent processes never take the same row;
/// on SQLite the write lock serialises claims.
pub async fn claim(db: &Db, worker: &str, n: i64, lease_ms: i64) -> Result<Vec<Claimed>, AppError> {
    let now = now_ms();
    let sql = format!(
        "UPDATE outbox SET status = 'claimed', claimed_by = $1, lease_until_ms = $2 WHERE id IN \
         (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_ms <= $3 ORDER BY next_attempt_ms, id LIMIT $4{}) RETURNING id",
        db.dialect().skip_locked(None)
    );
    let mut tx = db.begin().await?;
    let ids: Vec<i64> =
        on_conn!(&mut tx, c => sqlx::query_scalar(&sql).bind(worker).bind(now + lease_ms).bind(now).bind(n).fetch_all(c).await)
            .map_err(internal)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Claimed = on_conn!(&mut tx, c => sqlx::query_as(
            "SELECT id, company_id, from_addr, from_name, reply_to, to_addr, subject, body_text, body_html, message_id, attempts FROM outbox WHERE id = $1")
            .bind(id).fetch_one(c).await)
        .map_err(internal)?;
        out.push(row);
    }
    tx.commit().await?;
    out.sort_by_key(|r| r.id);
    Ok(out)
}

pub async fn attachments(db: &Db, company_id: i64, outbox_id: i64) -> Result<Vec<StoredAttachment>, AppError> {
    crate::on_pool!(db, c => sqlx::query_as("SELECT name, mime, data FROM outbox_attachment WHERE company_id = $1 AND outbox_id = $2 ORDER BY id")
        .bind(company_id).bind(outbox_id).fetch_all(c).await)
    .map_err(internal)
}

/// How one SMTP transaction ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sent {
        reply: String,
        sent_from: String,
        sender_note: String,
    },
    /// Not accepted, worth retrying (4xx, connection refused or cut before the end of DATA).
    Transient {
        reply: String,
        advice: String,
    },
    /// Refused for good (5xx, invalid message).
    Permanent {
        reply: String,
        advice: String,
    },
}

/// One commit per mail: records how the previous mail of this worker ended and marks the
/// next one as begun (`sending`), so that at most one mail per connection is ever in the
/// state where a crash leaves us not knowing whether it left.
pub async fn step(
    db: &Db,
    cfg: &crate::mail::config::MailConfig,
    worker: &str,
    done: Option<(&Claimed, Outcome)>,
    next: Option<i64>,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    if let Some((mail, outcome)) = done {
        record(&mut tx, cfg, mail, outcome).await?;
    }
    if let Some(id) = next {
        on_conn!(&mut tx, c => sqlx::query("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = $1 AND status = 'claimed' AND claimed_by = $2")
            .bind(id).bind(worker).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    }
    tx.commit().await
}

async fn record(tx: &mut Tx, cfg: &crate::mail::config::MailConfig, mail: &Claimed, outcome: Outcome) -> Result<(), AppError> {
    let attempts = mail.attempts + 1;
    let r = match outcome {
        Outcome::Sent { reply, sent_from, sender_note } => on_conn!(tx, c => sqlx::query(
            "UPDATE outbox SET status = 'sent', smtp_reply = $1, sent_from = $2, sender_note = $3, sent_at = $4, advice = '', lease_until_ms = NULL WHERE id = $5")
            .bind(&reply).bind(&sent_from).bind(&sender_note).bind(now()).bind(mail.id).execute(c).await.map(|r| r.rows_affected())),
        Outcome::Transient { reply, advice } if attempts < cfg.max_attempts => on_conn!(tx, c => sqlx::query(
            "UPDATE outbox SET status = 'pending', smtp_reply = $1, advice = $2, next_attempt_ms = $3, claimed_by = NULL, lease_until_ms = NULL WHERE id = $4")
            .bind(&reply).bind(&advice).bind(now_ms() + cfg.backoff(attempts)).bind(mail.id).execute(c).await.map(|r| r.rows_affected())),
        Outcome::Transient { reply, advice } | Outcome::Permanent { reply, advice } => on_conn!(tx, c => sqlx::query(
            "UPDATE outbox SET status = 'failed', smtp_reply = $1, advice = $2, claimed_by = NULL, lease_until_ms = NULL WHERE id = $3")
            .bind(&reply).bind(&advice).bind(mail.id).execute(c).await.map(|r| r.rows_affected())),
    };
    r.map_err(internal)?;
    Ok(())
}

/// Gives back claims: those of `worker` when it stops, or, with `None`, those whose lease
/// ran out (their process died). Not begun → `pending`; begun → `uncertain` (it may have
/// left: at most once, a person decides).
pub async fn recover(db: &Db, worker: Option<&str>) -> Result<u64, AppError> {
    // `$1`: the worker, or NULL for every claim whose lease ended before `$2`.
    const WHOSE: &str = "(claimed_by = $1 OR ($1 IS NULL AND lease_until_ms < $2))";
    let back =
        format!("UPDATE outbox SET status = 'pending', claimed_by = NULL, lease_until_ms = NULL WHERE status = 'claimed' AND {WHOSE}");
    let lost = format!("UPDATE outbox SET status = 'uncertain', lease_until_ms = NULL, advice = $3 WHERE status = 'sending' AND {WHOSE}");
    let now = now_ms();
    let mut tx = db.begin().await?;
    let a =
        on_conn!(&mut tx, c => sqlx::query(&back).bind(worker).bind(now).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let b = on_conn!(&mut tx, c => sqlx::query(&lost).bind(worker).bind(now).bind(UNCERTAIN_ADVICE).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    let n = a + b;
    tx.commit().await?;
    Ok(n)
}

pub const UNCERTAIN_ADVICE: &str = "Le serveur d'envoi s'est arrêté pendant l'envoi : l'e-mail est peut-être parti. \
    Vérifiez auprès du destinataire avant de cliquer sur « Renvoyer ».";
