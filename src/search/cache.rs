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

/// The most ids kept over all companies (8 bytes each: 64 MB); past it, all is dropped.
const MAX_IDS: usize = 8_000_000;

#[derive(Default)]
struct Entry {
    version: i64,
    postings: HashMap<String, Arc<Vec<i64>>>,
    prefixes: HashMap<String, Arc<Vec<String>>>,
    variants: HashMap<String, Arc<Vec<String>>>,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<(u64, i64), Entry>,
    ids: usize,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

/// Marks the company's index as changed, in the transaction that changes it.
pub async fn bump(tx: &mut Tx, tenant: &Tenant) -> Result<(), AppError> {
    let version = rand::random::<i64>();
    // On PostgreSQL, once per transaction (the row's `xmin` is then ours): updating one row
    // thousands of times in a transaction (an import's undo) walks an ever longer chain of
    // its versions.
    let sql = match tx {
        Tx::Sqlite(_) => "INSERT INTO search_version (company_id, version) VALUES ($1, $2) ON CONFLICT (company_id) DO UPDATE SET version = excluded.version",
        Tx::Pg(_) => {
            "INSERT INTO search_version (company_id, version) VALUES ($1, $2) ON CONFLICT (company_id) DO UPDATE SET version = excluded.version \
             WHERE search_version.xmin::text <> (txid_current() % 4294967296)::text"
        }
    };
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(version).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
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

    /// Runs `f` on the company's entry when it holds this version (an entry of another
    /// version is replaced; `None` when the cache is unusable).
    fn with<R>(&self, f: impl FnOnce(&mut Entry, &mut usize) -> R) -> Option<R> {
        let mut cache = CACHE.lock().ok()?;
        let Cache { entries, ids } = &mut *cache;
        let entry = entries.entry(self.key).or_default();
        if entry.version != self.version {
            *ids -= entry.postings.values().map(|p| p.len()).sum::<usize>().min(*ids);
            *entry = Entry { version: self.version, ..Default::default() };
        }
        Some(f(entry, ids))
    }

    pub fn postings(&self, term: &str) -> Option<Arc<Vec<i64>>> {
        self.with(|e, _| e.postings.get(term).cloned()).flatten()
    }

    pub fn keep_postings(&self, term: String, ids: Arc<Vec<i64>>) {
        let n = ids.len();
        let full = self.with(|e, total| {
            if *total + n <= MAX_IDS {
                *total += n;
                e.postings.insert(term, ids);
                false
            } else {
                true
            }
        });
        if full == Some(true)
            && let Ok(mut cache) = CACHE.lock()
        {
            *cache = Cache::default();
        }
    }

    pub fn prefixes(&self, text: &str) -> Option<Arc<Vec<String>>> {
        self.with(|e, _| e.prefixes.get(text).cloned()).flatten()
    }

    pub fn keep_prefixes(&self, text: &str, terms: Arc<Vec<String>>) {
        self.with(|e, _| e.prefixes.insert(text.to_string(), terms));
    }

    pub fn variants(&self, text: &str) -> Option<Arc<Vec<String>>> {
        self.with(|e, _| e.variants.get(text).cloned()).flatten()
    }

    pub fn keep_variants(&self, text: &str, terms: Arc<Vec<String>>) {
        self.with(|e, _| e.variants.insert(text.to_string(), terms));
    }
}
