//! «Paramètres › Facturation électronique» and the «Facturation électronique» panel of a
//! document's page (its deposit, its lifecycle statuses, what to do next).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::einvoice::api::{RedoInvoice, RetryDeposit, SavePlatform, get_platform};
use crate::einvoice::platform::{EinvoiceState, PlatformForm};
use crate::ui::{Field, FormAlert, Notice, form_error, load, path, query_param};

const FIELDS: &[&str] = &["name", "url", "client_id", "secret", "enabled"];

#[component]
pub fn PlatformPage() -> impl IntoView {
    let error = form_error(path::<SavePlatform>());
    let done = query_param("modifie").is_some();
    view! {
        <Title text="Facturation électronique — Ouvrage" />
        <h1>"Facturation électronique"</h1>
        {done.then(|| view! { <Notice text="Enregistré." /> })}
        {load(get_platform, move |p| {
            let e = error.clone();
            let typed = |name: &str, stored: String| match &e {
                Some(crate::error::AppError::Invalid { values, .. }) if !values.is_empty() => {
                    values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
                }
                _ => stored,
            };
            let f = PlatformForm {
                name: typed("name", p.name.clone()),
                url: typed("url", p.url.clone()),
                client_id: typed("client_id", p.client_id.clone()),
                secret: String::new(),
                enabled: (!typed("enabled", if p.enabled { "on".into() } else { String::new() }).is_empty()).then(|| "on".into()),
            };
            view! {
                <p>"Depuis le 1er septembre 2026, toute entreprise doit pouvoir recevoir des factures électroniques ; à partir du 1er septembre 2027, les petites entreprises émettent leurs factures aux professionnels par une plateforme agréée et transmettent leurs ventes aux particuliers (e-reporting)."</p>
                <form method="post" action={path::<SavePlatform>()} class="card wide" aria-label="Plateforme agréée">
                    <FormAlert error=e.clone() fields=FIELDS />
                    <h2>"Plateforme agréée"</h2>
                    <Field name="name" label="Plateforme agréée" value=f.name.clone() error=e.clone() hint="Le nom de la plateforme choisie par l'entreprise" />
                    <Field name="url" label="Adresse de l'API (Flow Service)" kind="url" value=f.url.clone() error=e.clone() hint="https://…/flow-service (norme AFNOR XP Z12-013)" />
                    <Field name="client_id" label="Identifiant de l'entreprise sur la plateforme" value=f.client_id.clone() error=e.clone() hint="Envoyé dans l'en-tête Organization-Id, si la plateforme le demande" />
                    <Field name="secret" label="Jeton d'accès" kind="password" error=e.clone()
                        hint=if p.has_secret { "Un jeton est enregistré (chiffré) : laissez vide pour le garder" } else { "Fourni par la plateforme ; enregistré chiffré" } />
                    <div class="check">
                        <input type="checkbox" id="enabled" name="enabled" value="on" checked=f.enabled.is_some() />
                        <label for="enabled">"Déposer les factures aux professionnels sur la plateforme"</label>
                    </div>
                    <button type="submit">"Enregistrer"</button>
                </form>
                {(!p.webhook_token.is_empty()).then(|| view! {
                    <section class="card wide" aria-label="Notifications de la plateforme">
                        <h2>"Notifications de la plateforme"</h2>
                        <p>"Donnez à la plateforme cette adresse de rappel (webhook) et cet en-tête : elle y signale les statuts de vos factures (Déposée, Rejetée, Refusée, Approuvée…)."</p>
                        <dl class="identity">
                            <dt>"Adresse"</dt><dd><code>"/pa/notifications"</code>" sur l'adresse de ce serveur"</dd>
                            <dt>"En-tête"</dt><dd><code>{format!("Authorization: Bearer {}", p.webhook_token)}</code></dd>
                        </dl>
                    </section>
                })}
            }
        })}
    }
}

/// The «Facturation électronique» panel of an issued facture or avoir.
pub fn einvoice_panel(id: i64, s: EinvoiceState) -> impl IntoView {
    {
        let correction = s.needs_correction();
        let retry = matches!(s.deposit.as_str(), "failed" | "uncertain").then_some(s.deposit_id).flatten();
        let last = s.statuses.last().cloned();
        view! {
            <section class="card wide" aria-label="Facturation électronique">
                <h2>"Facturation électronique"</h2>
                <p class="einvoice-state">
                    {match &last {
                        Some(st) => format!("{} — {}", s.deposit_label(), st.label),
                        None => s.deposit_label().to_string(),
                    }}
                </p>
                {(!s.error.is_empty()).then(|| view! { <p class="field-error" role="alert">{s.error.clone()}</p> })}
                {correction.then(|| view! {
                    <p class="alert" role="alert">
                        {format!("Facture {} par la plateforme{} : faites un avoir pour l'annuler, puis refaites la facture.",
                            last.as_ref().map(|l| l.label.to_lowercase()).unwrap_or_else(|| "refusée".into()),
                            last.as_ref().filter(|l| !l.reason.is_empty()).map(|l| format!(" ({})", l.reason)).unwrap_or_default())}
                    </p>
                    <form method="post" action={path::<RedoInvoice>()} class="inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit">"Refaire la facture"</button>
                    </form>
                })}
                {retry.map(|deposit| view! {
                    <form method="post" action={path::<RetryDeposit>()} class="inline">
                        <input type="hidden" name="id" value=deposit />
                        <button type="submit">"Redéposer"</button>
                    </form>
                })}
                {(!s.statuses.is_empty()).then(|| view! {
                    <table class="list">
                        <caption>"Cycle de vie"</caption>
                        <thead><tr><th>"Date"</th><th>"Statut"</th><th>"Motif"</th><th>"Montant"</th></tr></thead>
                        <tbody>
                            {s.statuses.iter().map(|st| view! {
                                <tr>
                                    <td>{st.at.clone()}</td>
                                    <td>{format!("{} ({})", st.label, st.code)}</td>
                                    <td>{st.reason.clone()}</td>
                                    <td class="num">{st.amount.map(crate::fmt::euros)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
        }
    }
}
