//! Pages of commercial management: «Porte doc», a new document, a document.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::documents::api::*;
use crate::documents::model::{DocumentForm, DocumentView, Kind, LINES_MAX, PAYMENT_METHODS, Status, UNITS, VAT_RATES, vat_label};
use crate::error::AppError;
use crate::fmt::{cents_field, date_fr, euros, milli_fr, percent_bp};
use crate::ui::{Field, FormAlert, Notice, SelectField, form_error, id_param, load, path, query_param};

fn notice_for(done: Option<String>) -> Option<&'static str> {
    match done.as_deref() {
        Some("enregistre") => Some("Pièce enregistrée."),
        Some("emise") => Some("Pièce émise."),
        Some("paiement") => Some("Paiement enregistré."),
        Some("importe") => Some("Fichier importé."),
        Some("envoye") => Some("E-mail mis en file d'envoi."),
        Some("renvoye") => Some("E-mail remis en file d'envoi."),
        Some("litige") => Some("Litige enregistré."),
        Some("relance-envoyee") => Some("Relance mise en file d'envoi."),
        Some("redepot") => Some("Facture remise en file de dépôt sur la plateforme."),
        _ => None,
    }
}

/// «Porte doc»: the client's documents, its imported files, its encours.
#[component]
pub fn PorteDocPage() -> impl IntoView {
    let id = id_param();
    let done = notice_for(query_param("fait"));
    let upload_error = crate::ui::signed_message("erreur");
    view! {
        <Title text="Porte doc — Ouvrage" />
        {crate::auth::ui::signed_in(move |me| {
            // The client's reminder letters are shown to who may make and print them.
            let can_remind = me.can(crate::auth::Right::Reminders);
            load(move || async move { get_porte_doc(id.ok_or_else(|| AppError::NotFound("Contact".into()))?).await }, move |p| {
                let upload_error = upload_error.clone();
                view! {
                    <h1>{p.contact_name.clone()}</h1>
                    {done.map(|t| view! { <Notice text=t /> })}
                    <crate::contacts::ui::ContactTabs id=p.contact_id current=crate::contacts::ui::ContactTab::PorteDoc />
                    <section class="card wide" aria-label="Porte doc">
                        <dl class="identity">
                            <dt>"Encours"</dt><dd class="encours">{euros(p.encours)}</dd>
                            <dt>"Plafond d'encours"</dt><dd>{p.plafond.map(euros).unwrap_or_else(|| "—".into())}</dd>
                            <dt>"Bloquer la gestion commerciale"</dt>
                            <dd>{if p.bloque { format!("Oui — {}", p.bloque_motif) } else { "Non".into() }}</dd>
                        </dl>
                        {(!p.trashed).then(|| view! {
                            <p class="actions">
                                <a class="button" href=format!("/clients/{}/pieces/nouvelle?type=devis", p.contact_id)>"Nouveau devis"</a>
                                " "
                                <a class="button" href=format!("/clients/{}/pieces/nouvelle?type=facture", p.contact_id)>"Nouvelle facture"</a>
                            </p>
                        })}
                        <h2>"Pièces commerciales"</h2>
                        <table class="list">
                            <thead><tr><th>"Pièce"</th><th>"Date"</th><th>"Statut"</th><th>"Facturation électronique"</th><th>"Total TTC"</th><th>"Reste à payer"</th><th>"PDF"</th></tr></thead>
                            <tbody>
                                {p.documents.into_iter().map(|d| { let einvoice = &p.einvoice;
                                    let title = match &d.number { Some(n) => format!("{} {n}", d.kind.label()), None => format!("{} (brouillon)", d.kind.label()) };
                                    view! {
                                        <tr>
                                            <td><a href=format!("/pieces/{}", d.id)>{title.clone()}</a></td>
                                            <td>{date_fr(&d.doc_date)}</td>
                                            <td>{d.status.label()}</td>
                                            <td>{einvoice.iter().find(|(id, _)| *id == d.id).map(|(_, l)| l.clone())}</td>
                                            <td class="num">{euros(d.total_ttc)}</td>
                                            <td class="num">{euros(d.remaining)}</td>
                                            <td><a href=format!("/pieces/{}/pdf", d.id) download aria-label=format!("Télécharger {title}")>"Télécharger"</a></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h2>"Fichiers"</h2>
                        <table class="list">
                            <thead><tr><th>"Fichier"</th><th>"Taille"</th><th>"Importé le"</th><th></th></tr></thead>
                            <tbody>
                                {p.files.into_iter().map(|f| view! {
                                    <tr>
                                        <td>{f.name.clone()}</td>
                                        <td class="num">{format!("{} Ko", (f.size + 1023) / 1024)}</td>
                                        <td>{f.created_at}</td>
                                        <td><a href=format!("/fichiers/{}", f.id) download aria-label=format!("Télécharger {}", f.name)>"Télécharger"</a></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <form method="post" enctype="multipart/form-data" action=format!("/clients/{}/porte-doc/importer", p.contact_id) class="inline">
                            {upload_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                            <div class="field">
                                <label for="f-fichier">"Fichier (10 Mo au plus)"</label>
                                <input id="f-fichier" type="file" name="fichier" required />
                            </div>
                            <button type="submit">"Importer"</button>
                        </form>
                    </section>
                    {can_remind.then(|| view! { <crate::reminders::ui::ClientRemindersSection contact_id=p.contact_id /> })}
                }
            })
        })}
    }
}

const DOC_FIELDS: &[&str] = &["kind", "doc_date", "due_date", "lines", "work_date", "site_id", "autoliquidation"];

/// The fields of a document form: dates, job site, then the lines (existing + empty rows).
fn document_fields(f: DocumentForm, sites: Vec<(i64, String)>, error: Option<AppError>) -> impl IntoView {
    let typed = |name: &str| -> Vec<String> {
        match &error {
            Some(AppError::Invalid { values, .. }) if !values.is_empty() => {
                values.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
            }
            _ => Vec::new(),
        }
    };
    let has_typed = matches!(&error, Some(AppError::Invalid { values, .. }) if !values.is_empty());
    let (des, qty, pu, vat, units, remise) = if has_typed {
        (typed("designation[]"), typed("quantity[]"), typed("unit_price[]"), typed("vat[]"), typed("unit[]"), typed("remise[]"))
    } else {
        (f.designation.clone(), f.quantity.clone(), f.unit_price.clone(), f.vat.clone(), f.unit.clone(), f.remise.clone())
    };
    let typed_one = |name: &str, stored: String| if has_typed { typed(name).into_iter().next().unwrap_or_default() } else { stored };
    let site_now = typed_one("site_id", f.site_id.clone());
    let autoliquidation = !typed_one("autoliquidation", f.autoliquidation.clone().unwrap_or_default()).is_empty();
    let rows = (des.len() + 3).clamp(5, LINES_MAX);
    let lines_error = error.as_ref().and_then(|e| e.for_field("lines"));
    let rows_view = (0..rows)
        .map(|i| {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            let vat_now = get(&vat);
            let vat_now = if vat_now.is_empty() { "2000".to_string() } else { vat_now };
            let unit_now = get(&units);
            view! {
                <tr>
                    <td><input type="text" name="designation[]" value=get(&des) aria-label=format!("Désignation, ligne {}", i + 1) /></td>
                    <td><input type="text" inputmode="decimal" name="quantity[]" value=get(&qty) aria-label=format!("Quantité, ligne {}", i + 1) size="6" /></td>
                    <td>
                        <select name="unit[]" aria-label=format!("Unité, ligne {}", i + 1)>
                            {UNITS.iter().map(|u| view! { <option value=*u selected=*u == unit_now>{*u}</option> }).collect_view()}
                        </select>
                    </td>
                    <td><input type="text" inputmode="decimal" name="unit_price[]" value=get(&pu) aria-label=format!("Prix unitaire HT, ligne {}", i + 1) size="9" /></td>
                    <td><input type="text" inputmode="decimal" name="remise[]" value=get(&remise) aria-label=format!("Remise %, ligne {}", i + 1) size="4" /></td>
                    <td>
                        <select name="vat[]" aria-label=format!("TVA, ligne {}", i + 1)>
                            {VAT_RATES.iter().map(|(bp, label)| {
                                let v = bp.to_string();
                                let selected = v == vat_now;
                                view! { <option value=v selected=selected>{*label}</option> }
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <FormAlert error=error.clone() fields=DOC_FIELDS />
        <input type="hidden" name="kind" value=f.kind.clone() />
        <div class="row">
            <Field name="doc_date" label="Date" kind="date" value=f.doc_date.clone() error=error.clone() />
            <Field name="due_date" label="Échéance" kind="date" value=f.due_date.clone() error=error.clone() />
            <Field name="work_date" label="Date des travaux" kind="date" value=f.work_date.clone() error=error.clone() hint="Si elle diffère de la date" />
        </div>
        <div class="field">
            <label for="f-site_id">"Adresse de chantier"</label>
            <select id="f-site_id" name="site_id">
                <option value="" selected=site_now.is_empty()>"Adresse du client"</option>
                {sites.into_iter().map(|(id, l)| { let v = id.to_string(); let sel = v == site_now; view! { <option value=v selected=sel>{l}</option> } }).collect_view()}
            </select>
        </div>
        <div class="check"><input type="checkbox" id="autoliquidation" name="autoliquidation" value="on" checked=autoliquidation /><label for="autoliquidation">"Autoliquidation (sous-traitance BTP)"</label></div>
        <fieldset>
            <legend>"Lignes"</legend>
            {lines_error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <table class="lines">
                <thead><tr><th>"Désignation"</th><th>"Quantité"</th><th>"Unité"</th><th>"Prix unitaire HT (€)"</th><th>"Remise %"</th><th>"TVA"</th></tr></thead>
                <tbody>{rows_view}</tbody>
            </table>
        </fieldset>
    }
}

/// «Nouveau devis» / «Nouvelle facture».
#[component]
pub fn DocumentNewPage() -> impl IntoView {
    let contact = id_param();
    let kind = query_param("type").and_then(|k| Kind::from_code(&k)).filter(|k| *k != Kind::Avoir).unwrap_or(Kind::Facture);
    let error = form_error(path::<CreateDocument>());
    view! {
        <Title text="Nouvelle pièce — Ouvrage" />
        {load(move || async move { get_porte_doc(contact.ok_or_else(|| AppError::NotFound("Contact".into()))?).await }, move |p| {
            let f = DocumentForm { kind: kind.code().into(), doc_date: today(), due_date: String::new(), ..Default::default() };
            let heading = if kind == Kind::Devis { "Nouveau devis" } else { "Nouvelle facture" };
            view! {
                <h1>{format!("{heading} — {}", p.contact_name)}</h1>
                <form method="post" action={path::<CreateDocument>()} class="card wide">
                    <input type="hidden" name="contact_id" value=p.contact_id />
                    {document_fields(f, p.site_choices.clone(), error.clone())}
                    <p class="hint">"L'échéance vide suit les conditions de paiement de l'entreprise (30 jours sans autre réglage, 60 au plus)."</p>
                    <button type="submit">"Enregistrer"</button>
                </form>
            }
        })}
    }
}

/// Today in the browser's sense is not needed: the server's Paris date fills the form.
fn today() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::fmt::today_paris()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

fn draft_form(d: &DocumentView) -> DocumentForm {
    DocumentForm {
        kind: d.kind.code().into(),
        doc_date: d.doc_date.clone(),
        due_date: d.due_date.clone(),
        designation: d.lines.iter().map(|l| l.designation.clone()).collect(),
        quantity: d.lines.iter().map(|l| milli_fr(l.quantity_milli)).collect(),
        unit_price: d.lines.iter().map(|l| cents_field(l.unit_price)).collect(),
        vat: d.lines.iter().map(|l| l.vat_bp.to_string()).collect(),
        unit: d.lines.iter().map(|l| l.unit.clone()).collect(),
        remise: d.lines.iter().map(|l| if l.discount_bp > 0 { percent_bp(l.discount_bp) } else { String::new() }).collect(),
        work_date: d.work_date.clone(),
        site_id: d.site_id.map(|i| i.to_string()).unwrap_or_default(),
        autoliquidation: d.autoliquidation.then(|| "on".into()),
    }
}

/// A button that posts `id` (and `kind`) to a server function.
fn action_button(action: &'static str, id: i64, kind: Option<&'static str>, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline">
            <input type="hidden" name="id" value=id />
            {kind.map(|k| view! { <input type="hidden" name="kind" value=k /> })}
            <button type="submit">{label}</button>
        </form>
    }
}

/// A document: its lines and totals; a draft is edited here; «Émettre», «Convertir en
/// facture», «Faire un avoir», payments, the PDF.
#[component]
pub fn DocumentPage() -> impl IntoView {
    let id = id_param();
    let done = notice_for(query_param("fait"));
    let update_error = form_error(path::<UpdateDocument>());
    let action_error = [
        path::<IssueDocument>(),
        path::<DeriveDocument>(),
        path::<CancelDocument>(),
        path::<crate::einvoice::api::RetryDeposit>(),
        path::<crate::einvoice::api::RedoInvoice>(),
    ]
    .into_iter()
    .find_map(form_error);
    let pay_error = form_error(path::<PayDocument>());
    view! {
        <Title text="Pièce commerciale — Ouvrage" />
        {load(move || async move {
            let id = id.ok_or_else(|| AppError::NotFound("Pièce".into()))?;
            let d = get_document(id).await?;
            // An issued facture or avoir: its electronic life (deposit, statuses).
            let e = if d.number.is_some() && d.kind != Kind::Devis { Some(crate::einvoice::api::get_einvoice_state(id).await?) } else { None };
            Ok((d, e))
        }, move |(d, einvoice)| {
            let draft = d.status == Status::Brouillon;
            let payable = d.kind == Kind::Facture && matches!(d.status, Status::Emise | Status::Partielle);
            view! {
                <h1>{d.title()}</h1>
                {done.map(|t| view! { <Notice text=t /> })}
                <p><a href=format!("/clients/{}/porte-doc", d.contact_id)>{format!("Porte doc de {}", d.contact_name)}</a></p>
                {action_error.clone().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                {action_error.as_ref().and_then(|e| e.field()).filter(|f| *f == "entreprise").map(|_| view! {
                    <p><a href="/parametres/entreprise">"Compléter l'identité de l'entreprise (Entreprise)"</a></p>
                })}
                {action_error.as_ref().and_then(|e| e.field()).filter(|f| *f == "taux_reduit").map(|_| view! {
                    <form method="post" action={path::<IssueDocument>()} class="card wide" aria-label="Confirmer le taux réduit">
                        <input type="hidden" name="id" value=d.id />
                        <div class="check"><input type="checkbox" id="taux_reduit_confirme" name="taux_reduit_confirme" value="on" required />
                            <label for="taux_reduit_confirme">"Je confirme que les travaux portent sur des locaux d'habitation achevés depuis plus de deux ans"</label></div>
                        <button type="submit">"Émettre"</button>
                    </form>
                })}
                <section class="card wide" aria-label="Pièce">
                    <dl class="identity">
                        <dt>"Statut"</dt><dd class="doc-status">{d.status.label()}</dd>
                        <dt>"Date"</dt><dd>{date_fr(&d.doc_date)}</dd>
                        <dt>"Échéance"</dt><dd>{date_fr(&d.due_date)}</dd>
                        {d.source_number.clone().map(|n| view! {
                            <dt>{if d.kind == Kind::Avoir { "Facture" } else { "Devis" }}</dt>
                            <dd><a href=format!("/pieces/{}", d.source_id.unwrap_or_default())>{n}</a></dd>
                        })}
                    </dl>
                    <table class="list">
                        <thead><tr><th>"Désignation"</th><th>"Quantité"</th><th>"PU HT"</th><th>"Remise"</th><th>"TVA"</th><th>"Total HT"</th></tr></thead>
                        <tbody>
                            {d.lines.iter().map(|l| view! {
                                <tr>
                                    <td>{l.designation.clone()}</td>
                                    <td class="num">{milli_fr(l.quantity_milli)}</td>
                                    <td class="num">{euros(l.unit_price)}</td>
                                    <td class="num">{(l.discount_bp > 0).then(|| format!("{} %", percent_bp(l.discount_bp)))}</td>
                                    <td>{vat_label(l.vat_bp)}</td>
                                    <td class="num">{euros(l.total_ht())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <dl class="totals">
                        <dt>"Total HT"</dt><dd>{euros(d.totals.ht)}</dd>
                        {d.totals.by_rate.iter().map(|(bp, _, tva)| view! { <dt>{format!("TVA {}", vat_label(*bp))}</dt><dd>{euros(*tva)}</dd> }).collect_view()}
                        <dt>"Total TTC"</dt><dd class="ttc">{euros(d.totals.ttc)}</dd>
                        {(d.kind == Kind::Facture && d.status != Status::Brouillon).then(|| view! {
                            <dt>"Reste à payer"</dt><dd class="remaining">{euros(d.remaining())}</dd>
                        })}
                    </dl>
                    <p class="actions">
                        <a class="button" href=format!("/pieces/{}/pdf", d.id) download>"Télécharger le PDF"</a>
                        {(d.number.is_some() && d.kind != Kind::Devis).then(|| view! {
                            <a class="button" href=format!("/pieces/{}/facturx", d.id) download>"Télécharger (Factur-X)"</a>
                            <a class="button" href=format!("/pieces/{}/ubl", d.id) download>"Télécharger (UBL)"</a>
                        })}
                        {draft.then(|| action_button(path::<IssueDocument>(), d.id, None, "Émettre"))}
                        {(d.kind == Kind::Devis && d.status == Status::Emise).then(|| action_button(path::<DeriveDocument>(), d.id, Some("facture"), "Convertir en facture"))}
                        {payable.then(|| action_button(path::<DeriveDocument>(), d.id, Some("avoir"), "Faire un avoir"))}
                        {(draft || (d.kind == Kind::Devis && d.status == Status::Emise)).then(|| action_button(path::<CancelDocument>(), d.id, None, "Annuler"))}
                    </p>
                </section>
                {einvoice.map(|e| crate::einvoice::ui::einvoice_panel(d.id, e))}
                {draft.then(|| {
                    let f = draft_form(&d);
                    view! {
                        <form method="post" action={path::<UpdateDocument>()} class="card wide" aria-label="Modifier le brouillon">
                            <h2>"Modifier le brouillon"</h2>
                            <input type="hidden" name="id" value=d.id />
                            {document_fields(f, d.site_choices.clone(), update_error.clone())}
                            <button type="submit">"Enregistrer"</button>
                        </form>
                    }
                })}
                {payable.then(|| {
                    let err = pay_error.clone();
                    let methods: Vec<(&'static str, &'static str)> = PAYMENT_METHODS.iter().map(|m| (*m, *m)).collect();
                    view! {
                        <form method="post" action={path::<PayDocument>()} class="card wide" aria-label="Enregistrer un paiement">
                            <h2>"Enregistrer un paiement"</h2>
                            <FormAlert error=err.clone() fields=&["paid_on", "amount", "method"] />
                            <input type="hidden" name="id" value=d.id />
                            <div class="row">
                                <Field name="paid_on" label="Date du paiement" kind="date" value=today() error=err.clone() />
                                <Field name="amount" label="Montant (€)" value=cents_field(d.remaining()) error=err.clone() />
                                <SelectField name="method" label="Mode de paiement" options=methods value="Virement" error=err />
                            </div>
                            <button type="submit">"Enregistrer le paiement"</button>
                        </form>
                    }
                })}
                {(!d.payments.is_empty()).then(|| view! {
                    <section class="card wide">
                        <h2>"Paiements"</h2>
                        <table class="list">
                            <thead><tr><th>"Date"</th><th>"Montant"</th><th>"Mode"</th></tr></thead>
                            <tbody>
                                {d.payments.iter().map(|p| view! {
                                    <tr><td>{date_fr(&p.paid_on)}</td><td class="num">{euros(p.amount)}</td><td>{p.method.clone()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })}
                {(d.kind == Kind::Facture && !draft && d.status != Status::Annulee).then(|| view! {
                    <form method="post" action={path::<crate::reminders::api::DisputeDocument>()} class="card wide" aria-label="Litige">
                        <input type="hidden" name="id" value=d.id />
                        <div class="check">
                            <input type="checkbox" id="f-litige" name="litige" value="on" checked=d.litige />
                            <label for="f-litige">"En litige"</label>
                        </div>
                        <p class="hint">"Une facture en litige n'est pas relancée."</p>
                        <button type="submit">"Enregistrer"</button>
                    </form>
                })}
                {(!draft).then(|| view! { <crate::mail::ui::DocumentMailsSection id=d.id /> })}
            }
        })}
    }
}
