//! Action alerts by e-mail: when an open action's «Date d'alerte» has come, each of its
//! people (author, assignee, colleagues it is shared with) who chose so in «Préférences»
//! gets one e-mail, queued in the outbox with the key `action:<id>:<alert instant>:<user>`
//! in the same transaction that marks the action alerted. The key makes it exactly once
//! per action and alert date, across restarts and several servers; a new date is a new
//! key, so rescheduling sends a new alert. The clock is a parameter (`plan(db, now)`).

use std::sync::Arc;
use std::time::Duration;

use sqlx::FromRow;

use crate::db::{Db, Tenant};
use crate::error::AppError;
use crate::mail::config::MailConfig;
use crate::mail::outbox::{self, NewMail};
use crate::{on_conn, on_pool};

#[derive(FromRow)]
struct Due {
    id: i64,
    company_id: i64,
    author_id: i64,
    alert_at: i64,
    alert_date: String,
    alert_time: String,
    note: String,
    type_label: String,
    nom: String,
    prenom: String,
    societe: String,
    contact_id: i64,
}

/// Queues the alerts due at `now` (UTC seconds); returns how many e-mails were queued.
pub async fn plan(db: &Db, cfg: &MailConfig, now: i64) -> Result<usize, AppError> {
    let lock = db.dialect().skip_locked(Some("a"));
    let sql = format!(
        "SELECT a.id, a.company_id, a.author_id, a.alert_at, a.alert_date, a.alert_time, a.note, t.label AS type_label, c.nom, c.prenom, c.societe, a.contact_id \
         FROM action a JOIN action_type t ON t.company_id = a.company_id AND t.id = a.type_id \
         JOIN contact c ON c.company_id = a.company_id AND c.id = a.contact_id \
         WHERE a.status = 'ouverte' AND a.alert_at <= $1 AND (a.alerted_at IS NULL OR a.alerted_at <> a.alert_at) \
         ORDER BY a.alert_at LIMIT 200{lock}"
    );
    let mut queued = 0;
    loop {
        let mut tx = db.begin().await?;
        let due: Vec<Due> = on_conn!(&mut tx, c => sqlx::query_as(&sql).bind(now).fetch_all(c).await).map_err(crate::db::internal)?;
        if due.is_empty() {
            return Ok(queued);
        }
        for a in &due {
            let tenant = Tenant::trusted(a.company_id);
            let people: Vec<(i64, String)> = on_conn!(&mut tx, c => sqlx::query_as(
                "SELECT u.id, u.email FROM app_user u JOIN user_pref p ON p.company_id = u.company_id AND p.user_id = u.id \
                 WHERE u.company_id = $1 AND u.active = TRUE AND p.action_alert_email = TRUE AND (u.id = $2 \
                 OR u.id = (SELECT assignee_id FROM action WHERE company_id = $1 AND id = $3) \
                 OR u.id IN (SELECT user_id FROM action_share WHERE company_id = $1 AND action_id = $3)) ORDER BY u.id")
                .bind(a.company_id).bind(a.author_id).bind(a.id).fetch_all(c).await)
            .map_err(crate::db::internal)?;
            let client = crate::contacts::model::contact_title(&a.nom, &a.prenom, &a.societe);
            let when = match a.alert_time.as_str() {
                "" => crate::fmt::date_fr(&a.alert_date),
                t => format!("{} à {t}", crate::fmt::date_fr(&a.alert_date)),
            };
            // A name or label from before one-line fields were enforced must not make an
            // invalid header: the subject is made one line.
            let subject = crate::fmt::one_line(&format!("Action à faire : {} — {client}", a.type_label));
            let mut refused = None;
            for (user, email) in people {
                let note = if a.note.is_empty() { String::new() } else { format!("\n\nNote : {}", a.note) };
                let mail = NewMail {
                    key: format!("action:{}:{}:{user}", a.id, a.alert_at),
                    entity: "action",
                    entity_id: Some(a.id),
                    to: email,
                    subject: subject.clone(),
                    text: format!(
                        "Bonjour,\n\nL'action « {} » pour {client} arrive à échéance ({when}).{note}\n\nVoir l'action : /actions/{}\nFiche du client : /clients/{}",
                        a.type_label, a.id, a.contact_id
                    ),
                    attachments: vec![],
                };
                // A mail this item cannot make (an address or header refused) is skipped and
                // recorded: it must not stop every company's alerts at every cycle.
                match outbox::enqueue(&mut tx, &tenant, a.author_id, mail, &cfg.host).await {
                    Ok(true) => queued += 1,
                    Ok(false) => {}
                    // (A fault of the database stops the batch, to be retried whole.)
                    Err(AppError::Internal) => return Err(AppError::Internal),
                    Err(e) => refused = Some(e.to_string()),
                }
            }
            if let Some(message) = refused {
                tracing::warn!(action = a.id, company = a.company_id, "action alert skipped: {message}");
                crate::db::audit(&mut tx, &tenant, None, "action", a.id, "alert_skipped", &message).await?;
            }
            on_conn!(&mut tx, c => sqlx::query("UPDATE action SET alerted_at = $1 WHERE company_id = $2 AND id = $3")
                .bind(a.alert_at).bind(a.company_id).bind(a.id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(crate::db::internal)?;
        }
        tx.commit().await?;
    }
}

/// Runs [`plan`] every `OUVRAGE_ALERT_POLL_MS` (30 s) on the real clock, on every server.
pub fn start(db: Db, cfg: Arc<MailConfig>) -> tokio::task::JoinHandle<()> {
    let every = std::env::var("OUVRAGE_ALERT_POLL_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(30_000).max(100);
    tokio::spawn(async move {
        loop {
            if let Err(e) = plan(&db, &cfg, crate::db::now()).await {
                tracing::warn!("action alerts: {e}");
            }
            tokio::time::sleep(Duration::from_millis(every)).await;
        }
    })
}

/// How many action alert e-mails exist for an action (tests and figures).
pub async fn mails_of(db: &Db, tenant: &Tenant, action_id: i64) -> Result<i64, AppError> {
    on_pool!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE company_id = $1 AND entity = 'action' AND entity_id = $2")
        .bind(tenant.company_id()).bind(action_id).fetch_one(c).await)
    .map_err(crate::db::internal)
}
