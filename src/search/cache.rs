//! What a server has read of a company's search index — posting lists, prefix
//! expansions, typo variants — kept for as long as the index's version (a random value
//! written by every transaction that changes the index) reads the same. A search then
//! costs one small read of the version instead of reading blocks; typing «mar», «mart»,
//! «marti» reads «martin»'s postings once. Several servers on one database stay right:
//! each checks the version, which the database holds. Bounded in size.

use std::sync::{Arc, LazyLock, Mutex};

use foldhash::HashMap;

use crate::db::{Db, Tenant, Tx, internal};
use crate::error::AppError;
use crate::{on_conn, on_pool};

/// The most bytes kept over all companies (64 MiB, counted as [`cost`] says); past it,
/// all is dropped. Every kind of entry counts — the postings of terms no contact has and
/// the prefix and typo expansions too — so random searches cannot grow the process.
const MAX_BYTES: usize = 64 << 20;

/// What an entry costs, approximately: its key, its values, and the maps' own overhead.
fn cost(key: &str, values: usize) -> usize {
    64 + key.len() + values
}

fn strings_cost(terms: &[String]) -> usize {
    terms.iter().map(|t| 24 + t.len()).sum()
}

#[derive(Default)]
struct Entry {
    version: i64,
    /// What this entry's maps cost ([`cost`]).
    bytes: usize,
    postings: HashMap<String, Arc<Vec<i64>>>,
    prefixes: HashMap<String, Arc<Vec<String>>>,
    variants: HashMap<String, Arc<Vec<String>>>,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<(u64, i64), Entry>,
    bytes: usize,
    budget: usize,
}

impl Cache {
    fn new(budget: usize) -> Cache {
        Cache { budget, ..Default::default() }
    }

    /// The company's entry at this version (an entry of another version is replaced).
    fn entry(&mut self, key: (u64, i64), version: i64) -> &mut Entry {
        let Cache { entries, bytes, .. } = self;
        let entry = entries.entry(key).or_default();
        if entry.version != version {
            *bytes -= entry.bytes.min(*bytes);
            *entry = Entry { version, ..Default::default() };
        }
        entry
    }

    /// Keeps what `put` inserts, which costs `n` bytes; past the budget, everything is
    /// dropped first.
    fn keep(&mut self, key: (u64, i64), version: i64, n: usize, put: impl FnOnce(&mut Entry)) {
        if self.bytes + n > self.budget {
            *self = Cache::new(self.budget);
            if n > self.budget {
                return;
            }
        }
        let entry = self.entry(key, version);
        entry.bytes += n;
        put(entry);
        self.bytes += n;
    }
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Cache::new(MAX_BYTES)));

/// The bytes the cache holds now, over all companies (figures and tests).
pub fn bytes() -> usize {
    CACHE.lock().map(|c| c.bytes).unwrap_or(0)
}

/// Marks the company's index as changed, in the transaction that changes it.
pub async fn bump(tx: &mut Tx, tenant: &Tenant) -> Result<(), AppError> {
    let version = rand::random::<i64>();
    // On PostgreSQL, once per transaction (the row's `xmin` is then ours): updating one row
    // thousands of times in a transaction (an import's undo) walks an ever longer chain of
    // its versions.
    let sql = match tx {
        Tx::Sqlite(_) => {
            "INSERT INTO search_version (company_id, version) VALUES ($1, $2) ON CONFLICT (company_id) DO UPDATE SET version = excluded.version"
        }
        Tx::Pg(_) => {
            "INSERT INTO search_version (company_id, version) VALUES ($1, $2) ON CONFLICT (company_id) DO UPDATE SET version = excluded.version \
             WHERE search_version.xmin::text <> (txid_current() % 4294967296)::text"
        }
    };
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(version).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

/// The index of one company as of one version, for one search.
pub struct View {
    key: (u64, i64),
    version: i64,
}

impl View {
    /// Reads the company's index version (one query).
    pub async fn open(db: &Db, tenant: &Tenant) -> Result<View, AppError> {
        let sql = "SELECT version FROM search_version WHERE company_id = $1";
        let version: Option<i64> =
            on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).fetch_optional(c).await).map_err(internal)?;
        Ok(View::at(db, tenant, version.unwrap_or(0)))
    }

    /// The version this server last saw, without asking the database (`None` before the
    /// company's first search here). Whoever uses it checks the version afterwards.
    pub fn last_seen(db: &Db, tenant: &Tenant) -> Option<View> {
        let key = (db.identity(), tenant.company_id());
        let version = CACHE.lock().ok()?.entries.get(&key)?.version;
        Some(View { key, version })
    }

    /// The index at a version read by another statement.
    pub fn at(db: &Db, tenant: &Tenant, version: i64) -> View {
        View { key: (db.identity(), tenant.company_id()), version }
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    /// Runs `f` on the company's entry at this version (`None` when the cache is
    /// unusable).
    fn with<R>(&self, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
        let mut cache = CACHE.lock().ok()?;
        Some(f(cache.entry(self.key, self.version)))
    }

    fn keep(&self, n: usize, put: impl FnOnce(&mut Entry)) {
        if let Ok(mut cache) = CACHE.lock() {
            cache.keep(self.key, self.version, n, put);
        }
    }

    pub fn postings(&self, term: &str) -> Option<Arc<Vec<i64>>> {
        self.with(|e| e.postings.get(term).cloned()).flatten()
    }

    pub fn keep_postings(&self, term: String, ids: Arc<Vec<i64>>) {
        self.keep(cost(&term, 8 * ids.len()), |e| {
            e.postings.insert(term, ids);
        });
    }

    pub fn prefixes(&self, text: &str) -> Option<Arc<Vec<String>>> {
        self.with(|e| e.prefixes.get(text).cloned()).flatten()
    }

    pub fn keep_prefixes(&self, text: &str, terms: Arc<Vec<String>>) {
        self.keep(cost(text, strings_cost(&terms)), |e| {
            e.prefixes.insert(text.to_string(), terms);
        });
    }

    pub fn variants(&self, text: &str) -> Option<Arc<Vec<String>>> {
        self.with(|e| e.variants.get(text).cloned()).flatten()
    }

    pub fn keep_variants(&self, text: &str, terms: Arc<Vec<String>>) {
        self.keep(cost(text, strings_cost(&terms)), |e| {
            e.variants.insert(text.to_string(), terms);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_entry_counts_and_the_budget_holds() {
        let mut c = Cache::new(100_000);
        // Random unknown terms, their empty postings and empty expansions: what random
        // searches leave behind.
        for i in 0..50_000u64 {
            let term = format!("zq{i:x}xw");
            let n = cost(&term, 0);
            c.keep((1, 7), 1, n, |e| {
                e.postings.insert(term.clone(), Arc::new(Vec::new()));
            });
            let n = cost(&term, 0);
            c.keep((1, 7), 1, n, |e| {
                e.variants.insert(term.clone(), Arc::new(Vec::new()));
            });
            assert!(c.bytes <= 100_000, "{} bytes kept", c.bytes);
        }
        let kept: usize = c.entries.values().map(|e| e.postings.len() + e.prefixes.len() + e.variants.len()).sum();
        assert!(kept > 100 && kept < 2_000, "{kept} entries");
        // A new version gives the old entry's bytes back.
        let before = c.bytes;
        c.entry((1, 7), 2);
        assert!(c.bytes < before);
        assert_eq!(c.bytes, 0);
        // One entry larger than the budget is not kept.
        c.keep((1, 7), 2, 200_000, |e| {
            e.postings.insert("x".into(), Arc::new(vec![1]));
        });
        assert_eq!(c.bytes, 0);
    }
}
