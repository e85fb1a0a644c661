//! What a page costs the database: the statements of one GET, seen through sqlx's own
//! log of every statement. A page's data, and each of its widgets' data, is read once.
//! (Its own test binary: the count is process-wide, so nothing else may run meanwhile.)

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::{Backend, spawn};
use tracing_subscriber::layer::SubscriberExt;

/// Keeps the text of every statement sqlx runs in this process.
struct Statements(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        struct Sql(Option<String>);
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "db.statement" {
                    self.0 = Some(value.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut sql = Sql(None);
        event.record(&mut sql);
        // (A connection opened meanwhile sets itself up with PRAGMAs: not the page's.)
        if let (Some(sql), Ok(mut all)) = (sql.0.filter(|s| !s.starts_with("PRAGMA")), self.0.lock()) {
            all.push(sql);
        }
    }
}

/// The statements run more than once, with their count.
fn repeated(statements: &[String]) -> BTreeMap<&str, usize> {
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for s in statements {
        *n.entry(s.as_str()).or_default() += 1;
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
        eprintln!("{page}: {} statements", statements.len());
    }
    app.finish().await;
}
