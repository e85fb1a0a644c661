//! Invoices received from suppliers (issue 29, item 6; docs/e-invoicing.md): a Factur-X
//! PDF, a CII or a UBL file is read into the EN 16931 terms, checked with the rules of
//! EN 16931 that decide whether its figures can be trusted (each refusal names its rule),
//! and kept with its original. A file with a DOCTYPE (entities: XXE, billion laughs) is
//! refused before anything is expanded; sizes and depths are bounded.

use crate::einvoice::xml::{Node, XML_MAX_BYTES, parse_xml};

/// A received invoice in the EN 16931 terms a person reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// CII or UBL.
    pub syntax: &'static str,
    pub number: String,
    pub type_code: String,
    /// 'YYYY-MM-DD'
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    pub seller_name: String,
    pub seller_siren: String,
    pub seller_vat: String,
    pub seller_address: String,
    /// The seller's address as its fields: line, postcode, city.
    pub seller_postal: (String, String, String),
    pub buyer_name: String,
    pub buyer_siren: String,
    pub lines: Vec<ReceivedLine>,
    /// (category, rate, base, tax), cents and basis points.
    pub vat: Vec<(String, i64, i64, i64)>,
    pub line_total: i64,
    pub allowances: i64,
    pub charges: i64,
    pub tax_basis: i64,
    pub tax_total: i64,
    pub grand_total: i64,
    pub prepaid: i64,
    pub rounding: i64,
    pub due_payable: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedLine {
    pub id: String,
    pub name: String,
    /// Thousandths (rounded).
    pub quantity_milli: i64,
    pub unit: String,
    /// Cents (rounded to the cent for display).
    pub price: i64,
    pub net: i64,
    pub vat_category: String,
    pub vat_bp: i64,
}

/// «123.45» → cents; None if not a decimal with at most 2 decimals.
fn cents(raw: &str) -> Option<i64> {
    let t = raw.trim();
    let (neg, t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    if i.is_empty() || f.len() > 2 || !i.bytes().all(|b| b.is_ascii_digit()) || !f.bytes().all(|b| b.is_ascii_digit()) || i.len() > 15 {
        return None;
    }
    let v = i.parse::<i64>().ok()? * 100 + format!("{f:0<2}").parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// A decimal scaled by `scale` (1000: thousandths), rounded half away from zero.
fn scaled(raw: &str, scale: i64) -> Option<i64> {
    let v: f64 = raw.trim().parse().ok()?;
    if !v.is_finite() || v.abs() > 1e12 {
        return None;
    }
    Some((v * scale as f64).round() as i64)
}

/// 'YYYYMMDD' or 'YYYY-MM-DD' → 'YYYY-MM-DD'.
fn iso(raw: &str) -> String {
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    if d.len() >= 8 { format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]) } else { String::new() }
}

/// A refusal: the rule (EN 16931's identifier) and what it says, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.rule, self.message)
    }
}

fn amount_at(n: &Node, path: &[&str], rule: &'static str, what: &str) -> Result<i64, Refusal> {
    let raw = n.text_at(path);
    if raw.is_empty() {
        return Ok(0);
    }
    cents(&raw).ok_or_else(|| Refusal { rule, message: format!("{what} n'est pas un montant (« {raw} »).") })
}

/// Reads a CII (Factur-X) or UBL invoice.
pub fn read(root: &Node) -> Result<Received, Refusal> {
    match root.name.as_str() {
        "CrossIndustryInvoice" => read_cii(root),
        "Invoice" | "CreditNote" => read_ubl(root),
        other => Err(Refusal { rule: "SYNTAX", message: format!("ni CII ni UBL (élément racine « {other} »).") }),
    }
}

fn read_cii(root: &Node) -> Result<Received, Refusal> {
    let doc = root.child("ExchangedDocument");
    let tx = root.child("SupplyChainTradeTransaction").ok_or(Refusal { rule: "BR-16", message: "aucune transaction ni ligne.".into() })?;
    let agreement = tx.child("ApplicableHeaderTradeAgreement");
    let settlement = tx.child("ApplicableHeaderTradeSettlement");
    let party = |name: &str| agreement.and_then(|a| a.child(name));
    let seller = party("SellerTradeParty");
    let buyer = party("BuyerTradeParty");
    let address = |p: Option<&Node>| {
        p.and_then(|p| p.child("PostalTradeAddress"))
            .map(|a| {
                [a.text_at(&["LineOne"]), a.text_at(&["PostcodeCode"]), a.text_at(&["CityName"]), a.text_at(&["CountryID"])]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    let sum = settlement.and_then(|s| s.child("SpecifiedTradeSettlementHeaderMonetarySummation")).cloned().unwrap_or_default();
    let mut r = Received {
        syntax: "CII",
        number: doc.map(|d| d.text_at(&["ID"])).unwrap_or_default(),
        type_code: doc.map(|d| d.text_at(&["TypeCode"])).unwrap_or_default(),
        issue_date: iso(&doc.map(|d| d.text_at(&["IssueDateTime", "DateTimeString"])).unwrap_or_default()),
        due_date: iso(&settlement
            .map(|s| s.text_at(&["SpecifiedTradePaymentTerms", "DueDateDateTime", "DateTimeString"]))
            .unwrap_or_default()),
        currency: settlement.map(|s| s.text_at(&["InvoiceCurrencyCode"])).unwrap_or_default(),
        seller_name: seller.map(|s| s.text_at(&["Name"])).unwrap_or_default(),
        seller_siren: seller.map(|s| s.text_at(&["SpecifiedLegalOrganization", "ID"])).unwrap_or_default(),
        seller_vat: seller
            .and_then(|s| s.all("SpecifiedTaxRegistration").find(|t| t.child("ID").and_then(|i| i.attr("schemeID")) == Some("VA")))
            .map(|t| t.text_at(&["ID"]))
            .unwrap_or_default(),
        seller_address: address(seller),
        seller_postal: seller
            .and_then(|s| s.child("PostalTradeAddress"))
            .map(|a| (a.text_at(&["LineOne"]), a.text_at(&["PostcodeCode"]), a.text_at(&["CityName"])))
            .unwrap_or_default(),
        buyer_name: buyer.map(|s| s.text_at(&["Name"])).unwrap_or_default(),
        buyer_siren: buyer.map(|s| s.text_at(&["SpecifiedLegalOrganization", "ID"])).unwrap_or_default(),
        line_total: amount_at(&sum, &["LineTotalAmount"], "BR-CO-10", "Le total des lignes (BT-106)")?,
        allowances: amount_at(&sum, &["AllowanceTotalAmount"], "BR-CO-11", "Le total des remises (BT-107)")?,
        charges: amount_at(&sum, &["ChargeTotalAmount"], "BR-CO-12", "Le total des frais (BT-108)")?,
        tax_basis: amount_at(&sum, &["TaxBasisTotalAmount"], "BR-13", "Le total HT (BT-109)")?,
        tax_total: amount_at(&sum, &["TaxTotalAmount"], "BR-CO-14", "Le total de TVA (BT-110)")?,
        grand_total: amount_at(&sum, &["GrandTotalAmount"], "BR-14", "Le total TTC (BT-112)")?,
        prepaid: amount_at(&sum, &["TotalPrepaidAmount"], "BR-CO-16", "Le montant payé (BT-113)")?,
        rounding: amount_at(&sum, &["RoundingAmount"], "BR-CO-16", "L'arrondi (BT-114)")?,
        due_payable: amount_at(&sum, &["DuePayableAmount"], "BR-15", "Le net à payer (BT-115)")?,
        ..Default::default()
    };
    for item in tx.all("IncludedSupplyChainTradeLineItem") {
        let settle = item.child("SpecifiedLineTradeSettlement");
        let tax = settle.and_then(|s| s.child("ApplicableTradeTax"));
        let qty = item.at(&["SpecifiedLineTradeDelivery", "BilledQuantity"]);
        r.lines.push(ReceivedLine {
            id: item.text_at(&["AssociatedDocumentLineDocument", "LineID"]),
            name: item.text_at(&["SpecifiedTradeProduct", "Name"]),
            quantity_milli: qty.and_then(|q| scaled(&q.text, 1000)).unwrap_or(0),
            unit: qty.and_then(|q| q.attr("unitCode")).unwrap_or_default().to_string(),
            price: scaled(&item.text_at(&["SpecifiedLineTradeAgreement", "NetPriceProductTradePrice", "ChargeAmount"]), 100).unwrap_or(0),
            net: settle
                .map(|s| {
                    amount_at(
                        s,
                        &["SpecifiedTradeSettlementLineMonetarySummation", "LineTotalAmount"],
                        "BR-24",
                        "Le montant net d'une ligne (BT-131)",
                    )
                })
                .transpose()?
                .unwrap_or(0),
            vat_category: tax.map(|t| t.text_at(&["CategoryCode"])).unwrap_or_default(),
            vat_bp: tax.and_then(|t| scaled(&t.text_at(&["RateApplicablePercent"]), 100)).unwrap_or(0),
        });
    }
    for t in settlement.map(|s| s.all("ApplicableTradeTax").collect::<Vec<_>>()).unwrap_or_default() {
        r.vat.push((
            t.text_at(&["CategoryCode"]),
            scaled(&t.text_at(&["RateApplicablePercent"]), 100).unwrap_or(0),
            amount_at(t, &["BasisAmount"], "BR-45", "La base d'un taux de TVA (BT-116)")?,
            amount_at(t, &["CalculatedAmount"], "BR-46", "La TVA d'un taux (BT-117)")?,
        ));
    }
    Ok(r)
}

fn read_ubl(root: &Node) -> Result<Received, Refusal> {
    let credit = root.name == "CreditNote";
    let party = |name: &str| root.at(&[name, "Party"]);
    let seller = party("AccountingSupplierParty");
    let buyer = party("AccountingCustomerParty");
    let address = |p: Option<&Node>| {
        p.and_then(|p| p.child("PostalAddress"))
            .map(|a| {
                [
                    a.text_at(&["StreetName"]),
                    a.text_at(&["PostalZone"]),
                    a.text_at(&["CityName"]),
                    a.text_at(&["Country", "IdentificationCode"]),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
            })
            .unwrap_or_default()
    };
    let sum = root.child("LegalMonetaryTotal").cloned().unwrap_or_default();
    let tax_total = root.all("TaxTotal").find(|t| t.child("TaxSubtotal").is_some()).or_else(|| root.child("TaxTotal"));
    let mut r = Received {
        syntax: "UBL",
        number: root.text_at(&["ID"]),
        type_code: root.text_at(&[if credit { "CreditNoteTypeCode" } else { "InvoiceTypeCode" }]),
        issue_date: iso(&root.text_at(&["IssueDate"])),
        due_date: iso(&root.text_at(&["DueDate"])),
        currency: root.text_at(&["DocumentCurrencyCode"]),
        seller_name: seller.map(|s| s.text_at(&["PartyLegalEntity", "RegistrationName"])).unwrap_or_default(),
        seller_siren: seller.map(|s| s.text_at(&["PartyLegalEntity", "CompanyID"])).unwrap_or_default(),
        seller_vat: seller
            .and_then(|s| s.all("PartyTaxScheme").find(|t| t.text_at(&["TaxScheme", "ID"]) == "VAT"))
            .map(|t| t.text_at(&["CompanyID"]))
            .unwrap_or_default(),
        seller_address: address(seller),
        seller_postal: seller
            .and_then(|s| s.child("PostalAddress"))
            .map(|a| (a.text_at(&["StreetName"]), a.text_at(&["PostalZone"]), a.text_at(&["CityName"])))
            .unwrap_or_default(),
        buyer_name: buyer.map(|s| s.text_at(&["PartyLegalEntity", "RegistrationName"])).unwrap_or_default(),
        buyer_siren: buyer.map(|s| s.text_at(&["PartyLegalEntity", "CompanyID"])).unwrap_or_default(),
        line_total: amount_at(&sum, &["LineExtensionAmount"], "BR-CO-10", "Le total des lignes (BT-106)")?,
        allowances: amount_at(&sum, &["AllowanceTotalAmount"], "BR-CO-11", "Le total des remises (BT-107)")?,
        charges: amount_at(&sum, &["ChargeTotalAmount"], "BR-CO-12", "Le total des frais (BT-108)")?,
        tax_basis: amount_at(&sum, &["TaxExclusiveAmount"], "BR-13", "Le total HT (BT-109)")?,
        tax_total: tax_total.map(|t| amount_at(t, &["TaxAmount"], "BR-CO-14", "Le total de TVA (BT-110)")).transpose()?.unwrap_or(0),
        grand_total: amount_at(&sum, &["TaxInclusiveAmount"], "BR-14", "Le total TTC (BT-112)")?,
        prepaid: amount_at(&sum, &["PrepaidAmount"], "BR-CO-16", "Le montant payé (BT-113)")?,
        rounding: amount_at(&sum, &["PayableRoundingAmount"], "BR-CO-16", "L'arrondi (BT-114)")?,
        due_payable: amount_at(&sum, &["PayableAmount"], "BR-15", "Le net à payer (BT-115)")?,
        ..Default::default()
    };
    let (line_tag, qty_tag) = if credit { ("CreditNoteLine", "CreditedQuantity") } else { ("InvoiceLine", "InvoicedQuantity") };
    for l in root.all(line_tag) {
        let cat = l.at(&["Item", "ClassifiedTaxCategory"]);
        let qty = l.child(qty_tag);
        r.lines.push(ReceivedLine {
            id: l.text_at(&["ID"]),
            name: l.text_at(&["Item", "Name"]),
            quantity_milli: qty.and_then(|q| scaled(&q.text, 1000)).unwrap_or(0),
            unit: qty.and_then(|q| q.attr("unitCode")).unwrap_or_default().to_string(),
            price: scaled(&l.text_at(&["Price", "PriceAmount"]), 100).unwrap_or(0),
            net: amount_at(l, &["LineExtensionAmount"], "BR-24", "Le montant net d'une ligne (BT-131)")?,
            vat_category: cat.map(|c| c.text_at(&["ID"])).unwrap_or_default(),
            vat_bp: cat.and_then(|c| scaled(&c.text_at(&["Percent"]), 100)).unwrap_or(0),
        });
    }
    for t in tax_total.map(|t| t.all("TaxSubtotal").collect::<Vec<_>>()).unwrap_or_default() {
        r.vat.push((
            t.text_at(&["TaxCategory", "ID"]),
            scaled(&t.text_at(&["TaxCategory", "Percent"]), 100).unwrap_or(0),
            amount_at(t, &["TaxableAmount"], "BR-45", "La base d'un taux de TVA (BT-116)")?,
            amount_at(t, &["TaxAmount"], "BR-46", "La TVA d'un taux (BT-117)")?,
        ));
    }
    Ok(r)
}

/// The rules of EN 16931 that decide whether a received invoice can be read and its
/// figures trusted (identifiers as the standard names them); the first that fails.
pub fn check(r: &Received) -> Result<(), Refusal> {
    let need = |ok: bool, rule: &'static str, message: &str| if ok { Ok(()) } else { Err(Refusal { rule, message: message.to_string() }) };
    need(!r.number.is_empty(), "BR-02", "La facture n'a pas de numéro (BT-1).")?;
    need(r.issue_date.len() == 10, "BR-03", "La facture n'a pas de date d'émission (BT-2).")?;
    need(!r.type_code.is_empty(), "BR-04", "La facture n'a pas de code de type (BT-3).")?;
    need(!r.currency.is_empty(), "BR-05", "La facture n'a pas de devise (BT-5).")?;
    need(!r.seller_name.is_empty(), "BR-06", "Le nom du vendeur manque (BT-27).")?;
    need(!r.buyer_name.is_empty(), "BR-07", "Le nom de l'acheteur manque (BT-44).")?;
    need(!r.lines.is_empty(), "BR-16", "La facture n'a aucune ligne (BG-25).")?;
    for l in &r.lines {
        need(!l.id.is_empty(), "BR-21", "Une ligne n'a pas d'identifiant (BT-126).")?;
        need(!l.unit.is_empty(), "BR-23", &format!("La ligne {} n'a pas d'unité de mesure (BT-130).", l.id))?;
        need(!l.name.is_empty(), "BR-25", &format!("La ligne {} n'a pas de désignation (BT-153).", l.id))?;
        need(l.price >= 0, "BR-27", &format!("Le prix net de la ligne {} est négatif (BT-146).", l.id))?;
    }
    // Sums in i128: a hostile file's amounts cannot overflow them.
    let lines: i128 = r.lines.iter().map(|l| l.net as i128).sum();
    need(
        lines == r.line_total as i128,
        "BR-CO-10",
        &format!(
            "Le total des lignes (BT-106) vaut {} et la somme des lignes {}.",
            crate::fmt::euros(r.line_total),
            i64::try_from(lines).map(crate::fmt::euros).unwrap_or_else(|_| "hors limites".into())
        ),
    )?;
    need(
        r.tax_basis as i128 == r.line_total as i128 - r.allowances as i128 + r.charges as i128,
        "BR-CO-13",
        "Le total HT (BT-109) n'est pas le total des lignes moins les remises plus les frais.",
    )?;
    let vat: i128 = r.vat.iter().map(|v| v.3 as i128).sum();
    need(vat == r.tax_total as i128, "BR-CO-14", "Le total de TVA (BT-110) n'est pas la somme de la TVA par taux (BT-117).")?;
    need(
        r.grand_total as i128 == r.tax_basis as i128 + r.tax_total as i128,
        "BR-CO-15",
        "Le total TTC (BT-112) n'est pas le total HT plus la TVA.",
    )?;
    need(
        r.due_payable as i128 == r.grand_total as i128 - r.prepaid as i128 + r.rounding as i128,
        "BR-CO-16",
        "Le net à payer (BT-115) n'est pas le total TTC moins le déjà payé plus l'arrondi.",
    )?;
    need(!r.vat.is_empty(), "BR-CO-18", "La facture n'a pas de ventilation de TVA (BG-23).")?;
    let rate_ok = |bp: i64| (0..=10_000).contains(&bp);
    need(
        r.vat.iter().all(|v| rate_ok(v.1)) && r.lines.iter().all(|l| rate_ok(l.vat_bp)),
        "BR-DEC",
        "Un taux de TVA n'est pas un pourcentage de 0 à 100.",
    )?;
    for (cat, bp, base, tax) in &r.vat {
        let of_lines: i64 = r.lines.iter().filter(|l| &l.vat_category == cat && l.vat_bp == *bp).map(|l| l.net).sum();
        if cat == "S" {
            need(
                *base == of_lines,
                "BR-S-08",
                &format!("La base de TVA à {} (BT-116) n'est pas la somme de ses lignes.", crate::fmt::percent_bp(*bp)),
            )?;
            let expected = crate::documents::model::mul_div_round(*base, *bp, 10_000);
            need(
                (*tax - expected).abs() <= 1,
                "BR-S-09",
                &format!("La TVA à {} % (BT-117) ne vaut pas sa base × son taux.", crate::fmt::percent_bp(*bp)),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_depth_and_size_are_refused_before_anything_is_expanded() {
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><Invoice>&lol2;</Invoice>";
        assert!(parse_xml(laughs.as_bytes()).unwrap_err().contains("DOCTYPE"));
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Invoice>&x;</Invoice>";
        assert!(parse_xml(xxe.as_bytes()).unwrap_err().contains("DOCTYPE"));
        assert!(parse_xml(b"<Invoice>&x;</Invoice>").unwrap_err().contains("entit"));
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(parse_xml(deep.as_bytes()).unwrap_err().contains("profond"));
        assert!(parse_xml(&vec![b' '; XML_MAX_BYTES + 1]).unwrap_err().contains("trop gros"));
        let ok = parse_xml("<r a=\"1 &amp; 2\"><b>x &lt; y &#233;</b></r>".as_bytes()).unwrap();
        assert_eq!((ok.attr("a"), ok.text_at(&["b"]).as_str()), (Some("1 & 2"), "x < y é"));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("-0.05"), Some(-5));
        assert_eq!(cents("1.234"), None);
    }
}

/// The XML a Factur-X PDF carries: the embedded file streams (`/Type /EmbeddedFile`, never
/// inside object streams) are inflated, at most [`XML_MAX_BYTES`] each (a deflate bomb
/// stops there), and the first whose root is a CII invoice is returned.
pub fn xml_of_pdf(pdf: &[u8]) -> Result<Vec<u8>, String> {
    if !pdf.starts_with(b"%PDF-") {
        return Err("ce n'est pas un PDF".into());
    }
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..).and_then(|h| h.windows(needle.len()).position(|w| w == needle)).map(|p| p + from)
    };
    let mut at = 0;
    let mut embedded = 0;
    // The last object header seen, found going forward once (never searched backwards).
    let (mut obj, mut obj_from) = (0usize, 0usize);
    while let Some(kw) = find(pdf, b"stream", at) {
        at = kw + 6;
        // Not the end of an `endstream`.
        if kw >= 3 && &pdf[kw - 3..kw] == b"end" {
            continue;
        }
        // The stream's whole dictionary: from its object's header (nested dictionaries,
        // such as `/Params`, are inside).
        while let Some(o) = find(&pdf[..kw], b" obj", obj_from) {
            obj = o;
            obj_from = o + 4;
        }
        let dict_start = obj;
        let dict = &pdf[dict_start..kw];
        let is_file = find(dict, b"/EmbeddedFile", 0).is_some();
        let data_start = kw
            + 6
            + match pdf.get(kw + 6) {
                Some(b'\r') => 2,
                Some(b'\n') => 1,
                _ => 0,
            };
        let Some(data_end) = find(pdf, b"endstream", data_start) else { break };
        at = data_end;
        if !is_file {
            continue;
        }
        embedded += 1;
        if embedded > 8 {
            return Err("trop de fichiers joints dans ce PDF".into());
        }
        let mut data = &pdf[data_start..data_end];
        while let Some((last, rest)) = data.split_last() {
            if matches!(last, b'\r' | b'\n') { data = rest } else { break }
        }
        let xml = if find(dict, b"/FlateDecode", 0).is_some() {
            miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, XML_MAX_BYTES)
                .map_err(|_| format!("fichier joint illisible ou de plus de {} Mo", XML_MAX_BYTES >> 20))?
        } else if find(dict, b"/Filter", 0).is_none() {
            data.to_vec()
        } else {
            continue;
        };
        if parse_xml(&xml).is_ok_and(|root| root.name == "CrossIndustryInvoice") {
            return Ok(xml);
        }
    }
    Err(if embedded == 0 {
        "PDF sans facture électronique jointe (pas de factur-x.xml) : ce n'est pas une Factur-X".into()
    } else {
        "aucun fichier joint du PDF n'est une facture CII".into()
    })
}

// ---- in the database ------------------------------------------------------------------

pub mod store {
    use super::*;
    use crate::db::{Db, Tenant, Tx, internal, now};
    use crate::einvoice::platform::{ReceivedDetail, ReceivedLineView, ReceivedView};
    use crate::error::AppError;
    use crate::{on_conn, on_pool};

    fn refused(why: String) -> AppError {
        AppError::invalid("fichier", format!("Facture refusée : {why}"))
    }

    /// Reads and checks a received file: a Factur-X PDF, a CII or a UBL (CPU only: the
    /// caller runs it off the request's thread). Refused with the failing rule.
    pub fn read_file(data: &[u8]) -> Result<Received, AppError> {
        let xml = if data.starts_with(b"%PDF-") { xml_of_pdf(data).map_err(refused)? } else { data.to_vec() };
        let root = parse_xml(&xml).map_err(refused)?;
        let r = read(&root).map_err(|e| refused(e.to_string()))?;
        check(&r).map_err(|e| refused(e.to_string()))?;
        Ok(r)
    }

    /// Keeps a received invoice read by [`read_file`], with its original; an invoice
    /// already received (same supplier and number) is refused. Returns its id.
    pub async fn receive(tx: &mut Tx, tenant: &Tenant, user_id: i64, name: &str, data: &[u8], r: &Received) -> Result<i64, AppError> {
        let is_pdf = data.starts_with(b"%PDF-");
        crate::documents::store::check_quota(tx, tenant, data.len()).await?;
        let detail = ReceivedDetail {
            lines: r
                .lines
                .iter()
                .map(|l| ReceivedLineView {
                    name: l.name.clone(),
                    quantity_milli: l.quantity_milli,
                    unit: l.unit.clone(),
                    price: l.price,
                    net: l.net,
                    vat_bp: l.vat_bp,
                })
                .collect(),
            vat: r.vat.clone(),
        };
        let dup =
            "SELECT COUNT(*) FROM received_invoice WHERE company_id = $1 AND supplier_siren = $2 AND supplier_name = $3 AND number = $4";
        let n: i64 =
            on_conn!(tx, c => sqlx::query_scalar(dup).bind(tenant.company_id()).bind(&r.seller_siren).bind(&r.seller_name).bind(&r.number)
            .fetch_one(c).await)
            .map_err(internal)?;
        if n > 0 {
            return Err(refused(format!("la facture n° {} de {} est déjà reçue.", r.number, r.seller_name)));
        }
        let supplier_id = supplier(tx, tenant, user_id, r).await?;
        let sql = "INSERT INTO received_invoice (company_id, syntax, number, type_code, issue_date, due_date, supplier_name, supplier_siren, supplier_vat, \
                   supplier_address, total_ht, total_tva, total_ttc, due_payable, detail, original, original_name, original_mime, created_by, created_at, supplier_id) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id";
        let syntax = if is_pdf { "Factur-X" } else { r.syntax };
        let mime = if is_pdf { "application/pdf" } else { "application/xml" };
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(syntax).bind(&r.number).bind(&r.type_code)
            .bind(&r.issue_date).bind(&r.due_date).bind(&r.seller_name).bind(&r.seller_siren).bind(&r.seller_vat).bind(&r.seller_address)
            .bind(r.tax_basis).bind(r.tax_total).bind(r.grand_total).bind(r.due_payable)
            .bind(serde_json::to_string(&detail).unwrap_or_default()).bind(data).bind(name).bind(mime).bind(user_id).bind(now())
            .bind(supplier_id).fetch_one(c).await)
        .map_err(internal)?;
        crate::db::audit(
            tx,
            tenant,
            Some(user_id),
            "company",
            tenant.company_id(),
            "facture_recue",
            &format!("{} n° {}", r.seller_name, r.number),
        )
        .await?;
        Ok(id)
    }

    /// The supplier as a contact: the one with its SIREN (a supplier first), else a new
    /// contact of the kind «Fournisseur» with what the invoice says of it (identifiers
    /// kept only when their keys check).
    async fn supplier(tx: &mut Tx, tenant: &Tenant, user_id: i64, r: &Received) -> Result<i64, AppError> {
        use crate::contacts::model::{ClientIds, Commercial, ContactInput, Statut};
        let siren = crate::company::check::siren(&r.seller_siren).unwrap_or_default();
        if !siren.is_empty() {
            let sql = "SELECT id FROM contact WHERE company_id = $1 AND siren = $2 AND statut <> 'corbeille' \
                       ORDER BY CASE WHEN statut = 'fournisseur' THEN 0 ELSE 1 END, id LIMIT 1";
            let found: Option<i64> =
                on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(&siren).fetch_optional(c).await)
                    .map_err(internal)?;
            if let Some(id) = found {
                return Ok(id);
            }
        }
        let vat = crate::company::check::vat_number(&r.seller_vat, (!siren.is_empty()).then_some(siren.as_str())).unwrap_or_default();
        let (adresse, code_postal, ville) = r.seller_postal.clone();
        let input = ContactInput {
            statut: Statut::Fournisseur,
            civilite: String::new(),
            nom: String::new(),
            prenom: String::new(),
            societe: r.seller_name.chars().take(200).collect(),
            adresse: adresse.chars().take(200).collect(),
            code_postal: code_postal.chars().take(10).collect(),
            ville: ville.chars().take(100).collect(),
            phones: Vec::new(),
            email: String::new(),
            notes: format!("Fournisseur créé à la réception de sa facture n° {}.", r.number),
            commercial: Commercial::default(),
            ids: ClientIds { professionnel: true, siren, siret: String::new(), tva_intra: vat },
        };
        crate::contacts::store::create(tx, tenant, Some(user_id), &input).await
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        syntax: String,
        number: String,
        type_code: String,
        issue_date: String,
        due_date: String,
        supplier_name: String,
        supplier_siren: String,
        supplier_vat: String,
        supplier_address: String,
        total_ht: i64,
        total_tva: i64,
        total_ttc: i64,
        due_payable: i64,
        original_name: String,
        detail: String,
    }

    const COLUMNS: &str = "id, syntax, number, type_code, issue_date, due_date, supplier_name, supplier_siren, supplier_vat, supplier_address, \
                           total_ht, total_tva, total_ttc, due_payable, original_name, detail";

    impl Row {
        fn view(self, with_detail: bool) -> ReceivedView {
            ReceivedView {
                detail: if with_detail { serde_json::from_str(&self.detail).unwrap_or_default() } else { ReceivedDetail::default() },
                id: self.id,
                syntax: self.syntax,
                number: self.number,
                type_code: self.type_code,
                issue_date: self.issue_date,
                due_date: self.due_date,
                supplier_name: self.supplier_name,
                supplier_siren: self.supplier_siren,
                supplier_vat: self.supplier_vat,
                supplier_address: self.supplier_address,
                total_ht: self.total_ht,
                total_tva: self.total_tva,
                total_ttc: self.total_ttc,
                due_payable: self.due_payable,
                original_name: self.original_name,
            }
        }
    }

    /// The company's received invoices, newest first.
    pub async fn list(db: &Db, tenant: &Tenant) -> Result<Vec<ReceivedView>, AppError> {
        let sql = format!("SELECT {COLUMNS} FROM received_invoice WHERE company_id = $1 ORDER BY issue_date DESC, id DESC LIMIT 500");
        let rows: Vec<Row> = on_pool!(db, c => sqlx::query_as(&sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
        Ok(rows.into_iter().map(|r| r.view(false)).collect())
    }

    pub async fn get(db: &Db, tenant: &Tenant, id: i64) -> Result<ReceivedView, AppError> {
        let sql = format!("SELECT {COLUMNS} FROM received_invoice WHERE company_id = $1 AND id = $2");
        let row: Option<Row> =
            on_pool!(db, c => sqlx::query_as(&sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await).map_err(internal)?;
        row.map(|r| r.view(true)).ok_or_else(|| AppError::NotFound("Facture reçue".into()))
    }

    /// The original file: (name, type, bytes).
    pub async fn original(db: &Db, tenant: &Tenant, id: i64) -> Result<(String, String, Vec<u8>), AppError> {
        let sql = "SELECT original_name, original_mime, original FROM received_invoice WHERE company_id = $1 AND id = $2";
        on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(id).fetch_optional(c).await)
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("Facture reçue".into()))
    }
}
