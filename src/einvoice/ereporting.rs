//! E-reporting (flux 10 of the reform, DGFiP «Dossier de spécifications externes» v3.2,
//! §3.7; the XSD `ereporting.xsd` v3.2; docs/e-invoicing.md): the company's sales to
//! private clients (10.3, aggregated per day) and the payments of its service invoices
//! to private clients (10.4, per day and VAT rate), per period of its VAT regime, sent to
//! its Plateforme Agréée as a `Report` file (`flowSyntax` FRR, `processingRule` B2C).

use crate::einvoice::model::{amount, compact_date, percent};
use crate::einvoice::xml::Xml;

/// What a report carries: the sales (transactions, 10.3) or the payments (10.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Transactions,
    Paiements,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Transactions => "transactions",
            Kind::Paiements => "paiements",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Transactions => "Ventes aux particuliers",
            Kind::Paiements => "Encaissements (prestations aux particuliers)",
        }
    }
}

/// The period of `regime` and `kind` that contains `date`: (first day, last day). Réel
/// normal mensuel: sales by décade (1–10, 11–20, 21–end), payments by month; réel
/// trimestriel and simplifié: by month; franchise: by civil bimester (Jan–Feb, Mar–Apr…).
pub fn period_of(regime: &str, kind: Kind, date: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let month_start = |y: i32, m: u32| chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("a month");
    let next_month =
        |d: chrono::NaiveDate| if d.month() == 12 { month_start(d.year() + 1, 1) } else { month_start(d.year(), d.month() + 1) };
    let last_of_month = |d: chrono::NaiveDate| next_month(d).pred_opt().expect("a day");
    match (regime, kind) {
        ("reel_mensuel", Kind::Transactions) => {
            let (y, m) = (date.year(), date.month());
            let day = |d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a day");
            match date.day() {
                1..=10 => (day(1), day(10)),
                11..=20 => (day(11), day(20)),
                _ => (day(21), last_of_month(date)),
            }
        }
        ("franchise", _) => {
            let first = month_start(date.year(), date.month() - (date.month() - 1) % 2);
            (first, last_of_month(next_month(first)))
        }
        _ => (month_start(date.year(), date.month()), last_of_month(date)),
    }
}

/// One day of sales to private clients (10.3): HT, VAT, count, and per rate (rate, HT, VAT).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaySales {
    pub date: String,
    pub ht: i64,
    pub tva: i64,
    pub count: i64,
    pub by_rate: Vec<(i64, i64, i64)>,
}

/// One day of payments received (10.4): per rate (rate, amount TTC received).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayPayments {
    pub date: String,
    pub by_rate: Vec<(i64, i64)>,
}

/// The report file of one period.
pub struct Report<'a> {
    /// TT-1: unique per transmission.
    pub id: &'a str,
    /// IN (initiale) or RE (rectificative: replaces what was sent for the period).
    pub type_code: &'a str,
    pub issued_at: String,
    pub seller_siren: &'a str,
    pub seller_name: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    /// TT-81: TPS1 services, TLB1 goods.
    pub category: &'a str,
    /// TT-80, as BT-8.
    pub vat_due_code: &'a str,
    pub sales: Option<&'a [DaySales]>,
    pub payments: Option<&'a [DayPayments]>,
}

pub fn write(r: &Report) -> String {
    let mut x = Xml::new("Report", &[]);
    x.open("ReportDocument").leaf("Id", r.id).leaf("Name", &format!("E-reporting {} {}", r.seller_siren, r.id));
    x.open("IssueDateTime").leaf("DateTimeString", &r.issued_at).close();
    x.leaf("TypeCode", r.type_code);
    x.open("Sender").leaf_with("Id", &[("schemeId", "0002")], r.seller_siren).leaf("Name", r.seller_name).leaf("RoleCode", "SE").close();
    x.open("Issuer").leaf_with("Id", &[("schemeId", "0002")], r.seller_siren).leaf("Name", r.seller_name).leaf("RoleCode", "SE").close();
    x.close();
    if let Some(days) = r.sales {
        x.open("TransactionsReport");
        x.open("ReportPeriod").leaf("StartDate", &compact_date(r.start)).leaf("EndDate", &compact_date(r.end)).close();
        for d in days {
            x.open("Transactions").leaf("Date", &compact_date(&d.date)).leaf("TransactionsCurrency", "EUR");
            x.leaf("TaxDueDateTypeCode", r.vat_due_code).leaf("CategoryCode", r.category);
            x.leaf("TaxExclusiveAmount", &amount(d.ht)).leaf("TaxTotal", &amount(d.tva)).leaf("TransactionsCount", &d.count.to_string());
            for (bp, ht, tva) in &d.by_rate {
                x.open("TaxSubtotal")
                    .leaf("TaxPercent", &percent(*bp))
                    .leaf("TaxableAmount", &amount(*ht))
                    .leaf("TaxTotal", &amount(*tva))
                    .close();
            }
            x.close();
        }
        x.close();
    }
    if let Some(days) = r.payments {
        x.open("PaymentsReport");
        x.open("ReportPeriod").leaf("StartDate", &compact_date(r.start)).leaf("EndDate", &compact_date(r.end)).close();
        for d in days {
            x.open("Transactions").open("Payment").leaf("Date", &compact_date(&d.date));
            for (bp, paid) in &d.by_rate {
                x.open("SubTotals").leaf("TaxPercent", &percent(*bp)).leaf("CurrencyCode", "EUR").leaf("Amount", &amount(*paid)).close();
            }
            x.close().close();
        }
        x.close();
    }
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_follow_the_vat_regime() {
        let p = |regime, kind, date| {
            let (a, b) = period_of(regime, kind, d(date));
            (a.to_string(), b.to_string())
        };
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(p("reel_mensuel", Kind::Transactions, "2026-11-05"), s("2026-11-01", "2026-11-10"));
        assert_eq!(p("reel_mensuel", Kind::Transactions, "2026-11-20"), s("2026-11-11", "2026-11-20"));
        assert_eq!(p("reel_mensuel", Kind::Transactions, "2026-02-25"), s("2026-02-21", "2026-02-28"));
        assert_eq!(p("reel_mensuel", Kind::Paiements, "2026-11-25"), s("2026-11-01", "2026-11-30"));
        assert_eq!(p("simplifie", Kind::Transactions, "2026-12-31"), s("2026-12-01", "2026-12-31"));
        assert_eq!(p("franchise", Kind::Transactions, "2026-12-15"), s("2026-11-01", "2026-12-31"));
        assert_eq!(p("franchise", Kind::Paiements, "2026-01-15"), s("2026-01-01", "2026-02-28"));
    }
}

// ---- in the database ------------------------------------------------------------------

pub mod store {
    use super::*;
    use crate::db::{Db, Tenant, Tx, internal, now};
    use crate::einvoice::platform::PeriodView;
    use crate::error::AppError;
    use crate::on_conn;

    /// The company's regime, category (TT-81) and VAT due code; whether payments are
    /// reported (services with VAT due on receipt).
    async fn profile(tx: &mut Tx, tenant: &Tenant) -> Result<(String, &'static str, &'static str, bool), AppError> {
        let identity = crate::company::store::identity(tx, tenant).await?;
        let sql = "SELECT regime_tva FROM einvoice_platform WHERE company_id = $1";
        let regime: Option<String> =
            on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).fetch_optional(c).await).map_err(internal)?;
        let regime = if identity.franchise_tva { "franchise".to_string() } else { regime.unwrap_or_else(|| "simplifie".into()) };
        let category = if identity.franchise_tva {
            "TNT1"
        } else if crate::einvoice::model::services(&identity) {
            "TPS1"
        } else {
            "TLB1"
        };
        Ok((regime, category, crate::einvoice::model::vat_due_code(&identity), crate::einvoice::model::vat_on_receipt(&identity)))
    }

    /// Sales to private clients between two dates, per day (avoirs subtract).
    async fn sales(tx: &mut Tx, tenant: &Tenant, start: &str, end: &str) -> Result<Vec<DaySales>, AppError> {
        let sql = "SELECT d.doc_date, d.id, d.kind, l.vat_bp, CAST(SUM(l.total_ht) AS BIGINT), CAST(SUM(l.total_tva) AS BIGINT) \
                   FROM document d JOIN contact c ON c.company_id = d.company_id AND c.id = d.contact_id \
                   JOIN document_line l ON l.company_id = d.company_id AND l.document_id = d.id \
                   WHERE d.company_id = $1 AND d.kind IN ('facture', 'avoir') AND d.number IS NOT NULL AND c.type_client <> 'professionnel' \
                   AND d.doc_date >= $2 AND d.doc_date <= $3 AND d.autoliquidation = FALSE \
                   GROUP BY d.doc_date, d.id, d.kind, l.vat_bp ORDER BY d.doc_date, d.id, l.vat_bp DESC";
        let rows: Vec<(String, i64, String, i64, i64, i64)> =
            on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(start).bind(end).fetch_all(c).await).map_err(internal)?;
        let mut out: Vec<DaySales> = Vec::new();
        let mut last_doc = None;
        for (date, doc, kind, bp, ht, tva) in rows {
            let sign = if kind == "avoir" { -1 } else { 1 };
            if out.last().is_none_or(|d| d.date != date) {
                out.push(DaySales { date: date.clone(), ..Default::default() });
            }
            let day = out.last_mut().expect("a day");
            if last_doc != Some(doc) {
                day.count += 1;
                last_doc = Some(doc);
            }
            day.ht += sign * ht;
            day.tva += sign * tva;
            match day.by_rate.iter_mut().find(|r| r.0 == bp) {
                Some(r) => {
                    r.1 += sign * ht;
                    r.2 += sign * tva;
                }
                None => day.by_rate.push((bp, sign * ht, sign * tva)),
            }
        }
        Ok(out)
    }

    /// Payments received from private clients between two dates, per day and rate.
    async fn payments(tx: &mut Tx, tenant: &Tenant, start: &str, end: &str) -> Result<Vec<DayPayments>, AppError> {
        // One statement: each payment with its invoice's HT and VAT per rate.
        let sql = "SELECT p.paid_on, p.id, p.amount, l.vat_bp, CAST(SUM(l.total_ht) AS BIGINT), CAST(SUM(l.total_tva) AS BIGINT) \
                   FROM payment p JOIN document d ON d.company_id = p.company_id AND d.id = p.document_id \
                   JOIN contact c ON c.company_id = d.company_id AND c.id = d.contact_id \
                   JOIN document_line l ON l.company_id = d.company_id AND l.document_id = d.id \
                   WHERE p.company_id = $1 AND c.type_client <> 'professionnel' AND p.paid_on >= $2 AND p.paid_on <= $3 AND d.autoliquidation = FALSE \
                   GROUP BY p.paid_on, p.id, p.amount, l.vat_bp ORDER BY p.paid_on, p.id, l.vat_bp DESC";
        let rows: Vec<(String, i64, i64, i64, i64, i64)> =
            on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(start).bind(end).fetch_all(c).await).map_err(internal)?;
        let mut out: Vec<DayPayments> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let (date, payment, paid) = (rows[i].0.clone(), rows[i].1, rows[i].2);
            let by_rate: Vec<(i64, i64, i64)> = rows[i..].iter().take_while(|r| r.1 == payment).map(|r| (r.3, r.4, r.5)).collect();
            i += by_rate.len();
            if out.last().is_none_or(|d| d.date != date) {
                out.push(DayPayments { date, by_rate: Vec::new() });
            }
            let day = out.last_mut().expect("a day");
            for (bp, cents) in crate::einvoice::model::split_by_rate(paid, &by_rate) {
                match day.by_rate.iter_mut().find(|r| r.0 == bp) {
                    Some(r) => r.1 += cents,
                    None => day.by_rate.push((bp, cents)),
                }
            }
        }
        Ok(out)
    }

    /// The periods of the last `months` months to today, both kinds, newest first, with
    /// their totals and the state of their last transmission.
    pub async fn periods(db: &Db, tenant: &Tenant, today: chrono::NaiveDate, months: u32) -> Result<Vec<PeriodView>, AppError> {
        let mut tx = db.read().await?;
        let (regime, _, _, report_payments) = profile(&mut tx, tenant).await?;
        let mut out = Vec::new();
        let mut kinds = vec![Kind::Transactions];
        if report_payments {
            kinds.push(Kind::Paiements);
        }
        for kind in kinds {
            let mut date = today;
            let oldest = today.checked_sub_months(chrono::Months::new(months)).unwrap_or(today);
            while date >= oldest {
                let (start, end) = period_of(&regime, kind, date);
                let (s, e) = (start.to_string(), end.to_string());
                let (count, ht, paid) = match kind {
                    Kind::Transactions => {
                        let days = sales(&mut tx, tenant, &s, &e).await?;
                        (days.iter().map(|d| d.count).sum::<i64>(), days.iter().map(|d| d.ht).sum::<i64>(), 0)
                    }
                    Kind::Paiements => {
                        let days = payments(&mut tx, tenant, &s, &e).await?;
                        (days.len() as i64, 0, days.iter().flat_map(|d| d.by_rate.iter().map(|r| r.1)).sum::<i64>())
                    }
                };
                let sql = "SELECT r.type_code, COALESCE(x.status, ''), COALESCE(x.last_error, '') FROM ereport r \
                           LEFT JOIN einvoice_deposit x ON x.company_id = r.company_id AND x.idem_key = r.deposit_key \
                           WHERE r.company_id = $1 AND r.kind = $2 AND r.start_date = $3 ORDER BY r.seq DESC LIMIT 1";
                let last: Option<(String, String, String)> =
                    on_conn!(&mut tx, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(kind.code()).bind(&s).fetch_optional(c).await)
                        .map_err(internal)?;
                let ended = end < today;
                let state = match (&last, ended) {
                    (Some((_, st, _)), _) if st == "deposited" => "Transmise",
                    (Some((_, st, _)), _) if st == "failed" => "Refusée par la plateforme",
                    (Some((_, st, _)), _) if st == "uncertain" => "Envoi incertain",
                    (Some(_), _) => "En cours de transmission",
                    (None, false) => "En cours (période non terminée)",
                    (None, true) => "À transmettre",
                };
                out.push(PeriodView {
                    kind: kind.code().into(),
                    kind_label: kind.label().into(),
                    start: s,
                    end: e,
                    documents: count,
                    ht,
                    paid,
                    state: state.into(),
                    error: last.map(|l| l.2).unwrap_or_default(),
                    can_send: ended,
                });
                date = start.pred_opt().unwrap_or(oldest);
                if date < oldest {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// «Transmettre» an ended period: its report (IN the first time, RE after: it
    /// replaces what was sent) queued for the PA, once per click.
    pub async fn transmit(
        tx: &mut Tx,
        tenant: &Tenant,
        user_id: i64,
        kind: &str,
        start: &str,
        today: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        let kind = match kind {
            "transactions" => Kind::Transactions,
            "paiements" => Kind::Paiements,
            _ => return Err(AppError::invalid("kind", "Type de données inconnu.")),
        };
        let date = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").map_err(|_| AppError::invalid("start", "Période inconnue."))?;
        let (regime, category, due, report_payments) = profile(tx, tenant).await?;
        let (s, e) = period_of(&regime, kind, date);
        if s != date {
            return Err(AppError::invalid("start", "Période inconnue."));
        }
        if e >= today {
            return Err(AppError::invalid(
                "start",
                "Cette période n'est pas terminée : elle se transmet à partir du lendemain de son dernier jour.",
            ));
        }
        if kind == Kind::Paiements && !report_payments {
            return Err(AppError::invalid(
                "kind",
                "Les encaissements ne se déclarent que pour des prestations dont la TVA est due à l'encaissement.",
            ));
        }
        let (s, e) = (s.to_string(), e.to_string());
        let identity = crate::company::store::identity(tx, tenant).await?;
        crate::db::lock_key(tx, 7429, tenant.company_id()).await?;
        let sql = "SELECT COALESCE(MAX(seq), 0) FROM ereport WHERE company_id = $1 AND kind = $2 AND start_date = $3";
        let last: i64 =
            on_conn!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(tenant.company_id()).bind(kind.code()).bind(&s).fetch_one(c).await)
                .map_err(internal)?;
        let seq = last + 1;
        let (sales, pays) = match kind {
            Kind::Transactions => (Some(sales(tx, tenant, &s, &e).await?), None),
            Kind::Paiements => (None, Some(payments(tx, tenant, &s, &e).await?)),
        };
        let id = format!("ER-{}-{}-{}-{seq}", &kind.code()[..1].to_uppercase(), compact_date(&s), tenant.company_id());
        let type_code = if seq == 1 { "IN" } else { "RE" };
        let xml = write(&Report {
            id: &id,
            type_code,
            issued_at: chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
            seller_siren: &identity.siren,
            seller_name: identity.raison_sociale.trim(),
            start: &s,
            end: &e,
            category,
            vat_due_code: due,
            sales: sales.as_deref(),
            payments: pays.as_deref(),
        });
        let key = format!("ereporting:{}:{s}:{seq}", kind.code());
        let ins = "INSERT INTO ereport (company_id, kind, start_date, end_date, seq, type_code, deposit_key, created_by, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_conn!(tx, c => sqlx::query(ins).bind(tenant.company_id()).bind(kind.code()).bind(&s).bind(&e).bind(seq).bind(type_code).bind(&key)
            .bind(user_id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
        crate::einvoice::outbox::enqueue_report(tx, tenant, &key, &xml).await?;
        crate::db::audit(
            tx,
            tenant,
            Some(user_id),
            "company",
            tenant.company_id(),
            "e_reporting",
            &format!("{} du {s} au {e} ({type_code})", kind.label()),
        )
        .await?;
        Ok(())
    }
}
