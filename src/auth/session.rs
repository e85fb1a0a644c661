//! Sessions: the cookie, the request context every server function starts from, and
//! the rights check. Tokens are 256 random bits; only their SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::model::{Me, Right};
use crate::auth::store;
use crate::db::{Db, Tenant, now};
use crate::error::AppError;
use crate::state::AppState;

/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 12 * 3600;
/// …and in any case this long after login.
pub const ABSOLUTE_SECONDS: i64 = 7 * 24 * 3600;

/// What a server function knows once the caller is authenticated.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub tenant: Tenant,
    pub session_id: i64,
    pub me: Me,
    /// The count of due actions, when read with the session (a page's render).
    pub due_actions: Option<i64>,
    /// The contacts found in the company during this request.
    contacts: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
}

impl Ctx {
    pub fn user_id(&self) -> i64 {
        self.me.user_id
    }

    /// Whether the contact `id` was already found in the company during this request (a
    /// client's «Accueil» checks its client once for the page and each widget).
    pub fn contact_checked(&self, id: i64) -> bool {
        self.contacts.lock().is_ok_and(|m| m.contains(&id))
    }

    /// Notes that the contact `id` belongs to the company, for the rest of the request.
    pub fn note_contact(&self, id: i64) {
        if let Ok(mut m) = self.contacts.lock() {
            m.insert(id);
        }
    }

    /// Refuses unless the user holds `right`.
    pub fn require(&self, right: Right) -> Result<(), AppError> {
        if self.me.can(right) { Ok(()) } else { Err(AppError::Forbidden(right.label().to_string())) }
    }
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

pub fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-ouvrage_session" } else { "ouvrage_session" }
}

/// The session token sent by the browser, if any.
pub fn token_from_request(secure: bool) -> Option<String> {
    token_from_headers(&request_parts()?.headers, secure)
}

pub fn token_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    cookie(headers, cookie_name(secure))
}

/// A cookie of the request, by name.
pub fn cookie_from_request(name: &str) -> Option<String> {
    cookie(&request_parts()?.headers, name)
}

fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

/// The caller's address (see [`address_from`]).
pub fn client_ip(trusted_proxies: u8) -> String {
    let Some(parts) = request_parts() else { return "?".into() };
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    address_from(&parts.headers, peer, trusted_proxies)
}

/// The client's address: with `trusted_proxies` = 0, the socket's peer; behind N proxies
/// of our own, the N-th `X-Forwarded-For` entry from the right — each of our proxies
/// appends the address it received the request from, so the entries left of those were
/// written by the client and prove nothing. Too few entries: the left-most one, which
/// our first proxy wrote.
pub fn address_from(headers: &http::HeaderMap, peer: Option<std::net::IpAddr>, trusted_proxies: u8) -> String {
    let peer = peer.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
    if trusted_proxies == 0 {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let n = usize::from(trusted_proxies);
    match hops.len() {
        0 => peer,
        len if len >= n => hops[len - n].to_string(),
        _ => hops[0].to_string(),
    }
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    Sha256::digest(token.as_bytes()).iter().flat_map(|b| [HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char]).collect()
}

pub fn set_cookie(token: &str, secure: bool) {
    append_cookie(cookie_name(secure), token, ABSOLUTE_SECONDS, secure);
}

/// The login's device cookie (see `auth::throttle`): as long as it is honoured, not
/// readable by scripts.
pub fn set_device_cookie(value: &str, secure: bool) {
    append_cookie(crate::auth::throttle::DEVICE_COOKIE, value, crate::auth::throttle::DEVICE_SECONDS, secure);
}

pub fn clear_cookie(secure: bool) {
    append_cookie(cookie_name(secure), "", 0, secure);
}

/// Sets a cookie of ours on the response: the whole site, not readable by scripts, sent on
/// same-site requests and top-level navigations, over HTTPS only when `secure`.
fn append_cookie(name: &str, value: &str, max_age: i64, secure: bool) {
    let cookie = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" });
    if let (Some(opts), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&cookie)) {
        opts.append_header(SET_COOKIE, value);
    }
}

/// One authentication per request: the server functions a page calls while it renders
/// (a widget page calls one per widget) share it. Provided per request by the router.
#[derive(Clone, Default)]
pub struct RequestAuth(std::sync::Arc<RequestAuthInner>);

#[derive(Default)]
struct RequestAuthInner {
    cell: tokio::sync::OnceCell<Result<Ctx, AppError>>,
    /// Set when a page renders (before any of its reads): the statement that reads the
    /// session with what the top bar shows (see [`store::session_sql`]).
    page: std::sync::OnceLock<&'static str>,
}

/// Marks this request as a page's render: the session is then read by `sql`, which adds
/// the top bar's figure to the session's row. Called by the shell before any of the
/// page's reads.
pub fn rendering_page(sql: &'static str) {
    if let Some(cache) = use_context::<RequestAuth>() {
        let _ = cache.0.page.set(sql);
    }
}

/// The authenticated caller, or `Unauthenticated`.
pub async fn ctx() -> Result<Ctx, AppError> {
    let st = state()?;
    let token = token_from_request(st.config.secure_cookies).ok_or(AppError::Unauthenticated)?;
    match use_context::<RequestAuth>() {
        Some(cache) => {
            let sql = cache.0.page.get().copied().unwrap_or(&store::SESSION_SQL);
            cache.0.cell.get_or_init(|| ctx_for_token(&st, &token, sql)).await.clone()
        }
        None => ctx_for_token(&st, &token, &store::SESSION_SQL).await,
    }
}

/// The context of a plain axum handler (downloads, uploads): same session rules.
pub async fn ctx_for(st: &AppState, headers: &http::HeaderMap) -> Result<Ctx, AppError> {
    let token = token_from_headers(headers, st.config.secure_cookies).ok_or(AppError::Unauthenticated)?;
    ctx_for_token(st, &token, &store::SESSION_SQL).await
}

async fn ctx_for_token(st: &AppState, token: &str, sql: &str) -> Result<Ctx, AppError> {
    let hash = token_hash(token);
    let t = now();
    let Some(found) = store::find_session(&st.db, sql, &hash, t).await? else {
        return Err(AppError::Unauthenticated);
    };
    if t - found.last_seen_at > 60 {
        store::touch_session(&st.db, found.id, t).await?;
    }
    let tenant = Tenant::trusted(found.me.company_id);
    Ok(Ctx { db: st.db.clone(), tenant, session_id: found.id, me: found.me, due_actions: found.due_actions, contacts: Default::default() })
}

/// The authenticated caller holding `right`.
pub async fn ctx_with(right: Right) -> Result<Ctx, AppError> {
    let c = ctx().await?;
    c.require(right)?;
    Ok(c)
}
