//! The widget pages (SPEC C8): the client «Accueil» and the «Tableau de bord», fetched as
//! a browser without JavaScript does (complete HTML with every widget's content), the
//! SAV preferences, and «Personnaliser» per user.

mod common;

use common::Backend;

both_databases!(client_home_and_dashboard);

fn pos(body: &str, needle: &str) -> usize {
    body.find(needle).unwrap_or_else(|| panic!("«{needle}» not in the page"))
}

async fn client_home_and_dashboard(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", "Perrin"), ("prenom", "Luc"), ("societe", "Perrin Menuiserie"), ("ville", "Vienne"), ("code_postal", "38200"), ("phones[]", "04 74 12 34 56"), ("phones[]", "06 12 34 56 78")]).await.status, 200);
    let k = admin.newest_client_id().await.to_string();
    let q = admin.call("questions/save", &[("label", "Type de chauffage"), ("kind", "choix"), ("choices", "Gaz\nFioul"), ("pinned", "on")]).await.body;
    assert_eq!(admin.call("questions/answer", &[("contact_id", &k), ("question[]", &q), ("value[]", "Fioul")]).await.status, 200);
    assert_eq!(admin.call("sav/save", &[("contact_id", &k), ("title", "Radiateur froid"), ("observations", "Purger le circuit du 1er étage")]).await.status, 200);
    assert_eq!(admin.call("sav/save", &[("contact_id", &k), ("title", "Ancienne fuite"), ("status", "clos"), ("archived", "on")]).await.status, 200);
    assert_eq!(admin.call("services/save", &[("contact_id", &k), ("label", "Ramonage annuel"), ("start_date", "2026-09-01"), ("periodicity_months", "12")]).await.status, 200);
    let t = admin.call("actions/save_type", &[("label", "A rappeler")]).await.body;
    // Not yet due whatever the day the test runs (the top bar's count is checked below).
    let later = (chrono::Local::now().date_naive() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    assert_eq!(admin.call("actions/create", &[("contact_id", &k), ("type_id", &t), ("alert_date", &later), ("note", "x")]).await.status, 200);
    let f = admin.call("documents/create", &[("contact_id", &k), ("kind", "facture"), ("doc_date", "2026-10-01"), ("due_date", "2026-10-31"), ("designation[]", "Pose"), ("unit_price[]", "100"), ("vat[]", "2000")]).await.body;
    assert_eq!(admin.call("documents/issue", &[("id", &f)]).await.status, 200);
    let r = admin.call("reminders/make", &[("contact_id", &k), ("level", "R1"), ("channel", "courrier")]).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // «Accueil», without JavaScript: every widget's content is in the HTML.
    let page = admin.get(&format!("/clients/{k}/accueil")).await;
    assert_eq!(page.status, 200);
    let body = page.body;
    assert!(body.contains("04 74 12 34 56 · 06 12 34 56 78"), "«Identité et contact»: the phones, in their order");
    assert!(body.contains("38200 Vienne"));
    for needle in ["Identité et contact", "Perrin Menuiserie", "Type de chauffage", "Fioul", "Radiateur froid", "Purger le circuit du 1er étage", "Ramonage annuel", "Annuel depuis le 01/09/2026", "A rappeler", "F-2026-00001", "120,00", "Dernière relance : R1 le "] {
        assert!(body.contains(needle), "«{needle}» missing from the client «Accueil»");
    }
    assert!(!body.contains("Ancienne fuite"), "archived SAV hidden with «Afficher les sav archivés» off");
    assert!(!body.contains("role=\"tooltip\""), "observations inline with tooltips off");
    // Preferences: archived SAV shown; observations as a tooltip on the title.
    assert_eq!(admin.call("prefs/save", &[("show_archived_sav", "on"), ("observations_tooltip", "on")]).await.status, 200);
    let body = admin.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(body.contains("Ancienne fuite"));
    assert!(body.contains("role=\"tooltip\"") && body.contains("tabindex=\"0\""), "tooltip, reachable by keyboard");

    // «Personnaliser»: SAV first, then identity; the rest hidden. Then identity moves up.
    let r = admin.call("home/save_layout", &[("page", "client"), ("shown[]", "sav"), ("shown[]", "identite"), ("order[]", "sav"), ("order[]", "identite"), ("back", "/")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = admin.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(pos(&body, "data-widget=\"sav\"") < pos(&body, "data-widget=\"identite\""));
    assert!(!body.contains("data-widget=\"services\""), "hidden widget");
    let r = admin.call("home/save_layout", &[("page", "client"), ("shown[]", "sav"), ("shown[]", "identite"), ("order[]", "sav"), ("order[]", "identite"), ("mv", "identite:up")]).await;
    assert_eq!(r.status, 200);
    let body = admin.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(pos(&body, "data-widget=\"identite\"") < pos(&body, "data-widget=\"sav\""));
    assert_eq!(admin.call("home/save_layout", &[("page", "client"), ("shown[]", "meteo")]).await.invalid().0, "widgets");
    assert_eq!(admin.call("home/save_layout", &[("page", "ailleurs"), ("shown[]", "sav")]).await.invalid().0, "page");

    // Another user keeps the default layout.
    let r = admin.call("users/create", &[("name", "Léa"), ("email", "lea@test.fr"), ("signature", ""), ("password", "Secretariat-2026!")]).await;
    assert_eq!(r.status, 200);
    let lea = app.logged_in("lea@test.fr", "Secretariat-2026!").await;
    let body = lea.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(body.contains("data-widget=\"services\""), "layouts are per user");

    // «Tableau de bord»: my actions, open SAV, recently viewed clients; the top bar counts
    // my due actions (read with the session), the other user has none.
    assert_eq!(admin.call("actions/create", &[("contact_id", &k), ("type_id", &t), ("alert_date", "2026-01-05"), ("note", "en retard")]).await.status, 200);
    assert!(!lea.get("/").await.body.contains("aria-label=\"1 à faire\""), "Léa has no due action");
    let body = admin.get("/").await.body;
    assert!(body.contains("aria-label=\"1 à faire\""), "the top bar's count of due actions");
    for needle in ["Mes actions", "SAV ouverts", "Radiateur froid", "Clients consultés récemment", "PERRIN Luc", "Relances à faire"] {
        assert!(body.contains(needle), "«{needle}» missing from the dashboard");
    }
    let r = admin.call("home/save_layout", &[("page", "tableau"), ("shown[]", "recents")]).await;
    assert_eq!(r.status, 200);
    let body = admin.get("/").await.body;
    assert!(body.contains("data-widget=\"recents\"") && !body.contains("data-widget=\"sav\""), "only the chosen widget");
    app.finish().await;
}
