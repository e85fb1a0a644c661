//! The authorization matrix: every registered server function and every plain route,
//! called (a) anonymously, (b) for each right it needs, by a user of the same company
//! who holds every right but that one, (c) by the administrator of another company with
//! ids of the first: all refused, nothing changed. Then each entry is called by a user
//! holding only what the matrix says it needs, which must not be refused for want of a
//! right: so a function that checks the wrong right, or none, fails one side or the
//! other. Fields that need a right of their own (the commercial fields of a contact) have
//! their own rows; calls that mix ids of both companies are refused too. A server
//! function without an entry here fails the test.

use crate::common;

use std::collections::HashMap;

use crate::common::{Backend, Client, spawn};

both_databases!(every_server_function_and_route_is_guarded, corbeille_export_needs_both_rights, hostile_input_never_breaks_anything);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Access {
    /// Meant for visitors (login), or a no-op without a session.
    Public,
    /// Any signed-in user of the company.
    Session,
    /// Signed in with this right.
    Right(&'static str),
}
use Access::*;

impl Access {
    fn needs(self) -> Vec<&'static str> {
        match self {
            Public | Session => Vec::new(),
            Right(r) => vec![r],
        }
    }
}

/// The rights' codes, as `ouvrage::auth::Right::ALL` orders them (checked below).
const CODES: [&str; 5] = ["utilisateurs", "parametres", "gestion_commerciale", "relances", "corbeille_fusion"];

/// A server function, who may call it, its arguments (`{…}` are ids of the first company).
type Entry = (&'static str, Access, &'static [(&'static str, &'static str)]);

const MATRIX: &[Entry] = &[
    ("login", Public, &[("email", "x@y.fr"), ("password", "x")]),
    ("logout", Public, &[]),
    ("me", Public, &[]),
    ("change_own_password", Session, &[("current", "x"), ("new_password", "Nouveau-Mot-2026"), ("confirm", "Nouveau-Mot-2026")]),
    ("dashboard", Session, &[]),
    ("prefs/get", Session, &[]),
    ("prefs/save", Session, &[]),
    ("search", Session, &[("q", "paviere")]),
    ("users/list", Right("utilisateurs"), &[]),
    ("users/get", Right("utilisateurs"), &[("id", "{user}")]),
    (
        "users/create",
        Right("utilisateurs"),
        &[("name", "Intrus"), ("email", "intrus@test.fr"), ("signature", ""), ("password", "Intrusion-2026!")],
    ),
    ("users/update", Right("utilisateurs"), &[("id", "{user}"), ("name", "Intrus"), ("email", "cible@test.fr"), ("signature", "")]),
    ("contacts/list", Session, &[("statut", "client")]),
    ("contacts/get", Session, &[("id", "{contact}")]),
    ("contacts/create", Session, &[("statut", "client"), ("nom", "Intrus")]),
    ("contacts/update", Session, &[("id", "{contact}"), ("statut", "client"), ("nom", "Intrus")]),
    ("contacts/types_to_review", Session, &[]),
    ("contacts/add_site", Session, &[("contact_id", "{contact}"), ("site_adresse", "1 rue du Chantier"), ("site_ville", "Lyon")]),
    ("contacts/archive_site", Session, &[("contact_id", "{contact}"), ("id", "0")]),
    ("documents/porte_doc", Right("gestion_commerciale"), &[("contact_id", "{contact}")]),
    ("documents/get", Right("gestion_commerciale"), &[("id", "{facture}")]),
    (
        "documents/create",
        Right("gestion_commerciale"),
        &[("contact_id", "{contact}"), ("kind", "facture"), ("designation[]", "x"), ("unit_price[]", "1"), ("vat[]", "2000")],
    ),
    (
        "documents/update",
        Right("gestion_commerciale"),
        &[("id", "{devis}"), ("kind", "devis"), ("designation[]", "x"), ("unit_price[]", "1"), ("vat[]", "2000")],
    ),
    ("documents/issue", Right("gestion_commerciale"), &[("id", "{devis}")]),
    ("documents/derive", Right("gestion_commerciale"), &[("id", "{facture}"), ("kind", "avoir")]),
    ("documents/cancel", Right("gestion_commerciale"), &[("id", "{devis}")]),
    (
        "documents/pay",
        Right("gestion_commerciale"),
        &[("id", "{facture}"), ("paid_on", "2026-12-01"), ("amount", "1"), ("method", "Chèque")],
    ),
    ("duplicates/check", Session, &[("nom", "Pavière"), ("exclude", "{contact}")]),
    ("duplicates/report", Right("corbeille_fusion"), &[]),
    ("duplicates/scan", Right("corbeille_fusion"), &[]),
    ("duplicates/not_duplicate", Right("corbeille_fusion"), &[("a", "{contact}"), ("b", "{twin}")]),
    ("duplicates/merge_page", Right("corbeille_fusion"), &[("survivor", "{contact}"), ("other", "{twin}")]),
    ("duplicates/merge", Right("corbeille_fusion"), &[("survivor", "{contact}"), ("other", "{twin}")]),
    ("duplicates/undo", Right("corbeille_fusion"), &[("merge_id", "{merge}")]),
    ("duplicates/merges", Session, &[("id", "{contact}")]),
    ("audit/list", Right("parametres"), &[]),
    ("mail/domain", Session, &[]),
    ("mail/check_domain", Session, &[]),
    ("mail/document", Right("gestion_commerciale"), &[("id", "{facture}")]),
    (
        "mail/send_document",
        Right("gestion_commerciale"),
        &[("id", "{facture}"), ("to", "a@b.fr"), ("subject", "x"), ("message", "x"), ("token", "0123456789abcdef0123456789abcdef")],
    ),
    ("mail/retry", Right("gestion_commerciale"), &[("id", "{mail}")]),
    ("actions/types", Right("parametres"), &[]),
    ("actions/save_type", Right("parametres"), &[("label", "Intrus")]),
    ("actions/add_response", Right("parametres"), &[("type_id", "{action_type}"), ("response", "Intrus")]),
    ("actions/arrange", Right("parametres"), &[("item", "type"), ("id", "{action_type}"), ("op", "retire")]),
    ("actions/of_client", Session, &[("contact_id", "{contact}")]),
    ("actions/create", Session, &[("contact_id", "{contact}"), ("type_id", "{action_type}"), ("alert_date", "2026-12-01")]),
    ("actions/get", Session, &[("id", "{action}")]),
    ("actions/update", Session, &[("id", "{action}"), ("type_id", "{action_type}"), ("alert_date", "2026-12-01")]),
    ("actions/close", Session, &[("id", "{action}"), ("response_id", "{action_response}")]),
    ("actions/mine", Session, &[]),
    ("reminders/worklist", Right("relances"), &[]),
    ("reminders/make", Right("relances"), &[("contact_id", "{contact}"), ("level", "R1")]),
    ("reminders/of_client", Right("relances"), &[("contact_id", "{contact}")]),
    ("reminders/email", Right("relances"), &[("id", "{letter}")]),
    ("reminders/summary", Right("relances"), &[]),
    ("reminders/settings", Right("parametres"), &[]),
    (
        "reminders/save_settings",
        Right("parametres"),
        &[("r1_days", "7"), ("r2_days", "15"), ("r3_days", "30"), ("med_days", "45"), ("med_deadline_days", "8")],
    ),
    ("company/identity", Right("parametres"), &[]),
    ("company/save", Right("parametres"), &[("raison_sociale", "")]),
    ("einvoice/platform", Right("parametres"), &[]),
    ("einvoice/save_platform", Right("parametres"), &[("name", ""), ("url", "")]),
    ("einvoice/state", Right("gestion_commerciale"), &[("id", "{facture}")]),
    ("einvoice/retry", Right("gestion_commerciale"), &[("id", "{facture}")]),
    ("einvoice/redo", Right("gestion_commerciale"), &[("id", "{facture}")]),
    ("einvoice/periods", Right("parametres"), &[]),
    ("einvoice/transmit", Right("parametres"), &[("kind", "transactions"), ("start", "2026-11-01")]),
    ("einvoice/received", Right("gestion_commerciale"), &[]),
    ("einvoice/received_one", Right("gestion_commerciale"), &[("id", "{facture}")]),
    ("reminders/save_template", Right("parametres"), &[("level", "R1"), ("letter", "x"), ("email_subject", "x"), ("email", "x")]),
    ("reminders/save_rate", Right("parametres"), &[("kind", "bce"), ("half", "2026-1"), ("rate", "2,15")]),
    ("documents/dispute", Right("gestion_commerciale"), &[("id", "{facture}"), ("litige", "on")]),
    ("sav/of_client", Session, &[("contact_id", "{contact}")]),
    ("sav/save", Session, &[("contact_id", "{contact}"), ("title", "Fuite")]),
    (
        "services/save",
        Session,
        &[("contact_id", "{contact}"), ("label", "Entretien"), ("start_date", "2026-01-01"), ("periodicity_months", "12")],
    ),
    ("sav/open", Session, &[]),
    ("home/layout", Session, &[("page", "client")]),
    ("home/save_layout", Session, &[("page", "client"), ("shown[]", "sav")]),
    ("home/recent", Session, &[]),
    ("home/save_layout_live", Session, &[("page", "client"), ("shown[]", "sav")]),
    ("home/client", Session, &[("contact_id", "{contact}")]),
    ("home/questions", Session, &[("contact_id", "{contact}")]),
    ("home/sav", Session, &[("contact_id", "{contact}"), ("archives", "true")]),
    ("home/services", Session, &[("contact_id", "{contact}")]),
    ("home/actions", Session, &[("contact_id", "{contact}")]),
    ("home/unpaid", Right("gestion_commerciale"), &[("contact_id", "{contact}")]),
    ("questions/list", Right("parametres"), &[]),
    ("questions/save", Right("parametres"), &[("label", "Intrus"), ("kind", "texte")]),
    ("questions/arrange", Right("parametres"), &[("id", "{question}"), ("op", "retire")]),
    ("questions/answers", Session, &[("contact_id", "{contact}")]),
    ("questions/answer", Session, &[("contact_id", "{contact}"), ("question[]", "{question}"), ("value[]", "x")]),
    ("imports/list", Right("parametres"), &[]),
    ("imports/get", Right("parametres"), &[("id", "{import}")]),
    ("imports/progress", Right("parametres"), &[("id", "{import}")]),
    (
        "imports/configure",
        Right("parametres"),
        &[("id", "{import}"), ("statut", "client"), ("choix_defaut", "ignorer"), ("colonne[]", "nom"), ("colonne[]", "ville")],
    ),
    ("imports/act", Right("parametres"), &[("id", "{import}"), ("op", "undo")]),
];

/// Fields that need a right of their own, beyond their function's: the same function,
/// with the field set to a value the record does not have.
const FIELDS: &[Entry] = &[
    (
        "contacts/update",
        Right("gestion_commerciale"),
        &[
            ("id", "{contact}"),
            ("statut", "client"),
            ("nom", "Pavière"),
            ("prenom", "Robert"),
            ("code_postal", "42000"),
            ("plafond_encours", "100000"),
        ],
    ),
    (
        "contacts/update",
        Right("gestion_commerciale"),
        &[
            ("id", "{contact}"),
            ("statut", "client"),
            ("nom", "Pavière"),
            ("prenom", "Robert"),
            ("code_postal", "42000"),
            ("bloque", "oui"),
            ("bloque_motif", "Intrus"),
        ],
    ),
    ("contacts/create", Right("gestion_commerciale"), &[("statut", "client"), ("nom", "Intrus"), ("plafond_encours", "100000")]),
    (
        "contacts/create",
        Right("gestion_commerciale"),
        &[("statut", "client"), ("nom", "Intrus"), ("bloque", "oui"), ("bloque_motif", "Intrus")],
    ),
    // Moving to or from the «Corbeille» (the function is open to every user).
    ("contacts/update", Right("corbeille_fusion"), &[("id", "{spare}"), ("statut", "corbeille"), ("nom", "Rangé"), ("prenom", "Jean")]),
    ("contacts/create", Right("corbeille_fusion"), &[("statut", "corbeille"), ("nom", "Intrus")]),
    ("contacts/list", Right("corbeille_fusion"), &[("statut", "corbeille")]),
];

/// Plain routes: (method, path, who may call it).
const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/pieces/{facture}/pdf", Right("gestion_commerciale")),
    ("GET", "/pieces/{facture}/facturx", Right("gestion_commerciale")),
    ("GET", "/pieces/{facture}/ubl", Right("gestion_commerciale")),
    ("GET", "/pieces/{facture}/cii", Right("gestion_commerciale")),
    ("POST", "/factures-recues/importer", Right("gestion_commerciale")),
    ("GET", "/factures-recues/{facture}/original", Right("gestion_commerciale")),
    ("GET", "/fichiers/{file}", Right("gestion_commerciale")),
    ("POST", "/clients/{contact}/porte-doc/importer", Right("gestion_commerciale")),
    ("GET", "/relances/{letter}/pdf", Right("relances")),
    // Import and export of the whole base (another company's administrator works on
    // their own base: no id to guess). Exporting the «Corbeille» is listing it.
    ("POST", "/clients/importer/fichier", Right("parametres")),
    ("GET", "/clients/exporter?format=csv&statut=client", Right("parametres")),
    ("GET", "/clients/exporter?format=xlsx&statut=client", Right("parametres")),
    ("GET", "/clients/importer/{import}", Right("parametres")),
    // Pages that show one record (rendered on the server from the functions above).
    ("GET", "/clients/{contact}", Session),
    ("GET", "/clients/{contact}/modifier", Session),
    ("GET", "/clients/{contact}/porte-doc", Right("gestion_commerciale")),
    ("GET", "/clients/{contact}/pieces/nouvelle?type=facture", Right("gestion_commerciale")),
    ("GET", "/pieces/{facture}", Right("gestion_commerciale")),
    ("GET", "/clients/{contact}/actions", Session),
    ("GET", "/actions/{action}", Session),
    ("GET", "/clients/{contact}/sav", Session),
    ("GET", "/clients/{contact}/accueil", Session),
    ("GET", "/clients/fusion?survivant={contact}&autre={twin}", Right("corbeille_fusion")),
    ("GET", "/parametres/utilisateurs/{user}", Right("utilisateurs")),
];

fn fill(s: &str, ids: &HashMap<&str, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in ids {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

async fn call(c: &Client, endpoint: &str, args: &[(&str, &str)], ids: &HashMap<&str, String>) -> common::Answer {
    let filled: Vec<(String, String)> = args.iter().map(|(k, v)| (k.to_string(), fill(v, ids))).collect();
    let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.call(endpoint, &form).await
}

/// A plain route: (status, body). A POST sends a small file, as «Importer» does.
async fn route(c: &Client, method: &str, path: &str) -> (u16, String) {
    let url = format!("{}{path}", c.base);
    let r = if method == "POST" {
        let part = reqwest::multipart::Part::bytes(b"Nom\nx\n".to_vec()).file_name("x.csv").mime_str("text/csv").unwrap();
        c.http.post(url).multipart(reqwest::multipart::Form::new().part("fichier", part)).send().await.unwrap()
    } else {
        c.http.get(url).send().await.unwrap()
    };
    let status = r.status().as_u16();
    let body = r.bytes().await.map(|b| String::from_utf8_lossy(&b).to_string()).unwrap_or_default();
    (status, body.replace("&#39;", "'").replace("&#x27;", "'"))
}

/// The French name of a right, as a refusal names it.
fn label(code: &str) -> &'static str {
    ouvrage::auth::Right::from_code(code).unwrap_or_else(|| panic!("unknown right «{code}»")).label()
}

/// Whether an answer is a refusal for want of a right (any of them).
fn refused_for_a_right(status: u16, body: &str) -> bool {
    status == 401 || (status == 403 && CODES.iter().any(|c| body.contains(label(c))))
}

fn cut(s: &str) -> &str {
    let mut n = s.len().min(160);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// A user of the first company holding exactly `rights`, signed in.
async fn user_with(app: &common::TestApp, admin: &Client, email: &str, rights: &[&str]) -> Client {
    let mut form = vec![("name", "Karim Technicien"), ("email", email), ("signature", ""), ("password", "Technicien-2026!")];
    form.extend(rights.iter().map(|r| ("rights[]", *r)));
    let r = admin.call("users/create", &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.logged_in(email, "Technicien-2026!").await
}

/// Row counts of the business tables (both companies).
async fn counts(app: &common::TestApp) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in [
        "contact",
        "contact_phone",
        "contact_alias",
        "contact_merge",
        "not_duplicate",
        "document",
        "document_line",
        "payment",
        "stored_file",
        "app_user",
        "user_right",
        "action_type",
        "action_response",
        "action",
        "question",
        "answer",
        "sav",
        "service",
        "reminder_letter",
        "outbox",
        "import_job",
    ] {
        out.push((t, app.count(t).await));
    }
    out
}

async fn every_server_function_and_route_is_guarded(b: Backend) {
    // Every registered server function has an entry, and every entry exists.
    let registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.trim_start_matches("/api/").to_string()).collect();
    let missing: Vec<&String> = registered.iter().filter(|p| !MATRIX.iter().any(|(e, _, _)| e == p)).collect();
    assert!(missing.is_empty(), "server functions without an entry in tests/authz.rs MATRIX: {missing:?}");
    for (e, _, _) in MATRIX.iter().chain(FIELDS) {
        assert!(registered.iter().any(|p| p == e), "MATRIX names «{e}», which is not registered");
    }
    assert_eq!(CODES.to_vec(), ouvrage::auth::Right::ALL.map(|r| r.code()).to_vec(), "every right is tried");

    let app = spawn(b).await;
    let admin = app.admin().await;
    // The first company's records.
    let mut ids: HashMap<&str, String> = HashMap::new();
    let new_contact = async |c: &Client, nom: &str, prenom: &str| {
        let r = c.call("contacts/create", &[("statut", "client"), ("nom", nom), ("prenom", prenom), ("code_postal", "42000")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        c.newest_client_id().await.to_string()
    };
    let contact = new_contact(&admin, "Pavière", "Robert").await;
    let twin = new_contact(&admin, "Paviere", "Robert").await;
    let spare = new_contact(&admin, "Rangé", "Jean").await;
    let (m1, m2) = (new_contact(&admin, "Fusion", "Un").await, new_contact(&admin, "Fusion", "Deux").await);
    let merge = admin.call("duplicates/merge", &[("survivor", &m1), ("other", &m2)]).await.json().to_string();
    let doc = async |c: &Client, contact: &str, kind: &str, issue: bool| {
        let r = c
            .call(
                "documents/create",
                &[("contact_id", contact), ("kind", kind), ("designation[]", "x"), ("unit_price[]", "10"), ("vat[]", "2000")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        if issue {
            assert_eq!(c.call("documents/issue", &[("id", &r.body)]).await.status, 200);
        }
        r.body
    };
    let facture = doc(&admin, &contact, "facture", true).await;
    let devis = doc(&admin, &contact, "devis", false).await;
    assert_eq!(admin.upload(&format!("/clients/{contact}/porte-doc/importer"), "plan.pdf", b"%PDF".to_vec()).await.0, 303);
    let file = admin.call("documents/porte_doc", &[("contact_id", &contact)]).await.json()["files"][0]["id"].to_string();
    let r = admin
        .call(
            "users/create",
            &[
                ("name", "Claire Cible"),
                ("email", "cible@test.fr"),
                ("signature", ""),
                ("password", "Technicien-2026!"),
                ("rights[]", "relances"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let user = admin.call("users/list", &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "cible@test.fr").unwrap()["id"]
        .to_string();
    let token = admin.call("mail/document", &[("id", &facture)]).await.json()["token"].as_str().unwrap().to_string();
    let sent = admin
        .call("mail/send_document", &[("id", &facture), ("to", "client@b.fr"), ("subject", "Facture"), ("message", "x"), ("token", &token)])
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let mail = admin.call("mail/document", &[("id", &facture)]).await.json()["mails"][0]["id"].to_string();
    let action_type = admin.call("actions/save_type", &[("label", "A relancer")]).await.body;
    let action_response = admin.call("actions/add_response", &[("type_id", &action_type), ("response", "Rappeler")]).await.body;
    let action =
        admin.call("actions/create", &[("contact_id", &contact), ("type_id", &action_type), ("alert_date", "2026-12-01")]).await.body;
    assert!(action.parse::<i64>().is_ok(), "{action}");
    // An overdue facture and its reminder letter.
    let r = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &contact),
                ("kind", "facture"),
                ("doc_date", "2026-01-02"),
                ("due_date", "2026-01-10"),
                ("designation[]", "x"),
                ("unit_price[]", "10"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(admin.call("documents/issue", &[("id", &r.body)]).await.status, 200);
    let letter = admin.call("reminders/make", &[("contact_id", &contact), ("level", "R1")]).await.body;
    assert!(letter.parse::<i64>().is_ok(), "{letter}");
    let question = admin.call("questions/save", &[("label", "Type de chauffage"), ("kind", "texte")]).await.body;
    assert!(question.parse::<i64>().is_ok(), "{question}");
    let (status, location) = admin.upload("/clients/importer/fichier", "clients.csv", "Nom;Ville\nDupont;Lyon\n".as_bytes().to_vec()).await;
    assert_eq!(status, 303);
    let import = location.trim_start_matches("/clients/importer/").to_string();
    assert!(import.parse::<i64>().is_ok(), "{location}");
    ids.extend([
        ("contact", contact.clone()),
        ("twin", twin),
        ("spare", spare),
        ("merge", merge),
        ("facture", facture),
        ("devis", devis),
        ("file", file),
        ("user", user),
        ("mail", mail),
        ("action_type", action_type.clone()),
        ("action_response", action_response),
        ("action", action.clone()),
        ("letter", letter),
        ("question", question),
        ("import", import),
    ]);

    let anonymous = app.client();
    // For each right, a user with every other right; and one with that right only.
    let mut all_but: HashMap<&str, Client> = HashMap::new();
    let mut only: HashMap<&str, Client> = HashMap::new();
    for code in CODES {
        let others: Vec<&str> = CODES.iter().copied().filter(|c| *c != code).collect();
        all_but.insert(code, user_with(&app, &admin, &format!("sans-{code}@test.fr"), &others).await);
        only.insert(code, user_with(&app, &admin, &format!("seul-{code}@test.fr"), &[code]).await);
    }
    let tech = user_with(&app, &admin, "tech@test.fr", &[]).await;
    let other = ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    common::complete_identity(&app.db, other).await;
    let stranger = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;

    // 1. Refused: anonymous, short of each needed right, another company.
    let before = counts(&app).await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for (endpoint, access, args) in MATRIX.iter().chain(FIELDS) {
        if *access != Public {
            tried += 1;
            let r = call(&anonymous, endpoint, args, &ids).await;
            if r.status != 401 {
                failures.push(format!("(a) anonymous {endpoint}: {} {}", r.status, cut(&r.body)));
            }
        }
        for right in access.needs() {
            tried += 1;
            let r = call(&all_but[right], endpoint, args, &ids).await;
            if r.status != 403 || !r.body.contains(label(right)) {
                failures.push(format!("(b) every right but «{right}» {endpoint}: {} {}", r.status, cut(&r.body)));
            }
        }
        let uses_ids = args.iter().any(|(k, v)| v.starts_with('{') && *k != "exclude");
        if uses_ids {
            tried += 1;
            let r = call(&stranger, endpoint, args, &ids).await;
            if r.status != 404 {
                failures.push(format!("(c) other company {endpoint}: {} {}", r.status, cut(&r.body)));
            }
        }
    }
    for (method, template, access) in ROUTES {
        let path = fill(template, &ids);
        tried += 1;
        let (a, body) = route(&anonymous, method, &path).await;
        if a != 401 {
            failures.push(format!("(a) anonymous {method} {path}: {a} {}", cut(&body)));
        }
        for right in access.needs() {
            tried += 1;
            let (t, body) = route(&all_but[right], method, &path).await;
            if t != 403 || !body.contains(label(right)) {
                failures.push(format!("(b) every right but «{right}» {method} {path}: {t} {}", cut(&body)));
            }
        }
        if template.contains('{') {
            tried += 1;
            let (c, body) = route(&stranger, method, &path).await;
            if c != 404 {
                failures.push(format!("(c) other company {method} {path}: {c} {}", cut(&body)));
            }
        }
    }
    // Path traversal and junk ids on the download routes: refused, never a file, never a 500.
    for path in
        ["/fichiers/..%2F..%2Fetc%2Fpasswd", "/fichiers/-1", "/fichiers/99999999999999999999", "/pieces/abc/pdf", "/fichiers/1%00.html"]
    {
        tried += 1;
        let (status, _, body) = admin.get_bytes(path).await;
        if !(400..500).contains(&status) || String::from_utf8_lossy(&body).contains("root:") {
            failures.push(format!("{path}: {status}"));
        }
    }
    assert!(failures.is_empty(), "{} of {tried} calls not refused:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(counts(&app).await, before, "a refused call changed the database");
    let contact_after = admin.call("contacts/get", &[("id", &contact)]).await.json();
    assert_eq!((contact_after["nom"].as_str(), contact_after["statut"].as_str()), (Some("Pavière"), Some("client")));
    assert_eq!(contact_after["commercial"], serde_json::json!({"bloque": false, "motif": "", "plafond": null}));

    // 2. Ids of both companies in one call, by the first company's administrator (every
    // right): refused, and neither company's records change.
    let mixed_refused = mixed_ids(&app, &admin, &stranger, &contact, &action, &action_type).await;
    tried += mixed_refused;

    // 3. Enough: the rights the matrix names (none for `Session`) and nothing more.
    let mut failures = Vec::new();
    let mut allowed = 0;
    let holder = |access: Access| match access {
        Public | Session => &tech,
        Right(r) => &only[r],
    };
    for (endpoint, access, args) in MATRIX.iter().chain(FIELDS) {
        if *access == Public {
            continue;
        }
        allowed += 1;
        let r = call(holder(*access), endpoint, args, &ids).await;
        if refused_for_a_right(r.status, &r.body) {
            failures.push(format!("{endpoint} with {:?}: {} {}", access.needs(), r.status, cut(&r.body)));
        }
    }
    for (method, template, access) in ROUTES {
        allowed += 1;
        let path = fill(template, &ids);
        let (status, body) = route(holder(*access), method, &path).await;
        if refused_for_a_right(status, &body) {
            failures.push(format!("{method} {path} with {:?}: {status} {}", access.needs(), cut(&body)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {allowed} calls refused although the caller holds what the matrix names:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "authorization matrix: {tried} refused calls checked ({mixed_refused} mixing both companies' ids), {allowed} allowed with only the rights named; {} server functions, {} field rules, {} routes",
        MATRIX.len(),
        FIELDS.len(),
        ROUTES.len()
    );
    app.finish().await;
}

/// Exporting the «Corbeille» is listing it: «Paramétrer l'application» (the export) and
/// «Corbeille et fusion des doublons» (the «Corbeille»), each refused without the other.
async fn corbeille_export_needs_both_rights(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let r = admin.call("contacts/create", &[("statut", "corbeille"), ("nom", "Jeté"), ("prenom", "Paul")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let path = "/clients/exporter?format=csv&statut=corbeille";
    for (code, email) in [("corbeille_fusion", "sans-corbeille@test.fr"), ("parametres", "sans-parametres@test.fr")] {
        let others: Vec<&str> = CODES.iter().copied().filter(|c| *c != code).collect();
        let user = user_with(&app, &admin, email, &others).await;
        let (status, body) = route(&user, "GET", path).await;
        assert_eq!(status, 403, "every right but «{code}»: {}", cut(&body));
        assert!(body.contains(label(code)), "{body}");
        assert!(!body.contains("Jeté"));
    }
    let both = user_with(&app, &admin, "corbeille@test.fr", &["parametres", "corbeille_fusion"]).await;
    let (status, body) = route(&both, "GET", path).await;
    assert_eq!(status, 200, "{}", cut(&body));
    assert!(body.contains("Jeté"), "{body}");
    app.finish().await;
}

/// What a person of either company would see of the records a mixed call could touch.
async fn views(admin: &Client, stranger: &Client, own: &[(&str, &str, String)], foreign: &[(&str, &str, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (c, list) in [(admin, own), (stranger, foreign)] {
        for (endpoint, key, id) in list {
            let r = c.call(endpoint, &[(key, id.as_str())]).await;
            assert_eq!(r.status, 200, "{endpoint} {id}: {}", r.body);
            out.push(format!("{endpoint} {id}: {}", r.body));
        }
    }
    out
}

/// Calls by the first company's administrator that name one record of theirs and one of
/// the other company: each is refused (404, or 422 for a choice that is not offered), and
/// nothing changes on either side. Returns the number of calls.
async fn mixed_ids(app: &common::TestApp, admin: &Client, stranger: &Client, contact: &str, action: &str, action_type: &str) -> usize {
    // The other company's records.
    let r = stranger
        .call("contacts/create", &[("statut", "client"), ("nom", "Pavière"), ("prenom", "Roberte"), ("code_postal", "42000")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let x2 = stranger.newest_client_id().await.to_string();
    let r = stranger
        .call(
            "documents/create",
            &[("contact_id", &x2), ("kind", "facture"), ("designation[]", "x"), ("unit_price[]", "10"), ("vat[]", "2000")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let f2 = r.body;
    assert_eq!(stranger.call("documents/issue", &[("id", &f2)]).await.status, 200);
    let t2 = stranger.call("actions/save_type", &[("label", "Rappeler")]).await.body;
    let r2 = stranger.call("actions/add_response", &[("type_id", &t2), ("response", "Fait")]).await.body;
    let a2 = stranger.call("actions/create", &[("contact_id", &x2), ("type_id", &t2), ("alert_date", "2026-12-01")]).await.body;
    let q2 = stranger.call("questions/save", &[("label", "Énergie"), ("kind", "texte")]).await.body;
    let s2 = stranger.call("sav/save", &[("contact_id", &x2), ("title", "Fuite chez l'autre")]).await.body;
    let v2 = stranger
        .call("services/save", &[("contact_id", &x2), ("label", "Ramonage"), ("start_date", "2026-01-01"), ("periodicity_months", "12")])
        .await
        .body;
    let u2 = stranger.call("me", &[]).await.json()["user_id"].to_string();
    for (what, id) in [
        ("facture", &f2),
        ("type", &t2),
        ("réponse", &r2),
        ("action", &a2),
        ("question", &q2),
        ("sav", &s2),
        ("service", &v2),
        ("user", &u2),
    ] {
        assert!(id.parse::<i64>().is_ok(), "{what}: {id}");
    }
    let own = [
        ("contacts/get", "id", contact.to_string()),
        ("actions/get", "id", action.to_string()),
        ("actions/of_client", "contact_id", contact.to_string()),
        ("sav/of_client", "contact_id", contact.to_string()),
        ("questions/answers", "contact_id", contact.to_string()),
        ("documents/porte_doc", "contact_id", contact.to_string()),
    ];
    let foreign = [
        ("contacts/get", "id", x2.clone()),
        ("actions/get", "id", a2.clone()),
        ("actions/of_client", "contact_id", x2.clone()),
        ("sav/of_client", "contact_id", x2.clone()),
        ("questions/answers", "contact_id", x2.clone()),
        ("documents/porte_doc", "contact_id", x2.clone()),
        ("documents/get", "id", f2.clone()),
    ];
    let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("duplicates/merge", vec![("survivor", contact.into()), ("other", x2.clone())]),
        ("duplicates/merge", vec![("survivor", x2.clone()), ("other", contact.into())]),
        ("duplicates/merge_page", vec![("survivor", contact.into()), ("other", x2.clone())]),
        ("duplicates/not_duplicate", vec![("a", contact.into()), ("b", x2.clone())]),
        (
            "documents/create",
            vec![
                ("contact_id", x2.clone()),
                ("kind", "facture".into()),
                ("designation[]", "x".into()),
                ("unit_price[]", "1".into()),
                ("vat[]", "2000".into()),
            ],
        ),
        ("reminders/make", vec![("contact_id", x2.clone()), ("level", "R1".into())]),
        ("actions/create", vec![("contact_id", contact.into()), ("type_id", t2.clone()), ("alert_date", "2026-12-01".into())]),
        ("actions/create", vec![("contact_id", x2.clone()), ("type_id", action_type.into()), ("alert_date", "2026-12-01".into())]),
        (
            "actions/create",
            vec![
                ("contact_id", contact.into()),
                ("type_id", action_type.into()),
                ("alert_date", "2026-12-01".into()),
                ("attribuer", "on".into()),
                ("assignee", u2.clone()),
            ],
        ),
        (
            "actions/create",
            vec![
                ("contact_id", contact.into()),
                ("type_id", action_type.into()),
                ("alert_date", "2026-12-01".into()),
                ("partager", "on".into()),
                ("shared[]", u2.clone()),
            ],
        ),
        ("actions/update", vec![("id", action.into()), ("type_id", t2.clone()), ("alert_date", "2026-12-01".into())]),
        ("actions/update", vec![("id", a2.clone()), ("type_id", action_type.into()), ("alert_date", "2026-12-01".into())]),
        ("actions/close", vec![("id", action.into()), ("response_id", r2.clone())]),
        ("actions/add_response", vec![("type_id", t2.clone()), ("response", "Intrus".into())]),
        ("questions/answer", vec![("contact_id", contact.into()), ("question[]", q2.clone()), ("value[]", "Intrus".into())]),
        ("questions/answer", vec![("contact_id", x2.clone()), ("question[]", q2.clone()), ("value[]", "Intrus".into())]),
        ("sav/save", vec![("contact_id", contact.into()), ("id", s2.clone()), ("title", "Intrus".into())]),
        ("sav/save", vec![("contact_id", x2.clone()), ("title", "Intrus".into())]),
        (
            "services/save",
            vec![
                ("contact_id", contact.into()),
                ("id", v2.clone()),
                ("label", "Intrus".into()),
                ("start_date", "2026-01-01".into()),
                ("periodicity_months", "12".into()),
            ],
        ),
        (
            "mail/send_document",
            vec![
                ("id", f2.clone()),
                ("to", "a@b.fr".into()),
                ("subject", "x".into()),
                ("message", "x".into()),
                ("token", "0123456789abcdef0123456789abcdef".into()),
            ],
        ),
    ];
    let before = (counts(app).await, views(admin, stranger, &own, &foreign).await);
    let mut failures = Vec::new();
    for (endpoint, args) in &calls {
        let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = admin.call(endpoint, &form).await;
        if r.status != 404 && r.status != 422 {
            failures.push(format!("{endpoint} {form:?}: {} {}", r.status, cut(&r.body)));
        }
    }
    let (status, location) = admin.upload(&format!("/clients/{x2}/porte-doc/importer"), "x.txt", b"x".to_vec()).await;
    if status != 404 {
        failures.push(format!("porte doc of the other company's contact: {status} {location}"));
    }
    assert!(failures.is_empty(), "calls mixing both companies' ids not refused:\n{}", failures.join("\n"));
    let after = (counts(app).await, views(admin, stranger, &own, &foreign).await);
    assert_eq!(after.0, before.0, "a refused mixed call changed the database");
    for (b, a) in before.1.iter().zip(&after.1) {
        assert_eq!(a, b, "a refused mixed call changed a record");
    }
    calls.len() + 1
}

/// Values a hostile or broken client sends.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "-9223372036854775808",
    "9223372036854775807",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "1,5",
    "12,345",
    "'; DROP TABLE contact; --",
    "\" OR 1=1 --",
    "%",
    "_",
    "*",
    "MATCH",
    "\u{0}",
    "a\u{0}b",
    "\r\nBcc: x@y.fr",
    "\u{202e}gnp.exe",
    "\u{301}",
    "🙂🙂🙂",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "{}",
    "[]",
    "null",
    "true",
    "2026-02-31",
    "1900-01-01",
    "31/02/2026",
    "facture",
    "avoir",
    "corbeille",
    "oui",
    "autre",
    "</textarea><b id=pwn>X</b>",
    "\"><svg onload=alert(1)>",
    "</title><meta http-equiv=refresh content=0>",
    "\u{1b}[2J",
    "a\tb",
    "\u{2066}x\u{2069}",
    "\u{7f}",
    "=cmd|' /C calc'!A0",
];

/// A small deterministic generator (the same run every time).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every table's contents, as text, table by table (ordered, so that two reads of the
/// same data compare equal). Left out: `login_throttle` (a refused login counts there, by
/// design), `_sqlx_migrations`, and a session's `last_seen_at` (touched by any request).
async fn fingerprint(app: &common::TestApp) -> Vec<(String, String)> {
    use ouvrage::db::Db;
    static SQL: std::sync::OnceLock<[std::sync::Mutex<Option<String>>; 2]> = std::sync::OnceLock::new();
    let slot = &SQL.get_or_init(Default::default)[usize::from(app.db.is_postgres())];
    let cached = slot.lock().unwrap().clone();
    let sql = match cached {
        Some(sql) => sql,
        None => {
            let columns: Vec<(String, String)> = match &app.db {
                Db::Sqlite(p, _) => {
                    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetch_all(p).await.unwrap();
                    let mut out = Vec::new();
                    for t in tables {
                        let cols: Vec<(i64, String, String, bool, Option<String>, i64)> = sqlx::query_as(&format!("PRAGMA table_info({t})")).fetch_all(p).await.unwrap();
                        out.extend(cols.into_iter().map(|c| (t.clone(), c.1)));
                    }
                    out
                }
                Db::Pg(p) => sqlx::query_as("SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
                    .fetch_all(p)
                    .await
                    .unwrap(),
            };
            let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for (t, c) in columns {
                let skipped = matches!(t.as_str(), "login_throttle" | "_sqlx_migrations") || (t == "user_session" && c == "last_seen_at");
                if !skipped {
                    tables.entry(t).or_default().push(c);
                }
            }
            let parts: Vec<String> = tables
                .iter()
                .map(|(t, cols)| {
                    let row = if app.db.is_postgres() {
                        cols.iter().map(|c| format!("quote_nullable({c}::text)")).collect::<Vec<_>>().join(" || ',' || ")
                    } else {
                        cols.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || ',' || ")
                    };
                    let agg = if app.db.is_postgres() {
                        "string_agg(r, chr(10) ORDER BY r)".to_string()
                    } else {
                        "group_concat(r, char(10))".to_string()
                    };
                    format!("SELECT '{t}', COALESCE((SELECT {agg} FROM (SELECT {row} AS r FROM {t} ORDER BY 1) x), '')")
                })
                .collect();
            let sql = parts.join(" UNION ALL ");
            *slot.lock().unwrap() = Some(sql.clone());
            sql
        }
    };
    let mut rows: Vec<(String, String)> = match &app.db {
        Db::Sqlite(p, _) => sqlx::query_as(&sql).fetch_all(p).await.unwrap(),
        Db::Pg(p) => sqlx::query_as(&sql).fetch_all(p).await.unwrap(),
    };
    rows.sort();
    assert!(rows.len() > 40, "every table is read ({} tables)", rows.len());
    rows
}

/// Waits until the background work an earlier call started (a duplicate scan, an import)
/// has finished, so that what it writes is not taken for what the next call did.
async fn settle(app: &common::TestApp) {
    let sql = "SELECT (SELECT COUNT(*) FROM duplicate_scan WHERE status = 'running') + (SELECT COUNT(*) FROM import_job WHERE state = 'en_cours')";
    for _ in 0..200 {
        let busy: i64 = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar(sql).fetch_one(c).await).unwrap();
        if busy == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("background work did not finish in 10 s");
}

/// The tables whose contents differ between two fingerprints.
fn changed(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    before.iter().zip(after).filter(|(b, a)| b != a).map(|(b, _)| b.0.clone()).collect()
}

/// Every server function, called by an administrator (all rights) with random hostile
/// values, missing and unknown fields: never a 500, and an error changes nothing.
async fn hostile_input_never_breaks_anything(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let r = admin.call("contacts/create", &[("statut", "client"), ("nom", "Pavière"), ("prenom", "Robert")]).await;
    assert_eq!(r.status, 200);
    let mut rng = Rng(2026);
    let huge = "é".repeat(60_000);
    let (mut calls, mut errors) = (0, 0);
    let mut failures = Vec::new();
    for (endpoint, _, args) in MATRIX {
        if *endpoint == "logout" {
            continue; // no arguments, and it would end the session the others use
        }
        for round in 0..13 {
            let mut form: Vec<(String, String)> = Vec::new();
            for (k, _) in args.iter() {
                // The last round: a NUL byte everywhere (PostgreSQL text refuses it).
                match if round == 12 { 9 } else { rng.below(6) } {
                    9 => form.push((k.to_string(), "a\u{0}b".to_string())),
                    0 => {} // missing
                    1 => form.push((k.to_string(), huge.clone())),
                    _ => form.push((k.to_string(), HOSTILE[rng.below(HOSTILE.len())].to_string())),
                }
            }
            if rng.below(4) == 0 {
                form.push(("inconnu".into(), HOSTILE[rng.below(HOSTILE.len())].into()));
            }
            settle(&app).await;
            let before = fingerprint(&app).await;
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = admin.call(endpoint, &pairs).await;
            calls += 1;
            if r.status >= 500 {
                failures.push(format!(
                    "{endpoint} {:?} → {} {}",
                    pairs.iter().map(|(k, v)| (k, v.chars().take(30).collect::<String>())).collect::<Vec<_>>(),
                    r.status,
                    &r.body[..r.body.len().min(200)]
                ));
            }
            let leaked =
                ["sqlx", "SQLITE_", "syntax error", "panicked", "backtrace", "src/", "postgres"].iter().find(|w| r.body.contains(*w));
            if let Some(w) = leaked {
                failures.push(format!("{endpoint}: the answer shows «{w}»: {}", &r.body[..r.body.len().min(200)]));
            }
            if r.status >= 400 {
                errors += 1;
                let after = fingerprint(&app).await;
                if after != before {
                    failures.push(format!(
                        "{endpoint}: answered {} but changed the database (tables {:?})",
                        r.status,
                        changed(&before, &after)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures in {calls} calls:\n{}", failures.len(), failures.join("\n"));
    eprintln!("fuzzing: {calls} hostile calls, {errors} refused with a message, 0 server errors, 0 half-saved");
    app.finish().await;
}
