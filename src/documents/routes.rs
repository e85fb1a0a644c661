//! Plain HTTP routes of «Porte doc»: files go as bytes, not through server functions.
//!   GET  /pieces/{id}/pdf               the PDF of a document («Télécharger»)
//!   GET  /fichiers/{id}                 an imported file («Télécharger»)
//!   GET  /relances/{id}/pdf             a reminder's letter («Imprimer»)
//!   POST /clients/{id}/porte-doc/importer  «Importer» (multipart form, works without JS)
//! Each authenticates with the session cookie, checks its right (documents, their PDFs
//! and «Porte doc» files: «Gestion commerciale»; reminder letters: «Relances factures
//! clients», as making and e-mailing them), and reads only the caller's company.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::Right;
use crate::documents::model::FILE_MAX_BYTES;
use crate::error::AppError;
use crate::files::{check_file_name, error_response, file_response, read_file, refused};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pieces/{id}/pdf", get(document_pdf))
        .route("/fichiers/{id}", get(download))
        .route("/relances/{id}/pdf", get(reminder_pdf))
        // The limit is checked while reading (French message); the layer only stops abuse.
        .route("/clients/{id}/porte-doc/importer", post(import).layer(DefaultBodyLimit::max(FILE_MAX_BYTES + 64 * 1024)))
}

async fn reminder_pdf(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Reminders)?;
        let mut tx = cx.db.read().await?;
        let letter = crate::reminders::letter::compose(&mut tx, &cx.tenant, id).await?;
        Ok::<_, AppError>((letter.file_name.clone(), crate::reminders::letter::pdf(&letter)))
    }
    .await;
    match result {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

async fn document_pdf(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        crate::documents::store::pdf(&cx.db, &cx.tenant, id).await
    }
    .await;
    match result {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

async fn download(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        crate::documents::store::file(&cx.db, &cx.tenant, id).await
    }
    .await;
    match result {
        Ok((name, mime, bytes)) => file_response(&name, &mime, bytes),
        Err(e) => error_response(e),
    }
}

async fn import(State(st): State<AppState>, headers: HeaderMap, Path(contact_id): Path<i64>, form: Multipart) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        let (name, mime, data) = read_file(
            form,
            FILE_MAX_BYTES,
            "Le fichier dépasse 10 Mo : la taille maximale d'un fichier du porte doc.",
            "Choisissez un fichier.",
        )
        .await?;
        let name = check_file_name(&name)?;
        let mut tx = cx.db.begin().await?;
        crate::documents::store::import_file(&mut tx, &cx.tenant, cx.user_id(), contact_id, &name, &mime, &data).await?;
        tx.commit().await
    }
    .await;
    let back = format!("/clients/{contact_id}/porte-doc");
    match result {
        Ok(()) => Redirect::to(&format!("{back}?fait=importe")).into_response(),
        Err(AppError::Invalid { message, .. }) => refused(&st, &headers, &back, &message),
        Err(e) => error_response(e),
    }
}
