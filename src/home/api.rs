use leptos::prelude::*;

use crate::error::AppError;
use crate::home::model::{Dashboard, Prefs};

#[server(prefix = "/api", endpoint = "prefs/get")]
pub async fn get_prefs() -> Result<Prefs, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::home::store::prefs(&cx.db, &cx.tenant, cx.user_id()).await
}

/// Saves «Préférences». Check boxes are sent only when ticked.
#[server(prefix = "/api", endpoint = "prefs/save")]
pub async fn save_prefs(
    #[server(default)] show_archived_sav: Option<String>,
    #[server(default)] observations_tooltip: Option<String>,
    #[server(default)] action_alert_email: Option<String>,
) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let p = Prefs {
        show_archived_sav: show_archived_sav.is_some(),
        observations_tooltip: observations_tooltip.is_some(),
        action_alert_email: action_alert_email.is_some(),
    };
    let mut tx = cx.db.begin().await?;
    crate::home::store::save_prefs(&mut tx, &cx.tenant, cx.user_id(), &p).await?;
    tx.commit().await?;
    leptos_axum::redirect("/preferences?modifie=preferences");
    Ok(())
}

#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let (clients, prospects) = crate::home::store::contact_counts(&cx.db, &cx.tenant).await?;
    Ok(Dashboard { user_name: cx.me.name, company_name: cx.me.company_name, clients, prospects })
}
