//! The widget pages: the client «Accueil» (the first tab of a client) and the widgets of
//! the «Tableau de bord». Each widget loads on its own (its own resource and Suspense),
//! so widgets load in parallel; the page is complete HTML without JavaScript.
//! «Personnaliser» saves, per user, which widgets show and in what order.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::fmt::date_fr;
use crate::fmt::euros;
use crate::home::api::{SaveLayout, client_home, home_actions, home_questions, home_sav, home_services, home_unpaid, recent_clients};
use crate::home::model::{ClientHome, HomeRev, Identity, Prefs, WidgetSlot};
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
        {load(move || async move { client_home(id.ok_or_else(|| AppError::NotFound("Contact".into()))?).await }, move |ClientHome { layout, prefs, title, identity, rev }| {
            let cid = id.unwrap_or_default();
            view! {
                <h1>{title}</h1>
                <crate::contacts::ui::ContactTabs id=cid current=crate::contacts::ui::ContactTab::Accueil />
                <LayoutEditor page="client".to_string() back=format!("/clients/{cid}/accueil") slots=layout.clone() error=form_error(path::<SaveLayout>()) />
                <div class="widgets" id="widgets">
                    {layout.iter().filter(|w| w.shown).map(|w| client_widget(&w.key, &w.title, cid, prefs, rev, &identity)).collect_view()}
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

/// A list widget of the client «Accueil», as HTML inside `div.widget-body`. On the server
/// it comes from the cache while the revision it was drawn at holds and until the time
/// `until` gives for its data (src/home/cache.rs); else it is loaded, drawn and kept.
/// `variant`: the user's «Préférences» it is drawn with (SAV: archived shown, tooltips).
fn list_widget<T, Fut, R, V>(
    (widget, cid, variant, rev): (&'static str, i64, (bool, bool), HomeRev),
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
    until: fn(&T) -> i64,
    render: R,
) -> AnyView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    R: FnOnce(T) -> V + Send + 'static,
    V: IntoView + 'static,
{
    let drawn = |html: std::sync::Arc<str>| view! { <div class="widget-body" inner_html=html></div> }.into_any();
    #[cfg(feature = "ssr")]
    let cache = with_context::<crate::state::AppState, _>(|s| s.widgets.clone())
        .map(|c| (c, crate::home::cache::WidgetKey { widget, contact: cid, variant }));
    #[cfg(feature = "ssr")]
    if let Some(html) = cache.as_ref().and_then(|(c, key)| c.get(key, rev, crate::db::now())) {
        return drawn(html);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (widget, cid, variant, rev);
    load(fetch, move |data| {
        let good_until = until(&data);
        let html: std::sync::Arc<str> = render(data).to_html().into();
        #[cfg(feature = "ssr")]
        if let Some((c, key)) = cache {
            c.put(key, rev, good_until, html.clone());
        }
        #[cfg(not(feature = "ssr"))]
        let _ = good_until;
        drawn(html)
    })
    .into_any()
}

/// Never stale but by a revision.
fn always<T>(_: &T) -> i64 {
    i64::MAX
}

fn client_widget(key: &str, title: &str, cid: i64, prefs: Prefs, rev: HomeRev, identity: &Identity) -> AnyView {
    let tooltip = prefs.observations_tooltip;
    let body: AnyView = match key {
        // Read with the page (`client_home`): drawn at once.
        "identite" => {
            let c = identity;
            view! {
                <dl class="identity">
                    {(!c.societe.is_empty()).then(|| view! { <dt>"Société"</dt><dd>{c.societe.clone()}</dd> })}
                    <dt>"Nom"</dt><dd>{c.name.clone()}</dd>
                    <dt>"Adresse"</dt><dd>{c.address.clone()}</dd>
                    <dt>"Téléphones"</dt><dd>{c.phones.join(" · ")}</dd>
                    <dt>"E-mail"</dt><dd>{c.email.clone()}</dd>
                    {c.blocked.clone().map(|motif| view! { <dt>"Gestion commerciale"</dt><dd>{format!("Bloquée — {motif}")}</dd> })}
                </dl>
                <p><a href=format!("/clients/{cid}")>"Fiche contact"</a></p>
            }
            .into_any()
        }
        "questions" => list_widget(
            ("questions", cid, (false, false), rev),
            move || home_questions(cid),
            always,
            |pinned| {
                if pinned.is_empty() {
                    return view! { <p>"Aucune question épinglée."</p> }.into_any();
                }
                view! {
                <dl>{pinned.iter().map(|a| view! { <dt>{a.question.label.clone()}</dt><dd>{if a.value.is_empty() { "—".to_string() } else { a.display() }}</dd> }).collect_view()}</dl>
            }
            .into_any()
            },
        ),
        "sav" => list_widget(
            ("sav", cid, (prefs.show_archived_sav, tooltip), rev),
            move || home_sav(cid, prefs.show_archived_sav),
            always,
            move |sav| {
                if sav.is_empty() {
                    return view! { <p>"Aucun SAV."</p> }.into_any();
                }
                view! { <ul class="plain">{sav.iter().map(|s| view! { <li>{crate::sav::ui::sav_summary(s, tooltip)}</li> }).collect_view()}</ul> }.into_any()
            },
        ),
        "services" => list_widget(
            ("services", cid, (false, false), rev),
            move || home_services(cid),
            always,
            |services| {
                if services.is_empty() {
                    return view! { <p>"Aucun service."</p> }.into_any();
                }
                view! { <ul class="plain">{services.iter().map(|s| view! { <li>{crate::sav::ui::service_summary(s)}</li> }).collect_view()}</ul> }.into_any()
            },
        ),
        // Drawn again when the next alert comes (its «À faire»).
        "actions" => list_widget(
            ("actions", cid, (false, false), rev),
            move || home_actions(cid),
            |open: &Vec<crate::actions::model::OpenAction>| open.iter().filter(|a| !a.due).map(|a| a.alert_at).min().unwrap_or(i64::MAX),
            |open| {
                if open.is_empty() {
                    return view! { <p>"Aucune action ouverte."</p> }.into_any();
                }
                view! {
                <ul class="plain">
                    {open.iter().map(|a| view! {
                        <li><a href=format!("/actions/{}", a.id)>{format!("{} — {}", a.type_label, a.when)}</a>{a.due.then(|| view! { <span class="badge">"À faire"</span> })}</li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
            },
        ),
        "factures" => list_widget(
            ("factures", cid, (false, false), rev),
            move || home_unpaid(cid),
            always,
            |u| {
                view! {
                    <p>{format!("Encours : {}", euros(u.encours))}</p>
                    <ul class="plain">
                        {u.invoices.iter().map(|d| view! {
                            <li><a href=format!("/pieces/{}", d.id)>{d.number.clone()}</a>{format!(" du {} : {} restant dû", date_fr(&d.doc_date), euros(d.remaining))}</li>
                        }).collect_view()}
                    </ul>
                    {u.last_reminder.map(|(level, on)| view! { <p>{format!("Dernière relance : {level} le {}", date_fr(&on))}</p> })}
                }
            },
        ),
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
