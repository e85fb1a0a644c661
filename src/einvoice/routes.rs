//! Downloads of an issued document's electronic forms (plain HTTP: files go as bytes):
//!   GET /pieces/{id}/facturx   «Télécharger (Factur-X)»: the PDF/A-3 with its CII
//!   GET /pieces/{id}/ubl       «Télécharger (UBL)»: the UBL 2.1 XML
//!   GET /pieces/{id}/cii       the CII XML alone
//! Each authenticates with the session cookie, needs «Gestion commerciale» (as the PDF),
//! and reads only the caller's company.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::auth::Right;
use crate::einvoice::store::Form;
use crate::error::AppError;
use crate::files::{error_response, file_response};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pieces/{id}/facturx", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::FacturX)))
        .route("/pieces/{id}/ubl", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::Ubl)))
        .route("/pieces/{id}/cii", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::Cii)))
}

async fn download(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, form: Form) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        let mut tx = cx.db.read().await?;
        match crate::einvoice::store::form_tx(&mut tx, &cx.tenant, id, form).await? {
            Some(file) => Ok(file),
            None => {
                // Another company's document, or none: not found; one of ours: why not.
                crate::documents::store::view_tx(&mut tx, &cx.tenant, id).await?;
                Err(AppError::invalid(
                    "document",
                    "Cette pièce n'a pas de forme électronique : seuls les factures et avoirs émis en ont une (Factur-X, UBL).",
                ))
            }
        }
    }
    .await;
    match result {
        Ok((name, mime, bytes)) => file_response(&name, mime, bytes),
        Err(e) => error_response(e),
    }
}
