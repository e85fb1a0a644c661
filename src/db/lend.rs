//! SQLite connections lent for single statements outside a transaction ([`on_pool!`]).
//!
//! sqlx's pool pings every connection it takes back (`return_to_pool`, in a spawned
//! task). A SQLite connection lives on its own thread, so that ping is a round trip
//! between threads — as costly as the statement itself, on every read of every page.
//! An embedded database's connection cannot drop, and a statement interrupted mid-way
//! is reset by the connection before the next one, so these connections go back to the
//! set as they are, at once. Transactions keep sqlx's pool.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio::sync::{Semaphore, SemaphorePermit};

/// At most `size` connections, opened on first need.
#[derive(Clone)]
pub struct Connections(Arc<Inner>);

struct Inner {
    opts: SqliteConnectOptions,
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Semaphore,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections").field("available", &self.0.permits.available_permits()).finish()
    }
}

/// A lent connection; dropping it gives it back.
pub struct Lent<'a> {
    conn: Option<SqliteConnection>,
    home: &'a Inner,
    _permit: SemaphorePermit<'a>,
}

impl Connections {
    pub fn new(opts: SqliteConnectOptions, size: usize) -> Self {
        Connections(Arc::new(Inner { opts, idle: Mutex::new(Vec::new()), permits: Semaphore::new(size) }))
    }

    /// Waits (at most 10 s, as the pool does) for a connection.
    pub async fn get(&self) -> Result<Lent<'_>, sqlx::Error> {
        let permit = tokio::time::timeout(Duration::from_secs(10), self.0.permits.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.0.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.0.opts.connect().await?,
        };
        Ok(Lent { conn: Some(conn), home: &self.0, _permit: permit })
    }

    /// Closes the idle connections and lends no more.
    pub async fn close(&self) {
        self.0.permits.close();
        let idle = std::mem::take(&mut *self.0.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for c in idle {
            let _ = sqlx::Connection::close(c).await;
        }
    }
}

impl std::ops::Deref for Lent<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn.as_ref().expect("lent connection")
    }
}

impl std::ops::DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("lent connection")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.home.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
    }
}
