//! The «Clients» list over the demo company, on SQLite and PostgreSQL.

use crate::common;

use crate::common::{Backend, spawn_demo};

both_databases!(demo_company_and_client_lists);

async fn demo_company_and_client_lists(b: Backend) {
    let app = spawn_demo(b).await;
    assert_eq!(app.count("contact").await, 200);
    assert_eq!(app.count("app_user").await, 4, "the administrator and three demo users");
    let sophie = app.logged_in(ouvrage::server::demo::DEMO_ADMIN, ouvrage::server::demo::DEMO_PASSWORD).await;
    let clients = sophie.call("contacts/list", &[("statut", "client")]).await.json();
    let prospects = sophie.call("contacts/list", &[("statut", "prospect")]).await.json();
    let trash = sophie.call("contacts/list", &[("statut", "corbeille")]).await.json();
    let total = |v: &serde_json::Value| v["total"].as_i64().unwrap();
    assert_eq!(total(&clients) + total(&prospects) + total(&trash), 200);
    assert!(total(&clients) > 80 && total(&prospects) > 40 && total(&trash) > 0);
    assert_eq!(clients["rows"].as_array().unwrap().len(), 50, "paginated by 50");
    let page2 = sophie.call("contacts/list", &[("statut", "client"), ("page", "1")]).await.json();
    assert_ne!(page2["rows"][0]["id"], clients["rows"][0]["id"]);
    // Sorted by name.
    let names: Vec<String> = clients["rows"].as_array().unwrap().iter().map(|r| r["nom"].as_str().unwrap().to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Sortable: by city, most recent first; an unknown order falls back to the name.
    let by_city = sophie.call("contacts/list", &[("statut", "client"), ("sort", "ville")]).await.json();
    let cities: Vec<String> = by_city["rows"].as_array().unwrap().iter().map(|r| r["ville"].as_str().unwrap().to_lowercase()).collect();
    let mut sorted_cities = cities.clone();
    sorted_cities.sort();
    assert_eq!(cities, sorted_cities);
    let recent = sophie.call("contacts/list", &[("statut", "client"), ("sort", "recent")]).await.json();
    let ids: Vec<i64> = recent["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    let bogus = sophie.call("contacts/list", &[("statut", "client"), ("sort", "nom; DROP TABLE contact")]).await.json();
    assert_eq!(bogus["sort"], "nom");
    assert_eq!(bogus["rows"], clients["rows"]);
    // A plain filter; LIKE metacharacters are literal.
    let all_bases = |q: &'static str| {
        let sophie = &sophie;
        async move {
            let mut n = 0;
            for s in ["client", "prospect"] {
                n += sophie.call("contacts/list", &[("statut", s), ("q", q)]).await.json()["total"].as_i64().unwrap();
            }
            n
        }
    };
    assert!(all_bases("pavi").await >= 1, "«PAVIÈRE Robert» is in the demo");
    assert_eq!(all_bases("%").await, 0);
    assert_eq!(all_bases("_").await, 0);
    // The trash needs its right; unknown statut is refused in French.
    let karim = app.logged_in("karim.benali@demo.ouvrage.fr", ouvrage::server::demo::DEMO_PASSWORD).await;
    assert_eq!(karim.call("contacts/list", &[("statut", "corbeille")]).await.status, 403);
    assert_eq!(karim.call("contacts/list", &[("statut", "client")]).await.status, 200);
    assert_eq!(karim.call("contacts/list", &[("statut", "supprime")]).await.invalid().1, "Statut inconnu.");
    let page = sophie.get("/clients?statut=prospect").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Prospects") && page.body.contains("Page 1 sur"));
    app.finish().await;
}

both_databases!(contact_lifecycle_trash_and_history, contact_bad_input_saves_nothing, commercial_fields_need_their_right);

fn contact_form<'a>(statut: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("statut", statut),
        ("civilite", "M."),
        ("nom", "Pavière"),
        ("prenom", "Robert"),
        ("ville", "Saint-Étienne"),
        ("code_postal", "42000"),
    ];
    for (k, v) in extra {
        if *k != "phones[]" {
            f.retain(|(key, _)| key != k);
        }
        f.push((k, v));
    }
    f
}

async fn find_id(c: &common::Client, q: &str) -> Option<i64> {
    c.call("search", &[("q", q)]).await.json().as_array().unwrap().first().map(|h| h["id"].as_i64().unwrap())
}

/// What commercial management asks before a new devis or facture.
async fn may_issue(app: &common::TestApp, id: i64) -> bool {
    let mut tx = app.db.begin().await.unwrap();
    ouvrage::contacts::store::commercial_gate(&mut tx, &tenant(app), id, false).await.is_ok()
}

async fn contact_lifecycle_trash_and_history(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call("contacts/create", &contact_form("prospect", &[("phones[]", "06 12 34 56 78"), ("phones[]", "+33 4 77 21 35 80")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = find_id(&admin, "paviere rob").await.expect("found once created");
    let c = admin.call("contacts/get", &[("id", &id.to_string())]).await.json();
    assert_eq!(c["phones"], serde_json::json!(["06 12 34 56 78", "04 77 21 35 80"]));
    assert_eq!(c["statut"], "prospect");
    assert!(may_issue(&app, id).await);

    // Edit: the index follows in the same transaction.
    let ids = id.to_string();
    let f = contact_form("client", &[("id", &ids), ("phones[]", "07 00 00 00 01"), ("nom", "Pavillon")]);
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    assert_eq!(find_id(&admin, "pavillon robert").await, Some(id));
    assert_eq!(find_id(&admin, "0612345678").await, None, "the old phone is gone from the index");
    assert_eq!(find_id(&admin, "07 00 00 00 01").await, Some(id));

    // Trash: gone from search and from commercial management, never deleted.
    let f = contact_form("corbeille", &[("id", &ids), ("nom", "Pavillon")]);
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    assert_eq!(find_id(&admin, "pavillon").await, None);
    assert!(!may_issue(&app, id).await);
    assert_eq!(app.count("contact").await, 1);
    let trash = admin.call("contacts/list", &[("statut", "corbeille"), ("q", "pavil")]).await.json();
    assert_eq!(trash["total"], 1);

    // Restore.
    let f = contact_form("client", &[("id", &ids), ("nom", "Pavillon")]);
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    assert_eq!(find_id(&admin, "pavillon").await, Some(id));

    // Every change of statut: who, when, from, to.
    let c = admin.call("contacts/get", &[("id", &ids)]).await.json();
    let h: Vec<(String, String, String)> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["user"].as_str().unwrap().into(), h["from"].as_str().unwrap().into(), h["to"].as_str().unwrap().into()))
        .collect();
    let who = "Administrateur".to_string();
    assert_eq!(
        h,
        vec![
            (who.clone(), "Corbeille".into(), "Client".into()),
            (who.clone(), "Client".into(), "Corbeille".into()),
            (who.clone(), "Prospect".into(), "Client".into()),
            (who, "—".into(), "Prospect".into()),
        ]
    );
    assert!(c["history"][0]["at"].as_str().unwrap().contains('/'), "a French date");
    let page = admin.get(&format!("/clients/{id}")).await;
    assert!(page.body.contains("Fiche contact") && page.body.contains("Historique des statuts") && page.body.contains("Modifier"));

    // Trashing needs the right; another company gets «introuvable».
    admin.call("users/create", &[("name", "Karim"), ("email", "karim@test.fr"), ("signature", ""), ("password", "Technicien-2026!")]).await;
    let karim = app.logged_in("karim@test.fr", "Technicien-2026!").await;
    let r = karim
        .call("contacts/update", &f.iter().map(|(k, v)| (*k, if *k == "statut" { "corbeille" } else { *v })).collect::<Vec<_>>())
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(find_id(&admin, "pavillon").await, Some(id));
    ouvrage::server::demo::create_company(&app.db, "Autre", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    assert_eq!(other.call("contacts/get", &[("id", &ids)]).await.status, 404);
    assert_eq!(other.call("contacts/update", &f).await.status, 404);
    app.finish().await;
}

fn tenant(app: &common::TestApp) -> ouvrage::db::Tenant {
    ouvrage::db::Tenant::for_tests(app.company_id)
}

async fn contact_bad_input_saves_nothing(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    // Over the 20,000 characters of «Notes», under the 2 Mo a form may weigh (a heavier
    // form is refused whole before decoding: tests/security.rs).
    let huge = "x".repeat(30_000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (contact_form("client", &[("email", "robert@")]), "email"),
        (contact_form("client", &[("phones[]", "06 12")]), "phones"),
        (contact_form("client", &[("phones[]", "appelez le soir")]), "phones"),
        (contact_form("client", &[("code_postal", "4200")]), "code_postal"),
        (contact_form("supprime", &[]), "statut"),
        (contact_form("client", &[("notes", &huge)]), "notes"),
        (vec![("statut", "client"), ("nom", ""), ("societe", "")], "nom"),
    ];
    for (form, field) in cases {
        let r = admin.call("contacts/create", &form).await;
        assert_eq!(r.status, 422, "{field}");
        assert_eq!(r.invalid().0, field);
    }
    assert_eq!(app.count("contact").await, 0);
    assert_eq!(app.count("search_doc").await, 0);
    assert_eq!(admin.call("contacts/get", &[("id", "424242")]).await.status, 404);
    assert_eq!(admin.call("contacts/create", &[("nom", "Sans statut")]).await.status, 422);
    app.finish().await;
}

both_databases!(seed_is_bulk_reproducible_and_searchable);

async fn seed_is_bulk_reproducible_and_searchable(b: Backend) {
    let app = common::spawn(b).await;
    let t = ouvrage::server::seed::company(&app.db, Some("Bench")).await.unwrap();
    let r = ouvrage::server::seed::seed(&app.db, &t, 500, 7).await.unwrap();
    assert_eq!(r.contacts, 500);
    assert!((400..500).contains(&r.indexed), "{} indexed: the trashed ones are not", r.indexed);
    let t2 = ouvrage::server::seed::company(&app.db, Some("Bench 2")).await.unwrap();
    ouvrage::server::seed::seed(&app.db, &t2, 500, 7).await.unwrap();
    let names_of = |t: ouvrage::db::Tenant| {
        let db = app.db.clone();
        async move {
            let sql = "SELECT id, nom FROM contact WHERE company_id = $1 AND statut <> 'corbeille' ORDER BY id LIMIT 20";
            let rows: Vec<(i64, String)> = match &db {
                ouvrage::db::Db::Sqlite(p, _) => sqlx::query_as(sql).bind(t.company_id()).fetch_all(p).await.unwrap(),
                ouvrage::db::Db::Pg(p) => sqlx::query_as(sql).bind(t.company_id()).fetch_all(p).await.unwrap(),
            };
            rows
        }
    };
    let names = names_of(t).await;
    let again: Vec<String> = names_of(t2).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(names.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(), again, "the same seed gives the same base");
    for (id, nom) in names.iter().take(5).cloned() {
        let hits = ouvrage::search::store::search(&app.db, &t, &nom, 500).await.unwrap();
        assert!(hits.iter().any(|h| h.id == id), "{nom} is found");
    }
    // Nothing leaks into the first company.
    let admin = app.admin().await;
    assert!(admin.call("search", &[("q", &names[0].1)]).await.json().as_array().unwrap().is_empty());
    app.finish().await;
}

/// «Bloquer la gestion commerciale», its reason and «Plafond d'encours» need the right
/// «Gestion commerciale», on top of editing the contact: a technician holding every other
/// right still saves the rest of «Fiche contact», sees those fields read-only, and is told
/// (403) when the form tries to change one of them; nothing is saved then.
async fn commercial_fields_need_their_right(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call(
            "contacts/create",
            &contact_form("client", &[("bloque", "oui"), ("bloque_motif", "Impayés 2025"), ("plafond_encours", "1500")]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = admin.newest_client_id().await.to_string();
    let r = admin
        .call(
            "users/create",
            &[
                ("name", "Karim Technicien"),
                ("email", "tech@test.fr"),
                ("signature", ""),
                ("password", "Technicien-2026!"),
                ("rights[]", "utilisateurs"),
                ("rights[]", "parametres"),
                ("rights[]", "relances"),
                ("rights[]", "corbeille_fusion"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tech = app.logged_in("tech@test.fr", "Technicien-2026!").await;
    let get = async || admin.call("contacts/get", &[("id", &id)]).await.json();
    let stored = serde_json::json!({"bloque": true, "motif": "Impayés 2025", "plafond": 150_000});
    assert_eq!(get().await["commercial"], stored);

    // The form without the right: the commercial fields are shown, not editable; they
    // travel unchanged with the form.
    let page = tech.get(&format!("/clients/{id}/modifier")).await;
    assert_eq!(page.status, 200);
    for editable in ["id=\"f-bloque\"", "id=\"f-bloque_motif\"", "id=\"f-plafond_encours\""] {
        assert!(!page.body.contains(editable), "{editable} is editable without the right");
    }
    assert!(page.body.contains("Oui — Impayés 2025"), "the block and its reason are shown");
    assert!(page.body.contains("1\u{202f}500,00\u{a0}€") || page.body.contains("1 500,00"), "the limit is shown");
    assert!(page.body.contains("id=\"f-nom\""), "the rest of the form stays editable");
    // With the right, they are fields of the form.
    let page = admin.get(&format!("/clients/{id}/modifier")).await;
    for editable in ["id=\"f-bloque\"", "id=\"f-bloque_motif\"", "id=\"f-plafond_encours\""] {
        assert!(page.body.contains(editable), "{editable} is a field for the administrator");
    }

    // The form as the technician's browser posts it: the name changes, nothing else.
    let same = [("bloque", "oui"), ("bloque_motif", "Impayés 2025"), ("plafond_encours", "1500,00")];
    let mut f = vec![("id", id.as_str())];
    f.extend(contact_form("client", &[("nom", "Pavière-Martin")]));
    f.extend(same);
    let r = tech.call("contacts/update", &f).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = get().await;
    assert_eq!(c["nom"], "Pavière-Martin");
    assert_eq!(c["commercial"], stored);

    // Any change of the three fields is refused, with nothing saved (not even the name).
    let attempts: [&[(&str, &str)]; 5] = [
        &[("bloque", "non"), ("bloque_motif", ""), ("plafond_encours", "1500,00")],
        &[("bloque", "oui"), ("bloque_motif", "Réglé"), ("plafond_encours", "1500,00")],
        &[("bloque", "oui"), ("bloque_motif", "Impayés 2025"), ("plafond_encours", "999999")],
        &[("bloque", "oui"), ("bloque_motif", "Impayés 2025"), ("plafond_encours", "")],
        &[],
    ];
    for changed in attempts {
        let mut f = vec![("id", id.as_str())];
        f.extend(contact_form("client", &[("nom", "Intrus")]));
        f.extend_from_slice(changed);
        let r = tech.call("contacts/update", &f).await;
        assert_eq!(r.status, 403, "{changed:?}: {}", r.body);
        assert!(r.body.contains("Gestion commerciale"), "{}", r.body);
        let c = get().await;
        assert_eq!((c["nom"].as_str(), &c["commercial"]), (Some("Pavière-Martin"), &stored), "{changed:?}");
    }
    // A new contact: blocked or with a limit, refused; without them, created.
    let before = app.count("contact").await;
    for extra in [[("bloque", "oui"), ("bloque_motif", "Mauvais payeur")], [("plafond_encours", "10"), ("bloque", "non")]] {
        let r = tech.call("contacts/create", &contact_form("client", &extra)).await;
        assert_eq!(r.status, 403, "{extra:?}: {}", r.body);
    }
    assert_eq!(app.count("contact").await, before);
    assert_eq!(tech.call("contacts/create", &contact_form("client", &[("nom", "Nouveau")])).await.status, 200);

    // The administrator (every right) changes them.
    let mut f = vec![("id", id.as_str())];
    f.extend(contact_form("client", &[("nom", "Pavière-Martin"), ("bloque", "non"), ("plafond_encours", "2000")]));
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    assert_eq!(get().await["commercial"], serde_json::json!({"bloque": false, "motif": "", "plafond": 200_000}));
    app.finish().await;
}
