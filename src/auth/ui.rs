//! «Se connecter», «Préférences» and the user's own password.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::api::{ChangeOwnPassword, Login};
use crate::auth::model::PASSWORD_RULE;
use crate::error::AppError;
use crate::home::api::{SavePrefs, get_prefs};
use crate::ui::{Field, FormAlert, Notice, form_error, load, path, query_param};

#[component]
pub fn LoginPage() -> impl IntoView {
    let error = form_error(path::<Login>());
    view! {
        <Title text="Connexion — Ouvrage" />
        <section class="card narrow">
            <h1>"Connexion"</h1>
            <form method="post" action={path::<Login>()}>
                <FormAlert error=error.clone() fields=&["email", "password"] />
                <Field name="email" label="Adresse e-mail" kind="email" required=true autocomplete="username" error=error.clone() />
                <Field name="password" label="Mot de passe" kind="password" required=true autocomplete="current-password" error=error />
                <button type="submit">"Se connecter"</button>
            </form>
        </section>
    }
}

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let error = form_error(path::<SavePrefs>());
    let done = query_param("modifie");
    view! {
        <Title text="Préférences — Ouvrage" />
        <h1>"Préférences"</h1>
        {done.map(|d| view! { <Notice text=if d == "mot-de-passe" { "Mot de passe modifié." } else { "Préférences enregistrées." } /> })}
        {load(get_prefs, move |p| {
            let error = error.clone();
            view! {
                <form method="post" action={path::<SavePrefs>()} class="card">
                    <FormAlert error=error fields=&[] />
                    <div class="check">
                        <input type="checkbox" id="pref-sav" name="show_archived_sav" value="on" checked=p.show_archived_sav />
                        <label for="pref-sav">"Afficher les sav archivés"</label>
                    </div>
                    <div class="check">
                        <input type="checkbox" id="pref-tip" name="observations_tooltip" value="on" checked=p.observations_tooltip />
                        <label for="pref-tip">"Afficher les observations en infos bulles"</label>
                    </div>
                    <div class="check">
                        <input type="checkbox" id="pref-alert" name="action_alert_email" value="on" checked=p.action_alert_email />
                        <label for="pref-alert">"Recevoir par e-mail les alertes de mes actions"</label>
                    </div>
                    <button type="submit">"Valider"</button>
                </form>
            }
        })}
        <p><a href="/preferences/mot-de-passe">"Changer mon mot de passe"</a></p>
        <p><a href="/preferences/domaine">"Vérifier mon domaine"</a></p>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let error = form_error(path::<ChangeOwnPassword>());
    view! {
        <Title text="Changer mon mot de passe — Ouvrage" />
        <h1>"Changer mon mot de passe"</h1>
        <form method="post" action={path::<ChangeOwnPassword>()} class="card narrow">
            <FormAlert error=error.clone() fields=&["current", "new_password", "confirm"] />
            <Field name="current" label="Mot de passe actuel" kind="password" required=true autocomplete="current-password" error=error.clone() />
            <Field name="new_password" label="Nouveau mot de passe" kind="password" required=true autocomplete="new-password" hint=PASSWORD_RULE error=error.clone() />
            <Field name="confirm" label="Confirmer le mot de passe" kind="password" required=true autocomplete="new-password" error=error />
            <button type="submit">"Valider"</button>
        </form>
    }
}

/// The logged-in user, loaded once per page by the shell for the top bar and the pages.
pub type MeResource = Resource<Result<Option<crate::auth::Me>, AppError>>;

pub fn provide_me() -> MeResource {
    #[cfg(feature = "ssr")]
    crate::auth::session::rendering_page(&crate::actions::store::SESSION_WITH_DUE);
    let me: MeResource = Resource::new(|| (), |_| Box::pin(crate::auth::api::current_user()));
    provide_context(me);
    me
}

/// Renders a page for the logged-in user (a visitor gets the login page).
pub fn signed_in<R, V>(render: R) -> impl IntoView
where
    R: FnOnce(crate::auth::Me) -> V + Send + 'static,
    V: IntoView + 'static,
{
    crate::ui::show(expect_context::<MeResource>(), move |me| match me {
        Some(me) => render(me).into_any(),
        None => crate::ui::error_view(AppError::Unauthenticated),
    })
}
