//! Duplicates over HTTP, on SQLite and PostgreSQL: the warning, the report and «Pas un
//! doublon», the merge moving every attached row, its undo, and refusals.

use crate::common::{Backend, Client, TestApp, spawn};

both_databases!(
    every_contact_table_joins_the_merge,
    merge_moves_everything_and_undo_restores_it,
    merge_keeps_the_survivors_answers,
    report_and_not_duplicate,
    warning_while_typing,
    bad_merges_are_refused
);

/// Answers to complementary questions: one per contact and question. The other's answers
/// to questions the survivor did not answer move; where both answered, the survivor's
/// stays and the other's remains on the merged record; undo gives each its own back.
async fn merge_keeps_the_survivors_answers(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = create(&admin, "Vidal", "Rose", "42000", "06 11 11 11 11", "", "").await;
    let bb = create(&admin, "Vidal", "Rose", "42000", "06 22 22 22 22", "", "").await;
    let q1 = admin.call("questions/save", &[("label", "Chauffage"), ("kind", "texte")]).await.body;
    let q2 = admin.call("questions/save", &[("label", "Accès"), ("kind", "texte")]).await.body;
    let answer = async |k: i64, pairs: &[(&str, &str)]| {
        let k = k.to_string();
        let mut form = vec![("contact_id", k.as_str())];
        for (q, v) in pairs {
            form.push(("question[]", q));
            form.push(("value[]", v));
        }
        assert_eq!(admin.call("questions/answer", &form).await.status, 200);
    };
    answer(a, &[(&q1, "Gaz")]).await;
    answer(bb, &[(&q1, "Fioul"), (&q2, "Code 1234")]).await;
    let values = async |k: i64| -> Vec<(String, String)> {
        let got = admin.call("questions/answers", &[("contact_id", &k.to_string())]).await.json();
        got.as_array()
            .unwrap()
            .iter()
            .filter(|x| x["value"] != "")
            .map(|x| (x["question"]["label"].as_str().unwrap().to_string(), x["value"].as_str().unwrap().to_string()))
            .collect()
    };
    let r = admin.call("duplicates/merge", &[("survivor", &a.to_string()), ("other", &bb.to_string())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let merge_id = r.json().as_i64().unwrap().to_string();
    assert_eq!(values(a).await, [("Chauffage".to_string(), "Gaz".to_string()), ("Accès".to_string(), "Code 1234".to_string())]);
    assert_eq!(values(bb).await, [("Chauffage".to_string(), "Fioul".to_string())], "the other's conflicting answer stays with it");
    assert_eq!(admin.call("duplicates/undo", &[("merge_id", &merge_id)]).await.status, 200);
    assert_eq!(values(a).await, [("Chauffage".to_string(), "Gaz".to_string())]);
    assert_eq!(values(bb).await, [("Chauffage".to_string(), "Fioul".to_string()), ("Accès".to_string(), "Code 1234".to_string())]);
    app.finish().await;
}

async fn create(c: &Client, nom: &str, prenom: &str, cp: &str, phone: &str, email: &str, notes: &str) -> i64 {
    let ville = match cp {
        "75011" => "Paris",
        "59000" => "Lille",
        _ => "Saint-Étienne",
    };
    let r = c
        .call(
            "contacts/create",
            &[
                ("statut", "client"),
                ("nom", nom),
                ("prenom", prenom),
                ("code_postal", cp),
                ("ville", ville),
                ("phones[]", phone),
                ("email", email),
                ("notes", notes),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The newest client is the one just created.
    c.newest_client_id().await
}

async fn rows_of(app: &TestApp, id: i64) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for a in ouvrage::duplicates::store::ATTACHED {
        let sql = format!("SELECT id FROM {} WHERE {} = $1{} ORDER BY id", a.table, a.column, a.filter);
        let ids: Vec<i64> = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar(&sql).bind(id).fetch_all(c).await).unwrap();
        out.extend(ids.into_iter().map(|i| (a.table.to_string(), i)));
    }
    out
}

/// Fails when a table holding a `contact_id` is neither moved by the merge nor listed as
/// not moved with its reason: a new attached table must join `ATTACHED`.
async fn every_contact_table_joins_the_merge(b: Backend) {
    let app = spawn(b).await;
    let sql = match b {
        Backend::Sqlite => {
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'contact_id' ORDER BY m.name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'contact_id' ORDER BY 1"
        }
    };
    let tables: Vec<String> = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar(sql).fetch_all(c).await).unwrap();
    assert!(tables.len() >= 5, "{tables:?}");
    for t in &tables {
        let moved = ouvrage::duplicates::store::ATTACHED.iter().any(|a| a.table == t);
        let kept = ouvrage::duplicates::store::NOT_MOVED.iter().any(|(n, _)| n == t);
        assert!(moved || kept, "table «{t}» holds a contact_id: add it to duplicates::store::ATTACHED (or NOT_MOVED with the reason)");
    }
    app.finish().await;
}

async fn merge_moves_everything_and_undo_restores_it(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = create(&admin, "Pavière", "Robert", "42000", "06 12 34 56 78", "robert@exemple.fr", "Client depuis 2019").await;
    let bb = create(&admin, "Paviere", "Robert", "42000", "04 77 21 35 80", "r.paviere@orange.fr", "Chaudière au fioul").await;
    assert_ne!(a, bb);
    // Attached to the other: a facture (issued), a draft devis, a file, history.
    for kind in ["facture", "devis"] {
        let r = admin
            .call(
                "documents/create",
                &[
                    ("contact_id", &bb.to_string()),
                    ("kind", kind),
                    ("doc_date", "2026-11-29"),
                    ("designation[]", "Entretien"),
                    ("unit_price[]", "100"),
                    ("vat[]", "1000"),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        if kind == "facture" {
            assert_eq!(admin.call("documents/issue", &[("id", &r.body)]).await.status, 200);
        }
    }
    let (status, _) = admin.upload(&format!("/clients/{bb}/porte-doc/importer"), "plan.pdf", b"%PDF-1.4 plan".to_vec()).await;
    assert_eq!(status, 303);
    // And an action.
    let t = admin.call("actions/save_type", &[("label", "A relancer")]).await.body;
    let r = admin.call("actions/create", &[("contact_id", &bb.to_string()), ("type_id", &t), ("alert_date", "2026-12-01")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows_a = rows_of(&app, a).await;
    let rows_b = rows_of(&app, bb).await;
    for table in ["document", "stored_file", "audit", "action"] {
        assert!(rows_b.iter().any(|(t, _)| t == table), "the other has a row of {table}");
    }

    // Merge: keep the other's e-mail.
    let r = admin.call("duplicates/merge", &[("survivor", &a.to_string()), ("other", &bb.to_string()), ("f_email", "autre")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let merge_id = r.json().as_i64().unwrap();
    let sa = admin.call("contacts/get", &[("id", &a.to_string())]).await.json();
    assert_eq!(sa["email"], "r.paviere@orange.fr");
    assert_eq!(sa["phones"], serde_json::json!(["06 12 34 56 78", "04 77 21 35 80"]));
    assert_eq!(sa["notes"], "Client depuis 2019\n\nChaudière au fioul");
    let sb = admin.call("contacts/get", &[("id", &bb.to_string())]).await.json();
    assert_eq!(sb["statut"], "corbeille");
    assert!(rows_of(&app, bb).await.iter().all(|(t, _)| t == "audit"), "only the merge's own history stays on the other");
    let moved_in = rows_of(&app, a).await;
    for r in &rows_b {
        assert!(moved_in.contains(r), "{r:?} moved to the survivor");
    }
    let pd = admin.call("documents/porte_doc", &[("contact_id", &a.to_string())]).await.json();
    assert_eq!(pd["documents"].as_array().unwrap().len(), 2);
    assert_eq!(pd["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        admin.call("actions/of_client", &[("contact_id", &a.to_string())]).await.json()["open"].as_array().unwrap().len(),
        1,
        "the action moved"
    );
    // The other's phone and document number find the survivor; the other is in the Corbeille.
    let hits = admin.call("search", &[("q", "04 77 21 35 80")]).await.json();
    assert_eq!(hits.as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![a]);
    assert_eq!(admin.call("search", &[("q", "F-2026-00001")]).await.json()[0]["id"], a);

    // An unrelated edit of the survivor after the merge survives the undo.
    let edit = [
        ("id", a.to_string()),
        ("statut", "client".into()),
        ("nom", "Pavière".into()),
        ("prenom", "Robert".into()),
        ("code_postal", "42000".into()),
        ("ville", "Saint-Étienne".into()),
        ("adresse", "3 rue Neuve".into()),
        ("email", "r.paviere@orange.fr".into()),
        ("notes", "Client depuis 2019\n\nChaudière au fioul".into()),
        ("phones[]", "06 12 34 56 78".into()),
        ("phones[]", "04 77 21 35 80".into()),
    ];
    let edit: Vec<(&str, &str)> = edit.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.call("contacts/update", &edit).await.status, 200);

    let r = admin.call("duplicates/undo", &[("merge_id", &merge_id.to_string())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ua = admin.call("contacts/get", &[("id", &a.to_string())]).await.json();
    assert_eq!(ua["email"], "robert@exemple.fr");
    assert_eq!(ua["phones"], serde_json::json!(["06 12 34 56 78"]));
    assert_eq!(ua["notes"], "Client depuis 2019");
    assert_eq!(ua["adresse"], "3 rue Neuve", "the later edit is kept");
    let ub = admin.call("contacts/get", &[("id", &bb.to_string())]).await.json();
    assert_eq!(ub["statut"], "client");
    assert_eq!(ub["email"], "r.paviere@orange.fr");
    // Every moved row is back; the survivor keeps only its own (plus the merge's history).
    let back_b = rows_of(&app, bb).await;
    for r in &rows_b {
        assert!(back_b.contains(r), "{r:?} back on the other");
    }
    let now_a: Vec<(String, i64)> = rows_of(&app, a).await.into_iter().filter(|(t, _)| t != "audit").collect();
    assert_eq!(now_a, rows_a.into_iter().filter(|(t, _)| t != "audit").collect::<Vec<_>>());
    assert_eq!(admin.call("search", &[("q", "F-2026-00001")]).await.json()[0]["id"], bb);
    // Not twice.
    assert_eq!(admin.call("duplicates/undo", &[("merge_id", &merge_id.to_string())]).await.status, 422);
    app.finish().await;
}

async fn report_and_not_duplicate(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = create(&admin, "Pavière", "Robert", "42000", "06 12 34 56 78", "", "").await;
    let bb = create(&admin, "Robert", "Paviere", "42000", "+33 6 12 34 56 78", "", "").await;
    create(&admin, "Pavière", "Robert", "75011", "01 40 00 00 00", "", "").await; // a namesake in Paris
    create(&admin, "Dupont", "Zoé", "59000", "", "", "").await;
    let scan = async || {
        assert_eq!(admin.call("duplicates/scan", &[]).await.status, 200);
        for _ in 0..100 {
            let r = admin.call("duplicates/report", &[]).await.json();
            if r["running"] == false {
                return r;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the scan did not finish");
    };
    let r = scan().await;
    let pairs = r["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{r}");
    assert_eq!((pairs[0]["a"]["id"].as_i64(), pairs[0]["b"]["id"].as_i64()), (Some(a.min(bb)), Some(a.max(bb))));
    assert!(pairs[0]["reasons"].as_str().unwrap().contains("même téléphone"));
    assert!(pairs[0]["score"].as_u64().unwrap() >= 90);
    // «Pas un doublon»: gone, and never proposed again.
    assert_eq!(admin.call("duplicates/not_duplicate", &[("a", &a.to_string()), ("b", &bb.to_string())]).await.status, 200);
    assert!(admin.call("duplicates/report", &[]).await.json()["pairs"].as_array().unwrap().is_empty());
    assert!(scan().await["pairs"].as_array().unwrap().is_empty());
    // A user without the right gets no report.
    assert_eq!(app.client().call("duplicates/report", &[]).await.status, 401);
    app.finish().await;
}

async fn warning_while_typing(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = create(&admin, "Pavière", "Robert", "42000", "06 12 34 56 78", "robert@exemple.fr", "").await;
    let found = admin.call("duplicates/check", &[("nom", "Pavierre"), ("prenom", "Robert"), ("code_postal", "42000")]).await.json();
    assert_eq!(found[0]["id"], a, "{found}");
    let found = admin.call("duplicates/check", &[("nom", "Martin"), ("phones[]", "+33612345678")]).await.json();
    assert_eq!(found[0]["id"], a, "same phone: {found}");
    assert!(found[0]["reasons"].as_str().unwrap().contains("même téléphone"));
    // Editing the record itself: not its own duplicate.
    let found = admin
        .call("duplicates/check", &[("nom", "Pavière"), ("prenom", "Robert"), ("code_postal", "42000"), ("exclude", &a.to_string())])
        .await
        .json();
    assert!(found.as_array().unwrap().is_empty(), "{found}");
    // A namesake elsewhere is not flagged.
    let found = admin
        .call("duplicates/check", &[("nom", "Pavière"), ("prenom", "Robert"), ("code_postal", "75011"), ("ville", "Paris")])
        .await
        .json();
    assert!(found.as_array().unwrap().is_empty(), "{found}");
    app.finish().await;
}

async fn bad_merges_are_refused(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = create(&admin, "Pavière", "Robert", "42000", "", "", "").await;
    let bb = create(&admin, "Paviere", "Robert", "42000", "", "", "").await;
    let c = create(&admin, "Pavièr", "Robert", "42000", "", "", "").await;
    let merge = |s: i64, o: i64| {
        let admin = &admin;
        async move { admin.call("duplicates/merge", &[("survivor", &s.to_string()), ("other", &o.to_string())]).await }
    };
    assert!(merge(a, a).await.invalid().1.contains("lui-même"));
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    let theirs = create(&other, "Pavière", "Roberta", "42000", "", "", "").await;
    assert_eq!(merge(a, theirs).await.status, 404);
    assert_eq!(other.call("duplicates/merge", &[("survivor", &theirs.to_string()), ("other", &a.to_string())]).await.status, 404);
    // Two users merging the same pair at once: one wins, the other is told.
    let admin2 = app.admin().await;
    let (sa, sb) = (a.to_string(), bb.to_string());
    let form = [("survivor", sa.as_str()), ("other", sb.as_str())];
    let (r1, r2) = tokio::join!(merge(a, bb), admin2.call("duplicates/merge", &form));
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} / {}", r1.body, r2.body);
    // Already merged, or trashed: refused.
    assert!(merge(c, bb).await.invalid().1.contains("déjà été fusionné"));
    let trash =
        [("id", c.to_string()), ("statut", "corbeille".to_string()), ("nom", "Pavièr".to_string()), ("prenom", "Robert".to_string())];
    let trash: Vec<(&str, &str)> = trash.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.call("contacts/update", &trash).await.status, 200);
    assert!(merge(a, c).await.invalid().1.contains("Corbeille"));
    assert_eq!(app.count("contact_merge").await, 1, "nothing half-done");
    app.finish().await;
}
