//! HTTP security layers: response headers, same-origin check on state changes, typed
//! error statuses for server functions, and a panic barrier.

use std::panic::AssertUnwindSafe;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;

use crate::error::AppError;

/// The Content-Security-Policy of a page; `nonce` admits Leptos's own inline scripts.
pub fn csp(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

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
    if let (false, Ok(v)) = (h.contains_key(header::CONTENT_SECURITY_POLICY), HeaderValue::from_str(&csp(None))) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if is_html {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Refuses state-changing requests that come from another site: the `Origin` must be
/// this server's, and browsers' `Sec-Fetch-Site: cross-site` is refused. (Cookies are
/// also `SameSite=Lax`; GET never changes state.)
pub async fn same_origin_posts(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let forwarded_host = h.get("x-forwarded-host").and_then(|v| v.to_str().ok());
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
/// own status (401, 403, 404, 422, 429) so that only real faults are 500.
pub async fn api_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
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
