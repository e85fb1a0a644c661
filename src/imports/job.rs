//! The background job that applies an import: claimed in the database (one server at a
//! time), rows in batches of `BATCH`, one transaction each with the progress and a
//! heartbeat, stopped on request between batches, resumed from the last committed batch
//! when its server stopped; and the undo of a whole import. See docs/import-export.md.

use std::collections::HashMap;

use crate::contacts::model::{ContactInput, Statut};
use crate::db::{Db, Tenant, Tx, Val, bulk_insert, internal, now};
use crate::duplicates::model::MERGE_FIELDS;
use crate::error::AppError;
use crate::imports::analysis::{Detector, Target, Verdict, classify, input_title, message};
use crate::imports::model::Mapping;
use crate::imports::parse::Table;
use crate::imports::store::{job, json, questions, read_upload};
use crate::questions::model::QuestionView;
use crate::{on_conn, on_pool};

/// Rows applied per transaction.
pub const BATCH: usize = 1000;
/// A running import whose worker has not reported for this long is stalled (its server
/// stopped): it may be resumed.
pub const STALL_SECS: i64 = 120;

/// «Importer»: the import goes to the background job.
pub async fn start(db: &Db, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let sql = "UPDATE import_job SET state = 'en_cours', heartbeat_at = $3 WHERE company_id = $1 AND id = $2 AND state = 'apercu'";
    claim(db, tenant, id, sql, "Cet import est déjà lancé.").await
}

/// «Reprendre l'import»: an interrupted import, or one whose server stopped, goes on from
/// its last committed batch.
pub async fn resume(db: &Db, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let sql = format!(
        "UPDATE import_job SET state = 'en_cours', stop_requested = FALSE, heartbeat_at = $3 WHERE company_id = $1 AND id = $2 \
         AND (state = 'interrompu' OR (state = 'en_cours' AND heartbeat_at < $3 - {STALL_SECS}))"
    );
    claim(db, tenant, id, &sql, "Cet import n'est pas interrompu : il ne peut pas reprendre.").await
}

async fn claim(db: &Db, tenant: &Tenant, id: i64, sql: &str, refused: &str) -> Result<(), AppError> {
    job(db, tenant, id).await?;
    let n = on_pool!(db, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("import", refused));
    }
    spawn(db.clone(), *tenant, id);
    Ok(())
}

/// «Interrompre»: the job stops after its current batch (a stalled one stops at once).
pub async fn stop(db: &Db, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    job(db, tenant, id).await?;
    let sql = format!(
        "UPDATE import_job SET stop_requested = TRUE, state = CASE WHEN heartbeat_at < $3 - {STALL_SECS} THEN 'interrompu' ELSE state END \
         WHERE company_id = $1 AND id = $2 AND state = 'en_cours'"
    );
    let n = on_pool!(db, c => sqlx::query(&sql).bind(tenant.company_id()).bind(id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("import", "Cet import n'est pas en cours."));
    }
    Ok(())
}

/// Jobs run one at a time per server: each holds its whole file in memory (up to a few
/// hundred megabytes for the largest accepted), and several at once could exhaust it.
static ONE_JOB_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

fn spawn(db: Db, tenant: Tenant, id: i64) {
    tokio::spawn(async move {
        let Ok(_turn) = ONE_JOB_AT_A_TIME.acquire().await else { return };
        if let Err(e) = run(&db, &tenant, id).await {
            tracing::error!(error = %e, import = id, "import failed");
            let sql = "UPDATE import_job SET state = 'echec', error = $3, finished_at = $4 WHERE company_id = $1 AND id = $2 AND state = 'en_cours'";
            let text = message(e);
            let _ = on_pool!(&db, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(&text).bind(now()).execute(c).await.map(|_| ()));
        }
    });
}

#[derive(sqlx::FromRow)]
struct Plan {
    user_id: i64,
    content: Vec<u8>,
    statut: String,
    default_choice: String,
    mapping: String,
    choices: String,
    done_rows: i64,
}

/// The job: rows from the last committed one, `BATCH` per transaction; each batch checks
/// that the import is still this job's (state and position) and whether it was asked to
/// stop, and commits its rows with the progress.
pub async fn run(db: &Db, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let sql =
        "SELECT user_id, content, statut, default_choice, mapping, choices, done_rows FROM import_job WHERE company_id = $1 AND id = $2";
    let plan: Plan = on_pool!(db, c => sqlx::query_as(sql).bind(cid).bind(id).fetch_one(c).await).map_err(internal)?;
    let content = plan.content;
    let (table, _) = read_upload(content).await?;
    let qs = questions(db, tenant).await?;
    let mapping: Mapping = serde_json::from_str(&plan.mapping).map_err(|_| AppError::Internal)?;
    let statut = Statut::from_code(&plan.statut).ok_or(AppError::Internal)?;
    let choices: HashMap<usize, String> =
        serde_json::from_str::<Vec<(usize, String)>>(&plan.choices).unwrap_or_default().into_iter().collect();
    let people = crate::duplicates::store::people(db, tenant, None).await?;
    let mut det = tokio::task::spawn_blocking(move || Detector::new(people)).await.map_err(|_| AppError::Internal)?;
    let mut done = plan.done_rows as usize;
    while done < table.rows.len() {
        let end = (done + BATCH).min(table.rows.len());
        let mut tx = db.begin().await?;
        // Still this job's (not undone, not taken over by another server) and not asked to stop?
        let mine = "UPDATE import_job SET heartbeat_at = $4 WHERE company_id = $1 AND id = $2 AND state = 'en_cours' AND done_rows = $3 RETURNING stop_requested";
        let stop: Option<bool> =
            on_conn!(&mut tx, c => sqlx::query_scalar(mine).bind(cid).bind(id).bind(done as i64).bind(now()).fetch_optional(c).await)
                .map_err(internal)?;
        let Some(stop) = stop else { return Ok(()) };
        if stop {
            let sql = "UPDATE import_job SET state = 'interrompu', stop_requested = FALSE WHERE company_id = $1 AND id = $2";
            on_conn!(&mut tx, c => sqlx::query(sql).bind(cid).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
            return tx.commit().await;
        }
        let counts = apply_batch(
            &mut tx,
            tenant,
            id,
            plan.user_id,
            &table,
            done..end,
            &mapping,
            statut,
            &qs,
            &choices,
            &plan.default_choice,
            &mut det,
        )
        .await?;
        let sql = "UPDATE import_job SET done_rows = $3, created = created + $4, merged = merged + $5, skipped = skipped + $6, invalid = invalid + $7 \
                   WHERE company_id = $1 AND id = $2";
        on_conn!(&mut tx, c => sqlx::query(sql).bind(cid).bind(id).bind(end as i64).bind(counts[0]).bind(counts[1]).bind(counts[2]).bind(counts[3]).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        tx.commit().await?;
        done = end;
    }
    let mut tx = db.begin().await?;
    let sql = "UPDATE import_job SET state = 'termine', finished_at = $3 WHERE company_id = $1 AND id = $2 AND state = 'en_cours' RETURNING created, merged, skipped, invalid";
    let counts: Option<(i64, i64, i64, i64)> =
        on_conn!(&mut tx, c => sqlx::query_as(sql).bind(cid).bind(id).bind(now()).fetch_optional(c).await).map_err(internal)?;
    if let Some((c, m, s, i)) = counts {
        let detail = format!("{c} créé(s), {m} complété(s), {s} ignoré(s), {i} invalide(s)");
        crate::db::audit(&mut tx, tenant, Some(plan.user_id), "import", id, "termine", &detail).await?;
    }
    tx.commit().await
}

/// Applies rows `range` in the caller's transaction; returns the counts (created, merged,
/// skipped, invalid).
async fn apply_batch(
    tx: &mut Tx,
    tenant: &Tenant,
    import_id: i64,
    user_id: i64,
    table: &Table,
    range: std::ops::Range<usize>,
    mapping: &[String],
    statut: Statut,
    qs: &[QuestionView],
    choices: &HashMap<usize, String>,
    default_choice: &str,
    det: &mut Detector,
) -> Result<[i64; 4], AppError> {
    let mut counts = [0i64; 4];
    let mut docs = Vec::new();
    // What each row did (row, contact, outcome, prior), written at the end in one go.
    let mut done: Vec<(i64, i64, &str, String)> = Vec::new();
    let at = now();
    for row in range {
        let (_, cells) = &table.rows[row];
        let verdict = classify(det, cells, mapping, statut, qs);
        let (input, answers, norm, target) = match verdict {
            Verdict::Invalid(_) => {
                counts[3] += 1;
                continue;
            }
            Verdict::New(input, answers, n) => (input, answers, n, None),
            Verdict::Duplicate(input, answers, n, i, _, _) => (input, answers, n, Some(det.targets[i])),
        };
        let choice = choices.get(&row).map(String::as_str).unwrap_or(default_choice);
        let target = match target {
            Some(Target::Contact(id)) => Some(id),
            _ => None,
        };
        match (target, choice) {
            (Some(_), "ignorer") => {
                counts[2] += 1;
                continue;
            }
            (Some(existing), "fusionner") => {
                if let Some(prior) = complete(tx, tenant, user_id, import_id, existing, &input, &answers, at).await? {
                    done.push((row as i64, existing, "fusionne", prior));
                    counts[1] += 1;
                    continue;
                }
            }
            _ => {}
        }
        let id = crate::contacts::store::insert(tx, tenant, Some(user_id), &input).await?;
        for (q, v) in &answers {
            crate::questions::store::insert_answer(tx, tenant, user_id, id, *q, v, at).await?;
        }
        done.push((row as i64, id, "cree", String::new()));
        docs.push((id, crate::contacts::store::search_terms(&input, &[], &[])));
        // Later rows, in this batch too, are checked against it (a failed batch ends the run).
        det.add(norm, input_title(&input), Target::Contact(id));
        counts[0] += 1;
    }
    crate::search::store::reindex_many(tx, tenant, &docs).await?;
    let (cid, import) = (tenant.company_id(), import_id);
    let vals: Vec<Val> = done
        .iter()
        .flat_map(|(row, contact, outcome, prior)| {
            [Val::Int(cid), Val::Int(import), Val::Int(*row), Val::Int(*contact), Val::Text(outcome), Val::Text(prior)]
        })
        .collect();
    bulk_insert(tx, "import_row (company_id, import_id, row_no, contact_id, outcome, prior)", 6, &vals, "").await?;
    Ok(counts)
}

fn field_of<'a>(c: &'a ContactInput, f: &str) -> &'a str {
    match f {
        "civilite" => &c.civilite,
        "nom" => &c.nom,
        "prenom" => &c.prenom,
        "societe" => &c.societe,
        "adresse" => &c.adresse,
        "code_postal" => &c.code_postal,
        "ville" => &c.ville,
        "email" => &c.email,
        _ => "",
    }
}

/// What a merge changed on a record, to undo it: fields (name, before, after), phones
/// added, notes before and after, answers added.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Prior {
    fields: Vec<(String, String, String)>,
    phones: Vec<String>,
    notes: Option<(String, String)>,
    answers: Vec<(i64, String)>,
}

/// «Compléter la fiche existante»: empty fields of the record take the row's values,
/// new phones are added (four at most), the row's notes are appended, unanswered
/// questions get the row's answers. `None` when the record is gone (in the «Corbeille»).
async fn complete(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    import_id: i64,
    id: i64,
    input: &ContactInput,
    answers: &[(i64, String)],
    at: i64,
) -> Result<Option<String>, AppError> {
    let cid = tenant.company_id();
    if !crate::db::lock_row(tx, tenant, "contact", id).await? {
        return Ok(None);
    }
    let sql = "SELECT statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes FROM contact WHERE company_id = $1 AND id = $2";
    type Row = (String, String, String, String, String, String, String, String, String, String);
    let r: Row = on_conn!(tx, c => sqlx::query_as(sql).bind(cid).bind(id).fetch_one(c).await).map_err(internal)?;
    if r.0 == Statut::Corbeille.code() {
        return Ok(None);
    }
    let mut current = [r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8];
    let mut prior = Prior::default();
    // The fields «Fusionner» chooses one by one; here filled only where empty.
    for (i, (f, _)) in MERGE_FIELDS.iter().enumerate() {
        let new = field_of(input, f);
        if current[i].is_empty() && !new.is_empty() {
            prior.fields.push((f.to_string(), String::new(), new.to_string()));
            current[i] = new.to_string();
        }
    }
    let mut notes = r.9;
    if !input.notes.is_empty() && !notes.contains(&input.notes) {
        let after = if notes.is_empty() { input.notes.clone() } else { format!("{notes}\n\n{}", input.notes) };
        prior.notes = Some((notes.clone(), after.clone()));
        notes = after;
    }
    let mut phones = crate::contacts::store::phones_of(tx, tenant, id).await?;
    let known: Vec<Option<String>> = phones.iter().map(|p| crate::duplicates::score::e164(p)).collect();
    for p in &input.phones {
        if phones.len() < crate::contacts::model::PHONES_MAX && !known.contains(&crate::duplicates::score::e164(p)) {
            phones.push(p.clone());
            prior.phones.push(p.clone());
        }
    }
    let upd = "UPDATE contact SET civilite = $3, nom = $4, prenom = $5, societe = $6, adresse = $7, code_postal = $8, ville = $9, email = $10, notes = $11, updated_at = $12 \
               WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(upd)
        .bind(cid).bind(id)
        .bind(&current[0]).bind(&current[1]).bind(&current[2]).bind(&current[3]).bind(&current[4]).bind(&current[5]).bind(&current[6]).bind(&current[7])
        .bind(&notes).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if !prior.phones.is_empty() {
        crate::contacts::store::set_phones(tx, tenant, id, &phones).await?;
    }
    let have: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar("SELECT question_id FROM answer WHERE company_id = $1 AND contact_id = $2").bind(cid).bind(id).fetch_all(c).await)
        .map_err(internal)?;
    for (q, v) in answers.iter().filter(|(q, _)| !have.contains(q)) {
        crate::questions::store::insert_answer(tx, tenant, user_id, id, *q, v, at).await?;
        prior.answers.push((*q, v.clone()));
    }
    crate::db::audit(tx, tenant, Some(user_id), "contact", id, "import", &format!("complétée par l'import n° {import_id}")).await?;
    crate::contacts::store::reindex_contact(tx, tenant, id).await?;
    Ok(Some(json(&prior)))
}

/// «Annuler l'import», as a whole, in one transaction: the contacts it created go to the
/// «Corbeille» (never deleted), the records it completed get their values back where
/// nobody changed them since.
pub async fn undo(db: &Db, tenant: &Tenant, user_id: i64, id: i64) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let j = job(db, tenant, id).await?;
    if j.state == "en_cours" && !j.stalled() {
        return Err(AppError::invalid("import", "Cet import est en cours : interrompez-le d'abord."));
    }
    let mut tx = db.begin().await?;
    let sql = "UPDATE import_job SET state = 'annule', undone_at = $3, undone_by = $4 WHERE company_id = $1 AND id = $2 \
               AND state IN ('termine', 'interrompu', 'echec', 'en_cours')";
    let n =
        on_conn!(&mut tx, c => sqlx::query(sql).bind(cid).bind(id).bind(now()).bind(user_id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("import", "Cet import n'a rien importé ou a déjà été annulé."));
    }
    let sql = "SELECT r.contact_id, k.statut FROM import_row r JOIN contact k ON k.company_id = r.company_id AND k.id = r.contact_id \
               WHERE r.company_id = $1 AND r.import_id = $2 AND r.outcome = 'cree' AND k.statut <> 'corbeille' ORDER BY r.contact_id";
    let created: Vec<(i64, String)> =
        on_conn!(&mut tx, c => sqlx::query_as(sql).bind(cid).bind(id).fetch_all(c).await).map_err(internal)?;
    let trash = "UPDATE contact SET statut = 'corbeille', updated_at = $3 WHERE company_id = $1 AND id = $2";
    let at = now();
    for (contact, statut) in &created {
        on_conn!(&mut tx, c => sqlx::query(trash).bind(cid).bind(*contact).bind(at).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        crate::contacts::store::record_status(&mut tx, tenant, Some(user_id), *contact, statut, Statut::Corbeille.code()).await?;
    }
    let docs: Vec<(i64, std::collections::BTreeSet<String>)> = created.iter().map(|(c, _)| (*c, Default::default())).collect();
    crate::search::store::reindex_many(&mut tx, tenant, &docs).await?;
    let sql =
        "SELECT contact_id, prior FROM import_row WHERE company_id = $1 AND import_id = $2 AND outcome = 'fusionne' ORDER BY row_no DESC";
    let merged: Vec<(i64, String)> = on_conn!(&mut tx, c => sqlx::query_as(sql).bind(cid).bind(id).fetch_all(c).await).map_err(internal)?;
    for (contact, prior) in merged {
        let prior: Prior = serde_json::from_str(&prior).unwrap_or_default();
        restore(&mut tx, tenant, contact, &prior).await?;
    }
    let detail = format!("{} contact(s) mis à la Corbeille", created.len());
    crate::db::audit(&mut tx, tenant, Some(user_id), "import", id, "annule", &detail).await?;
    tx.commit().await
}

/// Puts back what a merge into `id` changed, where the value is still the imported one.
async fn restore(tx: &mut Tx, tenant: &Tenant, id: i64, prior: &Prior) -> Result<(), AppError> {
    let cid = tenant.company_id();
    for (field, before, after) in &prior.fields {
        // The column name comes from our own list, never from the stored text.
        let Some((column, _)) = MERGE_FIELDS.iter().find(|(f, _)| f == field) else { continue };
        let sql = format!("UPDATE contact SET {column} = $3 WHERE company_id = $1 AND id = $2 AND {column} = $4");
        on_conn!(tx, c => sqlx::query(&sql).bind(cid).bind(id).bind(before).bind(after).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    if let Some((before, after)) = &prior.notes {
        let sql = "UPDATE contact SET notes = $3 WHERE company_id = $1 AND id = $2 AND notes = $4";
        on_conn!(tx, c => sqlx::query(sql).bind(cid).bind(id).bind(before).bind(after).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    if !prior.phones.is_empty() {
        let phones: Vec<String> =
            crate::contacts::store::phones_of(tx, tenant, id).await?.into_iter().filter(|p| !prior.phones.contains(p)).collect();
        crate::contacts::store::set_phones(tx, tenant, id, &phones).await?;
    }
    for (q, v) in &prior.answers {
        let sql = "DELETE FROM answer WHERE company_id = $1 AND contact_id = $2 AND question_id = $3 AND value = $4";
        on_conn!(tx, c => sqlx::query(sql).bind(cid).bind(id).bind(*q).bind(v).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    crate::contacts::store::reindex_contact(tx, tenant, id).await
}
