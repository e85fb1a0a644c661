use crate::contacts::model::{ClientIds, Commercial, ContactDetail, ContactInput, ContactRow, SiteView, StatusChange, Statut};
use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::{on_conn, on_pool};

/// Escapes `%`, `_` and `\` for a LIKE pattern (with `ESCAPE '\'`).
pub(crate) fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The filter of a list ($2 the statut, $3 the text typed, $4 its [`like_pattern`]): one
/// for the pages and the export.
pub(crate) const LIST_FILTER: &str = "statut = $2 AND ($3 = '' OR LOWER(nom || ' ' || prenom || ' ' || societe || ' ' || ville || ' ' || code_postal || ' ' || email) LIKE $4 ESCAPE '\\')";

/// One page of a base, filtered by a plain text (names, company, city, postcode, e-mail).
pub async fn list(
    db: &Db,
    tenant: &Tenant,
    statut: Statut,
    q: &str,
    sort: &str,
    page: i64,
    per_page: i64,
) -> Result<(Vec<ContactRow>, i64), AppError> {
    // Only these orders exist (the text is never interpolated from the request).
    let order = match sort {
        "code_postal" => "code_postal, LOWER(nom), id",
        "ville" => "LOWER(ville), LOWER(nom), id",
        "recent" => "id DESC",
        _ => "LOWER(nom), LOWER(prenom), id",
    };
    let filter = LIST_FILTER;
    let rows_sql = format!(
        "SELECT id, statut, civilite, nom, prenom, societe, code_postal, ville, email FROM contact WHERE company_id = $1 AND {filter} \
         ORDER BY {order} LIMIT $5 OFFSET $6"
    );
    let count_sql = format!("SELECT COUNT(*) FROM contact WHERE company_id = $1 AND {filter}");
    let q = q.trim();
    let pattern = like_pattern(q);
    let rows = on_pool!(db, c => sqlx::query_as::<_, ContactRow>(&rows_sql)
        .bind(tenant.company_id())
        .bind(statut.code())
        .bind(q)
        .bind(&pattern)
        .bind(per_page)
        .bind(page * per_page)
        .fetch_all(c)
        .await)
    .map_err(internal)?;
    let total: i64 = on_pool!(db, c => sqlx::query_scalar(&count_sql)
        .bind(tenant.company_id())
        .bind(statut.code())
        .bind(q)
        .bind(&pattern)
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(super::like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}

/// What a contact is found by, with the numbers of its issued documents (nothing when it
/// is in the «Corbeille»).
pub fn search_terms(c: &ContactInput, aliases: &[String], documents: &[String]) -> std::collections::BTreeSet<String> {
    if c.statut == Statut::Corbeille {
        return Default::default();
    }
    crate::search::text::terms(&crate::search::text::Indexable {
        nom: &c.nom,
        prenom: &c.prenom,
        societe: &c.societe,
        ville: &c.ville,
        code_postal: &c.code_postal,
        email: &c.email,
        phones: &c.phones,
        aliases,
        documents,
    })
}

pub(crate) async fn set_phones(tx: &mut Tx, tenant: &Tenant, id: i64, phones: &[String]) -> Result<(), AppError> {
    let del = "DELETE FROM contact_phone WHERE company_id = $1 AND contact_id = $2";
    on_conn!(tx, c => sqlx::query(del).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let ins = "INSERT INTO contact_phone (company_id, contact_id, position, label, number) VALUES ($1, $2, $3, '', $4)";
    for (i, p) in phones.iter().enumerate() {
        on_conn!(tx, c => sqlx::query(ins).bind(tenant.company_id()).bind(id).bind(i as i64).bind(p).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    Ok(())
}

/// «Bloquer la gestion commerciale» changed: recorded in the history as «bloque».
async fn record_block(tx: &mut Tx, tenant: &Tenant, user_id: Option<i64>, id: i64, c: &Commercial) -> Result<(), AppError> {
    let detail = if c.bloque { format!("oui:{}", c.motif) } else { "non".to_string() };
    crate::db::audit(tx, tenant, user_id, "contact", id, "bloque", &detail).await
}

async fn commercial_of(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Commercial, AppError> {
    let sql = "SELECT bloque, bloque_motif, plafond_encours FROM contact WHERE company_id = $1 AND id = $2";
    let row: Option<(i64, String, Option<i64>)> =
        on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)?;
    let (bloque, motif, plafond) = row.ok_or_else(|| AppError::NotFound("Contact".into()))?;
    Ok(Commercial { bloque: bloque != 0, motif, plafond })
}

/// The one gate of commercial management (devis, factures): a contact of this company,
/// locked for the transaction, that is not in the «Corbeille» and, unless `blocked_ok`,
/// whose commercial management is not blocked. Returns its «Plafond d'encours».
pub async fn commercial_gate(tx: &mut Tx, tenant: &Tenant, id: i64, blocked_ok: bool) -> Result<Commercial, AppError> {
    let statut = lock_statut(tx, tenant, id).await?;
    if statut == Statut::Corbeille {
        return Err(AppError::invalid(
            "contact",
            "Ce contact est dans la Corbeille : il ne peut pas recevoir de nouvelle pièce commerciale.",
        ));
    }
    let c = commercial_of(tx, tenant, id).await?;
    if c.bloque && !blocked_ok {
        return Err(AppError::invalid("contact", format!("La gestion commerciale de ce client est bloquée : {}", c.motif)));
    }
    Ok(c)
}

pub(crate) async fn record_status(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: Option<i64>,
    id: i64,
    from: &str,
    to: &str,
) -> Result<(), AppError> {
    crate::db::audit(tx, tenant, user_id, "contact", id, "statut", &format!("{from}>{to}")).await
}

/// Creates a contact and indexes it, in the caller's transaction.
pub async fn create(tx: &mut Tx, tenant: &Tenant, user_id: Option<i64>, c: &ContactInput) -> Result<i64, AppError> {
    let id = insert(tx, tenant, user_id, c).await?;
    crate::search::store::reindex(tx, tenant, id, &search_terms(c, &[], &[])).await?;
    Ok(id)
}

/// Creates a contact with its phones and history, leaving the search index to the caller
/// (an import indexes a whole batch at once).
pub async fn insert(tx: &mut Tx, tenant: &Tenant, user_id: Option<i64>, c: &ContactInput) -> Result<i64, AppError> {
    let t = now();
    let sql = "INSERT INTO contact (company_id, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes, \
               bloque, bloque_motif, plafond_encours, created_at, updated_at, type_client, siren, siret, tva_intra) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14, $15, $12, $12, $16, $17, $18, $19) RETURNING id";
    let id: i64 = on_conn!(tx, conn => sqlx::query_scalar(sql)
        .bind(tenant.company_id())
        .bind(c.statut.code())
        .bind(&c.civilite)
        .bind(&c.nom)
        .bind(&c.prenom)
        .bind(&c.societe)
        .bind(&c.adresse)
        .bind(&c.code_postal)
        .bind(&c.ville)
        .bind(&c.email)
        .bind(&c.notes)
        .bind(t)
        .bind(i64::from(c.commercial.bloque))
        .bind(&c.commercial.motif)
        .bind(c.commercial.plafond)
        .bind(c.ids.type_code())
        .bind(&c.ids.siren)
        .bind(&c.ids.siret)
        .bind(&c.ids.tva_intra)
        .fetch_one(conn)
        .await)
    .map_err(internal)?;
    set_phones(tx, tenant, id, &c.phones).await?;
    record_status(tx, tenant, user_id, id, "", c.statut.code()).await?;
    if c.commercial.bloque {
        record_block(tx, tenant, user_id, id, &c.commercial).await?;
    }
    Ok(id)
}

/// Locks a contact of this company for the transaction and returns its statut, so that
/// the change recorded in the history is the one really made.
pub async fn lock_statut(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Statut, AppError> {
    if !crate::db::lock_row(tx, tenant, "contact", id).await? {
        return Err(AppError::NotFound("Contact".into()));
    }
    let sql = "SELECT statut FROM contact WHERE company_id = $1 AND id = $2";
    let code: String =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)?;
    Statut::from_code(&code).ok_or(AppError::Internal)
}

/// Saves «Fiche contact» of a contact locked by [`lock_statut`] (which gave `before`); a
/// change of statut is recorded and the index follows (a trashed contact leaves it, a
/// restored one comes back).
pub async fn update(tx: &mut Tx, tenant: &Tenant, user_id: Option<i64>, id: i64, before: Statut, c: &ContactInput) -> Result<(), AppError> {
    let was = commercial_of(tx, tenant, id).await?;
    if (was.bloque, &was.motif) != (c.commercial.bloque, &c.commercial.motif) {
        record_block(tx, tenant, user_id, id, &c.commercial).await?;
    }
    let sql = "UPDATE contact SET statut = $1, civilite = $2, nom = $3, prenom = $4, societe = $5, adresse = $6, code_postal = $7, \
               ville = $8, email = $9, notes = $10, updated_at = $11, bloque = $14, bloque_motif = $15, plafond_encours = $16, \
               type_client = $17, siren = $18, siret = $19, tva_intra = $20, type_a_verifier = FALSE \
               WHERE company_id = $12 AND id = $13";
    on_conn!(tx, conn => sqlx::query(sql)
        .bind(c.statut.code())
        .bind(&c.civilite)
        .bind(&c.nom)
        .bind(&c.prenom)
        .bind(&c.societe)
        .bind(&c.adresse)
        .bind(&c.code_postal)
        .bind(&c.ville)
        .bind(&c.email)
        .bind(&c.notes)
        .bind(now())
        .bind(tenant.company_id())
        .bind(id)
        .bind(i64::from(c.commercial.bloque))
        .bind(&c.commercial.motif)
        .bind(c.commercial.plafond)
        .bind(c.ids.type_code())
        .bind(&c.ids.siren)
        .bind(&c.ids.siret)
        .bind(&c.ids.tva_intra)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
    .map_err(internal)?;
    set_phones(tx, tenant, id, &c.phones).await?;
    if before != c.statut {
        record_status(tx, tenant, user_id, id, before.code(), c.statut.code()).await?;
    }
    let (aliases, numbers) = index_extras(tx, tenant, id).await?;
    crate::search::store::reindex(tx, tenant, id, &search_terms(c, &aliases, &numbers)).await
}

/// What else a contact is found by: its aliases (names of records merged into it) and
/// the numbers of its issued documents.
async fn index_extras(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(Vec<String>, Vec<String>), AppError> {
    let asql = "SELECT alias FROM contact_alias WHERE company_id = $1 AND contact_id = $2 ORDER BY id";
    let aliases: Vec<String> =
        on_conn!(tx, c => sqlx::query_scalar(asql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)?;
    let sql = "SELECT number FROM document WHERE company_id = $1 AND contact_id = $2 AND number IS NOT NULL ORDER BY id";
    let numbers: Vec<String> =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)?;
    Ok((aliases, numbers))
}

const TITLE_SQL: &str = "SELECT nom, prenom, societe FROM contact WHERE company_id = $1 AND id = $2";

/// A contact's title (the person's name, else the company's), or «Contact introuvable»
/// for an id of no contact of this company: the check of every page and list that hangs
/// off a contact. Inside a transaction.
pub async fn title_of(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<String, AppError> {
    let row: Option<(String, String, String)> =
        on_conn!(tx, c => sqlx::query_as(TITLE_SQL).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)?;
    title_from(row)
}

/// [`title_of`] for a page that needs nothing else consistent with it.
pub async fn title(db: &Db, tenant: &Tenant, id: i64) -> Result<String, AppError> {
    let row: Option<(String, String, String)> =
        on_pool!(db, c => sqlx::query_as(TITLE_SQL).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)?;
    title_from(row)
}

fn title_from(row: Option<(String, String, String)>) -> Result<String, AppError> {
    let (nom, prenom, societe) = row.ok_or_else(|| AppError::NotFound("Contact".into()))?;
    Ok(crate::contacts::model::contact_title(&nom, &prenom, &societe))
}

/// A contact's phones, in order, read in the caller's transaction.
pub(crate) async fn phones_of(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Vec<String>, AppError> {
    let sql = "SELECT number FROM contact_phone WHERE company_id = $1 AND contact_id = $2 ORDER BY position";
    on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)
}

/// Re-indexes a contact as stored (after a document of theirs got its number).
pub async fn reindex_contact(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let sql = "SELECT id, statut, civilite, nom, prenom, societe, code_postal, ville, email FROM contact WHERE company_id = $1 AND id = $2";
    let r: ContactRow = on_conn!(tx, c => sqlx::query_as(sql).bind(cid).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Contact".into()))?;
    let phones = phones_of(tx, tenant, id).await?;
    let (aliases, numbers) = index_extras(tx, tenant, id).await?;
    let terms = match indexable_input(r, phones) {
        Some(input) => search_terms(&input, &aliases, &numbers),
        None => Default::default(),
    };
    crate::search::store::reindex(tx, tenant, id, &terms).await
}

/// A stored contact as the index sees it (the fields it is found by).
fn indexable_input(r: ContactRow, phones: Vec<String>) -> Option<ContactInput> {
    Some(ContactInput {
        statut: Statut::from_code(&r.statut)?,
        civilite: r.civilite,
        nom: r.nom,
        prenom: r.prenom,
        societe: r.societe,
        adresse: String::new(),
        code_postal: r.code_postal,
        ville: r.ville,
        phones,
        email: r.email,
        notes: String::new(),
        commercial: Commercial::default(),
        ids: Default::default(),
    })
}

/// Rebuilds the company's search index from all its contacts (after a bulk load, or when
/// the index is missing).
pub async fn reindex_all(db: &Db, tenant: &Tenant) -> Result<usize, AppError> {
    let cid = tenant.company_id();
    let sql = "SELECT id, statut, civilite, nom, prenom, societe, code_postal, ville, email FROM contact \
               WHERE company_id = $1 AND statut <> 'corbeille' ORDER BY id";
    let rows: Vec<ContactRow> = on_pool!(db, c => sqlx::query_as(sql).bind(cid).fetch_all(c).await).map_err(internal)?;
    let psql = "SELECT contact_id, number FROM contact_phone WHERE company_id = $1 ORDER BY contact_id, position";
    let phones: Vec<(i64, String)> = on_pool!(db, c => sqlx::query_as(psql).bind(cid).fetch_all(c).await).map_err(internal)?;
    let nsql = "SELECT contact_id, number FROM document WHERE company_id = $1 AND number IS NOT NULL ORDER BY contact_id, id";
    let numbers: Vec<(i64, String)> = on_pool!(db, c => sqlx::query_as(nsql).bind(cid).fetch_all(c).await).map_err(internal)?;
    let alsql = "SELECT contact_id, alias FROM contact_alias WHERE company_id = $1 ORDER BY contact_id, id";
    let aliases: Vec<(i64, String)> = on_pool!(db, c => sqlx::query_as(alsql).bind(cid).fetch_all(c).await).map_err(internal)?;
    let mut phones = phones.into_iter().peekable();
    let mut numbers = numbers.into_iter().peekable();
    let mut aliases = aliases.into_iter().peekable();
    let mut docs = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let take = |it: &mut std::iter::Peekable<std::vec::IntoIter<(i64, String)>>| {
            while it.next_if(|(k, _)| *k < id).is_some() {}
            let mut out = Vec::new();
            while let Some((_, v)) = it.next_if(|(k, _)| *k == id) {
                out.push(v);
            }
            out
        };
        let (p, n, a) = (take(&mut phones), take(&mut numbers), take(&mut aliases));
        if let Some(input) = indexable_input(r, p) {
            docs.push((id, search_terms(&input, &a, &n)));
        }
    }
    crate::search::store::rebuild(db, tenant, &docs).await?;
    Ok(docs.len())
}

/// A contact's row as stored (`DETAIL_COLUMNS`): «Fiche contact», the export.
#[derive(sqlx::FromRow)]
pub(crate) struct DetailRow {
    pub id: i64,
    pub statut: String,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub notes: String,
    pub bloque: i64,
    pub bloque_motif: String,
    pub plafond_encours: Option<i64>,
    pub type_client: String,
    pub type_a_verifier: bool,
    pub siren: String,
    pub siret: String,
    pub tva_intra: String,
}

pub(crate) const DETAIL_COLUMNS: &str = "id, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes, bloque, bloque_motif, \
     plafond_encours, type_client, type_a_verifier, siren, siret, tva_intra";

#[derive(sqlx::FromRow)]
struct HistoryRow {
    at: i64,
    action: String,
    detail: String,
    user_name: Option<String>,
}

pub async fn get(db: &Db, tenant: &Tenant, id: i64) -> Result<ContactDetail, AppError> {
    let cid = tenant.company_id();
    let sql = format!("SELECT {DETAIL_COLUMNS} FROM contact WHERE company_id = $1 AND id = $2");
    let r = on_pool!(db, c => sqlx::query_as::<_, DetailRow>(&sql).bind(cid).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Contact".into()))?;
    let psql = "SELECT number FROM contact_phone WHERE company_id = $1 AND contact_id = $2 ORDER BY position";
    let phones: Vec<String> = on_pool!(db, c => sqlx::query_scalar(psql).bind(cid).bind(id).fetch_all(c).await).map_err(internal)?;
    let hsql = "SELECT a.at, a.action, a.detail, u.name AS user_name FROM audit a LEFT JOIN app_user u ON u.id = a.user_id AND u.company_id = a.company_id \
                WHERE a.company_id = $1 AND a.entity = 'contact' AND a.entity_id = $2 AND a.action IN ('statut', 'bloque') ORDER BY a.at DESC, a.id DESC";
    let rows = on_pool!(db, c => sqlx::query_as::<_, HistoryRow>(hsql).bind(cid).bind(id).fetch_all(c).await).map_err(internal)?;
    let label = |code: &str| Statut::from_code(code).map(|s| s.label().to_string()).unwrap_or_else(|| "—".into());
    let history = rows
        .into_iter()
        .map(|h| {
            let (from, to) = if h.action == "bloque" {
                let to = match h.detail.strip_prefix("oui:") {
                    Some(motif) => format!("Bloquée : {motif}"),
                    None => "Débloquée".to_string(),
                };
                ("Gestion commerciale".to_string(), to)
            } else {
                let (from, to) = h.detail.split_once('>').unwrap_or(("", ""));
                (label(from), label(to))
            };
            StatusChange { at: crate::fmt::datetime_fr(h.at), user: h.user_name.unwrap_or_else(|| "Import initial".into()), from, to }
        })
        .collect();
    let sites = sites_of(db, tenant, id).await?;
    Ok(ContactDetail {
        id: r.id,
        statut: r.statut,
        civilite: r.civilite,
        nom: r.nom,
        prenom: r.prenom,
        societe: r.societe,
        adresse: r.adresse,
        code_postal: r.code_postal,
        ville: r.ville,
        email: r.email,
        notes: r.notes,
        commercial: Commercial { bloque: r.bloque != 0, motif: r.bloque_motif, plafond: r.plafond_encours },
        ids: ClientIds { professionnel: r.type_client == "professionnel", siren: r.siren, siret: r.siret, tva_intra: r.tva_intra },
        sites,
        type_to_review: r.type_a_verifier,
        phones,
        history,
        can_trash: false,
    })
}

/// A client's job sites, not archived, oldest first.
const SITES_SQL: &str = "SELECT id, libelle, adresse, code_postal, ville FROM contact_site WHERE company_id = $1 AND contact_id = $2 AND archived = FALSE ORDER BY id";

/// [`SITES_SQL`], for a page's reads.
pub async fn sites_of(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<SiteView>, AppError> {
    on_pool!(db, c => sqlx::query_as(SITES_SQL).bind(tenant.company_id()).bind(contact_id).fetch_all(c).await).map_err(internal)
}

/// [`SITES_SQL`], in a transaction (a document's consistent view).
pub async fn sites_of_tx(tx: &mut Tx, tenant: &Tenant, contact_id: i64) -> Result<Vec<SiteView>, AppError> {
    on_conn!(tx, c => sqlx::query_as(SITES_SQL).bind(tenant.company_id()).bind(contact_id).fetch_all(c).await).map_err(internal)
}

/// One job site of the company, archived or not (a document names it for good).
pub async fn site(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Option<SiteView>, AppError> {
    let sql = "SELECT id, libelle, adresse, code_postal, ville FROM contact_site WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)
}

/// «Ajouter une adresse de chantier».
pub async fn add_site(tx: &mut Tx, tenant: &Tenant, user_id: i64, contact_id: i64, s: &SiteView) -> Result<i64, AppError> {
    if lock_statut(tx, tenant, contact_id).await? == Statut::Corbeille {
        return Err(AppError::invalid("site_adresse", "Ce contact est dans la Corbeille."));
    }
    let sql = "INSERT INTO contact_site (company_id, contact_id, libelle, adresse, code_postal, ville, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(contact_id).bind(&s.libelle).bind(&s.adresse)
        .bind(&s.code_postal).bind(&s.ville).bind(now()).fetch_one(c).await)
    .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(user_id), "contact", contact_id, "site_added", &s.label()).await?;
    Ok(id)
}

/// «Archiver» a job site: kept for the documents that name it, no longer offered.
pub async fn archive_site(tx: &mut Tx, tenant: &Tenant, user_id: i64, contact_id: i64, site_id: i64) -> Result<(), AppError> {
    let sql = "UPDATE contact_site SET archived = TRUE WHERE company_id = $1 AND contact_id = $2 AND id = $3";
    let n = on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(contact_id).bind(site_id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound("Adresse de chantier".into()));
    }
    crate::db::audit(tx, tenant, Some(user_id), "contact", contact_id, "site_archived", &site_id.to_string()).await
}

/// The contacts whose type the migration set (`type_a_verifier`): (id, title, professional).
pub async fn types_to_review(db: &Db, tenant: &Tenant) -> Result<Vec<(i64, String, bool)>, AppError> {
    let sql = "SELECT id, nom, prenom, societe, type_client FROM contact WHERE company_id = $1 AND type_a_verifier = TRUE AND statut <> 'corbeille' \
               ORDER BY nom, prenom, id LIMIT 500";
    let rows: Vec<(i64, String, String, String, String)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(id, nom, prenom, societe, kind)| {
            (id, crate::contacts::model::contact_title(&nom, &prenom, &societe), kind == "professionnel")
        })
        .collect())
}
