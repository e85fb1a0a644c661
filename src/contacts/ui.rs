use leptos::prelude::*;
use leptos_meta::Title;

use crate::contacts::api::list_contacts;
use crate::contacts::model::{ContactPage, Statut};
use crate::ui::{load, query_param};

/// «Clients»: the client base, the prospect base and the «Corbeille», as tabs.
#[component]
pub fn ClientsPage() -> impl IntoView {
    let statut = query_param("statut").and_then(|s| Statut::from_code(&s)).unwrap_or(Statut::Client);
    let q = query_param("q").unwrap_or_default();
    let page = query_param("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
    let sort = query_param("tri").unwrap_or_default();
    let q_for_load = q.clone();
    view! {
        <Title text="Clients — Ouvrage" />
        <h1>"Clients"</h1>
        <p class="actions"><a class="button" href=format!("/clients/nouveau?statut={}", if statut == Statut::Corbeille { "client" } else { statut.code() })>"Nouveau contact"</a></p>
        <BasesTabs current=statut.code() />
        {crate::auth::ui::signed_in(move |me| {
            // «Exporter» needs «Paramétrer l'application», and for the «Corbeille» the
            // right to see it.
            let export = me.can(Right::Settings) && (statut != Statut::Corbeille || me.can(Right::TrashMerge));
            load(move || list_contacts(statut.code().to_string(), q_for_load.clone(), sort.clone(), page), move |p| {
                view! { <LiveList statut=statut.code().to_string() q=q.clone() initial=p export=export /> }
            })
        })}
    }
}

/// The tabs of «Clients»: the three bases, «Doublons», «Importer» (`current` is a
/// statut code, «doublons» or «importer»).
#[component]
pub fn BasesTabs(current: &'static str) -> impl IntoView {
    let tab = move |code: &'static str, href: &'static str, label: &'static str| view! { <a href=href aria-current=(code == current).then_some("page")>{label}</a> };
    view! {
        <nav class="tabs" aria-label="Bases">
            {tab("client", "/clients?statut=client", "Clients")}
            {tab("prospect", "/clients?statut=prospect", "Prospects")}
            {tab("fournisseur", "/clients?statut=fournisseur", "Fournisseurs")}
            {tab("corbeille", "/clients?statut=corbeille", "Corbeille")}
            {tab("doublons", "/clients/doublons", "Doublons")}
            {tab("importer", "/clients/importer", "Importer")}
        </nav>
    }
}

/// A base's list with its «Filtrer» box. Without the wasm the box is a GET form and
/// the pages are links; with it, the list filters as you type, and Ctrl+F focuses the
/// box.
#[island]
fn LiveList(statut: String, q: String, initial: ContactPage, export: bool) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let (data, set_data) = signal(initial);
    let (query, set_query) = signal(q);
    let generation = StoredValue::new(0u64);
    let statut = StoredValue::new(statut);

    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("f") {
                ev.prevent_default();
                if let Some(i) = input.get_untracked() {
                    let _ = i.focus();
                    i.select();
                }
            }
        });
        on_cleanup(move || handle.remove());
    }

    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        set_query.set(q.clone());
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        set_timeout(
            move || {
                if generation.get_value() != ticket {
                    return;
                }
                leptos::task::spawn_local(async move {
                    if let (Ok(p), true) = (
                        list_contacts(statut.get_value(), q, data.with_untracked(|d| d.sort.clone()), 0).await,
                        generation.get_value() == ticket,
                    ) {
                        set_data.set(p);
                    }
                });
            },
            std::time::Duration::from_millis(150),
        );
    };

    let link = move |n: i64| {
        format!(
            "/clients?statut={}&q={}&tri={}&page={n}",
            statut.get_value(),
            crate::fmt::percent_encode(&query.get()),
            data.with(|d| d.sort.clone())
        )
    };
    let sort_link =
        move |key: &str| format!("/clients?statut={}&q={}&tri={key}", statut.get_value(), crate::fmt::percent_encode(&query.get()));
    view! {
        <form method="get" action="/clients" class="filter" role="search">
            <input type="hidden" name="statut" value=statut.get_value() />
            <label for="filtre">"Filtrer"</label>
            <input id="filtre" node_ref=input type="search" name="q" value=query.get_untracked() on:input=on_input autocomplete="off" />
            <button type="submit">"Filtrer"</button>
        </form>
        {export.then(|| view! {
            <p class="actions export">
                <a href=move || format!("/clients/exporter?format=csv&statut={}&q={}", statut.get_value(), crate::fmt::percent_encode(&query.get()))>"Exporter (CSV)"</a>
                " "
                <a href=move || format!("/clients/exporter?format=xlsx&statut={}&q={}", statut.get_value(), crate::fmt::percent_encode(&query.get()))>"Exporter (XLSX)"</a>
            </p>
        })}
        {move || {
            let p = data.get();
            let last = (p.total - 1).max(0) / p.per_page;
            view! {
                <p class="count" role="status">{format!("{} contact{}", p.total, if p.total > 1 { "s" } else { "" })}</p>
                <nav class="sorts" aria-label="Trier par">
                    "Trier par : "
                    {crate::contacts::model::SORTS.iter().map(|(key, label)| {
                        let current = p.sort == *key;
                        view! { <a href=sort_link(key) aria-current=current.then_some("true")>{*label}</a> " " }
                    }).collect_view()}
                </nav>
                <table class="list">
                    <thead><tr><th>"Nom"</th><th>"Société"</th><th>"Code postal"</th><th>"Ville"</th><th>"E-mail"</th></tr></thead>
                    <tbody>
                        {p.rows.into_iter().map(|c| {
                            let person = crate::contacts::model::person_name(&c.nom, &c.prenom);
                            let name = if person.is_empty() { c.societe.clone() } else { format!("{} {person}", c.civilite).trim().to_string() };
                            view! {
                                <tr>
                                    <td><a href=format!("/clients/{}", c.id)>{name}</a></td>
                                    <td>{c.societe}</td>
                                    <td>{c.code_postal}</td>
                                    <td>{c.ville}</td>
                                    <td>{c.email}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <nav class="pager" aria-label="Pages">
                    {(p.page > 0).then(|| view! { <a href=link(p.page - 1) rel="prev">"Page précédente"</a> })}
                    <span>{format!("Page {} sur {}", p.page + 1, last + 1)}</span>
                    {(p.page < last).then(|| view! { <a href=link(p.page + 1) rel="next">"Page suivante"</a> })}
                </nav>
            }
        }}
    }
}

use crate::auth::Right;
use crate::contacts::api::{AddSite, ArchiveSite, CreateContact, UpdateContact, get_contact};
use crate::contacts::model::{CIVILITES, ContactForm, PHONES_MAX};
use crate::duplicates::ui::{DuplicateWatch, MergeNotes};
use crate::error::AppError;
use crate::ui::{Field, FormAlert, Notice, SelectField, TextField, form_error, path};
use leptos_router::hooks::use_params_map;

const CONTACT_FIELDS: &[&str] = &[
    "statut",
    "civilite",
    "nom",
    "prenom",
    "societe",
    "adresse",
    "code_postal",
    "ville",
    "phones",
    "email",
    "notes",
    "bloque",
    "bloque_motif",
    "plafond_encours",
    "type_client",
    "siren",
    "siret",
    "tva_intra",
];

/// The fields of «Fiche contact», filled with `f` (or what was typed before an error).
/// Without the right «Gestion commerciale» (`commercial` false) the commercial fields
/// are shown read-only and sent back as they are stored (the server refuses a change).
fn contact_fields(f: ContactForm, error: Option<AppError>, commercial: bool) -> impl IntoView {
    let phones: Vec<String> = match &error {
        Some(AppError::Invalid { values, .. }) if !values.is_empty() => {
            values.iter().filter(|(k, _)| k == "phones").map(|(_, v)| v.clone()).collect()
        }
        _ => f.phones.clone(),
    };
    let phone_error = error.as_ref().and_then(|e| e.for_field("phones"));
    let phone_inputs = (0..PHONES_MAX)
        .map(|i| {
            let id = format!("f-phone-{i}");
            let label = if i == 0 { "Téléphone".to_string() } else { format!("Téléphone {}", i + 1) };
            let value = phones.get(i).cloned().unwrap_or_default();
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input id=id type="tel" name="phones[]" value=value aria-invalid=phone_error.is_some().then_some("true") />
                </div>
            }
        })
        .collect_view();
    let statuts = Statut::ALL.iter().map(|s| (s.code(), s.label())).collect::<Vec<_>>();
    let civilites = CIVILITES.iter().map(|c| (*c, if c.is_empty() { "—" } else { *c })).collect::<Vec<_>>();
    let pro = error.as_ref().and_then(|e| e.typed("type_client")).unwrap_or(f.type_client.clone()) == "professionnel";
    view! {
        <FormAlert error=error.clone() fields=CONTACT_FIELDS />
        <SelectField name="statut" label="Statut" options=statuts value=f.statut error=error.clone() />
        <fieldset>
            <legend>"Type de client"</legend>
            <div class="check"><input type="radio" id="type_particulier" name="type_client" value="particulier" checked=!pro /><label for="type_particulier">"Particulier"</label></div>
            <div class="check"><input type="radio" id="type_professionnel" name="type_client" value="professionnel" checked=pro /><label for="type_professionnel">"Professionnel"</label></div>
        </fieldset>
        <SelectField name="civilite" label="Civilité" options=civilites value=f.civilite error=error.clone() />
        <div class="row">
            <Field name="nom" label="Nom" value=f.nom error=error.clone() />
            <Field name="prenom" label="Prénom" value=f.prenom error=error.clone() />
        </div>
        <Field name="societe" label="Société" value=f.societe error=error.clone() />
        <div class="row">
            <Field name="siren" label="SIREN" value=f.siren error=error.clone() hint="Professionnel" />
            <Field name="siret" label="SIRET" value=f.siret error=error.clone() hint="Professionnel" />
        </div>
        <Field name="tva_intra" label="N° TVA intracommunautaire" value=f.tva_intra error=error.clone() hint="Professionnel" />
        <Field name="adresse" label="Adresse" value=f.adresse error=error.clone() autocomplete="street-address" />
        <div class="row">
            <Field name="code_postal" label="Code postal" value=f.code_postal error=error.clone() />
            <Field name="ville" label="Ville" value=f.ville error=error.clone() />
        </div>
        <fieldset>
            <legend>"Téléphones"</legend>
            <div class="row">{phone_inputs}</div>
            {phone_error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
        <Field name="email" label="E-mail" kind="email" value=f.email error=error.clone() />
        <TextField name="notes" label="Notes" value=f.notes error=error.clone() />
        {commercial_fields(f.bloque, f.bloque_motif, f.plafond_encours, error, commercial)}
    }
}

/// «Bloquer la gestion commerciale», its reason, «Plafond d'encours»: fields with the
/// right, else the stored values as text (and hidden inputs that carry them back).
fn commercial_fields(bloque: String, motif: String, plafond: String, error: Option<AppError>, editable: bool) -> impl IntoView {
    if editable {
        return view! {
            <fieldset>
                <legend>"Gestion commerciale"</legend>
                <div class="row">
                    <SelectField name="bloque" label="Bloquer la gestion commerciale" options=vec![("non", "Non"), ("oui", "Oui")] value=bloque error=error.clone() />
                    <Field name="bloque_motif" label="Raison du blocage" value=motif error=error.clone() />
                </div>
                <Field name="plafond_encours" label="Plafond d'encours (€)" value=plafond error=error />
            </fieldset>
        }
        .into_any();
    }
    let blocked = bloque == "oui";
    let shown_limit = match crate::fmt::parse_cents(&plafond) {
        Some(c) if !plafond.trim().is_empty() => crate::fmt::euros(c),
        _ => "—".to_string(),
    };
    view! {
        <fieldset>
            <legend>"Gestion commerciale"</legend>
            <input type="hidden" name="bloque" value=bloque />
            <input type="hidden" name="bloque_motif" value=motif.clone() />
            <input type="hidden" name="plafond_encours" value=plafond />
            <dl class="identity">
                <dt>"Bloquer la gestion commerciale"</dt>
                <dd>{if blocked { format!("Oui — {motif}") } else { "Non".to_string() }}</dd>
                <dt>"Plafond d'encours"</dt>
                <dd>{shown_limit}</dd>
            </dl>
            <p class="hint">"Modifiable par un utilisateur ayant le droit « Gestion commerciale »."</p>
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn ContactNewPage() -> impl IntoView {
    let error = form_error(path::<CreateContact>());
    let statut = query_param("statut").filter(|s| Statut::from_code(s).is_some()).unwrap_or_else(|| "client".into());
    view! {
        <Title text="Nouveau contact — Ouvrage" />
        {crate::auth::ui::signed_in(move |me| {
            let f = ContactForm { statut: statut.clone(), ..Default::default() };
            let err = error.clone();
            view! {
                <h1>"Nouveau contact"</h1>
                <form method="post" action={path::<CreateContact>()} class="card wide">
                    <DuplicateWatch>{contact_fields(f, err, me.can(Right::Commercial))}</DuplicateWatch>
                    <button type="submit">"Valider"</button>
                </form>
            }
        })}
    }
}

fn contact_id() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
}

async fn load_contact(id: Option<i64>) -> Result<crate::contacts::model::ContactDetail, AppError> {
    match id {
        Some(id) => get_contact(id).await,
        None => Err(AppError::NotFound("Contact".into())),
    }
}

/// A contact's page; «Fiche contact» is its identity tab.
#[component]
pub fn ContactPage() -> impl IntoView {
    let id = contact_id();
    let done = query_param("modifie").or_else(|| query_param("fait"));
    view! {
        <Title text="Fiche contact — Ouvrage" />
        {load(move || load_contact(id), move |c| {
            let statut_label = Statut::from_code(&c.statut).map(|s| s.label()).unwrap_or("");
            let done = done.clone();
            view! {
                <h1>{c.title()}</h1>
                {done.map(|d| view! { <Notice text=match d.as_str() {
                    "cree" => "Contact créé.",
                    "reponses" => "Réponses enregistrées.",
                    "fusion" => "Contacts fusionnés.",
                    "fusion-annulee" => "Fusion annulée.",
                    _ => "Fiche contact enregistrée.",
                } /> })}
                <MergeNotes id=c.id />
                <ContactTabs id=c.id current=ContactTab::Fiche />
                <section class="card wide" aria-label="Fiche contact">
                    <p class="actions"><a class="button" href=format!("/clients/{}/modifier", c.id)>"Modifier"</a></p>
                    <dl class="identity">
                        <dt>"Statut"</dt><dd class=format!("statut statut-{}", c.statut)>{statut_label}</dd>
                        <dt>"Civilité"</dt><dd>{c.civilite.clone()}</dd>
                        <dt>"Nom"</dt><dd>{c.nom.clone()}</dd>
                        <dt>"Prénom"</dt><dd>{c.prenom.clone()}</dd>
                        <dt>"Société"</dt><dd>{c.societe.clone()}</dd>
                        <dt>"Adresse"</dt><dd>{c.adresse.clone()} <br /> {format!("{} {}", c.code_postal, c.ville)}</dd>
                        <dt>"Téléphone"</dt>
                        <dd>{c.phones.iter().map(|p| {
                            let tel = format!("tel:{}", p.replace(' ', ""));
                            view! { <a href=tel>{p.clone()}</a> " " }
                        }).collect_view()}</dd>
                        <dt>"E-mail"</dt><dd>{(!c.email.is_empty()).then(|| view! { <a href=format!("mailto:{}", c.email)>{c.email.clone()}</a> })}</dd>
                        <dt>"Notes"</dt><dd class="notes">{c.notes.clone()}</dd>
                        <dt>"Bloquer la gestion commerciale"</dt>
                        <dd>{if c.commercial.bloque { format!("Oui — {}", c.commercial.motif) } else { "Non".to_string() }}</dd>
                        <dt>"Plafond d'encours"</dt>
                        <dd>{c.commercial.plafond.map(crate::fmt::euros).unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                </section>
                <crate::questions::ui::ContactAnswersSection contact_id=c.id />
                <section class="card wide">
                    <h2>"Historique des statuts"</h2>
                    <table class="list">
                        <thead><tr><th>"Date"</th><th>"Par"</th><th>"Ancien statut"</th><th>"Nouveau statut"</th></tr></thead>
                        <tbody>
                            {c.history.into_iter().map(|h| view! {
                                <tr><td>{h.at}</td><td>{h.user}</td><td>{h.from}</td><td>{h.to}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}
    }
}

#[component]
pub fn ContactEditPage() -> impl IntoView {
    let id = contact_id();
    let error = form_error(path::<UpdateContact>());
    let site_error = form_error(path::<AddSite>());
    view! {
        <Title text="Modifier la fiche contact — Ouvrage" />
        {crate::auth::ui::signed_in(move |me| {
            let commercial = me.can(Right::Commercial);
            load(move || load_contact(id), move |c| {
                let error = error.clone();
                let site_error = site_error.clone();
                let sites = c.sites.clone();
                let cid = c.id;
                view! {
                    <h1>{c.title()}</h1>
                    <ContactTabs id=c.id current=ContactTab::Fiche />
                    {c.type_to_review.then(|| view! {
                        <p class="notice" role="status">"Type de client à vérifier : « Particulier » ou « Professionnel » a été déduit de la société lors de la mise à jour. Choisissez-le et validez."</p>
                    })}
                    <form method="post" action={path::<UpdateContact>()} class="card wide">
                        <input type="hidden" name="id" value=c.id />
                        <DuplicateWatch exclude=c.id>{contact_fields(c.form(), error, commercial)}</DuplicateWatch>
                        <button type="submit">"Valider"</button>
                    </form>
                    <section class="card wide" id="chantiers" aria-label="Adresses de chantier">
                        <h2>"Adresses de chantier"</h2>
                        {if sites.is_empty() {
                            view! { <p>"Aucune adresse de chantier : les documents portent l'adresse du client."</p> }.into_any()
                        } else {
                            view! {
                                <ul>
                                    {sites.into_iter().map(|s| view! {
                                        <li>
                                            {s.label()}
                                            <form method="post" action={path::<ArchiveSite>()} class="inline">
                                                <input type="hidden" name="contact_id" value=cid />
                                                <input type="hidden" name="id" value=s.id />
                                                <button type="submit" aria-label=format!("Archiver {}", s.label())>"Archiver"</button>
                                            </form>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <form method="post" action={path::<AddSite>()}>
                            <FormAlert error=site_error.clone() fields=&["site_libelle", "site_adresse", "site_code_postal", "site_ville"] />
                            <input type="hidden" name="contact_id" value=cid />
                            <Field name="site_libelle" label="Libellé du chantier" error=site_error.clone() hint="Par exemple « Maison de Lyon »" />
                            <Field name="site_adresse" label="Adresse du chantier" error=site_error.clone() />
                            <div class="row">
                                <Field name="site_code_postal" label="Code postal du chantier" error=site_error.clone() />
                                <Field name="site_ville" label="Ville du chantier" error=site_error.clone() />
                            </div>
                            <button type="submit">"Ajouter l'adresse de chantier"</button>
                        </form>
                    </section>
                }
            })
        })}
    }
}

/// The tabs of a contact's pages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ContactTab {
    Accueil,
    Fiche,
    PorteDoc,
    Actions,
    Sav,
}

/// The tabs of a contact's pages; «Porte doc» for users with «Gestion commerciale».
#[component]
pub fn ContactTabs(id: i64, current: ContactTab) -> impl IntoView {
    let tab = move |t: ContactTab, href: String, label: &'static str| view! { <a href=href aria-current=(t == current).then_some("page")>{label}</a> };
    crate::auth::ui::signed_in(move |me| {
        view! {
            <nav class="tabs" aria-label="Onglets du contact">
                {tab(ContactTab::Accueil, format!("/clients/{id}/accueil"), "Accueil")}
                {tab(ContactTab::Fiche, format!("/clients/{id}"), "Fiche contact")}
                {me.can(Right::Commercial).then(|| tab(ContactTab::PorteDoc, format!("/clients/{id}/porte-doc"), "Porte doc"))}
                {tab(ContactTab::Actions, format!("/clients/{id}/actions"), "Actions")}
                {tab(ContactTab::Sav, format!("/clients/{id}/sav"), "SAV et services")}
            </nav>
        }
    })
}

/// «Types de client à vérifier»: records made before «Particulier» / «Professionnel» was
/// asked, whose type was deduced from «Société»; each opens its card to choose.
#[component]
pub fn TypesToReviewPage() -> impl IntoView {
    view! {
        <Title text="Types de client à vérifier — Ouvrage" />
        <h1>"Types de client à vérifier"</h1>
        <p>"Le type de ces fiches a été déduit de la société lors de la mise à jour : ouvrez chacune, choisissez « Particulier » ou « Professionnel » et validez."</p>
        {load(crate::contacts::api::types_to_review, |rows| {
            if rows.is_empty() {
                view! { <p>"Aucune fiche à vérifier."</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {rows.into_iter().map(|(id, title, pro)| view! {
                            <li><a href=format!("/clients/{id}/modifier")>{title}</a>{if pro { " — déduit : professionnel" } else { " — déduit : particulier" }}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        })}
    }
}
