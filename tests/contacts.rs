//! The «Clients» list over the demo company, on SQLite and PostgreSQL.

mod common;

use common::{Backend, spawn_demo};

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
