//! Duplicates in the database: the merge (and its undo), «Pas un doublon», the
//! whole-base scan, the candidates of a contact being typed in.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::contacts::model::{PHONES_MAX, Statut, contact_title};
use crate::db::{Db, Tenant, Tx, internal, now};
use crate::duplicates::model::{Candidate, MERGE_FIELDS, MergeSide, PairView};
use crate::duplicates::score::{LIKELY, Norm, Person, block_limit, keys, normalise, score};
use crate::error::AppError;
use crate::{on_conn, on_pool};

/// A table whose rows belong to a contact, moved to the survivor by a merge (and back
/// by its undo). **A new table that holds a contact joins here**: `tests/duplicates.rs`
/// lists every table with a `contact_id` column and fails on one that is neither here
/// nor in [`NOT_MOVED`].
pub struct Attached {
    pub table: &'static str,
    pub column: &'static str,
    /// Extra condition, e.g. the audit rows of contacts only.
    pub filter: &'static str,
    /// A column unique per contact (e.g. an answer's `question_id`): a row of the other
    /// moves only when the survivor has none with the same value — the survivor's wins,
    /// the other's stays on the merged record.
    pub unique: &'static str,
}

pub const ATTACHED: &[Attached] = &[
    Attached { table: "document", column: "contact_id", filter: "", unique: "" },
    Attached { table: "stored_file", column: "contact_id", filter: "", unique: "" },
    Attached { table: "action", column: "contact_id", filter: "", unique: "" },
    Attached { table: "reminder_letter", column: "contact_id", filter: "", unique: "" },
    Attached { table: "sav", column: "contact_id", filter: "", unique: "" },
    Attached { table: "service", column: "contact_id", filter: "", unique: "" },
    Attached { table: "contact_site", column: "contact_id", filter: "", unique: "" },
    Attached { table: "answer", column: "contact_id", filter: "", unique: "question_id" },
    Attached { table: "audit", column: "entity_id", filter: " AND entity = 'contact'", unique: "" },
];

/// Tables with a `contact_id` that a merge does not move, and why.
pub const NOT_MOVED: &[(&str, &str)] = &[
    ("contact_phone", "merged as values: the survivor gets the union of the numbers, the other keeps its own"),
    ("search_doc", "derived: both records are re-indexed"),
    ("contact_alias", "written by the merge itself (the other's name on the survivor)"),
    ("reminder_schedule", "derived: rewritten from the invoices by the reminder planner"),
    ("recent_view", "a user's history of visits; the merged record is in the «Corbeille» and drops out of it"),
    ("import_row", "an import's record of what it did: undoing the import acts on the record it created or completed"),
];

/// What a merge changes on a record, kept to undo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Snapshot {
    statut: String,
    fields: Vec<(String, String)>,
    notes: String,
    phones: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct SideRow {
    statut: String,
    civilite: String,
    nom: String,
    prenom: String,
    societe: String,
    adresse: String,
    code_postal: String,
    ville: String,
    email: String,
    notes: String,
    merged_into: Option<i64>,
}

impl SideRow {
    fn field(&self, name: &str) -> String {
        match name {
            "civilite" => &self.civilite,
            "nom" => &self.nom,
            "prenom" => &self.prenom,
            "societe" => &self.societe,
            "adresse" => &self.adresse,
            "code_postal" => &self.code_postal,
            "ville" => &self.ville,
            "email" => &self.email,
            _ => "",
        }
        .to_string()
    }
    fn title(&self) -> String {
        contact_title(&self.nom, &self.prenom, &self.societe)
    }
}

const SIDE_COLUMNS: &str = "statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes, merged_into";

async fn side(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(SideRow, Vec<String>), AppError> {
    let sql = format!("SELECT {SIDE_COLUMNS} FROM contact WHERE company_id = $1 AND id = $2");
    let row = on_conn!(tx, c => sqlx::query_as::<_, SideRow>(&sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Contact".into()))?;
    Ok((row, crate::contacts::store::phones_of(tx, tenant, id).await?))
}

fn snapshot(r: &SideRow, phones: &[String]) -> Snapshot {
    Snapshot {
        statut: r.statut.clone(),
        fields: MERGE_FIELDS.iter().map(|(f, _)| (f.to_string(), r.field(f))).collect(),
        notes: r.notes.clone(),
        phones: phones.to_vec(),
    }
}

async fn write_fields(tx: &mut Tx, tenant: &Tenant, id: i64, s: &Snapshot) -> Result<(), AppError> {
    let get = |f: &str| s.fields.iter().find(|(k, _)| k == f).map(|(_, v)| v.clone()).unwrap_or_default();
    let sql = "UPDATE contact SET civilite = $3, nom = $4, prenom = $5, societe = $6, adresse = $7, code_postal = $8, ville = $9, email = $10, \
               notes = $11, updated_at = $12 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(id)
        .bind(get("civilite"))
        .bind(get("nom"))
        .bind(get("prenom"))
        .bind(get("societe"))
        .bind(get("adresse"))
        .bind(get("code_postal"))
        .bind(get("ville"))
        .bind(get("email"))
        .bind(&s.notes)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(internal)?;
    crate::contacts::store::set_phones(tx, tenant, id, &s.phones).await
}

async fn set_statut(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    id: i64,
    from: &str,
    to: &str,
    merged_into: Option<i64>,
) -> Result<(), AppError> {
    let sql = "UPDATE contact SET statut = $3, merged_into = $4, updated_at = $5 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(to).bind(merged_into).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    if from != to {
        crate::contacts::store::record_status(tx, tenant, Some(user_id), id, from, to).await?;
    }
    Ok(())
}

/// Locks both records (in id order) and checks they may be merged.
async fn lock_pair(tx: &mut Tx, tenant: &Tenant, a: i64, b: i64) -> Result<(), AppError> {
    for id in [a.min(b), a.max(b)] {
        crate::contacts::store::lock_statut(tx, tenant, id).await?;
    }
    Ok(())
}

/// «Fusionner»: `other` goes into `survivor`. Fields listed in `from_other` take the
/// other's value; notes are joined, phones united; everything attached moves; the other's
/// name stays searchable on the survivor; the other goes to the «Corbeille», «Fusionnée
/// dans …». One transaction; returns the merge's id (for «Annuler la fusion»).
/// `commercial`: whether the user holds «Gestion commerciale»; without it, two contacts whose
/// commercial fields differ (blocking, its reason, «Plafond d'encours») are not merged: the
/// survivor's would silently replace the other's, and a blocked client's invoices move to
/// a contact that is not blocked.
pub async fn merge(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    survivor: i64,
    other: i64,
    from_other: &[String],
    commercial: bool,
) -> Result<i64, AppError> {
    if survivor == other {
        return Err(AppError::invalid("other", "Un contact ne peut pas être fusionné avec lui-même."));
    }
    if let Some(bad) = from_other.iter().find(|f| !MERGE_FIELDS.iter().any(|(k, _)| k == f)) {
        return Err(AppError::invalid("other", format!("Champ inconnu : {bad}.")));
    }
    lock_pair(tx, tenant, survivor, other).await?;
    let (s, s_phones) = side(tx, tenant, survivor).await?;
    let (o, o_phones) = side(tx, tenant, other).await?;
    for r in [&s, &o] {
        if r.merged_into.is_some() {
            return Err(AppError::invalid("other", format!("« {} » a déjà été fusionné.", r.title())));
        }
        if r.statut == Statut::Corbeille.code() {
            return Err(AppError::invalid(
                "other",
                format!("« {} » est dans la Corbeille : restaurez-le avant de le fusionner.", r.title()),
            ));
        }
    }
    if !commercial {
        let sql = "SELECT bloque, bloque_motif, plafond_encours FROM contact WHERE company_id = $1 AND id = $2";
        let mut sides = Vec::new();
        for id in [survivor, other] {
            let row: (i64, String, Option<i64>) =
                on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)?;
            sides.push(row);
        }
        if sides[0] != sides[1] {
            return Err(AppError::Forbidden(crate::auth::Right::Commercial.label().to_string()));
        }
    }
    let before = snapshot(&s, &s_phones);
    let other_before = snapshot(&o, &o_phones);
    let mut after = before.clone();
    for (f, v) in after.fields.iter_mut() {
        if from_other.contains(f) {
            *v = o.field(f);
        }
    }
    if !o.notes.trim().is_empty() && o.notes != s.notes {
        after.notes = if s.notes.trim().is_empty() { o.notes.clone() } else { format!("{}\n\n{}", s.notes, o.notes) };
    }
    for p in &o_phones {
        if !after.phones.contains(p) && after.phones.len() < PHONES_MAX {
            after.phones.push(p.clone());
        }
    }
    write_fields(tx, tenant, survivor, &after).await?;
    // Everything attached to the other moves, rows remembered for the undo.
    let cid = tenant.company_id();
    let mut moved: Vec<(String, Vec<i64>)> = Vec::new();
    for a in ATTACHED {
        let keep = if a.unique.is_empty() {
            String::new()
        } else {
            format!(" AND {u} NOT IN (SELECT {u} FROM {t} WHERE company_id = $1 AND {c} = $3)", u = a.unique, t = a.table, c = a.column)
        };
        let sel = format!("SELECT id FROM {} WHERE company_id = $1 AND {} = $2{}{keep} ORDER BY id", a.table, a.column, a.filter);
        let ids: Vec<i64> = if keep.is_empty() {
            on_conn!(tx, c => sqlx::query_scalar(&sel).bind(cid).bind(other).fetch_all(c).await)
        } else {
            on_conn!(tx, c => sqlx::query_scalar(&sel).bind(cid).bind(other).bind(survivor).fetch_all(c).await)
        }
        .map_err(internal)?;
        let up = format!("UPDATE {} SET {} = $3 WHERE company_id = $1 AND {} = $2{}{keep}", a.table, a.column, a.column, a.filter);
        on_conn!(tx, c => sqlx::query(&up).bind(cid).bind(other).bind(survivor).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        moved.push((a.table.to_string(), ids));
    }
    set_statut(tx, tenant, user_id, other, &o.statut, Statut::Corbeille.code(), Some(survivor)).await?;
    let sql = "INSERT INTO contact_merge (company_id, survivor_id, other_id, survivor_before, survivor_after, other_before, moved, merged_by, merged_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let merge_id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(cid)
        .bind(survivor)
        .bind(other)
        .bind(json(&before))
        .bind(json(&after))
        .bind(json(&other_before))
        .bind(json(&moved))
        .bind(user_id)
        .bind(now())
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    let alias = "INSERT INTO contact_alias (company_id, contact_id, alias, merge_id) VALUES ($1, $2, $3, $4)";
    let other_name = crate::fmt::words(&[&o.nom, &o.prenom, &o.societe]);
    on_conn!(tx, c => sqlx::query(alias).bind(cid).bind(survivor).bind(&other_name).bind(merge_id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(user_id), "contact", survivor, "fusion", &format!("{other}:{merge_id}")).await?;
    crate::contacts::store::reindex_contact(tx, tenant, survivor).await?;
    crate::contacts::store::reindex_contact(tx, tenant, other).await?;
    Ok(merge_id)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct MergeRow {
    survivor_id: i64,
    other_id: i64,
    survivor_before: String,
    survivor_after: String,
    other_before: String,
    moved: String,
    undone_at: Option<i64>,
}

/// «Annuler la fusion»: both records as they were, every moved row back. A field edited
/// on the survivor since the merge keeps its new value.
pub async fn undo(tx: &mut Tx, tenant: &Tenant, user_id: i64, merge_id: i64) -> Result<(i64, i64), AppError> {
    let cid = tenant.company_id();
    let sql = "SELECT survivor_id, other_id, survivor_before, survivor_after, other_before, moved, undone_at FROM contact_merge WHERE company_id = $1 AND id = $2";
    let m = on_conn!(tx, c => sqlx::query_as::<_, MergeRow>(sql).bind(cid).bind(merge_id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Fusion".into()))?;
    lock_pair(tx, tenant, m.survivor_id, m.other_id).await?;
    // Re-read under the locks: two undos at once, one wins.
    let undone: Option<i64> = on_conn!(tx, c => sqlx::query_scalar("SELECT undone_at FROM contact_merge WHERE company_id = $1 AND id = $2").bind(cid).bind(merge_id).fetch_one(c).await)
        .map_err(internal)?;
    if undone.or(m.undone_at).is_some() {
        return Err(AppError::invalid("merge", "Cette fusion est déjà annulée."));
    }
    let parse = |s: &str| serde_json::from_str::<Snapshot>(s).map_err(|_| AppError::Internal);
    let (before, after, other_before) = (parse(&m.survivor_before)?, parse(&m.survivor_after)?, parse(&m.other_before)?);
    let moved: Vec<(String, Vec<i64>)> = serde_json::from_str(&m.moved).map_err(|_| AppError::Internal)?;
    let (now_row, now_phones) = side(tx, tenant, m.survivor_id).await?;
    let current = snapshot(&now_row, &now_phones);
    // Field by field: what the merge set and nobody changed since goes back.
    let mut restored = current.clone();
    for ((f, v), ((_, was), (_, set))) in restored.fields.iter_mut().zip(before.fields.iter().zip(after.fields.iter())) {
        debug_assert!(MERGE_FIELDS.iter().any(|(k, _)| k == f));
        if v == set {
            *v = was.clone();
        }
    }
    if current.notes == after.notes {
        restored.notes = before.notes.clone();
    }
    let added: Vec<&String> = after.phones.iter().filter(|p| !before.phones.contains(p)).collect();
    restored.phones.retain(|p| !added.contains(&p));
    write_fields(tx, tenant, m.survivor_id, &restored).await?;
    for (table, ids) in &moved {
        let Some(a) = ATTACHED.iter().find(|a| a.table == table) else { continue };
        for id in ids {
            let up =
                format!("UPDATE {} SET {} = $4 WHERE company_id = $1 AND id = $2 AND {} = $3{}", a.table, a.column, a.column, a.filter);
            on_conn!(tx, c => sqlx::query(&up).bind(cid).bind(*id).bind(m.survivor_id).bind(m.other_id).execute(c).await.map(|r| r.rows_affected()))
                .map_err(internal)?;
        }
    }
    set_statut(tx, tenant, user_id, m.other_id, Statut::Corbeille.code(), &other_before.statut, None).await?;
    let del = "DELETE FROM contact_alias WHERE company_id = $1 AND merge_id = $2";
    on_conn!(tx, c => sqlx::query(del).bind(cid).bind(merge_id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let mark = "UPDATE contact_merge SET undone_by = $3, undone_at = $4 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(mark).bind(cid).bind(merge_id).bind(user_id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(user_id), "contact", m.survivor_id, "fusion_annulee", &format!("{}:{merge_id}", m.other_id)).await?;
    crate::contacts::store::reindex_contact(tx, tenant, m.survivor_id).await?;
    crate::contacts::store::reindex_contact(tx, tenant, m.other_id).await?;
    Ok((m.survivor_id, m.other_id))
}

/// The merges a record took part in that can still be undone (newest first).
pub async fn merges_of(db: &Db, tenant: &Tenant, id: i64) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let exists = "SELECT COUNT(*) FROM contact WHERE company_id = $1 AND id = $2";
    let n: i64 = on_pool!(db, c => sqlx::query_scalar(exists).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound("Contact".into()));
    }
    let sql = "SELECT id, survivor_id, other_id FROM contact_merge WHERE company_id = $1 AND (survivor_id = $2 OR other_id = $2) AND undone_at IS NULL ORDER BY id DESC";
    on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)
}

/// «Pas un doublon»: this pair is never proposed again.
pub async fn mark_not_duplicate(tx: &mut Tx, tenant: &Tenant, user_id: i64, a: i64, b: i64) -> Result<(), AppError> {
    if a == b {
        return Err(AppError::invalid("b", "Choisissez deux contacts différents."));
    }
    lock_pair(tx, tenant, a, b).await?;
    let sql = "INSERT INTO not_duplicate (company_id, a, b, marked_by, marked_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(a.min(b)).bind(a.max(b)).bind(user_id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

async fn not_duplicates(db: &Db, tenant: &Tenant) -> Result<HashSet<(i64, i64)>, AppError> {
    let sql = "SELECT a, b FROM not_duplicate WHERE company_id = $1";
    let rows: Vec<(i64, i64)> = on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    Ok(rows.into_iter().collect())
}

type PersonRow = (i64, String, String, String, String, String, String, String, String);

/// Clients and prospects as the detector sees them: all of the company's, or those of `ids`.
pub async fn people(db: &Db, tenant: &Tenant, ids: Option<&[i64]>) -> Result<Vec<Person>, AppError> {
    if ids.is_some_and(<[i64]>::is_empty) {
        return Ok(Vec::new());
    }
    let only = |column: &str| match ids {
        None => String::new(),
        Some(_) => format!(" AND {column} IN (SELECT ids.value FROM {})", db.dialect().id_list("$2", "ids")),
    };
    let sql = format!(
        "SELECT id, nom, prenom, societe, adresse, code_postal, ville, email, siren FROM contact WHERE company_id = $1 AND statut <> 'corbeille'{} ORDER BY id",
        only("id")
    );
    let psql = format!(
        "SELECT p.contact_id, p.number FROM contact_phone p JOIN contact k ON k.company_id = p.company_id AND k.id = p.contact_id \
         WHERE p.company_id = $1 AND k.statut <> 'corbeille'{} ORDER BY p.contact_id, p.position",
        only("p.contact_id")
    );
    let cid = tenant.company_id();
    let listed = ids.map(crate::db::id_list_param);
    let rows: Vec<PersonRow> = on_pool!(db, c => sqlx::query_as(&sql).bind(cid).bind(&listed).fetch_all(c).await).map_err(internal)?;
    let phones: Vec<(i64, String)> =
        on_pool!(db, c => sqlx::query_as(&psql).bind(cid).bind(&listed).fetch_all(c).await).map_err(internal)?;
    let mut by_contact: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, n) in phones {
        by_contact.entry(id).or_default().push(n);
    }
    Ok(rows
        .into_iter()
        .map(|(id, nom, prenom, societe, adresse, code_postal, ville, email, siren)| Person {
            id,
            siren,
            nom,
            prenom,
            societe,
            adresse,
            code_postal,
            ville,
            email,
            phones: by_contact.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// The likely pairs of a set of contacts: blocked by [`keys`] (blocks larger than their
/// [`block_limit`] are skipped), scored, best first.
/// `progress` is called with (done, total) blocks.
pub fn find_pairs(norms: &[Norm], skip: &HashSet<(i64, i64)>, mut progress: impl FnMut(usize, usize)) -> Vec<(i64, i64, u32, Vec<String>)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in norms.iter().enumerate() {
        for k in keys(n) {
            blocks.entry(k).or_default().push(i);
        }
    }
    let blocks: Vec<Vec<usize>> = blocks.into_iter().filter(|(k, b)| b.len() > 1 && b.len() <= block_limit(k)).map(|(_, b)| b).collect();
    let total = blocks.len();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut out = Vec::new();
    for (done, block) in blocks.iter().enumerate() {
        for (x, &i) in block.iter().enumerate() {
            for &j in &block[x + 1..] {
                let pair = (i.min(j), i.max(j));
                if !seen.insert(pair) {
                    continue;
                }
                let (a, b) = (&norms[pair.0], &norms[pair.1]);
                let ids = (a.id.min(b.id), a.id.max(b.id));
                if skip.contains(&ids) {
                    continue;
                }
                let (s, reasons) = score(a, b);
                if s >= LIKELY {
                    out.push((ids.0, ids.1, s, reasons));
                }
            }
        }
        if done % 1000 == 0 {
            progress(done, total);
        }
    }
    progress(total, total);
    out.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    out
}

/// Starts a scan of the whole base; it runs in the background and records its progress.
pub async fn start_scan(db: &Db, tenant: &Tenant, user_id: i64) -> Result<i64, AppError> {
    let cid = tenant.company_id();
    let running = "SELECT id FROM duplicate_scan WHERE company_id = $1 AND status = 'running' AND started_at > $2";
    let existing: Option<i64> =
        on_pool!(db, c => sqlx::query_scalar(running).bind(cid).bind(now() - 600).fetch_optional(c).await).map_err(internal)?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let sql = "INSERT INTO duplicate_scan (company_id, status, done, total, started_by, started_at) VALUES ($1, 'running', 0, 0, $2, $3) RETURNING id";
    let id: i64 = on_pool!(db, c => sqlx::query_scalar(sql).bind(cid).bind(user_id).bind(now()).fetch_one(c).await).map_err(internal)?;
    let (db2, tenant2) = (db.clone(), *tenant);
    tokio::spawn(async move {
        if let Err(e) = run_scan(&db2, &tenant2, id).await {
            tracing::error!(error = %e, scan = id, "duplicate scan failed");
            let fail = "UPDATE duplicate_scan SET status = 'failed', finished_at = $3 WHERE company_id = $1 AND id = $2";
            let _ = on_pool!(&db2, c => sqlx::query(fail).bind(tenant2.company_id()).bind(id).bind(now()).execute(c).await.map(|_| ()));
        }
    });
    Ok(id)
}

/// The scan itself: reads the base, finds the pairs, writes them.
pub async fn run_scan(db: &Db, tenant: &Tenant, scan_id: i64) -> Result<usize, AppError> {
    let cid = tenant.company_id();
    let people = people(db, tenant, None).await?;
    let skip = not_duplicates(db, tenant).await?;
    let norms: Vec<Norm> = people.iter().map(normalise).collect();
    let (tx_progress, mut rx) = tokio::sync::watch::channel((0usize, 0usize));
    let worker = tokio::task::spawn_blocking(move || {
        find_pairs(&norms, &skip, |d, t| {
            let _ = tx_progress.send((d, t));
        })
    });
    let progress_sql = "UPDATE duplicate_scan SET done = $3, total = $4 WHERE company_id = $1 AND id = $2";
    while rx.changed().await.is_ok() {
        let (d, t) = *rx.borrow_and_update();
        on_pool!(db, c => sqlx::query(progress_sql).bind(cid).bind(scan_id).bind(d as i64).bind(t as i64).execute(c).await.map(|_| ()))
            .map_err(internal)?;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let pairs = worker.await.map_err(|_| AppError::Internal)?;
    let mut tx = db.begin().await?;
    let ins = "INSERT INTO duplicate_pair (company_id, scan_id, a, b, score, reasons) VALUES ($1, $2, $3, $4, $5, $6)";
    for (a, b, s, reasons) in pairs.iter().take(5000) {
        on_conn!(&mut tx, c => sqlx::query(ins).bind(cid).bind(scan_id).bind(*a).bind(*b).bind(*s as i64).bind(reasons.join(", ")).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    let done = "UPDATE duplicate_scan SET status = 'done', done = total, finished_at = $3 WHERE company_id = $1 AND id = $2";
    on_conn!(&mut tx, c => sqlx::query(done).bind(cid).bind(scan_id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    tx.commit().await?;
    Ok(pairs.len())
}

/// The latest scan: (id, status, done, total) and its pairs still worth showing (both
/// records still live, not marked «Pas un doublon»).
pub async fn report(db: &Db, tenant: &Tenant) -> Result<Option<(i64, String, i64, i64, Vec<PairView>)>, AppError> {
    let cid = tenant.company_id();
    let sql = "SELECT id, status, done, total FROM duplicate_scan WHERE company_id = $1 ORDER BY id DESC LIMIT 1";
    let Some((id, status, done, total)): Option<(i64, String, i64, i64)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(cid).fetch_optional(c).await).map_err(internal)?
    else {
        return Ok(None);
    };
    let psql = "SELECT p.a, p.b, p.score, p.reasons, ka.nom, ka.prenom, ka.societe, ka.code_postal, ka.ville, kb.nom, kb.prenom, kb.societe, kb.code_postal, kb.ville \
                FROM duplicate_pair p \
                JOIN contact ka ON ka.company_id = p.company_id AND ka.id = p.a \
                JOIN contact kb ON kb.company_id = p.company_id AND kb.id = p.b \
                WHERE p.company_id = $1 AND p.scan_id = $2 AND ka.statut <> 'corbeille' AND kb.statut <> 'corbeille' \
                AND NOT EXISTS (SELECT 1 FROM not_duplicate n WHERE n.company_id = p.company_id AND n.a = p.a AND n.b = p.b) \
                ORDER BY p.score DESC, p.a, p.b LIMIT 500";
    type Row = (i64, i64, i64, String, String, String, String, String, String, String, String, String, String, String);
    let rows: Vec<Row> = on_pool!(db, c => sqlx::query_as(psql).bind(cid).bind(id).fetch_all(c).await).map_err(internal)?;
    let pairs = rows
        .into_iter()
        .map(|(a, b, score, reasons, an, ap, as_, acp, av, bn, bp, bs, bcp, bv)| PairView {
            a: MergeSide::brief(a, &an, &ap, &as_, &acp, &av),
            b: MergeSide::brief(b, &bn, &bp, &bs, &bcp, &bv),
            score: score as u32,
            reasons,
        })
        .collect();
    Ok(Some((id, status, done, total, pairs)))
}

/// The likely duplicates of a contact being typed in (warn, never block): candidates come
/// from the search index (name, phones, e-mail), then are scored like the scan does.
pub async fn candidates(db: &Db, tenant: &Tenant, typed: &Person, exclude: Option<i64>) -> Result<Vec<Candidate>, AppError> {
    let mut queries = vec![format!("{} {}", typed.nom, typed.prenom)];
    if typed.nom.trim().is_empty() && !typed.societe.trim().is_empty() {
        queries.push(typed.societe.clone());
    }
    queries.extend(typed.phones.iter().filter(|p| !p.trim().is_empty()).cloned());
    if !typed.email.trim().is_empty() {
        queries.push(typed.email.clone());
    }
    let mut ids: Vec<i64> = Vec::new();
    // The same SIREN: one legal person.
    if !typed.siren.is_empty() {
        let sql = "SELECT id FROM contact WHERE company_id = $1 AND siren = $2 AND statut <> 'corbeille' ORDER BY id LIMIT 20";
        let same: Vec<i64> =
            on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(&typed.siren).fetch_all(c).await).map_err(internal)?;
        ids.extend(same.into_iter().filter(|id| Some(*id) != exclude));
    }
    for q in queries.iter().filter(|q| !q.trim().is_empty()) {
        for h in crate::search::store::search(db, tenant, q, 20).await? {
            if Some(h.id) != exclude && !ids.contains(&h.id) {
                ids.push(h.id);
            }
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let me = normalise(typed);
    let skip = not_duplicates(db, tenant).await?;
    let all = people(db, tenant, Some(&ids)).await?;
    let mut out: Vec<Candidate> = all
        .iter()
        .filter(|p| exclude.is_none_or(|x| !skip.contains(&(x.min(p.id), x.max(p.id)))))
        .filter_map(|p| {
            let (s, reasons) = score(&me, &normalise(p));
            (s >= LIKELY).then(|| Candidate {
                id: p.id,
                title: contact_title(&p.nom, &p.prenom, &p.societe),
                place: format!("{} {}", p.code_postal, p.ville).trim().to_string(),
                score: s,
                reasons: reasons.join(", "),
            })
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.score));
    out.truncate(5);
    Ok(out)
}

/// Both records as the merge page shows them.
pub async fn merge_sides(db: &Db, tenant: &Tenant, a: i64, b: i64) -> Result<(MergeSide, MergeSide), AppError> {
    let mut tx = db.read().await?;
    let mut load = async |id: i64| -> Result<MergeSide, AppError> {
        let (r, phones) = side(&mut tx, tenant, id).await?;
        Ok(MergeSide {
            id,
            title: r.title(),
            statut: r.statut.clone(),
            fields: MERGE_FIELDS.iter().map(|(f, _)| (f.to_string(), r.field(f))).collect(),
            phones,
            merged_into: r.merged_into,
        })
    };
    let sa = load(a).await?;
    let sb = load(b).await?;
    Ok((sa, sb))
}
