//! Server functions of SAV and services.

use leptos::prelude::*;

use crate::error::AppError;
use crate::sav::model::{ClientSavView, SavView};

/// A client's «SAV et services»; archived tickets when the user's «Préférences» say so
/// or when asked (`archives`).
#[server(prefix = "/api", endpoint = "sav/of_client")]
pub async fn client_sav(contact_id: i64, #[server(default)] archives: Option<String>) -> Result<ClientSavView, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let prefs = crate::home::store::prefs(&cx.db, &cx.tenant, cx.user_id()).await?;
    crate::sav::store::of_client(&cx.db, &cx.tenant, contact_id, archives.is_some() || prefs.show_archived_sav).await
}

/// «Nouveau SAV» or a ticket's «Enregistrer» (close: status «Clos»; archive: «Archivé»).
#[server(prefix = "/api", endpoint = "sav/save")]
pub async fn save_sav(
    contact_id: i64,
    #[server(default)] id: Option<i64>,
    #[server(default)] title: String,
    #[server(default)] observations: String,
    #[server(default)] opened_on: String,
    #[server(default)] closed_on: String,
    #[server(default)] status: String,
    #[server(default)] archived: Option<String>,
) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let today = crate::fmt::today_paris();
    let s = crate::sav::store::parse_sav(&title, &observations, &opened_on, &closed_on, &status, archived.is_some(), &today)?;
    let mut tx = cx.db.begin().await?;
    let id = crate::sav::store::save_sav(&mut tx, &cx.tenant, cx.user_id(), contact_id, id, &s).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}/sav?fait=sav#sav-{id}"));
    Ok(id)
}

/// «Nouveau service» or a service's «Enregistrer».
#[server(prefix = "/api", endpoint = "services/save")]
pub async fn save_service(
    contact_id: i64,
    #[server(default)] id: Option<i64>,
    #[server(default)] label: String,
    #[server(default)] start_date: String,
    #[server(default)] periodicity_months: String,
    #[server(default)] next_due: String,
    #[server(default)] notes: String,
    #[server(default)] active: Option<String>,
) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let active = active.is_some() || id.is_none();
    let s = crate::sav::store::parse_service(&label, &start_date, &periodicity_months, &next_due, &notes, active)?;
    let mut tx = cx.db.begin().await?;
    let id = crate::sav::store::save_service(&mut tx, &cx.tenant, cx.user_id(), contact_id, id, &s).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}/sav?fait=service#service-{id}"));
    Ok(id)
}

/// Open tickets of the company, oldest first (the dashboard's «SAV ouverts»).
#[server(prefix = "/api", endpoint = "sav/open")]
pub async fn open_sav() -> Result<Vec<(SavView, String)>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::sav::store::open_tickets(&cx.db, &cx.tenant, 20).await
}
