use leptos::prelude::*;
use leptos_meta::Title;

use crate::audit::api::audit_list;
use crate::ui::{load, query_param};

#[component]
pub fn JournalPage() -> impl IntoView {
    let page = query_param("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
    view! {
        <Title text="Journal — Ouvrage" />
        <h1>"Journal"</h1>
        {load(move || audit_list(page), |p| view! {
            <table class="list" aria-label="Journal">
                <thead><tr><th>"Date"</th><th>"Par"</th><th>"Action"</th><th>"Détail"</th></tr></thead>
                <tbody>
                    {p.entries.into_iter().map(|e| view! {
                        <tr>
                            <td>{e.at}</td>
                            <td>{e.user}</td>
                            <td>{match e.link { Some(href) => view! { <a href=href>{e.what.clone()}</a> }.into_any(), None => e.what.clone().into_any() }}</td>
                            <td>{e.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="pager">
                {(p.page > 0).then(|| view! { <a href=format!("/parametres/journal?page={}", p.page - 1)>"Plus récents"</a> })}
                " "
                {p.more.then(|| view! { <a href=format!("/parametres/journal?page={}", p.page + 1)>"Plus anciens"</a> })}
            </p>
        })}
    }
}
