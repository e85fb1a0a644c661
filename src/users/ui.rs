//! «Paramètres» › «Utilisateurs»: the list, «Nouvel utilisateur» and the edit form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::auth::model::{PASSWORD_RULE, Right};
use crate::error::AppError;
use crate::ui::{Field, FormAlert, Notice, TextField, form_error, load, path, query_param};
use crate::users::api::{CreateUser, UpdateUser, get_user, list_users};
use crate::users::model::UserDetail;

const FIELDS: &[&str] = &["name", "email", "signature", "password", "rights"];

#[component]
pub fn UsersPage() -> impl IntoView {
    let done = query_param("modifie");
    view! {
        <Title text="Utilisateurs — Ouvrage" />
        {load(list_users, move |users| {
            let done = done.clone();
            view! {
                <h1>"Utilisateurs"</h1>
                {done.map(|d| view! { <Notice text=if d == "cree" { "Utilisateur créé." } else { "Utilisateur enregistré." } /> })}
                <p><a class="button" href="/parametres/utilisateurs/nouveau">"Nouvel utilisateur"</a></p>
                <table class="list">
                    <thead><tr><th>"Nom"</th><th>"Adresse e-mail"</th><th>"Droits"</th><th>"État"</th></tr></thead>
                    <tbody>
                        {users.into_iter().map(|u| view! {
                            <tr>
                                <td><a href=format!("/parametres/utilisateurs/{}", u.id)>{u.name}</a></td>
                                <td>{u.email}</td>
                                <td>{u.rights.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")}</td>
                                <td>{if u.active { "Actif" } else { "Désactivé" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })}
    }
}

/// The fields shared by creation and edition, in the reference's order: the password
/// stands under the «Signature».
fn user_fields(user: Option<&UserDetail>, error: Option<AppError>, creating: bool) -> impl IntoView + use<> {
    let name = user.map(|u| u.name.clone()).unwrap_or_default();
    let email = user.map(|u| u.email.clone()).unwrap_or_default();
    let signature = user.map(|u| u.signature.clone()).unwrap_or_default();
    let typed_rights: Option<Vec<String>> = match &error {
        Some(AppError::Invalid { values, .. }) if !values.is_empty() => {
            Some(values.iter().filter(|(k, _)| k == "rights").map(|(_, v)| v.clone()).collect())
        }
        _ => None,
    };
    let has = move |r: Right| match &typed_rights {
        Some(codes) => codes.iter().any(|c| c == r.code()),
        None => user.is_some_and(|u| u.rights.contains(&r)),
    };
    let rights_error = error.as_ref().and_then(|e| e.for_field("rights"));
    let checks = Right::ALL
        .into_iter()
        .map(|r| {
            let id = format!("right-{}", r.code());
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="rights[]" value=r.code() checked=has(r) />
                    <label for=id>{r.label()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <FormAlert error=error.clone() fields=FIELDS />
        <Field name="name" label="Nom" value=name required=true error=error.clone() />
        <Field name="email" label="Adresse e-mail" kind="email" value=email required=true error=error.clone() />
        <TextField name="signature" label="Signature" value=signature error=error.clone() />
        <Field
            name="password"
            label="Mot de passe"
            kind="password"
            required=creating
            autocomplete="new-password"
            hint=if creating { PASSWORD_RULE } else { "Laisser vide pour ne pas le changer. Au moins 10 caractères, dont une majuscule, un chiffre et un caractère spécial." }
            error=error
        />
        <fieldset>
            <legend>"Droits"</legend>
            {checks}
            {rights_error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
    }
}

#[component]
pub fn UserNewPage() -> impl IntoView {
    let error = form_error(path::<CreateUser>());
    view! {
        <Title text="Nouvel utilisateur — Ouvrage" />
        // The list's server function checks the right before the form is shown.
        {load(list_users, move |_| {
            let error = error.clone();
            view! {
                <h1>"Nouvel utilisateur"</h1>
                <form method="post" action={path::<CreateUser>()} class="card">
                    {user_fields(None, error, true)}
                    <button type="submit">"Valider"</button>
                </form>
            }
        })}
    }
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let error = form_error(path::<UpdateUser>());
    view! {
        <Title text="Utilisateur — Ouvrage" />
        {load(
            move || async move {
                match id {
                    Some(id) => get_user(id).await,
                    None => Err(AppError::NotFound("Utilisateur".into())),
                }
            },
            move |u| {
                let error = error.clone();
                let active = error.as_ref().and_then(|e| e.typed("active")).map(|_| true).unwrap_or(u.active);
                view! {
                    <h1>{u.name.clone()}</h1>
                    <form method="post" action={path::<UpdateUser>()} class="card">
                        <input type="hidden" name="id" value=u.id />
                        {user_fields(Some(&u), error, false)}
                        <div class="check">
                            <input type="checkbox" id="f-active" name="active" value="on" checked=active />
                            <label for="f-active">"Actif"</label>
                        </div>
                        <button type="submit">"Valider"</button>
                    </form>
                }
            },
        )}
    }
}
