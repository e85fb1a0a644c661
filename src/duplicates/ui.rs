//! «Doublons» (the report), «Fusionner» (the merge page), «Doublon possible» (the warning
//! while a contact is typed in), «Annuler la fusion».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::duplicates::api::*;
use crate::duplicates::model::{Candidate, MERGE_FIELDS};
use crate::ui::{FormAlert, Notice, form_error, load, path, query_param};

/// «Clients» › «Doublons»: the latest whole-base scan, best pairs first.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let done = query_param("fait");
    let error = [path::<NotDuplicate>(), path::<ScanDuplicates>()].into_iter().find_map(form_error);
    view! {
        <Title text="Doublons — Ouvrage" />
        <h1>"Clients"</h1>
        <crate::contacts::ui::BasesTabs current="doublons" />
        {done.filter(|d| d == "pas-doublon").map(|_| view! { <Notice text="Cette paire ne sera plus proposée." /> })}
        <FormAlert error=error fields=&[] />
        {load(duplicates_report, |r| {
            let progress = if r.total > 0 { r.done * 100 / r.total } else { 0 };
            view! {
                <section class="card wide" aria-label="Doublons">
                    <form method="post" action={path::<ScanDuplicates>()} class="inline">
                        <button type="submit" disabled=r.running>"Lancer l'analyse"</button>
                    </form>
                    {r.running.then(|| view! {
                        // Without JavaScript too: the page refreshes itself while the scan runs.
                        <meta http-equiv="refresh" content="2" />
                        <p role="status">"Analyse en cours : " {progress} " %"</p>
                        <progress max="100" value=progress aria-label="Progression de l'analyse"></progress>
                    })}
                    {(r.scan_id.is_none()).then(|| view! { <p>"Aucune analyse pour l'instant."</p> })}
                    {(!r.running && r.scan_id.is_some() && r.pairs.is_empty()).then(|| view! { <p>"Aucun doublon trouvé."</p> })}
                    {(!r.pairs.is_empty()).then(|| view! {
                        <table class="list">
                            <thead><tr><th>"Contact"</th><th>"Doublon probable"</th><th>"Score"</th><th>"Raisons"</th><th></th></tr></thead>
                            <tbody>
                                {r.pairs.into_iter().map(|p| {
                                    let place = |s: &crate::duplicates::model::MergeSide| format!("{} {}", s.field("code_postal"), s.field("ville")).trim().to_string();
                                    view! {
                                        <tr>
                                            <td><a href=format!("/clients/{}", p.a.id)>{p.a.title.clone()}</a> <span class="muted">{place(&p.a)}</span></td>
                                            <td><a href=format!("/clients/{}", p.b.id)>{p.b.title.clone()}</a> <span class="muted">{place(&p.b)}</span></td>
                                            <td class="num">{p.score}</td>
                                            <td>{p.reasons.clone()}</td>
                                            <td>
                                                <a class="button" href=format!("/clients/fusion?survivant={}&autre={}", p.a.id, p.b.id)>"Fusionner"</a>
                                                <form method="post" action={path::<NotDuplicate>()} class="inline">
                                                    <input type="hidden" name="a" value=p.a.id />
                                                    <input type="hidden" name="b" value=p.b.id />
                                                    <button type="submit">"Pas un doublon"</button>
                                                </form>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                </section>
            }
        })}
    }
}

/// «Fusionner»: the survivor (swappable), then field by field which value to keep.
#[component]
pub fn MergeContactsPage() -> impl IntoView {
    let survivor = query_param("survivant").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let other = query_param("autre").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let error = form_error(path::<MergeContacts>());
    view! {
        <Title text="Fusionner — Ouvrage" />
        <h1>"Fusionner deux contacts"</h1>
        <FormAlert error=error fields=&[] />
        {load(move || merge_choice(survivor, other), move |m| {
            let (s, o) = (m.survivor, m.other);
            view! {
                <p>
                    "Contact conservé : " <strong>{s.title.clone()}</strong> ". "
                    <a href=format!("/clients/fusion?survivant={}&autre={}", o.id, s.id)>"Conserver plutôt « " {o.title.clone()} " »"</a>
                </p>
                <form method="post" action={path::<MergeContacts>()} class="card wide" aria-label="Fusionner">
                    <input type="hidden" name="survivor" value=s.id />
                    <input type="hidden" name="other" value=o.id />
                    <table class="list">
                        <thead><tr><th>"Champ"</th><th>{s.title.clone()} " (conservé)"</th><th>{o.title.clone()}</th></tr></thead>
                        <tbody>
                            {MERGE_FIELDS.iter().map(|(f, label)| {
                                let (sv, ov) = (s.field(f).to_string(), o.field(f).to_string());
                                // Prefilled: the survivor's value, else the other's non-empty one.
                                let take_other = sv.is_empty() && !ov.is_empty();
                                let name = format!("f_{f}");
                                view! {
                                    <tr>
                                        <th scope="row">{*label}</th>
                                        <td><label><input type="radio" name=name.clone() value="survivant" checked=!take_other aria-label=format!("{label} : {sv}") /> " " {sv.clone()}</label></td>
                                        <td><label><input type="radio" name=name value="autre" checked=take_other aria-label=format!("{label} : {ov}") /> " " {ov.clone()}</label></td>
                                    </tr>
                                }
                            }).collect_view()}
                            <tr><th scope="row">"Téléphones"</th><td>{s.phones.join(", ")}</td><td>{o.phones.join(", ")}</td></tr>
                        </tbody>
                    </table>
                    <p class="hint">"Les téléphones sont réunis, les notes mises bout à bout ; pièces, fichiers et historique de « "
                        {o.title.clone()} " » passent sur le contact conservé, qui reste trouvable sous l'autre nom. La fusion peut être annulée."</p>
                    <button type="submit">"Fusionner"</button>
                </form>
            }
        })}
    }
}

/// On a contact's page: «Fusionnée dans …» and «Annuler la fusion».
#[component]
pub fn MergeNotes(id: i64) -> impl IntoView {
    let error = form_error(path::<UndoMerge>());
    view! {
        <FormAlert error=error fields=&[] />
        {load(move || merges_of(id), move |merges| {
            merges.into_iter().map(|(merge_id, survivor, other)| {
                let text = if other == id {
                    view! { "Fusionnée dans " <a href=format!("/clients/{survivor}")>"la fiche n° " {survivor}</a> "." }.into_any()
                } else {
                    view! { "La fiche " <a href=format!("/clients/{other}")>"n° " {other}</a> " a été fusionnée dans celle-ci." }.into_any()
                };
                view! {
                    <p class="notice merged">
                        {text} " "
                        <form method="post" action={path::<UndoMerge>()} class="inline">
                            <input type="hidden" name="merge_id" value=merge_id />
                            <button type="submit">"Annuler la fusion"</button>
                        </form>
                    </p>
                }
            }).collect_view()
        })}
    }
}

/// «Doublon possible»: wraps the fields of «Fiche contact»; as they are typed in, likely
/// duplicates appear with a link to open them. A warning only: the form still saves.
#[island]
pub fn DuplicateWatch(#[prop(optional)] exclude: Option<i64>, children: Children) -> impl IntoView {
    let (found, set_found) = signal(Vec::<Candidate>::new());
    let generation = StoredValue::new(0u64);
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(not(feature = "hydrate"))]
    let _ = (exclude, set_found);
    let on_input = move |_ev: leptos::ev::Event| {
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        set_timeout(
            move || {
                #[cfg(feature = "hydrate")]
                if let Some(div) = root.get_untracked().filter(|_| generation.get_value() == ticket) {
                    let values = form_values(&div);
                    leptos::task::spawn_local(async move {
                        let [nom, prenom, societe, adresse, code_postal, ville, email, siren] = values.0;
                        let found = check_duplicates(nom, prenom, societe, adresse, code_postal, ville, email, values.1, siren, exclude)
                            .await
                            .unwrap_or_default();
                        if generation.get_value() == ticket {
                            set_found.set(found);
                        }
                    });
                }
            },
            std::time::Duration::from_millis(400),
        );
    };
    view! {
        <div node_ref=root on:input=on_input on:change=on_input>
            {children()}
            <div class="dup-warning" role="status" aria-live="polite">
                {move || {
                    let list = found.get();
                    (!list.is_empty()).then(|| view! {
                        <section aria-label="Doublon possible" class="card warning">
                            <h2>"Doublon possible"</h2>
                            <ul>
                                {list.into_iter().map(|c| view! {
                                    <li>
                                        <a href=format!("/clients/{}", c.id) target="_blank">{c.title.clone()}</a>
                                        " " <span class="muted">{c.place.clone()}</span>
                                        " — " {c.reasons.clone()}
                                    </li>
                                }).collect_view()}
                            </ul>
                            <p class="hint">"Vous pouvez continuer : ce n'est qu'un avertissement."</p>
                        </section>
                    })
                }}
            </div>
        </div>
    }
}

/// The identity fields and phones typed in the form around `div`.
#[cfg(feature = "hydrate")]
fn form_values(div: &web_sys::HtmlDivElement) -> ([String; 8], Vec<String>) {
    use wasm_bindgen::JsCast;
    let value = |name: &str| -> String {
        div.query_selector(&format!("[name=\"{name}\"]"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    };
    let mut phones = Vec::new();
    if let Ok(list) = div.query_selector_all("[name=\"phones[]\"]") {
        for i in 0..list.length() {
            if let Some(input) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                phones.push(input.value());
            }
        }
    }
    (
        [
            value("nom"),
            value("prenom"),
            value("societe"),
            value("adresse"),
            value("code_postal"),
            value("ville"),
            value("email"),
            value("siren"),
        ],
        phones,
    )
}
