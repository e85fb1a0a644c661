//! Action pages: «Paramètres» › «Actions», a client's «Actions», one action (edit,
//! «Clore»), «Mes actions», and the dashboard widget.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::actions::api::{
    AddActionResponse, ArrangeActionItem, CloseAction, CreateAction, SaveActionType, UpdateAction, action_types, client_actions,
    get_action, my_actions,
};
use crate::actions::model::{ActionTypeView, ActionView, MyActionsView, UserRef};
use crate::error::AppError;
use crate::ui::{Field, FormAlert, Notice, TextField, form_error, id_param, load, path, query_param};

const ACTION_FIELDS: &[&str] = &["type_id", "alert_date", "alert_time", "note", "shared", "assignee"];

// ---- «Paramètres» › «Actions» -------------------------------------------------------

#[component]
pub fn ActionTypesPage() -> impl IntoView {
    let error = [path::<SaveActionType>(), path::<AddActionResponse>(), path::<ArrangeActionItem>()].into_iter().find_map(form_error);
    let done = query_param("modifie").is_some();
    view! {
        <Title text="Actions — Paramètres — Ouvrage" />
        <h1>"Actions"</h1>
        <p><a href="/parametres">"Paramètres"</a></p>
        {done.then(|| view! { <Notice text="Enregistré." /> })}
        <FormAlert error=error.clone() fields=&["label"] />
        <form method="post" action={path::<SaveActionType>()} class="card" aria-label="Ajouter">
            <h2>"Ajouter"</h2>
            <Field name="label" label="Type d'action" required=true error=error.clone() hint="Par exemple « A relancer », « Invitation salon », « A faire »." />
            <button type="submit">"Valider"</button>
        </form>
        {load(action_types, move |types| {
            let count = types.len();
            view! {
                <section aria-label="Types d'action">
                    {types.into_iter().enumerate().map(|(i, t)| type_card(t, i == 0, i + 1 == count)).collect_view()}
                </section>
            }
        })}
    }
}

fn arrange(item: &'static str, id: i64, op: &'static str, label: &'static str, aria: String) -> impl IntoView {
    view! {
        <form method="post" action={path::<ArrangeActionItem>()} class="inline">
            <input type="hidden" name="item" value=item />
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="op" value=op />
            <button type="submit" class="small" aria-label=aria>{label}</button>
        </form>
    }
}

fn type_card(t: ActionTypeView, first: bool, last: bool) -> impl IntoView {
    let id = t.id;
    let title = t.label.clone();
    let n = t.responses.len();
    let response_field = format!("response-{id}");
    view! {
        <article class="card" id=format!("type-{id}") aria-label=format!("Type {}", t.label) class:retired=t.retired>
            <h2>{t.label.clone()} {t.retired.then_some(" (retiré)")}</h2>
            <p class="hint">{match t.in_use { 0 => "Aucune action de ce type.".to_string(), 1 => "1 action de ce type.".to_string(), n => format!("{n} actions de ce type.") }}</p>
            <div class="row">
                {(!first).then(|| arrange("type", id, "up", "Monter", format!("Monter {title}")))}
                {(!last).then(|| arrange("type", id, "down", "Descendre", format!("Descendre {title}")))}
                {if t.retired { arrange("type", id, "restore", "Réactiver", format!("Réactiver {title}")).into_any() } else { arrange("type", id, "retire", "Retirer", format!("Retirer {title}")).into_any() }}
            </div>
            <form method="post" action={path::<SaveActionType>()} class="row">
                <input type="hidden" name="id" value=id />
                <label for=format!("rename-{id}")>"Libellé"</label>
                <input id=format!("rename-{id}") name="label" value=t.label.clone() required />
                <button type="submit">"Renommer"</button>
            </form>
            <h3>"Réponses possibles"</h3>
            <ol class="responses">
                {t.responses.iter().enumerate().map(|(i, r)| {
                    let rl = r.label.clone();
                    view! {
                        <li class:retired=r.retired>
                            {r.label.clone()} {r.retired.then_some(" (retirée)")}
                            {(i > 0).then(|| arrange("response", r.id, "up", "Monter", format!("Monter {rl}")))}
                            {(i + 1 < n).then(|| arrange("response", r.id, "down", "Descendre", format!("Descendre {rl}")))}
                            {if r.retired { arrange("response", r.id, "restore", "Réactiver", format!("Réactiver {rl}")).into_any() } else { arrange("response", r.id, "retire", "Retirer", format!("Retirer {rl}")).into_any() }}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <form method="post" action={path::<AddActionResponse>()} class="row">
                <input type="hidden" name="type_id" value=id />
                <label for=response_field.clone()>{format!("Nouvelle réponse pour {title}")}</label>
                <input id=response_field name="response" required />
                <button type="submit">"Ajouter une réponse"</button>
            </form>
        </article>
    }
}

// ---- the action form ----------------------------------------------------------------

/// «Date d'alerte», «Type d'action», note, «Partager» and «Attribuer» with their users.
fn action_fields(
    action: Option<&ActionView>,
    types: &[ActionTypeView],
    users: &[UserRef],
    error: Option<AppError>,
) -> impl IntoView + use<> {
    let typed = |name: &str| error.as_ref().and_then(|e| e.typed(name));
    let typed_shared: Option<Vec<String>> = match &error {
        Some(AppError::Invalid { values, .. }) if !values.is_empty() => {
            Some(values.iter().filter(|(k, _)| k == "shared").map(|(_, v)| v.clone()).collect())
        }
        _ => None,
    };
    let type_value = typed("type_id").or_else(|| action.map(|a| a.type_id.to_string())).unwrap_or_default();
    let assignee_value =
        typed("assignee").or_else(|| action.and_then(|a| a.assignee.as_ref().map(|u| u.id.to_string()))).unwrap_or_default();
    let shared_ids: Vec<String> =
        typed_shared.unwrap_or_else(|| action.map(|a| a.shared.iter().map(|u| u.id.to_string()).collect()).unwrap_or_default());
    let attribuer = !assignee_value.is_empty();
    let partager = !shared_ids.is_empty();
    let msg = |f: &str| error.as_ref().and_then(|e| e.for_field(f));
    let (type_msg, shared_msg, assignee_msg) = (msg("type_id"), msg("shared"), msg("assignee"));
    let (type_bad, shared_bad, assignee_bad) = (type_msg.is_some(), shared_msg.is_some(), assignee_msg.is_some());
    let type_options = types
        .iter()
        .filter(|t| !t.retired || t.id.to_string() == type_value)
        .map(|t| {
            let v = t.id.to_string();
            view! { <option value=v.clone() selected=v == type_value>{t.label.clone()}</option> }
        })
        .collect_view();
    let shared_boxes = users
        .iter()
        .map(|u| {
            let v = u.id.to_string();
            let id = format!("share-{}", u.id);
            view! { <div class="check"><input type="checkbox" id=id.clone() name="shared[]" value=v.clone() checked=shared_ids.contains(&v) /><label for=id>{u.name.clone()}</label></div> }
        })
        .collect_view();
    let assignee_options = users
        .iter()
        .map(|u| {
            let v = u.id.to_string();
            view! { <option value=v.clone() selected=v == assignee_value>{u.name.clone()}</option> }
        })
        .collect_view();
    view! {
        <FormAlert error=error.clone() fields=ACTION_FIELDS />
        <div class="row">
            <Field name="alert_date" label="Date d'alerte" kind="date" value=action.map(|a| a.alert_date.clone()).unwrap_or_default() required=true error=error.clone() />
            <Field name="alert_time" label="Heure (facultative)" kind="time" value=action.map(|a| a.alert_time.clone()).unwrap_or_default() error=error.clone() />
        </div>
        <div class="field" class:invalid=type_bad>
            <label for="f-type_id">"Type d'action"</label>
            <select id="f-type_id" name="type_id" required aria-invalid=type_bad.then_some("true") aria-describedby=type_bad.then_some("f-type_id-err")>
                <option value="">"— choisir —"</option>
                {type_options}
            </select>
            {type_msg.map(|m| view! { <p class="field-error" id="f-type_id-err" role="alert">{m}</p> })}
        </div>
        <TextField name="note" label="Note" value=action.map(|a| a.note.clone()).unwrap_or_default() error=error.clone() />
        <fieldset class="field" class:invalid=shared_bad>
            <legend>
                <input type="checkbox" id="f-partager" name="partager" value="on" checked=partager />
                <label for="f-partager">"Partager"</label>
                <span class="hint">" (informer des collègues)"</span>
            </legend>
            {shared_boxes}
            {shared_msg.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
        <fieldset class="field" class:invalid=assignee_bad>
            <legend>
                <input type="checkbox" id="f-attribuer" name="attribuer" value="on" checked=attribuer />
                <label for="f-attribuer">"Attribuer"</label>
            </legend>
            <label for="f-assignee">"Collaborateur"</label>
            <select id="f-assignee" name="assignee">
                <option value="">"— choisir —"</option>
                {assignee_options}
            </select>
            {assignee_msg.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
    }
}

fn action_row(a: &ActionView) -> impl IntoView + use<> {
    let people = {
        let mut p = Vec::new();
        if let Some(u) = &a.assignee {
            p.push(format!("attribuée à {}", u.name));
        }
        if !a.shared.is_empty() {
            p.push(format!("partagée avec {}", a.shared.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ")));
        }
        p.join(" ; ")
    };
    view! {
        <tr class:due=a.due>
            <td>{a.when()} {a.due.then(|| view! { <span class="badge">"À faire"</span> })}</td>
            <td><a href=format!("/actions/{}", a.id)>{a.type_label.clone()}</a></td>
            <td><a href=format!("/clients/{}/actions", a.contact_id)>{a.contact_name.clone()}</a></td>
            <td>{a.note.clone()}</td>
            <td>{format!("par {}", a.author.name)} {(!people.is_empty()).then(|| format!(" ; {people}"))}</td>
            <td>{match &a.response { Some(r) => format!("Close : {r}"), None => "Ouverte".to_string() }}</td>
        </tr>
    }
}

fn action_table(label: &'static str, actions: &[ActionView]) -> impl IntoView + use<> {
    view! {
        <table class="list actions" aria-label=label>
            <thead><tr><th>"Date d'alerte"</th><th>"Type d'action"</th><th>"Client"</th><th>"Note"</th><th>"Qui"</th><th>"État"</th></tr></thead>
            <tbody>{actions.iter().map(action_row).collect_view()}</tbody>
        </table>
    }
}

// ---- a client's «Actions» --------------------------------------------------------------

#[component]
pub fn ClientActionsPage() -> impl IntoView {
    let id = id_param();
    let error = form_error(path::<CreateAction>());
    let done = query_param("fait").is_some();
    view! {
        <Title text="Actions du client — Ouvrage" />
        {load(move || async move { client_actions(id.ok_or_else(|| AppError::NotFound("Contact".into()))?).await }, move |c| {
            let error = error.clone();
            view! {
                <h1>{format!("Actions — {}", c.contact_name)}</h1>
                <crate::contacts::ui::ContactTabs id=c.contact_id current=crate::contacts::ui::ContactTab::Actions />
                {done.then(|| view! { <Notice text="Action créée." /> })}
                <section class="card wide" aria-label="Actions ouvertes">
                    <h2>"Actions ouvertes"</h2>
                    {if c.open.is_empty() { view! { <p>"Aucune action ouverte."</p> }.into_any() } else { action_table("Actions ouvertes", &c.open).into_any() }}
                </section>
                <form method="post" action={path::<CreateAction>()} class="card wide" aria-label="Nouvelle action">
                    <h2>"Nouvelle action"</h2>
                    <input type="hidden" name="contact_id" value=c.contact_id />
                    {if c.types.is_empty() {
                        view! { <p>"Aucun type d'action : créez-en dans « Paramètres » › « Actions »."</p> }.into_any()
                    } else {
                        action_fields(None, &c.types, &c.users, error).into_any()
                    }}
                    <button type="submit">"Valider"</button>
                </form>
                {(!c.done.is_empty()).then(|| view! {
                    <section class="card wide" aria-label="Actions closes">
                        <h2>"Actions closes"</h2>
                        {action_table("Actions closes", &c.done)}
                    </section>
                })}
            }
        })}
    }
}

// ---- one action -----------------------------------------------------------------------

#[component]
pub fn ActionPage() -> impl IntoView {
    let id = id_param();
    let error = form_error(path::<UpdateAction>());
    let close_error = form_error(path::<CloseAction>());
    let done = query_param("fait");
    view! {
        <Title text="Action — Ouvrage" />
        {load(move || async move { get_action(id.ok_or_else(|| AppError::NotFound("Action".into()))?).await }, move |d| {
            let a = d.action.clone();
            let error = error.clone();
            let close_error = close_error.clone();
            let responses = d.types.iter().find(|t| t.id == a.type_id).map(|t| t.responses.iter().filter(|r| !r.retired).cloned().collect::<Vec<_>>()).unwrap_or_default();
            let notice = done.as_deref().map(|f| if f == "close" { "Action close." } else { "Action enregistrée." });
            view! {
                <h1>{format!("{} — {}", a.type_label, a.contact_name)}</h1>
                {notice.map(|t| view! { <Notice text=t /> })}
                <p><a href=format!("/clients/{}/actions", a.contact_id)>{format!("Actions de {}", a.contact_name)}</a> " · " <a href="/actions">"Mes actions"</a></p>
                <section class="card wide" aria-label="Action">
                    <dl class="identity">
                        <dt>"Date d'alerte"</dt><dd>{a.when()} {a.due.then(|| view! { <span class="badge">"À faire"</span> })}</dd>
                        <dt>"Type d'action"</dt><dd>{a.type_label.clone()}</dd>
                        <dt>"Auteur"</dt><dd>{a.author.name.clone()}</dd>
                        <dt>"Attribuée à"</dt><dd>{a.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "—".into())}</dd>
                        <dt>"Partagée avec"</dt><dd>{if a.shared.is_empty() { "—".to_string() } else { a.shared.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ") }}</dd>
                        <dt>"Note"</dt><dd>{a.note.clone()}</dd>
                        <dt>"État"</dt><dd class="action-status">{match &a.response { Some(r) => format!("Close : {r}"), None => "Ouverte".to_string() }}</dd>
                        {(!a.close_comment.is_empty()).then(|| view! { <dt>"Commentaire"</dt><dd>{a.close_comment.clone()}</dd> })}
                    </dl>
                </section>
                {(a.open && a.can_change).then(|| view! {
                    <form method="post" action={path::<CloseAction>()} class="card wide" aria-label="Clore l'action">
                        <h2>"Clore l'action"</h2>
                        <FormAlert error=close_error.clone() fields=&["response_id", "comment"] />
                        <input type="hidden" name="id" value=a.id />
                        <fieldset class="field">
                            <legend>"Réponse"</legend>
                            {responses.iter().map(|r| {
                                let rid = format!("resp-{}", r.id);
                                view! { <div class="check"><input type="radio" id=rid.clone() name="response_id" value=r.id required /><label for=rid>{r.label.clone()}</label></div> }
                            }).collect_view()}
                            {close_error.as_ref().and_then(|e| e.for_field("response_id")).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </fieldset>
                        <TextField name="comment" label="Commentaire (facultatif)" error=close_error.clone() />
                        <button type="submit">"Clore"</button>
                    </form>
                })}
                {(a.open && a.can_change).then(|| view! {
                    <form method="post" action={path::<UpdateAction>()} class="card wide" aria-label="Modifier l'action">
                        <h2>"Modifier l'action"</h2>
                        <input type="hidden" name="id" value=a.id />
                        {action_fields(Some(&a), &d.types, &d.users, error.clone())}
                        <button type="submit">"Enregistrer"</button>
                    </form>
                })}
            }
        })}
    }
}

// ---- «Mes actions» -------------------------------------------------------------------

#[component]
pub fn MyActionsPage() -> impl IntoView {
    view! {
        <Title text="Mes actions — Ouvrage" />
        <h1>"Mes actions"</h1>
        {load(my_actions, |m| my_actions_view(&m))}
    }
}

fn my_actions_view(m: &MyActionsView) -> impl IntoView + use<> {
    let part = |title: &'static str, list: &[ActionView]| {
        view! {
            <section class="card wide" aria-label=title>
                <h2>{format!("{title} ({})", list.len())}</h2>
                {if list.is_empty() { view! { <p>"Aucune."</p> }.into_any() } else { action_table(title, list).into_any() }}
            </section>
        }
    };
    view! {
        {part("En retard", &m.overdue)}
        {part("Aujourd'hui", &m.today)}
        {part("À venir", &m.upcoming)}
    }
}

/// The «Tableau de bord» widget: my actions due (overdue and today), and what comes.
#[component]
pub fn MyActionsWidget() -> impl IntoView {
    load(my_actions, |m| {
        let due: Vec<ActionView> = m.overdue.iter().chain(m.today.iter()).cloned().collect();
        view! {
            <section class="card widget" aria-label="Mes actions">
                <h2><a href="/actions">"Mes actions"</a></h2>
                <p>{format!("{} en retard, {} aujourd'hui, {} à venir", m.overdue.len(), m.today.len(), m.upcoming.len())}</p>
                {(!due.is_empty()).then(|| view! {
                    <ul>
                        {due.iter().take(8).map(|a| view! {
                            <li><a href=format!("/actions/{}", a.id)>{format!("{} — {} ({})", a.type_label, a.contact_name, a.when())}</a></li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
        }
    })
}
