//! The server: configuration, database, first start, router, graceful shutdown.

use std::net::SocketAddr;

use leptos::prelude::get_configuration;
use ouvrage::db::Db;
use ouvrage::server::{AppState, Config, bootstrap, demo, router};

#[tokio::main]
async fn main() {
    dotenvy::dotenv().ok();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();

    let config = Config::from_env();
    let cargo_toml = std::path::Path::new("Cargo.toml").exists().then_some("Cargo.toml");
    let leptos_options = match get_configuration(cargo_toml) {
        Ok(c) => c.leptos_options,
        Err(e) => fail(&format!("configuration Leptos illisible : {e}")),
    };
    let addr: SocketAddr = match &config.addr {
        Some(a) => a.parse().unwrap_or_else(|_| fail(&format!("OUVRAGE_ADDR invalide : {a}"))),
        None => leptos_options.site_addr,
    };

    let db = match Db::connect(&config.database_url).await {
        Ok(db) => db,
        Err(e) => fail(&format!("base de données inaccessible ({}) : {e}", config.database_url)),
    };
    if let Err(e) = bootstrap(&db, &config).await {
        fail(&format!("premier démarrage impossible : {e}"));
    }

    let state = AppState { db: db.clone(), config: std::sync::Arc::new(config.clone()), leptos_options };
    let app = router(state);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => fail(&format!("impossible d'écouter sur {addr} : {e}")),
    };
    println!("Ouvrage écoute sur http://{addr}");
    if config.demo {
        println!("Connexion de démonstration : {} / {}", demo::DEMO_ADMIN, demo::DEMO_PASSWORD);
    }
    if let Some((email, _)) = &config.admin {
        println!("Administrateur : {email} (mot de passe de OUVRAGE_ADMIN_PASSWORD)");
    }
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await;
    db.close().await;
    if let Err(e) = served {
        fail(&format!("le serveur s'est arrêté : {e}"));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("Ouvrage : {message}");
    std::process::exit(1);
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
