//! Company identity and legally complete documents (issue 28; docs/legal.md, docs/company.md):
//! «Entreprise» checks what it keeps and writes each change in the «Journal»; a real company
//! cannot issue with an incomplete identity; each document type × client type carries its
//! mentions in the PDF text; the invoice states the penalty rate the reminders charge.

use crate::common;

use crate::common::{Backend, Client, TestApp, post_identity, spawn, spawn_demo};

both_databases!(
    entreprise_checks_and_journals,
    incomplete_identity_cannot_issue,
    mentions_by_document_and_client,
    one_penalty_rate,
    clients_type_and_identifiers,
    the_demo_says_it_is_the_demo
);

async fn new_client(c: &Client, nom: &str, pro: bool, extra: &[(&str, &str)]) -> String {
    let mut form = vec![
        ("statut", "client"),
        ("nom", nom),
        ("prenom", "Paul"),
        ("societe", if pro { "Bâtisseurs Réunis SAS" } else { "" }),
        ("type_client", if pro { "professionnel" } else { "particulier" }),
        ("adresse", "5 place Bellecour"),
        ("code_postal", "69002"),
        ("ville", "Lyon"),
    ];
    form.extend_from_slice(extra);
    let r = c.call("contacts/create", &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.newest_client_id().await.to_string()
}

/// A draft of one line; returns its id.
async fn draft(c: &Client, contact: &str, kind: &str, due: &str, vat: &str) -> String {
    let r = c
        .call(
            "documents/create",
            &[
                ("contact_id", contact),
                ("kind", kind),
                ("doc_date", "2026-01-05"),
                ("due_date", due),
                ("designation[]", "Remplacement chaudière"),
                ("quantity[]", "1"),
                ("unit_price[]", "1000"),
                ("vat[]", vat),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn issue(c: &Client, id: &str) -> String {
    let r = c.call("documents/issue", &[("id", id), ("taux_reduit_confirme", "on")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_str().unwrap().to_string()
}

/// The PDF's text, its lines joined and its spaces made plain (long mentions wrap).
async fn pdf(c: &Client, path: &str) -> Option<String> {
    let (status, _, bytes) = c.get_bytes(path).await;
    assert_eq!(status, 200, "{path}");
    common::pdf_text(&bytes).map(|t| t.replace(['\u{202f}', '\u{a0}'], " ").split_whitespace().collect::<Vec<_>>().join(" "))
}

fn has(text: &str, needles: &[&str]) {
    for n in needles {
        let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&n), "«{n}» missing from the PDF:\n{text}");
    }
}

fn lacks(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "«{n}» must not be in this PDF:\n{text}");
    }
}

async fn journal(app: &TestApp) -> Vec<String> {
    ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT detail FROM audit WHERE entity = 'company' ORDER BY id").fetch_all(c).await)
        .unwrap()
}

async fn entreprise_checks_and_journals(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let before = admin.call("company/identity", &[]).await.json();
    assert_eq!(before["siren"], "443061841");
    // Bad input: a French message beside the field, nothing saved.
    for (field, value, says) in [
        ("siren", "443 061 842", "clé"),
        ("tva_intra", "FR65443061841", "clé attendue est 64"),
        ("tva_intra", "FR96552100554", "pas du SIREN 443 061 841"),
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "IBAN"),
        ("bic", "BNP", "BIC"),
        ("siret", "552 100 554 00013", "SIRET"),
    ] {
        let r = post_identity(&admin, &[(field, value), ("raison_sociale", "Autre nom")]).await;
        let (f, message) = r.invalid();
        assert_eq!(f, field, "{value}: {message}");
        assert!(message.contains(says), "{value}: {message}");
    }
    assert_eq!(admin.call("company/identity", &[]).await.json(), before, "nothing half-saved");
    // A change is journaled, field by field.
    let n = journal(&app).await.len();
    let r = post_identity(&admin, &[("telephone", "04 78 11 22 33"), ("tva_debits", "on")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let lines = journal(&app).await;
    assert_eq!(lines.len(), n + 2, "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("Téléphone") && l.contains("04 78 11 22 33")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("TVA sur les débits")), "{lines:?}");
    // Only with «Paramétrer l'application»; the page carries the labels.
    let page = admin.get("/parametres/entreprise").await;
    for label in [
        "Raison sociale",
        "Forme juridique",
        "Capital social",
        "SIREN",
        "SIRET",
        "N° TVA intracommunautaire",
        "Franchise en base de TVA",
        "TVA sur les débits",
        "Adresse du siège",
        "IBAN",
        "BIC",
        "Assureur",
        "N° de contrat",
        "Adresse de l&#39;assureur",
        "Couverture géographique",
        "Médiateur de la consommation",
        "Taux des pénalités de retard",
        "Logo",
    ] {
        assert!(page.body.contains(label) || page.body.contains(&label.replace("&#39;", "'")), "«{label}» missing");
    }
    // A logo: an SVG with a script and an oversized file are refused, a PNG is drawn.
    let svg = admin.upload("/parametres/entreprise/logo", "logo.svg", b"<svg onload=\"alert(1)\"/>".to_vec()).await;
    assert!(svg.1.contains("erreur="), "{svg:?}");
    let big = admin.upload("/parametres/entreprise/logo", "logo.png", [b"\x89PNG\r\n\x1a\n".to_vec(), vec![0; 10 << 20]].concat()).await;
    assert!(big.1.contains("erreur=") || big.0 == 413, "a 10 MB logo is refused: {big:?}");
    // A PNG whose header is right and whose pixels are not: refused when sent.
    let broken = [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91\x68\x36".to_vec(),
        b"\x00\x00\x00\x05IDATxxxxx\x00\x00\x00\x00".to_vec(),
        b"\x00\x00\x00\x00IEND\xaeB`\x82".to_vec(),
    ]
    .concat();
    let r = admin.upload("/parametres/entreprise/logo", "logo.png", broken).await;
    assert!(r.1.contains("erreur="), "{r:?}");
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    let ok = admin.upload("/parametres/entreprise/logo", "logo.png", png).await;
    assert!(!ok.1.contains("erreur="), "{ok:?}");
    assert_eq!(admin.call("company/identity", &[]).await.json()["has_logo"], true);
    let part = new_client(&admin, "Logo", false, &[]).await;
    let f = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    issue(&admin, &f).await;
    let (_, _, bytes) = admin.get_bytes(&format!("/pieces/{f}/pdf")).await;
    assert!(bytes.windows(13).any(|w| w == b"/Subtype /Ima" || w == b"/Subtype/Imag"), "the logo is drawn as an image");
    app.finish().await;
}

async fn incomplete_identity_cannot_issue(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let r = post_identity(&admin, &[("siren", ""), ("siret", ""), ("tva_intra", ""), ("decennale_assureur", "")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let part = new_client(&admin, "Martin", false, &[]).await;
    let f = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    let r = admin.call("documents/issue", &[("id", &f)]).await;
    let (field, message) = r.invalid();
    assert_eq!(field, "entreprise");
    for missing in ["SIREN", "SIRET", "N° TVA intracommunautaire", "Assureur", "Paramètres › Entreprise"] {
        assert!(message.contains(missing), "{message}");
    }
    let d = admin.call("documents/get", &[("id", &f)]).await.json();
    assert!(d["number"].is_null(), "no number taken");
    post_identity(&admin, &[]).await;
    assert!(issue(&admin, &f).await.starts_with("F-2026-"));
    // A reminder letter carries the identity too: refused while it is incomplete.
    post_identity(&admin, &[("siren", ""), ("siret", ""), ("tva_intra", "")]).await;
    let r = admin.call("reminders/make", &[("contact_id", &part), ("level", "R1"), ("channel", "courrier")]).await;
    assert_eq!(r.invalid().0, "entreprise", "{}", r.body);
    // 0 % without franchise nor autoliquidation states no reason: refused.
    post_identity(&admin, &[]).await;
    let z = draft(&admin, &part, "facture", "2026-02-04", "0").await;
    assert!(admin.call("documents/issue", &[("id", &z)]).await.invalid().1.contains("0 %"));
    // A company started for real has nothing invented.
    let fresh = ouvrage::server::seed::company(&app.db, Some("Nouvelle entreprise")).await.unwrap();
    let mut tx = app.db.read().await.unwrap();
    let i = ouvrage::company::store::identity(&mut tx, &fresh).await.unwrap();
    assert_eq!((i.siret.as_str(), i.email.as_str(), i.adresse.as_str(), i.is_demo), ("", "", "", false));
    app.finish().await;
}

async fn mentions_by_document_and_client(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    post_identity(&admin, &[("tva_debits", "on"), ("penalites_taux", "12")]).await;
    let seller = [
        "Dupont Chauffage",
        "SARL au capital de 10 000,00 €",
        "Siège social : 3 rue du Port, 69002 Lyon",
        "SIREN 443 061 841",
        "SIRET 443 061 841 00047",
        "RCS Lyon 443 061 841",
        "N° TVA intracommunautaire : FR64443061841",
    ];
    let decennale = "Assurance décennale obligatoire : Mutuelle du Bâtiment, 8 avenue des Assureurs, 69003 Lyon – contrat n° DEC-2026-4411 – couverture géographique : France métropolitaine";
    let mediateur = "le client consommateur peut recourir gratuitement au médiateur Médiateur du Bâtiment, www.mediateur-batiment.fr";
    let penalties = "Pénalités de retard : 12,00 % l'an";
    let indemnity = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €";
    let certification = "certifie, en qualité de preneur de la prestation, que les travaux réalisés concernent des locaux à usage d'habitation achevés depuis plus de deux ans";

    // A private client: a devis at 10 % (certification), then a facture and its avoir.
    let part = new_client(&admin, "Particulier", false, &[]).await;
    let dv = draft(&admin, &part, "devis", "2026-02-04", "1000").await;
    let n = issue(&admin, &dv).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{dv}/pdf")).await {
        has(&t, &seller);
        has(
            &t,
            &[
                &format!("DEVIS N° {n}"),
                "Date d'émission : 05/01/2026",
                "Devis valable jusqu'au 04/02/2026",
                "Devis gratuit",
                "Bon pour accord",
                "Signature du client",
                decennale,
                mediateur,
                certification,
            ],
        );
        lacks(&t, &[indemnity, "SIREN du client"]);
    }
    // Lines at 10 % and at 5,5 %: one certification each, only the 5,5 % one for energy work.
    let mixed = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &part),
                ("kind", "devis"),
                ("designation[]", "Remplacement de radiateurs"),
                ("unit_price[]", "800"),
                ("vat[]", "1000"),
                ("designation[]", "Isolation des combles"),
                ("unit_price[]", "2000"),
                ("vat[]", "550"),
            ],
        )
        .await;
    assert_eq!(mixed.status, 200, "{}", mixed.body);
    if let Some(t) = pdf(&admin, &format!("/pieces/{}/pdf", mixed.body)).await {
        has(&t, &["Travaux au taux de 10 % : Je soussigné(e)", "Travaux au taux de 5,5 % : Je soussigné(e)"]);
        assert_eq!(t.matches("rénovation énergétique").count(), 1, "{t}");
    }
    let f = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    let n = issue(&admin, &f).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{f}/pdf")).await {
        has(&t, &seller);
        has(
            &t,
            &[
                &format!("FACTURE N° {n}"),
                "Date d'échéance : 04/02/2026",
                "Catégorie de l'opération : Prestation de services",
                "Option pour le paiement de la taxe d'après les débits",
                "Pas d'escompte pour paiement anticipé",
                "Règlement par virement : IBAN FR76 3000 6000 0112 3456 7890 189",
                decennale,
                mediateur,
                "Total TTC",
            ],
        );
        lacks(&t, &[penalties, indemnity, "DÉMONSTRATION"]);
    }
    let av = admin.call("documents/derive", &[("id", &f), ("kind", "avoir")]).await.json().as_i64().unwrap().to_string();
    let an = issue(&admin, &av).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{av}/pdf")).await {
        has(&t, &seller);
        has(
            &t,
            &[&format!("AVOIR N° {an}"), &format!("Avoir se rapportant à la facture n° {n} du 05/01/2026"), "Catégorie de l'opération"],
        );
    }

    // A professional client: its SIREN and VAT number, penalties at the one rate, 40 €.
    let pro = new_client(&admin, "Pro", true, &[("siren", "552 100 554"), ("tva_intra", "FR96552100554")]).await;
    let f = draft(&admin, &pro, "facture", "2026-02-04", "2000").await;
    issue(&admin, &f).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{f}/pdf")).await {
        has(&t, &seller);
        has(
            &t,
            &[
                "Bâtisseurs Réunis SAS",
                "SIREN du client : 552 100 554",
                "N° TVA intracommunautaire du client : FR96552100554",
                penalties,
                indemnity,
                decennale,
            ],
        );
        lacks(&t, &[mediateur]);
    }
    // Sub-contracted building work for a professional: reverse charge, a job site, the
    // date of the work, units.
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
    let site = site.body;
    let form = |vat: &'static str| {
        vec![
            ("contact_id", pro.clone()),
            ("kind", "facture".to_string()),
            ("doc_date", "2026-01-05".to_string()),
            ("due_date", "2026-02-04".to_string()),
            ("work_date", "2025-12-18".to_string()),
            ("site_id", site.clone()),
            ("autoliquidation", "on".to_string()),
            ("designation[]", "Pose de cloisons".to_string()),
            ("quantity[]", "12,5".to_string()),
            ("unit[]", "h".to_string()),
            ("unit_price[]", "45".to_string()),
            ("vat[]", vat.to_string()),
        ]
    };
    let call = |f: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.call("documents/create", &f).await
        }
    };
    assert_eq!(call(form("2000")).await.invalid().0, "autoliquidation", "no VAT in autoliquidation");
    let r = call(form("0")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let st = r.body;
    issue(&admin, &st).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{st}/pdf")).await {
        has(
            &t,
            &[
                "Autoliquidation – TVA due par le preneur assujetti (art. 283-2 nonies du CGI)",
                "N° TVA intracommunautaire du client : FR96552100554",
                "Adresse des travaux : Résidence Les Tilleuls — 12 rue des Tilleuls, 69100 Villeurbanne",
                "Date de réalisation des travaux : 18/12/2025",
                "12,5 h",
                "Net à payer",
            ],
        );
        lacks(&t, &["Total TVA", certification]);
    }
    // Without the client's VAT number, no autoliquidation.
    let bare = new_client(&admin, "SansTVA", true, &[("siren", "443 061 841")]).await;
    let r = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &bare),
                ("kind", "facture"),
                ("autoliquidation", "on"),
                ("designation[]", "Pose"),
                ("unit_price[]", "10"),
                ("vat[]", "0"),
            ],
        )
        .await;
    assert_eq!(r.invalid().0, "autoliquidation", "refused beside the field, nothing saved");
    // Another client's job site is refused.
    let r = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &part),
                ("kind", "devis"),
                ("site_id", &site),
                ("designation[]", "Pose"),
                ("unit_price[]", "10"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(r.invalid().0, "site_id");

    // A bad client identifier is refused beside its field, nothing saved.
    let r = admin
        .call("contacts/create", &[("statut", "client"), ("nom", "Faux"), ("type_client", "professionnel"), ("tva_intra", "FR00552100554")])
        .await;
    assert_eq!(r.invalid().0, "tva_intra");

    // The company in «Franchise en base de TVA»: the mention, no VAT anywhere.
    post_identity(&admin, &[("franchise_tva", "on"), ("tva_intra", "")]).await;
    let f = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    assert!(admin.call("documents/issue", &[("id", &f)]).await.invalid().1.contains("franchise en base"));
    let f = draft(&admin, &part, "facture", "2026-02-04", "0").await;
    issue(&admin, &f).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{f}/pdf")).await {
        has(&t, &["TVA non applicable, art. 293 B du CGI", "Net à payer"]);
        lacks(&t, &["Total TVA", "Total TTC"]);
    }
    app.finish().await;
}

/// Settings, invoice and reminder letters agree on the penalty rate, to the cent.
async fn one_penalty_rate(b: Backend) {
    use ouvrage::reminders::law::Level;
    use ouvrage::reminders::store::{Channel, make};
    let app = spawn(b).await;
    let admin = app.admin().await;
    assert_eq!(post_identity(&admin, &[("penalites_taux", "12")]).await.status, 200);
    let pro = new_client(&admin, "Retard", true, &[("siren", "552 100 554")]).await;
    let f = draft(&admin, &pro, "facture", "2026-01-31", "2000").await; // 1 200,00 € TTC
    issue(&admin, &f).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{f}/pdf")).await {
        has(&t, &["Pénalités de retard : 12,00 % l'an"]);
    }
    let tenant = ouvrage::db::Tenant::for_tests(app.company_id);
    let user: i64 =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT id FROM app_user ORDER BY id LIMIT 1").fetch_one(c).await).unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    // The rate changes after the invoice went out: the invoice's letters keep its 12 %.
    assert_eq!(post_identity(&admin, &[("penalites_taux", "15")]).await.status, 200);
    let mut ids = Vec::new();
    for level in [Level::R1, Level::Med] {
        let mut tx = app.db.begin().await.unwrap();
        ids.push(
            make(&mut tx, &tenant, Some(user), pro.parse().unwrap(), level, "", true, Channel::Courrier, on, "ouvrage.test", false)
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    // 120000 × 1200 × 30 / 3,650,000 = 1183.56 → 11,84 €; and 40 € for a professional.
    for (i, id) in ids.into_iter().enumerate() {
        let (due, penalties, indemnity): (i64, i64, i64) =
            ouvrage::on_pool!(&app.db, c => sqlx::query_as(&format!("SELECT amount_due, penalties, indemnity FROM reminder_letter WHERE id = {id}")).fetch_one(c).await).unwrap();
        assert_eq!((due, penalties, indemnity), (120_000, 1184, 4000));
        if let Some(t) = pdf(&admin, &format!("/relances/{id}/pdf")).await {
            has(&t, &["Dupont Chauffage", "SIREN 443 061 841", "Bâtisseurs Réunis SAS", "pénalités 11,84 €"]);
            if i == 1 {
                // The formal notice states the rate and the indemnity.
                has(&t, &["MISE EN DEMEURE DE PAYER", "12,00 % l'an", "40,00 €"]);
            }
        }
    }
    app.finish().await;
}

/// «Particulier» / «Professionnel» is chosen, a migrated record is to review, a shared SIREN
/// is a possible duplicate.
async fn clients_type_and_identifiers(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    let a = new_client(&admin, "Alpha", true, &[("siret", "552 100 554 00013")]).await;
    let got = admin.call("contacts/get", &[("id", &a)]).await.json();
    assert_eq!(got["ids"]["professionnel"], true);
    assert_eq!(got["ids"]["siren"], "552100554", "taken from the SIRET");
    assert_eq!(got["type_to_review"], false, "chosen, not guessed");
    // A société alone no longer makes a professional.
    let r = admin.call("contacts/create", &[("statut", "client"), ("nom", "Société seule"), ("societe", "Durand SARL")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = admin.newest_client_id().await.to_string();
    assert_eq!(admin.call("contacts/get", &[("id", &id)]).await.json()["ids"]["professionnel"], false);
    // A record from before the type existed says it is to review until saved.
    ouvrage::on_pool!(&app.db, c => sqlx::query(&format!("UPDATE contact SET type_a_verifier = TRUE WHERE id = {id}")).execute(c).await.map(|r| r.rows_affected())).unwrap();
    let page = admin.get(&format!("/clients/{id}/modifier")).await;
    assert!(page.body.contains("Type de client à vérifier"), "the card says it");
    let list = admin.get("/clients/types-a-verifier").await;
    assert!(list.body.contains(&format!("/clients/{id}/modifier")) && list.body.contains("SOCIÉTÉ SEULE"), "and the list: {}", list.body);
    let r = admin
        .call(
            "contacts/update",
            &[("id", &id), ("statut", "client"), ("nom", "Société seule"), ("societe", "Durand SARL"), ("type_client", "professionnel")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(admin.call("contacts/get", &[("id", &id)]).await.json()["type_to_review"], false);
    assert!(!admin.get("/clients/types-a-verifier").await.body.contains(&format!("/clients/{id}/modifier")), "reviewed: off the list");
    // Another record with the same SIREN, another name and town: «Doublon possible».
    let found = admin.call("duplicates/check", &[("nom", "Zêta Construction"), ("ville", "Grenoble"), ("siren", "552100554")]).await.json();
    let hit = found
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(a.as_str()))
        .unwrap_or_else(|| panic!("{found}"));
    assert!(hit["reasons"].as_str().unwrap().contains("même SIREN"), "{hit}");
    // A particulier carries no business identifier, whatever was typed.
    let r = admin
        .call("contacts/create", &[("statut", "client"), ("nom", "Privé"), ("type_client", "particulier"), ("siren", "552 100 554")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = admin.newest_client_id().await.to_string();
    assert_eq!(admin.call("contacts/get", &[("id", &id)]).await.json()["ids"]["siren"], "");
    app.finish().await;
}

/// The demo company keeps its invented values, and each of its documents says so; once its
/// demo users are disabled (a start for real), it is the demo no more and nothing invented
/// is left.
async fn the_demo_says_it_is_the_demo(b: Backend) {
    let app = spawn_demo(b).await;
    let admin = app.admin().await;
    let identity = admin.call("company/identity", &[]).await.json();
    assert_eq!(identity["is_demo"], true);
    let part = new_client(&admin, "Démo", false, &[]).await;
    let f = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    issue(&admin, &f).await;
    if let Some(t) = pdf(&admin, &format!("/pieces/{f}/pdf")).await {
        has(&t, &["DOCUMENT DE DÉMONSTRATION — entreprise et valeurs inventées, sans valeur légale", "Martin Chauffage Sanitaire"]);
    }
    let disabled = ouvrage::server::demo::disable_demo_users(&app.db).await.unwrap();
    assert!(disabled > 0);
    let identity = admin.call("company/identity", &[]).await.json();
    assert_eq!(identity["is_demo"], false);
    assert_eq!((identity["siren"].as_str(), identity["email"].as_str()), (Some(""), Some("")), "{identity}");
    let g = draft(&admin, &part, "facture", "2026-02-04", "2000").await;
    assert_eq!(admin.call("documents/issue", &[("id", &g)]).await.invalid().0, "entreprise");
    app.finish().await;
}
