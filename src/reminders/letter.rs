//! A reminder's letter and e-mail: the level's template filled with the client, the
//! invoices, the amounts the law requires, the deadline and the signature; drawn as a PDF
//! letter («Imprimer») with the letterhead and the client's address.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sqlx::FromRow;

use crate::db::{Tenant, Tx, internal};
use crate::documents::store::Header;
use crate::error::AppError;
use crate::fmt::date_fr;
use crate::fmt::euros;
use crate::on_conn;
use crate::reminders::law::{Law, Level, half_of, rate_for};
use crate::reminders::store::templates;
use crate::reminders::templates::{default_template, fill};

pub struct Composed {
    pub level: Level,
    pub file_name: String,
    pub header: Header,
    pub title: String,
    pub date_line: String,
    pub letter_text: String,
    pub email_subject: String,
    pub email_text: String,
    pub client_email: String,
    pub document_ids: Vec<i64>,
}

#[derive(FromRow)]
struct LetterRow {
    contact_id: i64,
    level: String,
    author_id: Option<i64>,
    on_date: String,
    amount_due: i64,
    penalties: i64,
    indemnity: i64,
    deadline: String,
}

#[derive(FromRow)]
struct InvoiceRow {
    document_id: i64,
    number: String,
    doc_date: String,
    due_date: String,
    amount_due: i64,
    penalties: i64,
}

pub async fn compose(tx: &mut Tx, tenant: &Tenant, letter_id: i64) -> Result<Composed, AppError> {
    let l: LetterRow = on_conn!(tx, c => sqlx::query_as(
        "SELECT contact_id, level, author_id, on_date, amount_due, penalties, indemnity, deadline FROM reminder_letter WHERE company_id = $1 AND id = $2")
        .bind(tenant.company_id()).bind(letter_id).fetch_optional(c).await)
    .map_err(internal)?
    .ok_or_else(|| AppError::NotFound("Relance".into()))?;
    let level = Level::from_code(&l.level).unwrap_or(Level::R1);
    let invoices: Vec<InvoiceRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT r.document_id, d.number, d.doc_date, d.due_date, r.amount_due, r.penalties FROM reminder r \
         JOIN document d ON d.company_id = r.company_id AND d.id = r.document_id WHERE r.company_id = $1 AND r.letter_id = $2 ORDER BY d.due_date, d.id")
        .bind(tenant.company_id()).bind(letter_id).fetch_all(c).await)
    .map_err(internal)?;
    let header = crate::documents::store::header_tx(tx, tenant, l.contact_id).await?;
    let (email, client_name): (String, String) = {
        let (email, nom, prenom, societe): (String, String, String, String) = on_conn!(tx, c => sqlx::query_as(
            "SELECT email, nom, prenom, societe FROM contact WHERE company_id = $1 AND id = $2")
            .bind(tenant.company_id()).bind(l.contact_id).fetch_one(c).await)
        .map_err(internal)?;
        (email, crate::contacts::model::contact_title(&nom, &prenom, &societe))
    };
    let signature = match l.author_id {
        Some(a) => {
            let (name, sig): (String, String) =
                on_conn!(tx, c => sqlx::query_as("SELECT name, signature FROM app_user WHERE company_id = $1 AND id = $2")
                .bind(tenant.company_id()).bind(a).fetch_one(c).await)
                .map_err(internal)?;
            if sig.trim().is_empty() { format!("{name}\n{}", header.seller.raison_sociale) } else { sig }
        }
        None => format!("Le service comptabilité\n{}", header.seller.raison_sociale),
    };
    let earlier: Vec<(String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT DISTINCT l.level, l.on_date FROM reminder_letter l JOIN reminder r ON r.company_id = l.company_id AND r.letter_id = l.id \
         WHERE l.company_id = $1 AND l.id <> $2 AND r.document_id IN (SELECT document_id FROM reminder WHERE company_id = $1 AND letter_id = $2) ORDER BY l.on_date")
        .bind(tenant.company_id()).bind(letter_id).fetch_all(c).await)
    .map_err(internal)?;
    let law = Law::load(tx, tenant).await?;
    let on = NaiveDate::parse_from_str(&l.on_date, "%Y-%m-%d").unwrap_or_default();
    // The rate each invoice stated when issued (`document.penalty_rate_bp`).
    let stated: Vec<Option<i64>> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT DISTINCT d.penalty_rate_bp FROM reminder r JOIN document d ON d.company_id = r.company_id AND d.id = r.document_id \
         WHERE r.company_id = $1 AND r.letter_id = $2")
        .bind(tenant.company_id()).bind(letter_id).fetch_all(c).await)
    .map_err(internal)?;
    let rate = if header.professional {
        match stated.as_slice() {
            [one] => format!("{} % l'an", crate::fmt::percent_bp(law.stated_rate(*one, on))),
            [] => format!("{} % l'an", crate::fmt::percent_bp(law.penalty_rate(on))),
            _ => "indiqué sur chaque facture".to_string(),
        }
    } else {
        let legal = rate_for(&law.legal_particulier, &half_of(on.year(), on.month())).map(|r| r.0).unwrap_or(0);
        format!("{} % l'an (taux de l'intérêt légal, qui court à compter de la présente)", crate::fmt::percent_bp(legal))
    };
    let table = invoices
        .iter()
        .map(|i| {
            let pen = if i.penalties > 0 { format!(" — pénalités {}", euros(i.penalties)) } else { String::new() };
            format!(
                "  • Facture {} du {}, échue le {} : {} restant dû{pen}",
                i.number,
                date_fr(&i.doc_date),
                date_fr(&i.due_date),
                euros(i.amount_due)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    values.insert("client", client_name.clone());
    values.insert("societe", header.seller.raison_sociale.clone());
    values.insert("date", date_fr(&l.on_date));
    values.insert("factures", table);
    values.insert("montant_du", euros(l.amount_due));
    values.insert("penalites", if header.professional { euros(l.penalties) } else { "sans objet (client particulier)".into() });
    values.insert("indemnite", if header.professional { euros(l.indemnity) } else { "sans objet (client particulier)".into() });
    values.insert("total", euros(l.amount_due + l.penalties + l.indemnity));
    values.insert("date_limite", if l.deadline.is_empty() { "dès réception".into() } else { date_fr(&l.deadline) });
    values.insert(
        "relances_precedentes",
        if earlier.is_empty() {
            "aucune".into()
        } else {
            earlier.iter().map(|(lv, d)| format!("{lv} du {}", date_fr(d))).collect::<Vec<_>>().join(", ")
        },
    );
    values.insert("taux", rate);
    values.insert("signature", signature);
    let t = templates(tx, tenant).await?.into_iter().find(|t| t.level == level.code()).unwrap_or_else(|| default_template(level));
    let ville = header.seller.ville.trim().to_string();
    Ok(Composed {
        level,
        file_name: format!("{}-{}-{letter_id}.pdf", if level == Level::Med { "mise-en-demeure" } else { "relance" }, level.code()),
        title: level.title().to_string(),
        date_line: if ville.is_empty() { format!("Le {}", date_fr(&l.on_date)) } else { format!("{ville}, le {}", date_fr(&l.on_date)) },
        letter_text: fill(&t.letter, &values),
        email_subject: fill(&t.email_subject, &values).replace(['\r', '\n'], " "),
        email_text: fill(&t.email, &values),
        client_email: email,
        document_ids: invoices.iter().map(|i| i.document_id).collect(),
        header,
    })
}

pub fn pdf(c: &Composed) -> Vec<u8> {
    crate::documents::pdf::render_letter(&c.header, &c.title, &c.date_line, &c.letter_text)
}
