//! Commercial documents in the database (both drivers): drafts, issue with gap-free
//! numbers, payments, avoirs, the encours, the «Porte doc» files.

use crate::contacts::model::{Commercial, contact_title, person_name};
use crate::db::{Db, Tenant, Tx, internal, now};
use crate::documents::model::*;
use crate::error::AppError;
use crate::{on_conn, on_pool};

#[derive(sqlx::FromRow)]
struct DocRow {
    id: i64,
    contact_id: i64,
    kind: String,
    number: Option<String>,
    status: String,
    doc_date: String,
    due_date: String,
    source_id: Option<i64>,
    total_ttc: i64,
    paid: i64,
    credited: i64,
    litige: bool,
    work_date: String,
    site_id: Option<i64>,
    autoliquidation: bool,
}

const DOC_COLUMNS: &str = "id, contact_id, kind, number, status, doc_date, due_date, source_id, total_ttc, paid, credited, litige, work_date, site_id, autoliquidation";

impl DocRow {
    fn kind(&self) -> Kind {
        Kind::from_code(&self.kind).unwrap_or(Kind::Facture)
    }
    fn status(&self) -> Status {
        Status::from_code(&self.status).unwrap_or(Status::Brouillon)
    }
    fn remaining(&self) -> i64 {
        self.total_ttc - self.paid - self.credited
    }
}

/// Locks a document of this company for the transaction and reads it.
async fn lock_doc(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<DocRow, AppError> {
    if !crate::db::lock_row(tx, tenant, "document", id).await? {
        return Err(AppError::NotFound("Pièce".into()));
    }
    let sql = format!("SELECT {DOC_COLUMNS} FROM document WHERE company_id = $1 AND id = $2");
    on_conn!(tx, c => sqlx::query_as::<_, DocRow>(&sql).bind(tenant.company_id()).bind(id).fetch_one(c).await).map_err(internal)
}

async fn lines_of_tx(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<Vec<Line>, AppError> {
    let sql = "SELECT designation, quantity_milli, unit, unit_price, vat_bp, discount_bp FROM document_line WHERE company_id = $1 AND document_id = $2 ORDER BY position";
    let rows: Vec<(String, i64, String, i64, i64, i64)> =
        on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(designation, quantity_milli, unit, unit_price, vat_bp, discount_bp)| Line {
            designation,
            quantity_milli,
            unit,
            unit_price,
            vat_bp,
            discount_bp,
        })
        .collect())
}

async fn write_lines(tx: &mut Tx, tenant: &Tenant, id: i64, lines: &[Line]) -> Result<(), AppError> {
    let cid = tenant.company_id();
    let del = "DELETE FROM document_line WHERE company_id = $1 AND document_id = $2";
    on_conn!(tx, c => sqlx::query(del).bind(cid).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    let ins = "INSERT INTO document_line (company_id, document_id, position, designation, quantity_milli, unit_price, vat_bp, total_ht, total_tva, unit, discount_bp) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    for (i, l) in lines.iter().enumerate() {
        on_conn!(tx, c => sqlx::query(ins)
            .bind(cid)
            .bind(id)
            .bind(i as i64)
            .bind(&l.designation)
            .bind(l.quantity_milli)
            .bind(l.unit_price)
            .bind(l.vat_bp)
            .bind(l.total_ht())
            .bind(l.total_tva())
            .bind(&l.unit)
            .bind(l.discount_bp)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(internal)?;
    }
    let t = totals(lines);
    let up = "UPDATE document SET total_ht = $3, total_tva = $4, total_ttc = $5, updated_at = $6 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(up).bind(cid).bind(id).bind(t.ht).bind(t.tva).bind(t.ttc).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

/// The gate of a new or issued document: devis and factures need a contact whose
/// commercial management is not blocked; every kind needs one outside the «Corbeille».
async fn gate(tx: &mut Tx, tenant: &Tenant, contact_id: i64, kind: Kind) -> Result<Commercial, AppError> {
    crate::contacts::store::commercial_gate(tx, tenant, contact_id, kind == Kind::Avoir).await
}

/// Saves a new draft («Brouillon»).
pub async fn create_draft(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    contact_id: i64,
    d: &DocumentInput,
    source_id: Option<i64>,
) -> Result<i64, AppError> {
    gate(tx, tenant, contact_id, d.kind).await?;
    if source_id.is_none() {
        // A document derived from another keeps its site, even archived since.
        check_site(tx, tenant, contact_id, d.site_id).await?;
    }
    check_autoliquidation(tx, tenant, contact_id, d.autoliquidation).await?;
    let t = now();
    let sql = "INSERT INTO document (company_id, contact_id, kind, status, doc_date, due_date, source_id, total_ht, total_tva, total_ttc, created_by, created_at, updated_at, \
               work_date, site_id, autoliquidation) \
               VALUES ($1, $2, $3, 'brouillon', $4, $5, $6, 0, 0, 0, $7, $8, $8, $9, $10, $11) RETURNING id";
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id())
        .bind(contact_id)
        .bind(d.kind.code())
        .bind(&d.doc_date)
        .bind(&d.due_date)
        .bind(source_id)
        .bind(user_id)
        .bind(t)
        .bind(&d.work_date)
        .bind(d.site_id)
        .bind(d.autoliquidation)
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    write_lines(tx, tenant, id, &d.lines).await?;
    crate::db::audit(tx, tenant, Some(user_id), "document", id, "cree", d.kind.code()).await?;
    Ok(id)
}

/// Replaces a draft's date, due date and lines (an issued document never changes).
pub async fn update_draft(tx: &mut Tx, tenant: &Tenant, id: i64, d: &DocumentInput) -> Result<(), AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    if doc.status() != Status::Brouillon {
        return Err(AppError::invalid("document", "Une pièce émise ne se modifie plus : faites un avoir."));
    }
    if doc.kind() != d.kind {
        return Err(AppError::invalid("kind", "Le type d'une pièce ne change pas."));
    }
    gate(tx, tenant, doc.contact_id, doc.kind()).await?;
    if doc.site_id != d.site_id {
        check_site(tx, tenant, doc.contact_id, d.site_id).await?;
    }
    check_autoliquidation(tx, tenant, doc.contact_id, d.autoliquidation).await?;
    let sql = "UPDATE document SET doc_date = $3, due_date = $4, work_date = $5, site_id = $6, autoliquidation = $7 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(&d.doc_date).bind(&d.due_date).bind(&d.work_date).bind(d.site_id)
        .bind(d.autoliquidation).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    write_lines(tx, tenant, id, &d.lines).await
}

/// «Autoliquidation» needs a professional client with its VAT number (CGI 242 nonies A).
async fn check_autoliquidation(tx: &mut Tx, tenant: &Tenant, contact_id: i64, on: bool) -> Result<(), AppError> {
    if !on {
        return Ok(());
    }
    let sql = "SELECT type_client, tva_intra FROM contact WHERE company_id = $1 AND id = $2";
    let (kind, tva): (String, String) =
        on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(contact_id).fetch_one(c).await).map_err(internal)?;
    autoliquidation_client(kind == "professionnel", &tva)
}

/// The client of an autoliquidation: a professional with its VAT number.
fn autoliquidation_client(professional: bool, vat_number: &str) -> Result<(), AppError> {
    if !professional || vat_number.is_empty() {
        return Err(AppError::invalid(
            "autoliquidation",
            "Autoliquidation : le client doit être un professionnel avec son N° TVA intracommunautaire (Fiche contact).",
        ));
    }
    Ok(())
}

/// A document's job site must be one of its client's, not archived.
async fn check_site(tx: &mut Tx, tenant: &Tenant, contact_id: i64, site_id: Option<i64>) -> Result<(), AppError> {
    let Some(site) = site_id else { return Ok(()) };
    let sql = "SELECT COUNT(*) FROM contact_site WHERE company_id = $1 AND contact_id = $2 AND id = $3 AND archived = FALSE";
    let n: i64 = on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(contact_id).bind(site).fetch_one(c).await)
        .map_err(internal)?;
    if n == 0 {
        return Err(AppError::invalid("site_id", "Cette adresse de chantier n'est pas celle de ce client."));
    }
    Ok(())
}

/// The unpaid TTC of a client's issued factures.
async fn encours_tx(tx: &mut Tx, tenant: &Tenant, contact_id: i64) -> Result<i64, AppError> {
    on_conn!(tx, c => sqlx::query_scalar::<_, i64>(ENCOURS_SQL).bind(tenant.company_id()).bind(contact_id).fetch_one(c).await)
        .map_err(internal)
}

const ENCOURS_SQL: &str = "SELECT CAST(COALESCE(SUM(total_ttc - paid - credited), 0) AS BIGINT) FROM document \
                           WHERE company_id = $1 AND contact_id = $2 AND kind = 'facture' AND status IN ('emise', 'partielle')";

/// «Factures impayées et relances» of a client's «Accueil»: its issued invoices still due
/// (newest first; the same invoices as [`ENCOURS_SQL`] counts), what they add up to, and
/// its last reminder letter, in one statement (`part` 0: an invoice, 1: the letter).
pub async fn unpaid_of(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<crate::documents::model::Unpaid, AppError> {
    type Row = (i64, i64, Option<String>, String, i64, Option<String>);
    let sql = "SELECT CAST(0 AS BIGINT) AS part, id, number, doc_date AS on_date, total_ttc - paid - credited AS amount, CAST(NULL AS TEXT) AS level FROM document \
               WHERE company_id = $1 AND contact_id = $2 AND kind = 'facture' AND status IN ('emise', 'partielle') \
               UNION ALL SELECT * FROM (SELECT CAST(1 AS BIGINT), id, CAST(NULL AS TEXT), on_date, CAST(0 AS BIGINT), level FROM reminder_letter \
               WHERE company_id = $1 AND contact_id = $2 ORDER BY id DESC LIMIT 1) AS last_letter \
               ORDER BY part, on_date DESC, id DESC";
    let rows: Vec<Row> =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(contact_id).fetch_all(c).await).map_err(internal)?;
    let mut unpaid = crate::documents::model::Unpaid { encours: 0, invoices: Vec::new(), last_reminder: None };
    for (part, id, number, on_date, amount, level) in rows {
        if part == 0 {
            unpaid.encours += amount;
            if let Some(number) = number.filter(|_| amount > 0) {
                unpaid.invoices.push(crate::documents::model::UnpaidInvoice { id, number, doc_date: on_date, remaining: amount });
            }
        } else if let Some(level) = level {
            unpaid.last_reminder = Some((level, on_date));
        }
    }
    Ok(unpaid)
}

/// The next number of a kind and year: the counter row is updated in the caller's
/// transaction, so a rolled-back issue gives its number back (no gap) and concurrent
/// issues queue on the row (no duplicate).
async fn next_number(tx: &mut Tx, tenant: &Tenant, kind: Kind, year: &str) -> Result<String, AppError> {
    let y: i64 = year.parse().map_err(|_| AppError::Internal)?;
    let sql = "INSERT INTO document_counter (company_id, kind, year, last) VALUES ($1, $2, $3, 1) \
               ON CONFLICT (company_id, kind, year) DO UPDATE SET last = document_counter.last + 1 RETURNING last";
    let n: i64 = on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(kind.code()).bind(y).fetch_one(c).await)
        .map_err(internal)?;
    Ok(format!("{}-{y}-{n:05}", kind.prefix()))
}

/// «Émettre»: checks the gate, the «Plafond d'encours» (factures) or the facture's
/// remaining amount (avoirs), gives the number and keeps the PDF as sent.
/// `confirm_reduced`: the person issuing confirms a reduced VAT rate for a professional
/// client (the work is on dwellings, not on the client's own premises).
pub async fn issue(tx: &mut Tx, tenant: &Tenant, user_id: i64, id: i64, confirm_reduced: bool) -> Result<String, AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    if doc.status() != Status::Brouillon {
        return Err(AppError::invalid("document", "Cette pièce est déjà émise."));
    }
    let commercial = gate(tx, tenant, doc.contact_id, doc.kind()).await?;
    let header = header_tx(tx, tenant, doc.contact_id).await?;
    check_legal(tx, tenant, &doc, &header, confirm_reduced).await?;
    match doc.kind() {
        Kind::Facture => {
            if let Some(limit) = commercial.plafond {
                let encours = encours_tx(tx, tenant, doc.contact_id).await?;
                let after = encours + doc.total_ttc;
                if after > limit {
                    return Err(AppError::invalid(
                        "document",
                        format!(
                            "Plafond d'encours dépassé : encours {}, plafond {}, cette facture le dépasserait de {}.",
                            crate::fmt::euros(encours),
                            crate::fmt::euros(limit),
                            crate::fmt::euros(after - limit)
                        ),
                    ));
                }
            }
        }
        Kind::Avoir => {
            let Some(fid) = doc.source_id else {
                return Err(AppError::invalid("document", "Un avoir se rapporte à une facture."));
            };
            let f = lock_doc(tx, tenant, fid).await?;
            if !matches!(f.status(), Status::Emise | Status::Partielle) {
                return Err(AppError::invalid("document", "La facture de cet avoir n'a plus de reste à payer."));
            }
            if doc.total_ttc <= 0 || doc.total_ttc > f.remaining() {
                return Err(AppError::invalid(
                    "document",
                    format!(
                        "Le montant de l'avoir ({}) doit être positif et au plus le reste à payer de la facture ({}).",
                        crate::fmt::euros(doc.total_ttc),
                        crate::fmt::euros(f.remaining())
                    ),
                ));
            }
            let credited = f.credited + doc.total_ttc;
            settle(tx, tenant, fid, f.total_ttc, f.paid, credited).await?;
        }
        Kind::Devis => {}
    }
    let number = next_number(tx, tenant, doc.kind(), &doc.doc_date[..4]).await?;
    // What the invoice states, its reminders charge: the rate is kept with it.
    let stated =
        (doc.kind() == Kind::Facture).then(|| header.seller.penalty_rate_bp.unwrap_or(crate::reminders::law::STATED_LEGAL_DEFAULT));
    let sql = "UPDATE document SET number = $3, status = 'emise', issued_at = $4, updated_at = $4, penalty_rate_bp = $5, taux_reduit_confirme = $6 \
               WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(&number).bind(now()).bind(stated).bind(confirm_reduced)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if confirm_reduced {
        crate::db::audit(
            tx,
            tenant,
            Some(user_id),
            "document",
            id,
            "taux_reduit_confirme",
            "travaux sur des locaux d'habitation de plus de deux ans",
        )
        .await?;
    }
    crate::db::audit(tx, tenant, Some(user_id), "document", id, "emise", &number).await?;
    // Its number finds the client in «Rechercher».
    crate::contacts::store::reindex_contact(tx, tenant, doc.contact_id).await?;
    let view = view_tx(tx, tenant, id).await?;
    let pdf = crate::documents::pdf::render(&header, &view);
    if pdf.is_empty() {
        // Never keep an empty document as the one sent (the render logged why).
        return Err(AppError::Internal);
    }
    let ins = "INSERT INTO document_pdf (company_id, document_id, data) VALUES ($1, $2, $3)";
    on_conn!(tx, c => sqlx::query(ins).bind(tenant.company_id()).bind(id).bind(&pdf).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(number)
}

/// What the law needs before a document goes out (docs/legal.md): a real company's
/// complete identity, no VAT under «Franchise en base de TVA», and a reduced rate for a
/// professional client only once confirmed.
async fn check_legal(tx: &mut Tx, tenant: &Tenant, doc: &DocRow, header: &Header, confirm_reduced: bool) -> Result<(), AppError> {
    header.seller.check_complete(!header.professional, "émettre")?;
    let lines = lines_of_tx(tx, tenant, doc.id).await?;
    let franchise = header.seller.franchise_tva;
    if franchise && lines.iter().any(|l| l.vat_bp != 0) {
        return Err(AppError::invalid(
            "document",
            "L'entreprise est en franchise en base de TVA (art. 293 B du CGI) : mettez les lignes à 0 % de TVA avant d'émettre.",
        ));
    }
    if doc.autoliquidation && franchise {
        return Err(AppError::invalid(
            "autoliquidation",
            "Une entreprise en franchise en base de TVA ne facture pas en autoliquidation : elle n'a pas de TVA à reporter sur le client.",
        ));
    }
    if !franchise && !doc.autoliquidation && lines.iter().any(|l| l.vat_bp == 0) {
        return Err(AppError::invalid(
            "document",
            "Taux de TVA 0 % : seulement en franchise en base de TVA (Entreprise) ou en autoliquidation ; choisissez le taux de chaque ligne.",
        ));
    }
    // The client may have changed since the draft was saved.
    if doc.autoliquidation {
        autoliquidation_client(header.professional, &header.client_tva)?;
    }
    if header.professional && !confirm_reduced && lines.iter().any(|l| matches!(l.vat_bp, 550 | 1000)) {
        return Err(AppError::invalid(
            "taux_reduit",
            "Taux de TVA réduit pour un client professionnel : il ne vaut que pour des travaux sur des locaux d'habitation de plus de deux ans (pas les locaux professionnels du client). Confirmez-le pour émettre.",
        ));
    }
    Ok(())
}

/// Writes a facture's paid and credited amounts and the status they imply.
async fn settle(tx: &mut Tx, tenant: &Tenant, id: i64, ttc: i64, paid: i64, credited: i64) -> Result<(), AppError> {
    let status = if paid + credited < ttc {
        if paid + credited > 0 { Status::Partielle } else { Status::Emise }
    } else if credited >= ttc {
        Status::Annulee
    } else {
        Status::Payee
    };
    let sql = "UPDATE document SET paid = $3, credited = $4, status = $5, updated_at = $6 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(paid).bind(credited).bind(status.code()).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    // Documents never call the features above them: the reminders' side of a settled
    // invoice (a queued reminder e-mail must not leave) is done by the caller of `pay`
    // and `issue`, in the same transaction (`reminders::store::after_settlement`).
    Ok(())
}

/// «Enregistrer un paiement» on an issued facture (allowed when commercial management
/// is blocked). The remaining amount and the status follow. Returns the payment's id.
pub async fn pay(tx: &mut Tx, tenant: &Tenant, user_id: i64, id: i64, paid_on: &str, amount: i64, method: &str) -> Result<i64, AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    if doc.kind() != Kind::Facture || !matches!(doc.status(), Status::Emise | Status::Partielle) {
        return Err(AppError::invalid("amount", "Seule une facture émise et non soldée reçoit un paiement."));
    }
    if amount <= 0 {
        return Err(AppError::invalid("amount", "Le montant doit être positif."));
    }
    if amount > doc.remaining() {
        return Err(AppError::invalid("amount", format!("Le montant dépasse le reste à payer ({}).", crate::fmt::euros(doc.remaining()))));
    }
    let sql = "INSERT INTO payment (company_id, document_id, paid_on, amount, method, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let payment: i64 = on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).bind(paid_on).bind(amount).bind(method).bind(user_id).bind(now()).fetch_one(c).await)
        .map_err(internal)?;
    settle(tx, tenant, id, doc.total_ttc, doc.paid + amount, doc.credited).await?;
    crate::db::audit(tx, tenant, Some(user_id), "document", id, "paiement", &amount.to_string()).await?;
    Ok(payment)
}

/// «Refaire la facture»: a new draft facture with the lines, site and dates of this one
/// (a facture the platform rejected or the client refused, cancelled by its avoir).
pub async fn redo(tx: &mut Tx, tenant: &Tenant, user_id: i64, id: i64) -> Result<i64, AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    if doc.kind() != Kind::Facture || doc.status() == Status::Brouillon {
        return Err(AppError::invalid("document", "Seule une facture émise se refait."));
    }
    let lines = lines_of_tx(tx, tenant, id).await?;
    let today = crate::fmt::today_paris();
    let terms = crate::company::store::identity(tx, tenant).await?.paiement_jours.clamp(0, MAX_TERM_DAYS);
    let input = DocumentInput {
        kind: Kind::Facture,
        due_date: format_date(parse_date(&today).unwrap_or(0) + terms),
        doc_date: today,
        lines,
        work_date: doc.work_date,
        site_id: doc.site_id,
        autoliquidation: doc.autoliquidation,
    };
    create_draft(tx, tenant, user_id, doc.contact_id, &input, None).await
}

/// A new draft from an existing document: a facture from a devis («Convertir en
/// facture»), an avoir from a facture («Faire un avoir»). The lines are copied.
pub async fn derive(tx: &mut Tx, tenant: &Tenant, user_id: i64, id: i64, kind: Kind) -> Result<i64, AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    let ok = match kind {
        Kind::Facture => doc.kind() == Kind::Devis && doc.status() == Status::Emise,
        Kind::Avoir => doc.kind() == Kind::Facture && matches!(doc.status(), Status::Emise | Status::Partielle),
        Kind::Devis => false,
    };
    if !ok {
        let msg = if kind == Kind::Facture {
            "Seul un devis émis se convertit en facture."
        } else {
            "Un avoir se fait sur une facture émise et non soldée."
        };
        return Err(AppError::invalid("document", msg));
    }
    let lines = lines_of_tx(tx, tenant, id).await?;
    let today = crate::fmt::today_paris();
    let terms = crate::company::store::identity(tx, tenant).await?.paiement_jours.clamp(0, MAX_TERM_DAYS);
    let due = format_date(parse_date(&today).unwrap_or(0) + terms);
    let input = DocumentInput {
        kind,
        doc_date: today,
        due_date: due,
        lines,
        work_date: doc.work_date,
        site_id: doc.site_id,
        autoliquidation: doc.autoliquidation,
    };
    create_draft(tx, tenant, user_id, doc.contact_id, &input, Some(id)).await
}

/// «Annuler» a draft or a devis (an issued facture is cancelled by an avoir).
pub async fn cancel(tx: &mut Tx, tenant: &Tenant, user_id: i64, id: i64) -> Result<(), AppError> {
    let doc = lock_doc(tx, tenant, id).await?;
    let ok = doc.status() == Status::Brouillon || (doc.kind() == Kind::Devis && doc.status() == Status::Emise);
    if !ok {
        return Err(AppError::invalid("document", "Une facture émise s'annule par un avoir."));
    }
    let sql = "UPDATE document SET status = 'annulee', updated_at = $3 WHERE company_id = $1 AND id = $2";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(user_id), "document", id, "annulee", "").await
}

/// Who a document or letter is from and to: the company's identity («Entreprise») and
/// the client's.
pub struct Header {
    pub seller: crate::company::model::Identity,
    /// The company's logo (type, bytes), drawn on every document.
    pub logo: Option<(String, Vec<u8>)>,
    /// The client's name and address, line by line.
    pub client: Vec<String>,
    /// «Professionnel» (else «Particulier»).
    pub professional: bool,
    pub client_siren: String,
    pub client_tva: String,
    /// The client as its electronic invoice names it (docs/e-invoicing.md): its name
    /// (company, else person), address fields, e-mail and SIRET.
    pub buyer: Buyer,
}

#[derive(Debug, Clone, Default)]
pub struct Buyer {
    pub name: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub siret: String,
}

pub(crate) async fn header_tx(tx: &mut Tx, tenant: &Tenant, contact_id: i64) -> Result<Header, AppError> {
    let seller = crate::company::store::identity(tx, tenant).await?;
    let logo = if seller.has_logo { crate::company::store::logo(tx, tenant).await? } else { None };
    #[derive(sqlx::FromRow)]
    struct Party {
        civilite: String,
        nom: String,
        prenom: String,
        societe: String,
        adresse: String,
        code_postal: String,
        ville: String,
        type_client: String,
        siren: String,
        siret: String,
        tva_intra: String,
        email: String,
    }
    let ksql = "SELECT civilite, nom, prenom, societe, adresse, code_postal, ville, type_client, siren, siret, tva_intra, email FROM contact WHERE company_id = $1 AND id = $2";
    let Party {
        civilite: civ,
        nom,
        prenom,
        societe,
        adresse: kadr,
        code_postal: kcp,
        ville: kville,
        type_client: kind,
        siren,
        siret,
        tva_intra: tva,
        email,
    } = on_conn!(tx, c => sqlx::query_as(ksql).bind(tenant.company_id()).bind(contact_id).fetch_one(c).await).map_err(internal)?;
    let person = person_name(&nom, &prenom);
    let mut client = Vec::new();
    if !societe.is_empty() {
        client.push(societe.clone());
    }
    if !person.is_empty() {
        client.push(format!("{civ} {person}").trim().to_string());
    }
    let buyer = Buyer {
        name: if societe.is_empty() { format!("{civ} {person}").trim().to_string() } else { societe.clone() },
        adresse: kadr.clone(),
        code_postal: kcp.clone(),
        ville: kville.clone(),
        email,
        siret: siret.clone(),
    };
    client.push(kadr);
    client.push(format!("{kcp} {kville}").trim().to_string());
    client.retain(|l| !l.is_empty());
    let client_siren = if siren.is_empty() { siret.get(..9).unwrap_or_default().to_string() } else { siren };
    Ok(Header { seller, logo, client, professional: kind == "professionnel", client_siren, client_tva: tva, buyer })
}

pub(crate) async fn view_tx(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<DocumentView, AppError> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM document WHERE company_id = $1 AND id = $2");
    let d = on_conn!(tx, c => sqlx::query_as::<_, DocRow>(&sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Pièce".into()))?;
    let lines = lines_of_tx(tx, tenant, id).await?;
    let psql = "SELECT paid_on, amount, method FROM payment WHERE company_id = $1 AND document_id = $2 ORDER BY id";
    let pays: Vec<(String, i64, String)> =
        on_conn!(tx, c => sqlx::query_as(psql).bind(tenant.company_id()).bind(id).fetch_all(c).await).map_err(internal)?;
    let nsql = "SELECT c.nom, c.prenom, c.societe, s.number, s.doc_date FROM contact c LEFT JOIN document s ON s.company_id = c.company_id AND s.id = $3 \
                WHERE c.company_id = $1 AND c.id = $2";
    let (nom, prenom, societe, source_number, source_date): (String, String, String, Option<String>, Option<String>) =
        on_conn!(tx, c => sqlx::query_as(nsql).bind(tenant.company_id()).bind(d.contact_id).bind(d.source_id).fetch_one(c).await)
            .map_err(internal)?;
    let site = match d.site_id {
        Some(site) => crate::contacts::store::site(tx, tenant, site).await?,
        None => None,
    };
    Ok(DocumentView {
        id: d.id,
        contact_id: d.contact_id,
        contact_name: contact_title(&nom, &prenom, &societe),
        kind: d.kind(),
        number: d.number.clone(),
        status: d.status(),
        doc_date: d.doc_date.clone(),
        due_date: d.due_date.clone(),
        source_id: d.source_id,
        source_number,
        source_date: source_date.unwrap_or_default(),
        totals: totals(&lines),
        lines,
        paid: d.paid,
        credited: d.credited,
        litige: d.litige,
        payments: pays.into_iter().map(|(paid_on, amount, method)| PaymentView { paid_on, amount, method }).collect(),
        work_date: d.work_date.clone(),
        site_id: d.site_id,
        site,
        autoliquidation: d.autoliquidation,
        site_choices: crate::contacts::store::sites_of_tx(tx, tenant, d.contact_id).await?.into_iter().map(|s| (s.id, s.label())).collect(),
    })
}

/// One document with its lines and payments (read in a transaction for a consistent view).
pub async fn get(db: &Db, tenant: &Tenant, id: i64) -> Result<DocumentView, AppError> {
    let mut tx = db.read().await?;
    view_tx(&mut tx, tenant, id).await
}

/// The PDF of a document: as kept at issue time, or drawn now for a draft.
pub async fn pdf(db: &Db, tenant: &Tenant, id: i64) -> Result<(String, Vec<u8>), AppError> {
    let mut tx = db.read().await?;
    pdf_tx(&mut tx, tenant, id).await
}

/// The PDF of a document (as kept at issue time, else drawn now), in a transaction.
pub async fn pdf_tx(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(String, Vec<u8>), AppError> {
    let view = view_tx(tx, tenant, id).await?;
    let name = format!("{}.pdf", view.number.clone().unwrap_or_else(|| format!("{}-brouillon-{}", view.kind.code(), view.id)));
    let sql = "SELECT data FROM document_pdf WHERE company_id = $1 AND document_id = $2";
    let kept: Option<Vec<u8>> =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)?;
    if let Some(bytes) = kept {
        return Ok((name, bytes));
    }
    let header = header_tx(tx, tenant, view.contact_id).await?;
    Ok((name, crate::documents::pdf::render(&header, &view)))
}

/// A client's «Porte doc»: its documents, its files, its encours.
pub async fn porte_doc(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<PorteDoc, AppError> {
    let cid = tenant.company_id();
    let ksql = "SELECT nom, prenom, societe, statut, bloque, bloque_motif, plafond_encours FROM contact WHERE company_id = $1 AND id = $2";
    let (nom, prenom, societe, statut, bloque, motif, plafond): (String, String, String, String, i64, String, Option<i64>) =
        on_pool!(db, c => sqlx::query_as(ksql).bind(cid).bind(contact_id).fetch_optional(c).await)
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("Contact".into()))?;
    let dsql = format!("SELECT {DOC_COLUMNS} FROM document WHERE company_id = $1 AND contact_id = $2 ORDER BY doc_date DESC, id DESC");
    let docs: Vec<DocRow> = on_pool!(db, c => sqlx::query_as(&dsql).bind(cid).bind(contact_id).fetch_all(c).await).map_err(internal)?;
    let fsql = "SELECT id, name, size, created_at FROM stored_file WHERE company_id = $1 AND contact_id = $2 ORDER BY id DESC";
    let files: Vec<(i64, String, i64, i64)> =
        on_pool!(db, c => sqlx::query_as(fsql).bind(cid).bind(contact_id).fetch_all(c).await).map_err(internal)?;
    let encours: i64 =
        on_pool!(db, c => sqlx::query_scalar(ENCOURS_SQL).bind(cid).bind(contact_id).fetch_one(c).await).map_err(internal)?;
    Ok(PorteDoc {
        contact_id,
        contact_name: contact_title(&nom, &prenom, &societe),
        trashed: statut == "corbeille",
        bloque: bloque != 0,
        bloque_motif: motif,
        plafond,
        encours,
        documents: docs
            .iter()
            .map(|d| DocumentSummary {
                id: d.id,
                kind: d.kind(),
                number: d.number.clone(),
                status: d.status(),
                doc_date: d.doc_date.clone(),
                total_ttc: d.total_ttc,
                remaining: if d.kind() == Kind::Facture && matches!(d.status(), Status::Emise | Status::Partielle) {
                    d.remaining()
                } else {
                    0
                },
            })
            .collect(),
        files: files
            .into_iter()
            .map(|(id, name, size, at)| FileSummary { id, name, size, created_at: crate::fmt::datetime_fr(at) })
            .collect(),
        site_choices: crate::contacts::store::sites_of(db, tenant, contact_id).await?.into_iter().map(|s| (s.id, s.label())).collect(),
        einvoice: Vec::new(),
    })
}

/// «Bloquer la gestion commerciale», its reason and «Plafond d'encours» of a contact of
/// this company, as stored, inside the caller's transaction.
pub async fn commercial_tx(tx: &mut Tx, tenant: &Tenant, contact_id: i64) -> Result<Commercial, AppError> {
    let sql = "SELECT bloque, bloque_motif, plafond_encours FROM contact WHERE company_id = $1 AND id = $2";
    let row: Option<(i64, String, Option<i64>)> =
        on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(contact_id).fetch_optional(c).await).map_err(internal)?;
    let (bloque, motif, plafond) = row.ok_or_else(|| AppError::NotFound("Contact".into()))?;
    Ok(Commercial { bloque: bloque != 0, motif, plafond })
}

/// The bytes of «Porte doc» files a company keeps (their recorded sizes).
/// What the company's uploads take: «Porte doc» files and the files of its imports.
async fn stored_bytes(tx: &mut Tx, tenant: &Tenant) -> Result<i64, AppError> {
    let sql = "SELECT CAST(COALESCE((SELECT SUM(size) FROM stored_file WHERE company_id = $1), 0)                + COALESCE((SELECT SUM(LENGTH(content)) FROM import_job WHERE company_id = $1), 0) AS BIGINT)";
    on_conn!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(tenant.company_id()).fetch_one(c).await).map_err(internal)
}

/// Refuses a file that would take the company past [`STORAGE_QUOTA_BYTES`]. Two imports
/// of one company, even for two clients, check one after the other: on PostgreSQL a
/// transaction lock per company (SQLite has one writer at a time).
pub async fn check_quota(tx: &mut Tx, tenant: &Tenant, size: usize) -> Result<(), AppError> {
    crate::db::lock_key(tx, 7403, tenant.company_id()).await?;
    let used = stored_bytes(tx, tenant).await?;
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    if used.saturating_add(size) > STORAGE_QUOTA_BYTES {
        return Err(AppError::invalid(
            "fichier",
            format!(
                "Espace de stockage de l'entreprise plein : {} utilisés sur {}, ce fichier de {} n'y tient pas. Contactez l'administrateur d'Ouvrage pour l'agrandir.",
                size_fr(used),
                size_fr(STORAGE_QUOTA_BYTES),
                size_fr(size)
            ),
        ));
    }
    Ok(())
}

/// «Importer»: keeps a file in the client's «Porte doc», within the company's storage
/// space.
pub async fn import_file(
    tx: &mut Tx,
    tenant: &Tenant,
    user_id: i64,
    contact_id: i64,
    name: &str,
    mime: &str,
    data: &[u8],
) -> Result<i64, AppError> {
    crate::contacts::store::lock_statut(tx, tenant, contact_id).await?;
    check_quota(tx, tenant, data.len()).await?;
    let sql = "INSERT INTO stored_file (company_id, contact_id, name, mime, size, data, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id())
        .bind(contact_id)
        .bind(name)
        .bind(mime)
        .bind(data.len() as i64)
        .bind(data)
        .bind(user_id)
        .bind(now())
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(user_id), "contact", contact_id, "fichier", name).await?;
    Ok(id)
}

/// A file of this company: (name, type, bytes).
pub async fn file(db: &Db, tenant: &Tenant, id: i64) -> Result<(String, String, Vec<u8>), AppError> {
    let sql = "SELECT name, mime, data FROM stored_file WHERE company_id = $1 AND id = $2";
    on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound("Fichier".into()))
}
