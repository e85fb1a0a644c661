//! «Clients» › «Importer»: the upload, the preview (columns, statut, duplicates, invalid
//! rows), the progress of the job, «Interrompre», «Reprendre l'import», «Annuler l'import».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::imports::api::*;
use crate::imports::model::{CHOICES, ImportView, Progress, choice_label, state_label};
use crate::ui::{FormAlert, form_error, load, path};

/// The upload form and the imports made so far.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let upload_error = crate::ui::signed_message("erreur");
    view! {
        <Title text="Importer — Ouvrage" />
        <h1>"Clients"</h1>
        <crate::contacts::ui::BasesTabs current="importer" />
        {upload_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
        <section class="card" aria-label="Importer des contacts">
            <h2>"Importer des contacts"</h2>
            <form method="post" action="/clients/importer/fichier" enctype="multipart/form-data">
                <div class="field">
                    <label for="f-fichier">"Fichier CSV ou XLSX"</label>
                    <input id="f-fichier" type="file" name="fichier" required
                        accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
                    <p class="hint">"20 Mo au plus. Le séparateur, l'encodage et la ligne d'en-tête sont reconnus ; rien n'est importé avant que vous ayez vérifié l'aperçu."</p>
                </div>
                <button type="submit">"Envoyer le fichier"</button>
            </form>
        </section>
        {load(list_imports, |rows| view! {
            <section class="card wide" aria-label="Imports précédents">
                <h2>"Imports précédents"</h2>
                {rows.is_empty().then(|| view! { <p>"Aucun import pour l'instant."</p> })}
                {(!rows.is_empty()).then(|| view! {
                    <table class="list">
                        <thead><tr><th>"Date"</th><th>"Fichier"</th><th>"Par"</th><th>"État"</th><th>"Créés"</th><th>"Complétés"</th><th>"Ignorés"</th><th>"Invalides"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.when}</td>
                                    <td><a href=format!("/clients/importer/{}", r.id)>{r.file_name}</a></td>
                                    <td>{r.by}</td>
                                    <td>{state_label(&r.progress.state)}</td>
                                    <td class="num">{r.progress.created}</td>
                                    <td class="num">{r.progress.merged}</td>
                                    <td class="num">{r.progress.skipped}</td>
                                    <td class="num">{r.progress.invalid}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
        })}
    }
}

/// One import: its preview while in «Aperçu», else its progress and what can be done.
#[component]
pub fn ImportPage() -> impl IntoView {
    let id = leptos_router::hooks::use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())).unwrap_or_default();
    let error = [path::<ConfigureImport>(), path::<ActOnImport>()].into_iter().find_map(form_error);
    view! {
        <Title text="Import — Ouvrage" />
        <h1>"Importer des contacts"</h1>
        <crate::contacts::ui::BasesTabs current="importer" />
        <FormAlert error=error fields=&[] />
        {load(move || get_import(id), |v| {
            if v.state == "apercu" { view! { <Preview v=v /> }.into_any() } else { view! { <Job v=v /> }.into_any() }
        })}
    }
}

#[component]
fn Preview(v: ImportView) -> impl IntoView {
    let a = v.analysis.clone();
    let options = v.options.clone();
    view! {
        <form method="post" action={path::<ConfigureImport>()} class="card wide" aria-label="Aperçu de l'import">
            <input type="hidden" name="id" value=v.id />
            <h2>"Aperçu de « " {v.file_name.clone()} " »"</h2>
            <p>
                {a.encoding.clone()}
                {(!a.separator.is_empty()).then(|| format!(", séparateur {}", a.separator))}
                {match a.header_line {
                    Some(l) => format!(", en-tête en ligne {l}"),
                    None => ", pas de ligne d'en-tête reconnue : choisissez le champ de chaque colonne".to_string(),
                }}
                "."
            </p>
            <p role="status" class="counts">
                <strong>{a.total}</strong> " lignes : "
                <strong>{a.new_rows}</strong> " nouveaux contacts, "
                <strong>{a.duplicate_count}</strong> " doublons probables, "
                <strong>{a.invalid_count}</strong> " lignes invalides."
            </p>
            <div class="scroll">
                <table class="list preview">
                    <thead>
                        <tr>{a.headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr>
                        <tr>
                            {a.headers.iter().enumerate().map(|(i, h)| {
                                let current = v.mapping.get(i).cloned().unwrap_or_default();
                                let options = options.clone();
                                view! {
                                    <td>
                                        <select name="colonne[]" aria-label=format!("Champ de la colonne « {h} »")>
                                            {options.into_iter().map(|(code, label)| {
                                                let selected = code == current;
                                                view! { <option value=code selected=selected>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {a.sample.iter().map(|row| view! {
                            <tr>{(0..a.headers.len()).map(|i| view! { <td>{row.get(i).cloned().unwrap_or_default()}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="field">
                <label for="f-statut">"Statut des contacts importés"</label>
                <select id="f-statut" name="statut">
                    <option value="client" selected=v.statut == "client">"Client"</option>
                    <option value="prospect" selected=v.statut == "prospect">"Prospect"</option>
                </select>
            </div>
            <div class="field">
                <label for="f-choix">"Pour tous les doublons probables"</label>
                <select id="f-choix" name="choix_defaut">
                    {CHOICES.iter().map(|(code, label)| view! { <option value=*code selected=*code == v.default_choice>{*label}</option> }).collect_view()}
                </select>
            </div>
            {(!a.duplicates.is_empty()).then(|| view! {
                <h3>"Doublons probables"</h3>
                {(a.duplicate_count > a.duplicates.len()).then(|| view! {
                    <p class="hint">{format!("Les {} premiers sont listés ; les autres suivent le choix pour tous.", a.duplicates.len())}</p>
                })}
                <table class="list" aria-label="Doublons probables">
                    <thead><tr><th>"Ligne"</th><th>"Dans le fichier"</th><th>"Ressemble à"</th><th>"Raisons"</th><th>"Que faire ?"</th></tr></thead>
                    <tbody>
                        {a.duplicates.iter().map(|d| {
                            view! {
                                <tr class="duplicate">
                                    <td class="num">{d.line}</td>
                                    <td>{d.title.clone()}</td>
                                    <td>{match d.target_id {
                                        Some(id) => view! { <a href=format!("/clients/{id}")>{d.target_title.clone()}</a> }.into_any(),
                                        None => d.target_title.clone().into_any(),
                                    }}</td>
                                    <td>"Doublon possible : " {d.reasons.clone()}</td>
                                    <td>
                                        <input type="hidden" name="rang[]" value=d.row />
                                        <select name="choix[]" aria-label=format!("Que faire de la ligne {}", d.line)>
                                            <option value="" selected=!v.choices.iter().any(|(r, _)| *r == d.row)>{format!("Comme pour tous ({})", choice_label(&v.default_choice))}</option>
                                            {CHOICES.iter().map(|(code, label)| {
                                                let selected = v.choices.iter().any(|(r, c)| *r == d.row && c == code);
                                                view! { <option value=*code selected=selected>{*label}</option> }
                                            }).collect_view()}
                                        </select>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!a.invalid.is_empty()).then(|| view! {
                <h3>"Lignes invalides (non importées)"</h3>
                <table class="list" aria-label="Lignes invalides">
                    <thead><tr><th>"Ligne"</th><th>"Raison"</th></tr></thead>
                    <tbody>
                        {a.invalid.iter().map(|(line, reason)| view! { <tr><td class="num">{*line}</td><td>{reason.clone()}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            })}
            <p class="actions">
                <button type="submit">"Mettre à jour l'aperçu"</button>
                " "
                <button type="submit" name="lancer" value="1" class="primary">"Importer"</button>
            </p>
        </form>
    }
}

#[component]
fn Job(v: ImportView) -> impl IntoView {
    let p = v.progress.clone();
    let act = move |op: &'static str, label: &'static str| {
        view! {
            <form method="post" action={path::<ActOnImport>()} class="inline">
                <input type="hidden" name="id" value=v.id />
                <input type="hidden" name="op" value=op />
                <button type="submit">{label}</button>
            </form>
        }
    };
    let running = p.state == "en_cours" && !v.stalled;
    view! {
        <section class="card wide" aria-label="Import">
            <h2>"« " {v.file_name.clone()} " »"</h2>
            <p>"Envoyé par " {v.by.clone()} " le " {v.when.clone()} "."</p>
            {running.then(|| view! {
                // Without JavaScript too: the page refreshes itself while the import runs.
                <noscript><meta http-equiv="refresh" content="2" /></noscript>
            })}
            <ImportProgress id=v.id initial=p.clone() />
            {(!v.error.is_empty()).then(|| view! { <p class="alert" role="alert">{v.error.clone()}</p> })}
            {v.stalled.then(|| view! { <p class="alert" role="alert">"L'import ne progresse plus (serveur redémarré ?) : reprenez-le ou annulez-le."</p> })}
            <p class="actions">
                {running.then(|| act("stop", "Interrompre"))}
                {(p.state == "interrompu" || v.stalled).then(|| act("resume", "Reprendre l'import"))}
                {(matches!(p.state.as_str(), "termine" | "interrompu" | "echec") || v.stalled).then(|| act("undo", "Annuler l'import"))}
            </p>
            {(p.state == "termine").then(|| view! { <p><a href="/clients">"Voir les clients"</a></p> })}
        </section>
    }
}

/// The progress bar: follows the job while it runs, then reloads the page (its buttons
/// change).
#[island]
fn ImportProgress(id: i64, initial: Progress) -> impl IntoView {
    let (p, set_p) = signal(initial);
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, set_p);
    #[cfg(feature = "hydrate")]
    {
        if p.get_untracked().state == "en_cours" {
            let busy = StoredValue::new(false);
            let handle = set_interval_with_handle(
                move || {
                    if busy.get_value() {
                        return;
                    }
                    busy.set_value(true);
                    leptos::task::spawn_local(async move {
                        if let Ok(next) = import_progress(id).await {
                            let finished = next.state != "en_cours";
                            set_p.set(next);
                            if finished {
                                let _ = window().location().reload();
                            }
                        }
                        busy.set_value(false);
                    });
                },
                std::time::Duration::from_millis(500),
            );
            if let Ok(h) = handle {
                on_cleanup(move || h.clear());
            }
        }
    }
    view! {
        <div class="import-progress">
            <progress max="100" value=move || p.get().percent() aria-label="Progression de l'import"></progress>
            <p role="status" aria-live="polite">
                {move || {
                    let p = p.get();
                    format!(
                        "{} — {} / {} lignes : {} créées, {} fiches complétées, {} ignorées, {} invalides.",
                        state_label(&p.state),
                        p.done,
                        p.total,
                        p.created,
                        p.merged,
                        p.skipped,
                        p.invalid
                    )
                }}
            </p>
        </div>
    }
}
