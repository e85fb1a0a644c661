//! Scale-out: two server processes (the real binary) on one PostgreSQL database. A
//! session opened on one works on the other (sessions live in the database). Over a
//! simulated day both run every background job at once — the reminder planner (automatic
//! R1 by e-mail), action alerts, the outbox — and one of them is killed (SIGKILL) while
//! mails are going out: every mail arrives once (0 duplicates by Message-ID), none is lost
//! (the killed server's claims are taken over when their lease ends; a mail it was in the
//! middle of sending is marked «incertain» for a person to resend, never sent twice),
//! and every invoice gets its R1 once. Users searching on both servers meanwhile see
//! errors only from the killed one.

use crate::common;
use crate::smtp;

use std::collections::HashMap;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::common::{Backend, free_port, process_client as client};

const ADMIN: (&str, &str) = ("scale@test.fr", "Deux-Serveurs-2026!");
const CLIENTS: usize = 120;

/// A server; `smtp` none: its mails wait in the outbox, and it raises no alerts.
fn start(url: &str, port: u16, smtp: Option<&str>) -> Child {
    let mut env = vec![("OUVRAGE_MAIL_POLL_MS", "20"), ("OUVRAGE_MAIL_LEASE_MS", "2000"), ("OUVRAGE_MAIL_CONNECTIONS", "2")];
    match smtp {
        Some(smtp) => env.extend([("SMTP_URL", smtp), ("OUVRAGE_ALERT_POLL_MS", "100")]),
        None => env.push(("OUVRAGE_ALERT_POLL_MS", "3600000")),
    }
    common::server_process(url, port, ADMIN, &env)
}

async fn wait_up(port: u16) {
    for _ in 0..400 {
        if reqwest::get(format!("http://127.0.0.1:{port}/connexion")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server on {port} did not start");
}

async fn sql_i64(db: &ouvrage::db::Db, sql: &str) -> i64 {
    ouvrage::on_pool!(db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_the_work_of_a_day() {
    if !common::postgres_available().await {
        return;
    }
    let (db, pg_name) = common::fresh_db(Backend::Postgres).await;
    let url = common::db_url(&db).await;
    let sink = smtp::Sink::start();

    // The day's data, entered on a first server.
    let port = free_port();
    let mut first = start(&url, port, None);
    wait_up(port).await;
    let a = client(port);
    assert_eq!(a.call("login", &[("email", ADMIN.0), ("password", ADMIN.1)]).await.status, 200);
    assert_eq!(common::post_identity(&a, &[]).await.status, 200);
    assert_eq!(a.call("prefs/save", &[("action_alert_email", "on")]).await.status, 200);
    let r = a
        .call(
            "reminders/save_settings",
            &[("r1_days", "7"), ("r2_days", "15"), ("r3_days", "30"), ("med_days", "45"), ("med_deadline_days", "8"), ("auto_r1", "on")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let kind = a.call("actions/save_type", &[("label", "Rappeler")]).await.body;
    let today = ouvrage::fmt::paris_date(ouvrage::db::now());
    let due = (today - chrono::Duration::days(20)).format("%Y-%m-%d").to_string();
    let issued = (today - chrono::Duration::days(50)).format("%Y-%m-%d").to_string();
    for i in 0..CLIENTS {
        let r = a
            .call(
                "contacts/create",
                &[("statut", "client"), ("nom", &format!("Client{i:03}")), ("email", &format!("compta{i}@client.test"))],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let k = a.newest_client_id().await.to_string();
        let r = a
            .call(
                "documents/create",
                &[
                    ("contact_id", &k),
                    ("kind", "facture"),
                    ("doc_date", &issued),
                    ("due_date", &due),
                    ("designation[]", "Entretien"),
                    ("unit_price[]", "100"),
                    ("vat[]", "2000"),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(a.call("documents/issue", &[("id", &r.body)]).await.status, 200);
        let r = a.call("actions/create", &[("contact_id", &k), ("type_id", &kind), ("alert_date", &due)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // That server planned its day at start, before the invoices existed; it stops.
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM outbox").await, 0);

    // The day: two servers start together; both plan, both send, both raise alerts.
    let (pa, pb) = (free_port(), free_port());
    let mut sa = start(&url, pa, Some(&sink.url()));
    let mut sb = start(&url, pb, Some(&sink.url()));
    wait_up(pa).await;
    wait_up(pb).await;
    // A session opened on one server is good on the other.
    let r = client(pa)
        .http
        .post(format!("http://127.0.0.1:{pa}/api/login"))
        .form(&[("email", ADMIN.0), ("password", ADMIN.1)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let r =
        reqwest::Client::new().post(format!("http://127.0.0.1:{pb}/api/reminders/summary")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the session opened on server A, used on server B");
    // What a server keeps of the search index follows writes made on the other one.
    let http = reqwest::Client::new();
    let search = async |port: u16, q: &str| -> String {
        let r = http.post(format!("http://127.0.0.1:{port}/api/search")).header("cookie", &cookie).form(&[("q", q)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        r.text().await.unwrap()
    };
    assert_eq!(search(pb, "zorglub").await, "[]");
    let r = http
        .post(format!("http://127.0.0.1:{pa}/api/contacts/create"))
        .header("cookie", &cookie)
        .header("origin", format!("http://127.0.0.1:{pa}"))
        .form(&[("statut", "client"), ("nom", "Zorglub")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let found: serde_json::Value = serde_json::from_str(&search(pb, "zorglub").await).unwrap();
    assert_eq!(found[0]["nom"], "Zorglub", "created on A, found on B at once");
    // B now keeps «zorglub»'s list, which names the contact; renamed on A, the contact is
    // no longer found under its old name on B (the statement reading the hits tells B its
    // list is old).
    let id = found[0]["id"].to_string();
    let r = http
        .post(format!("http://127.0.0.1:{pa}/api/contacts/update"))
        .header("cookie", &cookie)
        .header("origin", format!("http://127.0.0.1:{pa}"))
        .form(&[("id", id.as_str()), ("statut", "client"), ("nom", "Zorbaz")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(search(pb, "zorglub").await, "[]", "renamed on A, still found under its old name on B");
    assert!(search(pb, "zorbaz").await.contains("Zorbaz"));
    // Users keep working on both servers (8 at once, round robin, as a load balancer
    // would send them) while one server dies and mails are going out.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let users: Vec<_> = (0..8)
        .map(|u| {
            let (stop, cookie) = (stop.clone(), cookie.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let (mut ok, mut failed_on) = ([0usize; 2], [0usize; 2]);
                let mut n = u;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let (i, port) = if n % 2 == 0 { (0, pa) } else { (1, pb) };
                    n += 1;
                    let r = http
                        .post(format!("http://127.0.0.1:{port}/api/search"))
                        .header("cookie", &cookie)
                        .form(&[("q", "client01")])
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => ok[i] += 1,
                        _ => failed_on[i] += 1,
                    }
                }
                (ok, failed_on)
            })
        })
        .collect();
    let expected = 2 * CLIENTS;
    let deadline = Instant::now() + Duration::from_secs(30);
    while sink.messages().len() < expected / 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sa.kill().unwrap();
    sa.wait().unwrap();
    let killed_at = sink.messages().len();

    // The other finishes the day: everything left, and the dead one's claims after their lease.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        // The planner may still be at work (a killed planner's transaction is rolled back
        // and the other one, waiting on the lock, plans the day).
        let open = sql_i64(&db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'claimed', 'sending')").await;
        let planned = sql_i64(&db, "SELECT COUNT(*) FROM reminder").await;
        if (open == 0 && planned == CLIENTS as i64) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut ok, mut failed) = ([0usize; 2], [0usize; 2]);
    for u in users {
        let (o, f) = u.await.unwrap();
        (ok[0], ok[1], failed[0], failed[1]) = (ok[0] + o[0], ok[1] + o[1], failed[0] + f[0], failed[1] + f[1]);
    }
    println!(
        "users' searches during the day: server A {} answered, {} failed (killed); server B {} answered, {} failed",
        ok[0], failed[0], ok[1], failed[1]
    );
    assert_eq!(failed[1], 0, "the surviving server answered every request");
    assert!(ok[1] > 0 && failed[0] > 0, "both were used, and the killed one stopped answering");
    sb.kill().unwrap();
    sb.wait().unwrap();

    let mails = sink.messages();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *by_id.entry(smtp::header(m, "Message-ID").unwrap_or_default()).or_default() += 1;
    }
    let duplicates: Vec<_> = by_id.iter().filter(|(_, n)| **n > 1).collect();
    let sent = sql_i64(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await;
    let uncertain = sql_i64(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'").await;
    let rows = sql_i64(&db, "SELECT COUNT(*) FROM outbox").await;
    let states: Vec<(String, i64, String)> = ouvrage::on_pool!(&db, c => sqlx::query_as("SELECT status, COUNT(*), MAX(smtp_reply) FROM outbox GROUP BY status").fetch_all(c).await).unwrap();
    println!("outbox: {states:?}");
    let reminders = sql_i64(&db, "SELECT COUNT(*) FROM reminder").await;
    let r1 = sql_i64(&db, "SELECT COUNT(DISTINCT document_id) FROM reminder WHERE level = 'R1'").await;
    let alerts = sql_i64(&db, "SELECT COUNT(*) FROM outbox WHERE entity = 'action'").await;
    println!(
        "two servers: {} mails received ({killed_at} before one server was killed), {} distinct, {sent} sent, {uncertain} uncertain; {reminders} reminders for {CLIENTS} invoices",
        mails.len(),
        by_id.len()
    );
    assert!(duplicates.is_empty(), "mails received twice: {duplicates:?}");
    assert_eq!((reminders, r1), (CLIENTS as i64, CLIENTS as i64), "each invoice its R1, once");
    assert_eq!(alerts, CLIENTS as i64, "each action's alert queued once");
    assert_eq!(rows, expected as i64, "one outbox row per reminder and per alert");
    assert_eq!(sent + uncertain, rows, "nothing lost: sent, or marked uncertain for a person to resend");
    assert!(
        (sent as usize..=(sent + uncertain) as usize).contains(&mails.len()),
        "every mail marked sent arrived, and only those or the uncertain ones"
    );
    drop(sink);
    db.close().await;
    common::drop_database(pg_name).await;
}
