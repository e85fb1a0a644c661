//! Imports in the database: the import_job rows (the file, its settings, its preview,
//! its progress) and what the pages read of them. The analysis is in `analysis`, the
//! background work that applies an import in `job`. See docs/import-export.md.

use crate::contacts::model::Statut;
use crate::db::{Db, Tenant, internal, now};
use crate::error::AppError;
use crate::imports::analysis::{active, analyse};
use crate::imports::job::STALL_SECS;
use crate::imports::model::{Analysis, CHOICES, FIELDS, ImportRow, ImportView, Mapping, Progress};
use crate::imports::parse::{self, Table};
use crate::on_pool;
use crate::questions::model::QuestionView;

// The job's entries, where the pages and the benchmark have always found them.
pub use crate::imports::analysis::row_input;
pub use crate::imports::job::{BATCH, resume, run, start, stop, undo};

pub(crate) async fn questions(db: &Db, tenant: &Tenant) -> Result<Vec<QuestionView>, AppError> {
    let mut tx = db.read().await?;
    crate::questions::store::list(&mut tx, tenant).await
}

async fn analyse_in_background(
    db: &Db,
    tenant: &Tenant,
    table: Table,
    mapping: Mapping,
    statut: Statut,
    qs: Vec<QuestionView>,
) -> Result<(Table, Analysis), AppError> {
    let people = crate::duplicates::store::people(db, tenant, None).await?;
    tokio::task::spawn_blocking(move || {
        let a = analyse(&table, &mapping, statut, &qs, people);
        (table, a)
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// Reads an uploaded file (`parse::read`) on a blocking thread, one file at a time per
/// server: the largest file accepted takes a few hundred megabytes while it is read, and
/// two at once must not exhaust the server's memory. Gives the bytes back. A file that
/// makes the reader fail unexpectedly is refused in French, not answered with a 500.
pub(crate) async fn read_upload(bytes: Vec<u8>) -> Result<(Table, Vec<u8>), AppError> {
    static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _turn = ONE_AT_A_TIME.acquire().await.map_err(|_| AppError::Internal)?;
    let read = tokio::task::spawn_blocking(move || {
        let table = parse::read(&bytes);
        (table, bytes)
    })
    .await;
    match read {
        Ok((table, bytes)) => Ok((table?, bytes)),
        Err(e) => {
            tracing::error!(error = %e, "reading an imported file failed");
            Err(AppError::invalid(
                "fichier",
                "Ce fichier n'a pas pu être lu. Enregistrez-le en CSV ou en XLSX depuis votre tableur, puis réessayez.",
            ))
        }
    }
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// An uploaded file becomes an import in «Aperçu»: read, columns guessed, rows analysed.
/// A file that cannot be read is refused and nothing is kept.
pub async fn create(db: &Db, tenant: &Tenant, user_id: i64, file_name: &str, bytes: Vec<u8>) -> Result<i64, AppError> {
    let file_name = crate::files::check_file_name(file_name)?;
    let (table, bytes) = read_upload(bytes).await?;
    let qs = questions(db, tenant).await?;
    let mapping = parse::guess_mapping(&table.headers, &active(&qs));
    let (_, analysis) = analyse_in_background(db, tenant, table, mapping.clone(), Statut::Client, qs).await?;
    let sql = "INSERT INTO import_job (company_id, user_id, file_name, content, state, statut, default_choice, mapping, analysis, total_rows, created_at) \
               VALUES ($1, $2, $3, $4, 'apercu', 'client', 'ignorer', $5, $6, $7, $8) RETURNING id";
    // An imported file is kept (the job reads it again): it counts in the company's quota.
    let mut tx = db.begin().await?;
    crate::documents::store::check_quota(&mut tx, tenant, bytes.len()).await?;
    let id: i64 = crate::on_conn!(&mut tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(&file_name)
        .bind(&bytes)
        .bind(json(&mapping))
        .bind(json(&analysis))
        .bind(analysis.total as i64)
        .bind(now())
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    file_name: String,
    pub(crate) state: String,
    statut: String,
    default_choice: String,
    total_rows: i64,
    done_rows: i64,
    created: i64,
    merged: i64,
    skipped: i64,
    invalid: i64,
    heartbeat_at: i64,
    error: String,
    created_at: i64,
    by_name: String,
}

impl JobRow {
    fn progress(&self) -> Progress {
        Progress {
            state: self.state.clone(),
            total: self.total_rows,
            done: self.done_rows,
            created: self.created,
            merged: self.merged,
            skipped: self.skipped,
            invalid: self.invalid,
        }
    }
    pub(crate) fn stalled(&self) -> bool {
        self.state == "en_cours" && self.heartbeat_at < now() - STALL_SECS
    }
}

/// An import's figures, not its file nor its preview (read by every progress poll).
const JOB_COLUMNS: &str = "j.id, j.file_name, j.state, j.statut, j.default_choice, j.total_rows, j.done_rows, \
                           j.created, j.merged, j.skipped, j.invalid, j.heartbeat_at, j.error, j.created_at, u.name AS by_name";

pub(crate) async fn job(db: &Db, tenant: &Tenant, id: i64) -> Result<JobRow, AppError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM import_job j JOIN app_user u ON u.id = j.user_id WHERE j.company_id = $1 AND j.id = $2");
    on_pool!(db, c => sqlx::query_as::<_, JobRow>(&sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Import".into()))
}

pub async fn view(db: &Db, tenant: &Tenant, id: i64) -> Result<ImportView, AppError> {
    let j = job(db, tenant, id).await?;
    let sql = "SELECT mapping, choices, analysis FROM import_job WHERE company_id = $1 AND id = $2";
    let (mapping, choices, analysis): (String, String, String) =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)?;
    let qs = questions(db, tenant).await?;
    let mut options: Vec<(String, String)> = FIELDS.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect();
    options.extend(active(&qs).into_iter().map(|(id, label)| (format!("q{id}"), format!("Question : {label}"))));
    Ok(ImportView {
        id: j.id,
        file_name: j.file_name.clone(),
        state: j.state.clone(),
        stalled: j.stalled(),
        by: j.by_name.clone(),
        when: crate::fmt::datetime_fr(j.created_at),
        statut: j.statut.clone(),
        default_choice: j.default_choice.clone(),
        mapping: serde_json::from_str(&mapping).unwrap_or_default(),
        choices: serde_json::from_str(&choices).unwrap_or_default(),
        analysis: serde_json::from_str(&analysis).unwrap_or_default(),
        options,
        progress: j.progress(),
        error: j.error.clone(),
    })
}

pub async fn progress(db: &Db, tenant: &Tenant, id: i64) -> Result<Progress, AppError> {
    let j = job(db, tenant, id).await?;
    let mut p = j.progress();
    if j.stalled() {
        p.state = "bloque".into();
    }
    Ok(p)
}

/// «Imports précédents».
pub async fn list(db: &Db, tenant: &Tenant) -> Result<Vec<ImportRow>, AppError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM import_job j JOIN app_user u ON u.id = j.user_id WHERE j.company_id = $1 ORDER BY j.id DESC LIMIT 100"
    );
    let rows: Vec<JobRow> = on_pool!(db, c => sqlx::query_as(&sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .iter()
        .map(|j| ImportRow {
            id: j.id,
            file_name: j.file_name.clone(),
            by: j.by_name.clone(),
            when: crate::fmt::datetime_fr(j.created_at),
            progress: j.progress(),
        })
        .collect())
}

/// The choices of the preview page, checked.
pub struct Settings {
    pub mapping: Mapping,
    pub statut: Statut,
    pub default_choice: String,
    pub choices: Vec<(usize, String)>,
}

pub fn check_choice(c: &str) -> Result<String, AppError> {
    CHOICES.iter().find(|(code, _)| *code == c).map(|(code, _)| code.to_string()).ok_or_else(|| {
        AppError::invalid("choix", "Choix inconnu pour un doublon : ne pas importer, compléter la fiche existante ou créer quand même.")
    })
}

async fn content(db: &Db, tenant: &Tenant, id: i64) -> Result<Vec<u8>, AppError> {
    let sql = "SELECT content FROM import_job WHERE company_id = $1 AND id = $2";
    on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Import".into()))
}

/// «Mettre à jour l'aperçu»: saves the mapping, statut and choices and analyses again.
/// Only an import still in «Aperçu» changes.
pub async fn configure(db: &Db, tenant: &Tenant, id: i64, s: &Settings) -> Result<(), AppError> {
    let j = job(db, tenant, id).await?;
    if j.state != "apercu" {
        return Err(AppError::invalid("mapping", "Cet import est déjà lancé : ses réglages ne changent plus."));
    }
    if !matches!(s.statut, Statut::Client | Statut::Prospect) {
        return Err(AppError::invalid("statut", "Importez en Client ou en Prospect."));
    }
    let bytes = content(db, tenant, id).await?;
    let (table, _) = read_upload(bytes).await?;
    let qs = questions(db, tenant).await?;
    parse::check_mapping(&s.mapping, table.headers.len(), &active(&qs))?;
    if let Some((row, _)) = s.choices.iter().find(|(row, _)| *row >= table.rows.len()) {
        return Err(AppError::invalid("choix", format!("La ligne n° {row} n'existe pas dans le fichier.")));
    }
    let (_, analysis) = analyse_in_background(db, tenant, table, s.mapping.clone(), s.statut, qs).await?;
    let sql = "UPDATE import_job SET mapping = $3, statut = $4, default_choice = $5, choices = $6, analysis = $7 \
               WHERE company_id = $1 AND id = $2 AND state = 'apercu'";
    let n = on_pool!(db, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(id)
        .bind(json(&s.mapping))
        .bind(s.statut.code())
        .bind(&s.default_choice)
        .bind(json(&s.choices))
        .bind(json(&analysis))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("mapping", "Cet import est déjà lancé : ses réglages ne changent plus."));
    }
    Ok(())
}
