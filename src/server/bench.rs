//! `ouvrage bench-search`: a fixed mix of queries over a seeded base, through the same
//! code path as the «Rechercher» server function, with p50/p95/p99 per kind beside a
//! naive `LIKE '%…%'` baseline measured in the same run. Prints figures; asserts nothing.

use std::time::Instant;

use crate::db::{Db, Tenant, internal};
use crate::error::AppError;
use crate::on_pool;
use crate::search::text::fold;
use crate::server::demo::SplitMix64;

#[derive(sqlx::FromRow)]
struct Sample {
    id: i64,
    nom: String,
    prenom: String,
    phone: Option<String>,
}

pub struct Query {
    pub kind: &'static str,
    pub text: String,
    pub target: Option<i64>,
}

/// ≥ 1,000 queries built from the base itself, reproducibly.
pub async fn query_mix(db: &Db, tenant: &Tenant, per_kind: usize) -> Result<Vec<Query>, AppError> {
    let sql = "SELECT c.id, c.nom, c.prenom, (SELECT p.number FROM contact_phone p WHERE p.company_id = c.company_id AND p.contact_id = c.id ORDER BY p.position LIMIT 1) AS phone \
               FROM contact c WHERE c.company_id = $1 AND c.statut <> 'corbeille' AND c.nom <> '' AND c.prenom <> '' AND c.id % 97 = 0 ORDER BY c.id LIMIT $2";
    let samples = on_pool!(db, c => sqlx::query_as::<_, Sample>(sql).bind(tenant.company_id()).bind(per_kind as i64).fetch_all(c).await)
        .map_err(internal)?;
    let mut rng = SplitMix64(42);
    let mut out = Vec::new();
    for s in &samples {
        let t = Some(s.id);
        out.push(Query { kind: "exact", text: format!("{} {}", s.nom, s.prenom), target: t });
        let pre = |w: &str| w.chars().take(3).collect::<String>();
        out.push(Query { kind: "prefix", text: format!("{} {}", pre(&s.nom), pre(&s.prenom)), target: t });
        out.push(Query { kind: "reversed", text: format!("{} {}", s.prenom, s.nom), target: t });
        out.push(Query { kind: "accent-stripped", text: fold(&format!("{} {}", s.nom, s.prenom)), target: t });
        let nom: Vec<char> = fold(&s.nom).chars().collect();
        let typo: String = if nom.len() >= 4 {
            let i = 1 + rng.below(nom.len() - 1);
            nom.iter().enumerate().map(|(j, c)| if j == i { if *c == 'x' { 'z' } else { 'x' } } else { *c }).collect()
        } else {
            nom.iter().collect()
        };
        out.push(Query { kind: "one-typo", text: format!("{typo} {}", s.prenom), target: t });
        if let Some(p) = &s.phone {
            out.push(Query { kind: "phone-fragment", text: p.chars().take(8).collect(), target: None });
        }
        let miss: String = (0..7).map(|_| (b'a' + rng.below(26) as u8) as char).collect();
        out.push(Query { kind: "miss", text: format!("{miss}q"), target: None });
    }
    Ok(out)
}

/// One query in this many is also run through the naive baseline.
const NAIVE_EVERY: usize = 5;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Runs the mix and prints a table for this database.
pub async fn run(db: &Db, tenant: &Tenant, label: &str, per_kind: usize) -> Result<(), AppError> {
    let queries = query_mix(db, tenant, per_kind).await?;
    // Warm the caches once, as a running server has them.
    for q in queries.iter().take(50) {
        crate::search::store::search(db, tenant, &q.text, 20).await?;
    }
    let kinds = ["exact", "prefix", "reversed", "accent-stripped", "one-typo", "phone-fragment", "miss"];
    println!("\n== {label}: {} queries (naive baseline: one in {NAIVE_EVERY}) ==", queries.len());
    println!(
        "{:<16} {:>5} | {:>8} {:>8} {:>8} {:>7} | {:>10} {:>10} {:>10} {:>7}",
        "kind", "n", "p50 ms", "p95 ms", "p99 ms", "found", "naive p50", "naive p95", "naive p99", "found"
    );
    let mut all = Vec::new();
    let mut all_naive = Vec::new();
    for kind in kinds {
        let qs: Vec<&Query> = queries.iter().filter(|q| q.kind == kind).collect();
        let (mut t, mut tn) = (Vec::new(), Vec::new());
        let (mut hit, mut hit_naive, mut targets) = (0, 0, 0);
        let mut naive_targets = 0;
        for (i, q) in qs.iter().enumerate() {
            let start = Instant::now();
            let hits = crate::search::store::search(db, tenant, &q.text, 20).await?;
            t.push(start.elapsed().as_secs_f64() * 1000.0);
            if let Some(id) = q.target {
                targets += 1;
                hit += hits.iter().any(|h| h.id == id) as usize;
            }
            // The baseline scans the whole table: every fifth query is enough to see it.
            if i % NAIVE_EVERY == 0 {
                let start = Instant::now();
                let naive = crate::search::store::naive_search(db, tenant, &q.text, 20).await?;
                tn.push(start.elapsed().as_secs_f64() * 1000.0);
                if let Some(id) = q.target {
                    naive_targets += 1;
                    hit_naive += naive.contains(&id) as usize;
                }
            }
        }
        all.extend(t.iter().copied());
        all_naive.extend(tn.iter().copied());
        t.sort_by(f64::total_cmp);
        tn.sort_by(f64::total_cmp);
        let found = |h: usize, n: usize| if n == 0 { "—".to_string() } else { format!("{:.0}%", 100.0 * h as f64 / n as f64) };
        println!(
            "{:<16} {:>5} | {:>8.2} {:>8.2} {:>8.2} {:>7} | {:>10.2} {:>10.2} {:>10.2} {:>7}",
            kind,
            qs.len(),
            percentile(&t, 0.5),
            percentile(&t, 0.95),
            percentile(&t, 0.99),
            found(hit, targets),
            percentile(&tn, 0.5),
            percentile(&tn, 0.95),
            percentile(&tn, 0.99),
            found(hit_naive, naive_targets)
        );
    }
    all.sort_by(f64::total_cmp);
    all_naive.sort_by(f64::total_cmp);
    println!(
        "{:<16} {:>5} | {:>8.2} {:>8.2} {:>8.2} {:>7} | {:>10.2} {:>10.2} {:>10.2}",
        "ALL",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        "",
        percentile(&all_naive, 0.5),
        percentile(&all_naive, 0.95),
        percentile(&all_naive, 0.99)
    );
    Ok(())
}

/// Contacts of the company (to seed only what is missing).
pub async fn count(db: &Db, tenant: &Tenant) -> Result<i64, AppError> {
    on_pool!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM contact WHERE company_id = $1").bind(tenant.company_id()).fetch_one(c).await)
        .map_err(internal)
}

/// Writes with the index on: `n` contacts created one transaction each, through the
/// store function the «Nouveau contact» server function uses; p50/p95 per contact and
/// throughput, beside the same inserts into the contact table alone (no phones, no
/// history, no index) as the baseline.
pub async fn writes(db: &Db, tenant: &Tenant, label: &str, n: usize) -> Result<(), AppError> {
    let mut rng = SplitMix64(99);
    let inputs: Vec<_> = (0..n).map(|i| crate::server::demo::fake_contact(&mut rng, i + 1).input()).collect();
    let mut times = Vec::with_capacity(n);
    let start = Instant::now();
    for c in &inputs {
        let t = Instant::now();
        let mut tx = db.begin().await?;
        crate::contacts::store::create(&mut tx, tenant, None, c).await?;
        tx.commit().await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let total = start.elapsed().as_secs_f64();
    let mut base = Vec::with_capacity(n);
    let base_start = Instant::now();
    for c in &inputs {
        let t = Instant::now();
        let mut tx = db.begin().await?;
        let sql = "INSERT INTO contact (company_id, statut, nom, prenom, ville, code_postal, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)";
        crate::on_conn!(&mut tx, conn => sqlx::query(sql)
            .bind(tenant.company_id())
            .bind(c.statut.code())
            .bind(&c.nom)
            .bind(&c.prenom)
            .bind(&c.ville)
            .bind(&c.code_postal)
            .bind(&c.email)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .map_err(internal)?;
        tx.commit().await?;
        base.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let base_total = base_start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    base.sort_by(f64::total_cmp);
    println!(
        "\n== {label}: {n} contacts created, one transaction each ==\nwith index   {:>7.0} contacts/s  p50 {:>6.2} ms  p95 {:>6.2} ms\nbare insert  {:>7.0} contacts/s  p50 {:>6.2} ms  p95 {:>6.2} ms",
        n as f64 / total,
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        n as f64 / base_total,
        percentile(&base, 0.5),
        percentile(&base, 0.95)
    );
    Ok(())
}
