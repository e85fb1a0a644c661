//! `ouvrage bench-mail --mails N`: outbox throughput to a local SMTP sink (`SMTP_URL`).
//! In one run: lettre's own pooled transport on one connection (the baseline, which
//! stalls ~40 ms per mail on Nagle's algorithm and the peer's delayed ACK), then the
//! outbox worker (N mails queued in the database, sent by `OUVRAGE_MAIL_CONNECTIONS`
//! tasks, each outcome recorded) with one connection and with the configured number.
//! Prints figures; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::{Db, Tenant};
use crate::error::AppError;
use crate::mail::config::MailConfig;
use crate::mail::outbox::{self, NewMail};

pub async fn run(url: &str, label: &str, mails: usize, cfg: &MailConfig) -> Result<(), AppError> {
    let Some(smtp) = cfg.smtp.clone() else { return Err(AppError::invalid("SMTP_URL", "SMTP_URL est requis")) };
    println!("== {label}: {mails} mails to {}:{}", smtp.host, smtp.port);

    // Baseline: lettre's transport, one pooled connection, mails one after the other.
    let baseline_n = 200.min(mails);
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .pool_config(PoolConfig::new().max_size(1))
        .build();
    let t = Instant::now();
    for i in 0..baseline_n {
        let m = Message::builder()
            .from("bench@bench.test".parse::<Mailbox>().expect("address"))
            .to(format!("c{i}@client.test").parse::<Mailbox>().expect("address"))
            .subject(format!("Relance {i}"))
            .body("Bonjour,\n\nMerci de régler la facture.\n".to_string())
            .map_err(|_| AppError::Internal)?;
        transport.send(m).await.map_err(|e| AppError::invalid("smtp", e.to_string()))?;
    }
    let base = baseline_n as f64 / t.elapsed().as_secs_f64();
    println!(
        "baseline  lettre AsyncSmtpTransport, 1 pooled connection : {base:>8.0} mails/s ({baseline_n} mails, {:.1} ms per mail)",
        1000.0 / base
    );

    for connections in [1, cfg.connections] {
        let db = Db::connect(url).await.map_err(|e| AppError::invalid("database", e.to_string()))?;
        let company = crate::server::demo::create_company(
            &db,
            &format!("Bench courrier {}", outbox::now_ms()),
            &format!("bench{}@bench.test", outbox::now_ms()),
            "Bench-Courrier-2026",
        )
        .await?;
        let tenant = Tenant::trusted(company);
        let user: i64 =
            crate::on_pool!(&db, c => sqlx::query_scalar("SELECT id FROM app_user WHERE company_id = $1").bind(company).fetch_one(c).await)
                .map_err(crate::db::internal)?;
        // The sender domain counts as checked and authorised (no DNS in a benchmark).
        let report = crate::mail::model::DomainReport {
            domain: "bench.test".into(),
            status: crate::mail::model::DomainStatus::Authorised,
            spf_records: vec![],
            proposed: None,
            dmarc: None,
            message: String::new(),
            checked_at: crate::db::now(),
        };
        let json = serde_json::to_string(&report).map_err(|_| AppError::Internal)?;
        let mut tx = db.begin().await?;
        crate::on_conn!(&mut tx, c => sqlx::query("INSERT INTO mail_domain_check (company_id, domain, status, report, checked_at) VALUES ($1, 'bench.test', 'authorised', $2, $3)")
            .bind(company).bind(&json).bind(report.checked_at).execute(c).await.map(|_| ())).map_err(crate::db::internal)?;
        // The bench company proved its domain (src/mail/proof.rs): its mails go From the user.
        crate::on_conn!(&mut tx, c => sqlx::query("INSERT INTO mail_domain_verification (company_id, domain, token, created_at, verified_at, state, checked_at) VALUES ($1, 'bench.test', 'bench', $2, $2, 'verified', $2)")
            .bind(company).bind(report.checked_at).execute(c).await.map(|_| ())).map_err(crate::db::internal)?;
        tx.commit().await?;

        let t = Instant::now();
        for chunk in (0..mails).collect::<Vec<_>>().chunks(500) {
            let mut tx = db.begin().await?;
            for i in chunk {
                let m = NewMail {
                    key: format!("bench:{i}"),
                    entity: "bench",
                    entity_id: None,
                    to: format!("c{i}@client.test"),
                    subject: format!("Relance {i}"),
                    text: "Bonjour,\n\nMerci de régler la facture.".into(),
                    attachments: vec![],
                };
                outbox::enqueue(&mut tx, &tenant, user, m, &cfg.host).await?;
            }
            tx.commit().await?;
        }
        let queued = mails as f64 / t.elapsed().as_secs_f64();

        let worker_cfg = MailConfig { connections, poll_ms: 10, ..cfg.clone() };
        let t = Instant::now();
        let workers = crate::mail::worker::start(db.clone(), Arc::new(worker_cfg)).ok_or(AppError::Internal)?;
        let sql = "SELECT COUNT(*) FROM outbox WHERE company_id = $1 AND status IN ('sent', 'failed', 'uncertain')";
        let done = loop {
            let n: i64 =
                crate::on_pool!(&db, c => sqlx::query_scalar(sql).bind(company).fetch_one(c).await).map_err(crate::db::internal)?;
            if n as usize >= mails || t.elapsed() > Duration::from_secs(600) {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let secs = t.elapsed().as_secs_f64();
        workers.stop().await;
        let sent: i64 = crate::on_pool!(&db, c => sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE company_id = $1 AND status = 'sent'").bind(company).fetch_one(c).await)
            .map_err(crate::db::internal)?;
        println!(
            "outbox    {connections:>2} connection(s), each outcome recorded   : {:>8.0} mails/s ({sent} of {mails} sent in {secs:.1} s, {:.1}× the baseline; queued at {queued:.0} mails/s)",
            done as f64 / secs,
            done as f64 / secs / base
        );
        db.close().await;
    }
    Ok(())
}
