//! «Paramètres › Facturation électronique» and the «Facturation électronique» panel of a
//! document's page (its deposit, its lifecycle statuses, what to do next).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::einvoice::api::{
    RedoInvoice, RetryDeposit, SavePlatform, TransmitPeriod, get_periods, get_platform, get_received, get_received_list,
};
use crate::einvoice::platform::{EinvoiceState, PlatformForm, REGIMES};
use crate::ui::{Field, FormAlert, Notice, SelectField, form_error, load, path, query_param};

const FIELDS: &[&str] = &["name", "url", "client_id", "secret", "enabled", "regime_tva"];

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
                regime_tva: typed("regime_tva", p.regime_tva.clone()),
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
                    <SelectField name="regime_tva" label="Régime de TVA" options=REGIMES.to_vec() value=f.regime_tva.clone() error=e.clone() />
                    <button type="submit">"Enregistrer"</button>
                </form>
                <p><a href="/parametres/facturation-electronique/e-reporting">"E-reporting : ventes et encaissements des particuliers"</a></p>
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

/// «Paramètres › Facturation électronique › E-reporting»: the periods and their state.
#[component]
pub fn EreportingPage() -> impl IntoView {
    let error = form_error(path::<TransmitPeriod>()).or_else(|| form_error(path::<RetryDeposit>()));
    let done =
        query_param("fait").map(|f| if f == "redepot" { "Transmission remise en file." } else { "Période mise en file de transmission." });
    view! {
        <Title text="E-reporting — Ouvrage" />
        <h1>"E-reporting"</h1>
        {done.map(|t| view! { <Notice text=t /> })}
        {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        <p>"Les ventes aux particuliers (montants par jour et par taux) et les encaissements des prestations aux particuliers sont transmis à l'administration par la plateforme agréée, par période selon le régime de TVA. Une période se transmet après son dernier jour ; la transmettre à nouveau remplace l'envoi précédent (rectificative)."</p>
        {load(get_periods, move |periods| view! {
            <table class="list">
                <caption>"Périodes"</caption>
                <thead><tr><th>"Données"</th><th>"Période"</th><th>"Pièces ou jours"</th><th>"Montant"</th><th>"État"</th><th></th></tr></thead>
                <tbody>
                    {periods.into_iter().map(|p| {
                        let amount = if p.kind == "transactions" { format!("{} HT", crate::fmt::euros(p.ht)) } else { format!("{} encaissés", crate::fmt::euros(p.paid)) };
                        view! {
                            <tr>
                                <td>{p.kind_label.clone()}</td>
                                <td>{format!("du {} au {}", crate::fmt::date_fr(&p.start), crate::fmt::date_fr(&p.end))}</td>
                                <td class="num">{p.documents}</td>
                                <td class="num">{amount}</td>
                                <td>{p.state.clone()}{(!p.error.is_empty()).then(|| format!(" — {}", p.error))}</td>
                                <td>{p.can_send.then(|| view! {
                                    <form method="post" action={path::<TransmitPeriod>()} class="inline">
                                        <input type="hidden" name="kind" value=p.kind.clone() />
                                        <input type="hidden" name="start" value=p.start.clone() />
                                        <button type="submit" aria-label=format!("Transmettre {} du {}", p.kind_label, crate::fmt::date_fr(&p.start))>"Transmettre"</button>
                                    </form>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// «Gestion commerciale › Factures reçues»: receive a supplier's invoice, list them.
#[component]
pub fn ReceivedListPage() -> impl IntoView {
    let error = crate::ui::signed_message("erreur");
    view! {
        <Title text="Factures reçues — Ouvrage" />
        <h1>"Factures reçues"</h1>
        {error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <form method="post" enctype="multipart/form-data" action="/factures-recues/importer" class="card wide" aria-label="Recevoir une facture">
            <h2>"Recevoir une facture"</h2>
            <div class="field">
                <label for="fichier">"Facture électronique du fournisseur (Factur-X PDF, CII ou UBL)"</label>
                <input id="fichier" type="file" name="fichier" accept=".pdf,.xml,application/pdf,application/xml,text/xml" required />
            </div>
            <button type="submit">"Recevoir"</button>
        </form>
        {load(get_received_list, move |list| view! {
            <table class="list">
                <caption>"Factures reçues"</caption>
                <thead><tr><th>"Fournisseur"</th><th>"Pièce"</th><th>"Date"</th><th>"Total TTC"</th><th>"Net à payer"</th><th>"Format"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|r| view! {
                        <tr>
                            <td>{r.supplier_name.clone()}</td>
                            <td><a href=format!("/factures-recues/{}", r.id)>{format!("{} n° {}", r.kind_label(), r.number)}</a></td>
                            <td>{crate::fmt::date_fr(&r.issue_date)}</td>
                            <td class="num">{crate::fmt::euros(r.total_ttc)}</td>
                            <td class="num">{crate::fmt::euros(r.due_payable)}</td>
                            <td>{r.syntax.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// One received invoice, as read from its file.
#[component]
pub fn ReceivedPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let done = query_param("fait").map(|_| "Facture reçue et vérifiée.");
    view! {
        <Title text="Facture reçue — Ouvrage" />
        {done.map(|t| view! { <Notice text=t /> })}
        {load(move || async move { get_received(id.ok_or_else(|| crate::error::AppError::NotFound("Facture reçue".into()))?).await }, move |r| view! {
            <h1>{format!("{} n° {} — {}", r.kind_label(), r.number, r.supplier_name)}</h1>
            <p><a href="/gestion-commerciale/factures-recues">"Factures reçues"</a></p>
            <section class="card wide" aria-label="Facture reçue">
                <dl class="identity">
                    <dt>"Fournisseur"</dt><dd>{r.supplier_name.clone()}</dd>
                    <dt>"SIREN"</dt><dd>{r.supplier_siren.clone()}</dd>
                    <dt>"N° TVA"</dt><dd>{r.supplier_vat.clone()}</dd>
                    <dt>"Adresse"</dt><dd>{r.supplier_address.clone()}</dd>
                    <dt>"Date"</dt><dd>{crate::fmt::date_fr(&r.issue_date)}</dd>
                    <dt>"Échéance"</dt><dd>{crate::fmt::date_fr(&r.due_date)}</dd>
                    <dt>"Format"</dt><dd>{r.syntax.clone()}</dd>
                </dl>
                <table class="list">
                    <caption>"Lignes"</caption>
                    <thead><tr><th>"Désignation"</th><th>"Quantité"</th><th>"Unité"</th><th>"PU HT"</th><th>"TVA"</th><th>"Total HT"</th></tr></thead>
                    <tbody>
                        {r.detail.lines.iter().map(|l| view! {
                            <tr>
                                <td>{l.name.clone()}</td>
                                <td class="num">{crate::fmt::milli_fr(l.quantity_milli)}</td>
                                <td>{l.unit.clone()}</td>
                                <td class="num">{crate::fmt::euros(l.price)}</td>
                                <td>{format!("{} %", crate::fmt::percent_bp(l.vat_bp))}</td>
                                <td class="num">{crate::fmt::euros(l.net)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <dl class="totals">
                    <dt>"Total HT"</dt><dd>{crate::fmt::euros(r.total_ht)}</dd>
                    {r.detail.vat.iter().map(|(cat, bp, _, tva)| view! { <dt>{format!("TVA {} % ({cat})", crate::fmt::percent_bp(*bp))}</dt><dd>{crate::fmt::euros(*tva)}</dd> }).collect_view()}
                    <dt>"Total TTC"</dt><dd class="ttc">{crate::fmt::euros(r.total_ttc)}</dd>
                    <dt>"Net à payer"</dt><dd>{crate::fmt::euros(r.due_payable)}</dd>
                </dl>
                <p><a class="button" href=format!("/factures-recues/{}/original", r.id) download>"Télécharger l'original"</a></p>
            </section>
        })}
    }
}
