//! The HTML shell, the router and the top bar.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::actions::ui::{ActionPage, ActionTypesPage, ClientActionsPage, MyActionsPage};
use crate::audit::ui::JournalPage;
use crate::auth::ui::{LoginPage, PasswordPage, PreferencesPage};
use crate::contacts::ui::{ClientsPage, ContactEditPage, ContactNewPage, ContactPage};
use crate::documents::ui::{DocumentNewPage, DocumentPage, PorteDocPage};
use crate::duplicates::ui::{DuplicatesPage, MergeContactsPage};
use crate::home::ui::{CommercialPage, Dashboard, SettingsPage};
use crate::search::ui::SearchPage;
use crate::users::ui::{UserEditPage, UserNewPage, UsersPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        // The page's CSP admits Leptos's inline scripts by this request's nonce.
        let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
        if let (Some(res), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&csp(nonce.as_deref()))) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                // Where leptos_meta puts the page's <title>: found at once (without this
                // marker, every response's whole HTML was searched for it).
                <MetaTags />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::auth::ui::provide_me();
    view! {
        <Title text="Ouvrage" />
        <Router>
            <TopBar />
            <main id="contenu">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Dashboard ssr=SsrMode::Async />
                    <Route path=path!("/connexion") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/clients") view=ClientsPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/nouveau") view=ContactNewPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/doublons") view=DuplicatesPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/types-a-verifier") view=crate::contacts::ui::TypesToReviewPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/importer") view=crate::imports::ui::ImportsPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/importer/:id") view=crate::imports::ui::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/fusion") view=MergeContactsPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id") view=ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/modifier") view=ContactEditPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/porte-doc") view=PorteDocPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/actions") view=ClientActionsPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/sav") view=crate::sav::ui::ClientSavPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/accueil") view=crate::home::widgets::ClientHomePage ssr=SsrMode::Async />
                    <Route path=path!("/actions") view=MyActionsPage ssr=SsrMode::Async />
                    <Route path=path!("/actions/:id") view=ActionPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/actions") view=ActionTypesPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/questions") view=crate::questions::ui::QuestionsPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/relances") view=crate::reminders::ui::ReminderSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/entreprise") view=crate::company::ui::CompanyPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/facturation-electronique") view=crate::einvoice::ui::PlatformPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/facturation-electronique/e-reporting") view=crate::einvoice::ui::EreportingPage ssr=SsrMode::Async />
                    <Route path=path!("/gestion-commerciale/factures-recues") view=crate::einvoice::ui::ReceivedListPage ssr=SsrMode::Async />
                    <Route path=path!("/factures-recues/:id") view=crate::einvoice::ui::ReceivedPage ssr=SsrMode::Async />
                    <Route path=path!("/gestion-commerciale/relances") view=crate::reminders::ui::ReminderWorkPage ssr=SsrMode::Async />
                    <Route path=path!("/clients/:id/pieces/nouvelle") view=DocumentNewPage ssr=SsrMode::Async />
                    <Route path=path!("/pieces/:id") view=DocumentPage ssr=SsrMode::Async />
                    <Route path=path!("/recherche") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/gestion-commerciale") view=CommercialPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/journal") view=JournalPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/utilisateurs") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/utilisateurs/nouveau") view=UserNewPage ssr=SsrMode::Async />
                    <Route path=path!("/parametres/utilisateurs/:id") view=UserEditPage ssr=SsrMode::Async />
                    <Route path=path!("/preferences") view=PreferencesPage ssr=SsrMode::Async />
                    <Route path=path!("/preferences/mot-de-passe") view=PasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/preferences/domaine") view=crate::mail::ui::DomainPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// The top bar: navigation, the search box «Rechercher», «Préférences» (gear) and
/// «Déconnexion». A visitor sees the name only.
#[component]
fn TopBar() -> impl IntoView {
    let me = expect_context::<crate::auth::ui::MeResource>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Ouvrage"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => {
                            view! {
                                <nav aria-label="Navigation principale">
                                    <a href="/">"Tableau de bord"</a>
                                    <a href="/clients">"Clients"</a>
                                    <a href="/actions">
                                        "Mes actions"
                                        {(me.due_actions > 0).then(|| view! {
                                            <span class="badge" aria-label=format!("{} à faire", me.due_actions)>{me.due_actions}</span>
                                        })}
                                    </a>
                                    <a href="/gestion-commerciale">"Gestion commerciale"</a>
                                    <a href="/parametres">"Paramètres"</a>
                                </nav>
                                <crate::search::ui::SearchBox />
                                <span class="who">{me.name}</span>
                                <a class="gear" href="/preferences" aria-label="Préférences" title="Préférences">
                                    "⚙"
                                </a>
                                <form method="post" action={crate::ui::path::<crate::auth::api::Logout>()}>
                                    <button type="submit" class="link">"Déconnexion"</button>
                                </form>
                            }
                                .into_any()
                        }
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page introuvable — Ouvrage" />
        <h1>"Page introuvable"</h1>
        <p>"Cette page n'existe pas ou plus. " <a href="/">"Retour au tableau de bord"</a></p>
    }
}

#[cfg(feature = "ssr")]
/// The Content-Security-Policy of a page; `nonce` admits Leptos's own inline scripts.
pub fn csp(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}
