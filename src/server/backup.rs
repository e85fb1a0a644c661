//! `ouvrage backup FILE`: a consistent online copy of the SQLite database, taken while the
//! application serves (`VACUUM INTO` reads one snapshot; writers are not blocked in WAL
//! mode), then checked with `PRAGMA integrity_check`. Restore: stop the server, put the
//! copy in place of the database file (without its old `-wal`/`-shm`), start the server.
//! PostgreSQL is backed up with its own tools (`pg_dump`, or base backups and WAL archiving).

use crate::db::{Db, internal};
use crate::error::AppError;

/// Writes the copy to `target` (which must not exist) and checks it.
pub async fn sqlite(db: &Db, target: &std::path::Path) -> Result<(), AppError> {
    let Db::Sqlite(pool, _) = db else {
        return Err(AppError::invalid("backup", "Sauvegarde en ligne : base SQLite seulement (PostgreSQL : pg_dump)."));
    };
    if target.exists() {
        return Err(AppError::invalid("backup", format!("{} existe déjà.", target.display())));
    }
    let path = target.to_str().ok_or_else(|| AppError::invalid("backup", "Chemin invalide."))?;
    sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await.map_err(internal)?;
    let copy = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(target).read_only(true))
        .await
        .map_err(internal)?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&copy).await.map_err(internal)?;
    copy.close().await;
    if check != "ok" {
        return Err(AppError::invalid("backup", format!("La copie est corrompue : {check}")));
    }
    Ok(())
}
