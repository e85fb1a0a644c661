use leptos::prelude::*;

use crate::contacts::model::ContactPage;
use crate::error::AppError;

/// A page of the client base, the prospect base or the «Corbeille».
#[server(prefix = "/api", endpoint = "contacts/list")]
pub async fn list_contacts(statut: String, #[server(default)] q: String, #[server(default)] page: i64) -> Result<ContactPage, AppError> {
    use crate::auth::Right;
    use crate::contacts::model::{PER_PAGE, Statut};
    let cx = crate::auth::session::ctx().await?;
    let statut = Statut::from_code(&statut).ok_or_else(|| AppError::invalid("statut", "Statut inconnu."))?;
    if statut == Statut::Corbeille {
        cx.require(Right::TrashMerge)?;
    }
    let q: String = q.chars().take(200).collect();
    let page = page.clamp(0, 1_000_000);
    let (rows, total) = crate::contacts::store::list(&cx.db, &cx.tenant, statut, &q, page, PER_PAGE).await?;
    Ok(ContactPage { rows, total, page, per_page: PER_PAGE })
}
