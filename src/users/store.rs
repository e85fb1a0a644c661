//! SQL for «Utilisateurs». Every statement is scoped by the tenant's company.

use crate::auth::model::Right;
use crate::db::{Db, Tenant, Tx, internal, is_unique_violation, now};
use crate::error::AppError;
use crate::users::model::{UserDetail, UserInput, UserSummary};
use crate::{on_conn, on_pool};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    signature: String,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct RightRow {
    user_id: i64,
    code: String,
}

pub async fn list(db: &Db, tenant: &Tenant) -> Result<Vec<UserSummary>, AppError> {
    let sql = "SELECT id, name, email, signature, active FROM app_user WHERE company_id = $1 ORDER BY active DESC, name, id";
    let rows = on_pool!(db, c => sqlx::query_as::<_, UserRow>(sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    let rsql = "SELECT user_id, code FROM user_right WHERE company_id = $1";
    let rights = on_pool!(db, c => sqlx::query_as::<_, RightRow>(rsql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|u| UserSummary {
            id: u.id,
            name: u.name,
            email: u.email,
            active: u.active,
            rights: Right::from_codes(rights.iter().filter(|r| r.user_id == u.id).map(|r| r.code.as_str())),
        })
        .collect())
}

pub async fn get(db: &Db, tenant: &Tenant, id: i64) -> Result<UserDetail, AppError> {
    let sql = "SELECT id, name, email, signature, active FROM app_user WHERE company_id = $1 AND id = $2";
    let u = on_pool!(db, c => sqlx::query_as::<_, UserRow>(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Utilisateur".into()))?;
    let rights = crate::auth::store::user_rights(db, tenant, id).await?;
    Ok(UserDetail { id: u.id, name: u.name, email: u.email, signature: u.signature, active: u.active, rights })
}

pub async fn password_hash(db: &Db, tenant: &Tenant, id: i64) -> Result<String, AppError> {
    let sql = "SELECT password_hash FROM app_user WHERE company_id = $1 AND id = $2";
    on_pool!(db, c => sqlx::query_scalar::<_, String>(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Utilisateur".into()))
}

fn email_taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        AppError::invalid("email", "Cette adresse e-mail est déjà celle d'un autre utilisateur.")
    } else {
        internal(e)
    }
}

pub async fn create(tx: &mut Tx, tenant: &Tenant, input: &UserInput, password_hash: &str) -> Result<i64, AppError> {
    let t = now();
    let sql = "INSERT INTO app_user (company_id, email, name, signature, password_hash, active, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id";
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id())
        .bind(&input.email)
        .bind(&input.name)
        .bind(&input.signature)
        .bind(password_hash)
        .bind(t)
        .fetch_one(c)
        .await)
    .map_err(email_taken)?;
    set_rights(tx, tenant, id, &input.rights).await?;
    let psql = "INSERT INTO user_pref (company_id, user_id) VALUES ($1, $2)";
    on_conn!(tx, c => sqlx::query(psql).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(id)
}

/// Updates identity, rights and the active flag. Returns false when the user is not in
/// this company.
pub async fn update(tx: &mut Tx, tenant: &Tenant, id: i64, input: &UserInput, active: bool) -> Result<bool, AppError> {
    let sql = "UPDATE app_user SET email = $1, name = $2, signature = $3, active = $4, updated_at = $5 \
               WHERE company_id = $6 AND id = $7";
    let done = on_conn!(tx, c => sqlx::query(sql)
        .bind(&input.email)
        .bind(&input.name)
        .bind(&input.signature)
        .bind(active)
        .bind(now())
        .bind(tenant.company_id())
        .bind(id)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(email_taken)?;
    if done == 0 {
        return Ok(false);
    }
    set_rights(tx, tenant, id, &input.rights).await?;
    Ok(true)
}

async fn set_rights(tx: &mut Tx, tenant: &Tenant, id: i64, rights: &[Right]) -> Result<(), AppError> {
    let del = "DELETE FROM user_right WHERE company_id = $1 AND user_id = $2";
    on_conn!(tx, c => sqlx::query(del).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let ins = "INSERT INTO user_right (company_id, user_id, code) VALUES ($1, $2, $3)";
    for r in rights {
        on_conn!(tx, c => sqlx::query(ins).bind(tenant.company_id()).bind(id).bind(r.code()).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    Ok(())
}

pub async fn set_password(tx: &mut Tx, tenant: &Tenant, id: i64, hash: &str) -> Result<(), AppError> {
    let sql = "UPDATE app_user SET password_hash = $1, updated_at = $2 WHERE company_id = $3 AND id = $4";
    let done = on_conn!(tx, c => sqlx::query(sql).bind(hash).bind(now()).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    if done == 0 {
        return Err(AppError::NotFound("Utilisateur".into()));
    }
    Ok(())
}

pub async fn count(db: &Db, tenant: &Tenant) -> Result<i64, AppError> {
    let sql = "SELECT COUNT(*) FROM app_user WHERE company_id = $1";
    on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).fetch_one(c).await).map_err(internal)
}
