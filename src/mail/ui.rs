//! Mail on the pages: a document's «E-mails» (status, failures with their advice,
//! «Envoyer par e-mail», «Renvoyer») and «Vérifier mon domaine» under «Préférences».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::mail::api::{CheckMyDomain, RetryMail, SendDocument, document_mails, my_domain};
use crate::mail::model::{DomainProof, DomainReport, DomainStatus, DomainView, MailView, Ownership};
use crate::ui::{Field, FormAlert, Notice, TextField, form_error, load, path, query_param};

const SEND_FIELDS: &[&str] = &["to", "subject", "message"];

#[component]
pub fn DocumentMailsSection(id: i64) -> impl IntoView {
    let error = form_error(path::<SendDocument>());
    let retry_error = form_error(path::<RetryMail>());
    load(
        move || document_mails(id),
        move |m| {
            let error = error.clone();
            view! {
                <section class="card wide" aria-label="E-mails">
                    <h2>"E-mails"</h2>
                    {retry_error.clone().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    {(!m.mails.is_empty()).then(|| view! {
                        <table class="list mails">
                            <thead><tr><th>"Destinataire"</th><th>"Objet"</th><th>"État"</th><th>"Détail"</th></tr></thead>
                            <tbody>{m.mails.iter().map(mail_row).collect_view()}</tbody>
                        </table>
                    })}
                    <form method="post" action={path::<SendDocument>()} aria-label="Envoyer par e-mail">
                        <h3>"Envoyer par e-mail"</h3>
                        <FormAlert error=error.clone() fields=SEND_FIELDS />
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="token" value=m.token.clone() />
                        <Field name="to" label="Destinataire" kind="email" value=m.to.clone() required=true error=error.clone() />
                        <Field name="subject" label="Objet" value=m.subject.clone() required=true error=error.clone() />
                        <TextField name="message" label="Message" value=m.message.clone() error=error />
                        <p class="hint">"Le PDF de la pièce est joint ; votre signature est ajoutée."</p>
                        <button type="submit">"Envoyer par e-mail"</button>
                    </form>
                </section>
            }
        },
    )
}

fn mail_row(m: &MailView) -> impl IntoView + use<> {
    let failed = m.is_failure();
    let detail = if failed { m.advice.clone() } else { m.sender_note.clone() };
    let reply = (failed && !m.smtp_reply.is_empty()).then(|| format!("Réponse du serveur : {}", m.smtp_reply));
    let id = m.id;
    view! {
        <tr class:failed=failed>
            <td>{m.to.clone()}</td>
            <td>{m.subject.clone()}</td>
            <td class="mail-status">{m.status_label()}</td>
            <td>
                {(!detail.is_empty()).then(|| view! { <p class="mail-advice">{detail}</p> })}
                {reply.map(|r| view! { <p class="hint">{r}</p> })}
                {failed.then(|| view! {
                    <form method="post" action={path::<RetryMail>()}>
                        <input type="hidden" name="id" value=id />
                        <button type="submit">"Renvoyer"</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

/// «Préférences» › «Vérifier mon domaine».
#[component]
pub fn DomainPage() -> impl IntoView {
    let error = form_error(path::<CheckMyDomain>());
    let checked = query_param("verifie").is_some();
    view! {
        <Title text="Vérifier mon domaine — Ouvrage" />
        <h1>"Vérifier mon domaine"</h1>
        <p>"Vos e-mails partent de votre adresse quand votre entreprise a prouvé que le domaine de celle-ci est le sien \
            (un enregistrement TXT à publier, indiqué ci-dessous) et que ce domaine autorise nos serveurs d'envoi (SPF). \
            Sinon ils partent de l'adresse d'Ouvrage, avec réponse à la vôtre."</p>
        {checked.then(|| view! { <Notice text="Vérification faite." /> })}
        <FormAlert error=error fields=&[] />
        {load(my_domain, |r| match r {
            Some(v) => domain_view(v).into_any(),
            None => view! { <p>"Votre domaine n'a pas encore été vérifié : cliquez sur « Vérifier mon domaine » pour obtenir l'enregistrement à publier."</p> }.into_any(),
        })}
        <form method="post" action={path::<CheckMyDomain>()}>
            <button type="submit">"Vérifier mon domaine"</button>
        </form>
    }
}

fn domain_view(v: DomainView) -> impl IntoView {
    let sender = if v.sends_as_user() {
        "Vos e-mails partent de votre adresse."
    } else {
        "Vos e-mails partent de l'adresse d'Ouvrage, avec réponse à la vôtre."
    };
    view! {
        <p class="domain-sender" role="status">{sender}</p>
        {proof_view(v.proof)}
        {report_view(v.report)}
    }
}

/// The company's proof of the domain: its state and the TXT record to publish.
fn proof_view(p: DomainProof) -> impl IntoView {
    let ok = p.ownership == Ownership::Verified;
    view! {
        <section class="card" aria-label="Propriété du domaine" class:ok=ok>
            <h2>{format!("{} : {}", p.ownership.label(), p.domain)}</h2>
            <p class="domain-message">{p.message.clone()}</p>
            {(!p.record_value.is_empty()).then(|| view! {
                <h3>"Enregistrement de vérification à publier"</h3>
                <table class="list record">
                    <thead><tr><th>"Nom"</th><th>"Type"</th><th>"Valeur"</th></tr></thead>
                    <tbody><tr>
                        <td><code class="record-name">{p.record_name.clone()}</code></td>
                        <td>"TXT"</td>
                        <td><code class="record proof">{p.record_value.clone()}</code></td>
                    </tr></tbody>
                </table>
                <p class="hint">"Publiez-le dans la zone DNS de votre domaine (chez votre hébergeur ou registraire), \
                    puis cliquez sur « Vérifier mon domaine ». Laissez-le publié ensuite."</p>
            })}
        </section>
    }
}

fn report_view(r: DomainReport) -> impl IntoView {
    let ok = r.status == DomainStatus::Authorised;
    let verdict = match r.status {
        DomainStatus::Authorised => "Domaine autorisé",
        DomainStatus::NotAuthorised => "Domaine non autorisé",
        DomainStatus::NoRecord => "Aucun enregistrement SPF",
        DomainStatus::Broken => "Enregistrement SPF en erreur",
        DomainStatus::Unknown => "Impossible de vérifier",
    };
    view! {
        <section class="card" aria-label="Résultat de la vérification" class:ok=ok>
            <h2>{format!("{verdict} : {}", r.domain)}</h2>
            <p class="domain-message">{r.message.clone()}</p>
            {(!r.spf_records.is_empty()).then(|| view! {
                <h3>"Enregistrement SPF actuel"</h3>
                {r.spf_records.iter().map(|s| view! { <pre class="record">{s.clone()}</pre> }).collect_view()}
            })}
            {r.proposed.clone().map(|p| view! {
                <h3>"Enregistrement à publier"</h3>
                <p>{format!("Un seul enregistrement TXT sur {} :", r.domain)}</p>
                <pre class="record proposed">{p}</pre>
            })}
            <p>{match &r.dmarc { Some(d) => format!("DMARC : {d}"), None => "DMARC : aucun enregistrement.".to_string() }}</p>
        </section>
    }
}
