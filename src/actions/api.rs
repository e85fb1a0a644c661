//! Server functions of actions. Each authenticates, checks who may act, validates, and
//! acts in one transaction. «Nouvelle action» and an action's «Enregistrer» post the
//! same fields: both take one `ActionFields`, flattened (`#[server(flatten)]`), so the
//! form posts its fields at the top level (`type_id=…&shared[]=…`).

use leptos::prelude::*;

use crate::actions::model::{ActionFields, ActionPageData, ActionTypeView, ClientActionsView, MyActionsView};
use crate::error::AppError;

/// The fields as the store checks them (a ticked box is a present, non-empty value).
#[cfg(feature = "ssr")]
fn action_form(f: &ActionFields) -> crate::actions::store::ActionForm<'_> {
    crate::actions::store::ActionForm {
        type_id: &f.type_id,
        alert_date: &f.alert_date,
        alert_time: &f.alert_time,
        note: &f.note,
        partager: f.partager.is_some(),
        shared: &f.shared,
        attribuer: f.attribuer.is_some(),
        assignee: &f.assignee,
    }
}

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
pub async fn create_action(contact_id: i64, #[server(flatten)] fields: ActionFields) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let form = action_form(&fields);
    let input = form.parse()?;
    let mut tx = cx.db.begin().await?;
    let id = crate::actions::store::create(&mut tx, &cx.tenant, cx.user_id(), contact_id, &input)
        .await
        .map_err(|e| e.with_values(form.typed()))?;
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
pub async fn update_action(id: i64, #[server(flatten)] fields: ActionFields) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let form = action_form(&fields);
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

/// The form posts what it posted when each field was an argument: every body decodes to
/// what the former signature read (defaults, and `partager=` as unticked, included), or
/// both refuse it.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::decode_form as decode;

    /// The former arguments of `actions/update`, one per form field.
    #[derive(serde::Deserialize)]
    struct Before {
        id: i64,
        #[serde(default)]
        type_id: String,
        #[serde(default)]
        alert_date: String,
        #[serde(default)]
        alert_time: String,
        #[serde(default)]
        note: String,
        #[serde(default)]
        partager: Option<String>,
        #[serde(default)]
        shared: Vec<String>,
        #[serde(default)]
        attribuer: Option<String>,
        #[serde(default)]
        assignee: String,
    }

    #[test]
    fn same_fields_as_the_former_arguments() {
        let bodies = [
            "type_id=3&alert_date=2026-12-10&alert_time=09%3A30&note=Rappeler%0Ademain&partager=on&shared[]=4&shared[]=5&attribuer=on&assignee=6",
            "",
            "type_id=3&partager=&attribuer=",
            "partager=on&shared%5B%5D=4&shared%5B%5D=5",
            "partager=on&shared[0]=4&shared[1]=5",
            "attribuer=oui&assignee=&autre=1&x[y]=2",
            "shared=4",
            "partager[]=on",
            "note=a&note=b",
        ];
        let mut accepted = 0;
        for body in bodies {
            let before = decode::<Before>(&format!("id=7&{body}")).map(|b| {
                let fields = ActionFields {
                    type_id: b.type_id,
                    alert_date: b.alert_date,
                    alert_time: b.alert_time,
                    note: b.note,
                    partager: b.partager,
                    shared: b.shared,
                    attribuer: b.attribuer,
                    assignee: b.assignee,
                };
                (b.id, fields)
            });
            let update = decode::<UpdateAction>(&format!("id=7&{body}")).map(|u| (u.id, u.fields));
            let create = decode::<CreateAction>(&format!("contact_id=7&{body}")).map(|c| (c.contact_id, c.fields));
            match (&before, &update, &create) {
                (Ok(b), Ok(u), Ok(c)) => {
                    assert_eq!(b, u, "{body}");
                    assert_eq!(b, c, "{body}");
                    accepted += 1;
                }
                (Err(_), Err(_), Err(_)) => {}
                _ => panic!("{body}: before {before:?}, update {update:?}, create {create:?}"),
            }
        }
        assert_eq!(accepted, 6);
        let unticked = decode::<UpdateAction>("id=7&partager=&attribuer=&shared[]=4").expect("unticked");
        let form = action_form(&unticked.fields);
        assert!(!form.partager && !form.attribuer);
        let ticked = decode::<UpdateAction>(&format!("id=7&{}", bodies[0])).expect("full form");
        let form = action_form(&ticked.fields);
        assert!(form.partager && form.attribuer);
        assert_eq!(form.shared, ["4", "5"]);
        assert_eq!(form.alert_time, "09:30");
    }
}
