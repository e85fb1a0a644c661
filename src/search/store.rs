//! The search index (SQL, both databases): kept current with each contact write, and
//! queried in tiers — exact terms, then prefixes, then one typo — so that exact and
//! prefix matches always rank before fuzzy ones. See docs/search.md.

use std::collections::BTreeSet;

use crate::db::{Db, Tenant, Tx, internal};
use crate::error::AppError;
use crate::search::model::Hit;
use crate::search::text::{QueryWord, deletes, parse_query, within_one_edit};
use crate::{on_conn, on_pool};

/// Whether a term gets one-typo variants (words of four letters or more).
fn fuzzable(term: &str) -> bool {
    term.chars().count() >= 4 && !term.contains('@') && !term.chars().all(|c| c.is_ascii_digit())
}

/// Replaces the terms of a contact in the index (an empty set removes it: «Corbeille»).
pub async fn reindex(tx: &mut Tx, tenant: &Tenant, contact_id: i64, terms: &BTreeSet<String>) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let old_sql = "SELECT term FROM contact_search WHERE company_id = $1 AND contact_id = $2";
    let old: BTreeSet<String> = on_conn!(tx, c => sqlx::query_scalar::<_, String>(old_sql).bind(cid).bind(contact_id).fetch_all(c).await)
        .map_err(internal)?
        .into_iter()
        .collect();
    for t in old.difference(terms) {
        let del = "DELETE FROM contact_search WHERE company_id = $1 AND term = $2 AND contact_id = $3";
        on_conn!(tx, c => sqlx::query(del).bind(cid).bind(t).bind(contact_id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        let dec = "UPDATE search_vocab SET freq = freq - 1 WHERE company_id = $1 AND term = $2";
        on_conn!(tx, c => sqlx::query(dec).bind(cid).bind(t).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    }
    for t in terms.difference(&old) {
        let ins = "INSERT INTO contact_search (company_id, term, contact_id) VALUES ($1, $2, $3)";
        on_conn!(tx, c => sqlx::query(ins).bind(cid).bind(t).bind(contact_id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        let new_term = "INSERT INTO search_vocab (company_id, term, freq) VALUES ($1, $2, 1) ON CONFLICT (company_id, term) DO NOTHING";
        let created =
            on_conn!(tx, c => sqlx::query(new_term).bind(cid).bind(t).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        if created == 0 {
            let inc = "UPDATE search_vocab SET freq = freq + 1 WHERE company_id = $1 AND term = $2";
            on_conn!(tx, c => sqlx::query(inc).bind(cid).bind(t).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        } else if fuzzable(t) {
            let fz = "INSERT INTO search_fuzzy (company_id, del, term) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
            for d in deletes(t) {
                on_conn!(tx, c => sqlx::query(fz).bind(cid).bind(&d).bind(t).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
            }
        }
    }
    Ok(())
}

/// How many prefix expansions of a word are kept (the most frequent).
const PREFIX_TERMS: usize = 64;
/// How many terms a prefix range reads at most before choosing.
const PREFIX_SCAN: i64 = 512;

#[derive(Default)]
struct WordTerms {
    exact: Vec<String>,
    prefix: Vec<String>,
    fuzzy: Vec<String>,
    /// Contacts having any of the word's terms (estimate, for the join order).
    weight: i64,
}

async fn expand_exact(db: &Db, tenant: &Tenant, w: &QueryWord, out: &mut WordTerms) -> Result<(), AppError> {
    let exact_sql = "SELECT term, freq FROM search_vocab WHERE company_id = $1 AND term = $2 AND freq > 0";
    let exact: Vec<(String, i64)> =
        on_pool!(db, c => sqlx::query_as(exact_sql).bind(tenant.company_id()).bind(w.text()).fetch_all(c).await).map_err(internal)?;
    out.weight += exact.iter().map(|(_, f)| f).sum::<i64>();
    out.exact = exact.into_iter().map(|(t, _)| t).collect();
    Ok(())
}

async fn expand_prefix(db: &Db, tenant: &Tenant, w: &QueryWord, out: &mut WordTerms) -> Result<(), AppError> {
    let text = w.text();
    let min_prefix = match w {
        QueryWord::Word(_) => 2,
        QueryWord::Phone(_) | QueryWord::Email(_) => 3,
    };
    if text.chars().count() < min_prefix {
        return Ok(());
    }
    let prefix_sql = "SELECT term, freq FROM search_vocab WHERE company_id = $1 AND term > $2 AND term < $3 AND freq > 0 ORDER BY term LIMIT $4";
    let upper = format!("{text}\u{10FFFF}");
    let mut found: Vec<(String, i64)> = on_pool!(db, c => sqlx::query_as(prefix_sql)
        .bind(tenant.company_id())
        .bind(text)
        .bind(&upper)
        .bind(PREFIX_SCAN)
        .fetch_all(c)
        .await)
    .map_err(internal)?;
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(PREFIX_TERMS);
    out.weight += found.iter().map(|(_, f)| f).sum::<i64>();
    out.prefix = found.into_iter().map(|(t, _)| t).collect();
    Ok(())
}

async fn expand_fuzzy(db: &Db, tenant: &Tenant, w: &QueryWord, out: &mut WordTerms) -> Result<(), AppError> {
    if !w.fuzzy() {
        return Ok(());
    }
    let text = w.text();
    let keys = deletes(text);
    let placeholders: Vec<String> = (0..keys.len()).map(|i| db.param(i + 2)).collect();
    let sql = format!(
        "SELECT DISTINCT f.term, v.freq FROM search_fuzzy f JOIN search_vocab v ON v.company_id = f.company_id AND v.term = f.term \
         WHERE f.company_id = {} AND f.del IN ({}) AND v.freq > 0",
        db.param(1),
        placeholders.join(", ")
    );
    let found: Vec<(String, i64)> = on_pool!(db, c => {
        let mut q = sqlx::query_as(&sql).bind(tenant.company_id());
        for k in &keys {
            q = q.bind(k);
        }
        q.fetch_all(c).await
    })
    .map_err(internal)?;
    for (t, f) in found {
        if t != text && within_one_edit(text, &t) && !out.prefix.contains(&t) {
            out.weight += f;
            out.fuzzy.push(t);
        }
    }
    out.fuzzy.sort();
    Ok(())
}

/// Contacts having, for every word, one of its terms; rarest word first.
async fn and_query(db: &Db, tenant: &Tenant, lists: &[&Vec<String>], exclude: &[i64], limit: usize) -> Result<Vec<i64>, AppError> {
    let mut binds: Vec<&str> = Vec::new();
    let mut n = 1; // parameter 1 is the company
    let company = db.param(1);
    let mut param = |count: usize| {
        let ps: Vec<String> = (0..count).map(|i| db.param(n + 1 + i)).collect();
        n += count;
        ps.join(", ")
    };
    let mut from = String::from("contact_search s0");
    let mut conds = Vec::new();
    for (i, terms) in lists.iter().enumerate() {
        if i > 0 {
            from.push_str(&format!(" CROSS JOIN contact_search s{i}"));
            conds.push(format!("s{i}.company_id = {company} AND s{i}.contact_id = s0.contact_id"));
        } else {
            conds.push(format!("s0.company_id = {company}"));
        }
        conds.push(format!("s{i}.term IN ({})", param(terms.len())));
        binds.extend(terms.iter().map(String::as_str));
    }
    if !exclude.is_empty() {
        conds.push(format!("s0.contact_id NOT IN ({})", param(exclude.len())));
    }
    let sql = format!("SELECT DISTINCT s0.contact_id FROM {from} WHERE {} LIMIT {}", conds.join(" AND "), limit);
    let cid = tenant.company_id();
    on_pool!(db, c => {
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(cid);
        for b in &binds {
            q = q.bind(*b);
        }
        for id in exclude {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })
    .map_err(internal)
}

/// Searches the contacts of a company: at most `limit` hits, exact matches first, then
/// prefixes, then one typo per word. A tier is only expanded when the ones before it
/// did not fill the page. Trashed contacts are not in the index.
pub async fn search(db: &Db, tenant: &Tenant, q: &str, limit: usize) -> Result<Vec<Hit>, AppError> {
    let words = parse_query(q);
    if words.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut expanded: Vec<(QueryWord, WordTerms)> = words.into_iter().map(|w| (w, WordTerms::default())).collect();
    let mut found: Vec<Hit> = Vec::new();
    for tier in 0..3 {
        let mut grew = false;
        for (w, terms) in expanded.iter_mut() {
            match tier {
                0 => expand_exact(db, tenant, w, terms).await?,
                1 => expand_prefix(db, tenant, w, terms).await?,
                _ => expand_fuzzy(db, tenant, w, terms).await?,
            }
            grew |= match tier {
                0 => !terms.exact.is_empty(),
                1 => !terms.prefix.is_empty(),
                _ => !terms.fuzzy.is_empty(),
            };
        }
        if !grew {
            continue;
        }
        // The rarest word drives the join.
        expanded.sort_by_key(|(_, t)| t.weight);
        let lists: Vec<Vec<String>> = expanded
            .iter()
            .map(|(_, w)| {
                let mut l = w.exact.clone();
                if tier >= 1 {
                    l.extend(w.prefix.iter().cloned());
                }
                if tier >= 2 {
                    l.extend(w.fuzzy.iter().cloned());
                }
                l
            })
            .collect();
        if lists.iter().any(Vec::is_empty) {
            continue;
        }
        let refs: Vec<&Vec<String>> = lists.iter().collect();
        let seen: Vec<i64> = found.iter().map(|h| h.id).collect();
        let ids = and_query(db, tenant, &refs, &seen, limit - found.len()).await?;
        let mut hits = load_hits(db, tenant, &ids).await?;
        hits.sort_by_key(Hit::sort_key);
        found.extend(hits);
        if found.len() >= limit {
            break;
        }
    }
    Ok(found)
}

async fn load_hits(db: &Db, tenant: &Tenant, ids: &[i64]) -> Result<Vec<Hit>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (0..ids.len()).map(|i| db.param(i + 2)).collect();
    let sql = format!(
        "SELECT c.id, c.statut, c.civilite, c.nom, c.prenom, c.societe, c.code_postal, c.ville, c.email, \
         (SELECT p.number FROM contact_phone p WHERE p.company_id = c.company_id AND p.contact_id = c.id ORDER BY p.position LIMIT 1) AS phone \
         FROM contact c WHERE c.company_id = {} AND c.statut <> 'corbeille' AND c.id IN ({})",
        db.param(1),
        ps.join(", ")
    );
    let cid = tenant.company_id();
    on_pool!(db, c => {
        let mut q = sqlx::query_as::<_, Hit>(&sql).bind(cid);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })
    .map_err(internal)
}

/// The naive baseline of the benchmark: `LIKE '%…%'` over the lower-cased name.
pub async fn naive_search(db: &Db, tenant: &Tenant, q: &str, limit: i64) -> Result<Vec<i64>, AppError> {
    let pattern = format!("%{}%", crate::search::text::fold(q));
    let sql = "SELECT id FROM contact WHERE company_id = $1 AND statut <> 'corbeille' \
               AND LOWER(nom || ' ' || prenom || ' ' || societe) LIKE $2 LIMIT $3";
    on_pool!(db, c => sqlx::query_scalar::<_, i64>(sql).bind(tenant.company_id()).bind(&pattern).bind(limit).fetch_all(c).await)
        .map_err(internal)
}
