//! Server functions of «Utilisateurs». Each one: authenticate, check «Paramétrer les
//! comptes utilisateurs», validate, act in one transaction.

use leptos::prelude::*;

use crate::error::AppError;
use crate::users::model::{UserDetail, UserSummary};

#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::auth::{Right, session};
    let cx = session::ctx_with(Right::Users).await?;
    crate::users::store::list(&cx.db, &cx.tenant).await
}

#[server(prefix = "/api", endpoint = "users/get")]
pub async fn get_user(id: i64) -> Result<UserDetail, AppError> {
    use crate::auth::{Right, session};
    let cx = session::ctx_with(Right::Users).await?;
    crate::users::store::get(&cx.db, &cx.tenant, id).await
}

#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_user(
    name: String,
    email: String,
    signature: String,
    password: String,
    #[server(default)] rights: Vec<String>,
) -> Result<(), AppError> {
    use crate::auth::{Right, password as pw, session};
    use crate::users::{model::UserInput, store};

    let cx = session::ctx_with(Right::Users).await?;
    let input = UserInput::parse(&name, &email, &signature, &rights)?;
    let echo = |e: AppError| e.with_values(input.typed_values());
    pw::check("password", &password).map_err(echo)?;
    let hash = session::state()?.hashing.run(move || pw::hash(&password)).await??;
    let mut tx = cx.db.begin().await?;
    let id = store::create(&mut tx, &cx.tenant, &input, &hash).await.map_err(echo)?;
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "user", id, "created", &input.email).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/utilisateurs?modifie=cree");
    Ok(())
}

/// Saves a user's identity, rights and state; a non-empty `password` replaces theirs
/// and ends their sessions.
#[server(prefix = "/api", endpoint = "users/update")]
pub async fn update_user(
    id: i64,
    name: String,
    email: String,
    signature: String,
    #[server(default)] password: String,
    #[server(default)] active: Option<String>,
    #[server(default)] rights: Vec<String>,
) -> Result<(), AppError> {
    use crate::auth::{Right, password as pw, session};
    use crate::users::{model::UserInput, store};

    let cx = session::ctx_with(Right::Users).await?;
    // Unknown or foreign id: the same answer.
    store::get(&cx.db, &cx.tenant, id).await?;
    let input = UserInput::parse(&name, &email, &signature, &rights)?;
    let echo = |e: AppError| e.with_values(input.typed_values());
    let active = active.is_some();
    if id == cx.user_id() && (!active || !input.rights.contains(&Right::Users)) {
        return Err(echo(AppError::invalid(
            "rights",
            "Vous ne pouvez pas retirer votre propre droit « Paramétrer les comptes utilisateurs » ni désactiver votre compte.",
        )));
    }
    let new_hash = if password.is_empty() {
        None
    } else {
        pw::check("password", &password).map_err(echo)?;
        Some(session::state()?.hashing.run(move || pw::hash(&password)).await??)
    };
    let t = crate::db::now();
    let mut tx = cx.db.begin().await?;
    if !store::update(&mut tx, &cx.tenant, id, &input, active).await.map_err(echo)? {
        return Err(AppError::NotFound("Utilisateur".into()));
    }
    let rights_now: Vec<&str> = input.rights.iter().map(|r| r.code()).collect();
    let detail = format!("{}{} ; droits : {}", input.email, if active { "" } else { " (désactivé)" }, rights_now.join(", "));
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "user", id, "updated", &detail).await?;
    if let Some(hash) = new_hash {
        store::set_password(&mut tx, &cx.tenant, id, &hash).await?;
        let keep = (id == cx.user_id()).then_some(cx.session_id);
        crate::auth::store::revoke_user_sessions(&mut tx, &cx.tenant, id, keep, t).await?;
        crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "user", id, "password_changed", "").await?;
    }
    if !active {
        crate::auth::store::revoke_user_sessions(&mut tx, &cx.tenant, id, None, t).await?;
    }
    tx.commit().await?;
    leptos_axum::redirect("/parametres/utilisateurs?modifie=enregistre");
    Ok(())
}
