//! HTTP security layers: response headers, same-origin check on state changes, typed
//! error statuses for server functions, and a panic barrier.

use std::panic::AssertUnwindSafe;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;

use crate::error::AppError;
use crate::server::AppState;

/// Adds the security headers to every response, and catches panics so that none
/// reaches the user as a dropped connection.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!("a request handler panicked");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Une erreur interne est survenue. Réessayez dans un instant.",
            )
                .into_response()
        }
    };
    let h = res.headers_mut();
    let is_html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let (false, Ok(v)) = (h.contains_key(header::CONTENT_SECURITY_POLICY), HeaderValue::from_str(&crate::app::csp(None))) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if is_html {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Refuses state-changing requests that come from another site: the `Origin` must be
/// this server's, and browsers' `Sec-Fetch-Site: cross-site` is refused. (Cookies are
/// also `SameSite=Lax`; GET never changes state.) `X-Forwarded-Host` counts only behind
/// our own proxies (`OUVRAGE_TRUST_PROXY`): otherwise a client could name any host.
pub async fn same_origin_posts(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let forwarded_host = h.get("x-forwarded-host").and_then(|v| v.to_str().ok()).filter(|_| st.config.trust_proxy > 0);
    let refused = match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            origin == "null" || (origin_host != host && Some(origin_host) != forwarded_host)
        }
        None => h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site"),
    };
    if refused {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Requête refusée : elle ne vient pas de cette application.",
        )
            .into_response();
    }
    next.run(req).await
}

/// Server functions answer errors with status 500 by default; give each typed error its
/// own status (401, 403, 404, 422, 429) so that only real faults are 500. An error sent
/// back in the URL of the page (a form posted without JavaScript: `__path`, `__err`) is
/// signed (`__sig`), so that a link made elsewhere cannot put its own text on our pages.
pub async fn api_errors(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let session = crate::auth::session::token_from_headers(req.headers(), st.config.secure_cookies).unwrap_or_default();
    let mut res = next.run(req).await;
    if !is_api {
        return res;
    }
    sign_error_location(&st, &session, &mut res);
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn sign_error_location(st: &AppState, session: &str, res: &mut Response) {
    let Some(location) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) else { return };
    let Ok(url) = url::Url::parse(location).or_else(|_| url::Url::parse("http://x/").and_then(|b| b.join(location))) else { return };
    let (mut path, mut err) = (None, None);
    for (k, v) in url.query_pairs() {
        match &*k {
            "__path" => path = Some(v.into_owned()),
            "__err" => err = Some(v.into_owned()),
            _ => {}
        }
    }
    let (Some(path), Some(err)) = (path, err) else { return };
    let signed = format!("{location}&__sig={}", crate::secret::form_error_signature(&st.secret, session, &path, &err));
    if let Ok(v) = HeaderValue::from_str(&signed) {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

/// The fields a form may send at most. The largest forms are a document (4 fields per
/// line) and the answers to the complementary questions; this is far above both and far
/// below what makes a request costly.
pub const MAX_FORM_FIELDS: usize = 5_000;

/// Fields that are multi-line text; every other field is one line. `(endpoint, field)`,
/// the endpoint `*` for every server function.
const MULTI_LINE: &[(&str, &str)] = &[
    ("*", "notes"),
    ("*", "note"),
    ("*", "observations"),
    ("*", "comment"),
    ("*", "message"),
    ("*", "signature"),
    ("*", "choices"),
    ("*", "letter"),
    ("reminders/save_template", "email"),
];

/// Checks a server function's form before it is decoded: at most [`MAX_FORM_FIELDS`]
/// fields, and every value passes [`crate::fmt::text_problem`]. Returns the French refusal.
pub fn check_form(endpoint: &str, body: &[u8]) -> Result<(), AppError> {
    let mut fields = 0usize;
    let mut typed = Vec::new();
    let mut problem = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        fields += 1;
        if fields > MAX_FORM_FIELDS {
            return Err(AppError::invalid("", format!("Le formulaire envoyé a trop de champs ({MAX_FORM_FIELDS} au plus).")));
        }
        let field = name.split('[').next().unwrap_or_default();
        if problem.is_none() {
            let multi = MULTI_LINE.iter().any(|(e, f)| *f == field && (*e == "*" || *e == endpoint));
            if let Some(message) = crate::fmt::text_problem(multi, &value) {
                problem = Some((field.to_string(), message));
            }
        }
        // What was typed comes back with the refusal (cleaned), never a password.
        if !name.contains('[') && !field.contains("password") && field != "current" && field != "confirm" && typed.len() < 64 {
            let clean = crate::fmt::clean_text(true, &value);
            typed.push((field.to_string(), clean.chars().take(2_000).collect()));
        }
    }
    match problem {
        Some((field, message)) => Err(AppError::invalid(&field, message).with_values(typed)),
        None => Ok(()),
    }
}

/// Server functions' forms go through [`check_form`] before anything decodes them. A
/// refusal answers as the server function would: JSON with its status to a script, a
/// redirect back to the page with the error (signed) to a form posted without JavaScript.
pub async fn form_input(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if req.method() != Method::POST || !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::server::MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return refuse_form(&parts, &path, AppError::invalid("", "Les données envoyées sont illisibles ou trop volumineuses.")),
    };
    // Server functions take forms. Their decoder does not look at the content type: a body
    // sent as anything else would skip the checks below, so it is refused (an empty body,
    // a function without arguments, needs none).
    if content_type.as_deref() != Some("application/x-www-form-urlencoded") && !bytes.is_empty() {
        let e = AppError::invalid("", "Les données doivent être envoyées par un formulaire.");
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&e).unwrap_or_default(),
        )
            .into_response();
    }
    let endpoint = path["/api/".len()..].to_string();
    match check_form(&endpoint, &bytes) {
        Ok(()) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        // (The redirect's error is signed by `api_errors`, around this layer.)
        Err(e) => refuse_form(&parts, &path, e),
    }
}

fn refuse_form(parts: &http::request::Parts, path: &str, e: AppError) -> Response {
    let accepts_html = parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(|r| url::Url::parse(r).ok());
    let json = serde_json::to_string(&e).unwrap_or_default();
    if let (true, Some(mut back)) = (accepts_html, referer) {
        use base64::Engine;
        let err = base64::engine::general_purpose::URL_SAFE.encode(json.as_bytes());
        back.query_pairs_mut().append_pair("__path", path).append_pair("__err", &err);
        // Only a path of this site: the Referer is the browser's, but a redirect must not
        // leave the site whatever it says.
        let location = format!("{}{}", back.path(), back.query().map(|q| format!("?{q}")).unwrap_or_default());
        if let Ok(v) = HeaderValue::from_str(&location) {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response();
        }
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    (status, [(header::CONTENT_TYPE, "application/json")], json).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_counted_and_checked_per_field() {
        assert!(check_form("contacts/create", b"nom=Dupont&notes=a%0Ab").is_ok());
        let e = check_form("contacts/create", b"nom=Du%0Apont&prenom=Jean&password=secret").unwrap_err();
        assert_eq!(e.for_field("nom").as_deref(), Some("Une seule ligne, sans retour à la ligne ni tabulation."));
        assert_eq!(e.typed("prenom").as_deref(), Some("Jean"));
        assert_eq!(e.typed("password"), None);
        assert!(check_form("reminders/save_template", b"email=Bonjour%0A%0ACordialement").is_ok());
        assert!(check_form("users/create", b"email=a%0A@b.fr").is_err());
        let many: String = (0..=MAX_FORM_FIELDS).map(|i| format!("shown[]=w{i}&")).collect();
        assert!(check_form("home/save_layout", many.as_bytes()).unwrap_err().to_string().contains("trop de champs"));
    }
}
