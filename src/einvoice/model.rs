//! An issued facture or avoir in the terms of EN 16931 (BT-…, BG-…), made once from the
//! document and its header as they are at issue; `cii` and `ubl` write it. Each choice is
//! in docs/e-invoicing.md, with the business term it fills and the rule that asks for it.

use crate::company::model::Identity;
use crate::documents::model::{DocumentView, Kind, Line};
use crate::documents::store::Header;

/// A postal address (BG-5, BG-8, BG-15). Ouvrage's addresses are in France.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub line: String,
    pub postcode: String,
    pub city: String,
    pub country: &'static str,
}

/// The seller (BG-4) or the buyer (BG-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// BT-27 / BT-44.
    pub name: String,
    /// BT-30 / BT-47, scheme 0002 (SIREN).
    pub siren: String,
    /// BT-29 / BT-46, scheme 0009 (SIRET).
    pub siret: String,
    /// BT-31 / BT-48.
    pub vat: String,
    /// BT-32: the seller's tax registration (scheme FC) when it has no VAT number
    /// (franchise en base): its SIREN.
    pub tax_registration: String,
    pub address: Address,
    /// BT-34 / BT-49 and its scheme: 0225 (the SIREN, the address of the reform's
    /// directory) or EM (an e-mail).
    pub endpoint: Option<(String, &'static str)>,
}

/// A VAT category (BT-151, BT-118) with its rate and exemption reason (BT-120, BT-121).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatCategory {
    pub code: &'static str,
    pub rate_bp: i64,
    pub exemption: Option<(&'static str, &'static str)>,
}

pub const FRANCHISE: VatCategory =
    VatCategory { code: "E", rate_bp: 0, exemption: Some(("TVA non applicable, art. 293 B du CGI", "VATEX-FR-FRANCHISE")) };
pub const REVERSE_CHARGE: VatCategory = VatCategory {
    code: "AE",
    rate_bp: 0,
    exemption: Some(("Autoliquidation – TVA due par le preneur assujetti (art. 283-2 nonies du CGI)", "VATEX-EU-AE")),
};

/// An invoice line (BG-25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// BT-126.
    pub id: usize,
    /// BT-153.
    pub name: String,
    /// BT-129, thousandths.
    pub quantity_milli: i64,
    /// BT-130, UN/ECE recommendation 20.
    pub unit: &'static str,
    /// BT-146, cents.
    pub price: i64,
    /// BT-131, cents.
    pub net: i64,
    /// BG-27, a line allowance: «Remise %» (BT-138, basis points), its base (BT-137, the
    /// gross) and amount (BT-136), in cents.
    pub discount: Option<(i64, i64, i64)>,
    pub vat: VatCategory,
}

/// The invoice (EN 16931, the French CTC rules of the reform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EInvoice {
    /// BT-1.
    pub number: String,
    /// BT-3: 380 facture, 381 avoir.
    pub type_code: &'static str,
    /// BT-2, BT-9, BT-72 ('YYYY-MM-DD').
    pub issue_date: String,
    pub due_date: Option<String>,
    pub delivery_date: String,
    /// BT-23, the reform's «cadre de facturation»: S1, B1, M1.
    pub process: &'static str,
    /// BG-1: (subject code BT-21, text BT-22).
    pub notes: Vec<(&'static str, String)>,
    pub seller: Party,
    pub buyer: Party,
    /// BG-15: the job site, when the document names one.
    pub deliver_to: Option<Address>,
    /// BG-3: the invoice an avoir credits (BT-25, BT-26).
    pub preceding: Option<(String, String)>,
    pub lines: Vec<InvoiceLine>,
    /// BG-23: (category, base BT-116, tax BT-117), in cents.
    pub breakdown: Vec<(VatCategory, i64, i64)>,
    /// BT-106 = BT-109, BT-110, BT-112, BT-115, in cents.
    pub net_total: i64,
    pub tax_total: i64,
    pub grand_total: i64,
    pub due_payable: i64,
    /// BT-8: when the VAT falls due (CII codes: 5 invoice date, i.e. «débits»; 29 delivery;
    /// 72 payment).
    pub vat_due_code: &'static str,
    /// BG-17: IBAN (BT-84) and BIC (BT-86); BT-81 is 58 (SEPA credit transfer).
    pub account: Option<(String, String)>,
    /// BT-20.
    pub terms: String,
}

/// Whether the company sells services («Prestation de services», or «mixte»: the
/// services of an invoice cannot be told from its goods).
pub fn services(s: &Identity) -> bool {
    s.categorie != "biens"
}

/// BT-8 in CII's codes: VAT due on the invoice's date under the «débits» option (5), on
/// payment for services (72), on delivery for goods (29). E-reporting's TT-80 too.
pub fn vat_due_code(s: &Identity) -> &'static str {
    if s.tva_debits {
        "5"
    } else if services(s) {
        "72"
    } else {
        "29"
    }
}

/// VAT due when the money is received (CGI art. 269-2-c): services without the «débits»
/// option, outside franchise. What «Encaissée» and the payments' e-reporting concern.
pub fn vat_on_receipt(s: &Identity) -> bool {
    services(s) && !s.tva_debits && !s.franchise_tva
}

/// UN/ECE recommendation 20 code of a line's unit (documents::model::UNITS).
pub fn unit_code(unit: &str) -> &'static str {
    match unit {
        "m" | "ml" => "MTR",
        "m²" => "MTK",
        "m³" => "MTQ",
        "kg" => "KGM",
        "h" => "HUR",
        "forfait" => "LS",
        _ => "C62",
    }
}

/// «12.34», «-0.05»: an amount in cents as the formats write it.
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// «1.5», «-2», «0.125»: thousandths, without trailing zeros.
pub fn quantity(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let m = milli.unsigned_abs();
    let frac = format!("{:03}", m % 1000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { format!("{sign}{}", m / 1000) } else { format!("{sign}{}.{frac}", m / 1000) }
}

/// «20», «5.5», «2.1», «0»: a rate in basis points as a percentage.
pub fn percent(bp: i64) -> String {
    quantity(bp * 10)
}

/// 'YYYY-MM-DD' → 'YYYYMMDD' (CII's format 102).
pub fn compact_date(iso: &str) -> String {
    iso.chars().filter(char::is_ascii_digit).collect()
}

fn seller_party(s: &Identity) -> Party {
    Party {
        name: s.raison_sociale.trim().to_string(),
        siren: s.siren.clone(),
        siret: s.siret.clone(),
        vat: s.tva_intra.clone(),
        tax_registration: if s.tva_intra.is_empty() { s.siren.clone() } else { String::new() },
        address: Address {
            line: s.adresse.trim().to_string(),
            postcode: s.code_postal.trim().to_string(),
            city: s.ville.trim().to_string(),
            country: "FR",
        },
        endpoint: (!s.siren.is_empty()).then(|| (s.siren.clone(), "0225")),
    }
}

fn buyer_party(h: &Header) -> Party {
    let b = &h.buyer;
    let siren = if h.professional { h.client_siren.clone() } else { String::new() };
    let endpoint = if !siren.is_empty() {
        Some((siren.clone(), "0225"))
    } else if !b.email.trim().is_empty() {
        Some((b.email.trim().to_string(), "EM"))
    } else {
        None
    };
    Party {
        name: b.name.trim().to_string(),
        siret: if h.professional && b.siret.starts_with(&siren) && !siren.is_empty() { b.siret.clone() } else { String::new() },
        siren,
        vat: if h.professional { h.client_tva.clone() } else { String::new() },
        tax_registration: String::new(),
        address: Address {
            line: b.adresse.trim().to_string(),
            postcode: b.code_postal.trim().to_string(),
            city: b.ville.trim().to_string(),
            country: "FR",
        },
        endpoint,
    }
}

/// The VAT category of a line: franchise (E), autoliquidation (AE), else standard (S) at
/// its rate — the reduced rates too: BR-FR-15 allows S, E, AE, K, G, O, Z, not AA.
fn category(seller: &Identity, d: &DocumentView, l: &Line) -> VatCategory {
    if seller.franchise_tva {
        FRANCHISE
    } else if d.autoliquidation {
        REVERSE_CHARGE
    } else {
        VatCategory { code: "S", rate_bp: l.vat_bp, exemption: None }
    }
}

/// The mandatory notes of the French rules (BR-FR-05: PMT, PMD, AAB), the kind of buyer
/// (BAR), and the printed mentions that have no business term of their own (REG).
fn notes(h: &Header, d: &DocumentView) -> Vec<(&'static str, String)> {
    let s = &h.seller;
    let mut n = Vec::new();
    n.push(("BAR", if h.professional { "B2B" } else { "B2C" }.to_string()));
    if h.professional {
        n.push(("PMT", "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce).".to_string()));
        n.push(("PMD", s.penalty_mention()));
    } else {
        n.push((
            "PMT",
            "Indemnité forfaitaire pour frais de recouvrement : sans objet, client non professionnel (art. L441-10 du Code de commerce)."
                .to_string(),
        ));
        n.push((
            "PMD",
            "Pénalités de retard : sans objet, client non professionnel ; intérêts au taux légal après mise en demeure (art. 1231-6 du Code civil)."
                .to_string(),
        ));
    }
    n.push(("AAB", s.escompte_mention()));
    n.push(("REG", format!("Catégorie de l'opération : {}", s.categorie_label())));
    if s.tva_debits {
        n.push(("REG", "Option pour le paiement de la taxe d'après les débits".to_string()));
    }
    if d.kind == Kind::Facture && !s.decennale_assureur.is_empty() {
        n.push(("REG", s.decennale_mention()));
    }
    if !h.professional && d.kind == Kind::Facture && !s.mediateur_nom.is_empty() {
        n.push(("REG", s.mediateur_mention()));
    }
    if s.is_demo {
        n.push(("REG", "DOCUMENT DE DÉMONSTRATION — entreprise et valeurs inventées, sans valeur légale".to_string()));
    }
    n
}

impl EInvoice {
    /// The electronic form of an issued facture or avoir (None for a devis or a draft).
    pub fn of(h: &Header, d: &DocumentView) -> Option<EInvoice> {
        let number = d.number.clone()?;
        let type_code = match d.kind {
            Kind::Facture => "380",
            Kind::Avoir => "381",
            Kind::Devis => return None,
        };
        let s = &h.seller;
        let lines: Vec<InvoiceLine> = d
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| InvoiceLine {
                id: i + 1,
                name: l.designation.clone(),
                quantity_milli: l.quantity_milli,
                unit: unit_code(&l.unit),
                price: l.unit_price,
                net: l.total_ht(),
                discount: (l.discount_bp > 0).then(|| (l.discount_bp, l.gross_ht(), l.discount())),
                vat: category(s, d, l),
            })
            .collect();
        // The breakdown per category and rate: the document's totals per rate (per-line
        // rounding, docs/documents.md), which the PDF prints.
        let mut breakdown: Vec<(VatCategory, i64, i64)> = Vec::new();
        for l in &lines {
            let tax = d.lines[l.id - 1].total_tva();
            match breakdown.iter_mut().find(|(c, _, _)| *c == l.vat) {
                Some(b) => {
                    b.1 += l.net;
                    b.2 += if l.vat.code == "S" { tax } else { 0 };
                }
                None => breakdown.push((l.vat, l.net, if l.vat.code == "S" { tax } else { 0 })),
            }
        }
        let tax_total: i64 = breakdown.iter().map(|b| b.2).sum();
        let net_total = d.totals.ht;
        let process = match s.categorie.as_str() {
            "biens" => "B1",
            "mixte" => "M1",
            _ => "S1",
        };
        let terms = match d.kind {
            Kind::Avoir => format!(
                "Avoir sur la facture n° {}{} : à déduire du reste à payer.",
                d.source_number.clone().unwrap_or_default(),
                if d.source_date.is_empty() { String::new() } else { format!(" du {}", crate::fmt::date_fr(&d.source_date)) }
            ),
            _ => format!("Paiement à réception, au plus tard le {} ({} jours).", crate::fmt::date_fr(&d.due_date), s.paiement_jours),
        };
        Some(EInvoice {
            number,
            type_code,
            issue_date: d.doc_date.clone(),
            due_date: (d.kind == Kind::Facture).then(|| d.due_date.clone()),
            delivery_date: if d.work_date.is_empty() { d.doc_date.clone() } else { d.work_date.clone() },
            process,
            notes: notes(h, d),
            seller: seller_party(s),
            buyer: buyer_party(h),
            deliver_to: d.site.as_ref().map(|site| Address {
                line: site.adresse.trim().to_string(),
                postcode: site.code_postal.trim().to_string(),
                city: site.ville.trim().to_string(),
                country: "FR",
            }),
            preceding: d.source_number.clone().filter(|_| d.kind == Kind::Avoir).map(|n| (n, d.source_date.clone())),
            lines,
            breakdown,
            net_total,
            tax_total,
            grand_total: net_total + tax_total,
            due_payable: net_total + tax_total,
            vat_due_code: vat_due_code(s),
            account: (!s.iban.is_empty()).then(|| (s.iban.clone(), s.bic.clone())),
            terms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_formats_write_them() {
        assert_eq!(amount(12345), "123.45");
        assert_eq!(amount(-5), "-0.05");
        assert_eq!(amount(0), "0.00");
        assert_eq!(quantity(1500), "1.5");
        assert_eq!(quantity(-2000), "-2");
        assert_eq!(quantity(125), "0.125");
        assert_eq!(percent(2000), "20");
        assert_eq!(percent(550), "5.5");
        assert_eq!(percent(210), "2.1");
        assert_eq!(percent(0), "0");
        assert_eq!(compact_date("2026-12-05"), "20261205");
        assert_eq!(unit_code("m²"), "MTK");
        assert_eq!(unit_code("forfait"), "LS");
        assert_eq!(unit_code("u"), "C62");
    }
}

/// A payment split by VAT rate in proportion to the invoice's TTC per rate (the rounding
/// remainder on the last rate): what «Encaissée» reports. `by_rate`: (rate, base, VAT).
pub fn split_by_rate(paid: i64, by_rate: &[(i64, i64, i64)]) -> Vec<(i64, i64)> {
    let total: i64 = by_rate.iter().map(|(_, b, t)| b + t).sum();
    if total == 0 || by_rate.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(i64, i64)> =
        by_rate.iter().map(|(bp, b, t)| (*bp, crate::documents::model::mul_div_round(paid, b + t, total))).collect();
    let given: i64 = out.iter().map(|(_, c)| c).sum();
    if let Some(last) = out.last_mut() {
        last.1 += paid - given;
    }
    out
}

#[cfg(test)]
mod split_tests {
    #[test]
    fn a_payment_splits_by_rate_to_the_cent() {
        // TTC 1 200 € at 20 % and 550 € at 10 %: 1 000 € paid → 685,71 € and 314,29 €.
        let s = super::split_by_rate(100_000, &[(2000, 100_000, 20_000), (1000, 50_000, 5_000)]);
        assert_eq!(s, vec![(2000, 68_571), (1000, 31_429)]);
        assert_eq!(s.iter().map(|x| x.1).sum::<i64>(), 100_000);
        assert!(super::split_by_rate(100, &[]).is_empty());
    }
}
