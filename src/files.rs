//! Files that come in and go out as bytes, for every feature: reading the one file of a
//! multipart form within bounds, checking its name, and answering a download. Server only.

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::fmt::percent_encode;
use crate::state::AppState;

/// What the multipart reader of an upload accepts besides the file: parts in all, bytes
/// of each other field, bytes of a field's name and of a file's name (the name is then
/// checked by [`check_file_name`]).
pub const UPLOAD_MAX_PARTS: usize = 8;
pub const UPLOAD_FIELD_MAX_BYTES: usize = 4 * 1024;
pub const UPLOAD_NAME_MAX_BYTES: usize = 1024;

/// A file name as typed by the browser, refused when it carries a path or control
/// characters.
pub fn check_file_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("fichier", "Choisissez un fichier."));
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." || name.starts_with("..") {
        return Err(AppError::invalid("fichier", "Le nom du fichier ne doit pas contenir de chemin."));
    }
    if name.chars().any(char::is_control) || name.chars().count() > 200 {
        return Err(AppError::invalid("fichier", "Nom de fichier invalide (200 caractères au plus, sans caractère de contrôle)."));
    }
    Ok(name.to_string())
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

pub(crate) fn file_response(name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    // Served as a download with a known harmless type: never rendered as a page of ours.
    let mime =
        if ["application/pdf", "image/png", "image/jpeg", "application/xml"].contains(&mime) { mime } else { "application/octet-stream" };
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, attachment(name));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
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

/// Back to `page` with a refusal's message in its URL (`erreur`), signed for this browser's
/// session (`sig`): the page shows it only then (`ui::signed_message`).
pub(crate) fn refused(st: &AppState, headers: &HeaderMap, page: &str, message: &str) -> Response {
    let session = crate::auth::session::token_from_headers(headers, st.config.secure_cookies).unwrap_or_default();
    let sig = crate::secret::form_error_signature(&st.secret, &session, "erreur", message);
    Redirect::to(&format!("{page}?erreur={}&sig={}", percent_encode(message), percent_encode(&sig))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_no_path() {
        assert!(check_file_name("../../etc/passwd").is_err());
        assert!(check_file_name("..\\boot.ini").is_err());
        assert_eq!(check_file_name("Plan cuisine.pdf").unwrap(), "Plan cuisine.pdf");
    }
}
