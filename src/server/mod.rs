//! Server start-up: configuration, state, the router and its security layers.

pub mod backup;
pub mod bench;
pub mod bench_dedup;
pub mod bench_import;
pub mod bench_load;
pub mod bench_mail;
pub mod bench_reminders;
pub mod demo;
pub mod seed;
pub mod security;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::app::{App, shell};
use crate::db::{Db, Tenant};

/// Settings read from the environment (and `.env` in development).
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://data/ouvrage.db` by default, or `postgres://…`.
    pub database_url: String,
    /// `OUVRAGE_ADDR`, else the `site-addr` of Cargo.toml / `LEPTOS_SITE_ADDR`.
    pub addr: Option<String>,
    /// Outgoing mail: `SMTP_URL` and the `OUVRAGE_MAIL_*`, `OUVRAGE_SPF_*` settings.
    pub mail: crate::mail::config::MailConfig,
    /// `OUVRAGE_SECURE_COOKIES`: `__Host-` cookie with `Secure`. Default: on in a release
    /// build (served behind HTTPS), off in a debug build (`make run`, plain HTTP).
    pub secure_cookies: bool,
    /// `OUVRAGE_TRUST_PROXY=N`: the number of our own proxies in front of the server.
    /// The client address is then the N-th `X-Forwarded-For` entry from the right (each
    /// of our proxies appends the address it saw; what stands left of them is whatever
    /// the client wrote). 0 (the default): the socket's peer, and `X-Forwarded-*` ignored.
    pub trust_proxy: u8,
    /// Whether the demo company is loaded on an empty database (see [`demo_wanted`]).
    pub demo: bool,
    /// `OUVRAGE_ADMIN_EMAIL` / `OUVRAGE_ADMIN_PASSWORD`: first administrator.
    pub admin: Option<(String, String)>,
    /// `OUVRAGE_WIDGET_CACHE_MB` (64): memory for the client «Accueil»'s drawn list
    /// widgets (src/home/cache.rs); 0 draws every widget at every request.
    pub widget_cache_mb: usize,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Config::from_vars(|k| std::env::var(k).ok(), cfg!(debug_assertions))
    }

    /// The configuration from these variables; `debug_build` says whether this is a
    /// development build (`make run`) or a release one (production).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>, debug_build: bool) -> Result<Config, String> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let flag = |k: &str| var(k).map(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"));
        let admin = var("OUVRAGE_ADMIN_EMAIL").zip(var("OUVRAGE_ADMIN_PASSWORD"));
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/ouvrage.db".into()),
            addr: var("OUVRAGE_ADDR"),
            mail: crate::mail::config::MailConfig::from_env()?,
            secure_cookies: flag("OUVRAGE_SECURE_COOKIES").unwrap_or(!debug_build),
            trust_proxy: match var("OUVRAGE_TRUST_PROXY") {
                None => 0,
                Some(v) => v.trim().parse().map_err(|_| format!("OUVRAGE_TRUST_PROXY : nombre de proxys attendu (0, 1, 2…), « {v} » reçu"))?,
            },
            demo: demo_wanted(flag("OUVRAGE_DEMO"), admin.is_some(), debug_build),
            admin,
            widget_cache_mb: match var("OUVRAGE_WIDGET_CACHE_MB") {
                None => 64,
                Some(v) => v.trim().parse().map_err(|_| format!("OUVRAGE_WIDGET_CACHE_MB : nombre de mégaoctets attendu, « {v} » reçu"))?,
            },
        })
    }
}

/// The demo company (its users share a published password and hold every right) belongs
/// to a development build: `make run`, where it is on unless `OUVRAGE_DEMO=0`. A start with
/// an administrator given, or any start of a release build, never creates it, whatever
/// `OUVRAGE_DEMO` says.
pub fn demo_wanted(flag: Option<bool>, admin_given: bool, debug_build: bool) -> bool {
    debug_build && !admin_given && flag.unwrap_or(true)
}

/// The largest request body accepted (forms; file uploads have their own routes): a
/// document of a thousand lines, or a text of 60,000 characters, with room to spare.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// The client «Accueil»'s drawn list widgets, for this database.
    pub widgets: Arc<crate::home::cache::WidgetCache>,
    /// The database's signing secret (src/secret.rs).
    pub secret: Arc<Vec<u8>>,
    /// Password hashes running at once: one per core.
    pub hashing: crate::auth::throttle::Hashing,
}

impl AppState {
    pub async fn new(db: Db, config: Config, leptos_options: LeptosOptions) -> Result<AppState, crate::error::AppError> {
        let widgets = Arc::new(crate::home::cache::WidgetCache::new(config.widget_cache_mb.saturating_mul(1 << 20)));
        let secret = Arc::new(crate::secret::load_or_create(&db).await?);
        Ok(AppState { db, config: Arc::new(config), leptos_options, widgets, secret, hashing: crate::auth::throttle::Hashing::per_core() })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

/// The pages' routes, generated once per process. Generating them runs the app with
/// resources suppressed through a process-wide flag (leptos_server's
/// `SuppressResourceLoad`): a resource first polled meanwhile by a request of another
/// router of the same process would wait forever (leptos issue #4773). Tests start many
/// routers in one process; the first generation happens before any of them serves.
static ROUTES: std::sync::LazyLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::LazyLock::new(|| generate_route_list(App));

/// The whole application: pages, server functions, static files, security layers.
pub fn router(mut state: AppState) -> Router {
    let (options, pkg_dir) = versioned(state.leptos_options.clone());
    state.leptos_options = options.clone();
    let assets = Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), tower_http::services::ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip())
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    let routes = ROUTES.clone();
    let ctx_state = state.clone();
    Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
                provide_context(crate::auth::session::RequestAuth::default());
                leptos::nonce::provide_nonce();
            },
            move || shell(options.clone()),
        )
        .merge(crate::documents::routes::routes())
        .merge(crate::imports::routes::routes())
        .merge(assets)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Large enough for any form field to reach validation (and its French message).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::form_input))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::api_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::same_origin_posts))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// The browser bundle (`target/site/pkg`) is served under `/pkg/<version>/`, the version
/// being a hash of its files: each build changes the URLs, so browsers may keep them for a
/// year. Pre-compressed `.br`/`.gz` siblings (`cargo leptos build --release --precompress`)
/// are sent to browsers that accept them. Returns the options pointing there, and the
/// directory served.
pub fn versioned(mut options: LeptosOptions) -> (LeptosOptions, std::path::PathBuf) {
    use sha2::Digest;
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    let mut hash = sha2::Sha256::new();
    for f in &files {
        hash.update(f.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default());
        hash.update(std::fs::read(f).unwrap_or_default());
    }
    let version: String = hash.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    options.site_pkg_dir = format!("{}/{version}", options.site_pkg_dir).into();
    (options, dir)
}

/// First start: the company, the administrator from the environment, the demo data.
pub async fn bootstrap(db: &Db, config: &Config) -> Result<(), crate::error::AppError> {
    let company = demo::ensure_company(db).await?;
    let tenant = Tenant::trusted(company);
    if let Some((email, password)) = &config.admin {
        demo::ensure_admin(db, &tenant, email, password).await?;
    }
    if config.demo {
        demo::load_if_empty(db, &tenant).await?;
    }
    rebuild_missing_indexes(db).await
}

/// The search index is derived data: a company with contacts outside the «Corbeille» and
/// no index (a migration emptied it) gets it rebuilt before the server answers.
async fn rebuild_missing_indexes(db: &Db) -> Result<(), crate::error::AppError> {
    let sql = "SELECT c.id FROM company c WHERE EXISTS (SELECT 1 FROM contact k WHERE k.company_id = c.id AND k.statut <> 'corbeille') \
               AND NOT EXISTS (SELECT 1 FROM search_doc d WHERE d.company_id = c.id)";
    let missing: Vec<i64> = crate::on_pool!(db, c => sqlx::query_scalar(sql).fetch_all(c).await).map_err(crate::db::internal)?;
    for company in missing {
        let n = crate::contacts::store::reindex_all(db, &Tenant::trusted(company)).await?;
        tracing::info!(company, contacts = n, "search index rebuilt");
    }
    Ok(())
}
