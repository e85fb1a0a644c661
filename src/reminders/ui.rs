//! Reminder pages: «Relance factures clients», «Gestion des relances», «Porte doc» ›
//! «Relances», the dashboard widget.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::fmt::date_fr;
use crate::fmt::euros;
use crate::reminders::api::{
    EmailReminder, MakeReminder, SaveRate, SaveReminderSettings, SaveReminderTemplate, client_reminders, reminder_settings,
    reminder_summary, reminder_worklist,
};
use crate::reminders::model::{OverdueClient, RateRow, Template};
use crate::ui::{Field, FormAlert, Notice, TextField, form_error, load, path, query_param};

const LEVELS: [&str; 4] = ["R1", "R2", "R3", "MED"];

/// «Gestion commerciale» › «Suivi des clients» › «Relance factures clients».
#[component]
pub fn ReminderWorkPage() -> impl IntoView {
    let error = form_error(path::<MakeReminder>());
    let filter = query_param("niveau").unwrap_or_default();
    let done = query_param("fait");
    let made = query_param("relance");
    let error_client: Option<i64> = query_param("client").and_then(|c| c.parse().ok());
    let f = filter.clone();
    view! {
        <Title text="Relance factures clients — Ouvrage" />
        <h1>"Relance factures clients"</h1>
        <p><a href="/gestion-commerciale">"Gestion commerciale"</a> " › Suivi des clients"</p>
        {done.map(|l| view! {
            <Notice text=format!("Relance {l} faite.") />
            {made.clone().map(|id| view! { <p><a href=format!("/relances/{id}/pdf")>"Imprimer"</a></p> })}
        })}
        <form method="get" action="/gestion-commerciale/relances" class="row" aria-label="Filtrer">
            <label for="niveau">"Type de relance"</label>
            <select id="niveau" name="niveau">
                <option value="" selected=filter.is_empty()>"Toutes"</option>
                {LEVELS.iter().map(|l| view! { <option value=*l selected=*l == filter>{format!("À faire : {l}")}</option> }).collect_view()}
            </select>
            <button type="submit">"Filtrer"</button>
        </form>
        {load(move || reminder_worklist(f.clone()), move |clients| {
            let error = error.clone();
            if clients.is_empty() {
                return view! { <p>"Aucune facture échue à relancer."</p> }.into_any();
            }
            view! {
                <p>{format!("{} client(s), {} dû", clients.len(), euros(clients.iter().map(|c| c.total).sum()))}</p>
                {clients.into_iter().map(|c| {
                    let err = error.clone().filter(|_| error_client.is_none_or(|e| e == c.contact_id));
                    client_card(c, err)
                }).collect_view()}
            }.into_any()
        })}
    }
}

fn client_card(c: OverdueClient, error: Option<AppError>) -> impl IntoView {
    let id = c.contact_id;
    let confirm_id = format!("confirm-{id}");
    let comment_id = format!("comment-{id}");
    view! {
        <article class="card wide" aria-label=format!("Client {}", c.name)>
            <h2><a href=format!("/clients/{id}/porte-doc")>{c.name.clone()}</a> {if c.business { " — professionnel" } else { " — particulier" }}</h2>
            <p>
                {format!("Dû : {}", euros(c.total))}
                {c.last_level.clone().map(|l| format!(" · Dernière relance : {l} le {}", c.last_date.as_deref().map(date_fr).unwrap_or_default()))}
                {c.next_level.clone().map(|l| format!(" · Prochaine : {l}"))}
            </p>
            {c.warning.clone().map(|w| view! { <p class="form-error" role="note">{w}</p> })}
            <table class="list" aria-label=format!("Factures échues de {}", c.name)>
                <thead><tr><th>"Facture"</th><th>"Date"</th><th>"Échéance"</th><th>"Retard"</th><th>"Reste dû"</th><th>"Relances faites"</th><th>"Prochaine"</th></tr></thead>
                <tbody>
                    {c.invoices.iter().map(|i| view! {
                        <tr>
                            <td><a href=format!("/pieces/{}", i.id)>{i.number.clone()}</a></td>
                            <td>{date_fr(&i.doc_date)}</td>
                            <td>{date_fr(&i.due_date)}</td>
                            <td class="num">{format!("{} j", i.days_late)}</td>
                            <td class="num">{euros(i.remaining)}</td>
                            <td>{i.done.join(", ")}</td>
                            <td>{i.next_level.clone().map(|l| format!("{l} le {}", date_fr(&i.next_date))).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <form method="post" action={path::<MakeReminder>()} aria-label=format!("Relancer {}", c.name)>
                <FormAlert error=error.clone() fields=&[] />
                <input type="hidden" name="contact_id" value=id />
                <div class="field">
                    <label for=comment_id.clone()>"Commentaire"</label>
                    <textarea id=comment_id name="comment" rows="2"></textarea>
                </div>
                <fieldset class="field">
                    <legend>"Envoi"</legend>
                    <div class="check"><input type="radio" id=format!("ch-c-{id}") name="channel" value="courrier" checked /><label for=format!("ch-c-{id}")>"Imprimer"</label></div>
                    <div class="check"><input type="radio" id=format!("ch-e-{id}") name="channel" value="email" /><label for=format!("ch-e-{id}")>"Envoyer un email"</label></div>
                </fieldset>
                <div class="check">
                    <input type="checkbox" id=confirm_id.clone() name="confirm_skip" value="on" />
                    <label for=confirm_id>"Confirmer le passage à un niveau sans les précédents"</label>
                </div>
                <div class="row">
                    {LEVELS.iter().map(|l| view! { <button type="submit" name="level" value=*l>{*l}</button> }).collect_view()}
                </div>
            </form>
        </article>
    }
}

/// «Porte doc» › «Relances».
#[component]
pub fn ClientRemindersSection(contact_id: i64) -> impl IntoView {
    let error = form_error(path::<EmailReminder>());
    load(
        move || client_reminders(contact_id),
        move |letters| {
            view! {
                <section class="card wide" aria-label="Relances">
                    <h2>"Relances"</h2>
                    {error.clone().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    {if letters.is_empty() {
                        view! { <p>"Aucune relance."</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" aria-label="Relances du client">
                                <thead><tr><th>"Date"</th><th>"Niveau"</th><th>"Envoi"</th><th>"Auteur"</th><th>"Factures"</th><th>"Montants"</th><th>"Commentaire"</th><th>"État"</th><th></th></tr></thead>
                                <tbody>
                                    {letters.into_iter().map(|l| {
                                        let id = l.id;
                                        let emailed = l.mail_status.is_some();
                                        view! {
                                            <tr>
                                                <td>{date_fr(&l.on_date)}</td>
                                                <td>{l.level.clone()}</td>
                                                <td>{if l.channel == "email" { "E-mail" } else { "Courrier" }}</td>
                                                <td>{l.author.clone()}</td>
                                                <td>{l.invoices.join(", ")}</td>
                                                <td>{format!("{} dû", euros(l.amount_due))}{(l.penalties + l.indemnity > 0).then(|| format!(", pénalités {}, indemnité {}", euros(l.penalties), euros(l.indemnity)))}</td>
                                                <td>{l.comment.clone()}</td>
                                                <td class="mail-status">{l.mail_status.clone().unwrap_or_else(|| "—".into())}{(!l.mail_advice.is_empty()).then(|| view! { <p class="hint">{l.mail_advice.clone()}</p> })}</td>
                                                <td>
                                                    <a href=format!("/relances/{id}/pdf") aria-label=format!("Imprimer la relance {} du {}", l.level, date_fr(&l.on_date))>"Imprimer"</a>
                                                    {(!emailed).then(|| view! {
                                                        <form method="post" action={path::<EmailReminder>()} class="inline">
                                                            <input type="hidden" name="id" value=id />
                                                            <button type="submit" class="small">"Envoyer un email"</button>
                                                        </form>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
            }
        },
    )
}

/// «Paramètres» › «Gestion des relances».
#[component]
pub fn ReminderSettingsPage() -> impl IntoView {
    let error = form_error(path::<SaveReminderSettings>());
    let template_error = form_error(path::<SaveReminderTemplate>());
    let rate_error = form_error(path::<SaveRate>());
    let done = query_param("modifie").is_some();
    view! {
        <Title text="Gestion des relances — Ouvrage" />
        <h1>"Gestion des relances"</h1>
        {done.then(|| view! { <Notice text="Enregistré." /> })}
        {load(reminder_settings, move |d| {
            let s = d.settings.clone();
            let error = error.clone();
            let template_error = template_error.clone();
            let rate_error = rate_error.clone();
            view! {
                <form method="post" action={path::<SaveReminderSettings>()} class="card wide" aria-label="Délais et envoi automatique">
                    <h2>"Délais (jours après l'échéance)"</h2>
                    <FormAlert error=error.clone() fields=&["r1_days", "r2_days", "r3_days", "med_days", "med_deadline_days"] />
                    <div class="row">
                        <Field name="r1_days" label="R1" kind="number" value=s.r1_days.to_string() error=error.clone() />
                        <Field name="r2_days" label="R2" kind="number" value=s.r2_days.to_string() error=error.clone() />
                        <Field name="r3_days" label="R3" kind="number" value=s.r3_days.to_string() error=error.clone() />
                        <Field name="med_days" label="MED" kind="number" value=s.med_days.to_string() error=error.clone() />
                    </div>
                    <div class="check"><input type="checkbox" id="auto_r1" name="auto_r1" value="on" checked=s.auto_r1 /><label for="auto_r1">"Envoyer les relances R1 par email"</label></div>
                    <div class="check"><input type="checkbox" id="auto_r2" name="auto_r2" value="on" checked=s.auto_r2 /><label for="auto_r2">"Envoyer les relances R2 par email"</label></div>
                    <div class="check"><input type="checkbox" id="auto_r3" name="auto_r3" value="on" checked=s.auto_r3 /><label for="auto_r3">"Envoyer les relances R3 par email"</label></div>
                    <Field name="med_deadline_days" label="Délai de paiement de la mise en demeure (jours)" kind="number" value=s.med_deadline_days.to_string() error=error.clone() />
                    <p>
                        {match s.contract_rate_bp {
                            Some(bp) => format!("Taux des pénalités de retard : {} % l'an. ", crate::fmt::percent_bp(bp)),
                            None => "Taux des pénalités de retard : taux de refinancement de la BCE majoré de 10 points. ".to_string(),
                        }}
                        <a href="/parametres/entreprise">"Modifier dans « Entreprise »"</a>
                    </p>
                    <button type="submit">"Enregistrer"</button>
                </form>
                {d.templates.iter().map(|t| template_form(t, &d.placeholders, template_error.clone())).collect_view()}
                {rates_view(&d.rates, rate_error)}
            }
        })}
    }
}

fn template_form(t: &Template, placeholders: &[String], error: Option<AppError>) -> impl IntoView + use<> {
    let error = error.filter(|e| e.typed("level").is_none_or(|l| l == t.level));
    view! {
        <form method="post" action={path::<SaveReminderTemplate>()} class="card wide" id=format!("modele-{}", t.level) aria-label=format!("Textes {}", t.level)>
            <h2>{format!("Textes {}", t.level)}</h2>
            <p class="hint">{format!("Variables : {}", placeholders.join(" "))}</p>
            <input type="hidden" name="level" value=t.level.clone() />
            <TextField name="letter" label="Courrier" value=t.letter.clone() error=error.clone() />
            <Field name="email_subject" label="Objet de l'e-mail" value=t.email_subject.clone() error=error.clone() />
            <TextField name="email" label="E-mail" value=t.email.clone() error=error />
            <button type="submit">"Enregistrer"</button>
        </form>
    }
}

fn rates_view(rates: &[RateRow], error: Option<AppError>) -> impl IntoView + use<> {
    let label = |k: &str| match k {
        "bce" => "Taux BCE (refinancement)",
        "legal_particulier" => "Taux légal (créancier particulier)",
        _ => "Taux légal (autres cas)",
    };
    view! {
        <section class="card wide" id="taux" aria-label="Taux">
            <h2>"Taux par semestre"</h2>
            <table class="list">
                <thead><tr><th>"Taux"</th><th>"Semestre"</th><th>"Valeur"</th></tr></thead>
                <tbody>
                    {rates.iter().map(|r| view! { <tr><td>{label(&r.kind)}</td><td>{r.half.clone()}</td><td class="num">{format!("{} %", crate::fmt::percent_bp(r.rate_bp))}</td></tr> }).collect_view()}
                </tbody>
            </table>
            <form method="post" action={path::<SaveRate>()} class="row" aria-label="Ajouter un taux">
                <FormAlert error=error.clone() fields=&["half", "rate"] />
                <div class="field">
                    <label for="rate-kind">"Taux"</label>
                    <select id="rate-kind" name="kind">
                        <option value="bce">"Taux BCE (refinancement)"</option>
                        <option value="legal_particulier">"Taux légal (créancier particulier)"</option>
                        <option value="legal_autre">"Taux légal (autres cas)"</option>
                    </select>
                </div>
                <Field name="half" label="Semestre (2026-1 ou 2026-2)" error=error.clone() />
                <Field name="rate" label="Valeur (%)" error=error />
                <button type="submit">"Enregistrer le taux"</button>
            </form>
        </section>
    }
}

/// The dashboard widget: reminders to make, per level.
#[component]
pub fn RemindersWidget() -> impl IntoView {
    load(reminder_summary, |s| {
        view! {
            <section class="card widget" aria-label="Relances à faire">
                <h2><a href="/gestion-commerciale/relances">"Relances à faire"</a></h2>
                <ul>
                    {s.levels.into_iter().map(|(l, n, amount)| view! {
                        <li><a href=format!("/gestion-commerciale/relances?niveau={l}")>{format!("{l} : {n} client(s), {}", euros(amount))}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
