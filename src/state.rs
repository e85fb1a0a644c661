//! What every request shares: the configuration read at start and the state built from it
//! (the pool, the caches, the signing secret, the hashing slots). Low in the house
//! (docs/architecture.md, «Layers»: «requête»): features read it through the request's
//! context; it imports no feature's pages, nor the router.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::db::Db;

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
    /// `OUVRAGE_DATA_KEY`, else the key file `OUVRAGE_DATA_KEY_FILE` (`data/ouvrage.key`):
    /// the key of the secrets kept in the database (`secret::load_data_key`).
    pub data_key: Option<String>,
    pub data_key_file: String,
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
                Some(v) => {
                    v.trim().parse().map_err(|_| format!("OUVRAGE_TRUST_PROXY : nombre de proxys attendu (0, 1, 2…), « {v} » reçu"))?
                }
            },
            demo: demo_wanted(flag("OUVRAGE_DEMO"), admin.is_some(), debug_build),
            admin,
            widget_cache_mb: match var("OUVRAGE_WIDGET_CACHE_MB") {
                None => 64,
                Some(v) => v.trim().parse().map_err(|_| format!("OUVRAGE_WIDGET_CACHE_MB : nombre de mégaoctets attendu, « {v} » reçu"))?,
            },
            data_key: var("OUVRAGE_DATA_KEY"),
            data_key_file: var("OUVRAGE_DATA_KEY_FILE").unwrap_or_else(|| "data/ouvrage.key".into()),
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

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// The client «Accueil»'s drawn list widgets, for this database.
    pub widgets: Arc<crate::home::cache::WidgetCache>,
    /// The database's signing secret (src/secret.rs).
    pub secret: Arc<Vec<u8>>,
    /// The key of the secrets kept in the database (src/secret.rs, `load_data_key`).
    pub data_key: Arc<[u8; 32]>,
    /// Password hashes running at once: one per core.
    pub hashing: crate::auth::throttle::Hashing,
}

impl AppState {
    pub async fn new(db: Db, config: Config, leptos_options: LeptosOptions) -> Result<AppState, crate::error::AppError> {
        let widgets = Arc::new(crate::home::cache::WidgetCache::new(config.widget_cache_mb.saturating_mul(1 << 20)));
        let secret = Arc::new(crate::secret::load_or_create(&db).await?);
        let data_key = Arc::new(crate::secret::load_data_key(config.data_key.as_deref(), &config.data_key_file).map_err(|e| {
            tracing::error!("data key: {e}");
            crate::error::AppError::Internal
        })?);
        // The hash verified for unknown e-mails is made now, not by the first such login
        // (outside the hashing slots, on a request's thread).
        let _ = tokio::task::spawn_blocking(|| std::sync::LazyLock::force(&crate::auth::password::DUMMY_HASH).len()).await;
        Ok(AppState {
            db,
            config: Arc::new(config),
            leptos_options,
            widgets,
            secret,
            data_key,
            hashing: crate::auth::throttle::Hashing::per_core(),
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}
