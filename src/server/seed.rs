//! `ouvrage seed --contacts N [--company NAME] [--seed S]`: realistic French contacts,
//! reproducible from the seed, inserted in bulk, then the search index is rebuilt. Meant for an
//! idle server (benchmarks, demos): it assigns contact ids itself.

use std::time::Instant;

use crate::contacts::model::ContactInput;
use crate::db::{Db, Tenant, internal, now};
use crate::error::AppError;
use crate::on_pool;
use crate::server::demo::{SplitMix64, fake_contact};

pub struct SeedReport {
    pub contacts: usize,
    /// Contacts in the search index (the company's, outside the «Corbeille»).
    pub indexed: usize,
    pub seconds: f64,
}

/// The company named `name` (created when missing), or the first company.
pub async fn company(db: &Db, name: Option<&str>) -> Result<Tenant, AppError> {
    let Some(name) = name else {
        return Ok(Tenant::trusted(crate::server::demo::ensure_company(db).await?));
    };
    let found: Option<i64> =
        on_pool!(db, c => sqlx::query_scalar("SELECT id FROM company WHERE name = $1").bind(name).fetch_optional(c).await)
            .map_err(internal)?;
    if let Some(id) = found {
        return Ok(Tenant::trusted(id));
    }
    let id = crate::server::demo::insert_company(db, name).await?;
    Ok(Tenant::trusted(id))
}

const BATCH: usize = 20_000;

/// Inserts `n` generated contacts (with phones and search terms) into the company.
pub async fn seed(db: &Db, tenant: &Tenant, n: usize, seed: u64) -> Result<SeedReport, AppError> {
    let start = Instant::now();
    let first_id: i64 = on_pool!(db, c => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM contact").fetch_one(c).await)
        .map_err(internal)?
        .unwrap_or(0)
        + 1;
    let mut rng = SplitMix64(seed);
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let batch: Vec<(i64, ContactInput)> =
            (0..count).map(|i| (first_id + (done + i) as i64, fake_contact(&mut rng, done + i + 1).input())).collect();
        insert_batch(db, tenant, &batch).await?;
        done += count;
    }
    tracing::info!(seconds = start.elapsed().as_secs_f64(), "contacts inserted");
    let indexed = crate::contacts::store::reindex_all(db, tenant).await?;
    tracing::info!(seconds = start.elapsed().as_secs_f64(), indexed, "search index built");
    match db {
        Db::Pg(p) => {
            sqlx::query("SELECT setval(pg_get_serial_sequence('contact', 'id'), (SELECT MAX(id) FROM contact))")
                .execute(p)
                .await
                .map_err(internal)?;
            // VACUUM sets the visibility map, without which index-only scans read the heap.
            sqlx::query("VACUUM ANALYZE").execute(p).await.map_err(internal)?;
        }
        Db::Sqlite(p, _) => {
            sqlx::query("ANALYZE").execute(p).await.map_err(internal)?;
        }
    }
    Ok(SeedReport { contacts: n, indexed, seconds: start.elapsed().as_secs_f64() })
}

async fn insert_batch(db: &Db, tenant: &Tenant, batch: &[(i64, ContactInput)]) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let t = now();
    match db {
        Db::Sqlite(pool, _) => {
            let mut conn = pool.acquire().await.map_err(internal)?;
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *conn).await.map_err(internal)?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(internal)?;
            // Integers are ours and written inline; every text is bound.
            for chunk in batch.chunks(500) {
                let values: Vec<String> =
                    chunk.iter().map(|(id, _)| format!("({id}, {cid}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {t}, {t})")).collect();
                let sql = format!(
                    "INSERT INTO contact (id, company_id, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes, created_at, updated_at) VALUES {}",
                    values.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for (_, c) in chunk {
                    q = q
                        .bind(c.statut.code())
                        .bind(&c.civilite)
                        .bind(&c.nom)
                        .bind(&c.prenom)
                        .bind(&c.societe)
                        .bind(&c.adresse)
                        .bind(&c.code_postal)
                        .bind(&c.ville)
                        .bind(&c.email)
                        .bind(&c.notes);
                }
                q.execute(&mut *tx).await.map_err(internal)?;
            }
            let phones: Vec<(i64, usize, &String)> =
                batch.iter().flat_map(|(id, c)| c.phones.iter().enumerate().map(move |(i, p)| (*id, i, p))).collect();
            for chunk in phones.chunks(2000) {
                let values: Vec<String> = chunk.iter().map(|(id, pos, _)| format!("({cid}, {id}, {pos}, '', ?)")).collect();
                let sql =
                    format!("INSERT INTO contact_phone (company_id, contact_id, position, label, number) VALUES {}", values.join(", "));
                let mut q = sqlx::query(&sql);
                for (_, _, p) in chunk {
                    q = q.bind(*p);
                }
                q.execute(&mut *tx).await.map_err(internal)?;
            }
            tx.commit().await.map_err(internal)?;
        }
        Db::Pg(pool) => {
            let mut tx = pool.begin().await.map_err(internal)?;
            let col = |f: fn(&ContactInput) -> String| batch.iter().map(|(_, c)| f(c)).collect::<Vec<String>>();
            let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
            sqlx::query(
                "INSERT INTO contact (id, company_id, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, notes, created_at, updated_at) \
                 OVERRIDING SYSTEM VALUE \
                 SELECT id, $1, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email, '', $2, $2 FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) \
                 AS u(id, statut, civilite, nom, prenom, societe, adresse, code_postal, ville, email)",
            )
            .bind(cid)
            .bind(t)
            .bind(&ids)
            .bind(col(|c| c.statut.code().to_string()))
            .bind(col(|c| c.civilite.clone()))
            .bind(col(|c| c.nom.clone()))
            .bind(col(|c| c.prenom.clone()))
            .bind(col(|c| c.societe.clone()))
            .bind(col(|c| c.adresse.clone()))
            .bind(col(|c| c.code_postal.clone()))
            .bind(col(|c| c.ville.clone()))
            .bind(col(|c| c.email.clone()))
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            let (mut p_ids, mut p_pos, mut p_num) = (Vec::new(), Vec::new(), Vec::new());
            for (id, c) in batch {
                for (i, p) in c.phones.iter().enumerate() {
                    p_ids.push(*id);
                    p_pos.push(i as i64);
                    p_num.push(p.clone());
                }
            }
            sqlx::query(
                "INSERT INTO contact_phone (company_id, contact_id, position, label, number) SELECT $1, id, pos, '', num FROM UNNEST($2::bigint[], $3::bigint[], $4::text[]) AS u(id, pos, num)",
            )
            .bind(cid)
            .bind(&p_ids)
            .bind(&p_pos)
            .bind(&p_num)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            tx.commit().await.map_err(internal)?;
        }
    }
    Ok(())
}
