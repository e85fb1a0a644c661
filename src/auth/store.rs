//! SQL for logins and sessions. Login and session look-ups run before the company is
//! known (they find it); everything after goes through a [`Tenant`].

use crate::auth::model::{Me, Right};
use crate::auth::session::IDLE_SECONDS;
use crate::db::{Db, Tenant, Tx, internal};
use crate::error::AppError;
use crate::{on_conn, on_pool};

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub id: i64,
    pub company_id: i64,
    pub password_hash: String,
    pub active: bool,
}

pub async fn find_login(db: &Db, email: &str) -> Result<Option<LoginRow>, AppError> {
    let sql = "SELECT id, company_id, password_hash, active FROM app_user WHERE email = $1";
    on_pool!(db, c => sqlx::query_as::<_, LoginRow>(sql).bind(email).fetch_optional(c).await).map_err(internal)
}

pub async fn create_session(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), AppError> {
    let sql = "INSERT INTO user_session (company_id, user_id, token_hash, created_at, last_seen_at, expires_at) \
               VALUES ($1, $2, $3, $4, $4, $5)";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// Ends the session with this token hash (logout, or the old session at a new login).
pub async fn revoke_session(tx: &mut Tx, token_hash: &str, now: i64) -> Result<(), AppError> {
    let sql = "UPDATE user_session SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL";
    on_conn!(tx, c => sqlx::query(sql).bind(now).bind(token_hash).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    Ok(())
}

/// Ends every session of a user but `keep` (after a password change).
pub async fn revoke_user_sessions(tx: &mut Tx, tenant: &Tenant, user_id: i64, keep: Option<i64>, now: i64) -> Result<(), AppError> {
    let sql = "UPDATE user_session SET revoked_at = $1 \
               WHERE company_id = $2 AND user_id = $3 AND revoked_at IS NULL AND id <> $4";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(now)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(keep.unwrap_or(-1))
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    company_id: i64,
    user_id: i64,
    last_seen_at: i64,
    name: String,
    email: String,
    company_name: String,
    /// The rights' codes, comma-separated.
    rights: Option<String>,
    due_actions: Option<i64>,
}

/// A live session as [`find_session`] reads it.
pub struct FoundSession {
    pub id: i64,
    pub last_seen_at: i64,
    pub me: Me,
    /// The top bar's count of due actions, when asked for (a page's render).
    pub due_actions: Option<i64>,
}

/// The session statement with one more column, `page_column` (an SQL expression, `NULL`
/// or a count the top bar shows; `$2` is now, `s` the session row). Every request starts
/// here: one statement and one row, the rights aggregated. The features above build the
/// page's statement with their column (`actions::store::SESSION_WITH_DUE`) and hand it to
/// [`crate::auth::session::rendering_page`]: auth does not know them.
pub fn session_sql(page_column: &str) -> String {
    format!(
        "SELECT s.id, s.company_id, s.user_id, s.last_seen_at, u.name, u.email, c.name AS company_name, \
         (SELECT string_agg(r.code, ',') FROM user_right r WHERE r.company_id = s.company_id AND r.user_id = s.user_id) AS rights, \
         {page_column} AS due_actions \
         FROM user_session s \
         JOIN app_user u ON u.id = s.user_id AND u.company_id = s.company_id \
         JOIN company c ON c.id = s.company_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
         AND s.last_seen_at > $3 AND u.active = TRUE"
    )
}

/// The session statement of a request that is not a page's render.
pub static SESSION_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| session_sql("CAST(NULL AS BIGINT)"));

/// A live session (not revoked, not past its absolute expiry, used recently, of an
/// active user) with its user, company and rights, read by `sql` ([`SESSION_SQL`] or a
/// page's statement made by [`session_sql`]).
pub async fn find_session(db: &Db, sql: &str, token_hash: &str, now: i64) -> Result<Option<FoundSession>, AppError> {
    let row = on_pool!(db, c => sqlx::query_as::<_, SessionRow>(sql)
        .bind(token_hash)
        .bind(now)
        .bind(now - IDLE_SECONDS)
        .fetch_optional(c)
        .await)
    .map_err(internal)?;
    Ok(row.map(|r| FoundSession {
        id: r.id,
        last_seen_at: r.last_seen_at,
        me: Me {
            user_id: r.user_id,
            company_id: r.company_id,
            company_name: r.company_name,
            name: r.name,
            email: r.email,
            rights: Right::from_codes(r.rights.as_deref().unwrap_or_default().split(',')),
            due_actions: 0,
        },
        due_actions: r.due_actions,
    }))
}

pub async fn touch_session(db: &Db, id: i64, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let sql = "UPDATE user_session SET last_seen_at = $1 WHERE id = $2";
    on_conn!(&mut tx, c => sqlx::query(sql).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    tx.commit().await
}

pub async fn user_rights(db: &Db, tenant: &Tenant, user_id: i64) -> Result<Vec<Right>, AppError> {
    let sql = "SELECT code FROM user_right WHERE company_id = $1 AND user_id = $2";
    let codes: Vec<String> =
        on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(user_id).fetch_all(c).await).map_err(internal)?;
    Ok(Right::from_codes(codes.iter().map(String::as_str)))
}
