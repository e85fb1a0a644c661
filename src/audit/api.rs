use leptos::prelude::*;

use crate::audit::model::AuditPage;
use crate::error::AppError;

/// «Journal»: the company's audit trail, newest first (right «Paramétrer l'application»).
#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn audit_list(#[server(default)] page: i64) -> Result<AuditPage, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    crate::audit::store::list(&cx.db, &cx.tenant, page.clamp(0, 100_000)).await
}
