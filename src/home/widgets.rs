//! The widget pages: the client «Accueil» (the first tab of a client) and the widgets of
//! the «Tableau de bord». Each widget loads on its own (its own resource and Suspense),
//! so widgets load in parallel; the page is complete HTML without JavaScript.
//! «Personnaliser» saves, per user, which widgets show and in what order.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::documents::model::{Kind, date_fr};
use crate::error::AppError;
use crate::fmt::euros;
use crate::home::api::{SaveLayout, client_home, recent_clients};
use crate::home::model::WidgetSlot;
use crate::ui::{FormAlert, form_error, load, path};

/// «Personnaliser»: a form that works without JavaScript (checkboxes for what shows,
/// «Monter»/«Descendre» for the order, «Enregistrer» posts it); once the island has
/// loaded, each change is saved at once and the widgets are rearranged in place, without
/// a reload (a widget that was not on the page reloads it, to be drawn by the server).
#[island]
pub fn LayoutEditor(page: String, back: String, slots: Vec<WidgetSlot>, error: Option<AppError>) -> impl IntoView {
    // (An island has no router: the form's error comes from the page, as a prop.)
    let page_name = StoredValue::new(page.clone());
    let slots = RwSignal::new(slots);
    let save = move || {
        let list = slots.get_untracked();
        let shown: Vec<String> = list.iter().filter(|w| w.shown).map(|w| w.key.clone()).collect();
        let page = page_name.get_value();
        leptos::task::spawn_local(async move {
            if crate::home::api::save_layout_live(page, shown).await.is_ok() {
                rearrange(&list);
            }
        });
    };
    view! {
        <details class="customize">
            <summary>"Personnaliser"</summary>
            <form method="post" action={path::<SaveLayout>()} aria-label="Personnaliser">
                <FormAlert error=error fields=&[] />
                <input type="hidden" name="page" value=page.clone() />
                <input type="hidden" name="back" value=back />
                <ol>
                    {move || {
                        let list = slots.get();
                        let n = list.len();
                        list.into_iter().enumerate().map(|(i, w)| {
                            let id = format!("w-{}-{}", page_name.get_value(), w.key);
                            let (up, down) = (format!("Monter {}", w.title), format!("Descendre {}", w.title));
                            view! {
                                <li>
                                    <input type="hidden" name="order[]" value=w.key.clone() />
                                    <input type="checkbox" id=id.clone() name="shown[]" value=w.key.clone() checked=w.shown
                                        on:change=move |ev| {
                                            let checked = event_target_checked(&ev);
                                            slots.update(|s| s[i].shown = checked);
                                            save();
                                        } />
                                    <label for=id>{w.title.clone()}</label>
                                    {(i > 0).then(|| view! {
                                        <button type="submit" class="small" name="mv" value=format!("{}:up", w.key) aria-label=up
                                            on:click=move |ev| { ev.prevent_default(); slots.update(|s| s.swap(i, i - 1)); save(); }>"Monter"</button>
                                    })}
                                    {(i + 1 < n).then(|| view! {
                                        <button type="submit" class="small" name="mv" value=format!("{}:down", w.key) aria-label=down
                                            on:click=move |ev| { ev.prevent_default(); slots.update(|s| s.swap(i, i + 1)); save(); }>"Descendre"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()
                    }}
                </ol>
                <button type="submit">"Enregistrer"</button>
            </form>
        </details>
    }
}

/// Puts the page's widgets in the saved order, hides the unchecked ones.
#[cfg(feature = "hydrate")]
fn rearrange(list: &[WidgetSlot]) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(container) = doc.get_element_by_id("widgets") else { return };
    for w in list {
        match container.query_selector(&format!("[data-widget=\"{}\"]", w.key)).ok().flatten() {
            Some(el) if w.shown => {
                let _ = el.remove_attribute("hidden");
                let _ = container.append_child(&el);
            }
            Some(el) => {
                let _ = el.set_attribute("hidden", "");
            }
            None if w.shown => {
                if let Some(win) = web_sys::window() {
                    let _ = win.location().reload();
                }
                return;
            }
            None => {}
        }
    }
}

#[cfg(not(feature = "hydrate"))]
fn rearrange(_: &[WidgetSlot]) {}

/// The client «Accueil».
#[component]
pub fn ClientHomePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    view! {
        <Title text="Accueil du client — Ouvrage" />
        {load(move || async move { client_home(id.ok_or_else(|| AppError::NotFound("Contact".into()))?).await }, move |(layout, tooltip, title)| {
            let cid = id.unwrap_or_default();
            view! {
                <h1>{title}</h1>
                <crate::contacts::ui::ContactTabs id=cid current=crate::contacts::ui::ContactTab::Accueil />
                <LayoutEditor page="client".to_string() back=format!("/clients/{cid}/accueil") slots=layout.clone() error=form_error(path::<SaveLayout>()) />
                <div class="widgets" id="widgets">
                    {layout.iter().filter(|w| w.shown).map(|w| client_widget(&w.key, &w.title, cid, tooltip)).collect_view()}
                </div>
            }
        })}
    }
}

fn widget_frame(key: &str, title: &str, body: AnyView) -> AnyView {
    view! {
        <section class="card widget" data-widget=key.to_string() aria-label=title.to_string()>
            <h2>{title.to_string()}</h2>
            {body}
        </section>
    }
    .into_any()
}

fn client_widget(key: &str, title: &str, cid: i64, tooltip: bool) -> AnyView {
    let body: AnyView = match key {
        "identite" => load(move || crate::contacts::api::get_contact(cid), move |c| {
            view! {
                <dl class="identity">
                    {(!c.societe.is_empty()).then(|| view! { <dt>"Société"</dt><dd>{c.societe.clone()}</dd> })}
                    <dt>"Nom"</dt><dd>{format!("{} {} {}", c.civilite, c.nom, c.prenom).trim().to_string()}</dd>
                    <dt>"Adresse"</dt><dd>{format!("{} {} {}", c.adresse, c.code_postal, c.ville).trim().to_string()}</dd>
                    <dt>"Téléphones"</dt><dd>{c.phones.join(" · ")}</dd>
                    <dt>"E-mail"</dt><dd>{c.email.clone()}</dd>
                    {c.commercial.bloque.then(|| view! { <dt>"Gestion commerciale"</dt><dd>{format!("Bloquée — {}", c.commercial.motif)}</dd> })}
                </dl>
                <p><a href=format!("/clients/{cid}")>"Fiche contact"</a></p>
            }
        })
        .into_any(),
        "questions" => load(move || crate::questions::api::contact_answers(cid), |answers| {
            let pinned: Vec<_> = answers.into_iter().filter(|a| a.question.pinned).collect();
            if pinned.is_empty() {
                return view! { <p>"Aucune question épinglée."</p> }.into_any();
            }
            view! {
                <dl>{pinned.iter().map(|a| view! { <dt>{a.question.label.clone()}</dt><dd>{if a.value.is_empty() { "—".to_string() } else { a.display() }}</dd> }).collect_view()}</dl>
            }
            .into_any()
        })
        .into_any(),
        "sav" => load(move || crate::sav::api::client_sav(cid, None), move |c| {
            if c.sav.is_empty() {
                return view! { <p>"Aucun SAV."</p> }.into_any();
            }
            view! { <ul class="plain">{c.sav.iter().map(|s| view! { <li>{crate::sav::ui::sav_summary(s, tooltip)}</li> }).collect_view()}</ul> }.into_any()
        })
        .into_any(),
        "services" => load(move || crate::sav::api::client_sav(cid, None), |c| {
            if c.services.is_empty() {
                return view! { <p>"Aucun service."</p> }.into_any();
            }
            view! { <ul class="plain">{c.services.iter().map(|s| view! { <li>{crate::sav::ui::service_summary(s)}</li> }).collect_view()}</ul> }.into_any()
        })
        .into_any(),
        "actions" => load(move || crate::actions::api::client_actions(cid), move |c| {
            if c.open.is_empty() {
                return view! { <p>"Aucune action ouverte."</p> }.into_any();
            }
            view! {
                <ul class="plain">
                    {c.open.iter().map(|a| view! {
                        <li><a href=format!("/actions/{}", a.id)>{format!("{} — {}", a.type_label, a.when())}</a>{a.due.then(|| view! { <span class="badge">"À faire"</span> })}</li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        })
        .into_any(),
        "factures" => view! {
            {load(move || crate::documents::api::get_porte_doc(cid), |p| {
                let unpaid: Vec<_> = p.documents.iter().filter(|d| d.kind == Kind::Facture && d.remaining > 0 && d.number.is_some()).cloned().collect();
                view! {
                    <p>{format!("Encours : {}", euros(p.encours))}</p>
                    <ul class="plain">
                        {unpaid.iter().map(|d| view! {
                            <li><a href=format!("/pieces/{}", d.id)>{d.number.clone().unwrap_or_default()}</a>{format!(" du {} : {} restant dû", date_fr(&d.doc_date), euros(d.remaining))}</li>
                        }).collect_view()}
                    </ul>
                }
            })}
            {load(move || crate::reminders::api::client_reminders(cid), |letters| {
                letters.first().map(|l| view! { <p>{format!("Dernière relance : {} le {}", l.level, date_fr(&l.on_date))}</p> })
            })}
        }
        .into_any(),
        _ => ().into_any(),
    };
    widget_frame(key, title, body)
}

/// The dashboard's widgets, in the user's order.
pub fn dashboard_widgets(layout: Vec<WidgetSlot>, can_remind: bool) -> impl IntoView {
    view! {
        <LayoutEditor page="tableau".to_string() back="/".to_string() slots=layout.clone() error=form_error(path::<SaveLayout>()) />
        <div class="widgets" id="widgets">
            {layout.into_iter().filter(|w| w.shown).map(|w| {
                let body: AnyView = match w.key.as_str() {
                    "relances" if can_remind => view! { <crate::reminders::ui::RemindersWidget /> }.into_any(),
                    "relances" => view! { <p>"Réservé aux utilisateurs ayant le droit « Relances factures clients »."</p> }.into_any(),
                    "actions" => view! { <crate::actions::ui::MyActionsWidget /> }.into_any(),
                    "sav" => load(crate::sav::api::open_sav, |list| {
                        if list.is_empty() {
                            return view! { <p>"Aucun SAV ouvert."</p> }.into_any();
                        }
                        view! {
                            <ul class="plain">
                                {list.iter().map(|(s, client)| view! {
                                    <li><a href=format!("/clients/{}/sav#sav-{}", s.contact_id, s.id)>{format!("{} — {client}", s.title)}</a>
                                    {format!(" ({}, ouvert le {})", crate::sav::model::status_label(&s.status), date_fr(&s.opened_on))}</li>
                                }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    })
                    .into_any(),
                    "recents" => load(recent_clients, |list| {
                        if list.is_empty() {
                            return view! { <p>"Aucun client consulté."</p> }.into_any();
                        }
                        view! {
                            <ul class="plain">
                                {list.iter().map(|c| view! { <li><a href=format!("/clients/{}/accueil", c.id)>{c.name.clone()}</a>{(!c.ville.is_empty()).then(|| format!(" — {}", c.ville))}</li> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    })
                    .into_any(),
                    _ => load(crate::home::api::get_dashboard, |d| view! {
                        <ul class="figures">
                            <li><a href="/clients?statut=client">{d.clients} " clients"</a></li>
                            <li><a href="/clients?statut=prospect">{d.prospects} " prospects"</a></li>
                        </ul>
                    })
                    .into_any(),
                };
                // The actions and reminders widgets draw their own frame.
                if matches!(w.key.as_str(), "actions") || (w.key == "relances" && can_remind) {
                    view! { <div data-widget=w.key.clone()>{body}</div> }.into_any()
                } else {
                    widget_frame(&w.key, &w.title, body)
                }
            }).collect_view()}
        </div>
    }
}
