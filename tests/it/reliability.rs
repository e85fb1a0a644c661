//! Online backup of the SQLite database while the application writes, then a restore that
//! serves the same data. (PostgreSQL is backed up with its own tools.)

use crate::common::{Backend, spawn};

both_databases!(audit_trail_is_visible_with_the_right_and_read_only);

/// A page whose data loads in a resource answers while another router of the same
/// process is being built (the tests build many; leptos issue #4773: building a route
/// list parks every resource first polled meanwhile, and its page never answers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_while_another_router_is_built() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", "Ramoneur"), ("prenom", "Aimé")]).await.status, 200);
    let page = format!("/clients/{}/accueil", admin.newest_client_id().await);
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let (state, building) = (app.state.clone(), stop.clone());
    let builder = tokio::task::spawn_blocking(move || {
        let mut built = 0;
        while !building.load(Ordering::Relaxed) {
            drop(ouvrage::server::router(state.clone()));
            built += 1;
        }
        built
    });
    for _ in 0..30 {
        let r = tokio::time::timeout(std::time::Duration::from_secs(10), admin.get(&page)).await;
        let answered = r.as_ref().is_ok_and(|a| a.status == 200 && a.body.contains("Ramoneur"));
        if !answered {
            stop.store(true, Ordering::Relaxed);
        }
        assert!(answered, "«Accueil» did not answer while a router was being built");
    }
    stop.store(true, Ordering::Relaxed);
    assert!(builder.await.unwrap() > 0, "no router was built meanwhile");
    app.finish().await;
}

/// Who did what — status changes, blocks, merges and their undo, rights changes — shows
/// in «Journal» to a user with «Paramétrer l'application», and nothing can change it.
async fn audit_trail_is_visible_with_the_right_and_read_only(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for (nom, prenom) in [("Journal", "Robert"), ("Journal", "Roberte"), ("Journal", "Roberto")] {
        assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", nom), ("prenom", prenom)]).await.status, 200);
        ids.push(admin.newest_client_id().await.to_string());
    }
    let id = ids[0].as_str();
    let upd = |extra: &[(&'static str, &'static str)]| {
        let mut f = vec![("id", id), ("statut", "client"), ("nom", "Journal"), ("prenom", "Robert")];
        f.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        f.extend_from_slice(extra);
        f.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>()
    };
    for form in [upd(&[("statut", "prospect")]), upd(&[("bloque", "oui"), ("bloque_motif", "Litige")])] {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(admin.call("contacts/update", &pairs).await.status, 200);
    }
    let merge = admin.call("duplicates/merge", &[("survivor", &ids[1]), ("other", &ids[2])]).await.json().to_string();
    assert_eq!(admin.call("duplicates/undo", &[("merge_id", &merge)]).await.status, 200);
    let r = admin
        .call(
            "users/create",
            &[
                ("name", "Léa Roux"),
                ("email", "lea@test.fr"),
                ("signature", ""),
                ("password", "Secretariat-2026!"),
                ("rights[]", "relances"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let lea = admin.call("users/list", &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "lea@test.fr").unwrap()["id"]
        .to_string();
    let r = admin
        .call(
            "users/update",
            &[
                ("id", &lea),
                ("name", "Léa Roux"),
                ("email", "lea@test.fr"),
                ("signature", ""),
                ("active", "on"),
                ("rights[]", "relances"),
                ("rights[]", "gestion_commerciale"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let journal = admin.call("audit/list", &[]).await.json();
    let entries = journal["entries"].as_array().unwrap();
    let has = |what: &str, detail: &str| entries.iter().any(|e| e["what"] == what && e["detail"].as_str().unwrap().contains(detail));
    assert!(has("Changement de statut", "client>prospect"), "{journal}");
    assert!(has("Gestion commerciale bloquée", "Litige"));
    assert!(has("Fusion de contacts", &ids[2]));
    assert!(has("Fusion annulée", &ids[2]));
    assert!(has("Compte modifié (droits)", "gestion_commerciale"));
    assert!(entries.iter().all(|e| !e["user"].as_str().unwrap().is_empty()));
    // Without the right: refused. And no server function writes to it.
    let lea_client = app.logged_in("lea@test.fr", "Secretariat-2026!").await;
    assert_eq!(lea_client.call("audit/list", &[]).await.status, 403);
    let audit_fns: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).filter(|p| p.contains("audit")).collect();
    assert_eq!(audit_fns, vec!["/api/audit/list".to_string()], "the journal is read-only");
    app.finish().await;
}

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
    let ouvrage::db::Db::Sqlite(pool, _) = &restored else { unreachable!() };
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
