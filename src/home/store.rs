use crate::db::{Db, Tenant, Tx, internal};
use crate::error::AppError;
use crate::home::model::Prefs;
use crate::{on_conn, on_pool};

pub async fn prefs(db: &Db, tenant: &Tenant, user_id: i64) -> Result<Prefs, AppError> {
    let sql = "SELECT show_archived_sav, observations_tooltip, action_alert_email FROM user_pref WHERE company_id = $1 AND user_id = $2";
    Ok(on_pool!(db, c => sqlx::query_as::<_, Prefs>(sql).bind(tenant.company_id()).bind(user_id).fetch_optional(c).await)
        .map_err(internal)?
        .unwrap_or_default())
}

pub async fn save_prefs(tx: &mut Tx, tenant: &Tenant, user_id: i64, p: &Prefs) -> Result<(), AppError> {
    // Portable upsert: both SQLite and PostgreSQL accept ON CONFLICT … DO UPDATE.
    let sql = "INSERT INTO user_pref (company_id, user_id, show_archived_sav, observations_tooltip, action_alert_email) VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (user_id) DO UPDATE SET show_archived_sav = $3, observations_tooltip = $4, action_alert_email = $5 \
               WHERE user_pref.company_id = $1";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(p.show_archived_sav)
        .bind(p.observations_tooltip)
        .bind(p.action_alert_email)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// Contacts per statut, for the dashboard.
pub async fn contact_counts(db: &Db, tenant: &Tenant) -> Result<(i64, i64), AppError> {
    let sql = "SELECT statut, COUNT(*) FROM contact WHERE company_id = $1 GROUP BY statut";
    let rows: Vec<(String, i64)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    let get = |s: &str| rows.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
    Ok((get("client"), get("prospect")))
}
