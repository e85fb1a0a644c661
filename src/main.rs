//! The server: configuration, database, first start, router, graceful shutdown.

use std::net::SocketAddr;

use leptos::prelude::get_configuration;
use ouvrage::db::Db;
use ouvrage::server::{bootstrap, demo, router};
use ouvrage::state::{AppState, Config};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    dotenvy::dotenv().ok();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();

    let config = Config::from_env().unwrap_or_else(|e| fail(&e));
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(cmd) = args.first() {
        return command(cmd, &args[1..], &config).await;
    }
    // Production sits behind an HTTPS proxy (the server speaks plain HTTP): left at 0, every
    // client would share the proxy's address, and so its login allowance. A release build
    // serves only once the operator said how many proxies stand in front.
    if !cfg!(debug_assertions) && std::env::var("OUVRAGE_TRUST_PROXY").is_err() {
        fail(
            "OUVRAGE_TRUST_PROXY doit être indiqué en production : le nombre de proxys devant le serveur (1 derrière un proxy HTTPS ou un répartiteur de charge, 0 s'il n'y en a aucun).",
        );
    }
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

    let mail = std::sync::Arc::new(config.mail.clone());
    let workers = ouvrage::mail::worker::start(db.clone(), mail.clone());
    ouvrage::reminders::planner::start(db.clone(), mail.host.clone());
    ouvrage::actions::alerts::start(db.clone(), mail);
    let state = match AppState::new(db.clone(), config.clone(), leptos_options).await {
        Ok(s) => s,
        Err(e) => fail(&format!("démarrage impossible : {e}")),
    };
    let pa = ouvrage::einvoice::worker::PaConfig::from_env().unwrap_or_else(|e| fail(&e));
    let pa_workers = ouvrage::einvoice::worker::start(db.clone(), state.data_key.clone(), pa);
    let hashing = state.hashing.clone();
    let app = router(state);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        // No Nagle delay: a response written in several pieces (headers, then a streamed
        // body) would otherwise wait for the client's delayed ACK, 40 ms each time.
        Ok(l) => axum::serve::ListenerExt::tap_io(l, |tcp| {
            let _ = tcp.set_nodelay(true);
        }),
        Err(e) => fail(&format!("impossible d'écouter sur {addr} : {e}")),
    };
    println!("Ouvrage écoute sur http://{addr}");
    if config.demo {
        println!("Connexion de démonstration : {} / {}", demo::DEMO_ADMIN, demo::DEMO_PASSWORD);
    }
    if let Some((email, _)) = &config.admin {
        println!("Administrateur : {email} (mot de passe de OUVRAGE_ADMIN_PASSWORD)");
    }
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown()).await;
    if let Some(w) = workers {
        w.stop().await;
    }
    pa_workers.stop().await;
    println!("Hachages de mots de passe simultanés au plus : {}", hashing.peak());
    db.close().await;
    if let Err(e) = served {
        fail(&format!("le serveur s'est arrêté : {e}"));
    }
}

/// Value of `--name` in the arguments.
fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// `ouvrage seed --contacts N [--company NAME] [--seed S]`
/// `ouvrage bench-search [--contacts N] [--per-kind K] [--writes W]` (SQLite `DATABASE_URL`, and the
/// PostgreSQL of `BENCH_PG_URL` when set)
/// `ouvrage bench-dedup [--contacts N] [--febrl DIR]` (in memory)
/// `ouvrage backup FILE` (SQLite, online)
/// `ouvrage bench-reminders [--invoices N]` (SQLite `DATABASE_URL`, and `BENCH_PG_URL` when set)
/// `ouvrage bench-import [--rows N]` (SQLite `DATABASE_URL`, and `BENCH_PG_URL` when set)
/// `ouvrage bench-einvoice [--invoices N] [--logo PNG]` (in memory)
/// `ouvrage bench-mail [--mails N]` (`SMTP_URL` a local sink; SQLite `DATABASE_URL`, and `BENCH_PG_URL` when set)
async fn command(cmd: &str, args: &[String], config: &Config) {
    use ouvrage::server::{bench, seed};
    let number = |name: &str, default: usize| {
        arg(args, name)
            .map(|v| v.replace('_', "").parse::<usize>().unwrap_or_else(|_| fail(&format!("{name} : nombre attendu"))))
            .unwrap_or(default)
    };
    match cmd {
        "seed" => {
            let db = Db::connect(&config.database_url).await.unwrap_or_else(|e| fail(&format!("base inaccessible : {e}")));
            let tenant = seed::company(&db, arg(args, "--company").as_deref()).await.unwrap_or_else(|e| fail(&e.to_string()));
            let n = number("--contacts", 1000);
            let s = number("--seed", 2026) as u64;
            let r = seed::seed(&db, &tenant, n, s).await.unwrap_or_else(|e| fail(&e.to_string()));
            println!(
                "{} contacts, {} dans l'index de recherche, en {:.1} s ({:.0} contacts/s)",
                r.contacts,
                r.indexed,
                r.seconds,
                r.contacts as f64 / r.seconds
            );
        }
        "bench-search" => {
            let n = number("--contacts", 1_000_000) as i64;
            let per_kind = number("--per-kind", 150);
            let mut targets = vec![("SQLite", config.database_url.clone())];
            if let Ok(pg) = std::env::var("BENCH_PG_URL") {
                targets.push(("PostgreSQL", pg));
            }
            for (label, url) in targets {
                let db = Db::connect(&url).await.unwrap_or_else(|e| fail(&format!("{label} inaccessible : {e}")));
                let tenant = seed::company(&db, Some("Bench")).await.unwrap_or_else(|e| fail(&e.to_string()));
                let have = bench::count(&db, &tenant).await.unwrap_or_else(|e| fail(&e.to_string()));
                if have < n {
                    let r = seed::seed(&db, &tenant, (n - have) as usize, 7).await.unwrap_or_else(|e| fail(&e.to_string()));
                    println!(
                        "{label}: seeded {} contacts in {:.1} s ({:.0} contacts/s, {} indexed)",
                        r.contacts,
                        r.seconds,
                        r.contacts as f64 / r.seconds,
                        r.indexed
                    );
                }
                bench::run(&db, &tenant, &format!("{label}, {n} contacts"), per_kind).await.unwrap_or_else(|e| fail(&e.to_string()));
                let writes = number("--writes", 500);
                if writes > 0 {
                    bench::writes(&db, &tenant, label, writes).await.unwrap_or_else(|e| fail(&e.to_string()));
                }
                db.close().await;
            }
        }
        "backup" => {
            let Some(target) = args.first().filter(|a| !a.starts_with("--")) else { fail("usage : ouvrage backup FICHIER") };
            let db = Db::connect(&config.database_url).await.unwrap_or_else(|e| fail(&format!("base inaccessible : {e}")));
            match ouvrage::server::backup::sqlite(&db, std::path::Path::new(target)).await {
                Ok(()) => println!("Sauvegarde écrite et vérifiée : {target}"),
                Err(e) => fail(&e.to_string()),
            }
        }
        "bench-dedup" => match arg(args, "--febrl") {
            Some(dir) => ouvrage::server::bench_dedup::run_febrl(std::path::Path::new(&dir)),
            None => ouvrage::server::bench_dedup::run(number("--contacts", 100_000)),
        },
        "bench-mail" => {
            let mails = number("--mails", 10_000);
            let mut targets = vec![("SQLite", config.database_url.clone())];
            if let Ok(pg) = std::env::var("BENCH_PG_URL") {
                targets.push(("PostgreSQL", pg));
            }
            for (label, url) in targets {
                ouvrage::server::bench_mail::run(&url, label, mails, &config.mail).await.unwrap_or_else(|e| fail(&e.to_string()));
            }
        }
        "bench-load-prepare" => {
            let db = Db::connect(&config.database_url).await.unwrap_or_else(|e| fail(&format!("base inaccessible : {e}")));
            let id =
                ouvrage::server::bench_load::prepare(&db, number("--contacts", 1_000_000)).await.unwrap_or_else(|e| fail(&e.to_string()));
            println!("client={id}");
            db.close().await;
        }
        "bench-reminders" => {
            let invoices = number("--invoices", 100_000);
            let mut targets = vec![("SQLite", config.database_url.clone())];
            if let Ok(pg) = std::env::var("BENCH_PG_URL") {
                targets.push(("PostgreSQL", pg));
            }
            let today = ouvrage::fmt::paris_date(chrono::Utc::now().timestamp());
            for (label, url) in targets {
                let db = Db::connect(&url).await.unwrap_or_else(|e| fail(&format!("{label} inaccessible : {e}")));
                ouvrage::server::bench_reminders::run(&db, label, invoices, today).await.unwrap_or_else(|e| fail(&e.to_string()));
                db.close().await;
            }
        }
        "bench-import" => {
            let rows = number("--rows", 100_000);
            let mut targets = vec![("SQLite", config.database_url.clone())];
            if let Ok(pg) = std::env::var("BENCH_PG_URL") {
                targets.push(("PostgreSQL", pg));
            }
            for (label, url) in targets {
                let db = Db::connect(&url).await.unwrap_or_else(|e| fail(&format!("{label} inaccessible : {e}")));
                ouvrage::server::bench_import::run(&db, label, rows).await.unwrap_or_else(|e| fail(&e.to_string()));
                db.close().await;
            }
        }
        "bench-documents" => {
            let logo = arg(args, "--logo").map(|p| std::fs::read(&p).unwrap_or_else(|e| fail(&format!("logo {p} : {e}"))));
            ouvrage::server::bench_documents::run(logo, number("--runs", 30));
        }
        "bench-einvoice" => {
            let logo = arg(args, "--logo").map(|p| std::fs::read(&p).unwrap_or_else(|e| fail(&format!("logo {p} : {e}"))));
            ouvrage::server::bench_documents::run_einvoice(logo, number("--invoices", 10_000));
            ouvrage::server::bench_documents::run_deposits(number("--deposits", 2_000)).await;
        }
        other => fail(&format!(
            "commande inconnue « {other} » (seed, backup, bench-search, bench-dedup, bench-mail, bench-reminders, bench-import, bench-documents, bench-einvoice)"
        )),
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
