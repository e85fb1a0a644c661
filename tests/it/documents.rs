//! Commercial documents over HTTP, on SQLite and PostgreSQL: drafts, issue and numbering,
//! payments and encours, avoirs, the gate (blocked, over the limit, trashed), the PDF,
//! «Porte doc» files, bad input.

use crate::common;

use crate::common::{Backend, Client, spawn};

both_databases!(
    facture_lifecycle_numbers_payments_and_pdf,
    numbering_is_gap_free_under_concurrency,
    gate_refuses_blocked_over_limit_and_trashed,
    porte_doc_files,
    bad_documents_save_nothing,
    storage_quota_per_company,
    upload_form_is_bounded
);

async fn new_client(c: &Client, nom: &str, societe: &str) -> i64 {
    let r = c
        .call(
            "contacts/create",
            &[
                ("statut", "client"),
                ("nom", nom),
                ("prenom", "Robert"),
                ("societe", societe),
                ("type_client", if societe.is_empty() { "particulier" } else { "professionnel" }),
                ("ville", "Saint-Étienne"),
                ("code_postal", "42000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let hits = c.call("search", &[("q", nom)]).await.json();
    hits[0]["id"].as_i64().expect("the new contact is found")
}

/// A draft facture (or devis) of one line; returns its id.
async fn draft(c: &Client, contact: i64, kind: &str, qty: &str, price: &str, vat: &str) -> i64 {
    let contact = contact.to_string();
    let r = c
        .call(
            "documents/create",
            &[
                ("contact_id", &contact),
                ("kind", kind),
                ("doc_date", "2026-11-29"),
                ("designation[]", "Remplacement chaudière"),
                ("quantity[]", qty),
                ("unit_price[]", price),
                ("vat[]", vat),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_i64().unwrap()
}

async fn doc(c: &Client, id: i64) -> serde_json::Value {
    let r = c.call("documents/get", &[("id", &id.to_string())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

async fn porte_doc(c: &Client, contact: i64) -> serde_json::Value {
    c.call("documents/porte_doc", &[("contact_id", &contact.to_string())]).await.json()
}

async fn facture_lifecycle_numbers_payments_and_pdf(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let pro = new_client(&admin, "Pavière", "Chauffage Pavière SARL").await;
    // 2 × 1 234,56 € HT at 5,5 %: HT 2 469,12 €, TVA 135,80 € (135,8016), TTC 2 604,92 €.
    let f = draft(&admin, pro, "facture", "2", "1234,56", "550").await;
    let d = doc(&admin, f).await;
    assert_eq!(d["status"], "Brouillon");
    assert!(d["number"].is_null(), "no number before issue");
    assert_eq!(d["totals"]["ht"], 246_912);
    assert_eq!(d["totals"]["tva"], 13_580);
    assert_eq!(d["totals"]["ttc"], 260_492);
    assert_eq!(d["due_date"], "2026-12-29", "30 days by default");
    // A draft counts for nothing.
    assert_eq!(porte_doc(&admin, pro).await["encours"], 0);

    // 5,5 % for a professional: refused until the person confirms the work is on dwellings.
    let r = admin.call("documents/issue", &[("id", &f.to_string())]).await;
    assert_eq!(r.invalid().0, "taux_reduit");
    let r = admin.call("documents/issue", &[("id", &f.to_string()), ("taux_reduit_confirme", "on")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), "F-2026-00001");
    assert_eq!(porte_doc(&admin, pro).await["encours"], 260_492);
    // Its number finds the client in «Rechercher», whole or begun, in any spacing.
    for q in ["F-2026-00001", "f 2026 00001", "F-2026-0"] {
        let hits = admin.call("search", &[("q", q)]).await.json();
        assert_eq!(hits[0]["id"], pro, "«{q}»: {hits}");
    }
    // …and stays after an edit of the contact.
    let edit = [
        ("id", pro.to_string()),
        ("statut", "client".into()),
        ("nom", "Pavière".into()),
        ("prenom", "Roberto".into()),
        ("societe", "Chauffage Pavière SARL".into()),
        ("type_client", "professionnel".into()),
    ];
    let edit: Vec<(&str, &str)> = edit.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.call("contacts/update", &edit).await.status, 200);
    assert_eq!(admin.call("search", &[("q", "F-2026-00001")]).await.json()[0]["id"], pro);
    // Issued: not editable, not issued twice.
    let again = admin.call("documents/issue", &[("id", &f.to_string())]).await;
    assert_eq!(again.status, 422);

    // Partial then full payment.
    let pay = |amount: &'static str| {
        let admin = &admin;
        async move {
            admin
                .call("documents/pay", &[("id", &f.to_string()), ("paid_on", "2026-12-01"), ("amount", amount), ("method", "Chèque")])
                .await
        }
    };
    assert_eq!(pay("1000").await.status, 200);
    let d = doc(&admin, f).await;
    assert_eq!(d["status"], "Partielle");
    assert_eq!(porte_doc(&admin, pro).await["encours"], 160_492);
    let over = pay("1604,93").await;
    assert_eq!(over.status, 422, "more than the remaining amount");
    assert!(over.invalid().1.contains("1\u{202f}604,92"), "{}", over.body);
    assert_eq!(pay("1604,92").await.status, 200);
    assert_eq!(doc(&admin, f).await["status"], "Payee");
    assert_eq!(porte_doc(&admin, pro).await["encours"], 0);

    // A devis converts to a facture; an avoir references its facture and reduces it.
    let dv = draft(&admin, pro, "devis", "1", "100", "2000").await;
    assert_eq!(admin.call("documents/issue", &[("id", &dv.to_string())]).await.json(), "D-2026-00001");
    let conv = admin.call("documents/derive", &[("id", &dv.to_string()), ("kind", "facture")]).await;
    assert_eq!(conv.status, 200, "{}", conv.body);
    let f2 = conv.json().as_i64().unwrap();
    let d2 = doc(&admin, f2).await;
    assert_eq!(d2["source_id"], dv);
    assert_eq!(d2["totals"]["ttc"], 12_000);
    assert_eq!(admin.call("documents/issue", &[("id", &f2.to_string())]).await.json(), "F-2026-00002");
    let av = admin.call("documents/derive", &[("id", &f2.to_string()), ("kind", "avoir")]).await.json().as_i64().unwrap();
    assert_eq!(admin.call("documents/issue", &[("id", &av.to_string())]).await.json(), "A-2026-00001");
    assert_eq!(doc(&admin, av).await["source_number"], "F-2026-00002");
    assert_eq!(doc(&admin, f2).await["status"], "Annulee", "fully credited");
    assert_eq!(porte_doc(&admin, pro).await["encours"], 0);

    // The PDF, as kept at issue time: header, client, lines, VAT, totals, legal mentions.
    let (status, headers, bytes) = admin.get_bytes(&format!("/pieces/{f}/pdf")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    if let Some(text) = common::pdf_text(&bytes) {
        for needle in [
            "FACTURE N° F-2026-00001",
            "Chauffage Pavière SARL",
            "Remplacement chaudière",
            "5,5 %",
            "2 604,92",
            "Date d'échéance : 29/12/2026",
            "40 €",
            "Pénalités de retard",
        ] {
            assert!(text.replace(['\u{202f}', '\u{a0}'], " ").contains(needle), "«{needle}» missing from the PDF:\n{text}");
        }
    }
    // Another company never gets it.
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    assert_eq!(other.get_bytes(&format!("/pieces/{f}/pdf")).await.0, 404);
    assert_eq!(other.call("documents/get", &[("id", &f.to_string())]).await.status, 404);
    assert_eq!(
        other
            .call("documents/pay", &[("id", &f.to_string()), ("paid_on", "2026-12-01"), ("amount", "1"), ("method", "Chèque")])
            .await
            .status,
        404
    );
    assert_eq!(app.client().get_bytes(&format!("/pieces/{f}/pdf")).await.0, 401);
    app.finish().await;
}

async fn numbering_is_gap_free_under_concurrency(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let contact = new_client(&admin, "Numérotation", "").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(draft(&admin, contact, "facture", "1", "10", "2000").await);
    }
    // 20 issues at once, each from its own session.
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(app.admin().await);
    }
    let tasks = ids.iter().zip(clients).map(|(id, c)| {
        let id = id.to_string();
        async move { c.call("documents/issue", &[("id", &id)]).await }
    });
    let answers = futures::future::join_all(tasks).await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 200, "{}", a.body);
            a.json().as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("F-2026-{n:05}")).collect();
    assert_eq!(numbers, expected, "no gap, no duplicate");
    app.finish().await;
}

async fn gate_refuses_blocked_over_limit_and_trashed(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let c = new_client(&admin, "Bloqué", "").await;
    let ids = c.to_string();
    let issued = draft(&admin, c, "facture", "1", "100", "2000").await;
    assert_eq!(admin.call("documents/issue", &[("id", &issued.to_string())]).await.status, 200);
    let pending = draft(&admin, c, "facture", "1", "50", "2000").await;
    // Block it with a reason: recorded in the history.
    let base = [("id", ids.as_str()), ("statut", "client"), ("nom", "Bloqué"), ("prenom", "Robert")];
    let mut f = base.to_vec();
    f.extend([("bloque", "oui"), ("bloque_motif", "Litige sur le chantier de Firminy")]);
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    let contact = admin.call("contacts/get", &[("id", &ids)]).await.json();
    assert_eq!(contact["commercial"]["bloque"], true);
    assert!(contact["history"].as_array().unwrap().iter().any(|h| h["to"].as_str().unwrap().contains("Litige")), "{contact}");
    // A reason is required.
    let mut no_reason = base.to_vec();
    no_reason.push(("bloque", "oui"));
    assert_eq!(admin.call("contacts/update", &no_reason).await.invalid().0, "bloque_motif");

    let refused = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &ids),
                ("kind", "devis"),
                ("doc_date", "2026-11-29"),
                ("designation[]", "x"),
                ("unit_price[]", "1"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let msg = refused.invalid().1;
    assert!(msg.contains("bloquée") && msg.contains("Litige sur le chantier de Firminy"), "{msg}");
    let refused = admin.call("documents/issue", &[("id", &pending.to_string())]).await;
    assert!(refused.invalid().1.contains("Litige"), "issuing is refused too");
    // Payments stay possible.
    let paid = admin
        .call("documents/pay", &[("id", &issued.to_string()), ("paid_on", "2026-12-02"), ("amount", "20"), ("method", "Virement")])
        .await;
    assert_eq!(paid.status, 200, "{}", paid.body);

    // Unblock; a «Plafond d'encours» of 150 € with 100 € owed: a 60 € facture is refused.
    let mut f = base.to_vec();
    f.extend([("bloque", "non"), ("plafond_encours", "150")]);
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    let big = draft(&admin, c, "facture", "1", "50", "2000").await; // 60 € TTC
    let r = admin.call("documents/issue", &[("id", &big.to_string())]).await;
    let msg = r.invalid().1.replace(['\u{202f}', '\u{a0}'], " ");
    assert!(msg.contains("encours 100,00 €") && msg.contains("plafond 150,00 €") && msg.contains("10,00 €"), "{msg}");
    // Once 20 € more is paid (encours 80 €), the 60 € facture fits under the limit.
    let paid = admin
        .call("documents/pay", &[("id", &issued.to_string()), ("paid_on", "2026-12-03"), ("amount", "20"), ("method", "Virement")])
        .await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(admin.call("documents/issue", &[("id", &pending.to_string())]).await.status, 200);

    // In the «Corbeille»: no new document, its documents stay readable, its numbers leave
    // the search engine.
    let trash = [("id", ids.as_str()), ("statut", "corbeille"), ("nom", "Bloqué"), ("prenom", "Robert")];
    assert_eq!(admin.call("contacts/update", &trash).await.status, 200);
    let p = porte_doc(&admin, c).await;
    assert_eq!(p["trashed"], true);
    assert_eq!(p["documents"].as_array().unwrap().len(), 3);
    assert_eq!(admin.call("documents/get", &[("id", &issued.to_string())]).await.status, 200);
    assert_eq!(admin.get_bytes(&format!("/pieces/{issued}/pdf")).await.0, 200);
    assert!(admin.call("search", &[("q", "F-2026-00001")]).await.json().as_array().unwrap().is_empty());
    assert!(admin.call("documents/issue", &[("id", &big.to_string())]).await.invalid().1.contains("Corbeille"));
    app.finish().await;
}

async fn porte_doc_files(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let c = new_client(&admin, "Fichiers", "").await;
    let path = format!("/clients/{c}/porte-doc/importer");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (status, location) = admin.upload(&path, "Plan cuisine.pdf", bytes.clone()).await;
    assert_eq!(status, 303);
    assert!(location.ends_with("?fait=importe"), "{location}");
    let files = porte_doc(&admin, c).await["files"].clone();
    assert_eq!(files[0]["name"], "Plan cuisine.pdf");
    let id = files[0]["id"].as_i64().unwrap();
    let (status, headers, back) = admin.get_bytes(&format!("/fichiers/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(back, bytes, "byte-identical");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    // Refused: a path in the name, over the limit; nothing saved.
    let (_, location) = admin.upload(&path, "../../etc/passwd", b"root".to_vec()).await;
    assert!(location.contains("erreur="), "{location}");
    let (status, location) = admin.upload(&path, "gros.bin", vec![0u8; 10 * 1024 * 1024 + 1]).await;
    assert!(status == 303 && location.contains("erreur=") || status == 413, "{status} {location}");
    assert_eq!(app.count("stored_file").await, 1);
    // Only this company's users get it.
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    assert_eq!(other.get_bytes(&format!("/fichiers/{id}")).await.0, 404);
    assert_eq!(other.upload(&path, "x.txt", b"x".to_vec()).await.0, 404);
    assert_eq!(app.count("stored_file").await, 1, "another company cannot attach a file to our contact");
    assert_eq!(app.client().get_bytes(&format!("/fichiers/{id}")).await.0, 401);
    app.finish().await;
}

async fn bad_documents_save_nothing(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let c = new_client(&admin, "Erreurs", "").await;
    let ids = c.to_string();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("quantity[]", "-1"), ("unit_price[]", "10"), ("vat[]", "2000")], "négative"),
        (vec![("quantity[]", "1"), ("unit_price[]", "10,999"), ("vat[]", "2000")], "prix unitaire"),
        (vec![("quantity[]", "1"), ("unit_price[]", "10"), ("vat[]", "1960")], "TVA"),
        (vec![("quantity[]", "1"), ("unit_price[]", "10"), ("vat[]", "2000"), ("due_date", "2026-11-01")], "précéder"),
        (vec![("quantity[]", "1"), ("unit_price[]", "10"), ("vat[]", "2000"), ("due_date", "2027-03-01")], "60 jours"),
    ];
    for (extra, expected) in cases {
        let mut form = vec![("contact_id", ids.as_str()), ("kind", "facture"), ("doc_date", "2026-11-29"), ("designation[]", "Pose")];
        form.extend(extra);
        let r = admin.call("documents/create", &form).await;
        assert_eq!(r.status, 422, "{expected}: {}", r.body);
        assert!(r.invalid().1.contains(expected), "{expected}: {}", r.body);
    }
    let empty = admin.call("documents/create", &[("contact_id", &ids), ("kind", "facture"), ("doc_date", "2026-11-29")]).await;
    assert_eq!(empty.invalid().1, "Ajoutez au moins une ligne.");
    // Trashed contacts get no new document.
    let f = [("id", ids.as_str()), ("statut", "corbeille"), ("nom", "Erreurs"), ("prenom", "Robert")];
    assert_eq!(admin.call("contacts/update", &f).await.status, 200);
    let r = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &ids),
                ("kind", "facture"),
                ("doc_date", "2026-11-29"),
                ("designation[]", "Pose"),
                ("unit_price[]", "10"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert!(r.invalid().1.contains("Corbeille"), "{}", r.body);
    assert_eq!(app.count("document").await, 0);
    assert_eq!(app.count("document_line").await, 0);
    app.finish().await;
}

/// The French message a refused «Importer» redirects with (`?erreur=…`).
fn upload_error(location: &str) -> Option<String> {
    let (_, encoded) = location.split_once("erreur=")?;
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8(out).unwrap())
}

/// Every company has its own storage space for «Porte doc» files (the sum of their
/// sizes): a file that would overflow it is refused with a French message, nothing kept;
/// a smaller one still fits; another company's space is its own.
async fn storage_quota_per_company(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let c = new_client(&admin, "Quota", "").await;
    let quota = ouvrage::documents::model::STORAGE_QUOTA_BYTES;
    assert_eq!(quota, 2 * 1024 * 1024 * 1024, "2 Go by default");
    // The files kept so far fill the space but for 150 Ko (written as the store writes a
    // file; only its recorded size counts).
    let sql = "INSERT INTO stored_file (company_id, contact_id, name, mime, size, data, created_by, created_at) VALUES ($1, $2, 'archives.zip', 'application/zip', $3, $4, NULL, 0)";
    ouvrage::on_pool!(&app.db, conn => sqlx::query(sql).bind(app.company_id).bind(c).bind(quota - 150 * 1024).bind(vec![0u8; 16]).execute(conn).await.map(|_| ())).unwrap();
    let path = format!("/clients/{c}/porte-doc/importer");

    let (status, location) = admin.upload(&path, "Devis signé.pdf", vec![7u8; 200 * 1024]).await;
    assert_eq!(status, 303, "{location}");
    let message = upload_error(&location).unwrap_or_else(|| panic!("refused with a message: {location}"));
    assert!(message.starts_with("Espace de stockage de l'entreprise plein"), "{message}");
    assert_eq!(app.count("stored_file").await, 1, "nothing kept");
    // The page shows the message where «Importer» is.
    let page = admin.get(&location).await;
    assert!(
        page.body.contains("Espace de stockage de l&#39;entreprise plein")
            || page.body.contains("Espace de stockage de l'entreprise plein")
    );

    let (status, location) = admin.upload(&path, "Photo.jpg", vec![7u8; 100 * 1024]).await;
    assert_eq!((status, location.ends_with("?fait=importe")), (303, true), "{location}");
    assert_eq!(app.count("stored_file").await, 2);
    // 50 Ko left: 100 Ko more is refused again.
    let (_, location) = admin.upload(&path, "Photo 2.jpg", vec![7u8; 100 * 1024]).await;
    assert!(upload_error(&location).is_some_and(|m| m.contains("plein")), "{location}");
    assert_eq!(app.count("stored_file").await, 2);

    // Another company's space is its own.
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    let k = new_client(&other, "Ailleurs", "").await;
    let (status, location) = other.upload(&format!("/clients/{k}/porte-doc/importer"), "Plan.pdf", vec![7u8; 200 * 1024]).await;
    assert_eq!((status, location.ends_with("?fait=importe")), (303, true), "{location}");
    assert_eq!(app.count("stored_file").await, 3);
    app.finish().await;
}

/// «Importer» reads one file: a form with many parts, a large field beside the file, an
/// endless field name or file name is refused with a French message before anything is
/// kept; a plain form with a small extra field still goes through.
async fn upload_form_is_bounded(b: Backend) {
    use reqwest::multipart::{Form, Part};
    let app = spawn(b).await;
    let admin = app.admin().await;
    let c = new_client(&admin, "Formulaire", "").await;
    let url = format!("{}/clients/{c}/porte-doc/importer", admin.base);
    let file = || Part::bytes(b"%PDF-1.4 plan".to_vec()).file_name("plan.pdf").mime_str("application/pdf").unwrap();
    let post = async |form: Form| {
        let r = admin.http.post(&url).multipart(form).send().await.unwrap();
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (r.status().as_u16(), location)
    };
    let mut many = Form::new();
    for i in 0..40 {
        many = many.text(format!("champ{i}"), "x");
    }
    let cases: Vec<(&str, Form)> = vec![
        ("40 parts before the file", many.part("fichier", file())),
        ("a 64 Ko field beside the file", Form::new().text("note", "x".repeat(64 * 1024)).part("fichier", file())),
        ("a 4 Ko field name", Form::new().text("n".repeat(4096), "x").part("fichier", file())),
        ("a 4 Ko file name", Form::new().part("fichier", Part::bytes(b"x".to_vec()).file_name("a".repeat(4096)))),
    ];
    for (what, form) in cases {
        let (status, location) = post(form).await;
        assert_eq!(status, 303, "{what}: {location}");
        let message = upload_error(&location).unwrap_or_else(|| panic!("{what}: accepted ({location})"));
        assert!(!message.is_empty() && !message.contains("sqlx"), "{what}: {message}");
        assert_eq!(app.count("stored_file").await, 0, "{what}: nothing kept");
    }
    let (status, location) = post(Form::new().text("commentaire", "plan du rez-de-chaussée").part("fichier", file())).await;
    assert_eq!((status, location.ends_with("?fait=importe")), (303, true), "{location}");
    assert_eq!(app.count("stored_file").await, 1);
    app.finish().await;
}
