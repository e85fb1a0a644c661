//! Lifecycle statuses as the reform carries them: UN/CEFACT Cross Domain Acknowledgement
//! and Response (CDAR D22B, the «CDV» profile `urn.cpro.gouv.fr:1p0:CDV:invoice`), the
//! files of `flowSyntax` CDAR on the PA's Flow Service (docs/e-invoicing.md). We write
//! «Encaissée» (212, the seller's) and read what the PA and the buyer send (200 Déposée,
//! 210 Refusée, 213 Rejetée…).

use crate::einvoice::model::{amount, compact_date};
use crate::einvoice::xml::Xml;

/// «Encaissée»: `paid` cents received on invoice `number` (type `type_code`, dated
/// `invoice_date` 'YYYY-MM-DD'), split by VAT rate (basis points, cents TTC), at `at`
/// ('YYYYMMDDHHMMSS', UTC).
pub struct Paid<'a> {
    pub seller_siren: &'a str,
    pub seller_name: &'a str,
    pub buyer_siren: &'a str,
    pub buyer_name: &'a str,
    pub number: &'a str,
    pub type_code: &'a str,
    pub invoice_date: &'a str,
    pub by_rate: Vec<(i64, i64)>,
    pub at: String,
}

pub fn encaissee(p: &Paid) -> String {
    let mut x = Xml::new(
        "rsm:CrossDomainAcknowledgementAndResponse",
        &[
            ("rsm", "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"),
            ("ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"),
            ("qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"),
            ("udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"),
        ],
    );
    x.open("rsm:ExchangedDocumentContext");
    x.open("ram:BusinessProcessSpecifiedDocumentContextParameter").leaf("ram:ID", "REGULATED").close();
    x.open("ram:GuidelineSpecifiedDocumentContextParameter").leaf("ram:ID", "urn.cpro.gouv.fr:1p0:CDV:invoice").close();
    x.close();
    x.open("rsm:ExchangedDocument");
    x.leaf("ram:ID", &format!("{}_212_{}#{}_{}", p.number, p.at, p.type_code, compact_date(p.invoice_date)));
    x.open("ram:IssueDateTime").leaf_with("udt:DateTimeString", &[("format", "204")], &p.at).close();
    x.open("ram:SenderTradeParty").leaf("ram:RoleCode", "WK").close();
    x.open("ram:IssuerTradeParty").leaf_with("ram:GlobalID", &[("schemeID", "0002")], p.seller_siren);
    x.leaf("ram:Name", p.seller_name).leaf("ram:RoleCode", "SE").close();
    x.open("ram:RecipientTradeParty").leaf_with("ram:GlobalID", &[("schemeID", "0002")], p.buyer_siren);
    x.leaf("ram:Name", p.buyer_name).leaf("ram:RoleCode", "BY");
    x.open("ram:URIUniversalCommunication").leaf_with("ram:URIID", &[("schemeID", "0225")], p.buyer_siren).close();
    x.close();
    x.open("ram:RecipientTradeParty").leaf_with("ram:GlobalID", &[("schemeID", "0238")], "9998");
    x.leaf("ram:Name", "PPF").leaf("ram:RoleCode", "DFH").close();
    x.close();
    x.open("rsm:AcknowledgementDocument");
    x.open("ram:MultipleReferencesIndicator").leaf("udt:Indicator", "false").close();
    x.leaf("ram:TypeCode", "23");
    x.open("ram:IssueDateTime").leaf_with("udt:DateTimeString", &[("format", "204")], &p.at).close();
    x.open("ram:ReferenceReferencedDocument");
    x.leaf("ram:IssuerAssignedID", p.number).leaf("ram:StatusCode", "47").leaf("ram:TypeCode", p.type_code);
    x.open("ram:FormattedIssueDateTime").leaf_with("qdt:DateTimeString", &[("format", "102")], &compact_date(p.invoice_date)).close();
    x.leaf("ram:ProcessConditionCode", "212").leaf("ram:ProcessCondition", "Encaissée");
    x.open("ram:IssuerTradeParty").leaf_with("ram:GlobalID", &[("schemeID", "0002")], p.seller_siren).close();
    x.open("ram:SpecifiedDocumentStatus");
    for (bp, cents) in &p.by_rate {
        x.open("ram:SpecifiedDocumentCharacteristic").leaf("ram:TypeCode", "MEN");
        x.open("ram:ValueChangedIndicator").leaf("udt:IndicatorString", "false").close();
        x.leaf_with("ram:ValueAmount", &[("currencyID", "EUR")], &amount(*cents));
        // Two decimals, as the CDV examples write the rate.
        x.leaf("ram:ValuePercent", &format!("{}.{:02}", bp / 100, bp % 100)).close();
    }
    x.finish()
}

/// One status a CDAR carries for one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The CDAR's own id (ExchangedDocument/ID): the event, once.
    pub document_id: String,
    /// BT-1 of the invoice it is about.
    pub invoice: String,
    /// The SIREN of that invoice's seller, when the CDAR gives it.
    pub issuer: String,
    /// ProcessConditionCode: 200, 210, 213…
    pub code: String,
    pub reason: String,
    /// 'YYYYMMDDHHMMSS' (format 204) or 'YYYYMMDD', as given.
    pub at: String,
}

/// The statuses of a CDAR file. A file with a DOCTYPE (entities, XXE, billion laughs) is
/// refused, never expanded (`xml::parse_xml`); so is one that is not a CDAR.
pub fn parse(xml: &[u8]) -> Result<Vec<Status>, String> {
    let root = crate::einvoice::xml::parse_xml(xml)?;
    if root.name != "CrossDomainAcknowledgementAndResponse" {
        return Err(format!("pas un CDAR (racine {})", root.name));
    }
    let document_id = root.text_at(&["ExchangedDocument", "ID"]);
    let ack = root.child("AcknowledgementDocument").ok_or("aucun statut de facture dans ce CDAR")?;
    let at = ack.text_at(&["IssueDateTime", "DateTimeString"]);
    let out: Vec<Status> = ack
        .all("ReferenceReferencedDocument")
        .map(|r| {
            let status = r.child("SpecifiedDocumentStatus");
            let reason = status.map(|s| s.text_at(&["Reason"])).filter(|t| !t.is_empty());
            Status {
                document_id: document_id.clone(),
                invoice: r.text_at(&["IssuerAssignedID"]),
                issuer: r.text_at(&["IssuerTradeParty", "GlobalID"]),
                code: r.text_at(&["ProcessConditionCode"]),
                reason: reason.or_else(|| status.map(|s| s.text_at(&["ReasonCode"]))).unwrap_or_default(),
                at: at.clone(),
            }
        })
        .filter(|s| !s.invoice.is_empty() && !s.code.is_empty())
        .collect();
    if out.is_empty() {
        return Err("aucun statut de facture dans ce CDAR".into());
    }
    Ok(out)
}

/// 'YYYYMMDDHHMMSS' or 'YYYYMMDD' (UTC) → Unix seconds.
pub fn timestamp(at: &str) -> Option<i64> {
    let digits: String = at.chars().filter(char::is_ascii_digit).collect();
    let (date, time) = digits.split_at(digits.len().min(8));
    let d = chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
    let t = if time.len() >= 6 { chrono::NaiveTime::parse_from_str(&time[..6], "%H%M%S").ok()? } else { chrono::NaiveTime::MIN };
    Some(d.and_time(t).and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encaissee_reads_back_and_entities_are_refused() {
        let xml = encaissee(&Paid {
            seller_siren: "443061841",
            seller_name: "Dupont & Fils",
            buyer_siren: "552100554",
            buyer_name: "Bâtisseurs",
            number: "F-2026-00007",
            type_code: "380",
            invoice_date: "2026-12-01",
            by_rate: vec![(2000, 12_000), (1000, 5_500)],
            at: "20261206101500".into(),
        });
        assert!(xml.contains("<ram:ID>F-2026-00007_212_20261206101500#380_20261201</ram:ID>"));
        assert!(xml.contains("<ram:ValueAmount currencyID=\"EUR\">120.00</ram:ValueAmount><ram:ValuePercent>20.00</ram:ValuePercent>"));
        let s = parse(xml.as_bytes()).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].invoice.as_str(), s[0].code.as_str(), s[0].at.as_str()), ("F-2026-00007", "212", "20261206101500"));
        assert_eq!(s[0].document_id, "F-2026-00007_212_20261206101500#380_20261201");
        assert_eq!(timestamp("20261206101500"), Some(1_796_552_100));
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><rsm:CrossDomainAcknowledgementAndResponse>&b;</rsm:CrossDomainAcknowledgementAndResponse>";
        assert!(parse(bomb.as_bytes()).unwrap_err().contains("DOCTYPE"));
        assert!(parse(b"<Invoice/>").unwrap_err().contains("pas un CDAR"));
        assert!(parse(b"not xml <<<").is_err());
    }
}
