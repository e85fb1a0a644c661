//! Server functions of actions. Each authenticates, checks who may act, validates, and
//! acts in one transaction.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::actions::model::{ActionPageData, ActionTypeView, ClientActionsView, MyActionsView};
use crate::error::AppError;

/// «Paramètres» › «Actions»: every type, retired ones included.
#[server(prefix = "/api", endpoint = "actions/types")]
pub async fn action_types() -> Result<Vec<ActionTypeView>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.read().await?;
    crate::actions::store::types(&mut tx, &cx.tenant, true).await
}

/// «Ajouter» a type, or rename one (`id` set).
#[server(prefix = "/api", endpoint = "actions/save_type")]
pub async fn save_action_type(#[server(default)] id: Option<i64>, label: String) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.begin().await?;
    let id = match id {
        Some(id) => {
            crate::actions::store::rename_type(&mut tx, &cx.tenant, id, &label).await?;
            id
        }
        None => crate::actions::store::create_type(&mut tx, &cx.tenant, &label).await?,
    };
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "action_type", id, "saved", label.trim()).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/parametres/actions?modifie=1#type-{id}"));
    Ok(id)
}

/// «Ajouter une réponse».
#[server(prefix = "/api", endpoint = "actions/add_response")]
pub async fn add_action_response(type_id: i64, response: String) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.begin().await?;
    let id = crate::actions::store::add_response(&mut tx, &cx.tenant, type_id, &response).await?;
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "action_type", type_id, "response added", response.trim()).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/parametres/actions?modifie=1#type-{type_id}"));
    Ok(id)
}

/// «Monter», «Descendre», «Retirer», «Réactiver» a type (`item` = `type`) or a response.
#[server(prefix = "/api", endpoint = "actions/arrange")]
pub async fn arrange_action_item(item: String, id: i64, op: String) -> Result<(), AppError> {
    use crate::actions::store::{Item, move_item, set_retired};
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let item = match item.as_str() {
        "type" => Item::Type,
        "response" => Item::Response,
        _ => return Err(AppError::invalid("item", "Élément inconnu.")),
    };
    let mut tx = cx.db.begin().await?;
    match op.as_str() {
        "up" => move_item(&mut tx, &cx.tenant, item, id, true).await?,
        "down" => move_item(&mut tx, &cx.tenant, item, id, false).await?,
        "retire" => set_retired(&mut tx, &cx.tenant, item, id, true).await?,
        "restore" => set_retired(&mut tx, &cx.tenant, item, id, false).await?,
        _ => return Err(AppError::invalid("op", "Opération inconnue.")),
    }
    tx.commit().await?;
    leptos_axum::redirect("/parametres/actions?modifie=1");
    Ok(())
}

/// A client's «Actions».
#[server(prefix = "/api", endpoint = "actions/of_client")]
pub async fn client_actions(contact_id: i64) -> Result<ClientActionsView, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::actions::store::for_contact(&cx.db, &cx.tenant, &cx.me, contact_id).await
}

/// «Nouvelle action» on a client.
#[server(prefix = "/api", endpoint = "actions/create")]
pub async fn create_action(
    contact_id: i64,
    #[server(default)] type_id: String,
    #[server(default)] alert_date: String,
    #[server(default)] alert_time: String,
    #[server(default)] note: String,
    #[server(default)] partager: Option<String>,
    #[server(default)] shared: Vec<String>,
    #[server(default)] attribuer: Option<String>,
    #[server(default)] assignee: String,
) -> Result<i64, AppError> {
    use crate::actions::store::ActionForm;
    let cx = crate::auth::session::ctx().await?;
    let form = ActionForm { type_id: &type_id, alert_date: &alert_date, alert_time: &alert_time, note: &note, partager: partager.is_some(), shared: &shared, attribuer: attribuer.is_some(), assignee: &assignee };
    let input = form.parse()?;
    let mut tx = cx.db.begin().await?;
    let id = crate::actions::store::create(&mut tx, &cx.tenant, cx.user_id(), contact_id, &input).await.map_err(|e| e.with_values(form.typed()))?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}/actions?fait=creee"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "actions/get")]
pub async fn get_action(id: i64) -> Result<ActionPageData, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::actions::store::page_data(&cx.db, &cx.tenant, &cx.me, id).await
}

/// An action's «Enregistrer».
#[server(prefix = "/api", endpoint = "actions/update")]
pub async fn update_action(
    id: i64,
    #[server(default)] type_id: String,
    #[server(default)] alert_date: String,
    #[server(default)] alert_time: String,
    #[server(default)] note: String,
    #[server(default)] partager: Option<String>,
    #[server(default)] shared: Vec<String>,
    #[server(default)] attribuer: Option<String>,
    #[server(default)] assignee: String,
) -> Result<(), AppError> {
    use crate::actions::store::ActionForm;
    let cx = crate::auth::session::ctx().await?;
    let form = ActionForm { type_id: &type_id, alert_date: &alert_date, alert_time: &alert_time, note: &note, partager: partager.is_some(), shared: &shared, attribuer: attribuer.is_some(), assignee: &assignee };
    let input = form.parse()?;
    let mut tx = cx.db.begin().await?;
    crate::actions::store::update(&mut tx, &cx.tenant, &cx.me, id, &input).await.map_err(|e| e.with_values(form.typed()))?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/actions/{id}?fait=enregistree"));
    Ok(())
}

/// «Clore» with a response of the action's type.
#[server(prefix = "/api", endpoint = "actions/close")]
pub async fn close_action(id: i64, #[server(default)] response_id: String, #[server(default)] comment: String) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let mut tx = cx.db.begin().await?;
    crate::actions::store::close(&mut tx, &cx.tenant, &cx.me, id, &response_id, &comment).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/actions/{id}?fait=close"));
    Ok(())
}

/// «Mes actions».
#[server(prefix = "/api", endpoint = "actions/mine")]
pub async fn my_actions() -> Result<MyActionsView, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::actions::store::mine(&cx.db, &cx.tenant, &cx.me, crate::db::now()).await
}
