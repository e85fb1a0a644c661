//! Test harness: the real router on a random port, against a fresh SQLite file or a
//! fresh PostgreSQL database, called over HTTP as the browser does.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::LeptosOptions;
use ouvrage::db::Db;
use ouvrage::server::{demo, router};
use ouvrage::state::{AppState, Config};

pub const ADMIN_EMAIL: &str = "admin@test.fr";
pub const ADMIN_PASSWORD: &str = "Chaudiere-Admin-77";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub company_id: i64,
    /// What the server's router was built from.
    pub state: AppState,
    pg_name: Option<String>,
    workers: Option<ouvrage::mail::worker::Workers>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn pg_base_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Whether PostgreSQL can be reached. Outside CI an unreachable server skips the
/// PostgreSQL half loudly; in CI (`CI` set) it is a failure.
pub async fn postgres_available() -> bool {
    use sqlx::Connection;
    match sqlx::PgConnection::connect(&pg_base_url()).await {
        Ok(c) => {
            let _ = c.close().await;
            true
        }
        Err(e) => {
            if std::env::var("CI").is_ok() {
                panic!("PostgreSQL is required in CI but unreachable at {}: {e}", pg_base_url());
            }
            eprintln!("\n!!!!! PostgreSQL unreachable at {} ({e}): PostgreSQL half SKIPPED !!!!!\n", pg_base_url());
            false
        }
    }
}

fn unique_name() -> String {
    format!(
        "ouvrage_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
    )
}

/// A fresh, migrated database with one company and its administrator.
pub async fn fresh_db(backend: Backend) -> (Db, Option<String>) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("ouvrage-tests");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{}.db", unique_name()));
            let db = Db::connect(&format!("sqlite://{}", path.display())).await.expect("sqlite");
            (db, None)
        }
        Backend::Postgres => {
            use sqlx::{Connection, Executor};
            let name = unique_name();
            let mut admin = sqlx::PgConnection::connect(&pg_base_url()).await.expect("postgres");
            admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
            let _ = admin.close().await;
            let url = match pg_base_url().rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => panic!("bad TEST_DATABASE_URL"),
            };
            (Db::connect(&url).await.expect("postgres db"), Some(name))
        }
    }
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, false).await
}

/// With the demo company loaded (users and ~200 contacts).
pub async fn spawn_demo(backend: Backend) -> TestApp {
    spawn_with(backend, true).await
}

/// Every test server runs on this one runtime, which lives as long as the test process.
/// Each `#[tokio::test]` has its own runtime, dropped when the test ends; Leptos's
/// executor is process-global, so a server on a per-test runtime can have its rendering
/// tasks land on a runtime that is already gone (seen as a page request that never
/// answers). In production there is one runtime, as here.
static SERVER_RT: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("server runtime")
});

async fn spawn_with(backend: Backend, demo: bool) -> TestApp {
    SERVER_RT.spawn(start(backend, demo, None, 1)).await.expect("server start")
}

/// As in production by default (`OUVRAGE_TRUST_PROXY=0`): the client address is the
/// socket's peer, whatever `X-Forwarded-For` says.
pub async fn spawn_untrusted(backend: Backend) -> TestApp {
    SERVER_RT.spawn(start(backend, false, None, 0)).await.expect("server start")
}

/// With the outbox worker running on this mail configuration.
pub async fn spawn_mail(backend: Backend, mail: ouvrage::mail::config::MailConfig) -> TestApp {
    SERVER_RT.spawn(start(backend, false, Some(mail), 1)).await.expect("server start")
}

/// Drops the PostgreSQL database a test made with [`fresh_db`] (nothing for SQLite).
pub async fn drop_database(pg_name: Option<String>) {
    if let Some(name) = pg_name {
        use sqlx::{Connection, Executor};
        if let Ok(mut admin) = sqlx::PgConnection::connect(&pg_base_url()).await {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        }
    }
}

/// The URL of a test database, for a server process of its own.
pub async fn db_url(db: &Db) -> String {
    match db {
        Db::Sqlite(p, _) => format!("sqlite://{}", p.connect_options().get_filename().display()),
        Db::Pg(p) => {
            let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(p).await.unwrap();
            format!("{}/{name}", pg_base_url().rsplit_once('/').unwrap().0)
        }
    }
}

/// The tests' data key (`OUVRAGE_DATA_KEY`): 32 bytes in URL-safe base64.
pub const DATA_KEY: &str = "dGVzdHMtZGF0YS1rZXktMzItYnl0ZXMtbG9uZyEhISE";

async fn start(backend: Backend, demo: bool, mail: Option<ouvrage::mail::config::MailConfig>, trust_proxy: u8) -> TestApp {
    let (db, pg_name) = fresh_db(backend).await;
    let config = Config {
        database_url: String::new(),
        addr: None,
        mail: mail.clone().unwrap_or_default(),
        secure_cookies: false,
        trust_proxy,
        demo,
        admin: Some((ADMIN_EMAIL.into(), ADMIN_PASSWORD.into())),
        widget_cache_mb: 64,
        data_key: Some(DATA_KEY.into()),
        data_key_file: String::new(),
    };
    ouvrage::server::bootstrap(&db, &config).await.expect("bootstrap");
    let company_id = demo::ensure_company(&db).await.unwrap();
    if !demo {
        complete_identity(&db, company_id).await;
    }
    let leptos_options = LeptosOptions::builder().output_name("ouvrage").site_root("target/site").build();
    let state = AppState::new(db.clone(), config, leptos_options).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let workers = mail.and_then(|m| ouvrage::mail::worker::start(db.clone(), Arc::new(m)));
    TestApp { base: format!("http://{addr}"), db, company_id, state, pg_name, workers }
}

impl TestApp {
    /// Drops the PostgreSQL database of this test.
    pub async fn finish(mut self) {
        if let Some(w) = self.workers.take() {
            w.stop().await;
        }
        self.db.close().await;
        drop_database(self.pg_name).await;
    }

    /// A browser-like client: its own cookie jar, no automatic redirects, and a
    /// distinct client address (for the per-address throttle).
    pub fn client(&self) -> Client {
        self.client_from(&format!("10.0.0.{}", COUNTER.fetch_add(1, Ordering::SeqCst) % 250 + 1))
    }

    pub fn client_from(&self, ip: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", ip.parse().unwrap());
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .timeout(std::time::Duration::from_secs(20))
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .unwrap(),
        }
    }

    pub async fn logged_in(&self, email: &str, password: &str) -> Client {
        let c = self.client();
        let r = c.call("login", &[("email", email), ("password", password)]).await;
        assert_eq!(r.status, 200, "login of {email} failed: {}", r.body);
        c
    }

    pub async fn admin(&self) -> Client {
        self.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
            Db::Pg(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        }
    }
}

pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
    /// The French message of an `Invalid` error, and its field.
    pub fn invalid(&self) -> (String, String) {
        let v = self.json();
        let inv = &v["Invalid"];
        assert!(inv.is_object(), "expected Invalid, got {} {}", self.status, self.body);
        (inv["field"].as_str().unwrap().to_string(), inv["message"].as_str().unwrap().to_string())
    }
}

impl Client {
    /// Calls server function `/api/<endpoint>` with a form body, as a script would.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let r = self.http.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await.unwrap();
        Answer::from(r).await
    }

    /// Posts a form as a browser without JavaScript does.
    pub async fn post_html(&self, endpoint: &str, form: &[(&str, &str)], referer: &str) -> Answer {
        let r = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "text/html")
            .header("referer", format!("{}{referer}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Answer::from(r).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        let r = self.http.get(format!("{}{path}", self.base)).header("accept", "text/html").send().await.unwrap();
        Answer::from(r).await
    }
}

impl Answer {
    async fn from(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Answer { status, body, headers }
    }
}

/// Runs one async test body against SQLite and PostgreSQL.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::common::postgres_available().await {
                        super::$name($crate::common::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

impl Client {
    /// The id of the client created last (the newest of «Clients»).
    pub async fn newest_client_id(&self) -> i64 {
        self.call("contacts/list", &[("statut", "client"), ("sort", "recent")]).await.json()["rows"][0]["id"].as_i64().expect("a client")
    }

    /// GET as raw bytes (downloads).
    pub async fn get_bytes(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
    }

    /// Posts a file in a multipart form (field `fichier`), as «Importer» does; returns the
    /// status and the `Location` it redirects to.
    pub async fn upload(&self, path: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str("application/octet-stream").unwrap();
        let form = reqwest::multipart::Form::new().part("fichier", part);
        let r = self.http.post(format!("{}{path}", self.base)).multipart(form).send().await.unwrap();
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (r.status().as_u16(), location)
    }
}

/// The text of a PDF (page 1 must render with pdftoppm; the text by pdftotext).
/// `None` outside CI when poppler-utils is missing (said loudly).
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("ouvrage-pdf-{}-{}", std::process::id(), bytes.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    // Page 1 rendered to PNG (it must render), then its text.
    let png =
        std::process::Command::new("pdftoppm").args(["-png", "-r", "50", "-f", "1", "-l", "1"]).arg(&file).arg(dir.join("page")).status();
    match png {
        Ok(s) => assert!(s.success(), "pdftoppm failed"),
        Err(_) if std::env::var("CI").is_err() => {
            eprintln!("SKIPPED PDF rendering: pdftoppm missing (apt-get install poppler-utils)");
            return None;
        }
        Err(e) => panic!("pdftoppm missing in CI: {e}"),
    }
    assert!(std::fs::read_dir(&dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".png")), "page 1 rendered");
    let out = std::process::Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext");
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

/// A free loopback port, for a server process of its own.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The real `ouvrage` binary serving `url` on `port`, with `admin` as its first
/// administrator and `env` on top (quiet, no demo data).
pub fn server_process(url: &str, port: u16, admin: (&str, &str), env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    cmd.env("DATABASE_URL", url)
        .env("OUVRAGE_ADDR", format!("127.0.0.1:{port}"))
        .env("OUVRAGE_DEMO", "0")
        .env("OUVRAGE_ADMIN_EMAIL", admin.0)
        .env("OUVRAGE_ADMIN_PASSWORD", admin.1)
        .env("RUST_LOG", "error")
        .env("OUVRAGE_DATA_KEY", DATA_KEY)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd.spawn().expect("the ouvrage binary")
}

/// A client of a server process (cookies kept, redirects not followed).
pub fn process_client(port: u16) -> Client {
    Client {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// The Rust files of the crate's `src/`, each with its path relative to `src/` and its
/// text: what the tests that read the code (tenancy, layers, textareas) scan.
pub fn source_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Saves `IdentityForm::sample()` («Entreprise» as a real company fills it in) as the
/// company's identity: what its documents need before they can be issued.
pub async fn complete_identity(db: &Db, company_id: i64) {
    let identity = ouvrage::company::model::IdentityForm::sample().parse().expect("a valid identity");
    let tenant = ouvrage::db::Tenant::for_tests(company_id);
    let mut tx = db.begin().await.unwrap();
    ouvrage::company::store::save(&mut tx, &tenant, None, &identity, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).await.unwrap();
    tx.commit().await.unwrap();
}

/// «Entreprise» › «Enregistrer» with `IdentityForm::sample()`, some fields changed.
pub async fn post_identity(c: &Client, changed: &[(&str, &str)]) -> Answer {
    let mut fields: Vec<(String, String)> = ouvrage::company::model::IdentityForm::sample().typed();
    for (k, v) in changed {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v.to_string(),
            None => fields.push((k.to_string(), v.to_string())),
        }
    }
    // An unticked checkbox is not posted.
    fields.retain(|(k, v)| !(matches!(k.as_str(), "franchise_tva" | "tva_debits") && v.is_empty()));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.call("company/save", &form).await
}
