//! What a page costs the database: the statements of one GET, seen through sqlx's own
//! log of every statement. A page's data, and each of its widgets' data, is read once;
//! the session comes with the top bar's count in one statement and one row; a client's
//! «Accueil» reads its client once.
//! (Its own test binary: the count is process-wide, so nothing else may run meanwhile.)

#[path = "it/common.rs"]
#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::{Backend, spawn};
use tracing_subscriber::layer::SubscriberExt;

/// A statement run, with the number of rows it returned.
struct Run {
    sql: String,
    rows: u64,
}

/// Keeps the text of every statement sqlx runs in this process.
struct Statements(Arc<Mutex<Vec<Run>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        struct Sql(Option<String>, u64);
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "db.statement" {
                    self.0 = Some(value.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "rows_returned" {
                    self.1 = value;
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut sql = Sql(None, 0);
        event.record(&mut sql);
        // (A connection opened meanwhile sets itself up with PRAGMAs: not the page's.)
        if let (Some(text), Ok(mut all)) = (sql.0.filter(|s| !s.starts_with("PRAGMA")), self.0.lock()) {
            all.push(Run { sql: text, rows: sql.1 });
        }
    }
}

/// The statements run more than once, with their count.
fn repeated(statements: &[Run]) -> BTreeMap<&str, usize> {
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for s in statements {
        *n.entry(s.sql.as_str()).or_default() += 1;
    }
    n.retain(|_, k| *k > 1);
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_widget_reads_its_data_once_per_page() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Statements(seen.clone()))).expect("one subscriber");
    let app = spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", "Fumiste"), ("prenom", "Léon")]).await.status, 200);
    let id = admin.newest_client_id().await;
    for page in [format!("/clients/{id}/accueil"), "/".to_string()] {
        // Once to warm what a server keeps (the dashboard's counts), then counted.
        assert_eq!(admin.get(&page).await.status, 200);
        seen.lock().unwrap().clear();
        let r = admin.get(&page).await;
        assert_eq!(r.status, 200);
        let statements = std::mem::take(&mut *seen.lock().unwrap());
        assert!(!statements.is_empty(), "sqlx's log of statements is not seen");
        let twice = repeated(&statements);
        assert!(twice.is_empty(), "{page}: statements run more than once for one page: {twice:#?}");
        let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
        let session: Vec<&Run> = statements.iter().filter(|s| s.sql.contains("FROM user_session s")).collect();
        assert!(
            session.len() == 1 && session[0].rows == 1 && session[0].sql.contains("FROM action a"),
            "{page}: the session, its rights and the top bar's count in one statement, one row: {texts:#?}"
        );
        assert!(
            !texts.iter().any(|s| s.starts_with("SELECT COUNT(*) FROM action")),
            "{page}: the top bar's count read on its own: {texts:#?}"
        );
        if page.ends_with("/accueil") {
            let client_reads = texts.iter().filter(|s| s.contains("FROM contact ")).count();
            assert_eq!(client_reads, 1, "{page}: the client read more than once: {texts:#?}");
            // Its widgets drawn at the first visit and unchanged since: the session, then
            // the client with the user's «Préférences» and layout.
            assert_eq!(texts.len(), 2, "{page}: seen again, the page reads more than the session and the client: {texts:#?}");
        }
        eprintln!("{page}: {} statements", statements.len());
    }
    app.finish().await;
}
