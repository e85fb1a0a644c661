//! Server start-up: configuration, state, the router and its security layers.

pub mod backup;
pub mod bench;
pub mod bench_dedup;
pub mod bench_documents;
pub mod bench_import;
pub mod bench_load;
pub mod bench_mail;
pub mod bench_reminders;
pub mod demo;
pub mod security;
pub mod seed;

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::app::{App, shell};
use crate::db::{Db, Tenant};
use crate::state::{AppState, Config};

/// The largest request body accepted (forms; file uploads have their own routes): a
/// document of a thousand lines, or a text of 60,000 characters, with room to spare.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

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
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            tower_http::services::ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip(),
        )
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
        .merge(crate::einvoice::routes::routes())
        .merge(crate::company::routes::routes())
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
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
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
    } else if config.admin.is_some() || !cfg!(debug_assertions) {
        demo::disable_demo_users(db).await?;
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
