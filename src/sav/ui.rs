//! «SAV et services» of a client, and the pieces the widget pages reuse.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::fmt::date_fr;
use crate::sav::api::{SaveSav, SaveService, client_sav};
use crate::sav::model::{SAV_STATUSES, SavView, ServiceView, status_label};
use crate::ui::{Field, FormAlert, Notice, TextField, form_error, load, path, query_param};

/// A ticket's title; its observations in a tooltip (hover and focus) or inline.
pub fn sav_title(s: &SavView, tooltip: bool) -> AnyView {
    if tooltip && !s.observations.is_empty() {
        let (tip, described) = (format!("sav-tip-{}", s.id), format!("sav-tip-{}", s.id));
        view! {
            <span class="tip" tabindex="0" aria-describedby=described>
                <strong>{s.title.clone()}</strong>
                <span class="tip-text" role="tooltip" id=tip>{s.observations.clone()}</span>
            </span>
        }
        .into_any()
    } else {
        view! {
            <strong>{s.title.clone()}</strong>
            {(!s.observations.is_empty()).then(|| view! { <p class="observations">{s.observations.clone()}</p> })}
        }
        .into_any()
    }
}

/// Everything about a ticket, without a click.
pub fn sav_summary(s: &SavView, tooltip: bool) -> impl IntoView + use<> {
    view! {
        <div class="sav-summary">
            {sav_title(s, tooltip)}
            <p class="hint">
                {format!("{} · ouvert le {}", status_label(&s.status), date_fr(&s.opened_on))}
                {(!s.closed_on.is_empty()).then(|| format!(" · clos le {}", date_fr(&s.closed_on)))}
                {s.archived.then_some(" · archivé")}
            </p>
        </div>
    }
}

pub fn service_summary(s: &ServiceView) -> impl IntoView + use<> {
    view! {
        <div class="service-summary">
            <strong>{s.label.clone()}</strong>
            <p class="hint">
                {format!("{} depuis le {} · prochaine échéance le {}{}", s.periodicity(), date_fr(&s.start_date), date_fr(&s.next_due), if s.active { "" } else { " · terminé" })}
            </p>
            {(!s.notes.is_empty()).then(|| view! { <p>{s.notes.clone()}</p> })}
        </div>
    }
}

fn sav_fields(prefix: &str, s: Option<&SavView>, error: Option<AppError>) -> impl IntoView + use<> {
    let status = s.map(|s| s.status.clone()).unwrap_or_else(|| "ouvert".into());
    let (st, ar) = (format!("{prefix}-status"), format!("{prefix}-archived"));
    view! {
        <FormAlert error=error.clone() fields=&["title", "observations", "opened_on", "closed_on"] />
        <Field name="title" label="Titre" value=s.map(|s| s.title.clone()).unwrap_or_default() required=true error=error.clone() />
        <TextField name="observations" label="Observations" value=s.map(|s| s.observations.clone()).unwrap_or_default() error=error.clone() />
        <div class="row">
            <Field name="opened_on" label="Ouvert le" kind="date" value=s.map(|s| s.opened_on.clone()).unwrap_or_default() error=error.clone() />
            <Field name="closed_on" label="Clos le" kind="date" value=s.map(|s| s.closed_on.clone()).unwrap_or_default() error=error.clone() />
            <div class="field">
                <label for=st.clone()>"Statut"</label>
                <select id=st name="status">
                    {SAV_STATUSES.iter().map(|(c, l)| view! { <option value=*c selected=*c == status>{*l}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <div class="check"><input type="checkbox" id=ar.clone() name="archived" value="on" checked=s.is_some_and(|s| s.archived) /><label for=ar>"Archivé"</label></div>
    }
}

fn service_fields(prefix: &str, s: Option<&ServiceView>, error: Option<AppError>) -> impl IntoView + use<> {
    let months = s.map(|s| s.periodicity_months).unwrap_or(12);
    let (p, a) = (format!("{prefix}-periodicity"), format!("{prefix}-active"));
    view! {
        <FormAlert error=error.clone() fields=&["label", "start_date", "next_due", "notes", "periodicity_months"] />
        <Field name="label" label="Prestation" value=s.map(|s| s.label.clone()).unwrap_or_default() required=true error=error.clone() />
        <div class="row">
            <Field name="start_date" label="Début" kind="date" value=s.map(|s| s.start_date.clone()).unwrap_or_default() required=true error=error.clone() />
            <div class="field">
                <label for=p.clone()>"Périodicité"</label>
                <select id=p name="periodicity_months">
                    {[(1, "Mensuel"), (3, "Trimestriel"), (6, "Semestriel"), (12, "Annuel"), (24, "Tous les deux ans")].into_iter()
                        .map(|(m, l)| view! { <option value=m selected=m == months>{l}</option> }).collect_view()}
                </select>
            </div>
            <Field name="next_due" label="Prochaine échéance" kind="date" value=s.map(|s| s.next_due.clone()).unwrap_or_default() error=error.clone() />
        </div>
        <TextField name="notes" label="Notes" value=s.map(|s| s.notes.clone()).unwrap_or_default() error=error.clone() />
        {s.map(|s| view! { <div class="check"><input type="checkbox" id=a.clone() name="active" value="on" checked=s.active /><label for=a.clone()>"Actif"</label></div> })}
    }
}

#[component]
pub fn ClientSavPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let sav_error = form_error(path::<SaveSav>());
    let service_error = form_error(path::<SaveService>());
    let done = query_param("fait");
    let archives = query_param("archives");
    view! {
        <Title text="SAV et services — Ouvrage" />
        {load(move || { let a = archives.clone(); async move { client_sav(id.ok_or_else(|| AppError::NotFound("Contact".into()))?, a).await } }, move |c| {
            let (sav_error, service_error) = (sav_error.clone(), service_error.clone());
            let cid = c.contact_id;
            view! {
                <h1>{format!("SAV et services — {}", c.contact_name)}</h1>
                <crate::contacts::ui::ContactTabs id=cid current=crate::contacts::ui::ContactTab::Sav />
                {done.clone().map(|d| view! { <Notice text=if d == "service" { "Service enregistré." } else { "SAV enregistré." } /> })}
                <section class="card wide" aria-label="SAV">
                    <h2>"SAV"</h2>
                    <p><a href=format!("/clients/{cid}/sav?archives=1")>"Voir aussi les SAV archivés"</a></p>
                    {c.sav.iter().map(|s| {
                        let sid = s.id;
                        view! {
                            <article class="sav" id=format!("sav-{sid}") aria-label=format!("SAV {}", s.title)>
                                {sav_summary(s, false)}
                                <details>
                                    <summary>"Modifier"</summary>
                                    <form method="post" action={path::<SaveSav>()}>
                                        <input type="hidden" name="contact_id" value=cid />
                                        <input type="hidden" name="id" value=sid />
                                        {sav_fields(&format!("sav{sid}"), Some(s), None)}
                                        <button type="submit">"Enregistrer"</button>
                                    </form>
                                </details>
                            </article>
                        }
                    }).collect_view()}
                    <form method="post" action={path::<SaveSav>()} aria-label="Nouveau SAV">
                        <h3>"Nouveau SAV"</h3>
                        <input type="hidden" name="contact_id" value=cid />
                        {sav_fields("new-sav", None, sav_error)}
                        <button type="submit">"Créer le SAV"</button>
                    </form>
                </section>
                <section class="card wide" aria-label="Services">
                    <h2>"Services"</h2>
                    {c.services.iter().map(|s| {
                        let sid = s.id;
                        view! {
                            <article class="service" id=format!("service-{sid}") aria-label=format!("Service {}", s.label)>
                                {service_summary(s)}
                                <details>
                                    <summary>"Modifier"</summary>
                                    <form method="post" action={path::<SaveService>()}>
                                        <input type="hidden" name="contact_id" value=cid />
                                        <input type="hidden" name="id" value=sid />
                                        {service_fields(&format!("service{sid}"), Some(s), None)}
                                        <button type="submit">"Enregistrer"</button>
                                    </form>
                                </details>
                            </article>
                        }
                    }).collect_view()}
                    <form method="post" action={path::<SaveService>()} aria-label="Nouveau service">
                        <h3>"Nouveau service"</h3>
                        <input type="hidden" name="contact_id" value=cid />
                        {service_fields("new-service", None, service_error)}
                        <button type="submit">"Créer le service"</button>
                    </form>
                </section>
            }
        })}
    }
}
