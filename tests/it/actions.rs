//! Actions (SPEC C6): types and responses, actions on a client, who sees and who may
//! change them, «Mes actions», the top bar's count, and e-mail alerts exactly once
//! (injected clock, planners run again and concurrently).

use crate::common;

use crate::common::{Backend, Client, TestApp};
use ouvrage::db::Tenant;
use ouvrage::mail::config::MailConfig;

both_databases!(
    types_and_responses,
    actions_who_sees_and_who_may_change,
    bad_actions_save_nothing,
    alerts_exactly_once_with_an_injected_clock
);

async fn user(app: &TestApp, admin: &Client, name: &str, email: &str) -> (Client, i64) {
    let r = admin.call("users/create", &[("name", name), ("email", email), ("signature", ""), ("password", "Chaudiere-Equipe-42")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = admin.call("users/list", &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()["id"]
        .as_i64()
        .unwrap();
    (app.logged_in(email, "Chaudiere-Equipe-42").await, id)
}

/// «A relancer» with «Rappeler» and «Pas intéressé»; returns (type, [responses]).
async fn a_relancer(admin: &Client) -> (String, Vec<String>) {
    let t = admin.call("actions/save_type", &[("label", "A relancer")]).await;
    assert_eq!(t.status, 200, "{}", t.body);
    let mut responses = Vec::new();
    for r in ["Rappeler", "Pas intéressé"] {
        let a = admin.call("actions/add_response", &[("type_id", &t.body), ("response", r)]).await;
        assert_eq!(a.status, 200, "{}", a.body);
        responses.push(a.body);
    }
    (t.body, responses)
}

async fn client(c: &Client, nom: &str) -> String {
    let r = c.call("contacts/create", &[("statut", "client"), ("nom", nom), ("prenom", "Jean"), ("code_postal", "69003")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.newest_client_id().await.to_string()
}

async fn types_and_responses(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let (t, _) = a_relancer(&admin).await;
    let salon = admin.call("actions/save_type", &[("label", "Invitation salon")]).await.body;
    assert_eq!(admin.call("actions/save_type", &[("label", " A relancer ")]).await.invalid().1, "Le type « A relancer » existe déjà.");
    let types = admin.call("actions/types", &[]).await.json();
    assert_eq!(types[0]["label"], "A relancer");
    let labels: Vec<&str> = types[0]["responses"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Rappeler", "Pas intéressé"]);
    // Reorder: «Invitation salon» up; «Pas intéressé» up.
    assert_eq!(admin.call("actions/arrange", &[("item", "type"), ("id", &salon), ("op", "up")]).await.status, 200);
    let pas = types[0]["responses"][1]["id"].to_string();
    assert_eq!(admin.call("actions/arrange", &[("item", "response"), ("id", &pas), ("op", "up")]).await.status, 200);
    let types = admin.call("actions/types", &[]).await.json();
    assert_eq!(types[0]["label"], "Invitation salon");
    assert_eq!(types[1]["responses"][0]["label"], "Pas intéressé");
    // A type in use is retired, not deleted: its action keeps it.
    let c = client(&admin, "Lambert").await;
    let a = admin.call("actions/create", &[("contact_id", &c), ("type_id", &t), ("alert_date", "2026-12-01")]).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(admin.call("actions/arrange", &[("item", "type"), ("id", &t), ("op", "retire")]).await.status, 200);
    let types = admin.call("actions/types", &[]).await.json();
    let relancer = types.as_array().unwrap().iter().find(|x| x["label"] == "A relancer").unwrap();
    assert_eq!((relancer["retired"].as_bool(), relancer["in_use"].as_i64()), (Some(true), Some(1)));
    assert_eq!(admin.call("actions/get", &[("id", &a.body)]).await.json()["action"]["type_label"], "A relancer");
    let offered = admin.call("actions/of_client", &[("contact_id", &c)]).await.json();
    assert!(
        offered["types"].as_array().unwrap().iter().all(|x| x["label"] != "A relancer"),
        "a retired type is not offered for new actions"
    );
    let r = admin.call("actions/create", &[("contact_id", &c), ("type_id", &t), ("alert_date", "2026-12-01")]).await;
    assert!(r.invalid().1.contains("retiré"), "{}", r.body);
    app.finish().await;
}

async fn actions_who_sees_and_who_may_change(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let (t, responses) = a_relancer(&admin).await;
    let other_type = admin.call("actions/save_type", &[("label", "A faire")]).await.body;
    let foreign_response = admin.call("actions/add_response", &[("type_id", &other_type), ("response", "Fait")]).await.body;
    let (lea, _) = user(&app, &admin, "Léa Roux", "lea@test.fr").await;
    let (karim, karim_id) = user(&app, &admin, "Karim Benali", "karim@test.fr").await;
    let (paul, paul_id) = user(&app, &admin, "Paul Petit", "paul@test.fr").await;
    let (zoe, _) = user(&app, &admin, "Zoé Martin", "zoe@test.fr").await;
    let c = client(&lea, "Fabre").await;
    let r = lea
        .call(
            "actions/create",
            &[
                ("contact_id", &c),
                ("type_id", &t),
                ("alert_date", "2020-01-15"),
                ("alert_time", "09:30"),
                ("note", "Rappeler pour le devis"),
                ("attribuer", "on"),
                ("assignee", &karim_id.to_string()),
                ("partager", "on"),
                ("shared[]", &paul_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body.clone();
    for (who, c2) in [("assignee", &karim), ("shared", &paul), ("author", &lea)] {
        let mine = c2.call("actions/mine", &[]).await.json();
        assert_eq!(mine["overdue"].as_array().unwrap().len(), 1, "{who} sees it in «Mes actions», overdue");
        assert_eq!(c2.call("me", &[]).await.json()["due_actions"], 1, "{who}: the top bar counts it");
    }
    assert_eq!(zoe.call("actions/mine", &[]).await.json()["overdue"].as_array().unwrap().len(), 0, "not hers");
    let a = karim.call("actions/get", &[("id", &id)]).await.json()["action"].clone();
    assert_eq!(
        (a["alert_time"].as_str(), a["assignee"]["name"].as_str(), a["shared"][0]["name"].as_str()),
        (Some("09:30"), Some("Karim Benali"), Some("Paul Petit"))
    );
    // Zoé is neither author, assignee, shared nor manager.
    let r = zoe.call("actions/update", &[("id", &id), ("type_id", &t), ("alert_date", "2027-01-01")]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = zoe.call("actions/close", &[("id", &id), ("response_id", &responses[0])]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // A response of another type is refused.
    let r = karim.call("actions/close", &[("id", &id), ("response_id", &foreign_response)]).await;
    assert!(r.invalid().1.contains("n'appartient pas"), "{}", r.body);
    // The assignee closes it with «Rappeler».
    let r = karim.call("actions/close", &[("id", &id), ("response_id", &responses[0]), ("comment", "Rappel prévu lundi")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = lea.call("actions/of_client", &[("contact_id", &c)]).await.json();
    assert_eq!(list["open"].as_array().unwrap().len(), 0);
    assert_eq!(list["done"][0]["response"], "Rappeler");
    assert_eq!(karim.call("me", &[]).await.json()["due_actions"], 0);
    assert_eq!(
        karim.call("actions/close", &[("id", &id), ("response_id", &responses[0])]).await.invalid().1,
        "Cette action est déjà close."
    );
    // The pages, without JavaScript.
    let page = karim.get(&format!("/actions/{id}")).await;
    assert!(page.body.contains("Close : Rappeler") && page.body.contains("Rappel prévu lundi"), "{}", page.body);
    let page = lea.get(&format!("/clients/{c}/actions")).await;
    assert!(page.body.contains("Date d&#x27;alerte") || page.body.contains("Date d'alerte"));
    assert!(
        page.body.contains("Partager") && page.body.contains("Attribuer") && page.body.contains("Type d&#x27;action")
            || page.body.contains("Type d'action")
    );
    app.finish().await;
}

async fn bad_actions_save_nothing(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let (t, _) = a_relancer(&admin).await;
    let (_, karim_id) = user(&app, &admin, "Karim Benali", "karim@test.fr").await;
    let c = client(&admin, "Fabre").await;
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let stranger: i64 =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'patron@autre.fr'").fetch_one(c).await)
            .unwrap();
    let r = admin
        .call("users/update", &[("id", &karim_id.to_string()), ("name", "Karim Benali"), ("email", "karim@test.fr"), ("signature", "")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let disabled = karim_id.to_string();
    let stranger = stranger.to_string();
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("alert_date", "2026-12-01")], "type_id", "Choisissez le type d'action."),
        (vec![("type_id", &t), ("alert_date", "1900-01-01")], "alert_date", "entre 2000 et 2099"),
        (vec![("type_id", &t), ("alert_date", "2200-01-01")], "alert_date", "entre 2000 et 2099"),
        (vec![("type_id", &t), ("alert_date", "31/02/2026")], "alert_date", "date valide"),
        (vec![("type_id", &t)], "alert_date", "Indiquez la date"),
        (vec![("type_id", &t), ("alert_date", "2026-12-01"), ("alert_time", "25:00")], "alert_time", "hh:mm"),
        (vec![("type_id", &t), ("alert_date", "2026-12-01"), ("attribuer", "on")], "assignee", "Choisissez le collaborateur"),
        (vec![("type_id", &t), ("alert_date", "2026-12-01"), ("partager", "on")], "shared", "au moins un collègue"),
        (
            vec![("type_id", &t), ("alert_date", "2026-12-01"), ("attribuer", "on"), ("assignee", &stranger)],
            "assignee",
            "n'existe pas dans votre société",
        ),
        (
            vec![("type_id", &t), ("alert_date", "2026-12-01"), ("partager", "on"), ("shared[]", &stranger)],
            "shared",
            "n'existe pas dans votre société",
        ),
        (vec![("type_id", "999999"), ("alert_date", "2026-12-01")], "type_id", "Choisissez le type d'action."),
    ];
    for (form, field, msg) in &cases {
        let mut f = vec![("contact_id", c.as_str())];
        f.extend(form.iter().copied());
        let r = admin.call("actions/create", &f).await;
        let (got_field, got) = r.invalid();
        assert_eq!(&got_field, field, "{form:?}: {got}");
        assert!(got.contains(msg), "{form:?}: {got}");
    }
    // A disabled account cannot be given an action.
    let r = admin
        .call("users/update", &[("id", &disabled), ("name", "Karim Benali"), ("email", "karim@test.fr"), ("signature", ""), ("active", "")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let active: bool =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT active FROM app_user WHERE email = 'karim@test.fr'").fetch_one(c).await)
            .unwrap();
    if !active {
        let r = admin
            .call(
                "actions/create",
                &[("contact_id", &c), ("type_id", &t), ("alert_date", "2026-12-01"), ("attribuer", "on"), ("assignee", &disabled)],
            )
            .await;
        assert!(r.invalid().1.contains("désactivé"), "{}", r.body);
    }
    assert_eq!(app.count("action").await, 0, "nothing saved");
    assert_eq!(app.count("action_share").await, 0);
    app.finish().await;
}

async fn alerts_exactly_once_with_an_injected_clock(b: Backend) {
    use ouvrage::actions::alerts::{mails_of, plan};
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let (t, _) = a_relancer(&admin).await;
    let (lea, _) = user(&app, &admin, "Léa Roux", "lea@test.fr").await;
    let (karim, karim_id) = user(&app, &admin, "Karim Benali", "karim@test.fr").await;
    let (paul, paul_id) = user(&app, &admin, "Paul Petit", "paul@test.fr").await;
    for c in [&karim, &paul] {
        assert_eq!(c.call("prefs/save", &[("action_alert_email", "on")]).await.status, 200);
    }
    let c = client(&lea, "Fabre").await;
    let id = lea
        .call(
            "actions/create",
            &[
                ("contact_id", &c),
                ("type_id", &t),
                ("alert_date", "2026-12-10"),
                ("alert_time", "09:00"),
                ("attribuer", "on"),
                ("assignee", &karim_id.to_string()),
                ("partager", "on"),
                ("shared[]", &paul_id.to_string()),
            ],
        )
        .await
        .body
        .parse::<i64>()
        .unwrap();
    let closed = lea
        .call(
            "actions/create",
            &[("contact_id", &c), ("type_id", &t), ("alert_date", "2026-12-10"), ("attribuer", "on"), ("assignee", &karim_id.to_string())],
        )
        .await
        .body;
    let resp: i64 =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT id FROM action_response WHERE label = 'Rappeler'").fetch_one(c).await)
            .unwrap();
    assert_eq!(karim.call("actions/close", &[("id", &closed), ("response_id", &resp.to_string())]).await.status, 200);

    let cfg = MailConfig::default();
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let tenant = Tenant::for_tests(app.company_id);
    // 10 December 09:00 Paris is 08:00 UTC.
    assert_eq!(plan(&app.db, &cfg, at("2026-12-10T07:59:00Z")).await.unwrap(), 0, "not yet");
    assert_eq!(
        plan(&app.db, &cfg, at("2026-12-10T08:00:00Z")).await.unwrap(),
        2,
        "the assignee and the shared colleague chose e-mail; the author did not"
    );
    assert_eq!(plan(&app.db, &cfg, at("2026-12-10T08:05:00Z")).await.unwrap(), 0, "a planner run again (a restart) sends nothing more");
    assert_eq!(mails_of(&app.db, &tenant, id).await.unwrap(), 2);
    // Rescheduled: a new alert at the new date, once, even with two planners at once.
    let r = karim
        .call(
            "actions/update",
            &[
                ("id", &id.to_string()),
                ("type_id", &t),
                ("alert_date", "2026-12-15"),
                ("attribuer", "on"),
                ("assignee", &karim_id.to_string()),
                ("partager", "on"),
                ("shared[]", &paul_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(plan(&app.db, &cfg, at("2026-12-14T12:00:00Z")).await.unwrap(), 0);
    let later = at("2026-12-15T06:00:00Z");
    let (x, y) = tokio::join!(plan(&app.db, &cfg, later), plan(&app.db, &cfg, later));
    assert_eq!(x.unwrap() + y.unwrap(), 2, "two planners at once queue each alert once");
    assert_eq!(mails_of(&app.db, &tenant, id).await.unwrap(), 4);
    let closed_id: i64 = closed.parse().unwrap();
    assert_eq!(mails_of(&app.db, &tenant, closed_id).await.unwrap(), 0, "a closed action sends no alert");
    let to: Vec<String> = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT to_addr FROM outbox WHERE entity = 'action' ORDER BY id").fetch_all(c).await).unwrap();
    assert_eq!(to, ["karim@test.fr", "paul@test.fr", "karim@test.fr", "paul@test.fr"]);
    app.finish().await;
}
