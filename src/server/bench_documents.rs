//! `ouvrage bench-documents` (`make bench-documents`): the time to draw a document's PDF,
//! a 200-line invoice (four VAT rates, long designations, a logo) beside a 1-line one in
//! the same run. Drawing needs no database: the document and its header are built here as
//! the store would read them. Goal (issue 28): the 200-line invoice in ≤ 150 ms.

use std::time::Instant;

use crate::company::model::IdentityForm;
use crate::documents::model::{DocumentView, Kind, Line, Status, totals};
use crate::documents::store::Header;

fn header(logo: Option<Vec<u8>>) -> Header {
    let seller = IdentityForm::sample().parse().unwrap_or_default();
    Header {
        seller,
        logo: logo.map(|l| ("image/png".to_string(), l)),
        client: vec!["Bâtisseurs Réunis SAS".into(), "5 place Bellecour".into(), "69002 Lyon".into()],
        professional: true,
        client_siren: "552100554".into(),
        client_tva: "FR96552100554".into(),
        buyer: crate::documents::store::Buyer {
            name: "Bâtisseurs Réunis SAS".into(),
            adresse: "5 place Bellecour".into(),
            code_postal: "69002".into(),
            ville: "Lyon".into(),
            email: "compta@batisseurs.example".into(),
            siret: "55210055400013".into(),
        },
    }
}

fn invoice(n: usize) -> DocumentView {
    const RATES: [i64; 4] = [2000, 1000, 550, 2000];
    let lines: Vec<Line> = (0..n)
        .map(|i| Line {
            designation: format!(
                "Poste {} : fourniture et pose de radiateur acier à eau chaude, robinet thermostatique, raccordement cuivre et essais d'étanchéité",
                i + 1
            ),
            quantity_milli: 1000 + (i as i64 % 7) * 500,
            unit: ["u", "m", "h", "forfait"][i % 4].into(),
            unit_price: 12_345 + i as i64 * 17,
            vat_bp: RATES[i % 4],
            discount_bp: if i % 5 == 0 { 1000 } else { 0 },
        })
        .collect();
    DocumentView {
        id: 1,
        contact_id: 1,
        contact_name: "Bâtisseurs Réunis SAS".into(),
        kind: Kind::Facture,
        number: Some("F-2026-00042".into()),
        status: Status::Emise,
        doc_date: "2026-12-05".into(),
        due_date: "2027-01-04".into(),
        source_id: None,
        source_number: None,
        source_date: String::new(),
        totals: totals(&lines),
        lines,
        paid: 0,
        credited: 0,
        litige: false,
        payments: Vec::new(),
        work_date: String::new(),
        site_id: None,
        site: Some(crate::contacts::model::SiteView {
            id: 1,
            libelle: "Résidence Les Tilleuls".into(),
            adresse: "12 rue des Tilleuls".into(),
            code_postal: "69100".into(),
            ville: "Villeurbanne".into(),
        }),
        autoliquidation: false,
        site_choices: Vec::new(),
    }
}

/// Draws each document `runs` times; prints the median and the slowest, in milliseconds.
pub fn run(logo: Option<Vec<u8>>, runs: usize) {
    let h = header(logo);
    println!("PDF d'une facture ({} tirages chacune, logo {})", runs, if h.logo.is_some() { "oui" } else { "non" });
    for n in [1, 200] {
        let doc = invoice(n);
        let _ = crate::documents::pdf::render(&h, &doc); // warm-up: fonts parsed once
        let mut ms: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let bytes = crate::documents::pdf::render(&h, &doc);
                std::hint::black_box(bytes.len());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let size = crate::documents::pdf::render(&h, &doc).len();
        println!(
            "  {n:>3} ligne(s) : médiane {:.1} ms, max {:.1} ms, {} Ko{}",
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            size / 1024,
            if n == 200 { " (objectif ≤ 150 ms)" } else { "" }
        );
    }
}

/// `ouvrage bench-einvoice` (`make bench-einvoice`): `n` invoices of 1 to 20 lines drawn as
/// their plain PDF, then made into their electronic forms as issuing does (the EN 16931
/// model, the CII, the UBL, the Factur-X PDF/A-3 with its XMP), in the same run, one
/// thread. Goal (issue 29): the Factur-X in ≤ 2× the plain PDF's time.
pub fn run_einvoice(logo: Option<Vec<u8>>, n: usize) {
    use crate::einvoice::{cii, facturx, model::EInvoice, ubl};
    let h = header(logo);
    let docs: Vec<DocumentView> =
        (0..n).map(|i| DocumentView { number: Some(format!("F-2026-{:05}", i + 1)), ..invoice(1 + i % 20) }).collect();
    let lines: usize = docs.iter().map(|d| d.lines.len()).sum();
    println!("Factur-X de {n} factures ({lines} lignes), logo {}", if h.logo.is_some() { "oui" } else { "non" });
    let _ = crate::documents::pdf::render(&h, &docs[0]); // warm-up: fonts parsed once
    let t = Instant::now();
    let mut bytes = 0usize;
    for d in &docs {
        bytes += crate::documents::pdf::render(&h, d).len();
    }
    let plain = t.elapsed().as_secs_f64();
    println!("  PDF simple       : {plain:>6.2} s, {:.2} ms par facture, {} Mo", plain * 1000.0 / n as f64, bytes >> 20);
    let t = Instant::now();
    let mut bytes = 0usize;
    for d in &docs {
        let Some(inv) = EInvoice::of(&h, d) else { continue };
        let cii = cii::write(&inv);
        let ubl = ubl::write(&inv);
        bytes += facturx::render(&h, d, &cii).len() + ubl.len() + cii.len();
    }
    let fx = t.elapsed().as_secs_f64();
    println!(
        "  Factur-X + UBL   : {fx:>6.2} s, {:.2} ms par facture, {} Mo — {:.2}× le PDF simple (objectif ≤ 2×)",
        fx * 1000.0 / n as f64,
        bytes >> 20,
        fx / plain
    );
}

/// The deposit throughput of the PA connector (`einvoice::pa::deposit`: multipart
/// `flowInfo` + the Factur-X, SHA-256, the answer read) against a local Flow Service that
/// accepts every flow, with 1 then 8 connections in the same run: `n` deposits each.
pub async fn run_deposits(n: usize) {
    use axum::routing::post;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let counter = Arc::new(AtomicU64::new(0));
    let c = counter.clone();
    let app = axum::Router::new()
        .route(
            "/v1/flows",
            post(move |mut form: axum::extract::Multipart| {
                let c = c.clone();
                async move {
                    while let Ok(Some(field)) = form.next_field().await {
                        let _ = field.bytes().await;
                    }
                    let id = c.fetch_add(1, Ordering::Relaxed);
                    (
                        axum::http::StatusCode::ACCEPTED,
                        axum::Json(serde_json::json!({ "flowId": format!("flow-{id}"), "submittedAt": "2026-12-06T10:00:00Z" })),
                    )
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(16 << 20));
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else { return };
    let Ok(addr) = listener.local_addr() else { return };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let h = header(None);
    let d = DocumentView { number: Some("F-2026-00001".into()), ..invoice(10) };
    let Some(inv) = crate::einvoice::model::EInvoice::of(&h, &d) else { return };
    let pdf = crate::einvoice::facturx::render(&h, &d, &crate::einvoice::cii::write(&inv));
    let account = crate::einvoice::pa::Account { url: format!("http://{addr}"), organization: String::new(), token: "bench".into() };
    let http = crate::einvoice::pa::client(std::time::Duration::from_secs(30));
    println!("Dépôts sur une plateforme locale (Flow Service XP Z12-013), Factur-X de {} Ko, {n} dépôts", pdf.len() / 1024);
    for connections in [1usize, 8] {
        let t = Instant::now();
        let per = n / connections;
        let tasks: Vec<_> = (0..connections)
            .map(|k| {
                let (http, account, pdf) = (http.clone(), account.clone(), pdf.clone());
                tokio::spawn(async move {
                    let mut ok = 0;
                    for i in 0..per {
                        let tracking = format!("facture:{k}-{i}");
                        let flow = crate::einvoice::pa::Flow {
                            name: "F-2026-00001.pdf",
                            tracking_id: &tracking,
                            syntax: "Factur-X",
                            rule: "B2B",
                            mime: "application/pdf",
                            file: pdf.clone(),
                        };
                        if matches!(
                            crate::einvoice::pa::deposit(&http, &account, flow).await,
                            crate::einvoice::outbox::Outcome::Deposited { .. }
                        ) {
                            ok += 1;
                        }
                    }
                    ok
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            ok += t.await.unwrap_or(0);
        }
        let s = t.elapsed().as_secs_f64();
        println!("  {connections} connexion(s) : {ok} dépôts en {s:.2} s, {:.0} dépôts/s", ok as f64 / s);
    }
}
