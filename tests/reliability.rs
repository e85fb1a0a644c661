//! Online backup of the SQLite database while the application writes, then a restore that
//! serves the same data. (PostgreSQL is backed up with its own tools.)

mod common;

use common::{Backend, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_restores_the_same_data() {
    let app = spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    for i in 0..30 {
        let nom = format!("Sauvegarde{i}");
        assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", &nom), ("prenom", "Robert")]).await.status, 200);
    }
    // Writers keep going during the backup.
    let writer = {
        let c = app.admin().await;
        tokio::spawn(async move {
            for i in 0..40 {
                let nom = format!("Pendant{i}");
                c.call("contacts/create", &[("statut", "client"), ("nom", &nom)]).await;
            }
        })
    };
    let dir = std::env::temp_dir().join(format!("ouvrage-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("copie.db");
    let _ = std::fs::remove_file(&copy);
    ouvrage::server::backup::sqlite(&app.db, &copy).await.expect("backup");
    writer.await.unwrap();
    assert!(ouvrage::server::backup::sqlite(&app.db, &copy).await.is_err(), "never overwrites a file");

    // Restore: a database opened on the copy holds every row that existed before the backup
    // started, consistently (contacts with their index), and passes the integrity check.
    let restored = ouvrage::db::Db::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    let ouvrage::db::Db::Sqlite(pool) = &restored else { unreachable!() };
    let names: Vec<String> = sqlx::query_scalar("SELECT nom FROM contact ORDER BY id").fetch_all(pool).await.unwrap();
    for i in 0..30 {
        assert!(names.contains(&format!("Sauvegarde{i}")), "Sauvegarde{i} in the copy");
    }
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_doc").fetch_one(pool).await.unwrap();
    assert_eq!(indexed, names.len() as i64, "each contact of the copy is in its index: one snapshot");
    let t = ouvrage::db::Tenant::for_tests(app.company_id);
    let hits = ouvrage::search::store::search(&restored, &t, "sauvegarde12", 20).await.unwrap();
    assert_eq!(hits[0].nom, "Sauvegarde12", "the restored index answers, exact match first");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await.unwrap();
    assert_eq!(check, "ok");
    restored.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("backup: {} contacts in the copy (30 before, up to 40 written during)", names.len());
    app.finish().await;
}
