//! The electronic forms of issued documents in the database (both drivers).

use sha2::{Digest, Sha256};

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::einvoice::model::EInvoice;
use crate::einvoice::platform::{EinvoiceState, PlatformForm, PlatformView, StatusView, status_label};
use crate::error::AppError;
use crate::{on_conn, on_pool};

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
    // A B2B invoice goes to the company's Plateforme Agréée when it has one (B2C sales are
    // e-reported instead).
    if header.professional && platform_enabled(tx, tenant).await? {
        crate::einvoice::outbox::enqueue_invoice(tx, tenant, id).await?;
    }
    Ok(())
}

async fn platform_enabled(tx: &mut Tx, tenant: &Tenant) -> Result<bool, AppError> {
    let sql = "SELECT enabled FROM einvoice_platform WHERE company_id = $1";
    let on: Option<bool> =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).fetch_optional(c).await).map_err(internal)?;
    Ok(on.unwrap_or(false))
}

/// Records a lifecycle status of a document, once per `event_id` (a PA that notifies
/// twice records it once). Returns whether it was new.
pub async fn add_status(
    tx: &mut Tx,
    tenant: &Tenant,
    document_id: i64,
    code: &str,
    reason: &str,
    amount: Option<i64>,
    at: i64,
    event_id: &str,
) -> Result<bool, AppError> {
    let sql = "INSERT INTO einvoice_status (company_id, document_id, code, reason, amount, status_at, received_at, event_id) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (company_id, event_id) DO NOTHING";
    let n = on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(document_id).bind(code).bind(reason).bind(amount).bind(at)
        .bind(now()).bind(event_id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if n == 1 {
        crate::db::audit(tx, tenant, None, "document", document_id, "statut_pa", &format!("{code} {}", status_label(code))).await?;
    }
    Ok(n == 1)
}

/// A document's deposit and lifecycle statuses, oldest first.
pub async fn state(db: &Db, tenant: &Tenant, document_id: i64) -> Result<EinvoiceState, AppError> {
    let cid = tenant.company_id();
    let exists = "SELECT COUNT(*) FROM document WHERE company_id = $1 AND id = $2";
    let n: i64 = on_pool!(db, c => sqlx::query_scalar(exists).bind(cid).bind(document_id).fetch_one(c).await).map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound("Pièce".into()));
    }
    let dsql =
        "SELECT id, status, flow_id, last_error FROM einvoice_deposit WHERE company_id = $1 AND document_id = $2 AND kind = 'facture'";
    let deposit: Option<(i64, String, String, String)> =
        on_pool!(db, c => sqlx::query_as(dsql).bind(cid).bind(document_id).fetch_optional(c).await).map_err(internal)?;
    let ssql =
        "SELECT code, reason, amount, status_at FROM einvoice_status WHERE company_id = $1 AND document_id = $2 ORDER BY status_at, id";
    let rows: Vec<(String, String, Option<i64>, i64)> =
        on_pool!(db, c => sqlx::query_as(ssql).bind(cid).bind(document_id).fetch_all(c).await).map_err(internal)?;
    let (deposit_id, deposit, flow_id, error) = match deposit {
        Some((id, s, f, e)) => (Some(id), s, f, e),
        None => (None, String::new(), String::new(), String::new()),
    };
    Ok(EinvoiceState {
        deposit,
        deposit_id,
        flow_id,
        error,
        statuses: rows
            .into_iter()
            .map(|(code, reason, amount, at)| StatusView {
                label: status_label(&code).to_string(),
                code,
                reason,
                amount,
                at: crate::fmt::datetime_fr(at),
            })
            .collect(),
    })
}

// ---- «Paramètres › Facturation électronique» ----------------------------------------

#[derive(sqlx::FromRow)]
struct PlatformRow {
    name: String,
    url: String,
    client_id: String,
    secret_sealed: String,
    enabled: bool,
    webhook_token_sealed: String,
    regime_tva: String,
}

async fn platform_row(tx: &mut Tx, tenant: &Tenant) -> Result<Option<PlatformRow>, AppError> {
    let sql = "SELECT name, url, client_id, secret_sealed, enabled, webhook_token_sealed, regime_tva FROM einvoice_platform WHERE company_id = $1";
    on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_optional(c).await).map_err(internal)
}

/// The settings as the page shows them.
pub async fn platform(tx: &mut Tx, tenant: &Tenant, key: &[u8; 32]) -> Result<PlatformView, AppError> {
    Ok(match platform_row(tx, tenant).await? {
        None => PlatformView { regime_tva: "simplifie".into(), ..PlatformView::default() },
        Some(r) => PlatformView {
            name: r.name,
            url: r.url,
            client_id: r.client_id,
            has_secret: !r.secret_sealed.is_empty(),
            enabled: r.enabled,
            regime_tva: r.regime_tva,
            webhook_token: crate::secret::unseal(key, &r.webhook_token_sealed).unwrap_or_default(),
        },
    })
}

/// The PA's address: https; http on the loopback only in a development build (a local
/// PA, the tests'): a production server never calls itself or its network in clear.
pub fn check_url(raw: &str) -> Result<String, AppError> {
    let u = raw.trim().trim_end_matches('/');
    let parsed = url::Url::parse(u).map_err(|_| AppError::invalid("url", "Adresse de l'API invalide (https://…)."))?;
    let loopback = cfg!(debug_assertions) && matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(AppError::invalid("url", "L'adresse de l'API de la plateforme doit commencer par https://."));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some() {
        return Err(AppError::invalid("url", "L'adresse de l'API ne contient ni identifiant, ni mot de passe, ni paramètres."));
    }
    Ok(u.to_string())
}

/// «Enregistrer»: checks, seals the secret (an empty one keeps the one kept), makes the
/// notification token at the first save, and journals what changed (never the secret).
pub async fn save_platform(tx: &mut Tx, tenant: &Tenant, user_id: i64, f: &PlatformForm, key: &[u8; 32]) -> Result<(), AppError> {
    let typed = vec![
        ("name".to_string(), f.name.clone()),
        ("url".to_string(), f.url.clone()),
        ("client_id".to_string(), f.client_id.clone()),
        ("enabled".to_string(), f.enabled.clone().unwrap_or_default()),
        ("regime_tva".to_string(), f.regime_tva.clone()),
    ];
    let regime = if f.regime_tva.trim().is_empty() { "simplifie" } else { f.regime_tva.trim() };
    if !crate::einvoice::platform::REGIMES.iter().any(|(c, _)| *c == regime) {
        return Err(AppError::invalid("regime_tva", "Régime de TVA inconnu.").with_values(typed));
    }
    let name = f.name.trim().to_string();
    let enabled = f.enabled.is_some();
    let url =
        if f.url.trim().is_empty() && !enabled { String::new() } else { check_url(&f.url).map_err(|e| e.with_values(typed.clone()))? };
    if name.chars().count() > 100 || f.client_id.chars().count() > 200 || f.secret.len() > 4096 {
        return Err(AppError::invalid("name", "Un champ est trop long.").with_values(typed));
    }
    if f.client_id.chars().any(char::is_control) || f.secret.chars().any(char::is_control) {
        return Err(AppError::invalid("secret", "Les identifiants ne contiennent pas de retour à la ligne.").with_values(typed));
    }
    let before = platform_row(tx, tenant).await?;
    let secret_sealed = match (f.secret.trim(), &before) {
        ("", Some(b)) => b.secret_sealed.clone(),
        ("", None) => String::new(),
        (s, _) => crate::secret::seal(key, s),
    };
    if enabled && (name.is_empty() || secret_sealed.is_empty()) {
        return Err(AppError::invalid(
            "enabled",
            "Pour déposer les factures, indiquez la plateforme, l'adresse de son API et son jeton d'accès.",
        )
        .with_values(typed));
    }
    let token_sealed = match before.as_ref().map(|b| b.webhook_token_sealed.clone()).filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => {
            let token: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
            crate::secret::seal(key, &token)
        }
    };
    let token_hash = crate::secret::unseal(key, &token_sealed).map(|t| token_digest(&t)).unwrap_or_default();
    let sql = "INSERT INTO einvoice_platform (company_id, name, url, client_id, secret_sealed, enabled, webhook_token_hash, webhook_token_sealed, updated_at, regime_tva) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (company_id) DO UPDATE SET name = $2, url = $3, client_id = $4, \
               secret_sealed = $5, enabled = $6, webhook_token_hash = $7, webhook_token_sealed = $8, updated_at = $9, regime_tva = $10";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(&name).bind(&url).bind(f.client_id.trim()).bind(&secret_sealed)
        .bind(enabled).bind(&token_hash).bind(&token_sealed).bind(now()).bind(regime).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    let mut changes = Vec::new();
    let b = before.as_ref();
    if b.map(|b| b.name.as_str()) != Some(name.as_str()) {
        changes.push(format!("Plateforme agréée : {name}"));
    }
    if b.map(|b| b.url.as_str()) != Some(url.as_str()) {
        changes.push(format!("Adresse de l'API : {url}"));
    }
    if b.map(|b| b.client_id.as_str()) != Some(f.client_id.trim()) {
        changes.push("Identifiant modifié".into());
    }
    if !f.secret.trim().is_empty() {
        changes.push("Jeton d'accès remplacé".into());
    }
    if b.map(|b| b.regime_tva.as_str()) != Some(regime) {
        changes.push(format!("Régime de TVA : {regime}"));
    }
    if b.map(|b| b.enabled) != Some(enabled) {
        changes.push(if enabled { "Dépôt des factures activé".into() } else { "Dépôt des factures désactivé".into() });
    }
    for c in changes {
        crate::db::audit(tx, tenant, Some(user_id), "company", tenant.company_id(), "facturation_electronique", &c).await?;
    }
    Ok(())
}

pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What the worker needs to call a company's PA: (url, organization id, bearer token).
pub async fn credentials(db: &Db, company_id: i64, key: &[u8; 32]) -> Result<Option<(String, String, String)>, AppError> {
    // A platform switched off sends nothing more (what waits fails with the reason).
    let sql = "SELECT url, client_id, secret_sealed FROM einvoice_platform WHERE company_id = $1 AND enabled = TRUE";
    let row: Option<(String, String, String)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(company_id).fetch_optional(c).await).map_err(internal)?;
    Ok(row.and_then(|(url, org, sealed)| crate::secret::unseal(key, &sealed).map(|token| (url, org, token))))
}

/// The company whose notification token this is.
pub async fn company_of_token(db: &Db, token: &str) -> Result<Option<i64>, AppError> {
    if token.trim().is_empty() {
        return Ok(None);
    }
    let sql = "SELECT company_id FROM einvoice_platform WHERE webhook_token_hash = $1";
    on_pool!(db, c => sqlx::query_scalar(sql).bind(token_digest(token)).fetch_optional(c).await).map_err(internal)
}

/// The document a deposited flow is (the PA's flow id, or our tracking id).
pub async fn document_of_flow(tx: &mut Tx, tenant: &Tenant, flow_id: &str, tracking_id: &str) -> Result<Option<i64>, AppError> {
    let sql = "SELECT document_id FROM einvoice_deposit WHERE company_id = $1 AND kind = 'facture' \
               AND (($2 <> '' AND flow_id = $2) OR ($3 <> '' AND idem_key = $3)) ORDER BY id LIMIT 1";
    on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(flow_id).bind(tracking_id).fetch_optional(c).await)
        .map_err(internal)
}

/// The document of an invoice number of this company.
pub async fn document_of_number(tx: &mut Tx, tenant: &Tenant, number: &str) -> Result<Option<i64>, AppError> {
    let sql = "SELECT id FROM document WHERE company_id = $1 AND number = $2 AND kind IN ('facture', 'avoir')";
    on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(number).fetch_optional(c).await).map_err(internal)
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

/// «Encaissée» (212, CGI art. 290 A): a payment on a B2B invoice deposited to the PA, for
/// services whose VAT is due on receipt (not under the «débits» option, not in franchise,
/// not in autoliquidation). The status is recorded and its CDAR queued for the PA, once
/// per payment, in the payment's transaction. «Mixte» counts as services (the
/// invoice's services cannot be told from its goods).
pub async fn after_payment(tx: &mut Tx, tenant: &Tenant, document_id: i64, payment_id: i64, cents: i64) -> Result<(), AppError> {
    let sql = "SELECT COUNT(*) FROM einvoice_deposit WHERE company_id = $1 AND document_id = $2 AND kind = 'facture'";
    let deposited: i64 =
        on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(document_id).fetch_one(c).await).map_err(internal)?;
    if deposited == 0 {
        return Ok(());
    }
    let view = crate::documents::store::view_tx(tx, tenant, document_id).await?;
    let header = crate::documents::store::header_tx(tx, tenant, view.contact_id).await?;
    let s = &header.seller;
    if !crate::einvoice::model::vat_on_receipt(s) || view.autoliquidation {
        return Ok(());
    }
    let key = format!("encaissee:{payment_id}");
    let xml = crate::einvoice::cdar::encaissee(&crate::einvoice::cdar::Paid {
        seller_siren: &s.siren,
        seller_name: s.raison_sociale.trim(),
        buyer_siren: &header.client_siren,
        buyer_name: header.buyer.name.trim(),
        number: view.number.as_deref().unwrap_or_default(),
        type_code: "380",
        invoice_date: &view.doc_date,
        by_rate: crate::einvoice::model::split_by_rate(cents, &view.totals.by_rate),
        at: chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
    });
    if add_status(tx, tenant, document_id, "212", "", Some(cents), now(), &key).await? {
        crate::einvoice::outbox::enqueue_status(tx, tenant, document_id, &key, &xml).await?;
    }
    Ok(())
}

/// A notification of the PA (its `Flow`, XP Z12-013): the acknowledgement of a deposit
/// (Ok: «Déposée»; Error: «Rejetée» with the reasons), or a lifecycle (CDAR) read from the
/// PA and recorded status by status, each once. Statuses for invoices we do not have are
/// counted and left alone. Returns (recorded, unknown invoices).
pub async fn notified(
    tx: &mut Tx,
    tenant: &Tenant,
    flow: &crate::einvoice::pa::FlowMeta,
    cdar: Option<&[u8]>,
) -> Result<(usize, Vec<String>), AppError> {
    let mut recorded = 0;
    let mut unknown = Vec::new();
    if let Some(bytes) = cdar {
        let statuses =
            crate::einvoice::cdar::parse(bytes).map_err(|why| AppError::invalid("flow", format!("Cycle de vie illisible : {why}.")))?;
        let own = crate::company::store::identity(tx, tenant).await?.siren;
        for s in statuses {
            // A status of another seller's invoice (a supplier's, which may bear the same
            // number) is not ours.
            let ours = s.issuer.is_empty() || s.issuer == own;
            let Some(doc) = document_of_number(tx, tenant, &s.invoice).await?.filter(|_| ours) else {
                unknown.push(s.invoice.clone());
                continue;
            };
            let at = crate::einvoice::cdar::timestamp(&s.at).unwrap_or_else(now);
            let event = format!("cdar:{}:{}:{}", flow.flow_id, s.document_id, s.code);
            if add_status(tx, tenant, doc, &s.code, &s.reason, None, at, &event).await? {
                recorded += 1;
            }
        }
        return Ok((recorded, unknown));
    }
    let Some(ack) = &flow.acknowledgement else { return Ok((0, unknown)) };
    let Some(doc) = document_of_flow(tx, tenant, &flow.flow_id, &flow.tracking_id).await? else {
        unknown.push(if flow.tracking_id.is_empty() { flow.flow_id.clone() } else { flow.tracking_id.clone() });
        return Ok((0, unknown));
    };
    let (code, reason) = match ack.status.as_str() {
        "Ok" => ("200", String::new()),
        "Error" => (
            "213",
            ack.details
                .iter()
                .map(|d| format!("{} {}", d.reason_code, d.reason_message).trim().to_string())
                .collect::<Vec<_>>()
                .join(" ; "),
        ),
        _ => return Ok((0, unknown)),
    };
    let event = if code == "200" { format!("depot:{}", flow.flow_id) } else { format!("ack:{}:{code}", flow.flow_id) };
    if add_status(tx, tenant, doc, code, &reason, None, now(), &event).await? {
        recorded += 1;
    }
    Ok((recorded, unknown))
}

/// The last lifecycle status of each of a client's documents that has one: (document,
/// label), for its «Porte doc».
pub async fn last_statuses(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    let sql = "SELECT s.document_id, s.code FROM einvoice_status s JOIN document d ON d.company_id = s.company_id AND d.id = s.document_id \
               WHERE s.company_id = $1 AND d.contact_id = $2 ORDER BY s.document_id, s.status_at, s.id";
    let rows: Vec<(i64, String)> =
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(contact_id).fetch_all(c).await).map_err(internal)?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for (doc, code) in rows {
        let label = status_label(&code).to_string();
        match out.last_mut() {
            Some(last) if last.0 == doc => last.1 = label,
            _ => out.push((doc, label)),
        }
    }
    Ok(out)
}
