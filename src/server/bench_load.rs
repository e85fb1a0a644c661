//! `ouvrage bench-load-prepare [--contacts N]`: the data of the load figure (SPEC §4, the
//! client «Accueil»): the «Bench» company with N contacts (seeded when fewer), a user
//! `bench@bench.test`, and one client with 50 SAV, 10 services and 20 answered questions.
//! Prints `client=<id>`; `bench/load.sh` then measures with wrk.

use crate::db::{Db, internal};
use crate::error::AppError;
use crate::on_pool;

pub const EMAIL: &str = "bench@bench.test";
pub const PASSWORD: &str = "Bench-Charge-2026!";

pub async fn prepare(db: &Db, contacts: usize) -> Result<i64, AppError> {
    let tenant = crate::server::seed::company(db, Some("Bench")).await?;
    let have = crate::server::bench::count(db, &tenant).await?;
    if (have as usize) < contacts {
        let r = crate::server::seed::seed(db, &tenant, contacts - have as usize, 7).await?;
        println!("seeded {} contacts in {:.1} s", r.contacts, r.seconds);
    }
    crate::server::demo::ensure_admin(db, &tenant, EMAIL, PASSWORD).await?;
    let user: i64 = on_pool!(db, c => sqlx::query_scalar("SELECT id FROM app_user WHERE company_id = $1 ORDER BY id LIMIT 1").bind(tenant.company_id()).fetch_one(c).await)
        .map_err(internal)?;
    let found: Option<i64> = on_pool!(db, c => sqlx::query_scalar("SELECT id FROM contact WHERE company_id = $1 AND nom = 'Charge' AND societe = 'Accueil Bench'")
        .bind(tenant.company_id()).fetch_optional(c).await)
    .map_err(internal)?;
    if let Some(id) = found {
        return Ok(id);
    }
    let mut tx = db.begin().await?;
    let mut input = crate::server::demo::fake_contact(&mut crate::server::demo::SplitMix64(99), 1).input();
    input.nom = "Charge".into();
    input.societe = "Accueil Bench".into();
    let client = crate::contacts::store::create(&mut tx, &tenant, Some(user), &input).await?;
    let today = crate::fmt::today_paris();
    for i in 0..50 {
        let status = ["ouvert", "en_cours", "clos"][i % 3];
        let s = crate::sav::store::parse_sav(
            &format!("SAV n° {i} : chaudière en défaut"),
            "Brûleur encrassé, nettoyage et réglage de la combustion.\nPièce commandée.",
            "2026-01-15",
            "",
            status,
            i % 10 == 0,
            &today,
        )?;
        crate::sav::store::save_sav(&mut tx, &tenant, user, client, None, &s).await?;
    }
    for i in 0..10 {
        let s = crate::sav::store::parse_service(&format!("Entretien n° {i}"), "2025-03-01", "12", "", "Contrat annuel", true)?;
        crate::sav::store::save_service(&mut tx, &tenant, user, client, None, &s).await?;
    }
    let mut pairs = Vec::new();
    for i in 0..20 {
        let q = crate::questions::store::parse(&format!("Question de charge {i}"), "texte", "", true)?;
        let id = crate::questions::store::save(&mut tx, &tenant, None, &q).await?;
        pairs.push((id, format!("Réponse {i}")));
    }
    crate::questions::store::save_answers(&mut tx, &tenant, user, client, &pairs).await?;
    tx.commit().await?;
    Ok(client)
}
