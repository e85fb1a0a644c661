//! Commercial documents: kinds, statuses, lines and the totals rule (integer cents).
//!
//! Rounding rule (docs/documents.md): each line's HT is quantity × unit price rounded to the
//! cent (half away from zero); each line's TVA is its HT × rate rounded to the cent; the
//! document's HT, TVA per rate, TVA and TTC are sums of those cents. Nothing is rounded
//! twice and the printed lines always add up to the printed totals.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::fmt::{parse_cents, parse_milli};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Devis,
    Facture,
    Avoir,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Devis, Kind::Facture, Kind::Avoir];
    pub fn code(self) -> &'static str {
        match self {
            Kind::Devis => "devis",
            Kind::Facture => "facture",
            Kind::Avoir => "avoir",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Devis => "Devis",
            Kind::Facture => "Facture",
            Kind::Avoir => "Avoir",
        }
    }
    /// The letter of its numbers: F-2026-00042.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Devis => "D",
            Kind::Facture => "F",
            Kind::Avoir => "A",
        }
    }
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Brouillon,
    Emise,
    Partielle,
    Payee,
    Annulee,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::Brouillon, Status::Emise, Status::Partielle, Status::Payee, Status::Annulee];
    pub fn code(self) -> &'static str {
        match self {
            Status::Brouillon => "brouillon",
            Status::Emise => "emise",
            Status::Partielle => "partielle",
            Status::Payee => "payee",
            Status::Annulee => "annulee",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Brouillon => "Brouillon",
            Status::Emise => "Émise",
            Status::Partielle => "Payée partiellement",
            Status::Payee => "Payée",
            Status::Annulee => "Annulée",
        }
    }
    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The French VAT rates, in basis points (2000 = 20 %), with their labels.
/// 0 %: a company in «Franchise en base de TVA» (art. 293 B du CGI) or an exempt line.
pub const VAT_RATES: [(i64, &str); 5] = [(2000, "20 %"), (1000, "10 %"), (550, "5,5 %"), (210, "2,1 %"), (0, "0 %")];
/// Payment terms: at most 60 days after the document's date (Code de commerce L441-10).
pub const MAX_TERM_DAYS: i64 = 60;
pub const DEFAULT_TERM_DAYS: i64 = 30;
pub const LINES_MAX: usize = 200;
pub const PAYMENT_METHODS: [&str; 5] = ["Virement", "Chèque", "Carte bancaire", "Espèces", "Prélèvement"];

pub fn vat_label(bp: i64) -> String {
    VAT_RATES.iter().find(|(r, _)| *r == bp).map(|(_, l)| l.to_string()).unwrap_or_else(|| format!("{bp} pb"))
}

/// `a × b / d` rounded half away from zero (exact, in i128).
pub fn mul_div_round(a: i64, b: i64, d: i64) -> i64 {
    let n = a as i128 * b as i128;
    let d = d as i128;
    let q = (n.abs() + d / 2) / d;
    (if n < 0 { -q } else { q }) as i64
}

/// The units of a line (their French labels; UN/ECE rec. 20 codes in e-invoicing).
pub const UNITS: [&str; 8] = ["u", "m", "m²", "m³", "ml", "kg", "h", "forfait"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub designation: String,
    /// Thousandths of a unit (1.5 h = 1500).
    pub quantity_milli: i64,
    /// One of [`UNITS`].
    pub unit: String,
    /// Cents, HT.
    pub unit_price: i64,
    pub vat_bp: i64,
    /// «Remise %» of the line, in basis points (10 % = 1000).
    #[serde(default)]
    pub discount_bp: i64,
}

impl Line {
    /// Quantity × unit price, rounded to the cent, before the line's discount.
    pub fn gross_ht(&self) -> i64 {
        mul_div_round(self.quantity_milli, self.unit_price, 1000)
    }
    /// The line's discount in cents: its gross × its «Remise %», rounded to the cent.
    pub fn discount(&self) -> i64 {
        mul_div_round(self.gross_ht(), self.discount_bp, 10_000)
    }
    pub fn total_ht(&self) -> i64 {
        self.gross_ht() - self.discount()
    }
    pub fn total_tva(&self) -> i64 {
        mul_div_round(self.total_ht(), self.vat_bp, 10_000)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub ht: i64,
    /// (rate in basis points, base HT, TVA), highest rate first.
    pub by_rate: Vec<(i64, i64, i64)>,
    pub tva: i64,
    pub ttc: i64,
}

pub fn totals(lines: &[Line]) -> Totals {
    let mut t = Totals::default();
    for (bp, _) in VAT_RATES {
        let of_rate: Vec<&Line> = lines.iter().filter(|l| l.vat_bp == bp).collect();
        if of_rate.is_empty() {
            continue;
        }
        let base: i64 = of_rate.iter().map(|l| l.total_ht()).sum();
        let tva: i64 = of_rate.iter().map(|l| l.total_tva()).sum();
        t.by_rate.push((bp, base, tva));
    }
    t.ht = lines.iter().map(Line::total_ht).sum();
    t.tva = lines.iter().map(Line::total_tva).sum();
    t.ttc = t.ht + t.tva;
    t
}

/// The document form as posted: lines as parallel arrays (empty rows are ignored). The
/// field names are the HTML form's (`designation[]`…); `kind` is required, the others
/// default to empty when missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentForm {
    pub kind: String,
    #[serde(default)]
    pub doc_date: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub designation: Vec<String>,
    #[serde(default)]
    pub quantity: Vec<String>,
    #[serde(default)]
    pub unit_price: Vec<String>,
    #[serde(default)]
    pub vat: Vec<String>,
    #[serde(default)]
    pub unit: Vec<String>,
    /// «Remise %» per line (empty: none).
    #[serde(default)]
    pub remise: Vec<String>,
    /// «Date des travaux», when it differs from the date.
    #[serde(default)]
    pub work_date: String,
    /// «Adresse de chantier»: a site's id, empty for the client's address.
    #[serde(default)]
    pub site_id: String,
    /// «Autoliquidation (sous-traitance)»: a checkbox.
    #[serde(default)]
    pub autoliquidation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInput {
    pub kind: Kind,
    /// 'YYYY-MM-DD'
    pub doc_date: String,
    pub due_date: String,
    pub lines: Vec<Line>,
    /// The date of the work when it differs from the document's date ('' otherwise).
    pub work_date: String,
    /// «Adresse de chantier»: one of the client's job sites (None: the client's address).
    pub site_id: Option<i64>,
    /// «Autoliquidation»: building work sub-contracted, the VAT due by the client (CGI
    /// 283-2 nonies): no VAT on the document.
    pub autoliquidation: bool,
}

/// Days from the civil date 1970-01-01 (proleptic Gregorian), or None if invalid.
pub fn parse_date(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let parts: Vec<&str> = raw.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 || !(2000..=2999).contains(&y) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
    if d > mdays {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The civil date of a day count: inverse of [`parse_date`].
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

impl DocumentForm {
    /// Validates the form; an empty date is `today` ('YYYY-MM-DD'), an empty due date 30
    /// days after the date.
    pub fn parse(&self, today: &str) -> Result<DocumentInput, AppError> {
        self.parse_with_terms(today, DEFAULT_TERM_DAYS)
    }

    /// As [`parse`](Self::parse), an empty due date being `term_days` after the date (the
    /// company's «Conditions de paiement»).
    pub fn parse_with_terms(&self, today: &str, term_days: i64) -> Result<DocumentInput, AppError> {
        self.parse_inner(today, term_days).map_err(|e| e.with_values(self.typed()))
    }

    fn typed(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("kind".into(), self.kind.clone()),
            ("doc_date".into(), self.doc_date.clone()),
            ("due_date".into(), self.due_date.clone()),
            ("work_date".into(), self.work_date.clone()),
            ("site_id".into(), self.site_id.clone()),
            ("autoliquidation".into(), self.autoliquidation.clone().unwrap_or_default()),
        ];
        for (name, vals) in [
            ("designation[]", &self.designation),
            ("quantity[]", &self.quantity),
            ("unit[]", &self.unit),
            ("unit_price[]", &self.unit_price),
            ("vat[]", &self.vat),
            ("remise[]", &self.remise),
        ] {
            v.extend(vals.iter().map(|x| (name.to_string(), x.clone())));
        }
        v
    }

    fn parse_inner(&self, today: &str, term_days: i64) -> Result<DocumentInput, AppError> {
        let kind = Kind::from_code(self.kind.trim()).ok_or_else(|| AppError::invalid("kind", "Type de pièce inconnu."))?;
        let typed_date = if self.doc_date.trim().is_empty() { today } else { &self.doc_date };
        let date = parse_date(typed_date).ok_or_else(|| AppError::invalid("doc_date", "Date invalide (jj/mm/aaaa)."))?;
        let due = if self.due_date.trim().is_empty() {
            date + term_days.clamp(0, MAX_TERM_DAYS)
        } else {
            parse_date(&self.due_date).ok_or_else(|| AppError::invalid("due_date", "Date d'échéance invalide (jj/mm/aaaa)."))?
        };
        if due < date {
            return Err(AppError::invalid("due_date", "L'échéance ne peut pas précéder la date de la pièce."));
        }
        if due - date > MAX_TERM_DAYS {
            return Err(AppError::invalid(
                "due_date",
                format!("L'échéance ne peut dépasser {MAX_TERM_DAYS} jours après la date de la pièce."),
            ));
        }
        let n = self.designation.len().max(self.quantity.len()).max(self.unit_price.len()).max(self.vat.len());
        let at = |v: &Vec<String>, i: usize| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut lines = Vec::new();
        for i in 0..n {
            let (des, qty, price, vat) = (at(&self.designation, i), at(&self.quantity, i), at(&self.unit_price, i), at(&self.vat, i));
            let unit = at(&self.unit, i);
            let unit = if unit.is_empty() { "u".to_string() } else { unit };
            if des.is_empty() && qty.is_empty() && price.is_empty() {
                continue;
            }
            let row = i + 1;
            if des.is_empty() {
                return Err(AppError::invalid("lines", format!("Ligne {row} : indiquez une désignation.")));
            }
            if des.chars().count() > 500 {
                return Err(AppError::invalid("lines", format!("Ligne {row} : désignation trop longue (500 caractères au plus).")));
            }
            let quantity_milli = parse_milli(if qty.is_empty() { "1" } else { &qty })
                .ok_or_else(|| AppError::invalid("lines", format!("Ligne {row} : quantité invalide (3 décimales au plus).")))?;
            if quantity_milli == 0 {
                return Err(AppError::invalid("lines", format!("Ligne {row} : la quantité ne peut pas être nulle.")));
            }
            if quantity_milli < 0 && kind != Kind::Avoir {
                return Err(AppError::invalid("lines", format!("Ligne {row} : quantité négative, permise seulement sur un avoir.")));
            }
            let unit_price = parse_cents(&price).ok_or_else(|| {
                AppError::invalid("lines", format!("Ligne {row} : prix unitaire HT invalide (en euros, 2 décimales au plus)."))
            })?;
            if unit_price < 0 {
                return Err(AppError::invalid("lines", format!("Ligne {row} : le prix unitaire ne peut pas être négatif.")));
            }
            let vat_bp =
                VAT_RATES.iter().find(|(bp, label)| vat == bp.to_string() || vat == *label).map(|(bp, _)| *bp).ok_or_else(|| {
                    AppError::invalid("lines", format!("Ligne {row} : taux de TVA inconnu (20 %, 10 %, 5,5 %, 2,1 % ou 0 %)."))
                })?;
            if !UNITS.contains(&unit.as_str()) {
                return Err(AppError::invalid("lines", format!("Ligne {row} : unité inconnue ({}).", UNITS.join(", "))));
            }
            let remise = at(&self.remise, i);
            let discount_bp = if remise.is_empty() {
                0
            } else {
                crate::fmt::parse_percent_bp(&remise).filter(|bp| *bp < 10_000).ok_or_else(|| {
                    AppError::invalid("lines", format!("Ligne {row} : remise invalide (un pourcentage de 0 à 99,99, 2 décimales au plus)."))
                })?
            };
            lines.push(Line { designation: des, quantity_milli, unit, unit_price, vat_bp, discount_bp });
        }
        if lines.is_empty() {
            return Err(AppError::invalid("lines", "Ajoutez au moins une ligne."));
        }
        if lines.len() > LINES_MAX {
            return Err(AppError::invalid("lines", format!("{LINES_MAX} lignes au plus.")));
        }
        let work_date = match self.work_date.trim() {
            "" => String::new(),
            raw => {
                let w = parse_date(raw).ok_or_else(|| AppError::invalid("work_date", "Date des travaux invalide (jj/mm/aaaa)."))?;
                if w == date { String::new() } else { format_date(w) }
            }
        };
        let site_id = match self.site_id.trim() {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| AppError::invalid("site_id", "Adresse de chantier inconnue."))?),
        };
        let autoliquidation = self.autoliquidation.is_some();
        if autoliquidation && lines.iter().any(|l| l.vat_bp != 0) {
            return Err(AppError::invalid(
                "autoliquidation",
                "En autoliquidation, la TVA est due par le client : mettez les lignes à 0 %.",
            ));
        }
        Ok(DocumentInput { kind, doc_date: format_date(date), due_date: format_date(due), lines, work_date, site_id, autoliquidation })
    }
}

/// One document as shown in «Porte doc» and on its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub kind: Kind,
    pub number: Option<String>,
    pub status: Status,
    pub doc_date: String,
    pub due_date: String,
    pub source_id: Option<i64>,
    pub source_number: Option<String>,
    /// The date of the document it comes from ('YYYY-MM-DD', or '').
    pub source_date: String,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub paid: i64,
    pub credited: i64,
    /// «En litige»: not reminded.
    #[serde(default)]
    pub litige: bool,
    pub payments: Vec<PaymentView>,
    pub work_date: String,
    pub site_id: Option<i64>,
    /// The job site, when the document has one.
    pub site: Option<crate::contacts::model::SiteView>,
    pub autoliquidation: bool,
    /// The client's job sites a draft may name: (id, label).
    pub site_choices: Vec<(i64, String)>,
}

impl DocumentView {
    pub fn remaining(&self) -> i64 {
        self.totals.ttc - self.paid - self.credited
    }
    pub fn title(&self) -> String {
        match &self.number {
            Some(n) => format!("{} {n}", self.kind.label()),
            None => format!("{} (brouillon)", self.kind.label()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    pub paid_on: String,
    pub amount: i64,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: i64,
    pub kind: Kind,
    pub number: Option<String>,
    pub status: Status,
    pub doc_date: String,
    pub total_ttc: i64,
    pub remaining: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSummary {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub created_at: String,
}

/// A client's «Porte doc».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PorteDoc {
    pub contact_id: i64,
    pub contact_name: String,
    pub trashed: bool,
    pub bloque: bool,
    pub bloque_motif: String,
    pub plafond: Option<i64>,
    pub encours: i64,
    pub documents: Vec<DocumentSummary>,
    pub files: Vec<FileSummary>,
    /// The client's job sites, for a new document: (id, label).
    pub site_choices: Vec<(i64, String)>,
    /// The last electronic-invoicing status of each document that has one: (id, label).
    #[serde(default)]
    pub einvoice: Vec<(i64, String)>,
}

/// The largest file «Importer» accepts.
pub const FILE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The storage space of a company for «Porte doc» files: the sum of their sizes (2 Go).
/// A constant until the configuration carries it (`OUVRAGE_QUOTA_MB`).
pub const STORAGE_QUOTA_BYTES: i64 = 2 * 1024 * 1024 * 1024;

/// A size in French units: «850 Ko», «12,4 Mo», «2 Go».
pub fn size_fr(bytes: i64) -> String {
    const KO: i64 = 1024;
    const MO: i64 = 1024 * KO;
    const GO: i64 = 1024 * MO;
    let tenths = |unit: i64| {
        let t = (bytes.max(0).saturating_mul(10) + unit / 2) / unit;
        if t % 10 == 0 { format!("{}", t / 10) } else { format!("{},{}", t / 10, t % 10) }
    };
    if bytes >= GO {
        format!("{} Go", tenths(GO))
    } else if bytes >= MO {
        format!("{} Mo", tenths(MO))
    } else {
        format!("{} Ko", (bytes.max(0) + KO - 1) / KO)
    }
}

/// Whether two sets of commercial fields say the same (the reason counts only when
/// blocked): what a user without «Gestion commerciale» may send back.
pub fn same_commercial(a: &crate::contacts::model::Commercial, b: &crate::contacts::model::Commercial) -> bool {
    let reason = |c: &crate::contacts::model::Commercial| if c.bloque { c.motif.trim().to_string() } else { String::new() };
    a.bloque == b.bloque && a.plafond == b.plafond && reason(a) == reason(b)
}

/// The «Factures impayées et relances» widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpaid {
    /// What the client owes, in cents (the invoices below).
    pub encours: i64,
    pub invoices: Vec<UnpaidInvoice>,
    /// The last reminder: level and ISO date.
    pub last_reminder: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpaidInvoice {
    pub id: i64,
    pub number: String,
    pub doc_date: String,
    /// Still due, in cents.
    pub remaining: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: &str, p: &str, vat: i64) -> Line {
        Line {
            designation: "x".into(),
            quantity_milli: parse_milli(q).unwrap(),
            unit: "u".into(),
            unit_price: parse_cents(p).unwrap(),
            vat_bp: vat,
            discount_bp: 0,
        }
    }

    #[test]
    fn totals_round_per_line_then_sum() {
        // 3 × 0,333 € = 0,999 € → 1,00 € HT; TVA 20 % = 0,20 €.
        let l = line("3", "0,33", 2000);
        assert_eq!(l.total_ht(), 99);
        assert_eq!(l.total_tva(), 20); // 19.8 → 20
        // Half away from zero: 0,125 € → 0,13 €; 2,5 cents of TVA → 3.
        assert_eq!(line("0,5", "0,25", 2000).total_ht(), 13);
        assert_eq!(mul_div_round(25, 1000, 10_000), 3);
        assert_eq!(mul_div_round(-25, 1000, 10_000), -3);
        // Three lines at 5,5 %: per-line TVA 0,06 × 3 = 0,18 (a global rounding would say 0,16).
        let lines = vec![
            line("1", "1,00", 550),
            line("1", "1,00", 550),
            line("1", "1,00", 550),
            line("2", "100", 2000),
            line("1,5", "45,50", 1000),
        ];
        let t = totals(&lines);
        assert_eq!(t.ht, 300 + 20_000 + 6825);
        assert_eq!(t.by_rate, vec![(2000, 20_000, 4000), (1000, 6825, 683), (550, 300, 18)]);
        assert_eq!(t.tva, 4000 + 683 + 18);
        assert_eq!(t.ttc, t.ht + t.tva);
        // Lines add up to the totals, whatever the mix.
        assert_eq!(t.by_rate.iter().map(|r| r.2).sum::<i64>(), t.tva);
        // «Remise %»: the gross rounded, the discount rounded, the net their difference;
        // the VAT on the net. 3 × 33,33 € = 99,99 €, 12,5 % = 12,50 € (12,49875), net 87,49 €.
        let discounted = Line { discount_bp: 1250, ..line("3", "33,33", 2000) };
        assert_eq!((discounted.gross_ht(), discounted.discount(), discounted.total_ht(), discounted.total_tva()), (9999, 1250, 8749, 1750));
    }

    #[test]
    fn dates_round_trip_and_terms_are_bounded() {
        for d in ["2026-11-29", "2024-02-29", "2000-01-01", "2099-12-31"] {
            assert_eq!(format_date(parse_date(d).unwrap()), d);
        }
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("29/11/2026"), None);
        assert_eq!(parse_date("2026-11-29").unwrap() - parse_date("2026-10-30").unwrap(), 30);
        let form = |due: &str| DocumentForm {
            kind: "facture".into(),
            doc_date: "2026-11-29".into(),
            due_date: due.into(),
            designation: vec!["Chaudière".into()],
            quantity: vec!["1".into()],
            unit_price: vec!["2500".into()],
            vat: vec!["550".into()],
            ..Default::default()
        };
        assert_eq!(form("").parse("2026-11-29").unwrap().due_date, "2026-12-29");
        assert!(form("2026-11-28").parse("2026-11-29").unwrap_err().for_field("due_date").is_some());
        assert!(form("2027-01-29").parse("2026-11-29").unwrap_err().for_field("due_date").is_some());
        assert!(form("2027-01-28").parse("2026-11-29").is_ok());
    }

    #[test]
    fn bad_lines_are_refused_with_a_french_message() {
        let base = DocumentForm { kind: "facture".into(), doc_date: "2026-11-29".into(), ..Default::default() };
        let with = |q: &str, p: &str, v: &str| DocumentForm {
            designation: vec!["Pose".into()],
            quantity: vec![q.into()],
            unit_price: vec![p.into()],
            vat: vec![v.into()],
            ..base.clone()
        };
        assert_eq!(base.parse("2026-11-29").unwrap_err().to_string(), "Ajoutez au moins une ligne.");
        assert!(with("-1", "10", "2000").parse("2026-11-29").unwrap_err().to_string().contains("négative"));
        assert!(with("1", "10,999", "2000").parse("2026-11-29").unwrap_err().to_string().contains("prix unitaire"));
        assert!(with("1", "10", "1900").parse("2026-11-29").unwrap_err().to_string().contains("TVA"));
        let remise = |r: &str| DocumentForm { remise: vec![r.into()], ..with("2", "10", "2000") }.parse("2026-11-29");
        assert_eq!(remise("12,5 %").unwrap().lines[0].discount_bp, 1250);
        assert_eq!(remise("").unwrap().lines[0].discount_bp, 0);
        for bad in ["100", "-5", "12,345", "dix"] {
            assert!(remise(bad).unwrap_err().to_string().contains("remise invalide"), "{bad}");
        }
        let avoir = DocumentForm { kind: "avoir".into(), ..with("-1", "10", "2000") };
        assert_eq!(avoir.parse("2026-11-29").unwrap().lines[0].quantity_milli, -1000);
    }

    #[test]
    fn sizes_in_french_units() {
        assert_eq!(size_fr(0), "0 Ko");
        assert_eq!(size_fr(1), "1 Ko");
        assert_eq!(size_fr(150 * 1024), "150 Ko");
        assert_eq!(size_fr(12 * 1024 * 1024 + 400 * 1024), "12,4 Mo");
        assert_eq!(size_fr(STORAGE_QUOTA_BYTES), "2 Go");
    }

    #[test]
    fn commercial_fields_compare_as_shown() {
        use crate::contacts::model::Commercial;
        let blocked = Commercial { bloque: true, motif: "Litige".into(), plafond: Some(150_000) };
        assert!(same_commercial(&blocked, &blocked.clone()));
        assert!(!same_commercial(&blocked, &Commercial { motif: "Réglé".into(), ..blocked.clone() }));
        assert!(!same_commercial(&blocked, &Commercial { plafond: None, ..blocked.clone() }));
        assert!(!same_commercial(&blocked, &Commercial { bloque: false, ..blocked.clone() }));
        // Not blocked: a reason left behind says nothing.
        assert!(same_commercial(&Commercial { bloque: false, motif: "ancien".into(), plafond: None }, &Commercial::default()));
    }
}
