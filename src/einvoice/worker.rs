//! The deposit worker: `OUVRAGE_PA_CONNECTIONS` tasks per process claim what waits in the
//! deposit outbox and send it to each company's Plateforme Agréée, recording each outcome
//! (einvoice::outbox). Safe with several processes on one database (claims, leases). One
//! task also gives back the claims of dead processes and asks the PA about uncertain
//! deposits (by tracking id).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::db::{Db, internal};
use crate::einvoice::outbox::{self, Claimed, Outcome};
use crate::einvoice::pa::{self, Account, Flow};
use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct PaConfig {
    /// `OUVRAGE_PA_CONNECTIONS` (2): tasks, each one request at a time.
    pub connections: usize,
    /// `OUVRAGE_PA_TIMEOUT_MS` (30 000): a request with no answer by then is uncertain.
    pub timeout_ms: u64,
    /// `OUVRAGE_PA_POLL_MS` (1 000): how often an idle task looks for work.
    pub poll_ms: u64,
    pub lease_ms: i64,
}

impl Default for PaConfig {
    fn default() -> Self {
        PaConfig { connections: 2, timeout_ms: 30_000, poll_ms: 1_000, lease_ms: 120_000 }
    }
}

impl PaConfig {
    pub fn from_env() -> Result<PaConfig, String> {
        let d = PaConfig::default();
        let num = |k: &str, default: u64| -> Result<u64, String> {
            match std::env::var(k).ok().filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| format!("{k} : nombre attendu, « {v} » reçu")),
            }
        };
        Ok(PaConfig {
            connections: num("OUVRAGE_PA_CONNECTIONS", d.connections as u64)?.clamp(1, 64) as usize,
            timeout_ms: num("OUVRAGE_PA_TIMEOUT_MS", d.timeout_ms)?.clamp(100, 120_000),
            poll_ms: num("OUVRAGE_PA_POLL_MS", d.poll_ms)?.max(10),
            lease_ms: d.lease_ms,
        }
        .with_lease())
    }

    /// The lease covers a batch of requests that all time out, with room to spare.
    pub fn with_lease(self) -> PaConfig {
        PaConfig { lease_ms: self.lease_ms.max(self.timeout_ms as i64 * 8), ..self }
    }
}

pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

pub fn start(db: Db, key: Arc<[u8; 32]>, cfg: PaConfig) -> Workers {
    let cfg = cfg.with_lease();
    let (stop, rx) = watch::channel(false);
    let process = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
    let http = pa::client(Duration::from_millis(cfg.timeout_ms));
    let tasks = (0..cfg.connections)
        .map(|i| tokio::spawn(task(db.clone(), key.clone(), cfg.clone(), http.clone(), format!("pa-{process}-{i}"), i == 0, rx.clone())))
        .collect();
    Workers { stop, tasks }
}

async fn task(db: Db, key: Arc<[u8; 32]>, cfg: PaConfig, http: reqwest::Client, me: String, keeper: bool, mut stop: watch::Receiver<bool>) {
    let mut last_keep: Option<Instant> = None;
    while !*stop.borrow() {
        if keeper && last_keep.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
            last_keep = Some(Instant::now());
            if let Err(e) = outbox::recover(&db, None).await {
                tracing::warn!("PA: recovery failed: {e}");
            }
            settle_uncertain(&db, &key, &http).await;
        }
        let batch = match outbox::claim(&db, &me, 4, cfg.lease_ms).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("PA: claim failed: {e}");
                Vec::new()
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(cfg.poll_ms)) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        for item in &batch {
            if *stop.borrow() {
                break;
            }
            match outbox::begin(&db, &me, item.id).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!("PA: {e}");
                    break;
                }
            }
            let outcome = match send(&db, &key, &http, item).await {
                Ok(o) => o,
                Err(e) => Outcome::Transient { error: e.to_string() },
            };
            if let Err(e) = outbox::record(&db, item, &outcome).await {
                tracing::error!("PA: the outcome of deposit {} could not be recorded: {e}", item.id);
            }
        }
        if let Err(e) = outbox::recover(&db, Some(&me)).await {
            tracing::warn!("PA: {e}");
        }
    }
}

/// The account of a company's PA, or why there is none.
async fn account(db: &Db, key: &[u8; 32], company_id: i64) -> Result<Account, AppError> {
    match crate::einvoice::store::credentials(db, company_id, key).await? {
        Some((url, organization, token)) if !url.is_empty() => Ok(Account { url, organization, token }),
        _ => Err(AppError::invalid("plateforme", "Aucune plateforme agréée configurée (Paramètres › Facturation électronique).")),
    }
}

async fn send(db: &Db, key: &[u8; 32], http: &reqwest::Client, item: &Claimed) -> Result<Outcome, AppError> {
    let account = match account(db, key, item.company_id).await {
        Ok(a) => a,
        Err(e) => return Ok(Outcome::Permanent { error: e.to_string() }),
    };
    let (name, syntax, rule, mime, file) = if item.kind == "facture" {
        let document_id = item.document_id.unwrap_or_default();
        let sql = "SELECT d.number, e.facturx FROM document_einvoice e JOIN document d ON d.company_id = e.company_id AND d.id = e.document_id \
                   WHERE e.company_id = $1 AND e.document_id = $2";
        let (number, pdf): (Option<String>, Vec<u8>) =
            crate::on_pool!(db, c => sqlx::query_as(sql).bind(item.company_id).bind(document_id).fetch_one(c).await).map_err(internal)?;
        (format!("{}.pdf", number.unwrap_or_default()), "Factur-X", "B2B", "application/pdf", pdf)
    } else if item.kind == "ereporting" {
        (format!("{}.xml", item.idem_key.replace(':', "-")), "FRR", "B2C", "application/xml", item.body.clone().into_bytes())
    } else {
        (format!("{}.xml", item.idem_key.replace(':', "-")), "CDAR", "B2B", "application/xml", item.body.clone().into_bytes())
    };
    Ok(pa::deposit(http, &account, Flow { name: &name, tracking_id: &item.idem_key, syntax, rule, mime, file }).await)
}

/// Asks the PA about each uncertain deposit: one it has is deposited after all; the
/// others wait for a person («Redéposer»).
async fn settle_uncertain(db: &Db, key: &[u8; 32], http: &reqwest::Client) {
    let items = match outbox::uncertain(db, 20).await {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!("PA: {e}");
            return;
        }
    };
    for item in items {
        let Ok(account) = account(db, key, item.company_id).await else { continue };
        match pa::find(http, &account, &item.idem_key).await {
            Ok(Some(flow_id)) => {
                if let Err(e) = outbox::resolved(db, &item, &flow_id).await {
                    tracing::warn!("PA: {e}");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::info!("PA: uncertain deposit {} not settled: {e}", item.id),
        }
    }
}
