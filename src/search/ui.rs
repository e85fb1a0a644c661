//! «Rechercher»: the results page (works without JavaScript) and the search box island
//! of the top bar (results as you type, keyboard navigation, «/» to focus).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::search::api::search_contacts;
use crate::search::model::Hit;
use crate::ui::{load, query_param};

fn hit_line(h: &Hit) -> String {
    let place = format!("{} {}", h.code_postal, h.ville).trim().to_string();
    [place, h.phone.clone().unwrap_or_default(), h.email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
}

/// GET /recherche?q=…: the same results as the box, as a page.
#[component]
pub fn SearchPage() -> impl IntoView {
    let q = query_param("q").unwrap_or_default();
    let shown = q.clone();
    view! {
        <Title text="Recherche — Ouvrage" />
        <h1>"Recherche"</h1>
        <p class="count">"Résultats pour « " {shown} " »"</p>
        {load(move || search_contacts(q.clone()), |hits| {
            if hits.is_empty() {
                view! { <p>"Aucun contact trouvé."</p> }.into_any()
            } else {
                view! {
                    <ul class="hits">
                        {hits.into_iter().map(|h| {
                            let line = hit_line(&h);
                            view! {
                                <li><a href=format!("/clients/{}", h.id)>{h.title()}</a> <span class="muted">{line}</span></li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        })}
    }
}

/// The top bar's «Rechercher» box. Without the wasm it is a GET form to /recherche; with
/// it, results appear as you type (debounced, stale answers dropped), ↑/↓ choose, Enter
/// opens, Échap closes, «/» focuses the box from anywhere.
#[island]
pub fn SearchBox() -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let (hits, set_hits) = signal(Vec::<Hit>::new());
    let (open, set_open) = signal(false);
    let (selected, set_selected) = signal(0usize);
    let generation = StoredValue::new(0u64);

    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            let typing = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if ev.key() == "/" && !typing {
                ev.prevent_default();
                if let Some(i) = input.get_untracked() {
                    let _ = i.focus();
                }
            }
        });
        on_cleanup(move || handle.remove());
    }

    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        if q.trim().is_empty() {
            set_hits.set(Vec::new());
            set_open.set(false);
            return;
        }
        set_timeout(
            move || {
                if generation.get_value() != ticket {
                    return; // typed again meanwhile
                }
                leptos::task::spawn_local(async move {
                    let found = search_contacts(q).await.unwrap_or_default();
                    if generation.get_value() == ticket {
                        set_selected.set(0);
                        set_open.set(true);
                        set_hits.set(found);
                    }
                });
            },
            std::time::Duration::from_millis(120),
        );
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = hits.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_selected.update(|s| *s = (*s + 1) % n);
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                set_selected.update(|s| *s = (*s + n - 1) % n);
            }
            "Enter" if open.get_untracked() && n > 0 => {
                ev.prevent_default();
                let id = hits.with_untracked(|h| h[selected.get_untracked().min(n - 1)].id);
                let _ = window().location().set_href(&format!("/clients/{id}"));
            }
            "Escape" => set_open.set(false),
            _ => {}
        }
    };

    view! {
        <form class="search" method="get" action="/recherche" role="search">
            <input
                node_ref=input
                type="search"
                name="q"
                aria-label="Rechercher"
                placeholder="Rechercher (/)"
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="search-results"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-activedescendant=move || (open.get() && !hits.with(Vec::is_empty)).then(|| format!("hit-{}", selected.get()))
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| set_timeout(move || set_open.set(false), std::time::Duration::from_millis(200))
            />
            <ul id="search-results" role="listbox" aria-label="Résultats de la recherche" class="search-results" hidden=move || !open.get()>
                {move || {
                    let list = hits.get();
                    if list.is_empty() {
                        view! { <li class="empty">"Aucun contact trouvé."</li> }.into_any()
                    } else {
                        list.into_iter()
                            .enumerate()
                            .map(|(i, h)| {
                                let line = hit_line(&h);
                                view! {
                                    <li id=format!("hit-{i}") role="option" aria-selected=move || if selected.get() == i { "true" } else { "false" }>
                                        <a href=format!("/clients/{}", h.id)>
                                            <strong>{h.title()}</strong>
                                            <span class="muted">{line}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
            </ul>
        </form>
    }
}
