//! Server functions of commercial documents. Each authenticates, checks the right
//! «Gestion commerciale» (reads too: a client's documents, payments and files are
//! commercial management), validates, and acts in one transaction. A new document and a
//! draft's «Enregistrer» post the same fields: both take one `DocumentForm`, flattened
//! (`#[server(flatten)]`), so the lines stay `designation[]=…&quantity[]=…`.

use leptos::prelude::*;

use crate::documents::model::{DocumentForm, DocumentView, PorteDoc};
use crate::error::AppError;

/// A client's «Porte doc».
#[server(prefix = "/api", endpoint = "documents/porte_doc")]
pub async fn get_porte_doc(contact_id: i64) -> Result<PorteDoc, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut p = crate::documents::store::porte_doc(&cx.db, &cx.tenant, contact_id).await?;
    p.einvoice = crate::einvoice::store::last_statuses(&cx.db, &cx.tenant, contact_id).await?;
    Ok(p)
}

#[server(prefix = "/api", endpoint = "documents/get")]
pub async fn get_document(id: i64) -> Result<DocumentView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::documents::store::get(&cx.db, &cx.tenant, id).await
}

/// «Nouveau devis» / «Nouvelle facture» / «Nouvel avoir» › «Enregistrer»: a draft.
#[server(prefix = "/api", endpoint = "documents/create")]
pub async fn create_document(contact_id: i64, #[server(flatten)] form: DocumentForm) -> Result<i64, AppError> {
    use crate::documents::model::Kind;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    let terms = crate::company::store::identity(&mut tx, &cx.tenant).await?.paiement_jours;
    let input = form.parse_with_terms(&crate::fmt::today_paris(), terms)?;
    if input.kind == Kind::Avoir {
        return Err(AppError::invalid("kind", "Un avoir se fait depuis sa facture : «\u{a0}Faire un avoir\u{a0}»."));
    }
    let id = crate::documents::store::create_draft(&mut tx, &cx.tenant, cx.user_id(), contact_id, &input, None).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=enregistre"));
    Ok(id)
}

/// A draft's «Enregistrer».
#[server(prefix = "/api", endpoint = "documents/update")]
pub async fn update_document(id: i64, #[server(flatten)] form: DocumentForm) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    let terms = crate::company::store::identity(&mut tx, &cx.tenant).await?.paiement_jours;
    let input = form.parse_with_terms(&crate::fmt::today_paris(), terms)?;
    crate::documents::store::update_draft(&mut tx, &cx.tenant, id, &input).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=enregistre"));
    Ok(())
}

/// «Émettre»: the number, the PDF as sent, and for a facture or avoir its electronic
/// forms (Factur-X, UBL), in the same transaction.
#[server(prefix = "/api", endpoint = "documents/issue")]
pub async fn issue_document(id: i64, #[server(default)] taux_reduit_confirme: Option<String>) -> Result<String, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    let number = crate::documents::store::issue(&mut tx, &cx.tenant, cx.user_id(), id, taux_reduit_confirme.is_some()).await?;
    crate::einvoice::store::keep(&mut tx, &cx.tenant, id).await?;
    crate::reminders::store::after_settlement(&mut tx, &cx.tenant, id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=emise"));
    Ok(number)
}

/// «Convertir en facture» (a devis) or «Faire un avoir» (a facture): a new draft.
#[server(prefix = "/api", endpoint = "documents/derive")]
pub async fn derive_document(id: i64, kind: String) -> Result<i64, AppError> {
    use crate::documents::model::Kind;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let kind = Kind::from_code(&kind).ok_or_else(|| AppError::invalid("kind", "Type de pièce inconnu."))?;
    let mut tx = cx.db.begin().await?;
    let new_id = crate::documents::store::derive(&mut tx, &cx.tenant, cx.user_id(), id, kind).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{new_id}?fait=enregistre"));
    Ok(new_id)
}

#[server(prefix = "/api", endpoint = "documents/cancel")]
pub async fn cancel_document(id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    crate::documents::store::cancel(&mut tx, &cx.tenant, cx.user_id(), id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}"));
    Ok(())
}

/// «Enregistrer un paiement».
#[server(prefix = "/api", endpoint = "documents/pay")]
pub async fn pay_document(
    id: i64,
    #[server(default)] paid_on: String,
    amount: String,
    #[server(default)] method: String,
) -> Result<(), AppError> {
    use crate::documents::model::{PAYMENT_METHODS, format_date, parse_date};
    use crate::fmt::parse_cents;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let typed =
        vec![("paid_on".to_string(), paid_on.clone()), ("amount".to_string(), amount.clone()), ("method".to_string(), method.clone())];
    let date = parse_date(&paid_on).ok_or_else(|| AppError::invalid("paid_on", "Date de paiement invalide.").with_values(typed.clone()))?;
    let cents = parse_cents(&amount)
        .ok_or_else(|| AppError::invalid("amount", "Montant invalide : en euros, 2 décimales au plus.").with_values(typed.clone()))?;
    if !PAYMENT_METHODS.contains(&method.as_str()) {
        return Err(AppError::invalid("method", "Mode de paiement inconnu.").with_values(typed));
    }
    let mut tx = cx.db.begin().await?;
    let payment = crate::documents::store::pay(&mut tx, &cx.tenant, cx.user_id(), id, &format_date(date), cents, &method)
        .await
        .map_err(|e| e.with_values(typed))?;
    crate::einvoice::store::after_payment(&mut tx, &cx.tenant, id, payment, cents).await?;
    crate::reminders::store::after_settlement(&mut tx, &cx.tenant, id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=paiement"));
    Ok(())
}

/// The form posts what it posted when each field was an argument: every body decodes to
/// what the former signature read (defaults included), or both refuse it.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::decode_form as decode;

    /// The former arguments of `documents/update`, one per form field.
    #[derive(serde::Deserialize)]
    struct Before {
        id: i64,
        kind: String,
        #[serde(default)]
        doc_date: String,
        #[serde(default)]
        due_date: String,
        #[serde(default)]
        designation: Vec<String>,
        #[serde(default)]
        quantity: Vec<String>,
        #[serde(default)]
        unit_price: Vec<String>,
        #[serde(default)]
        vat: Vec<String>,
    }

    #[test]
    fn same_fields_as_the_former_arguments() {
        let bodies = [
            "kind=devis&doc_date=2026-11-29&due_date=&designation[]=Pose+%C2%AB+fen%C3%AAtre+%C2%BB&designation[]=&quantity[]=1,5&quantity[]=&unit_price[]=120,00&unit_price[]=&vat[]=2000&vat[]=",
            "kind=facture",
            "kind=devis&designation%5B%5D=A&quantity%5B%5D=1&unit_price%5B%5D=2&vat%5B%5D=550",
            "kind=devis&designation[0]=A&designation[1]=B&quantity[]=1",
            "kind=devis&autre=1&x[y]=2",
            "doc_date=2026-11-29",
            "kind=devis&designation=A",
            "kind=devis&kind=facture",
        ];
        let mut accepted = 0;
        for body in bodies {
            let before = decode::<Before>(&format!("id=7&{body}")).map(|b| {
                let form = DocumentForm {
                    kind: b.kind,
                    doc_date: b.doc_date,
                    due_date: b.due_date,
                    designation: b.designation,
                    quantity: b.quantity,
                    unit_price: b.unit_price,
                    vat: b.vat,
                    ..Default::default()
                };
                (b.id, form)
            });
            let update = decode::<UpdateDocument>(&format!("id=7&{body}")).map(|u| (u.id, u.form));
            let create = decode::<CreateDocument>(&format!("contact_id=7&{body}")).map(|c| (c.contact_id, c.form));
            match (&before, &update, &create) {
                (Ok(b), Ok(u), Ok(c)) => {
                    assert_eq!(b, u, "{body}");
                    assert_eq!(b, c, "{body}");
                    accepted += 1;
                }
                (Err(_), Err(_), Err(_)) => {}
                _ => panic!("{body}: before {before:?}, update {update:?}, create {create:?}"),
            }
        }
        assert_eq!(accepted, 5);
        let full = decode::<UpdateDocument>(&format!("id=7&{}", bodies[0])).expect("full form");
        assert_eq!(full.form.designation, ["Pose « fenêtre »", ""]);
        assert_eq!(full.form.vat, ["2000", ""]);
    }
}
