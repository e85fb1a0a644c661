//! Invoice reminders (SPEC C10): the work list, each level once, skipping with a
//! confirmation, the amounts by law against hand-computed cases, the letters, the daily
//! planner with an injected clock (a 10-day outage, two planners at once, a payment between
//! planning and sending, stop and resume), the settings' checks.

use crate::common;

use crate::common::{Backend, Client, TestApp};
use chrono::NaiveDate;
use ouvrage::db::Tenant;
use ouvrage::reminders::law::Level;
use ouvrage::reminders::planner::plan;
use ouvrage::reminders::store::{Channel, make};

both_databases!(levels_once_skips_confirmed_and_bad_input, amounts_by_law, planner_with_an_injected_clock, settings_are_checked);

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn client(c: &Client, nom: &str, societe: &str, email: &str) -> String {
    let r = c
        .call(
            "contacts/create",
            &[
                ("statut", "client"),
                ("nom", nom),
                ("prenom", "Paul"),
                ("societe", societe),
                ("type_client", if societe.is_empty() { "particulier" } else { "professionnel" }),
                ("email", email),
                ("adresse", "3 rue des Lilas"),
                ("code_postal", "69003"),
                ("ville", "Lyon"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.newest_client_id().await.to_string()
}

/// An issued facture; `ht` in euros with 20 % VAT.
async fn invoice(c: &Client, contact: &str, doc_date: &str, due: &str, ht: &str) -> String {
    let r = c
        .call(
            "documents/create",
            &[
                ("contact_id", contact),
                ("kind", "facture"),
                ("doc_date", doc_date),
                ("due_date", due),
                ("designation[]", "Entretien chaudière"),
                ("unit_price[]", ht),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.call("documents/issue", &[("id", &r.body)]).await.status, 200);
    r.body
}

async fn letters(app: &TestApp) -> i64 {
    app.count("reminder_letter").await
}

async fn levels_once_skips_confirmed_and_bad_input(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let k = client(&admin, "Bernard", "Bernard Plomberie", "compta@bernard.test").await;
    let f1 = invoice(&admin, &k, "2026-09-01", "2026-10-01", "833.33").await;
    let _f2 = invoice(&admin, &k, "2026-09-15", "2026-10-15", "100").await;
    let list = admin.call("reminders/worklist", &[]).await.json();
    let row = list.as_array().unwrap().iter().find(|c| c["contact_id"] == k.parse::<i64>().unwrap()).expect("the client is listed");
    assert_eq!(row["next_level"], "R1");
    assert_eq!(row["invoices"].as_array().unwrap().len(), 2);
    assert_eq!(row["total"], 100_000 + 12_000);
    assert_eq!(admin.call("reminders/worklist", &[("level", "R2")]).await.json().as_array().unwrap().len(), 0, "filter by level");

    let r = admin
        .call(
            "reminders/make",
            &[("contact_id", &k), ("level", "R1"), ("comment", "Appelé le comptable, paiement promis"), ("channel", "courrier")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r1 = r.body.clone();
    let again = admin.call("reminders/make", &[("contact_id", &k), ("level", "R1")]).await;
    assert!(again.invalid().1.contains("déjà été faite"), "{}", again.body);
    // MED without R2 and R3: only with the confirmation, which is recorded.
    let skip = admin.call("reminders/make", &[("contact_id", &k), ("level", "MED")]).await;
    assert_eq!(skip.invalid().0, "confirm_skip");
    assert!(skip.invalid().1.contains("R2, R3"), "{}", skip.body);
    let med = admin.call("reminders/make", &[("contact_id", &k), ("level", "MED"), ("confirm_skip", "on")]).await;
    assert_eq!(med.status, 200, "{}", med.body);
    let skipped: String =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT skipped FROM reminder_letter WHERE level = 'MED'").fetch_one(c).await)
            .unwrap();
    assert_eq!(skipped, "R2,R3");
    // «Porte doc» › «Relances».
    let listed = admin.call("reminders/of_client", &[("contact_id", &k)]).await.json();
    assert_eq!(listed[0]["level"], "MED");
    assert_eq!(listed[1]["level"], "R1");
    assert_eq!(listed[1]["comment"], "Appelé le comptable, paiement promis");
    assert_eq!(listed[1]["channel"], "courrier");
    let history = admin.call("audit/list", &[]).await.body;
    assert!(history.contains("Appelé le comptable"), "the comment is kept in the client's history");
    let page = admin.get(&format!("/clients/{k}/porte-doc")).await;
    assert!(page.body.contains("Relances du client") && page.body.contains("Imprimer"));
    // The MED letter: a formal notice with the computed amounts.
    let (status, headers, pdf) = admin.get_bytes(&format!("/relances/{}/pdf", med.body)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    if let Some(text) = common::pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("MISE EN DEMEURE") && flat.to_lowercase().contains("mise en demeure"), "{flat}");
        assert!(
            flat.contains("Pénalités de retard") && flat.contains("Indemnité forfaitaire pour frais de recouvrement : 80,00"),
            "{flat}"
        );
        assert!(flat.contains("R1 du"), "earlier reminders are listed: {flat}");
        assert!(flat.contains("injonction de payer"), "what follows is said: {flat}");
        assert!(flat.contains("Facture F-2026-00001"), "{flat}");
    }
    let (status, _, _) = admin.get_bytes(&format!("/relances/{r1}/pdf")).await;
    assert_eq!(status, 200);

    // Bad input: nothing saved.
    let before = letters(&app).await;
    let big = "x".repeat(100 * 1024);
    let r = admin.call("reminders/make", &[("contact_id", &k), ("level", "R2"), ("comment", &big)]).await;
    assert_eq!(r.invalid().0, "comment");
    assert_eq!(admin.call("reminders/make", &[("contact_id", &k), ("level", "R9")]).await.invalid().0, "level");
    // A paid invoice, a draft, a client without overdue invoices: refused.
    for id in [&f1, &_f2] {
        let doc = admin.call("documents/get", &[("id", id)]).await.json();
        let remaining = doc["totals"]["ttc"].as_i64().unwrap();
        let amount = format!("{}.{:02}", remaining / 100, remaining % 100);
        let r = admin.call("documents/pay", &[("id", id), ("paid_on", "2026-11-20"), ("amount", &amount), ("method", "Virement")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = admin.call("reminders/make", &[("contact_id", &k), ("level", "R2")]).await;
    assert!(r.invalid().1.contains("aucune facture échue"), "{}", r.body);
    let k2 = client(&admin, "Durand", "", "").await;
    let draft = admin
        .call(
            "documents/create",
            &[
                ("contact_id", &k2),
                ("kind", "facture"),
                ("doc_date", "2026-09-01"),
                ("due_date", "2026-10-01"),
                ("designation[]", "x"),
                ("unit_price[]", "10"),
                ("vat[]", "2000"),
            ],
        )
        .await;
    assert_eq!(draft.status, 200);
    assert!(admin.call("reminders/make", &[("contact_id", &k2), ("level", "R1")]).await.invalid().1.contains("aucune facture échue"));
    // E-mail to a client without address: refused, nothing saved.
    let k3 = client(&admin, "Sanscourriel", "", "").await;
    invoice(&admin, &k3, "2026-09-01", "2026-10-01", "50").await;
    let r = admin.call("reminders/make", &[("contact_id", &k3), ("level", "R1"), ("channel", "email")]).await;
    assert!(r.invalid().1.contains("pas d'adresse e-mail"), "{}", r.body);
    assert_eq!(letters(&app).await, before);
    app.finish().await;
}

async fn amounts_by_law(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let tenant = Tenant::for_tests(app.company_id);
    let user: i64 =
        ouvrage::on_pool!(&app.db, c => sqlx::query_scalar("SELECT id FROM app_user ORDER BY id LIMIT 1").fetch_one(c).await).unwrap();
    let pro = client(&admin, "Garnier", "Garnier SARL", "").await;
    let part = client(&admin, "Petit", "", "").await;
    let across = client(&admin, "Lemoine", "Lemoine SAS", "").await;
    invoice(&admin, &pro, "2026-01-05", "2026-01-31", "833.33").await; // 1,000.00 € TTC
    invoice(&admin, &part, "2026-01-05", "2026-01-31", "833.33").await;
    invoice(&admin, &across, "2025-06-01", "2025-06-20", "4166.67").await; // 5,000.00 € TTC
    let made = async |contact: &str, today: &str| -> (i64, i64, i64) {
        let mut tx = app.db.begin().await.unwrap();
        let id = make(
            &mut tx,
            &tenant,
            Some(user),
            contact.parse().unwrap(),
            Level::R1,
            "",
            false,
            Channel::Courrier,
            d(today),
            "ouvrage.test",
            false,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        ouvrage::on_pool!(&app.db, c => sqlx::query_as(&format!("SELECT amount_due, penalties, indemnity FROM reminder_letter WHERE id = {id}")).fetch_one(c).await).unwrap()
    };
    // Business: 1,000.00 € due 31/01/2026, on 02/03/2026 = 30 days at 2.15 % + 10 = 12.15 %
    // (the ECB rate of 2026's first half is not in the data: the latest known, 2025-2, is used):
    // 100000 × 1215 × 30 / 3,650,000 = 998.63 → 9.99 €; plus 40 € per invoice.
    assert_eq!(made(&pro, "2026-03-02").await, (100_000, 999, 4000));
    // Private client: no indemnity, no penalties before the formal notice.
    assert_eq!(made(&part, "2026-03-02").await, (100_000, 0, 0));
    // Across two half-years: 5,000.00 € due 20/06/2025, on 10/07/2025: 10 days at 13.15 %
    // (3.15 + 10) then 10 days at 12.15 % (2.15 + 10): 500000 × 25300 / 3,650,000 = 34.66 €.
    assert_eq!(made(&across, "2025-07-10").await, (500_000, 3466, 4000));
    // A contractual rate replaces ECB + 10 (here 15 %): 100000 × 1500 × 30 / 3,650,000 = 12.33 €.
    // (Set on «Entreprise», which invoices state.)
    let r = common::post_identity(&admin, &[("penalites_taux", "15")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let law = {
        let mut tx = app.db.read().await.unwrap();
        ouvrage::reminders::store::Law::load(&mut tx, &tenant).await.unwrap()
    };
    let a = law.amounts(true, None, 100_000, d("2026-01-31"), d("2026-03-02"));
    assert_eq!((a.penalties, a.indemnity), (1233, 4000));
    // A consumer invoice approaching two years is flagged.
    let old = client(&admin, "Ancien", "", "").await;
    invoice(&admin, &old, "2024-12-01", "2024-12-31", "100").await;
    let list = admin.call("reminders/worklist", &[]).await.json();
    let row = list.as_array().unwrap().iter().find(|c| c["contact_id"] == old.parse::<i64>().unwrap()).unwrap();
    assert!(row["warning"].as_str().unwrap().contains("prescrite le 31/12/2026"), "{row}");
    app.finish().await;
}

async fn planner_with_an_injected_clock(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call(
            "reminders/save_settings",
            &[("r1_days", "7"), ("r2_days", "15"), ("r3_days", "30"), ("med_days", "45"), ("med_deadline_days", "8"), ("auto_r1", "on")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let k = client(&admin, "Auto", "Auto SARL", "compta@auto.test").await;
    let f = invoice(&admin, &k, "2026-01-02", "2026-01-10", "100").await;
    let schedule = async |doc: &str| -> Option<(String, String)> {
        ouvrage::on_pool!(&app.db, c => sqlx::query_as(&format!("SELECT next_level, next_date FROM reminder_schedule WHERE document_id = {doc}")).fetch_optional(c).await).unwrap()
    };
    let mails = async || -> Vec<(String, String)> {
        ouvrage::on_pool!(&app.db, c => sqlx::query_as("SELECT idem_key, status FROM outbox WHERE entity = 'reminder' ORDER BY id").fetch_all(c).await).unwrap()
    };
    let r = plan(&app.db, "ouvrage.test", d("2026-01-16")).await.unwrap();
    assert_eq!(r.automatic, 0, "R1 is due on the 17th");
    assert_eq!(schedule(&f).await, Some(("R1".into(), "2026-01-17".into())));
    // The server was down from the 17th to the 26th: the missed R1 goes once, on the 27th.
    let r = plan(&app.db, "ouvrage.test", d("2026-01-27")).await.unwrap();
    assert_eq!(r.automatic, 1);
    assert_eq!(mails().await.len(), 1);
    assert!(mails().await[0].0.starts_with("reminder:"));
    assert_eq!(plan(&app.db, "ouvrage.test", d("2026-01-28")).await.unwrap().automatic, 0, "once");
    assert_eq!(schedule(&f).await, Some(("R2".into(), "2026-01-25".into())), "R2 waits for a person");
    assert_eq!(mails().await.len(), 1);

    // Disputed: the schedule stops; lifted: it resumes.
    assert_eq!(admin.call("documents/dispute", &[("id", &f), ("litige", "on")]).await.status, 200);
    assert_eq!(mails().await[0].1, "cancelled", "disputed before its R1 left: it never leaves");
    plan(&app.db, "ouvrage.test", d("2026-01-29")).await.unwrap();
    assert_eq!(schedule(&f).await, None);
    assert!(admin.call("reminders/worklist", &[]).await.json().as_array().unwrap().is_empty(), "a disputed invoice is not listed");
    assert_eq!(admin.call("documents/dispute", &[("id", &f)]).await.status, 200);
    plan(&app.db, "ouvrage.test", d("2026-01-29")).await.unwrap();
    assert_eq!(schedule(&f).await, Some(("R2".into(), "2026-01-25".into())));
    // Client blocked, or in the «Corbeille»: stops too.
    ouvrage::on_pool!(&app.db, c => sqlx::query(&format!("UPDATE contact SET bloque = 1 WHERE id = {k}")).execute(c).await.map(|_| ()))
        .unwrap();
    plan(&app.db, "ouvrage.test", d("2026-01-29")).await.unwrap();
    assert_eq!(schedule(&f).await, None);
    ouvrage::on_pool!(&app.db, c => sqlx::query(&format!("UPDATE contact SET bloque = 0 WHERE id = {k}")).execute(c).await.map(|_| ()))
        .unwrap();

    // A payment between planning and sending: the queued e-mail is cancelled.
    let k2 = client(&admin, "Payeur", "Payeur SA", "compta@payeur.test").await;
    let f2 = invoice(&admin, &k2, "2026-01-02", "2026-01-10", "100").await;
    assert_eq!(plan(&app.db, "ouvrage.test", d("2026-01-29")).await.unwrap().automatic, 1);
    assert_eq!(mails().await[1].1, "pending");
    let r = admin.call("documents/pay", &[("id", &f2), ("paid_on", "2026-01-29"), ("amount", "120"), ("method", "Virement")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(mails().await[1].1, "cancelled", "paid before it left: it never leaves");
    plan(&app.db, "ouvrage.test", d("2026-01-30")).await.unwrap();
    assert_eq!(schedule(&f2).await, None, "paid: the schedule stops");

    // Two planners at once (two servers): one R1.
    let k3 = client(&admin, "Double", "Double SAS", "compta@double.test").await;
    let f3 = invoice(&admin, &k3, "2026-01-05", "2026-01-20", "100").await;
    let day = d("2026-02-01");
    let (x, y) = tokio::join!(plan(&app.db, "ouvrage.test", day), plan(&app.db, "ouvrage.test", day));
    assert_eq!(x.unwrap().automatic + y.unwrap().automatic, 1);
    let n: i64 = ouvrage::on_pool!(&app.db, c => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM reminder WHERE document_id = {f3}")).fetch_one(c).await).unwrap();
    assert_eq!(n, 1);
    assert_eq!(mails().await.len(), 3);
    assert_eq!(mails().await[2].1, "pending", "another client's reminder is untouched by those payments");
    app.finish().await;
}

async fn settings_are_checked(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let r = admin
        .call(
            "reminders/save_template",
            &[("level", "R1"), ("letter", "Bonjour {client}, vous devez {montant} ."), ("email_subject", "Relance"), ("email", "x")],
        )
        .await;
    let (field, msg) = r.invalid();
    assert_eq!(field, "letter");
    assert!(msg.contains("{montant}") && msg.contains("{montant_du}"), "the unknown one and the valid ones: {msg}");
    let r = admin
        .call(
            "reminders/save_template",
            &[
                ("level", "R1"),
                ("letter", "Bonjour {client}, vous devez {montant_du}."),
                ("email_subject", "Relance {societe}"),
                ("email", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = admin.call("reminders/settings", &[]).await.json();
    assert_eq!(s["templates"][0]["letter"], "Bonjour {client}, vous devez {montant_du}.");
    // 3 × the legal rate (2.76 % in 2025-2, the latest known) = 8.28 %: 5 % is refused.
    let base = [("r1_days", "7"), ("r2_days", "15"), ("r3_days", "30"), ("med_days", "45"), ("med_deadline_days", "8")];
    let r = common::post_identity(&admin, &[("penalites_taux", "5")]).await;
    let (field, message) = r.invalid();
    assert_eq!(field, "penalites_taux");
    assert!(message.contains("trois fois le taux d'intérêt légal (8,28 %)"), "{}", r.body);
    let mut form = base.to_vec();
    form[1] = ("r2_days", "3");
    assert!(admin.call("reminders/save_settings", &form).await.invalid().1.contains("croître"));
    let r = admin.call("reminders/save_rate", &[("kind", "bce"), ("half", "2026-1"), ("rate", "2,15")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(admin.call("reminders/save_rate", &[("kind", "bce"), ("half", "2026-3"), ("rate", "2")]).await.invalid().0, "half");
    assert_eq!(admin.call("reminders/save_rate", &[("kind", "bce"), ("half", "2026-2"), ("rate", "beaucoup")]).await.invalid().0, "rate");
    let rates = admin.call("reminders/settings", &[]).await.json()["rates"].clone();
    assert!(rates.as_array().unwrap().iter().any(|r| r["half"] == "2026-1" && r["rate_bp"] == 215));
    app.finish().await;
}
