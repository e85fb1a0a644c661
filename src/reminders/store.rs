//! Reminders in the database: settings, templates, rates, the work list, making a
//! reminder (letter or e-mail, with its amounts), the client's «Relances».

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use sqlx::FromRow;

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::on_conn;
use crate::reminders::law::{INITIAL_RATES, Level, RateTable, check_contract_rate, check_delays, half_of, lapse_warning, rate_for};
use crate::reminders::model::{LetterView, OverdueClient, OverdueInvoice, RateRow, ReminderSettings, Template, WorkSummary};
use crate::reminders::templates::{default_template, unknown_placeholders};

// Where the server functions and the tests have always found them: the rules are in
// `law`, the default texts in `templates`.
use crate::fmt::parse_percent_bp;
pub use crate::reminders::law::Law;
pub use crate::reminders::templates::PLACEHOLDERS;

pub const COMMENT_MAX: usize = 2000;
pub const TEMPLATE_MAX: usize = 20_000;
fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

// ---- settings -------------------------------------------------------------------------

#[derive(FromRow)]
struct SettingsRow {
    r1_days: i64,
    r2_days: i64,
    r3_days: i64,
    med_days: i64,
    auto_r1: bool,
    auto_r2: bool,
    auto_r3: bool,
    med_deadline_days: i64,
    contract_rate_bp: Option<i64>,
}

pub async fn settings(tx: &mut Tx, tenant: &Tenant) -> Result<ReminderSettings, AppError> {
    let row: Option<SettingsRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT r1_days, r2_days, r3_days, med_days, auto_r1, auto_r2, auto_r3, med_deadline_days, contract_rate_bp FROM reminder_settings WHERE company_id = $1")
        .bind(tenant.company_id()).fetch_optional(c).await)
    .map_err(internal)?;
    Ok(row
        .map(|r| ReminderSettings {
            r1_days: r.r1_days,
            r2_days: r.r2_days,
            r3_days: r.r3_days,
            med_days: r.med_days,
            auto_r1: r.auto_r1,
            auto_r2: r.auto_r2,
            auto_r3: r.auto_r3,
            med_deadline_days: r.med_deadline_days,
            contract_rate_bp: r.contract_rate_bp,
        })
        .unwrap_or_default())
}

pub async fn save_settings(tx: &mut Tx, tenant: &Tenant, s: &ReminderSettings, today: NaiveDate) -> Result<(), AppError> {
    check_delays(s)?;
    if let Some(bp) = s.contract_rate_bp {
        let legal = rates(tx, tenant).await?.2;
        let (legal_bp, _) = rate_for(&legal, &half_of(today.year(), today.month())).unwrap_or((0, false));
        check_contract_rate(bp, legal_bp)?;
    }
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO reminder_settings (company_id, r1_days, r2_days, r3_days, med_days, auto_r1, auto_r2, auto_r3, med_deadline_days, contract_rate_bp, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (company_id) DO UPDATE SET r1_days = excluded.r1_days, r2_days = excluded.r2_days, \
         r3_days = excluded.r3_days, med_days = excluded.med_days, auto_r1 = excluded.auto_r1, auto_r2 = excluded.auto_r2, auto_r3 = excluded.auto_r3, \
         med_deadline_days = excluded.med_deadline_days, contract_rate_bp = excluded.contract_rate_bp, updated_at = excluded.updated_at")
        .bind(tenant.company_id()).bind(s.r1_days).bind(s.r2_days).bind(s.r3_days).bind(s.med_days).bind(s.auto_r1).bind(s.auto_r2).bind(s.auto_r3)
        .bind(s.med_deadline_days).bind(s.contract_rate_bp).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// «Taux des pénalités de retard» (set on «Entreprise»): the rate invoices state and the
/// reminders charge; `None` is the legal default (ECB rate + 10 points).
pub async fn save_contract_rate(tx: &mut Tx, tenant: &Tenant, bp: Option<i64>, today: NaiveDate) -> Result<(), AppError> {
    let s = ReminderSettings { contract_rate_bp: bp, ..settings(tx, tenant).await? };
    save_settings(tx, tenant, &s, today).await.map_err(|e| match e {
        AppError::Invalid { field, message, values } if field == "contract_rate" => {
            AppError::Invalid { field: "penalites_taux".into(), message, values }
        }
        e => e,
    })
}

// ---- rates ------------------------------------------------------------------------------

/// (ECB, legal rate for private creditors, legal rate for other cases); the initial data
/// is written for the company the first time.
pub async fn rates(tx: &mut Tx, tenant: &Tenant) -> Result<(RateTable, RateTable, RateTable), AppError> {
    let mut rows: Vec<(String, String, i64)> =
        on_conn!(tx, c => sqlx::query_as("SELECT kind, half, rate_bp FROM rate WHERE company_id = $1 ORDER BY half")
        .bind(tenant.company_id()).fetch_all(c).await)
        .map_err(internal)?;
    if rows.is_empty() {
        rows = INITIAL_RATES.iter().map(|(k, h, r)| (k.to_string(), h.to_string(), *r)).collect();
    }
    let pick = |kind: &str| rows.iter().filter(|(k, _, _)| k == kind).map(|(_, h, r)| (h.clone(), *r)).collect::<RateTable>();
    Ok((pick("bce"), pick("legal_particulier"), pick("legal_autre")))
}

pub async fn rate_rows(tx: &mut Tx, tenant: &Tenant) -> Result<Vec<RateRow>, AppError> {
    let (b, p, a) = rates(tx, tenant).await?;
    let mut out = Vec::new();
    for (kind, t) in [("bce", b), ("legal_particulier", p), ("legal_autre", a)] {
        out.extend(t.into_iter().map(|(half, rate_bp)| RateRow { kind: kind.to_string(), half, rate_bp }));
    }
    Ok(out)
}

pub async fn save_rate(tx: &mut Tx, tenant: &Tenant, kind: &str, half: &str, rate: &str) -> Result<(), AppError> {
    if !["bce", "legal_particulier", "legal_autre"].contains(&kind) {
        return Err(AppError::invalid("kind", "Taux inconnu."));
    }
    let ok_half =
        half.len() == 6 && half[..4].parse::<i32>().is_ok_and(|y| (2000..=2099).contains(&y)) && (&half[4..] == "-1" || &half[4..] == "-2");
    if !ok_half {
        return Err(AppError::invalid("half", "Le semestre s'écrit « 2026-1 » (janvier–juin) ou « 2026-2 » (juillet–décembre)."));
    }
    let bp = parse_percent_bp(rate).ok_or_else(|| AppError::invalid("rate", "Le taux est un pourcentage, par exemple « 2,15 »."))?;
    // Keep the initial data as the company's own rows before adding one.
    let have: i64 = on_conn!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM rate WHERE company_id = $1").bind(tenant.company_id()).fetch_one(c).await).map_err(internal)?;
    if have == 0 {
        for (k, h, r) in INITIAL_RATES {
            on_conn!(tx, c => sqlx::query("INSERT INTO rate (company_id, kind, half, rate_bp) VALUES ($1, $2, $3, $4)")
                .bind(tenant.company_id()).bind(*k).bind(*h).bind(*r).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        }
    }
    on_conn!(tx, c => sqlx::query("INSERT INTO rate (company_id, kind, half, rate_bp) VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, kind, half) DO UPDATE SET rate_bp = excluded.rate_bp")
        .bind(tenant.company_id()).bind(kind).bind(half).bind(bp).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

// ---- templates --------------------------------------------------------------------------

pub async fn templates(tx: &mut Tx, tenant: &Tenant) -> Result<Vec<Template>, AppError> {
    let rows: Vec<(String, String, String, String)> =
        on_conn!(tx, c => sqlx::query_as("SELECT level, letter, email_subject, email FROM reminder_template WHERE company_id = $1")
        .bind(tenant.company_id()).fetch_all(c).await)
        .map_err(internal)?;
    Ok(Level::ALL
        .into_iter()
        .map(|l| {
            rows.iter()
                .find(|r| r.0 == l.code())
                .map(|r| Template { level: r.0.clone(), letter: r.1.clone(), email_subject: r.2.clone(), email: r.3.clone() })
                .unwrap_or_else(|| default_template(l))
        })
        .collect())
}

pub async fn save_template(tx: &mut Tx, tenant: &Tenant, t: &Template) -> Result<(), AppError> {
    let level = Level::from_code(&t.level).ok_or_else(|| AppError::invalid("level", "Niveau de relance inconnu."))?;
    for (field, label, text) in
        [("letter", "Le courrier", &t.letter), ("email_subject", "L'objet", &t.email_subject), ("email", "L'e-mail", &t.email)]
    {
        if text.trim().is_empty() {
            return Err(AppError::invalid(field, format!("{label} ne peut pas être vide.")));
        }
        if text.chars().count() > TEMPLATE_MAX {
            return Err(AppError::invalid(field, format!("{label} : {TEMPLATE_MAX} caractères au plus.")));
        }
        let unknown = unknown_placeholders(text);
        if !unknown.is_empty() {
            return Err(AppError::invalid(
                field,
                format!(
                    "{label} contient une variable inconnue : {}. Variables possibles : {}.",
                    unknown.iter().map(|u| format!("{{{u}}}")).collect::<Vec<_>>().join(", "),
                    PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if t.email_subject.contains(['\r', '\n']) {
        return Err(AppError::invalid("email_subject", "L'objet tient sur une ligne."));
    }
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO reminder_template (company_id, level, letter, email_subject, email) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (company_id, level) DO UPDATE SET letter = excluded.letter, email_subject = excluded.email_subject, email = excluded.email")
        .bind(tenant.company_id()).bind(level.code()).bind(t.letter.trim()).bind(t.email_subject.trim()).bind(t.email.trim())
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

// ---- the work list --------------------------------------------------------------------

#[derive(FromRow, Clone)]
pub struct OpenInvoice {
    pub id: i64,
    pub contact_id: i64,
    pub number: String,
    pub doc_date: String,
    pub due_date: String,
    pub remaining: i64,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    /// «Professionnel» (owes penalties and the 40 € indemnity) or «Particulier».
    pub type_client: String,
    /// The penalty rate the invoice stated (`law::STATED_LEGAL_DEFAULT`: ECB + 10 points).
    pub penalty_rate_bp: Option<i64>,
}

/// Open invoices past due whose client may be reminded: issued or partly paid, not
/// disputed, client not blocked nor in the «Corbeille».
const OPEN_SQL: &str = "SELECT d.id, d.contact_id, d.number, d.doc_date, d.due_date, d.total_ttc - d.paid - d.credited AS remaining, c.nom, c.prenom, c.societe, c.type_client, d.penalty_rate_bp \
     FROM document d JOIN contact c ON c.company_id = d.company_id AND c.id = d.contact_id \
     WHERE d.company_id = $1 AND d.kind = 'facture' AND d.status IN ('emise', 'partielle') AND d.litige = FALSE \
     AND d.total_ttc - d.paid - d.credited > 0 AND d.due_date < $2 AND c.statut <> 'corbeille' AND c.bloque = 0";

async fn done_levels(tx: &mut Tx, tenant: &Tenant, contact: Option<i64>) -> Result<Vec<(i64, String, String)>, AppError> {
    let sql = "SELECT r.document_id, r.level, l.on_date FROM reminder r JOIN reminder_letter l ON l.company_id = r.company_id AND l.id = r.letter_id WHERE r.company_id = $1";
    match contact {
        Some(k) => {
            on_conn!(tx, c => sqlx::query_as(&format!("{sql} AND l.contact_id = $2")).bind(tenant.company_id()).bind(k).fetch_all(c).await)
        }
        None => on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_all(c).await),
    }
    .map_err(internal)
}

pub async fn worklist(db: &Db, tenant: &Tenant, today: NaiveDate, level: Option<Level>) -> Result<Vec<OverdueClient>, AppError> {
    let mut tx = db.read().await?;
    let s = settings(&mut tx, tenant).await?;
    let today_s = today.format("%Y-%m-%d").to_string();
    let invoices: Vec<OpenInvoice> = on_conn!(&mut tx, c => sqlx::query_as(&format!("{OPEN_SQL} ORDER BY d.due_date, d.id"))
        .bind(tenant.company_id()).bind(&today_s).fetch_all(c).await)
    .map_err(internal)?;
    let done = done_levels(&mut tx, tenant, None).await?;
    let mut by_client: BTreeMap<i64, OverdueClient> = BTreeMap::new();
    for inv in invoices {
        let levels: Vec<(String, String)> =
            done.iter().filter(|(d, _, _)| *d == inv.id).map(|(_, l, on)| (l.clone(), on.clone())).collect();
        let next = Level::after(levels.iter().filter_map(|(c, _)| Level::from_code(c)));
        let due = date(&inv.due_date).unwrap_or(today);
        let client = by_client.entry(inv.contact_id).or_insert_with(|| OverdueClient {
            contact_id: inv.contact_id,
            name: crate::contacts::model::contact_title(&inv.nom, &inv.prenom, &inv.societe),
            business: inv.type_client == "professionnel",
            invoices: Vec::new(),
            total: 0,
            last_level: None,
            last_date: None,
            next_level: None,
            warning: None,
        });
        for (l, on) in &levels {
            if client.last_date.as_deref().is_none_or(|d| d < on.as_str())
                || client.last_level.as_deref().is_none_or(|c| Level::from_code(c) < Level::from_code(l))
            {
                client.last_level = Some(l.clone());
                client.last_date = Some(on.clone());
            }
        }
        if !client.business
            && let Some(lapse) = lapse_warning(due, today)
        {
            client.warning = Some(format!(
                "Client particulier : la facture {} sera prescrite le {} (deux ans). Engagez la procédure avant.",
                inv.number,
                lapse.format("%d/%m/%Y")
            ));
        }
        if client.next_level.is_none()
            || next.is_some_and(|n| Level::from_code(client.next_level.as_deref().unwrap_or("")).is_some_and(|c| n < c))
        {
            client.next_level = next.map(|n| n.code().to_string());
        }
        client.total += inv.remaining;
        client.invoices.push(OverdueInvoice {
            id: inv.id,
            number: inv.number.clone(),
            doc_date: inv.doc_date.clone(),
            due_date: inv.due_date.clone(),
            days_late: (today - due).num_days(),
            remaining: inv.remaining,
            done: levels.iter().map(|(l, _)| l.clone()).collect(),
            next_level: next.map(|n| n.code().to_string()),
            next_date: next.map(|n| (due + Duration::days(s.delay(n))).format("%Y-%m-%d").to_string()).unwrap_or_default(),
        });
    }
    let mut out: Vec<OverdueClient> = by_client.into_values().collect();
    if let Some(l) = level {
        out.retain(|c| c.next_level.as_deref() == Some(l.code()));
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.total));
    Ok(out)
}

pub async fn summary(db: &Db, tenant: &Tenant, today: NaiveDate) -> Result<WorkSummary, AppError> {
    let list = worklist(db, tenant, today, None).await?;
    let levels = Level::ALL
        .into_iter()
        .map(|l| {
            let of: Vec<&OverdueClient> = list.iter().filter(|c| c.next_level.as_deref() == Some(l.code())).collect();
            (l.code().to_string(), of.len() as i64, of.iter().map(|c| c.total).sum())
        })
        .collect();
    Ok(WorkSummary { levels })
}

// ---- making a reminder ----------------------------------------------------------------

impl Law {
    pub async fn load(tx: &mut Tx, tenant: &Tenant) -> Result<Law, AppError> {
        let (ecb, legal_particulier, legal_autre) = rates(tx, tenant).await?;
        let contract_rate_bp = settings(tx, tenant).await?.contract_rate_bp;
        Ok(Law { ecb, legal_particulier, legal_autre, contract_rate_bp })
    }
}

/// Which channel a reminder went by.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// «Imprimer»: a letter.
    Courrier,
    /// «Envoyer un email».
    Email,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Courrier => "courrier",
            Channel::Email => "email",
        }
    }
}

/// Makes reminder `level` for the client's overdue invoices that have not reached it.
/// Skipping a level needs `confirm_skip` (recorded). Returns the letter's id.
pub async fn make(
    tx: &mut Tx,
    tenant: &Tenant,
    author: Option<i64>,
    contact_id: i64,
    level: Level,
    comment: &str,
    confirm_skip: bool,
    channel: Channel,
    today: NaiveDate,
    mail_host: &str,
    only_due: bool,
) -> Result<i64, AppError> {
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_MAX {
        return Err(AppError::invalid("comment", format!("Le commentaire : {COMMENT_MAX} caractères au plus.")));
    }
    if !crate::db::lock_row(tx, tenant, "contact", contact_id).await? {
        return Err(AppError::NotFound("Contact".into()));
    }
    let today_s = today.format("%Y-%m-%d").to_string();
    let invoices: Vec<OpenInvoice> =
        on_conn!(tx, c => sqlx::query_as(&format!("{OPEN_SQL} AND d.contact_id = $3 ORDER BY d.due_date, d.id"))
        .bind(tenant.company_id()).bind(&today_s).bind(contact_id).fetch_all(c).await)
        .map_err(internal)?;
    if invoices.is_empty() {
        return Err(AppError::invalid(
            "level",
            "Ce client n'a aucune facture échue à relancer (payée, annulée, en litige, brouillon, client bloqué ou dans la Corbeille).",
        ));
    }
    let done = done_levels(tx, tenant, Some(contact_id)).await?;
    // The highest level an invoice reached; a level is made only above it.
    let top = |doc: i64| done.iter().filter(|(d, _, _)| *d == doc).filter_map(|(_, c, _)| Level::from_code(c)).max();
    let s = settings(tx, tenant).await?;
    let mut targets: Vec<&OpenInvoice> = invoices.iter().filter(|i| top(i.id).is_none_or(|t| t < level)).collect();
    if only_due {
        // Automatic reminders: only invoices whose turn it is for this level.
        targets.retain(|i| {
            let due = date(&i.due_date).unwrap_or(today);
            Level::after(top(i.id)) == Some(level) && due + Duration::days(s.delay(level)) <= today
        });
    }
    if targets.is_empty() {
        return Err(AppError::invalid(
            "level",
            format!("La relance {} a déjà été faite (ou dépassée) pour toutes les factures échues de ce client.", level.code()),
        ));
    }
    let skipped: Vec<String> = Level::ALL
        .into_iter()
        .filter(|l| *l < level && targets.iter().any(|i| top(i.id).is_none_or(|t| t < *l)))
        .map(|l| l.code().to_string())
        .collect();
    if !skipped.is_empty() && !confirm_skip {
        return Err(AppError::invalid(
            "confirm_skip",
            format!(
                "Les niveaux {} n'ont pas été faits pour ces factures : cochez « Confirmer » pour passer directement à {}.",
                skipped.join(", "),
                level.code()
            ),
        ));
    }
    if channel == Channel::Email {
        let email: String = on_conn!(tx, c => sqlx::query_scalar("SELECT email FROM contact WHERE company_id = $1 AND id = $2")
            .bind(tenant.company_id()).bind(contact_id).fetch_one(c).await)
        .map_err(internal)?;
        if email.trim().is_empty() {
            return Err(AppError::invalid("channel", "Ce client n'a pas d'adresse e-mail : imprimez la relance."));
        }
    }
    let business = invoices[0].type_client == "professionnel";
    // A letter carries the sender's full identity, as a document does.
    crate::company::store::identity(tx, tenant).await?.check_complete(!business, "une relance")?;
    let law = Law::load(tx, tenant).await?;
    let mut total_due = 0;
    let mut total_pen = 0;
    let mut total_ind = 0;
    let mut rows = Vec::new();
    for i in &targets {
        let due = date(&i.due_date).unwrap_or(today);
        let a = law.amounts(business, i.penalty_rate_bp, i.remaining, due, today);
        total_due += i.remaining;
        total_pen += a.penalties;
        total_ind += a.indemnity;
        rows.push((i.id, i.remaining, a.penalties));
    }
    let deadline =
        if level >= Level::R3 { (today + Duration::days(s.med_deadline_days)).format("%Y-%m-%d").to_string() } else { String::new() };
    let letter_id: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO reminder_letter (company_id, contact_id, level, channel, comment, author_id, on_date, amount_due, penalties, indemnity, deadline, skipped, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
        .bind(tenant.company_id()).bind(contact_id).bind(level.code()).bind(channel.code()).bind(comment).bind(author).bind(&today_s)
        .bind(total_due).bind(total_pen).bind(total_ind).bind(&deadline).bind(skipped.join(",")).bind(now())
        .fetch_one(c).await)
    .map_err(internal)?;
    for (doc, due, pen) in rows {
        let n = on_conn!(tx, c => sqlx::query(
            "INSERT INTO reminder (company_id, letter_id, document_id, level, amount_due, penalties) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id, level) DO NOTHING")
            .bind(tenant.company_id()).bind(letter_id).bind(doc).bind(level.code()).bind(due).bind(pen)
            .execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
        if n == 0 {
            return Err(AppError::invalid(
                "level",
                format!("La relance {} vient d'être faite pour cette facture par quelqu'un d'autre.", level.code()),
            ));
        }
    }
    let history = if comment.is_empty() {
        format!("Relance {} ({})", level.code(), channel.code())
    } else {
        format!("Relance {} ({}) : {comment}", level.code(), channel.code())
    };
    crate::db::audit(tx, tenant, author, "contact", contact_id, "relance", &history).await?;
    if channel == Channel::Email {
        email(tx, tenant, author, letter_id, mail_host).await?;
    }
    Ok(letter_id)
}

/// Queues the e-mail of a reminder (with its letter and the invoices' PDFs), once:
/// key `reminder:<letter>`.
pub async fn email(tx: &mut Tx, tenant: &Tenant, author: Option<i64>, letter_id: i64, mail_host: &str) -> Result<bool, AppError> {
    let l = crate::reminders::letter::compose(tx, tenant, letter_id).await?;
    if l.client_email.trim().is_empty() {
        return Err(AppError::invalid("channel", "Ce client n'a pas d'adresse e-mail : imprimez la relance."));
    }
    let sender = match author {
        Some(a) => a,
        None => sender_of(tx, tenant).await?,
    };
    let mut attachments = vec![crate::mail::outbox::Attachment {
        name: l.file_name.clone(),
        mime: "application/pdf".into(),
        data: crate::reminders::letter::pdf(&l),
    }];
    for doc in &l.document_ids {
        let (name, data) = crate::einvoice::store::attachment_tx(tx, tenant, *doc).await?;
        attachments.push(crate::mail::outbox::Attachment { name, mime: "application/pdf".into(), data });
    }
    let mail = crate::mail::outbox::NewMail {
        key: format!("reminder:{letter_id}"),
        entity: "reminder",
        entity_id: Some(letter_id),
        to: l.client_email.clone(),
        subject: l.email_subject.clone(),
        text: l.email_text.clone(),
        attachments,
    };
    crate::mail::outbox::enqueue(tx, tenant, sender, mail, mail_host).await
}

/// Who automatic reminders go out from: the first active user with the right
/// «Relances factures clients», else the first active user.
async fn sender_of(tx: &mut Tx, tenant: &Tenant) -> Result<i64, AppError> {
    let id: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT u.id FROM app_user u WHERE u.company_id = $1 AND u.active = TRUE \
         ORDER BY CASE WHEN EXISTS (SELECT 1 FROM user_right r WHERE r.company_id = u.company_id AND r.user_id = u.id AND r.code = 'relances') THEN 0 ELSE 1 END, u.id LIMIT 1")
        .bind(tenant.company_id()).fetch_optional(c).await)
    .map_err(internal)?;
    id.ok_or_else(|| AppError::NotFound("Utilisateur".into()))
}

/// «Porte doc» › «Relances».
pub async fn letters_of(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<LetterView>, AppError> {
    #[derive(FromRow)]
    struct Row {
        id: i64,
        level: String,
        channel: String,
        comment: String,
        author: Option<String>,
        on_date: String,
        amount_due: i64,
        penalties: i64,
        indemnity: i64,
    }
    let mut tx = db.read().await?;
    crate::contacts::store::title_of(&mut tx, tenant, contact_id).await?;
    let rows: Vec<Row> = on_conn!(&mut tx, c => sqlx::query_as(
        "SELECT l.id, l.level, l.channel, l.comment, u.name AS author, l.on_date, l.amount_due, l.penalties, l.indemnity FROM reminder_letter l \
         LEFT JOIN app_user u ON u.company_id = l.company_id AND u.id = l.author_id WHERE l.company_id = $1 AND l.contact_id = $2 ORDER BY l.id DESC")
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
    .map_err(internal)?;
    let numbers: Vec<(i64, String)> = on_conn!(&mut tx, c => sqlx::query_as(
        "SELECT r.letter_id, d.number FROM reminder r JOIN document d ON d.company_id = r.company_id AND d.id = r.document_id \
         JOIN reminder_letter l ON l.company_id = r.company_id AND l.id = r.letter_id WHERE r.company_id = $1 AND l.contact_id = $2 ORDER BY d.number")
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
    .map_err(internal)?;
    let mut out = Vec::new();
    for r in rows {
        let mails = crate::mail::outbox::list_for(db, tenant, "reminder", r.id).await?;
        let last = mails.first();
        out.push(LetterView {
            id: r.id,
            invoices: numbers.iter().filter(|(l, _)| *l == r.id).map(|(_, n)| n.clone()).collect(),
            level: r.level,
            channel: r.channel,
            comment: r.comment,
            author: r.author.unwrap_or_else(|| "Envoi automatique".into()),
            on_date: r.on_date,
            amount_due: r.amount_due,
            penalties: r.penalties,
            indemnity: r.indemnity,
            mail_status: last.map(|m| m.status_label().to_string()),
            mail_advice: last.map(|m| if m.is_failure() { m.advice.clone() } else { m.sender_note.clone() }).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A payment, a credit note, a cancellation or a dispute can make a queued reminder
/// e-mail pointless: those of letters whose invoices are all no longer due are cancelled
/// before they leave (in the transaction of that change).
pub async fn cancel_pointless_mails(tx: &mut Tx, tenant: &Tenant, document_id: i64) -> Result<u64, AppError> {
    let sql = "UPDATE outbox SET status = 'cancelled', advice = 'Annulé : la facture a été réglée, annulée ou mise en litige avant l''envoi.' \
               WHERE company_id = $1 AND entity = 'reminder' AND status = 'pending' AND entity_id IN ( \
                 SELECT r.letter_id FROM reminder r WHERE r.company_id = $1 AND r.document_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM reminder r2 JOIN document d ON d.company_id = r2.company_id AND d.id = r2.document_id \
                   WHERE r2.company_id = $1 AND r2.letter_id = r.letter_id AND d.status IN ('emise', 'partielle') AND d.litige = FALSE \
                   AND d.total_ttc - d.paid - d.credited > 0))";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(document_id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)
}

/// The reminders' side of a document that changed what is owed: a payment recorded on
/// invoice `document_id`, or document `document_id` issued (an avoir settles the invoice
/// it credits). Documents never call reminders: the server function that pays or issues
/// calls this in the same transaction, after `documents::store::pay` / `issue`. Queued
/// reminder e-mails that became pointless are cancelled (see `cancel_pointless_mails`);
/// for any other document nothing happens.
pub async fn after_settlement(tx: &mut Tx, tenant: &Tenant, document_id: i64) -> Result<u64, AppError> {
    let credited: Option<Option<i64>> =
        on_conn!(tx, c => sqlx::query_scalar("SELECT source_id FROM document WHERE company_id = $1 AND id = $2 AND kind = 'avoir'")
        .bind(tenant.company_id()).bind(document_id).fetch_optional(c).await)
        .map_err(internal)?;
    let invoice = credited.flatten().unwrap_or(document_id);
    cancel_pointless_mails(tx, tenant, invoice).await
}

/// «En litige» on an invoice (or not).
pub async fn set_dispute(tx: &mut Tx, tenant: &Tenant, user: i64, document_id: i64, litige: bool) -> Result<(), AppError> {
    if !crate::db::lock_row(tx, tenant, "document", document_id).await? {
        return Err(AppError::NotFound("Pièce".into()));
    }
    let n = on_conn!(tx, c => sqlx::query("UPDATE document SET litige = $1, updated_at = $2 WHERE company_id = $3 AND id = $4 AND kind = 'facture' AND status <> 'brouillon'")
        .bind(litige).bind(now()).bind(tenant.company_id()).bind(document_id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("litige", "Seule une facture émise peut être mise en litige."));
    }
    if litige {
        cancel_pointless_mails(tx, tenant, document_id).await?;
    }
    crate::db::audit(tx, tenant, Some(user), "document", document_id, if litige { "en litige" } else { "litige levé" }, "").await
}
