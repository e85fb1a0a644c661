//! The widget pages (SPEC C8): the client «Accueil» and the «Tableau de bord», fetched as
//! a browser without JavaScript does (complete HTML with every widget's content), the
//! SAV preferences, and «Personnaliser» per user.

use crate::common;

use crate::common::Backend;

both_databases!(client_home_and_dashboard, widget_cache_follows_every_write);

fn pos(body: &str, needle: &str) -> usize {
    body.find(needle).unwrap_or_else(|| panic!("«{needle}» not in the page"))
}

/// A day on which an action created today is not yet due, whatever the day the test runs.
fn in_30_days() -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string()
}

/// The widgets of a page (what follows differs per response: the scripts' nonce).
fn widgets(body: &str) -> &str {
    let from = pos(body, "id=\"widgets\"");
    &body[from..from + pos(&body[from..], "<script")]
}

async fn client_home_and_dashboard(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    assert_eq!(
        admin
            .call(
                "contacts/create",
                &[
                    ("statut", "client"),
                    ("nom", "Perrin"),
                    ("prenom", "Luc"),
                    ("societe", "Perrin Menuiserie"),
                    ("ville", "Vienne"),
                    ("code_postal", "38200"),
                    ("phones[]", "04 74 12 34 56"),
                    ("phones[]", "06 12 34 56 78")
                ]
            )
            .await
            .status,
        200
    );
    let k = admin.newest_client_id().await.to_string();
    let q = admin
        .call("questions/save", &[("label", "Type de chauffage"), ("kind", "choix"), ("choices", "Gaz\nFioul"), ("pinned", "on")])
        .await
        .body;
    assert_eq!(admin.call("questions/answer", &[("contact_id", &k), ("question[]", &q), ("value[]", "Fioul")]).await.status, 200);
    assert_eq!(
        admin
            .call("sav/save", &[("contact_id", &k), ("title", "Radiateur froid"), ("observations", "Purger le circuit du 1er étage")])
            .await
            .status,
        200
    );
    assert_eq!(
        admin.call("sav/save", &[("contact_id", &k), ("title", "Ancienne fuite"), ("status", "clos"), ("archived", "on")]).await.status,
        200
    );
    assert_eq!(
        admin
            .call(
                "services/save",
                &[("contact_id", &k), ("label", "Ramonage annuel"), ("start_date", "2026-09-01"), ("periodicity_months", "12")]
            )
            .await
            .status,
        200
    );
    let t = admin.call("actions/save_type", &[("label", "A rappeler")]).await.body;
    // Not yet due (the top bar's count is checked below).
    let later = in_30_days();
    assert_eq!(
        admin.call("actions/create", &[("contact_id", &k), ("type_id", &t), ("alert_date", &later), ("note", "x")]).await.status,
        200
    );
    let f = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &k),
                ("kind", "facture"),
                ("doc_date", "2026-10-01"),
                ("due_date", "2026-10-31"),
                ("designation[]", "Pose"),
                ("unit_price[]", "100"),
                ("vat[]", "2000"),
            ],
        )
        .await
        .body;
    assert_eq!(admin.call("documents/issue", &[("id", &f)]).await.status, 200);
    let r = admin.call("reminders/make", &[("contact_id", &k), ("level", "R1"), ("channel", "courrier")]).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // «Accueil», without JavaScript: every widget's content is in the HTML.
    let page = admin.get(&format!("/clients/{k}/accueil")).await;
    assert_eq!(page.status, 200);
    let body = page.body;
    assert!(body.contains("04 74 12 34 56 · 06 12 34 56 78"), "«Identité et contact»: the phones, in their order");
    assert!(body.contains("38200 Vienne"));
    for needle in [
        "Identité et contact",
        "Perrin Menuiserie",
        "Type de chauffage",
        "Fioul",
        "Radiateur froid",
        "Purger le circuit du 1er étage",
        "Ramonage annuel",
        "Annuel depuis le 01/09/2026",
        "A rappeler",
        "F-2026-00001",
        "120,00",
        "Dernière relance : R1 le ",
    ] {
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
    let r = admin
        .call(
            "home/save_layout",
            &[("page", "client"), ("shown[]", "sav"), ("shown[]", "identite"), ("order[]", "sav"), ("order[]", "identite"), ("back", "/")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = admin.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(pos(&body, "data-widget=\"sav\"") < pos(&body, "data-widget=\"identite\""));
    assert!(!body.contains("data-widget=\"services\""), "hidden widget");
    let r = admin
        .call(
            "home/save_layout",
            &[
                ("page", "client"),
                ("shown[]", "sav"),
                ("shown[]", "identite"),
                ("order[]", "sav"),
                ("order[]", "identite"),
                ("mv", "identite:up"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let body = admin.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(pos(&body, "data-widget=\"identite\"") < pos(&body, "data-widget=\"sav\""));
    assert_eq!(admin.call("home/save_layout", &[("page", "client"), ("shown[]", "meteo")]).await.invalid().0, "widgets");
    assert_eq!(admin.call("home/save_layout", &[("page", "ailleurs"), ("shown[]", "sav")]).await.invalid().0, "page");

    // Another user keeps the default layout.
    let r = admin
        .call("users/create", &[("name", "Léa"), ("email", "lea@test.fr"), ("signature", ""), ("password", "Secretariat-2026!")])
        .await;
    assert_eq!(r.status, 200);
    let lea = app.logged_in("lea@test.fr", "Secretariat-2026!").await;
    let body = lea.get(&format!("/clients/{k}/accueil")).await.body;
    assert!(body.contains("data-widget=\"services\""), "layouts are per user");

    // «Tableau de bord»: my actions, open SAV, recently viewed clients; the top bar counts
    // my due actions (read with the session), the other user has none.
    assert_eq!(
        admin
            .call("actions/create", &[("contact_id", &k), ("type_id", &t), ("alert_date", "2026-01-05"), ("note", "en retard")])
            .await
            .status,
        200
    );
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

    // «Identité et contact» says when the client is blocked, and why.
    assert!(!lea.get(&format!("/clients/{k}/accueil")).await.body.contains("Bloquée"));
    let f = [
        ("id", k.as_str()),
        ("statut", "client"),
        ("nom", "Perrin"),
        ("prenom", "Luc"),
        ("bloque", "oui"),
        ("bloque_motif", "Litige sur le devis"),
    ];
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    assert!(lea.get(&format!("/clients/{k}/accueil")).await.body.contains("Bloquée — Litige sur le devis"));
    app.finish().await;
}

/// The list widgets of a client «Accueil» kept as drawn (src/home/cache.rs): the same page
/// while nothing changed, and every write shows at the next view, whoever made it (a
/// form, or SQL from elsewhere: another server, a tool), since triggers move the revision.
async fn widget_cache_follows_every_write(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let sql = |q: String| {
        let db = app.db.clone();
        async move { ouvrage::on_pool!(&db, c => sqlx::query(&q).execute(c).await.map(|r| r.rows_affected())).unwrap() }
    };
    let mut ids = vec![];
    for nom in ["Garnier", "Roux"] {
        assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", nom)]).await.status, 200);
        ids.push(admin.newest_client_id().await);
    }
    let (k, other) = (ids[0], ids[1]);
    let accueil = format!("/clients/{k}/accueil");
    let q = admin.call("questions/save", &[("label", "Chaudière"), ("kind", "texte"), ("pinned", "on")]).await.body;
    let ks = k.to_string();
    assert_eq!(admin.call("questions/answer", &[("contact_id", &ks), ("question[]", &q), ("value[]", "Viessmann")]).await.status, 200);
    let sav = admin.call("sav/save", &[("contact_id", &ks), ("title", "Fuite garage")]).await.body;
    assert_eq!(
        admin
            .call(
                "services/save",
                &[("contact_id", &ks), ("label", "Entretien chaudière"), ("start_date", "2026-01-15"), ("periodicity_months", "12")]
            )
            .await
            .status,
        200
    );

    let first = admin.get(&accueil).await.body;
    for needle in ["Chaudière", "Viessmann", "Fuite garage", "Entretien chaudière"] {
        assert!(first.contains(needle), "«{needle}» missing");
    }
    assert_eq!(widgets(&admin.get(&accueil).await.body), widgets(&first), "nothing changed: the same widgets");

    // While the revision holds, the widgets come from memory: a write whose revision is
    // put back by hand does not show (this is what the triggers prevent).
    sql(format!("UPDATE sav SET title = 'Titre caché' WHERE id = {sav}")).await;
    sql(format!("UPDATE contact SET home_rev = home_rev - 1 WHERE id = {k}")).await;
    assert!(admin.get(&accueil).await.body.contains("Fuite garage"), "drawn from the cache");
    sql(format!("UPDATE sav SET title = 'Fuite garage' WHERE id = {sav}")).await;
    sql(format!("UPDATE contact SET home_rev = home_rev - 1 WHERE id = {k}")).await;

    // Through the forms.
    assert_eq!(
        admin.call("sav/save", &[("contact_id", &ks), ("id", &sav), ("title", "Fuite garage réparée"), ("status", "clos")]).await.status,
        200
    );
    assert_eq!(admin.call("questions/answer", &[("contact_id", &ks), ("question[]", &q), ("value[]", "De Dietrich")]).await.status, 200);
    let body = admin.get(&accueil).await.body;
    assert!(body.contains("Fuite garage réparée") && body.contains("De Dietrich") && !body.contains("Viessmann"));
    // A question is the company's: its new label shows on every client.
    assert_eq!(
        admin.call("questions/save", &[("id", &q), ("label", "Marque de la chaudière"), ("kind", "texte"), ("pinned", "on")]).await.status,
        200
    );
    assert!(admin.get(&accueil).await.body.contains("Marque de la chaudière"));
    // The user's «Préférences» draw another variant.
    assert_eq!(admin.call("prefs/save", &[("observations_tooltip", "on")]).await.status, 200);
    assert_eq!(
        admin.call("sav/save", &[("contact_id", &ks), ("title", "Thermostat"), ("observations", "Piles à changer")]).await.status,
        200
    );
    assert!(admin.get(&accueil).await.body.contains("role=\"tooltip\""));
    assert_eq!(admin.call("prefs/save", &[]).await.status, 200);
    assert!(!admin.get(&accueil).await.body.contains("role=\"tooltip\""));

    // SQL from elsewhere: updated, moved to another client, inserted, deleted.
    sql(format!("UPDATE service SET label = 'Ramonage' WHERE contact_id = {k}")).await;
    assert!(admin.get(&accueil).await.body.contains("Ramonage"), "a service updated elsewhere");
    sql(format!("UPDATE sav SET contact_id = {other} WHERE id = {sav}")).await;
    assert!(!admin.get(&accueil).await.body.contains("Fuite garage réparée"), "a SAV moved to another client");
    assert!(admin.get(&format!("/clients/{other}/accueil")).await.body.contains("Fuite garage réparée"));
    sql(format!("DELETE FROM answer WHERE contact_id = {k}")).await;
    assert!(!admin.get(&accueil).await.body.contains("De Dietrich"), "an answer deleted elsewhere");
    sql(format!("UPDATE question SET pinned = FALSE WHERE id = {q}")).await;
    assert!(admin.get(&accueil).await.body.contains("Aucune question épinglée."), "a question unpinned elsewhere");

    // «Actions ouvertes» and «Factures impayées et relances» alike.
    assert!(admin.get(&accueil).await.body.contains("Aucune action ouverte."));
    let t = admin.call("actions/save_type", &[("label", "Devis à relancer")]).await.body;
    let later = in_30_days();
    assert_eq!(
        admin.call("actions/create", &[("contact_id", &ks), ("type_id", &t), ("alert_date", &later), ("note", "x")]).await.status,
        200
    );
    let body = admin.get(&accueil).await.body;
    assert!(body.contains("Devis à relancer") && !body.contains("À faire"), "a new action, not yet due");
    sql(format!("UPDATE action_type SET label = 'Rappeler le client' WHERE id = {t}")).await;
    assert!(admin.get(&accueil).await.body.contains("Rappeler le client"), "an action type renamed elsewhere");
    let f = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &ks),
                ("kind", "facture"),
                ("doc_date", "2026-10-01"),
                ("due_date", "2026-10-31"),
                ("designation[]", "Pose"),
                ("unit_price[]", "100"),
                ("vat[]", "2000"),
            ],
        )
        .await
        .body;
    assert_eq!(admin.call("documents/issue", &[("id", &f)]).await.status, 200);
    assert!(admin.get(&accueil).await.body.contains("Encours : 120,00"), "an invoice issued");
    sql(format!("UPDATE document SET paid = 10000 WHERE id = {f}")).await;
    assert!(admin.get(&accueil).await.body.contains("Encours : 20,00"), "a payment recorded elsewhere");
    app.finish().await;
}
