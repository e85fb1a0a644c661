//! Server functions of «Entreprise».

use leptos::prelude::*;

use crate::company::model::{Identity, IdentityForm};
use crate::error::AppError;

/// The company's identity as «Entreprise» shows it.
#[server(prefix = "/api", endpoint = "company/identity")]
pub async fn get_identity() -> Result<Identity, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.read().await?;
    crate::company::store::identity(&mut tx, &cx.tenant).await
}

/// «Entreprise» › «Enregistrer».
#[server(prefix = "/api", endpoint = "company/save")]
pub async fn save_identity(#[server(flatten)] form: IdentityForm) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let identity = form.parse()?;
    let mut tx = cx.db.begin().await?;
    crate::company::store::save(&mut tx, &cx.tenant, Some(cx.user_id()), &identity, crate::fmt::paris_date(crate::db::now()))
        .await
        .map_err(|e| e.with_values(form.typed()))?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/entreprise?modifie=1");
    Ok(())
}
