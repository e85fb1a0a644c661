//! Server functions of electronic invoicing: «Paramètres › Facturation électronique»
//! (right «Paramètres»), a document's deposit and statuses, «Redéposer» and «Refaire la
//! facture» (right «Gestion commerciale»). Each authenticates, authorises, validates and
//! acts in one transaction.

use leptos::prelude::*;

use crate::einvoice::platform::{EinvoiceState, PeriodView, PlatformForm, PlatformView, ReceivedView};
use crate::error::AppError;

#[server(prefix = "/api", endpoint = "einvoice/platform")]
pub async fn get_platform() -> Result<PlatformView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let st = crate::auth::session::state()?;
    let mut tx = cx.db.read().await?;
    crate::einvoice::store::platform(&mut tx, &cx.tenant, &st.data_key).await
}

/// «Facturation électronique» › «Enregistrer».
#[server(prefix = "/api", endpoint = "einvoice/save_platform")]
pub async fn save_platform(#[server(flatten)] form: PlatformForm) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let st = crate::auth::session::state()?;
    let mut tx = cx.db.begin().await?;
    crate::einvoice::store::save_platform(&mut tx, &cx.tenant, cx.user_id(), &form, &st.data_key).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/facturation-electronique?modifie=1");
    Ok(())
}

/// A document's deposit and lifecycle statuses.
#[server(prefix = "/api", endpoint = "einvoice/state")]
pub async fn get_einvoice_state(id: i64) -> Result<EinvoiceState, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::einvoice::store::state(&cx.db, &cx.tenant, id).await
}

/// «Redéposer» a refused or uncertain deposit.
#[server(prefix = "/api", endpoint = "einvoice/retry")]
pub async fn retry_deposit(id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    match crate::einvoice::outbox::retry(&mut tx, &cx.tenant, id).await? {
        Some(doc) => {
            crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "document", doc, "redepot", "Redéposer sur la plateforme").await?;
            tx.commit().await?;
            leptos_axum::redirect(&format!("/pieces/{doc}?fait=redepot"));
        }
        None => {
            tx.commit().await?;
            leptos_axum::redirect("/parametres/facturation-electronique/e-reporting?fait=redepot");
        }
    }
    Ok(())
}

/// «Refaire la facture»: a facture the platform rejected or the client refused is
/// cancelled by its avoir and made again as a new draft with the same lines.
#[server(prefix = "/api", endpoint = "einvoice/redo")]
pub async fn redo_invoice(id: i64) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let state = crate::einvoice::store::state(&cx.db, &cx.tenant, id).await?;
    if !state.needs_correction() {
        return Err(AppError::invalid("document", "Seule une facture rejetée ou refusée par la plateforme se refait ainsi."));
    }
    let mut tx = cx.db.begin().await?;
    let new_id = crate::documents::store::redo(&mut tx, &cx.tenant, cx.user_id(), id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{new_id}?fait=enregistre"));
    Ok(new_id)
}

/// «E-reporting»: the periods of the last twelve months and their state.
#[server(prefix = "/api", endpoint = "einvoice/periods")]
pub async fn get_periods() -> Result<Vec<PeriodView>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let today = crate::fmt::paris_date(crate::db::now());
    crate::einvoice::ereporting::store::periods(&cx.db, &cx.tenant, today, 12).await
}

/// «Transmettre» an ended period to the platform.
#[server(prefix = "/api", endpoint = "einvoice/transmit")]
pub async fn transmit_period(kind: String, start: String) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let today = crate::fmt::paris_date(crate::db::now());
    let mut tx = cx.db.begin().await?;
    crate::einvoice::ereporting::store::transmit(&mut tx, &cx.tenant, cx.user_id(), &kind, &start, today).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/facturation-electronique/e-reporting?fait=transmis");
    Ok(())
}

/// «Factures reçues»: the company's received invoices.
#[server(prefix = "/api", endpoint = "einvoice/received")]
pub async fn get_received_list() -> Result<Vec<ReceivedView>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::einvoice::reception::store::list(&cx.db, &cx.tenant).await
}

/// One received invoice, readable.
#[server(prefix = "/api", endpoint = "einvoice/received_one")]
pub async fn get_received(id: i64) -> Result<ReceivedView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    crate::einvoice::reception::store::get(&cx.db, &cx.tenant, id).await
}
