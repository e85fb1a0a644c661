//! The logo goes as bytes, not through a server function:
//!   POST /parametres/entreprise/logo  «Envoyer le logo» (multipart, works without JS)
//!   GET  /entreprise/logo             the logo, for the page that shows it
//! Both need the right «Paramétrer l'application».

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::Right;
use crate::company::model::{LOGO_MAX_BYTES, logo_kind};
use crate::error::AppError;
use crate::files::{error_response, file_response, read_file, refused};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        // A larger file is read to its end (at most 512 Ko kept) so that the browser shows
        // the French message, not a cut connection; beyond 12 Mo the connection is cut.
        .route("/parametres/entreprise/logo", post(upload).layer(DefaultBodyLimit::max(12 * 1024 * 1024)))
        .route("/entreprise/logo", get(show))
}

async fn upload(State(st): State<AppState>, headers: HeaderMap, form: Multipart) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Settings)?;
        let too_big = format!("Le logo dépasse {} Ko : réduisez l'image.", LOGO_MAX_BYTES / 1024);
        let (_, _, data) = read_file(form, LOGO_MAX_BYTES, &too_big, "Choisissez une image PNG ou JPEG.").await?;
        let mime = logo_kind(&data).ok_or_else(|| AppError::invalid("fichier", "Le logo doit être une image PNG ou JPEG."))?;
        crate::documents::pdf::check_image(mime, &data)
            .map_err(|_| AppError::invalid("fichier", "Cette image PNG ou JPEG est illisible : enregistrez-la de nouveau."))?;
        let mut tx = cx.db.begin().await?;
        crate::company::store::save_logo(&mut tx, &cx.tenant, cx.user_id(), mime, &data).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/parametres/entreprise?modifie=1").into_response(),
        Err(AppError::Invalid { message, .. }) => refused(&st, &headers, "/parametres/entreprise", &message),
        Err(e) => error_response(e),
    }
}

async fn show(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Settings)?;
        let mut tx = cx.db.read().await?;
        crate::company::store::logo(&mut tx, &cx.tenant).await?.ok_or_else(|| AppError::NotFound("Logo".into()))
    }
    .await;
    match result {
        Ok((mime, data)) => file_response("logo", &mime, data),
        Err(e) => error_response(e),
    }
}
