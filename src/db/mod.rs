//! Database access: one pool type for SQLite (embedded default) and PostgreSQL (scale-out).
//!
//! SQL is written once with `$1` placeholders (SQLite accepts them) and run through
//! [`on_conn!`], which expands the same statement for each driver. What the two dialects
//! write differently is written once, in [`Dialect`]: row locks, claims that skip locked
//! rows, JSON arrays and aggregates, a list of ids bound as one parameter, placeholders of
//! generated statements, transaction-long locks on a key.
//!
//! Tenancy: business queries take a [`Tenant`], which can only be built by the auth layer
//! from a valid session (or by the seed/first-start code). Its `company_id` is bound in
//! every business statement; `tests/it/tenancy.rs` checks the SQL of every store.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::AppError;

pub mod lend;

/// The pool, for either database. Cheap to clone. SQLite's single statements outside a
/// transaction go through [`lend::Connections`] rather than the pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, lend::Connections),
    Pg(PgPool),
}

/// A transaction, for either database.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// The SQL dialect of a database: one helper per idiom that SQLite and PostgreSQL write
/// differently, so that every statement that needs it says it the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// What ends a `SELECT` that locks the rows it reads until the transaction ends:
    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write transactions
    /// (`BEGIN IMMEDIATE`) already hold the database's one write lock.
    pub fn row_lock(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }

    /// What ends a `SELECT` that claims rows for one worker among several: locked, and
    /// those another transaction holds skipped (`of`: the alias of the table claimed, when
    /// the statement joins others). Nothing on SQLite (one writer at a time).
    pub fn skip_locked(self, of: Option<&str>) -> String {
        match (self, of) {
            (Dialect::Sqlite, _) => String::new(),
            (Dialect::Postgres, None) => " FOR UPDATE SKIP LOCKED".into(),
            (Dialect::Postgres, Some(t)) => format!(" FOR UPDATE OF {t} SKIP LOCKED"),
        }
    }

    /// A JSON array of the SQL expressions `items` (comma-separated).
    pub fn json_array(self, items: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_array({items})"),
            Dialect::Postgres => format!("json_build_array({items})"),
        }
    }

    /// The aggregate of `value` over the rows, in the order `order_by` (SQL, may be
    /// empty), as JSON array text; `[]` when there is no row. Decoded by [`from_db_json`].
    pub fn json_agg(self, value: &str, order_by: &str) -> String {
        let order = if order_by.is_empty() { String::new() } else { format!(" ORDER BY {order_by}") };
        match self {
            Dialect::Sqlite => format!("json_group_array({value}{order})"),
            Dialect::Postgres => format!("COALESCE(json_agg({value}{order}), '[]')::TEXT"),
        }
    }

    /// A `FROM` item of the ids bound at `param` (the text of [`id_list_param`]), as
    /// rows of one column `value`, named `alias`: one statement text whatever the number
    /// of ids, and no `IN (…)` list to build.
    pub fn id_list(self, param: &str, alias: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_each({param}) AS {alias}"),
            Dialect::Postgres => {
                format!("(SELECT e::BIGINT AS value FROM json_array_elements_text(CAST({param} AS JSON)) AS e) AS {alias}")
            }
        }
    }

    /// The `i`-th bind placeholder for generated SQL with many parameters: `$i` on
    /// PostgreSQL, an anonymous `?` on SQLite, because sqlx looks up the name of every
    /// SQLite parameter and that look-up is linear for named and numbered ones (`$i`,
    /// `?i`): O(n²) for a statement of n parameters, 80 % of a bulk load's time. So the
    /// placeholders must appear in the statement in the order of `i`, each once.
    pub fn param(self, i: usize) -> String {
        match self {
            Dialect::Postgres => format!("${i}"),
            Dialect::Sqlite => "?".to_string(),
        }
    }
}

/// The value to bind for [`Dialect::id_list`].
pub fn id_list_param(ids: &[i64]) -> String {
    format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Serialises, until the transaction ends, the transactions that take this lock on
/// (`class`, `key`): two imports of one company, two plans of one company's reminders.
/// A PostgreSQL advisory transaction lock; nothing on SQLite, whose write transactions
/// already run one at a time.
pub async fn lock_key(tx: &mut Tx, class: i32, key: i64) -> Result<(), AppError> {
    if let Tx::Pg(t) = tx {
        // The two-key form takes two int4: the key is folded into one.
        let key = (key ^ (key >> 32)) as i32;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(class).bind(key).execute(&mut **t).await.map_err(internal)?;
    }
    Ok(())
}

/// Runs the same sqlx expression against whichever connection `$tx` holds.
/// `$c` is bound to `&mut <Driver>Connection` inside `$body`.
#[macro_export]
macro_rules! on_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Which company a business query runs for. Built only from an authenticated session
/// (`auth`) or by start-up code that creates the company itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tenant {
    company_id: i64,
}

impl Tenant {
    pub(crate) fn trusted(company_id: i64) -> Self {
        Tenant { company_id }
    }
    /// For integration tests and tools that act as the company itself.
    #[doc(hidden)]
    pub fn for_tests(company_id: i64) -> Self {
        Tenant { company_id }
    }
    pub fn company_id(&self) -> i64 {
        self.company_id
    }
}

impl Db {
    /// Connects and migrates. `sqlite://path` (file created, WAL, synchronous=FULL) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Ok(Db::Pg(pool))
        } else {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Money data: FULL survives power loss as well as process crashes.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads go through the OS page cache (shared by all connections) rather
                // than each connection's own small cache.
                .pragma("mmap_size", "1073741824")
                .pragma("cache_size", "-32768");
            if let Some(dir) = opts.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
            let pool = SqlitePoolOptions::new()
                // An embedded database's connection cannot drop: no ping (a round trip to
                // the connection's thread) before each use.
                .test_before_acquire(false)
                .max_connections(8)
                .min_connections(1)
                .connect_with(opts.clone())
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Ok(Db::Sqlite(pool, lend::Connections::new(opts, 8)))
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Pg(_) => Dialect::Postgres,
            Db::Sqlite(..) => Dialect::Sqlite,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    /// Which database this is (its file, or server and name), as a number: the key of
    /// in-process caches, so that two databases in one process never share an entry.
    pub fn identity(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match self {
            Db::Sqlite(p, _) => p.connect_options().get_filename().hash(&mut h),
            Db::Pg(p) => {
                let o = p.connect_options();
                (o.get_host(), o.get_port(), o.get_database()).hash(&mut h);
            }
        }
        h.finish()
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue instead of failing.
    pub async fn begin(&self) -> Result<Tx, AppError> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await.map_err(internal)?),
            Db::Pg(p) => Tx::Pg(p.begin().await.map_err(internal)?),
        })
    }

    /// Starts a read transaction: one consistent view for a page that needs several
    /// queries (SQLite: deferred, takes no write lock).
    pub async fn read(&self) -> Result<Tx, AppError> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await.map_err(internal)?),
            Db::Pg(p) => Tx::Pg(p.begin().await.map_err(internal)?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, lent) => {
                lent.close().await;
                p.close().await
            }
            Db::Pg(p) => p.close().await,
        }
    }
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Pg(_) => Dialect::Postgres,
            Tx::Sqlite(_) => Dialect::Sqlite,
        }
    }

    pub async fn commit(self) -> Result<(), AppError> {
        match self {
            Tx::Sqlite(t) => t.commit().await.map_err(internal),
            Tx::Pg(t) => t.commit().await.map_err(internal),
        }
    }
}

/// One value of a bulk insert.
pub enum Val<'a> {
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// Inserts rows of `width` values each (`head` = "table (columns)"), many per statement;
/// `tail` ends each statement (e.g. `ON CONFLICT DO NOTHING`).
pub async fn bulk_insert(tx: &mut Tx, head: &str, width: usize, vals: &[Val<'_>], tail: &str) -> Result<(), AppError> {
    for chunk in vals.chunks(width * 2000) {
        let rows: Vec<String> = (0..chunk.len() / width)
            .map(|r| format!("({})", (1..=width).map(|c| tx.dialect().param(r * width + c)).collect::<Vec<_>>().join(", ")))
            .collect();
        let sql = format!("INSERT INTO {head} VALUES {} {tail}", rows.join(", "));
        on_conn!(tx, c => {
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(s) => q.bind(*s),
                    Val::Bytes(b) => q.bind(*b),
                };
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(internal)?;
    }
    Ok(())
}

/// Locks a row of `table` (which has `company_id`, `id` and `updated_at`) for the
/// transaction: a no-op UPDATE takes the row lock on PostgreSQL (SQLite's `BEGIN
/// IMMEDIATE` already holds the write lock). False when the company has no such row.
pub async fn lock_row(tx: &mut Tx, tenant: &Tenant, table: &'static str, id: i64) -> Result<bool, AppError> {
    let sql = format!("UPDATE {table} SET updated_at = updated_at WHERE company_id = $1 AND id = $2");
    let n = on_conn!(tx, c => sqlx::query(&sql).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(n > 0)
}

/// «Monter» / «Descendre» in an ordered list: `ids` is the list in its current order (the
/// caller scopes it); `id` swaps with its neighbour and the list is renumbered 1, 2, …
/// (old data may have ties). Nothing happens at either end.
pub async fn move_in_list(tx: &mut Tx, tenant: &Tenant, table: &'static str, ids: &[i64], id: i64, up: bool) -> Result<(), AppError> {
    let Some(i) = ids.iter().position(|r| *r == id) else { return Err(AppError::NotFound("Élément".into())) };
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < ids.len()) };
    let Some(j) = j else { return Ok(()) };
    let mut order = ids.to_vec();
    order.swap(i, j);
    let sql = format!("UPDATE {table} SET position = $1 WHERE company_id = $2 AND id = $3");
    for (p, rid) in order.iter().enumerate() {
        on_conn!(tx, c => sqlx::query(&sql).bind(p as i64 + 1).bind(tenant.company_id()).bind(*rid).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    }
    Ok(())
}

/// Logs a database error and hides it from the user.
pub fn internal(e: sqlx::Error) -> AppError {
    tracing::error!(error = %e, "database error");
    AppError::Internal
}

/// Decodes a JSON value the database built in a statement (`json_group_array`,
/// `json_agg`): a failure is a bug, logged and hidden from the user as [`internal`] does.
pub fn from_db_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "JSON built by the database not decoded");
        AppError::Internal
    })
}

/// True when the error is a unique-constraint violation (both drivers).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Seconds since the Unix epoch, UTC: how every timestamp is stored.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Runs the same sqlx expression (a `Result<_, sqlx::Error>`) outside a transaction:
/// `$c` is bound to a lent SQLite connection, or to the PostgreSQL pool.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(_, lent) => match lent.get().await {
                Ok(mut conn) => {
                    let $c = &mut *conn;
                    $body
                }
                Err(e) => Err(e),
            },
            $crate::db::Db::Pg(p) => {
                let $c = p;
                $body
            }
        }
    };
}

/// Records who did what, in the caller's transaction.
pub async fn audit(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: Option<i64>,
    entity: &str,
    entity_id: i64,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let sql = "INSERT INTO audit (company_id, user_id, at, entity, entity_id, action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(now())
        .bind(entity)
        .bind(entity_id)
        .bind(action)
        .bind(detail)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}
