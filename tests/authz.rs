//! The authorization matrix: every registered server function and every plain route,
//! called (a) anonymously, (b) by a user of the same company without the right it needs,
//! (c) by the administrator of another company with ids of the first: all refused. A
//! server function without an entry here fails the test.

mod common;

use std::collections::HashMap;

use common::{Backend, Client, spawn};

both_databases!(every_server_function_and_route_is_guarded, hostile_input_never_breaks_anything);

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
    ("users/create", Right("utilisateurs"), &[("name", "Intrus"), ("email", "intrus@test.fr"), ("signature", ""), ("password", "Intrusion-2026!")]),
    ("users/update", Right("utilisateurs"), &[("id", "{user}"), ("name", "Intrus"), ("email", "tech@test.fr"), ("signature", "")]),
    ("contacts/list", Session, &[("statut", "client")]),
    ("contacts/get", Session, &[("id", "{contact}")]),
    ("contacts/create", Session, &[("statut", "client"), ("nom", "Intrus")]),
    ("contacts/update", Session, &[("id", "{contact}"), ("statut", "client"), ("nom", "Intrus")]),
    ("documents/porte_doc", Session, &[("contact_id", "{contact}")]),
    ("documents/get", Session, &[("id", "{facture}")]),
    ("documents/create", Right("gestion_commerciale"), &[("contact_id", "{contact}"), ("kind", "facture"), ("designation[]", "x"), ("unit_price[]", "1"), ("vat[]", "2000")]),
    ("documents/update", Right("gestion_commerciale"), &[("id", "{devis}"), ("kind", "devis"), ("designation[]", "x"), ("unit_price[]", "1"), ("vat[]", "2000")]),
    ("documents/issue", Right("gestion_commerciale"), &[("id", "{devis}")]),
    ("documents/derive", Right("gestion_commerciale"), &[("id", "{facture}"), ("kind", "avoir")]),
    ("documents/cancel", Right("gestion_commerciale"), &[("id", "{devis}")]),
    ("documents/pay", Right("gestion_commerciale"), &[("id", "{facture}"), ("paid_on", "2026-12-01"), ("amount", "1"), ("method", "Chèque")]),
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
    ("mail/document", Session, &[("id", "{facture}")]),
    ("mail/send_document", Right("gestion_commerciale"), &[("id", "{facture}"), ("to", "a@b.fr"), ("subject", "x"), ("message", "x"), ("token", "0123456789abcdef0123456789abcdef")]),
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
    ("reminders/of_client", Session, &[("contact_id", "{contact}")]),
    ("reminders/email", Right("relances"), &[("id", "{letter}")]),
    ("reminders/summary", Right("relances"), &[]),
    ("reminders/settings", Right("parametres"), &[]),
    ("reminders/save_settings", Right("parametres"), &[("r1_days", "7"), ("r2_days", "15"), ("r3_days", "30"), ("med_days", "45"), ("med_deadline_days", "8")]),
    ("reminders/save_template", Right("parametres"), &[("level", "R1"), ("letter", "x"), ("email_subject", "x"), ("email", "x")]),
    ("reminders/save_rate", Right("parametres"), &[("kind", "bce"), ("half", "2026-1"), ("rate", "2,15")]),
    ("documents/dispute", Right("gestion_commerciale"), &[("id", "{facture}"), ("litige", "on")]),
    ("sav/of_client", Session, &[("contact_id", "{contact}")]),
    ("sav/save", Session, &[("contact_id", "{contact}"), ("title", "Fuite")]),
    ("services/save", Session, &[("contact_id", "{contact}"), ("label", "Entretien"), ("start_date", "2026-01-01"), ("periodicity_months", "12")]),
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
    ("home/unpaid", Session, &[("contact_id", "{contact}")]),
    ("questions/list", Right("parametres"), &[]),
    ("questions/save", Right("parametres"), &[("label", "Intrus"), ("kind", "texte")]),
    ("questions/arrange", Right("parametres"), &[("id", "{question}"), ("op", "retire")]),
    ("questions/answers", Session, &[("contact_id", "{contact}")]),
    ("questions/answer", Session, &[("contact_id", "{contact}"), ("question[]", "{question}"), ("value[]", "x")]),
    ("imports/list", Right("parametres"), &[]),
    ("imports/get", Right("parametres"), &[("id", "{import}")]),
    ("imports/progress", Right("parametres"), &[("id", "{import}")]),
    ("imports/configure", Right("parametres"), &[("id", "{import}"), ("statut", "client"), ("choix_defaut", "ignorer"), ("colonne[]", "nom"), ("colonne[]", "ville")]),
    ("imports/act", Right("parametres"), &[("id", "{import}"), ("op", "undo")]),
];

/// Plain routes: (method, path, who may call it).
const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/pieces/{facture}/pdf", Session),
    ("GET", "/fichiers/{file}", Session),
    ("POST", "/clients/{contact}/porte-doc/importer", Session),
    // Import and export of the whole base (another company's administrator works on
    // their own base: no id to guess).
    ("POST", "/clients/importer/fichier", Right("parametres")),
    ("GET", "/clients/exporter?format=csv&statut=client", Right("parametres")),
    ("GET", "/clients/exporter?format=xlsx&statut=client", Right("parametres")),
    ("GET", "/clients/importer/{import}", Right("parametres")),
    // Pages that show one record (rendered on the server from the functions above).
    ("GET", "/clients/{contact}", Session),
    ("GET", "/clients/{contact}/modifier", Session),
    ("GET", "/clients/{contact}/porte-doc", Session),
    ("GET", "/pieces/{facture}", Session),
    ("GET", "/clients/{contact}/actions", Session),
    ("GET", "/actions/{action}", Session),
    ("GET", "/relances/{letter}/pdf", Session),
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

async fn route(c: &Client, method: &str, path: &str) -> u16 {
    if method == "POST" {
        c.upload(path, "x.txt", b"x".to_vec()).await.0
    } else {
        c.get_bytes(path).await.0
    }
}

async fn every_server_function_and_route_is_guarded(b: Backend) {
    // Every registered server function has an entry, and every entry exists.
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.trim_start_matches("/api/").to_string()).collect();
    let missing: Vec<&String> = registered.iter().filter(|p| !MATRIX.iter().any(|(e, _, _)| e == p)).collect();
    assert!(missing.is_empty(), "server functions without an entry in tests/authz.rs MATRIX: {missing:?}");
    for (e, _, _) in MATRIX {
        assert!(registered.iter().any(|p| p == e), "MATRIX names «{e}», which is not registered");
    }

    let app = spawn(b).await;
    let admin = app.admin().await;
    // The first company's records.
    let mut ids: HashMap<&str, String> = HashMap::new();
    let new_contact = async |nom: &str, prenom: &str| {
        let r = admin.call("contacts/create", &[("statut", "client"), ("nom", nom), ("prenom", prenom), ("code_postal", "42000")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        admin.newest_client_id().await.to_string()
    };
    let contact = new_contact("Pavière", "Robert").await;
    let twin = new_contact("Paviere", "Robert").await;
    let (m1, m2) = (new_contact("Fusion", "Un").await, new_contact("Fusion", "Deux").await);
    let merge = admin.call("duplicates/merge", &[("survivor", &m1), ("other", &m2)]).await.json().to_string();
    let doc = async |kind: &str, issue: bool| {
        let r = admin.call("documents/create", &[("contact_id", &contact), ("kind", kind), ("designation[]", "x"), ("unit_price[]", "10"), ("vat[]", "2000")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        if issue {
            assert_eq!(admin.call("documents/issue", &[("id", &r.body)]).await.status, 200);
        }
        r.body
    };
    let facture = doc("facture", true).await;
    let devis = doc("devis", false).await;
    assert_eq!(admin.upload(&format!("/clients/{contact}/porte-doc/importer"), "plan.pdf", b"%PDF".to_vec()).await.0, 303);
    let file = admin.call("documents/porte_doc", &[("contact_id", &contact)]).await.json()["files"][0]["id"].to_string();
    let r = admin.call("users/create", &[("name", "Karim Technicien"), ("email", "tech@test.fr"), ("signature", ""), ("password", "Technicien-2026!")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let user = admin.call("users/list", &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "tech@test.fr").unwrap()["id"].to_string();
    let token = admin.call("mail/document", &[("id", &facture)]).await.json()["token"].as_str().unwrap().to_string();
    let sent = admin.call("mail/send_document", &[("id", &facture), ("to", "client@b.fr"), ("subject", "Facture"), ("message", "x"), ("token", &token)]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let mail = admin.call("mail/document", &[("id", &facture)]).await.json()["mails"][0]["id"].to_string();
    let action_type = admin.call("actions/save_type", &[("label", "A relancer")]).await.body;
    let action_response = admin.call("actions/add_response", &[("type_id", &action_type), ("response", "Rappeler")]).await.body;
    let action = admin.call("actions/create", &[("contact_id", &contact), ("type_id", &action_type), ("alert_date", "2026-12-01")]).await.body;
    assert!(action.parse::<i64>().is_ok(), "{action}");
    // An overdue facture and its reminder letter.
    let r = admin.call("documents/create", &[("contact_id", &contact), ("kind", "facture"), ("doc_date", "2026-01-02"), ("due_date", "2026-01-10"), ("designation[]", "x"), ("unit_price[]", "10"), ("vat[]", "2000")]).await;
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
        ("contact", contact),
        ("twin", twin),
        ("merge", merge),
        ("facture", facture),
        ("devis", devis),
        ("file", file),
        ("user", user),
        ("mail", mail),
        ("action_type", action_type),
        ("action_response", action_response),
        ("action", action),
        ("letter", letter),
        ("question", question),
        ("import", import),
    ]);

    let anonymous = app.client();
    let tech = app.logged_in("tech@test.fr", "Technicien-2026!").await;
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let stranger = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;

    let mut failures = Vec::new();
    let mut tried = 0;
    for (endpoint, access, args) in MATRIX {
        if *access != Public {
            tried += 1;
            let r = call(&anonymous, endpoint, args, &ids).await;
            if r.status != 401 {
                failures.push(format!("(a) anonymous {endpoint}: {} {}", r.status, &r.body[..r.body.len().min(120)]));
            }
        }
        if let Right(right) = access {
            tried += 1;
            let r = call(&tech, endpoint, args, &ids).await;
            if r.status != 403 {
                failures.push(format!("(b) without «{right}» {endpoint}: {} {}", r.status, &r.body[..r.body.len().min(120)]));
            }
        }
        let uses_ids = args.iter().any(|(k, v)| v.starts_with('{') && *k != "exclude");
        if uses_ids {
            tried += 1;
            let r = call(&stranger, endpoint, args, &ids).await;
            if r.status != 404 {
                failures.push(format!("(c) other company {endpoint}: {} {}", r.status, &r.body[..r.body.len().min(120)]));
            }
        }
    }
    for (method, template, access) in ROUTES {
        let path = fill(template, &ids);
        tried += 2;
        let a = route(&anonymous, method, &path).await;
        if a != 401 {
            failures.push(format!("(a) anonymous {method} {path}: {a}"));
        }
        if let Right(right) = access {
            tried += 1;
            let t = route(&tech, method, &path).await;
            if t != 403 {
                failures.push(format!("(b) without «{right}» {method} {path}: {t}"));
            }
        }
        if template.contains('{') {
            let c = route(&stranger, method, &path).await;
            if c != 404 {
                failures.push(format!("(c) other company {method} {path}: {c}"));
            }
        } else {
            tried -= 1;
        }
    }
    // Path traversal and junk ids on the download routes: refused, never a file, never a 500.
    for path in ["/fichiers/..%2F..%2Fetc%2Fpasswd", "/fichiers/-1", "/fichiers/99999999999999999999", "/pieces/abc/pdf", "/fichiers/1%00.html"] {
        tried += 1;
        let (status, _, body) = admin.get_bytes(path).await;
        if !(400..500).contains(&status) || String::from_utf8_lossy(&body).contains("root:") {
            failures.push(format!("{path}: {status}"));
        }
    }
    assert!(failures.is_empty(), "{} of {tried} calls not refused:\n{}", failures.len(), failures.join("\n"));
    // Nothing of the first company changed hands.
    assert_eq!(app.count("contact_merge").await, 1);
    eprintln!("authorization matrix: {tried} refused calls checked, {} server functions, {} routes", MATRIX.len(), ROUTES.len());
    app.finish().await;
}

/// Values a hostile or broken client sends.
const HOSTILE: &[&str] = &[
    "", " ", "0", "-1", "-9223372036854775808", "9223372036854775807", "99999999999999999999999", "1e309", "NaN", "1,5", "12,345",
    "'; DROP TABLE contact; --", "\" OR 1=1 --", "%", "_", "*", "MATCH", "\u{0}", "a\u{0}b", "\r\nBcc: x@y.fr", "\u{202e}gnp.exe", "\u{301}",
    "🙂🙂🙂", "<script>alert(1)</script>", "../../etc/passwd", "{}", "[]", "null", "true", "2026-02-31", "1900-01-01", "31/02/2026",
    "facture", "avoir", "corbeille", "oui", "autre",
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

async fn fingerprint(app: &common::TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in ["contact", "contact_phone", "document", "document_line", "payment", "stored_file", "contact_merge", "contact_alias", "not_duplicate", "app_user", "user_right", "search_doc"] {
        out.push(app.count(t).await);
    }
    out
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
            let before = fingerprint(&app).await;
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = admin.call(endpoint, &pairs).await;
            calls += 1;
            if r.status >= 500 {
                failures.push(format!("{endpoint} {:?} → {} {}", pairs.iter().map(|(k, v)| (k, v.chars().take(30).collect::<String>())).collect::<Vec<_>>(), r.status, &r.body[..r.body.len().min(200)]));
            }
            let leaked = ["sqlx", "SQLITE_", "syntax error", "panicked", "backtrace", "src/", "postgres"].iter().find(|w| r.body.contains(*w));
            if let Some(w) = leaked {
                failures.push(format!("{endpoint}: the answer shows «{w}»: {}", &r.body[..r.body.len().min(200)]));
            }
            if r.status >= 400 {
                errors += 1;
                let after = fingerprint(&app).await;
                if after != before {
                    failures.push(format!("{endpoint}: answered {} but changed the database ({before:?} → {after:?})", r.status));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures in {calls} calls:\n{}", failures.len(), failures.join("\n"));
    eprintln!("fuzzing: {calls} hostile calls, {errors} refused with a message, 0 server errors, 0 half-saved");
    app.finish().await;
}
