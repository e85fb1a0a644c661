use leptos::prelude::*;
use leptos_meta::Title;

use crate::contacts::api::list_contacts;
use crate::contacts::model::Statut;
use crate::ui::{load, query_param};

/// «Clients»: the client base, the prospect base and the «Corbeille», as tabs.
#[component]
pub fn ClientsPage() -> impl IntoView {
    let statut = query_param("statut").and_then(|s| Statut::from_code(&s)).unwrap_or(Statut::Client);
    let q = query_param("q").unwrap_or_default();
    let page = query_param("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
    let q_for_load = q.clone();
    view! {
        <Title text="Clients — Ouvrage" />
        <h1>"Clients"</h1>
        <nav class="tabs" aria-label="Bases">
            {Statut::ALL.into_iter().map(|s| {
                let label = match s { Statut::Client => "Clients", Statut::Prospect => "Prospects", Statut::Corbeille => "Corbeille" };
                view! {
                    <a href=format!("/clients?statut={}", s.code()) aria-current=(s == statut).then_some("page")>{label}</a>
                }
            }).collect_view()}
        </nav>
        <form method="get" action="/clients" class="filter" role="search">
            <input type="hidden" name="statut" value=statut.code() />
            <label for="filtre">"Filtrer"</label>
            <input id="filtre" type="search" name="q" value=q.clone() />
            <button type="submit">"Filtrer"</button>
        </form>
        {load(move || list_contacts(statut.code().to_string(), q_for_load.clone(), page), move |p| {
            let last = (p.total - 1).max(0) / p.per_page;
            let link = {
                let q = q.clone();
                move |n: i64| format!("/clients?statut={}&q={}&page={n}", statut.code(), urlencode(&q))
            };
            view! {
                <p class="count">{format!("{} contact{}", p.total, if p.total > 1 { "s" } else { "" })}</p>
                <table class="list">
                    <thead><tr><th>"Nom"</th><th>"Société"</th><th>"Code postal"</th><th>"Ville"</th><th>"E-mail"</th></tr></thead>
                    <tbody>
                        {p.rows.into_iter().map(|c| view! {
                            <tr>
                                <td>{format!("{} {} {}", c.civilite, c.nom.to_uppercase(), c.prenom).trim().to_string()}</td>
                                <td>{c.societe}</td>
                                <td>{c.code_postal}</td>
                                <td>{c.ville}</td>
                                <td>{c.email}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <nav class="pager" aria-label="Pages">
                    {(p.page > 0).then(|| view! { <a href=link(p.page - 1) rel="prev">"Page précédente"</a> })}
                    <span>{format!("Page {} sur {}", p.page + 1, last + 1)}</span>
                    {(p.page < last).then(|| view! { <a href=link(p.page + 1) rel="next">"Page suivante"</a> })}
                </nav>
            }
        })}
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
