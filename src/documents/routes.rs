//! Plain HTTP routes of «Porte doc»: files go as bytes, not through server functions.
//!   GET  /pieces/{id}/pdf               the PDF of a document («Télécharger»)
//!   GET  /fichiers/{id}                 an imported file («Télécharger»)
//!   GET  /relances/{id}/pdf             a reminder's letter («Imprimer»)
//!   POST /clients/{id}/porte-doc/importer  «Importer» (multipart form, works without JS)
//! Each authenticates with the session cookie, checks its right (documents, their PDFs
//! and «Porte doc» files: «Gestion commerciale»; reminder letters: «Relances factures
//! clients», as making and e-mailing them), and reads only the caller's company.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::Right;
use crate::documents::model::{FILE_MAX_BYTES, UPLOAD_FIELD_MAX_BYTES, UPLOAD_MAX_PARTS, UPLOAD_NAME_MAX_BYTES, check_file_name};
use crate::error::AppError;
use crate::fmt::percent_encode;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pieces/{id}/pdf", get(document_pdf))
        .route("/fichiers/{id}", get(download))
        .route("/relances/{id}/pdf", get(reminder_pdf))
        // The limit is checked while reading (French message); the layer only stops abuse.
        .route("/clients/{id}/porte-doc/importer", post(import).layer(DefaultBodyLimit::max(FILE_MAX_BYTES + 64 * 1024)))
}

pub(crate) fn error_response(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
}

/// `attachment; filename="…"; filename*=UTF-8''…` (quotes and non-ASCII made safe).
pub(crate) fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded = percent_encode(name);
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

fn file_response(name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    // Served as a download with a known harmless type: never rendered as a page of ours.
    let mime = if ["application/pdf", "image/png", "image/jpeg"].contains(&mime) { mime } else { "application/octet-stream" };
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, attachment(name));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
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

/// Reads the one `fichier` field of a multipart form: (name, type, bytes). Past `max`
/// bytes the rest is read and dropped (up to the route's body limit) and `too_big` is the
/// answer, so that the browser shows it rather than a cut connection; no file chosen is
/// `missing`. The name is the caller's to check. Besides the file, what is read is
/// bounded too: [`UPLOAD_MAX_PARTS`] parts, [`UPLOAD_FIELD_MAX_BYTES`] per other field,
/// [`UPLOAD_NAME_MAX_BYTES`] per field name or file name; past them the form is refused
/// (and drained, for the same reason).
pub(crate) async fn read_file(
    mut form: Multipart,
    max: usize,
    too_big: &str,
    missing: &str,
) -> Result<(String, String, Vec<u8>), AppError> {
    let refused = match read_parts(&mut form, max, too_big, missing).await {
        Ok(file) => return Ok(file),
        Err(e) => e,
    };
    // Drained so that the browser reads the answer; a broken stream ends it.
    while let Ok(Some(mut field)) = form.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
    Err(refused)
}

async fn read_parts(form: &mut Multipart, max: usize, too_big: &str, missing: &str) -> Result<(String, String, Vec<u8>), AppError> {
    let cut = || AppError::invalid("fichier", "Envoi du fichier interrompu.");
    let refused = |why: String| AppError::invalid("fichier", format!("Envoi refusé : {why}"));
    let mut parts = 0;
    while let Some(mut field) = form.next_field().await.map_err(|_| cut())? {
        parts += 1;
        if parts > UPLOAD_MAX_PARTS {
            return Err(refused(format!("le formulaire compte plus de {UPLOAD_MAX_PARTS} parties.")));
        }
        let field_name = field.name().unwrap_or("");
        if field_name.len() > UPLOAD_NAME_MAX_BYTES || field.file_name().is_some_and(|n| n.len() > UPLOAD_NAME_MAX_BYTES) {
            return Err(refused("un nom de champ ou de fichier est trop long.".into()));
        }
        if field_name != "fichier" {
            // Another field: read within its bound, then forgotten.
            let mut seen = 0;
            while let Some(chunk) = field.chunk().await.map_err(|_| cut())? {
                seen += chunk.len();
                if seen > UPLOAD_FIELD_MAX_BYTES {
                    return Err(refused(format!("un champ du formulaire dépasse {} Ko.", UPLOAD_FIELD_MAX_BYTES / 1024)));
                }
            }
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mime = field.content_type().unwrap_or("application/octet-stream").chars().take(100).collect::<String>();
        let (mut data, mut over) = (Vec::new(), false);
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    over |= data.len() + chunk.len() > max;
                    if over {
                        data = Vec::new();
                    } else {
                        data.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) if over => break,
                Err(_) => return Err(cut()),
            }
        }
        if over {
            return Err(AppError::invalid("fichier", too_big));
        }
        if name.trim().is_empty() && data.is_empty() {
            break;
        }
        return Ok((name, mime, data));
    }
    Err(AppError::invalid("fichier", missing))
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

/// Back to `page` with a refusal's message in its URL (`erreur`), signed for this browser's
/// session (`sig`): the page shows it only then (`ui::signed_message`).
pub(crate) fn refused(st: &AppState, headers: &HeaderMap, page: &str, message: &str) -> Response {
    let session = crate::auth::session::token_from_headers(headers, st.config.secure_cookies).unwrap_or_default();
    let sig = crate::secret::form_error_signature(&st.secret, &session, "erreur", message);
    Redirect::to(&format!("{page}?erreur={}&sig={}", percent_encode(message), percent_encode(&sig))).into_response()
}
