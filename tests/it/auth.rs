//! Users, rights, sessions and the security baseline, over HTTP against the real router,
//! on SQLite and on PostgreSQL.

use crate::common;

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, spawn};

both_databases!(
    login_and_current_user,
    wrong_password_is_refused_in_french,
    login_is_throttled_per_account,
    login_is_throttled_per_address,
    users_without_the_right_are_refused_by_the_server,
    other_company_ids_are_not_found,
    create_user_validation,
    change_own_password,
    admin_sets_password_and_rights,
    logout_ends_the_session,
    preferences_are_per_user,
    pages_and_headers,
    forms_work_without_javascript,
    cross_site_posts_are_refused,
    sessions_expire_and_rotate,
);

async fn login_and_current_user(b: Backend) {
    let app = spawn(b).await;
    let c = app.client();
    let r = c.call("login", &[("email", " ADMIN@test.fr "), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("ouvrage_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(token.len() >= 43, "token of at least 256 bits, base64");
    let me = c.call("me", &[]).await.json();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["rights"].as_array().unwrap().len(), 5);
    // The token is stored hashed, never in clear.
    let stored: i64 = match &app.db {
        ouvrage::db::Db::Sqlite(p, _) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM user_session WHERE token_hash = $1").bind(token).fetch_one(p).await.unwrap()
        }
        ouvrage::db::Db::Pg(p) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM user_session WHERE token_hash = $1").bind(token).fetch_one(p).await.unwrap()
        }
    };
    assert_eq!(stored, 0);
    // A visitor is nobody.
    assert_eq!(app.client().call("me", &[]).await.body, "null");
    app.finish().await;
}

async fn wrong_password_is_refused_in_french(b: Backend) {
    let app = spawn(b).await;
    let c = app.client();
    let r = c.call("login", &[("email", ADMIN_EMAIL), ("password", "Mauvais-Passe-1")]).await;
    assert_eq!(r.status, 422);
    assert!(r.headers.get("set-cookie").is_none());
    assert_eq!(r.invalid(), ("password".into(), "Adresse e-mail ou mot de passe incorrect.".into()));
    let r = c.call("login", &[("email", "inconnu@test.fr"), ("password", "Mauvais-Passe-1")]).await;
    assert_eq!(r.invalid().1, "Adresse e-mail ou mot de passe incorrect.");
    let r = c.call("login", &[("email", "pas-une-adresse"), ("password", "x")]).await;
    assert_eq!(r.invalid().0, "email");
    let r = c.call("login", &[("email", ADMIN_EMAIL)]).await;
    assert_eq!(r.status, 422, "missing field: {}", r.body);
    assert_eq!(c.call("me", &[]).await.body, "null");
    app.finish().await;
}

async fn login_is_throttled_per_account(b: Backend) {
    let app = spawn(b).await;
    for i in 0..5 {
        // From different addresses: the account limit holds whatever the address.
        let r = app.client().call("login", &[("email", ADMIN_EMAIL), ("password", &format!("Mauvais-{i}-passe"))]).await;
        assert_eq!(r.status, 422);
    }
    let r = app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Trop de tentatives"), "{}", r.body);
    app.finish().await;
}

async fn login_is_throttled_per_address(b: Backend) {
    let app = spawn(b).await;
    let from = |app: &common::TestApp| app.client_from("192.0.2.7");
    for i in 0..30 {
        let r = from(&app).call("login", &[("email", &format!("personne{i}@test.fr")), ("password", "Mauvais-passe-1")]).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }
    let r = from(&app).call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status, 429);
    // Another address still gets in.
    assert_eq!(app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status, 200);
    app.finish().await;
}

async fn users_without_the_right_are_refused_by_the_server(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call(
            "users/create",
            &[
                ("name", "Léa Roux"),
                ("email", "lea@test.fr"),
                ("signature", "Léa"),
                ("password", "Secretariat-2026!"),
                ("rights[]", "relances"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let lea = app.logged_in("lea@test.fr", "Secretariat-2026!").await;
    let users_before = app.count("app_user").await;
    let r = lea.call("users/list", &[]).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Paramétrer les comptes utilisateurs"), "{}", r.body);
    let r = lea
        .call(
            "users/create",
            &[
                ("name", "Intrus"),
                ("email", "intrus@test.fr"),
                ("signature", ""),
                ("password", "Intrusion-2026!"),
                ("rights[]", "utilisateurs"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.count("app_user").await, users_before);
    let r = lea.call("users/get", &[("id", "1")]).await;
    assert_eq!(r.status, 403);
    // And the page says so, with 403.
    let page = lea.get("/parametres/utilisateurs").await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Accès refusé"));
    // Anonymous: 401 from the function.
    assert_eq!(app.client().call("users/list", &[]).await.status, 401);
    app.finish().await;
}

async fn other_company_ids_are_not_found(b: Backend) {
    let app = spawn(b).await;
    let other = ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    assert_ne!(other, app.company_id);
    let theirs = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    let list = theirs.call("users/list", &[]).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "only their own users: {list}");
    // The first company's admin id, seen from the other company: not found.
    let r = theirs.call("users/get", &[("id", "1")]).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.json(), serde_json::json!({"NotFound": "Utilisateur"}));
    let r = theirs
        .call(
            "users/update",
            &[
                ("id", "1"),
                ("name", "Pirate"),
                ("email", "pirate@autre.fr"),
                ("signature", ""),
                ("rights[]", "utilisateurs"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    let admin = app.admin().await;
    assert_eq!(admin.call("me", &[]).await.json()["name"], "Administrateur");
    app.finish().await;
}

async fn create_user_validation(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let before = app.count("app_user").await;
    // A megabyte: over every field's limit, under the body's (2 MiB, refused before decoding).
    let huge = "x".repeat(1024 * 1024);
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("name", "A"), ("email", ""), ("signature", ""), ("password", "Valide-Passe-2026")], "email", "obligatoire"),
        (
            vec![("name", "A"), ("email", "a@b"), ("signature", ""), ("password", "Valide-Passe-2026")],
            "email",
            "n'est pas une adresse e-mail valide",
        ),
        (vec![("name", "A"), ("email", "a@b.fr"), ("signature", ""), ("password", "Court-1!")], "password", "trop court"),
        (vec![("name", "A"), ("email", "a@b.fr"), ("signature", ""), ("password", "Password123!")], "password", "trop courant"),
        (vec![("name", "A"), ("email", "a@b.fr"), ("signature", ""), ("password", "sans-majuscule-12")], "password", "majuscule"),
        (vec![("name", "A"), ("email", ADMIN_EMAIL), ("signature", ""), ("password", "Valide-Passe-2026")], "email", "déjà"),
        (vec![("name", ""), ("email", "a@b.fr"), ("signature", ""), ("password", "Valide-Passe-2026")], "name", "obligatoire"),
        (vec![("name", &huge), ("email", "a@b.fr"), ("signature", ""), ("password", "Valide-Passe-2026")], "name", "trop long"),
        (vec![("name", "A"), ("email", "a@b.fr"), ("signature", &huge), ("password", "Valide-Passe-2026")], "signature", "trop long"),
        (
            vec![("name", "A"), ("email", "a@b.fr"), ("signature", ""), ("password", "Valide-Passe-2026"), ("rights[]", "root")],
            "rights",
            "inconnu",
        ),
    ];
    for (form, field, needle) in cases {
        let r = admin.call("users/create", &form).await;
        assert_eq!(r.status, 422, "{field}: {} {}", r.status, &r.body[..r.body.len().min(300)]);
        let (f, m) = r.invalid();
        assert_eq!(f, field, "{m}");
        assert!(m.contains(needle), "{field}: «{m}» should say «{needle}»");
        assert!(r.body.len() < 20_000, "the typed values come back shortened");
    }
    assert_eq!(app.count("app_user").await, before, "nothing saved");
    assert_eq!(admin.call("users/get", &[("id", "999999")]).await.status, 404);
    assert_eq!(admin.call("users/get", &[("id", "abc")]).await.status, 422);
    app.finish().await;
}

async fn change_own_password(b: Backend) {
    let app = spawn(b).await;
    let first = app.admin().await;
    let second = app.admin().await;
    let r = first
        .call(
            "change_own_password",
            &[("current", "Faux-Passe-2026"), ("new_password", "Nouveau-Passe-2026"), ("confirm", "Nouveau-Passe-2026")],
        )
        .await;
    assert_eq!(r.invalid().0, "current");
    let r = first
        .call(
            "change_own_password",
            &[("current", ADMIN_PASSWORD), ("new_password", "Nouveau-Passe-2026"), ("confirm", "Autre-Passe-2026")],
        )
        .await;
    assert_eq!(r.invalid().0, "confirm");
    let r = first.call("change_own_password", &[("current", ADMIN_PASSWORD), ("new_password", "azerty"), ("confirm", "azerty")]).await;
    assert_eq!(r.invalid().0, "new_password");
    let r = first
        .call(
            "change_own_password",
            &[("current", ADMIN_PASSWORD), ("new_password", "Nouveau-Passe-2026"), ("confirm", "Nouveau-Passe-2026")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // This session goes on; the other one has ended.
    assert_eq!(first.call("me", &[]).await.json()["email"], ADMIN_EMAIL);
    assert_eq!(second.call("me", &[]).await.body, "null");
    assert_eq!(app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status, 422);
    app.logged_in(ADMIN_EMAIL, "Nouveau-Passe-2026").await;
    app.finish().await;
}

async fn admin_sets_password_and_rights(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call("users/create", &[("name", "Karim"), ("email", "karim@test.fr"), ("signature", "K."), ("password", "Technicien-2026!")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = admin.call("users/list", &[]).await.json();
    let karim = list.as_array().unwrap().iter().find(|u| u["email"] == "karim@test.fr").unwrap().clone();
    let id = karim["id"].to_string();
    assert_eq!(karim["rights"].as_array().unwrap().len(), 0);
    let karim_session = app.logged_in("karim@test.fr", "Technicien-2026!").await;
    let r = admin
        .call(
            "users/update",
            &[
                ("id", &id),
                ("name", "Karim Benali"),
                ("email", "karim@test.fr"),
                ("signature", "Karim\nTechnicien"),
                ("password", "Change-Par-Admin-1"),
                ("active", "on"),
                ("rights[]", "utilisateurs"),
                ("rights[]", "relances"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let u = admin.call("users/get", &[("id", &id)]).await.json();
    assert_eq!(u["name"], "Karim Benali");
    assert_eq!(u["signature"], "Karim\nTechnicien");
    assert_eq!(u["rights"], serde_json::json!(["Users", "Reminders"]));
    assert_eq!(karim_session.call("me", &[]).await.body, "null", "sessions end when an admin sets the password");
    let karim = app.logged_in("karim@test.fr", "Change-Par-Admin-1").await;
    assert_eq!(karim.call("users/list", &[]).await.status, 200, "the new right works");
    // The admin cannot lock themselves out.
    let r = admin
        .call("users/update", &[("id", "1"), ("name", "Administrateur"), ("email", ADMIN_EMAIL), ("signature", ""), ("active", "on")])
        .await;
    assert_eq!(r.invalid().0, "rights");
    // A deactivated user is logged out and cannot log in.
    let r = admin.call("users/update", &[("id", &id), ("name", "Karim Benali"), ("email", "karim@test.fr"), ("signature", "")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(karim.call("me", &[]).await.body, "null");
    assert_eq!(app.client().call("login", &[("email", "karim@test.fr"), ("password", "Change-Par-Admin-1")]).await.status, 422);
    app.finish().await;
}

async fn logout_ends_the_session(b: Backend) {
    let app = spawn(b).await;
    let c = app.admin().await;
    let r = c.call("logout", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(c.call("me", &[]).await.body, "null");
    app.finish().await;
}

async fn preferences_are_per_user(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    admin.call("users/create", &[("name", "Léa"), ("email", "lea@test.fr"), ("signature", ""), ("password", "Secretariat-2026!")]).await;
    let lea = app.logged_in("lea@test.fr", "Secretariat-2026!").await;
    let p = admin.call("prefs/get", &[]).await.json();
    assert_eq!(p, serde_json::json!({"show_archived_sav": false, "observations_tooltip": false, "action_alert_email": false}));
    assert_eq!(admin.call("prefs/save", &[("show_archived_sav", "on")]).await.status, 200);
    assert_eq!(admin.call("prefs/get", &[]).await.json()["show_archived_sav"], true);
    assert_eq!(lea.call("prefs/get", &[]).await.json()["show_archived_sav"], false);
    assert_eq!(lea.call("prefs/save", &[("observations_tooltip", "on")]).await.status, 200);
    assert_eq!(
        lea.call("prefs/get", &[]).await.json(),
        serde_json::json!({"show_archived_sav": false, "observations_tooltip": true, "action_alert_email": false})
    );
    assert_eq!(app.client().call("prefs/save", &[]).await.status, 401);
    app.finish().await;
}

async fn pages_and_headers(b: Backend) {
    let app = spawn(b).await;
    let visitor = app.client();
    let r = visitor.get("/").await;
    assert_eq!(r.status, 302, "a visitor is sent to the login page");
    assert_eq!(r.headers.get("location").unwrap(), "/connexion");
    let r = visitor.get("/connexion").await;
    assert_eq!(r.status, 200);
    for label in ["Adresse e-mail", "Mot de passe", "Se connecter", "<html lang=\"fr\""] {
        assert!(r.body.contains(label), "{label}");
    }
    let csp = r.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(r.body.contains(&format!("nonce=\"{nonce}\"")), "inline scripts carry the nonce");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("referrer-policy").unwrap(), "same-origin");
    let admin = app.admin().await;
    let home = admin.get("/").await;
    assert_eq!(home.status, 200);
    for label in [
        "Tableau de bord",
        "Clients",
        "Gestion commerciale",
        "Paramètres",
        "aria-label=\"Rechercher\"",
        "aria-label=\"Préférences\"",
        "Déconnexion",
    ] {
        assert!(home.body.contains(label), "{label}");
    }
    let users = admin.get("/parametres/utilisateurs").await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains(ADMIN_EMAIL));
    let missing = admin.get("/nulle-part").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page introuvable"));
    let r = admin.get("/parametres/utilisateurs/424242").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Utilisateur introuvable"));
    app.finish().await;
}

async fn forms_work_without_javascript(b: Backend) {
    let app = spawn(b).await;
    let c = app.client();
    let r = c.post_html("login", &[("email", ADMIN_EMAIL), ("password", "Mauvais-Passe-1")], "/connexion").await;
    assert_eq!(r.status, 302);
    let back = r.headers.get("location").unwrap().to_str().unwrap().to_string();
    assert!(back.contains("/connexion?") && back.contains("__err="), "{back}");
    let page = c.get(back.trim_start_matches(&c.base)).await;
    assert!(page.body.contains("Adresse e-mail ou mot de passe incorrect."), "the error is shown on the page");
    assert!(page.body.contains(&format!("value=\"{ADMIN_EMAIL}\"")), "what was typed comes back");
    let r = c.post_html("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)], "/connexion").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.headers.get("location").unwrap(), "/");
    assert_eq!(c.get("/").await.status, 200);
    app.finish().await;
}

async fn cross_site_posts_are_refused(b: Backend) {
    let app = spawn(b).await;
    let c = app.admin().await;
    let r = c
        .http
        .post(format!("{}/api/prefs/save", c.base))
        .header("origin", "https://evil.example")
        .form(&[("show_archived_sav", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(c.call("prefs/get", &[]).await.json()["show_archived_sav"], false);
    let r = c
        .http
        .post(format!("{}/api/prefs/save", c.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("show_archived_sav", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let same = c
        .http
        .post(format!("{}/api/prefs/save", c.base))
        .header("origin", &c.base)
        .form(&[("show_archived_sav", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status().as_u16(), 200);
    app.finish().await;
}

async fn exec(app: &common::TestApp, sql: &str) {
    match &app.db {
        ouvrage::db::Db::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        ouvrage::db::Db::Pg(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
    }
}

async fn sessions_expire_and_rotate(b: Backend) {
    let app = spawn(b).await;
    // Idle for longer than 12 hours: gone.
    let c = app.admin().await;
    exec(&app, "UPDATE user_session SET last_seen_at = last_seen_at - 13 * 3600").await;
    assert_eq!(c.call("me", &[]).await.body, "null");
    // Past its absolute expiry, however active: gone.
    let c = app.admin().await;
    exec(&app, "UPDATE user_session SET expires_at = created_at - 1").await;
    assert_eq!(c.call("me", &[]).await.body, "null");
    // A new login rotates the token: the old one stops working.
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = |cookie: Option<String>| {
        let mut r = raw.post(format!("{}/api/login", app.base)).form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.send()
    };
    let token = |r: &reqwest::Response| r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let first = token(&login(None).await.unwrap());
    let second = token(&login(Some(first.clone())).await.unwrap());
    assert_ne!(first, second);
    let me = |cookie: String| raw.post(format!("{}/api/me", app.base)).header("cookie", cookie).send();
    assert_eq!(me(first).await.unwrap().text().await.unwrap(), "null");
    assert_ne!(me(second).await.unwrap().text().await.unwrap(), "null");
    app.finish().await;
}
