//! SAV tickets and services (SPEC C8): create, edit, close, archive and unarchive;
//! services with their next due date; archived tickets follow «Afficher les sav archivés»;
//! bad input saves nothing.

use crate::common;

use crate::common::Backend;

both_databases!(sav_and_services);

async fn sav_and_services(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    assert_eq!(admin.call("contacts/create", &[("statut", "client"), ("nom", "Colin"), ("prenom", "Marc")]).await.status, 200);
    let k = admin.newest_client_id().await.to_string();
    let r = admin
        .call(
            "sav/save",
            &[
                ("contact_id", &k),
                ("title", "Fuite sous l'évier"),
                ("observations", "Joint du siphon à changer.\nPrévoir un joint de 40."),
                ("opened_on", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s1 = r.body.clone();
    let s2 = admin.call("sav/save", &[("contact_id", &k), ("title", "Chaudière en sécurité"), ("opened_on", "2026-10-01")]).await.body;
    let sav = admin.call("sav/of_client", &[("contact_id", &k)]).await.json();
    assert_eq!(sav["sav"].as_array().unwrap().len(), 2);
    assert_eq!(sav["sav"][0]["status"], "ouvert");
    // Close (the closing date defaults to today), archive, unarchive.
    let r = admin
        .call(
            "sav/save",
            &[
                ("contact_id", &k),
                ("id", &s2),
                ("title", "Chaudière en sécurité"),
                ("opened_on", "2026-10-01"),
                ("status", "clos"),
                ("archived", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sav = admin.call("sav/of_client", &[("contact_id", &k)]).await.json();
    assert_eq!(sav["sav"].as_array().unwrap().len(), 1, "archived tickets are hidden by default");
    let all = admin.call("sav/of_client", &[("contact_id", &k), ("archives", "1")]).await.json();
    let closed = all["sav"].as_array().unwrap().iter().find(|s| s["id"] == s2.parse::<i64>().unwrap()).unwrap().clone();
    assert_eq!((closed["status"].as_str(), closed["archived"].as_bool()), (Some("clos"), Some(true)));
    assert!(!closed["closed_on"].as_str().unwrap().is_empty());
    assert_eq!(admin.call("prefs/save", &[("show_archived_sav", "on")]).await.status, 200);
    assert_eq!(
        admin.call("sav/of_client", &[("contact_id", &k)]).await.json()["sav"].as_array().unwrap().len(),
        2,
        "«Afficher les sav archivés»"
    );
    let r = admin
        .call(
            "sav/save",
            &[("contact_id", &k), ("id", &s2), ("title", "Chaudière en sécurité"), ("opened_on", "2026-10-01"), ("status", "clos")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(admin.call("sav/open", &[]).await.json().as_array().unwrap().len(), 1, "the company's open tickets");
    // Services: the next due date follows the periodicity unless given.
    let r = admin
        .call(
            "services/save",
            &[("contact_id", &k), ("label", "Entretien chaudière gaz"), ("start_date", "2026-03-15"), ("periodicity_months", "12")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let svc = admin.call("sav/of_client", &[("contact_id", &k)]).await.json()["services"][0].clone();
    assert_eq!((svc["next_due"].as_str(), svc["active"].as_bool()), (Some("2027-03-15"), Some(true)));
    let r = admin
        .call(
            "services/save",
            &[
                ("contact_id", &k),
                ("id", &svc["id"].to_string()),
                ("label", "Entretien chaudière gaz"),
                ("start_date", "2026-03-15"),
                ("periodicity_months", "12"),
                ("next_due", "2027-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(admin.call("sav/of_client", &[("contact_id", &k)]).await.json()["services"][0]["active"], false, "unchecked «Actif»: ended");
    // The page, without JavaScript, shows everything without a click.
    let page = admin.get(&format!("/clients/{k}/sav")).await;
    assert!(page.body.contains("Joint du siphon à changer.") && page.body.contains("Annuel depuis le 15/03/2026"), "{}", page.body);
    // Bad input: nothing saved.
    let before = (app.count("sav").await, app.count("service").await);
    assert_eq!(admin.call("sav/save", &[("contact_id", &k), ("title", " ")]).await.invalid().0, "title");
    assert_eq!(
        admin
            .call("sav/save", &[("contact_id", &k), ("title", "x"), ("opened_on", "2026-11-02"), ("closed_on", "2026-11-01")])
            .await
            .invalid()
            .0,
        "closed_on"
    );
    assert_eq!(admin.call("sav/save", &[("contact_id", &k), ("title", "x"), ("status", "perdu")]).await.invalid().0, "status");
    assert_eq!(admin.call("sav/save", &[("contact_id", &k), ("title", "x"), ("opened_on", "31/02/2026")]).await.invalid().0, "opened_on");
    assert_eq!(
        admin
            .call("services/save", &[("contact_id", &k), ("label", "x"), ("start_date", "2026-01-01"), ("periodicity_months", "0")])
            .await
            .invalid()
            .0,
        "periodicity_months"
    );
    assert_eq!(admin.call("sav/save", &[("contact_id", "999999"), ("title", "x")]).await.status, 404);
    assert_eq!((app.count("sav").await, app.count("service").await), before);
    let _ = s1;
    app.finish().await;
}
