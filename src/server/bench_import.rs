//! `ouvrage bench-import --rows N`: a company with a base of 20,000 generated contacts
//! imports a French CSV file (Windows-1252, `;`) of N rows, 5 % of which repeat contacts of
//! the base: the preview (read + duplicates analysis), then the background job (batches,
//! search index kept current), timed; beside it, in the same run, a baseline creating
//! rows one by one (one transaction and one index update each, as a naive import would).
//! Prints figures; asserts nothing.

use std::time::{Duration, Instant};

use crate::db::{Db, Tenant, internal};
use crate::error::AppError;
use crate::on_pool;
use crate::server::demo::{SplitMix64, fake_contact};

const BASE: usize = 20_000;
const BASELINE_ROWS: usize = 2_000;

fn csv_line(cells: &[&str]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| if c.contains([';', '"', '\n']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.to_string() })
        .collect();
    format!("{}\r\n", quoted.join(";"))
}

/// A distinct made-up surname part per row: «Vabelor», «Tinaquel»…
fn tail(mut i: usize) -> String {
    const SYL: [&str; 16] = ["va", "be", "lor", "ti", "na", "quel", "mo", "ran", "di", "sel", "cu", "fer", "po", "gna", "ri", "ve"];
    let mut s = String::new();
    loop {
        s.push_str(SYL[i % 16]);
        i /= 16;
        if i == 0 {
            break;
        }
    }
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub async fn run(db: &Db, label: &str, rows: usize) -> Result<(), AppError> {
    let stamp = crate::mail::outbox::now_ms();
    let company = crate::server::demo::create_company(
        db,
        &format!("Bench import {stamp}"),
        &format!("import{stamp}@bench.test"),
        "Bench-Import-2026",
    )
    .await?;
    let tenant = Tenant::trusted(company);
    let user: i64 = on_pool!(db, c => sqlx::query_scalar("SELECT id FROM app_user WHERE company_id = $1").bind(company).fetch_one(c).await)
        .map_err(internal)?;
    crate::server::seed::seed(db, &tenant, BASE, 11).await?;
    // The file: new people, and every 20th row a person of the base (same generator seed).
    let mut base_rng = SplitMix64(11);
    let mut rng = SplitMix64(stamp as u64);
    let mut text = csv_line(&["Civilité", "Nom", "Prénom", "Société", "Adresse", "CP", "Ville", "Tél. portable", "Tél. fixe", "E-mail"]);
    for i in 0..rows {
        // The generator draws from few names, streets and towns (many same-name or
        // same-address pairs in a town): new people get a distinct double-barrelled name,
        // e-mail and street number, so that 95 % of rows are new.
        let k = if i % 20 == 19 {
            fake_contact(&mut base_rng, i / 20 + 1)
        } else {
            let mut k = fake_contact(&mut rng, i + 1);
            k.nom = format!("{}-{}", k.nom, tail(i));
            k.adresse = format!("{}, {}", i + 1, k.adresse);
            if !k.email.is_empty() {
                k.email = format!("{}.{}", tail(i).to_lowercase(), k.email);
            }
            k
        };
        let phone = |n: usize| k.phones.get(n).map(|(_, p)| p.as_str()).unwrap_or("");
        text.push_str(&csv_line(&[
            k.civilite,
            &k.nom,
            &k.prenom,
            &k.societe,
            &k.adresse,
            &k.code_postal,
            &k.ville,
            phone(0),
            phone(1),
            &k.email,
        ]));
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let bytes = bytes.into_owned();
    println!("== {label}: import of {rows} rows ({:.1} MB, Windows-1252) into a base of {BASE} contacts", bytes.len() as f64 / 1e6);

    let t = Instant::now();
    let id = crate::imports::store::create(db, &tenant, user, "bench.csv", bytes).await?;
    let preview = t.elapsed().as_secs_f64();
    let v = crate::imports::store::view(db, &tenant, id).await?;
    let a = &v.analysis;
    println!(
        "preview (read, columns, duplicates): {preview:>7.2} s  — {} new, {} likely duplicates, {} invalid",
        a.new_rows, a.duplicate_count, a.invalid_count
    );
    let t = Instant::now();
    crate::imports::store::start(db, &tenant, id).await?;
    let p = loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let p = crate::imports::store::progress(db, &tenant, id).await?;
        if p.state != "en_cours" {
            break p;
        }
    };
    let job = t.elapsed().as_secs_f64();
    println!(
        "import job (batches of {}, index kept): {job:>7.2} s  — {:.0} rows/s; {} created, {} skipped as duplicates, {} invalid ({})",
        crate::imports::store::BATCH,
        rows as f64 / job,
        p.created,
        p.skipped,
        p.invalid,
        p.state
    );
    println!("total, upload to last row              : {:>7.2} s  (goal: 100,000 rows in under 60 s)", preview + job);
    let found = crate::search::store::search(db, &tenant, "paviere robert", 5).await?.len();
    println!("search «paviere robert» right after    : {found} hit(s)");

    // Baseline: the first rows again, each in its own transaction with its own index update.
    let mut rng = SplitMix64(stamp as u64 ^ 0xABCD);
    let t = Instant::now();
    for i in 0..BASELINE_ROWS {
        let input = fake_contact(&mut rng, i + 1).input();
        let mut tx = db.begin().await?;
        crate::contacts::store::create(&mut tx, &tenant, Some(user), &input).await?;
        tx.commit().await?;
    }
    let naive = t.elapsed().as_secs_f64();
    let per_s = BASELINE_ROWS as f64 / naive;
    println!(
        "baseline: one row, one transaction    : {:>7.0} rows/s ({BASELINE_ROWS} rows in {naive:.2} s) — {rows} rows would take {:.0} s; the job is {:.1}× faster",
        per_s,
        rows as f64 / per_s,
        (rows as f64 / job) / per_s
    );
    Ok(())
}
