//! What an attacker tried in an afternoon (issue «Safe to put online»), each as a test
//! that failed on the code before the fix: stored and reflected HTML through textareas and
//! `__err`, the demo beside a given administrator, unbounded lists, concurrent password
//! guesses, spoofed proxy headers, one company's bad data stopping everybody's alerts,
//! a redirect off the site.

use crate::common;

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Client};
use base64::Engine;

both_databases!(
    typed_text_comes_back_as_text,
    echoed_errors_show_only_when_signed_for_this_browser,
    work_per_request_is_bounded_before_it_starts,
    concurrent_wrong_passwords_are_checked_at_most_five_times,
    a_known_browser_is_not_locked_out_by_an_attack,
    changing_ones_password_is_throttled_too,
    forwarded_headers_count_only_behind_our_proxies,
    one_line_fields_refuse_control_characters,
    one_company_cannot_stop_another_companys_alerts,
    going_back_stays_on_this_site,
    server_functions_take_forms_only,
    known_browsers_are_not_shut_out_by_their_address,
    an_upgraded_deployment_disables_the_demo_accounts,
    a_merge_cannot_lift_a_block_without_the_right,
    upload_refusals_show_only_when_signed,
    a_trashed_record_is_read_with_the_trash_right,
);

/// What a user may type that must never become markup.
const PAYLOADS: &[&str] = &[
    "</textarea><b id=pwn>X</b>",
    "\"><svg onload=alert(1)>",
    "</title><meta http-equiv=refresh content=0;url=//evil.example>",
    "<form action=/api/users/create method=post><button>OK</button></form>",
];

/// The marks a payload leaves when drawn raw.
fn raw_markup(body: &str) -> Option<&'static str> {
    ["<b id=pwn>", "<svg onload", "<meta http-equiv=refresh", "<form action=/api/users/create"].into_iter().find(|m| body.contains(m))
}

async fn new_client(c: &Client, nom: &str) -> String {
    let r = c.call("contacts/create", &[("statut", "client"), ("nom", nom), ("prenom", "Jean")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.newest_client_id().await.to_string()
}

async fn typed_text_comes_back_as_text(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let k = new_client(&admin, "Colin").await;
    for p in PAYLOADS {
        let observations = format!("Fuite.\n{p}");
        let r = admin
            .call("sav/save", &[("contact_id", &k), ("title", "Fuite"), ("observations", &observations), ("opened_on", "2026-11-02")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let notes = format!("Client fidèle.\n{p}");
        let r = admin.call("contacts/update", &[("id", &k), ("statut", "client"), ("nom", "Colin"), ("notes", &notes)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Pages with the SAV form (a textarea with the observations), the contact's form, the
    // client's «Accueil» (tooltips), the SAV list.
    admin.call("prefs/save", &[("observations_tooltip", "on"), ("show_archived_sav", "on")]).await;
    for page in [format!("/clients/{k}/sav"), format!("/clients/{k}/modifier"), format!("/clients/{k}/accueil"), format!("/clients/{k}")] {
        let r = admin.get(&page).await;
        assert_eq!(r.status, 200, "{page}");
        assert_eq!(raw_markup(&r.body), None, "{page} draws typed text as markup");
    }
    let form = admin.get(&format!("/clients/{k}/modifier")).await.body;
    assert!(form.contains("&lt;form action=/api/users/create method=post&gt;"), "the notes are in the textarea, escaped");
    let sav = admin.get(&format!("/clients/{k}/sav")).await.body;
    assert!(sav.contains("&lt;/textarea&gt;&lt;b id=pwn&gt;X&lt;/b&gt;"), "the observations are in the textarea, escaped");
    // Every textarea of the code draws its text through `ui::textarea_text`.
    for (file, line) in textareas_with_children() {
        assert!(line.contains("textarea_text("), "{file}: a textarea's text must go through ui::textarea_text: {line}");
    }
    app.finish().await;
}

/// The lines of `src/` where a `<textarea …>` element has children in a `view!`.
fn textareas_with_children() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, text) in common::source_files() {
        let mut rest = text.as_str();
        while let Some(i) = rest.find("<textarea ").or_else(|| rest.find("<textarea\n")) {
            let tail = &rest[i..];
            let end = tail.find("</textarea>").unwrap_or(tail.len());
            let element = &tail[..end];
            // Children: something between the opening tag's `>` and the closing tag.
            if let Some(open_end) = element.find('>') {
                let children = element[open_end + 1..].trim();
                if !children.is_empty() {
                    out.push((file.clone(), children.to_string()));
                }
            }
            rest = &tail[end.min(tail.len())..];
            if rest.len() == tail.len() {
                rest = &rest[9..];
            }
        }
    }
    assert!(!out.is_empty(), "the scan finds the textareas");
    out
}

async fn echoed_errors_show_only_when_signed_for_this_browser(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    // A link made elsewhere: an error with markup in its message and values.
    let forged = serde_json::json!({"Invalid": {"field": "", "message": "Session expirée : appelez le 08 99 00 00 00 <b id=pwn>", "values": [["notes", PAYLOADS[0]], ["nom", PAYLOADS[1]]]}});
    let err = base64::engine::general_purpose::URL_SAFE.encode(forged.to_string());
    for sig in ["", "&__sig=AAAA"] {
        let page = admin.get(&format!("/clients/nouveau?__path=/api/contacts/create&__err={err}{sig}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(raw_markup(&page.body), None, "reflected markup");
        assert!(!page.body.contains("08 99"), "a forged message is not shown");
    }
    // A real error of a form posted without JavaScript comes back signed, and shows.
    let notes = format!("À rappeler.\n{}", PAYLOADS[0]);
    let r = admin
        .post_html("contacts/create", &[("statut", "client"), ("nom", ""), ("societe", ""), ("notes", &notes)], "/clients/nouveau")
        .await;
    assert!(r.status == 302 || r.status == 303, "{} {}", r.status, r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert!(location.contains("__sig="), "{location}");
    let path = location.trim_start_matches(&admin.base);
    let page = admin.get(path).await;
    assert!(page.body.contains("Indiquez au moins un nom ou une société."), "the message shows");
    assert!(page.body.contains("À rappeler."), "what was typed comes back");
    assert_eq!(raw_markup(&page.body), None);
    // The same link in another person's browser shows nothing of it.
    let other = app.admin().await;
    let page = other.get(path).await;
    assert!(!page.body.contains("Indiquez au moins un nom ou une société."), "an error is signed for the browser it was made for");
    app.finish().await;
}

async fn work_per_request_is_bounded_before_it_starts(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let layout_before = app.count("user_layout").await;
    // 40,000 entries (quadratic before): refused by the form's bound.
    let many: Vec<(&str, String)> = (0..40_000).map(|i| ("shown[]", format!("w{i}"))).collect();
    let mut form: Vec<(&str, &str)> = vec![("page", "client")];
    form.extend(many.iter().map(|(k, v)| (*k, v.as_str())));
    let r = admin.call("home/save_layout", &form).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.invalid().1.contains("trop de champs"), "{}", r.body);
    // Under the form's bound but over what the page can send.
    let r = admin.call("home/save_layout", &form[..3_000]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.invalid().1.contains("trop d'éléments"), "{}", r.body);
    // A body of a million entries is refused whole, never a 500.
    let huge = "shown[]=a&".repeat(1_000_000);
    // (The server answers before reading it all, then closes: the client may see its
    // write cut short.)
    match admin
        .http
        .post(format!("{}/api/home/save_layout", admin.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
    {
        Ok(r) => assert!((400..500).contains(&r.status().as_u16()), "{}", r.status()),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert_eq!(admin.call("me", &[]).await.status, 200, "the server still answers");
    // Answers: one pair per question, no more than a company can have.
    let k = new_client(&admin, "Fabre").await;
    let q = admin.call("questions/save", &[("label", "Chaudière ?"), ("kind", "texte")]).await.body;
    let pairs: Vec<(&str, &str)> = std::iter::once(("contact_id", k.as_str()))
        .chain((0..2_000).flat_map(|_| [("question[]", q.as_str()), ("value[]", "x")]))
        .collect();
    let r = admin.call("questions/answer", &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = admin.call("questions/answer", &pairs[..5]).await;
    assert_eq!(r.status, 422, "the same question twice: {}", r.body);
    assert_eq!(app.count("answer").await, 0, "nothing saved");
    assert_eq!(app.count("user_layout").await, layout_before);
    app.finish().await;
}

async fn concurrent_wrong_passwords_are_checked_at_most_five_times(b: Backend) {
    // As in production: no proxy trusted, every client has the same address.
    let app = common::spawn_untrusted(b).await;
    let attempts = (0..40).map(|i| {
        let c = app.client();
        async move { c.call("login", &[("email", ADMIN_EMAIL), ("password", &format!("Mauvais-passe-{i}"))]).await.status }
    });
    let statuses = futures::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 40, "{statuses:?}");
    assert!(checked <= 5, "{checked} passwords checked for one account under 40 concurrent attempts");
    // The right password, too early, is refused without a check.
    assert_eq!(app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status, 429);
    app.finish().await;
}

async fn a_known_browser_is_not_locked_out_by_an_attack(b: Backend) {
    let app = common::spawn(b).await;
    let owner = app.admin().await;
    assert_eq!(owner.call("logout", &[]).await.status, 200);
    for i in 0..8 {
        app.client().call("login", &[("email", ADMIN_EMAIL), ("password", &format!("Devine-{i}-passe"))]).await;
    }
    assert_eq!(
        app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status,
        429,
        "a new browser waits"
    );
    let r = owner.call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status, 200, "the owner's browser, which logged in before, gets in: {}", r.body);
    app.finish().await;
}

async fn changing_ones_password_is_throttled_too(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    for i in 0..5 {
        let r = admin
            .call(
                "change_own_password",
                &[("current", &format!("Devine-{i}-passe")), ("new_password", "Nouveau-Mot-2026"), ("confirm", "Nouveau-Mot-2026")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
    }
    let r = admin
        .call("change_own_password", &[("current", ADMIN_PASSWORD), ("new_password", "Nouveau-Mot-2026"), ("confirm", "Nouveau-Mot-2026")])
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    app.finish().await;
}

async fn forwarded_headers_count_only_behind_our_proxies(b: Backend) {
    use ouvrage::auth::session::address_from;
    let mut h = http::HeaderMap::new();
    h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
    let peer = Some("10.1.1.1".parse().unwrap());
    assert_eq!(address_from(&h, peer, 0), "10.1.1.1", "no proxy trusted: the peer");
    assert_eq!(address_from(&h, peer, 1), "203.0.113.9", "one proxy: the address it saw, not what the client wrote");
    assert_eq!(address_from(&h, peer, 2), "6.6.6.6");
    assert_eq!(address_from(&h, peer, 5), "6.6.6.6", "fewer entries than proxies: the first proxy's");

    let app = common::spawn_untrusted(b).await;
    // Spoofed addresses change nothing when no proxy is trusted: 30 failures from
    // «30 addresses» are 30 failures of one.
    for i in 0..30 {
        let r = app
            .client_from(&format!("198.51.100.{i}"))
            .call("login", &[("email", &format!("personne{i}@test.fr")), ("password", "Mauvais-passe-1")])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
    }
    let r = app.client_from("198.51.100.200").call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status, 429, "the address is the socket's: {}", r.body);
    // A state change from another site naming itself in X-Forwarded-Host is refused.
    let r = reqwest::Client::new()
        .post(format!("{}/api/logout", app.base))
        .header("origin", "http://evil.example")
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    app.finish().await;
}

async fn one_line_fields_refuse_control_characters(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    for (nom, why) in [
        ("Dupont\nBcc: x@evil.example", "newline"),
        ("Dupont\u{202E}gpj.exe", "bidi override"),
        ("Du\u{0}pont", "NUL"),
        ("Du\u{1b}[2Jpont", "escape"),
    ] {
        let r = admin.call("contacts/create", &[("statut", "client"), ("nom", nom)]).await;
        assert_eq!(r.status, 422, "{why}: {}", r.body);
        assert_eq!(r.invalid().0, "nom", "{why}");
    }
    let r = admin.call("sav/save", &[("contact_id", "1"), ("title", "Fuite\r\nsous l'évier"), ("opened_on", "2026-11-02")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(app.count("contact").await, 0);
    // Multi-line fields keep their lines.
    let r = admin.call("contacts/create", &[("statut", "client"), ("nom", "Dupont"), ("notes", "ligne 1\r\nligne 2")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.finish().await;
}

async fn one_company_cannot_stop_another_companys_alerts(b: Backend) {
    use ouvrage::actions::alerts::plan;
    let app = common::spawn(b).await;
    let cfg = ouvrage::mail::config::MailConfig::default();
    // Company A: an action whose author has since been deactivated (its mail cannot be
    // made), for a client whose name came in with a line break (older data).
    // Company B: an ordinary action due at the same time.
    let b_company = ouvrage::server::demo::create_company(&app.db, "Société B", "admin@b.fr", "Chaudiere-Beta-2026").await.unwrap();
    let mut actions = Vec::new();
    for (email, password, author_email) in
        [(ADMIN_EMAIL, ADMIN_PASSWORD, "auteur@a.fr"), ("admin@b.fr", "Chaudiere-Beta-2026", "auteur@b.fr")]
    {
        let admin = app.logged_in(email, password).await;
        assert_eq!(admin.call("prefs/save", &[("action_alert_email", "on")]).await.status, 200);
        let r = admin
            .call("users/create", &[("name", "Auteur"), ("email", author_email), ("signature", ""), ("password", "Chaudiere-Equipe-42")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let admin_id = admin.call("me", &[]).await.json()["user_id"].as_i64().unwrap();
        let author = app.logged_in(author_email, "Chaudiere-Equipe-42").await;
        let t = admin.call("actions/save_type", &[("label", "A relancer")]).await.body;
        let k = new_client(&author, "Fabre").await;
        let r = author
            .call(
                "actions/create",
                &[
                    ("contact_id", &k),
                    ("type_id", &t),
                    ("alert_date", "2026-12-10"),
                    ("attribuer", "on"),
                    ("assignee", &admin_id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        actions.push((r.body.parse::<i64>().unwrap(), k));
    }
    let ((a_action, _), (b_action, b_client)) = (actions[0].clone(), actions[1].clone());
    ouvrage::on_pool!(&app.db, c => sqlx::query("UPDATE app_user SET active = FALSE WHERE email = 'auteur@a.fr'").execute(c).await.map(|r| r.rows_affected())).unwrap();
    ouvrage::on_pool!(&app.db, c => sqlx::query("UPDATE contact SET nom = 'Fabre\nBcc: x@evil.example' WHERE id = $1").bind(b_client.parse::<i64>().unwrap()).execute(c).await.map(|r| r.rows_affected())).unwrap();
    let later = chrono::DateTime::parse_from_rfc3339("2026-12-10T12:00:00Z").unwrap().timestamp();
    let queued = plan(&app.db, &cfg, later).await.expect("one bad item does not stop the batch");
    assert_eq!(queued, 1, "company B's alert goes out");
    let tenant_b = ouvrage::db::Tenant::for_tests(b_company);
    assert_eq!(ouvrage::actions::alerts::mails_of(&app.db, &tenant_b, b_action).await.unwrap(), 1);
    let subject: String = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT subject FROM outbox WHERE company_id = $1").bind(b_company).fetch_one(c).await).unwrap();
    assert!(!subject.contains('\n'), "{subject:?}");
    let skipped: i64 = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE action = 'alert_skipped' AND entity_id = $1").bind(a_action).fetch_one(c).await).unwrap();
    assert_eq!(skipped, 1, "the bad item is recorded");
    assert_eq!(plan(&app.db, &cfg, later + 60).await.unwrap(), 0, "and not tried again at every cycle");
    app.finish().await;
}

async fn going_back_stays_on_this_site(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    for (back, expected) in [("/clients", "/clients"), ("/\\evil.example", "/"), ("//evil.example", "/"), ("https://evil.example", "/")] {
        let r = admin.post_html("home/save_layout", &[("page", "tableau"), ("shown[]", "actions"), ("back", back)], "/").await;
        assert!(r.status == 302 || r.status == 303, "{} {}", r.status, r.body);
        assert_eq!(r.headers["location"].to_str().unwrap(), expected, "back={back}");
    }
    app.finish().await;
}

async fn server_functions_take_forms_only(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    // The decoder reads a text/plain body as a form: refused before it, or the checks
    // of the form (control characters, field count) would be skipped.
    for ct in ["text/plain", "application/json", "multipart/form-data; boundary=x", "APPLICATION/X-WWW-FORM-URLENCODEDX"] {
        let r = admin
            .http
            .post(format!("{}/api/contacts/create", admin.base))
            .header("content-type", ct)
            .body("statut=client&nom=Du%0Apont")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415, "{ct}");
    }
    let r = admin
        .http
        .post(format!("{}/api/contacts/create", admin.base))
        .header("content-type", "Application/X-WWW-Form-Urlencoded")
        .body("statut=client&nom=Dupont")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "the content type's case does not matter");
    assert_eq!(app.count("contact").await, 1);
    app.finish().await;
}

async fn known_browsers_are_not_shut_out_by_their_address(b: Backend) {
    // Production behind one proxy left at 0, or one office's address: every browser shows
    // the same address. Guesses from there must not shut out a browser that logged in before.
    let app = common::spawn_untrusted(b).await;
    let owner = app.admin().await;
    assert_eq!(owner.call("logout", &[]).await.status, 200);
    for i in 0..35 {
        app.client().call("login", &[("email", &format!("personne{i}@test.fr")), ("password", "Mauvais-passe-1")]).await;
    }
    assert_eq!(
        app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status,
        429,
        "a new browser at that address waits"
    );
    assert_eq!(
        owner.call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status,
        200,
        "the owner's browser gets in"
    );
    app.finish().await;
}

async fn an_upgraded_deployment_disables_the_demo_accounts(b: Backend) {
    use ouvrage::server::demo;
    // A database where an earlier version made the demo beside a given administrator.
    let app = common::spawn_demo(b).await;
    let tenant = ouvrage::db::Tenant::for_tests(app.company_id);
    demo::load_if_empty(&app.db, &tenant).await.unwrap();
    assert_eq!(app.client().call("login", &[("email", demo::DEMO_ADMIN), ("password", demo::DEMO_PASSWORD)]).await.status, 200);
    // This version starts on it with the administrator given.
    let mut config = (*app.state.config).clone();
    config.demo = false;
    ouvrage::server::bootstrap(&app.db, &config).await.unwrap();
    let r = app.client().call("login", &[("email", demo::DEMO_ADMIN), ("password", demo::DEMO_PASSWORD)]).await;
    assert_eq!(r.status, 422, "the published password opens nothing: {}", r.body);
    assert_eq!(app.client().call("login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await.status, 200);
    app.finish().await;
}

async fn a_merge_cannot_lift_a_block_without_the_right(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call(
            "contacts/create",
            &[("statut", "client"), ("nom", "Bloqué"), ("prenom", "Paul"), ("bloque", "oui"), ("bloque_motif", "Impayés 2025")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let blocked = admin.newest_client_id().await.to_string();
    let open = new_client(&admin, "Bloqué").await;
    let r = admin
        .call(
            "users/create",
            &[
                ("name", "Fusion"),
                ("email", "fusion@test.fr"),
                ("signature", ""),
                ("password", "Technicien-2026!"),
                ("rights[]", "corbeille_fusion"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let merger = app.logged_in("fusion@test.fr", "Technicien-2026!").await;
    let r = merger.call("duplicates/merge", &[("survivor", &open), ("other", &blocked)]).await;
    assert_eq!(r.status, 403, "the blocked client's invoices would move to a contact that is not blocked: {}", r.body);
    assert_eq!(app.count("contact_merge").await, 0);
    let r = admin.call("duplicates/merge", &[("survivor", &open), ("other", &blocked)]).await;
    assert_eq!(r.status, 200, "with «Gestion commerciale»: {}", r.body);
    app.finish().await;
}

async fn upload_refusals_show_only_when_signed(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let forged = admin.get("/clients/importer?erreur=Session%20expir%C3%A9e%2C%20appelez%20le%2008%2099").await;
    assert!(!forged.body.contains("Session expirée"), "a message from a link is not shown");
    let (status, location) = admin.upload("/clients/importer/fichier", "vide.csv", Vec::new()).await;
    assert_eq!(status, 303, "{location}");
    assert!(location.contains("sig="), "{location}");
    let page = admin.get(&location).await;
    assert!(page.body.contains("role=\"alert\""), "the server's own refusal shows");
    app.finish().await;
}

async fn a_trashed_record_is_read_with_the_trash_right(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    assert_eq!(admin.call("contacts/create", &[("statut", "corbeille"), ("nom", "Jeté")]).await.status, 200);
    let id: i64 = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT MAX(id) FROM contact").fetch_one(c).await).unwrap();
    let r = admin
        .call("users/create", &[("name", "Tech"), ("email", "tech@test.fr"), ("signature", ""), ("password", "Technicien-2026!")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tech = app.logged_in("tech@test.fr", "Technicien-2026!").await;
    assert_eq!(
        tech.call("contacts/get", &[("id", &id.to_string())]).await.status,
        403,
        "listing the «Corbeille» needs the right, reading its records too"
    );
    assert_eq!(admin.call("contacts/get", &[("id", &id.to_string())]).await.status, 200);
    app.finish().await;
}

#[test]
fn the_demo_belongs_to_a_development_build_without_an_administrator() {
    use ouvrage::state::{Config, demo_wanted};
    let env =
        |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    let admin = &[("OUVRAGE_ADMIN_EMAIL", "a@b.fr"), ("OUVRAGE_ADMIN_PASSWORD", "Chaudiere-Admin-77")];
    assert!(!Config::from_vars(env(admin), true).unwrap().demo, "an administrator given: no demo");
    assert!(
        !Config::from_vars(env(&[("OUVRAGE_DEMO", "1"), ("OUVRAGE_ADMIN_EMAIL", "a@b.fr"), ("OUVRAGE_ADMIN_PASSWORD", "x")]), true)
            .unwrap()
            .demo
    );
    assert!(!Config::from_vars(env(&[]), false).unwrap().demo, "a release build: no demo");
    assert!(!Config::from_vars(env(&[("OUVRAGE_DEMO", "1")]), false).unwrap().demo, "not even asked for");
    assert!(Config::from_vars(env(&[]), true).unwrap().demo, "make run");
    assert!(!Config::from_vars(env(&[("OUVRAGE_DEMO", "0")]), true).unwrap().demo);
    assert!(!demo_wanted(Some(true), true, true));
    // Cookies: `__Host-` and `Secure` by default in a release build (served over HTTPS).
    assert!(Config::from_vars(env(&[]), false).unwrap().secure_cookies);
    assert!(!Config::from_vars(env(&[]), true).unwrap().secure_cookies);
    assert!(!Config::from_vars(env(&[("OUVRAGE_SECURE_COOKIES", "0")]), false).unwrap().secure_cookies);
    assert_eq!(Config::from_vars(env(&[]), false).unwrap().trust_proxy, 0);
    assert!(Config::from_vars(env(&[("OUVRAGE_TRUST_PROXY", "yes")]), false).is_err());
}

/// The real binary, started as a newcomer's production would be (an administrator given,
/// `OUVRAGE_DEMO` unset), creates no demo user and prints no published password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_with_an_administrator_creates_no_demo() {
    use std::io::Read;
    let (db, _) = common::fresh_db(Backend::Sqlite).await;
    let url = common::db_url(&db).await;
    db.close().await;
    let port = common::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .env("DATABASE_URL", &url)
        .env("OUVRAGE_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("OUVRAGE_DEMO")
        .env("OUVRAGE_ADMIN_EMAIL", "patron@plomberie-durand.fr")
        .env("OUVRAGE_ADMIN_PASSWORD", "Chaudiere-Durand-2026")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the ouvrage binary");
    let client = common::process_client(port);
    let mut up = false;
    for _ in 0..200 {
        if client.http.get(format!("{}/connexion", client.base)).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let demo_login = client
        .call("login", &[("email", ouvrage::server::demo::DEMO_ADMIN), ("password", ouvrage::server::demo::DEMO_PASSWORD)])
        .await
        .status;
    let _ = child.kill();
    let _ = child.wait();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(up, "the server started: {out}");
    assert_ne!(demo_login, 200, "the demo login works");
    assert!(!out.contains(ouvrage::server::demo::DEMO_PASSWORD), "the demo password is printed: {out}");
    let db = ouvrage::db::Db::connect(&url).await.unwrap();
    let users: Vec<String> = ouvrage::on_pool!(&db, c => sqlx::query_scalar("SELECT email FROM app_user").fetch_all(c).await).unwrap();
    assert_eq!(users, ["patron@plomberie-durand.fr"], "only the administrator given");
    db.close().await;
}
