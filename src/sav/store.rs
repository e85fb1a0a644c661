//! SAV tickets and services in the database. Nothing is deleted: a ticket is closed or
//! archived, a service ended.

use chrono::{Months, NaiveDate};
use sqlx::FromRow;

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::on_conn;
use crate::sav::model::{ClientSavView, SAV_STATUSES, SavView, ServiceView};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 20_000;

fn date(field: &str, label: &str, raw: &str, required: bool) -> Result<String, AppError> {
    let v = raw.trim();
    if v.is_empty() {
        return if required { Err(AppError::invalid(field, format!("Indiquez {label}."))) } else { Ok(String::new()) };
    }
    crate::questions::model::parse_date(v).ok_or_else(|| AppError::invalid(field, format!("{label} : une date est attendue (jj/mm/aaaa).")))
}

fn text(field: &str, label: &str, raw: &str, max: usize, required: bool, one_line: bool) -> Result<String, AppError> {
    let v = raw.trim();
    if required && v.is_empty() {
        return Err(AppError::invalid(field, format!("Indiquez {label}.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(field, format!("{max} caractères au plus.")));
    }
    if one_line && v.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "Une seule ligne, s'il vous plaît."));
    }
    Ok(v.to_string())
}

pub struct SavInput {
    pub title: String,
    pub observations: String,
    pub opened_on: String,
    pub closed_on: String,
    pub status: String,
    pub archived: bool,
}

pub fn parse_sav(
    title: &str,
    observations: &str,
    opened_on: &str,
    closed_on: &str,
    status: &str,
    archived: bool,
    today: &str,
) -> Result<SavInput, AppError> {
    let status = if status.is_empty() { "ouvert" } else { status };
    if !SAV_STATUSES.iter().any(|(c, _)| *c == status) {
        return Err(AppError::invalid("status", "Statut inconnu : ouvert, en cours ou clos."));
    }
    let opened_on =
        if opened_on.trim().is_empty() { today.to_string() } else { date("opened_on", "la date d'ouverture", opened_on, true)? };
    let mut closed_on = date("closed_on", "La date de clôture", closed_on, false)?;
    if status == "clos" && closed_on.is_empty() {
        closed_on = today.to_string();
    }
    if !closed_on.is_empty() && closed_on < opened_on {
        return Err(AppError::invalid("closed_on", "La clôture ne peut précéder l'ouverture."));
    }
    Ok(SavInput {
        title: text("title", "le titre du SAV", title, TITLE_MAX, true, true)?,
        observations: text("observations", "les observations", observations, TEXT_MAX, false, false)?,
        opened_on,
        closed_on,
        status: status.to_string(),
        archived,
    })
}

#[derive(FromRow)]
struct SavRow {
    id: i64,
    contact_id: i64,
    title: String,
    observations: String,
    opened_on: String,
    closed_on: String,
    status: String,
    archived: bool,
}

impl From<SavRow> for SavView {
    fn from(r: SavRow) -> Self {
        SavView {
            id: r.id,
            contact_id: r.contact_id,
            title: r.title,
            observations: r.observations,
            opened_on: r.opened_on,
            closed_on: r.closed_on,
            status: r.status,
            archived: r.archived,
        }
    }
}

/// Creates a ticket (`id` None) or saves one.
pub async fn save_sav(tx: &mut Tx, tenant: &Tenant, user: i64, contact_id: i64, id: Option<i64>, s: &SavInput) -> Result<i64, AppError> {
    crate::contacts::store::title_of(tx, tenant, contact_id).await?;
    let at = now();
    let id = match id {
        None => on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO sav (company_id, contact_id, title, observations, opened_on, closed_on, status, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
            .bind(tenant.company_id()).bind(contact_id).bind(&s.title).bind(&s.observations).bind(&s.opened_on).bind(&s.closed_on).bind(&s.status).bind(s.archived).bind(at)
            .fetch_one(c).await)
        .map_err(internal)?,
        Some(id) => {
            let n = on_conn!(tx, c => sqlx::query(
                "UPDATE sav SET title = $1, observations = $2, opened_on = $3, closed_on = $4, status = $5, archived = $6, updated_at = $7 \
                 WHERE company_id = $8 AND id = $9 AND contact_id = $10")
                .bind(&s.title).bind(&s.observations).bind(&s.opened_on).bind(&s.closed_on).bind(&s.status).bind(s.archived).bind(at)
                .bind(tenant.company_id()).bind(id).bind(contact_id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
            if n == 0 {
                return Err(AppError::NotFound("SAV".into()));
            }
            id
        }
    };
    crate::db::audit(
        tx,
        tenant,
        Some(user),
        "contact",
        contact_id,
        "sav",
        &format!("{} : {}", s.title, crate::sav::model::status_label(&s.status)),
    )
    .await?;
    Ok(id)
}

pub struct ServiceInput {
    pub label: String,
    pub start_date: String,
    pub periodicity_months: i64,
    pub next_due: String,
    pub notes: String,
    pub active: bool,
}

pub fn parse_service(
    label: &str,
    start_date: &str,
    periodicity: &str,
    next_due: &str,
    notes: &str,
    active: bool,
) -> Result<ServiceInput, AppError> {
    let start = date("start_date", "la date de début", start_date, true)?;
    let months = periodicity
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=60).contains(m))
        .ok_or_else(|| AppError::invalid("periodicity_months", "La périodicité est un nombre de mois entre 1 et 60."))?;
    let next_due = match date("next_due", "La prochaine échéance", next_due, false)? {
        d if d.is_empty() => {
            let s = NaiveDate::parse_from_str(&start, "%Y-%m-%d").map_err(|_| AppError::invalid("start_date", "Date invalide."))?;
            (s + Months::new(months as u32)).format("%Y-%m-%d").to_string()
        }
        d => d,
    };
    Ok(ServiceInput {
        label: text("label", "la prestation", label, TITLE_MAX, true, true)?,
        start_date: start,
        periodicity_months: months,
        next_due,
        notes: text("notes", "les notes", notes, TEXT_MAX, false, false)?,
        active,
    })
}

pub async fn save_service(
    tx: &mut Tx,
    tenant: &Tenant,
    user: i64,
    contact_id: i64,
    id: Option<i64>,
    s: &ServiceInput,
) -> Result<i64, AppError> {
    crate::contacts::store::title_of(tx, tenant, contact_id).await?;
    let at = now();
    let id = match id {
        None => on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO service (company_id, contact_id, label, start_date, periodicity_months, next_due, notes, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
            .bind(tenant.company_id()).bind(contact_id).bind(&s.label).bind(&s.start_date).bind(s.periodicity_months).bind(&s.next_due).bind(&s.notes).bind(s.active).bind(at)
            .fetch_one(c).await)
        .map_err(internal)?,
        Some(id) => {
            let n = on_conn!(tx, c => sqlx::query(
                "UPDATE service SET label = $1, start_date = $2, periodicity_months = $3, next_due = $4, notes = $5, active = $6, updated_at = $7 \
                 WHERE company_id = $8 AND id = $9 AND contact_id = $10")
                .bind(&s.label).bind(&s.start_date).bind(s.periodicity_months).bind(&s.next_due).bind(&s.notes).bind(s.active).bind(at)
                .bind(tenant.company_id()).bind(id).bind(contact_id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
            if n == 0 {
                return Err(AppError::NotFound("Service".into()));
            }
            id
        }
    };
    crate::db::audit(tx, tenant, Some(user), "contact", contact_id, "service", &s.label).await?;
    Ok(id)
}

#[derive(FromRow)]
struct ServiceRow {
    id: i64,
    contact_id: i64,
    label: String,
    start_date: String,
    periodicity_months: i64,
    next_due: String,
    notes: String,
    active: bool,
}

/// A client's tickets (open first, then by date, newest first) and services.
pub async fn of_client(db: &Db, tenant: &Tenant, contact_id: i64, with_archived: bool) -> Result<ClientSavView, AppError> {
    let contact_name = crate::contacts::store::title(db, tenant, contact_id).await?;
    Ok(ClientSavView {
        contact_id,
        contact_name,
        sav: tickets_of(db, tenant, contact_id, with_archived).await?,
        services: services_of(db, tenant, contact_id).await?,
    })
}

/// A client's tickets, open ones first, newest first.
pub async fn tickets_of(db: &Db, tenant: &Tenant, contact_id: i64, with_archived: bool) -> Result<Vec<SavView>, AppError> {
    let cond = if with_archived { "" } else { " AND archived = FALSE" };
    let sav: Vec<SavRow> = crate::on_pool!(db, c => sqlx::query_as(&format!(
        "SELECT id, contact_id, title, observations, opened_on, closed_on, status, archived FROM sav WHERE company_id = $1 AND contact_id = $2{cond} \
         ORDER BY CASE status WHEN 'clos' THEN 1 ELSE 0 END, opened_on DESC, id DESC"))
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
    .map_err(internal)?;
    Ok(sav.into_iter().map(SavView::from).collect())
}

/// A client's services, active ones first, by next due date.
pub async fn services_of(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<ServiceView>, AppError> {
    let services: Vec<ServiceRow> = crate::on_pool!(db, c => sqlx::query_as(
        "SELECT id, contact_id, label, start_date, periodicity_months, next_due, notes, active FROM service WHERE company_id = $1 AND contact_id = $2 \
         ORDER BY active DESC, next_due, id")
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
    .map_err(internal)?;
    Ok(services
        .into_iter()
        .map(|r| ServiceView {
            id: r.id,
            contact_id: r.contact_id,
            label: r.label,
            start_date: r.start_date,
            periodicity_months: r.periodicity_months,
            next_due: r.next_due,
            notes: r.notes,
            active: r.active,
        })
        .collect())
}

/// Open tickets of the company (the dashboard's widget), oldest first.
pub async fn open_tickets(db: &Db, tenant: &Tenant, limit: i64) -> Result<Vec<(SavView, String)>, AppError> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        sav: SavRow,
        nom: String,
        prenom: String,
        societe: String,
    }
    let rows: Vec<Row> = crate::on_pool!(db, c => sqlx::query_as(
        "SELECT s.id, s.contact_id, s.title, s.observations, s.opened_on, s.closed_on, s.status, s.archived, c.nom, c.prenom, c.societe \
         FROM sav s JOIN contact c ON c.company_id = s.company_id AND c.id = s.contact_id \
         WHERE s.company_id = $1 AND s.status <> 'clos' AND s.archived = FALSE ORDER BY s.opened_on, s.id LIMIT $2")
        .bind(tenant.company_id()).bind(limit).fetch_all(c).await)
    .map_err(internal)?;
    Ok(rows.into_iter().map(|r| (SavView::from(r.sav), crate::contacts::model::contact_title(&r.nom, &r.prenom, &r.societe))).collect())
}
