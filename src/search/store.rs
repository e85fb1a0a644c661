//! The search index (SQL, both databases): kept current with each contact write, and
//! queried in tiers — exact terms, then prefixes, then one typo — so that exact and
//! prefix matches always rank before fuzzy ones. See docs/search.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::db::{Db, Dialect, Tenant, Tx, Val, bulk_insert, from_db_json, internal};
use crate::error::AppError;
use crate::search::cache::{View, bump};
use crate::search::model::Hit;
use crate::search::postings;
use crate::search::text::{QueryWord, deletes, parse_query, within_one_edit};
use crate::{on_conn, on_pool};

/// The maps of a search (terms to lists), hashed fast: several look-ups per term.
type TermMap<K, V> = foldhash::HashMap<K, V>;

/// Whether a term gets one-typo variants (words of four letters or more).
fn fuzzable(term: &str) -> bool {
    term.chars().count() >= 4 && !term.contains('@') && !term.chars().all(|c| c.is_ascii_digit())
}

/// A contact's terms as `search_doc` keeps them (terms never contain spaces).
fn doc_text(terms: &BTreeSet<String>) -> String {
    terms.iter().map(String::as_str).collect::<Vec<_>>().join(" ")
}

/// Replaces the terms of a contact in the index (an empty set removes it: «Corbeille»).
/// Only the terms that changed are touched, in term order (one lock order for all
/// writers).
pub async fn reindex(tx: &mut Tx, tenant: &Tenant, contact_id: i64, terms: &BTreeSet<String>) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let old_sql = "SELECT terms FROM search_doc WHERE company_id = $1 AND contact_id = $2";
    let old: Option<String> =
        on_conn!(tx, c => sqlx::query_scalar(old_sql).bind(cid).bind(contact_id).fetch_optional(c).await).map_err(internal)?;
    let old: BTreeSet<String> = old.unwrap_or_default().split_whitespace().map(str::to_string).collect();
    if old == *terms {
        return Ok(());
    }
    bump(tx, tenant).await?;
    if terms.is_empty() {
        let del = "DELETE FROM search_doc WHERE company_id = $1 AND contact_id = $2";
        on_conn!(tx, c => sqlx::query(del).bind(cid).bind(contact_id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    } else {
        let joined = doc_text(terms);
        let up = "INSERT INTO search_doc (company_id, contact_id, terms) VALUES ($1, $2, $3) \
                  ON CONFLICT (company_id, contact_id) DO UPDATE SET terms = excluded.terms";
        on_conn!(tx, c => sqlx::query(up).bind(cid).bind(contact_id).bind(&joined).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    for t in old.symmetric_difference(terms) {
        if terms.contains(t) {
            add_posting(tx, cid, t, contact_id).await?;
        } else {
            remove_posting(tx, cid, t, contact_id).await?;
        }
    }
    Ok(())
}

/// [`reindex`] for many contacts at once (an import, its undo): each term's blocks over
/// the range of the changed ids are read once, merged and written back; a term new to
/// the company is inserted without reading anything.
pub async fn reindex_many(tx: &mut Tx, tenant: &Tenant, docs: &[(i64, BTreeSet<String>)]) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let mut adds: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut removes: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut olds: HashMap<i64, BTreeSet<String>> = HashMap::new();
    let sql = format!(
        "SELECT contact_id, terms FROM search_doc WHERE company_id = $1 AND contact_id IN (SELECT ids.value FROM {})",
        tx.dialect().id_list("$2", "ids")
    );
    for chunk in docs.chunks(500) {
        let ids = crate::db::id_list_param(&chunk.iter().map(|(id, _)| *id).collect::<Vec<_>>());
        let rows: Vec<(i64, String)> = on_conn!(tx, c => sqlx::query_as(&sql).bind(cid).bind(&ids).fetch_all(c).await).map_err(internal)?;
        olds.extend(rows.into_iter().map(|(id, t)| (id, t.split_whitespace().map(str::to_string).collect())));
    }
    let empty = BTreeSet::new();
    let mut upserts: Vec<(i64, String)> = Vec::new();
    for (id, terms) in docs {
        let old = olds.get(id).unwrap_or(&empty);
        if old == terms {
            continue;
        }
        for t in terms.difference(old) {
            adds.entry(t.as_str()).or_default().push(*id);
        }
        for t in old.difference(terms) {
            removes.entry(t.as_str()).or_default().push(*id);
        }
        if terms.is_empty() {
            let del = "DELETE FROM search_doc WHERE company_id = $1 AND contact_id = $2";
            on_conn!(tx, c => sqlx::query(del).bind(cid).bind(*id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        } else {
            upserts.push((*id, doc_text(terms)));
        }
    }
    if adds.is_empty() && removes.is_empty() {
        return Ok(());
    }
    bump(tx, tenant).await?;
    let vals: Vec<Val> = upserts.iter().flat_map(|(id, t)| [Val::Int(cid), Val::Int(*id), Val::Text(t)]).collect();
    bulk_insert(
        tx,
        "search_doc (company_id, contact_id, terms)",
        3,
        &vals,
        "ON CONFLICT (company_id, contact_id) DO UPDATE SET terms = excluded.terms",
    )
    .await?;
    // Which added terms the company already has (the others are inserted blindly).
    let added: Vec<&str> = adds.keys().copied().collect();
    let mut known: BTreeSet<String> = removes.keys().map(|t| t.to_string()).collect();
    for chunk in added.chunks(500) {
        let ps: Vec<String> = (0..chunk.len()).map(|i| tx.dialect().param(i + 2)).collect();
        let sql =
            format!("SELECT DISTINCT term FROM search_block WHERE company_id = {} AND term IN ({})", tx.dialect().param(1), ps.join(", "));
        let rows: Vec<String> = on_conn!(tx, c => {
            let mut q = sqlx::query_scalar(&sql).bind(cid);
            for t in chunk {
                q = q.bind(*t);
            }
            q.fetch_all(c).await
        })
        .map_err(internal)?;
        known.extend(rows);
    }
    let mut fresh_blocks: Vec<(&str, i64, Vec<u8>, i64)> = Vec::new();
    let mut fuzzy: BTreeSet<(String, &str)> = BTreeSet::new();
    for (term, ids) in adds.iter_mut() {
        ids.sort_unstable();
        if known.contains(*term) {
            continue;
        }
        for chunk in ids.chunks(postings::BLOCK_MAX) {
            fresh_blocks.push((term, chunk[0], postings::encode(chunk), chunk.len() as i64));
        }
        if fuzzable(term) {
            fuzzy.extend(deletes(term).into_iter().map(|d| (d, *term)));
        }
    }
    for term in known.iter() {
        let add = adds.get(term.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let mut remove = removes.get(term.as_str()).cloned().unwrap_or_default();
        remove.sort_unstable();
        change_postings(tx, cid, term, add, &remove).await?;
    }
    let vals: Vec<Val> = fresh_blocks
        .iter()
        .flat_map(|(t, first, bytes, n)| [Val::Int(cid), Val::Text(t), Val::Int(*first), Val::Int(*n), Val::Bytes(bytes)])
        .collect();
    bulk_insert(tx, "search_block (company_id, term, first_id, n, ids)", 5, &vals, "").await?;
    let vals: Vec<Val> = fuzzy.iter().flat_map(|(d, t)| [Val::Int(cid), Val::Text(d), Val::Text(t)]).collect();
    bulk_insert(tx, "search_fuzzy (company_id, del, term)", 3, &vals, "ON CONFLICT DO NOTHING").await
}

/// Adds and removes (sorted) ids of a term: the blocks covering their range are merged
/// and written back, split again where they grew past the block size.
async fn change_postings(tx: &mut Tx, cid: i64, term: &str, add: &[i64], remove: &[i64]) -> Result<(), AppError> {
    let lo = add.first().copied().into_iter().chain(remove.first().copied()).min().unwrap_or_default();
    let hi = add.last().copied().into_iter().chain(remove.last().copied()).max().unwrap_or_default();
    let start = match covering_block(tx, cid, term, lo).await? {
        Some((first, _)) => first,
        None => lo,
    };
    let sql = format!(
        "SELECT first_id, ids FROM search_block WHERE company_id = $1 AND term = $2 AND first_id >= $3 AND first_id <= $4 ORDER BY first_id{}",
        tx.dialect().row_lock()
    );
    let blocks: Vec<(i64, Vec<u8>)> =
        on_conn!(tx, c => sqlx::query_as(&sql).bind(cid).bind(term).bind(start).bind(hi).fetch_all(c).await).map_err(internal)?;
    let mut ids: Vec<i64> = Vec::new();
    for (_, bytes) in &blocks {
        postings::decode_into(bytes, &mut ids);
    }
    ids.extend_from_slice(add);
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|id| remove.binary_search(id).is_err());
    let del = "DELETE FROM search_block WHERE company_id = $1 AND term = $2 AND first_id >= $3 AND first_id <= $4";
    on_conn!(tx, c => sqlx::query(del).bind(cid).bind(term).bind(start).bind(hi).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    let size = if ids.len() <= postings::BLOCK_MAX { postings::BLOCK_MAX } else { postings::BLOCK_MAX / 2 };
    for chunk in ids.chunks(size) {
        insert_block(tx, cid, term, chunk).await?;
    }
    Ok(())
}

/// The block of `term` that covers `id` (the last one starting at or before it).
async fn covering_block(tx: &mut Tx, cid: i64, term: &str, id: i64) -> Result<Option<(i64, Vec<i64>)>, AppError> {
    let sql = format!(
        "SELECT first_id, ids FROM search_block WHERE company_id = $1 AND term = $2 AND first_id <= $3 ORDER BY first_id DESC LIMIT 1{}",
        tx.dialect().row_lock()
    );
    let row: Option<(i64, Vec<u8>)> =
        on_conn!(tx, c => sqlx::query_as(&sql).bind(cid).bind(term).bind(id).fetch_optional(c).await).map_err(internal)?;
    Ok(row.map(|(first, bytes)| (first, postings::decode(&bytes))))
}

async fn write_block(tx: &mut Tx, cid: i64, term: &str, first_id: i64, ids: &[i64]) -> Result<(), AppError> {
    let sql = "UPDATE search_block SET n = $4, ids = $5 WHERE company_id = $1 AND term = $2 AND first_id = $3";
    let bytes = postings::encode(ids);
    on_conn!(tx, c => sqlx::query(sql).bind(cid).bind(term).bind(first_id).bind(ids.len() as i64).bind(&bytes).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

async fn insert_block(tx: &mut Tx, cid: i64, term: &str, ids: &[i64]) -> Result<(), AppError> {
    let sql = "INSERT INTO search_block (company_id, term, first_id, n, ids) VALUES ($1, $2, $3, $4, $5)";
    let bytes = postings::encode(ids);
    on_conn!(tx, c => sqlx::query(sql).bind(cid).bind(term).bind(ids[0]).bind(ids.len() as i64).bind(&bytes).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

async fn add_posting(tx: &mut Tx, cid: i64, term: &str, id: i64) -> Result<(), AppError> {
    if let Some((first, mut ids)) = covering_block(tx, cid, term, id).await? {
        let Err(at) = ids.binary_search(&id) else { return Ok(()) };
        ids.insert(at, id);
        if ids.len() > postings::BLOCK_MAX {
            let tail = ids.split_off(ids.len() / 2);
            write_block(tx, cid, term, first, &ids).await?;
            return insert_block(tx, cid, term, &tail).await;
        }
        return write_block(tx, cid, term, first, &ids).await;
    }
    let known_sql = "SELECT COUNT(*) FROM (SELECT 1 FROM search_block WHERE company_id = $1 AND term = $2 LIMIT 1) k";
    let known: i64 = on_conn!(tx, c => sqlx::query_scalar(known_sql).bind(cid).bind(term).fetch_one(c).await).map_err(internal)?;
    insert_block(tx, cid, term, &[id]).await?;
    if known == 0 && fuzzable(term) {
        let fz = "INSERT INTO search_fuzzy (company_id, del, term) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        for d in deletes(term) {
            on_conn!(tx, c => sqlx::query(fz).bind(cid).bind(&d).bind(term).execute(c).await.map(|r| r.rows_affected()))
                .map_err(internal)?;
        }
    }
    Ok(())
}

/// Removes a posting; an emptied block goes. (A term's typo variants stay: they only
/// lead to terms that have postings.)
async fn remove_posting(tx: &mut Tx, cid: i64, term: &str, id: i64) -> Result<(), AppError> {
    let Some((first, mut ids)) = covering_block(tx, cid, term, id).await? else { return Ok(()) };
    let Ok(at) = ids.binary_search(&id) else { return Ok(()) };
    ids.remove(at);
    if ids.is_empty() {
        let del = "DELETE FROM search_block WHERE company_id = $1 AND term = $2 AND first_id = $3";
        on_conn!(tx, c => sqlx::query(del).bind(cid).bind(term).bind(first).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        return Ok(());
    }
    write_block(tx, cid, term, first, &ids).await
}

/// Rebuilds a company's whole index from its contacts' terms (ascending contact ids):
/// after a bulk load, or when the index is missing. One transaction.
pub async fn rebuild(db: &Db, tenant: &Tenant, docs: &[(i64, BTreeSet<String>)]) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let mut by_term: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, terms) in docs {
        for t in terms {
            by_term.entry(t.as_str()).or_default().push(*id);
        }
    }
    let joined: Vec<(i64, String)> = docs.iter().filter(|(_, t)| !t.is_empty()).map(|(id, t)| (*id, doc_text(t))).collect();
    let mut blocks: Vec<(&str, i64, Vec<u8>, i64)> = Vec::new();
    let mut fuzzy: BTreeSet<(String, &str)> = BTreeSet::new();
    for (term, ids) in by_term.iter_mut() {
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(postings::BLOCK_MAX) {
            blocks.push((term, chunk[0], postings::encode(chunk), chunk.len() as i64));
        }
        if fuzzable(term) {
            fuzzy.extend(deletes(term).into_iter().map(|d| (d, *term)));
        }
    }
    tracing::debug!(terms = by_term.len(), blocks = blocks.len(), fuzzy = fuzzy.len(), "index prepared");
    let mut tx = db.begin().await?;
    if let Tx::Sqlite(t) = &mut tx {
        sqlx::query("PRAGMA cache_size = -262144").execute(&mut **t).await.map_err(internal)?;
    }
    bump(&mut tx, tenant).await?;
    for table in ["search_doc", "search_block", "search_fuzzy"] {
        let sql = format!("DELETE FROM {table} WHERE company_id = $1");
        on_conn!(&mut tx, c => sqlx::query(&sql).bind(cid).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    }
    let vals: Vec<Val> = joined.iter().flat_map(|(id, t)| [Val::Int(cid), Val::Int(*id), Val::Text(t)]).collect();
    bulk_insert(&mut tx, "search_doc (company_id, contact_id, terms)", 3, &vals, "").await?;
    let vals: Vec<Val> = blocks
        .iter()
        .flat_map(|(t, first, bytes, n)| [Val::Int(cid), Val::Text(t), Val::Int(*first), Val::Int(*n), Val::Bytes(bytes)])
        .collect();
    bulk_insert(&mut tx, "search_block (company_id, term, first_id, n, ids)", 5, &vals, "").await?;
    let vals: Vec<Val> = fuzzy.iter().flat_map(|(d, t)| [Val::Int(cid), Val::Text(d), Val::Text(t)]).collect();
    bulk_insert(&mut tx, "search_fuzzy (company_id, del, term)", 3, &vals, "").await?;
    if let Tx::Sqlite(t) = &mut tx {
        sqlx::query("PRAGMA cache_size = -32768").execute(&mut **t).await.map_err(internal)?;
    }
    tx.commit().await
}

/// How many prefix expansions of a word are kept (the most frequent).
const PREFIX_TERMS: usize = 64;
/// How many blocks a prefix range reads at most before choosing.
const PREFIX_SCAN: i64 = 512;

/// A query word and the terms it stands for, by tier.
struct Word {
    q: QueryWord,
    /// Terms of tiers 0 (exact), 1 (prefixes), 2 (one typo).
    tiers: [Vec<String>; 3],
}

impl Word {
    fn terms(&self, tier: usize) -> impl Iterator<Item = &String> {
        self.tiers[..=tier].iter().flatten()
    }
}

/// The posting lists read so far for one query, by term (empty for a term without
/// postings).
type Postings = TermMap<String, Arc<Vec<i64>>>;

/// Reads the posting lists of the terms not read yet: from what this server keeps of
/// the index at its current version, else from the blocks.
async fn fetch(db: &Db, tenant: &Tenant, view: &View, terms: &[&String], into: &mut Postings) -> Result<(), AppError> {
    let mut wanted: Vec<&str> = Vec::new();
    for t in terms {
        if into.contains_key(t.as_str()) {
            continue;
        }
        match view.postings(t) {
            Some(ids) => {
                into.insert(t.to_string(), ids);
            }
            None => wanted.push(t),
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(());
    }
    let ps: Vec<String> = (0..wanted.len()).map(|i| db.dialect().param(i + 2)).collect();
    let sql = format!(
        "SELECT term, ids FROM search_block WHERE company_id = {} AND term IN ({}) ORDER BY term, first_id",
        db.dialect().param(1),
        ps.join(", ")
    );
    let rows: Vec<(String, Vec<u8>)> = on_pool!(db, c => {
        let mut q = sqlx::query_as(&sql).bind(tenant.company_id());
        for t in &wanted {
            q = q.bind(*t);
        }
        q.fetch_all(c).await
    })
    .map_err(internal)?;
    let mut read: TermMap<&str, Vec<i64>> = wanted.iter().map(|t| (*t, Vec::new())).collect();
    for (term, bytes) in &rows {
        // Blocks come in id order: their concatenation is sorted.
        if let Some(ids) = read.get_mut(term.as_str()) {
            postings::decode_into(bytes, ids);
        }
    }
    for (term, ids) in read {
        let ids = Arc::new(ids);
        view.keep_postings(term.to_string(), ids.clone());
        into.insert(term.to_string(), ids);
    }
    Ok(())
}

/// The most frequent terms (at most [`PREFIX_TERMS`]) that start with the word.
async fn prefixes(db: &Db, tenant: &Tenant, view: &View, w: &QueryWord) -> Result<Vec<String>, AppError> {
    let text = w.text();
    let min_prefix = match w {
        QueryWord::Word(_) => 2,
        QueryWord::Phone(_) | QueryWord::Email(_) | QueryWord::Document(_) => 3,
    };
    if text.chars().count() < min_prefix {
        return Ok(Vec::new());
    }
    if let Some(terms) = view.prefixes(text) {
        return Ok(terms.to_vec());
    }
    // The first blocks of the range, added up per term in the database: a phone prefix
    // spans 512 terms of one id each, and only the 64 chosen come back.
    let sql = "SELECT term, CAST(SUM(n) AS BIGINT) AS n FROM (SELECT term, n FROM search_block WHERE company_id = $1 AND term > $2 AND term < $3 \
               ORDER BY term, first_id LIMIT $4) r GROUP BY term ORDER BY SUM(n) DESC, term LIMIT $5";
    let upper = format!("{text}\u{10FFFF}");
    let found: Vec<(String, i64)> = on_pool!(db, c => sqlx::query_as(sql)
        .bind(tenant.company_id())
        .bind(text)
        .bind(&upper)
        .bind(PREFIX_SCAN)
        .bind(PREFIX_TERMS as i64)
        .fetch_all(c)
        .await)
    .map_err(internal)?;
    let terms: Vec<String> = found.into_iter().map(|(t, _)| t).collect();
    view.keep_prefixes(text, Arc::new(terms.clone()));
    Ok(terms)
}

/// Gives every fuzzy word its one-typo variants (one query for all the words not known
/// yet).
async fn typo_variants(db: &Db, tenant: &Tenant, view: &View, words: &mut [Word]) -> Result<(), AppError> {
    let mut known: TermMap<String, Arc<Vec<String>>> = TermMap::default();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for w in words.iter().filter(|w| w.q.fuzzy()) {
        match view.variants(w.q.text()) {
            Some(v) => {
                known.insert(w.q.text().to_string(), v);
            }
            None => keys.extend(deletes(w.q.text())),
        }
    }
    if !keys.is_empty() {
        let ps: Vec<String> = (0..keys.len()).map(|i| db.dialect().param(i + 2)).collect();
        let sql =
            format!("SELECT DISTINCT term FROM search_fuzzy WHERE company_id = {} AND del IN ({})", db.dialect().param(1), ps.join(", "));
        let found: Vec<String> = on_pool!(db, c => {
            let mut q = sqlx::query_scalar(&sql).bind(tenant.company_id());
            for k in &keys {
                q = q.bind(k);
            }
            q.fetch_all(c).await
        })
        .map_err(internal)?;
        let missing: Vec<&str> = words.iter().filter(|w| w.q.fuzzy() && !known.contains_key(w.q.text())).map(|w| w.q.text()).collect();
        for text in missing {
            let mut variants: Vec<String> = found.iter().filter(|t| *t != text && within_one_edit(text, t)).cloned().collect();
            variants.sort();
            let variants = Arc::new(variants);
            view.keep_variants(text, variants.clone());
            known.insert(text.to_string(), variants);
        }
    }
    for w in words.iter_mut().filter(|w| w.q.fuzzy()) {
        let variants = known.get(w.q.text()).map(|v| v.as_slice()).unwrap_or_default();
        w.tiers[2] = variants.iter().filter(|t| !w.tiers[1].contains(t)).cloned().collect();
    }
    Ok(())
}

/// The first `want` contacts (in id order) having, for every word, one of its terms up
/// to `tier`, leaving out those already `found`.
fn matches(words: &[Word], tier: usize, postings: &Postings, found: &BTreeSet<i64>, want: usize) -> Vec<i64> {
    let groups: Vec<Vec<&[i64]>> =
        words.iter().map(|w| w.terms(tier).filter_map(|t| postings.get(t)).map(|p| p.as_slice()).collect()).collect();
    postings::matching(&groups).filter(|id| !found.contains(id)).take(want).collect()
}

/// Searches the contacts of a company: at most `limit` hits, exact matches first, then
/// prefixes, then one typo per word. A tier is only expanded when the ones before it
/// did not fill the page. Trashed contacts are not in the index.
///
/// What this server keeps of the index is used at the version it last saw, and the
/// statement that reads the hits also reads the version: when it has moved, the search
/// runs again at the new one (docs/search.md, «What a server keeps of the index»).
pub async fn search(db: &Db, tenant: &Tenant, q: &str, limit: usize) -> Result<Vec<Hit>, AppError> {
    let query = parse_query(q);
    if query.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let Some(seen) = View::last_seen(db, tenant) else {
        let view = View::open(db, tenant).await?;
        return Ok(search_at(db, tenant, &view, &query, limit).await?.0);
    };
    let (found, checked) = search_at(db, tenant, &seen, &query, limit).await?;
    let now = match checked {
        Some(version) => View::at(db, tenant, version),
        None => View::open(db, tenant).await?,
    };
    if now.version() == seen.version() {
        return Ok(found);
    }
    Ok(search_at(db, tenant, &now, &query, limit).await?.0)
}

/// [`search`] at one version of the index; with the version the hits were read at
/// (`None` when no contact matched the postings: no hits statement ran).
async fn search_at(db: &Db, tenant: &Tenant, view: &View, query: &[QueryWord], limit: usize) -> Result<(Vec<Hit>, Option<i64>), AppError> {
    let mut words: Vec<Word> = query.iter().map(|q| Word { q: q.clone(), tiers: Default::default() }).collect();
    let mut postings = Postings::default();
    let mut found: Vec<Hit> = Vec::new();
    let mut checked = None;
    for tier in 0..3 {
        match tier {
            0 => {
                for w in words.iter_mut() {
                    w.tiers[0] = vec![w.q.text().to_string()];
                }
            }
            1 => {
                for w in words.iter_mut() {
                    w.tiers[1] = prefixes(db, tenant, view, &w.q).await?;
                }
            }
            _ => typo_variants(db, tenant, view, &mut words).await?,
        }
        if words.iter().all(|w| w.tiers[tier].is_empty()) {
            continue;
        }
        let new_terms: Vec<&String> = words.iter().flat_map(|w| &w.tiers[tier]).collect();
        fetch(db, tenant, view, &new_terms, &mut postings).await?;
        let seen: BTreeSet<i64> = found.iter().map(|h| h.id).collect();
        let ids = matches(&words, tier, &postings, &seen, limit - found.len());
        let (mut hits, version) = load_hits(db, tenant, &ids).await?;
        checked = checked.or(version);
        hits.sort_by_cached_key(Hit::sort_key);
        found.extend(hits);
        if found.len() >= limit {
            break;
        }
    }
    Ok((found, checked))
}

/// The index version and the hits, in one statement and one row: the hits as one JSON
/// array of arrays, built by the database. One value crosses from SQLite's thread
/// instead of a row of eleven values per hit (each value copied out of SQLite's row,
/// then decoded, then dropped). Each hit is an array in the order of [`Hit`]'s fields
/// (serde reads a struct from a sequence). The ids go as one parameter
/// ([`Dialect::id_list`]): one statement text whatever their number, and no temporary
/// b-tree that SQLite builds for an `IN (…)` list.
fn hits_sql(d: Dialect) -> String {
    let hit = d.json_array(
        "c.id, c.statut, c.civilite, c.nom, c.prenom, c.societe, c.code_postal, c.ville, c.email, \
         (SELECT p.number FROM contact_phone p WHERE p.company_id = c.company_id AND p.contact_id = c.id ORDER BY p.position LIMIT 1)",
    );
    format!(
        "SELECT COALESCE((SELECT v.version FROM search_version v WHERE v.company_id = $1), 0), {} \
         FROM {} JOIN contact c ON c.id = j.value WHERE c.company_id = $1 AND c.statut <> 'corbeille'",
        d.json_agg(&hit, ""),
        d.id_list("$2", "j")
    )
}
static HITS_SQLITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hits_sql(Dialect::Sqlite));
static HITS_PG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hits_sql(Dialect::Postgres));

/// The contacts `ids` (never the trashed), and the index version as of the same
/// statement (`None` when no id was asked for).
async fn load_hits(db: &Db, tenant: &Tenant, ids: &[i64]) -> Result<(Vec<Hit>, Option<i64>), AppError> {
    if ids.is_empty() {
        return Ok((Vec::new(), None));
    }
    let cid = tenant.company_id();
    let ids = crate::db::id_list_param(ids);
    let (version, json): (i64, String) = match db {
        Db::Sqlite(_, lent) => {
            let mut conn = lent.get().await.map_err(internal)?;
            sqlx::query_as(&HITS_SQLITE).bind(cid).bind(&ids).fetch_one(&mut *conn).await
        }
        Db::Pg(p) => sqlx::query_as(&HITS_PG).bind(cid).bind(&ids).fetch_one(p).await,
    }
    .map_err(internal)?;
    let hits: Vec<Hit> = from_db_json(&json)?;
    Ok((hits, Some(version)))
}

/// The naive baseline of the benchmark: `LIKE '%…%'` over the lower-cased name.
pub async fn naive_search(db: &Db, tenant: &Tenant, q: &str, limit: i64) -> Result<Vec<i64>, AppError> {
    let pattern = format!("%{}%", crate::search::text::fold(q));
    let sql = "SELECT id FROM contact WHERE company_id = $1 AND statut <> 'corbeille' \
               AND LOWER(nom || ' ' || prenom || ' ' || societe) LIKE $2 LIMIT $3";
    on_pool!(db, c => sqlx::query_scalar::<_, i64>(sql).bind(tenant.company_id()).bind(&pattern).bind(limit).fetch_all(c).await)
        .map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A search's hits and their first phones come straight from indexes: SQLite opens no
    /// temporary b-tree for them (it opened one for the `IN (…)` list of ids, and one per
    /// hit to sort its phones).
    #[tokio::test]
    async fn hits_are_read_without_temporary_btrees() {
        let path = std::env::temp_dir().join(format!("ouvrage-hits-plan-{}.db", std::process::id()));
        let db = Db::connect(&format!("sqlite://{}", path.display())).await.expect("database");
        let Db::Sqlite(pool, _) = &db else { unreachable!("a SQLite URL") };
        let program: Vec<(i64, String)> = sqlx::query_as(&format!("EXPLAIN {}", &*HITS_SQLITE))
            .bind(1_i64)
            .bind("[1,2,3]")
            .fetch_all(pool)
            .await
            .expect("explain")
            .into_iter()
            .map(|r: (i64, String, i64, i64, i64, Option<String>, i64, Option<String>)| (r.0, r.1))
            .collect();
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        assert!(program.iter().any(|(_, op)| op == "VFilter"), "the ids come from json_each: {program:?}");
        let ephemeral: Vec<_> = program.iter().filter(|(_, op)| op == "OpenEphemeral" || op == "SorterOpen").collect();
        assert!(ephemeral.is_empty(), "temporary b-trees: {ephemeral:?}");
    }
}
