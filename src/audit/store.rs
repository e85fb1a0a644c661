use crate::audit::model::{AuditEntry, AuditPage, PER_PAGE, label};
use crate::db::{Db, Tenant, internal};
use crate::error::AppError;
use crate::on_pool;

pub async fn list(db: &Db, tenant: &Tenant, page: i64) -> Result<AuditPage, AppError> {
    let sql = "SELECT a.at, u.name, a.entity, a.entity_id, a.action, a.detail FROM audit a \
               LEFT JOIN app_user u ON u.company_id = a.company_id AND u.id = a.user_id \
               WHERE a.company_id = $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3";
    let rows: Vec<(i64, Option<String>, String, i64, String, String)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(PER_PAGE + 1).bind(page * PER_PAGE).fetch_all(c).await)
            .map_err(internal)?;
    let more = rows.len() as i64 > PER_PAGE;
    let entries = rows
        .into_iter()
        .take(PER_PAGE as usize)
        .map(|(at, user, entity, id, action, detail)| AuditEntry {
            at: crate::fmt::datetime_fr(at),
            user: user.unwrap_or_else(|| "Système".into()),
            what: label(&entity, &action, &detail),
            link: match entity.as_str() {
                "contact" => Some(format!("/clients/{id}")),
                "document" => Some(format!("/pieces/{id}")),
                "user" => Some(format!("/parametres/utilisateurs/{id}")),
                _ => None,
            },
            detail,
        })
        .collect();
    Ok(AuditPage { entries, page, more })
}
