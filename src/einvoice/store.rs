//! The electronic forms of issued documents in the database (both drivers).

use crate::db::{Tenant, Tx, internal};
use crate::einvoice::model::EInvoice;
use crate::error::AppError;
use crate::on_conn;

/// Makes and keeps the Factur-X, CII and UBL of a facture or avoir just issued, in the
/// issuing transaction (nothing for a devis). Called by the server function after
/// `documents::store::issue`.
pub async fn keep(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(), AppError> {
    let view = crate::documents::store::view_tx(tx, tenant, id).await?;
    let header = crate::documents::store::header_tx(tx, tenant, view.contact_id).await?;
    let Some(inv) = EInvoice::of(&header, &view) else { return Ok(()) };
    let cii = crate::einvoice::cii::write(&inv);
    let ubl = crate::einvoice::ubl::write(&inv);
    let facturx = crate::einvoice::facturx::render(&header, &view, &cii);
    if facturx.is_empty() {
        // Never issue an invoice without its electronic form (the render logged why).
        return Err(AppError::Internal);
    }
    let sql = "INSERT INTO document_einvoice (company_id, document_id, facturx, cii, ubl) VALUES ($1, $2, $3, $4, $5)";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(id).bind(&facturx).bind(&cii).bind(&ubl).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    Ok(())
}

/// Which form of a document: the Factur-X PDF, the UBL XML, the CII XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    FacturX,
    Ubl,
    Cii,
}

/// One electronic form of an issued document: (file name, type, bytes).
pub async fn form_tx(tx: &mut Tx, tenant: &Tenant, id: i64, form: Form) -> Result<Option<(String, &'static str, Vec<u8>)>, AppError> {
    const FROM: &str = "FROM document_einvoice e JOIN document d ON d.company_id = e.company_id AND d.id = e.document_id \
                        WHERE e.company_id = $1 AND e.document_id = $2";
    let cid = tenant.company_id();
    let (number, bytes) = if form == Form::FacturX {
        let sql = format!("SELECT d.number, e.facturx {FROM}");
        let row: Option<(Option<String>, Vec<u8>)> =
            on_conn!(tx, c => sqlx::query_as(&sql).bind(cid).bind(id).fetch_optional(c).await).map_err(internal)?;
        match row {
            Some(r) => r,
            None => return Ok(None),
        }
    } else {
        let sql = format!("SELECT d.number, e.{} {FROM}", if form == Form::Ubl { "ubl" } else { "cii" });
        let row: Option<(Option<String>, String)> =
            on_conn!(tx, c => sqlx::query_as(&sql).bind(cid).bind(id).fetch_optional(c).await).map_err(internal)?;
        match row {
            Some((n, text)) => (n, text.into_bytes()),
            None => return Ok(None),
        }
    };
    let number = number.unwrap_or_default();
    Ok(Some(match form {
        Form::FacturX => (format!("{number}.pdf"), "application/pdf", bytes),
        Form::Ubl => (format!("{number}-ubl.xml"), "application/xml", bytes),
        Form::Cii => (format!("{number}-cii.xml"), "application/xml", bytes),
    }))
}

/// The file an e-mail carries for a document: its Factur-X when it has one, else its PDF.
pub async fn attachment_tx(tx: &mut Tx, tenant: &Tenant, id: i64) -> Result<(String, Vec<u8>), AppError> {
    match form_tx(tx, tenant, id, Form::FacturX).await? {
        Some((name, _, bytes)) => Ok((name, bytes)),
        None => crate::documents::store::pdf_tx(tx, tenant, id).await,
    }
}
