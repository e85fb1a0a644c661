//! Server functions of commercial documents. Each authenticates, checks the right
//! «Gestion commerciale» (reads too: a client's documents, payments and files are
//! commercial management), validates, and acts in one transaction.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::documents::model::{DocumentView, PorteDoc};
use crate::error::AppError;

/// A client's «Porte doc».
#[server(prefix = "/api", endpoint = "documents/porte_doc")]
pub async fn get_porte_doc(contact_id: i64) -> Result<PorteDoc, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::documents::store::porte_doc(&cx.db, &cx.tenant, contact_id).await
}

#[server(prefix = "/api", endpoint = "documents/get")]
pub async fn get_document(id: i64) -> Result<DocumentView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::documents::store::get(&cx.db, &cx.tenant, id).await
}

/// «Nouveau devis» / «Nouvelle facture» / «Nouvel avoir» › «Enregistrer»: a draft.
#[server(prefix = "/api", endpoint = "documents/create")]
pub async fn create_document(
    contact_id: i64,
    kind: String,
    #[server(default)] doc_date: String,
    #[server(default)] due_date: String,
    #[server(default)] designation: Vec<String>,
    #[server(default)] quantity: Vec<String>,
    #[server(default)] unit_price: Vec<String>,
    #[server(default)] vat: Vec<String>,
) -> Result<i64, AppError> {
    use crate::documents::model::{DocumentForm, Kind};
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let form = DocumentForm { kind, doc_date, due_date, designation, quantity, unit_price, vat };
    let input = form.parse(&crate::fmt::today_paris())?;
    if input.kind == Kind::Avoir {
        return Err(AppError::invalid("kind", "Un avoir se fait depuis sa facture : «\u{a0}Faire un avoir\u{a0}»."));
    }
    let mut tx = cx.db.begin().await?;
    let id = crate::documents::store::create_draft(&mut tx, &cx.tenant, cx.user_id(), contact_id, &input, None).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=enregistre"));
    Ok(id)
}

/// A draft's «Enregistrer».
#[server(prefix = "/api", endpoint = "documents/update")]
pub async fn update_document(
    id: i64,
    kind: String,
    #[server(default)] doc_date: String,
    #[server(default)] due_date: String,
    #[server(default)] designation: Vec<String>,
    #[server(default)] quantity: Vec<String>,
    #[server(default)] unit_price: Vec<String>,
    #[server(default)] vat: Vec<String>,
) -> Result<(), AppError> {
    use crate::documents::model::DocumentForm;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let form = DocumentForm { kind, doc_date, due_date, designation, quantity, unit_price, vat };
    let input = form.parse(&crate::fmt::today_paris())?;
    let mut tx = cx.db.begin().await?;
    crate::documents::store::update_draft(&mut tx, &cx.tenant, id, &input).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=enregistre"));
    Ok(())
}

/// «Émettre»: the number, the PDF as sent.
#[server(prefix = "/api", endpoint = "documents/issue")]
pub async fn issue_document(id: i64) -> Result<String, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    let number = crate::documents::store::issue(&mut tx, &cx.tenant, cx.user_id(), id).await?;
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
pub async fn pay_document(id: i64, #[server(default)] paid_on: String, amount: String, #[server(default)] method: String) -> Result<(), AppError> {
    use crate::documents::model::{PAYMENT_METHODS, format_date, parse_cents, parse_date};
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let typed = vec![("paid_on".to_string(), paid_on.clone()), ("amount".to_string(), amount.clone()), ("method".to_string(), method.clone())];
    let date = parse_date(&paid_on).ok_or_else(|| AppError::invalid("paid_on", "Date de paiement invalide.").with_values(typed.clone()))?;
    let cents = parse_cents(&amount).ok_or_else(|| AppError::invalid("amount", "Montant invalide : en euros, 2 décimales au plus.").with_values(typed.clone()))?;
    if !PAYMENT_METHODS.contains(&method.as_str()) {
        return Err(AppError::invalid("method", "Mode de paiement inconnu.").with_values(typed));
    }
    let mut tx = cx.db.begin().await?;
    crate::documents::store::pay(&mut tx, &cx.tenant, cx.user_id(), id, &format_date(date), cents, &method).await.map_err(|e| e.with_values(typed))?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=paiement"));
    Ok(())
}
