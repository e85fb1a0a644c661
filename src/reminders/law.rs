//! The amounts French law attaches to a late invoice, from rates kept as data.
//!
//! Business client (Code de commerce L441-10, D441-5): penalties run from the day after
//! the due date, on the amount due, at the ECB refinancing rate of the half-year (its
//! rate of 1 January for the first half, of 1 July for the second) plus 10 points, unless
//! the company set a contractual rate (never below 3× the legal interest rate); plus a
//! fixed 40 € recovery indemnity per unpaid invoice.
//! Private client (Code civil 1231-6, 1344-1): no indemnity; interest at the legal rate
//! runs from the formal notice («MED») only. Claims against consumers lapse after two
//! years (Code de la consommation L218-2): warn before.
//! Interest is simple, on a 365-day year, day by day, each day at its half-year's rate.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::reminders::model::ReminderSettings;

pub const INDEMNITY_CENTS: i64 = 4000;
/// `document.penalty_rate_bp` of an invoice that stated the legal default (ECB + 10 points).
pub const STATED_LEGAL_DEFAULT: i64 = -1;
/// ECB rate + 10 points, in basis points.
pub const ECB_MARGIN_BP: i64 = 1000;

/// A reminder level, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    R1,
    R2,
    R3,
    Med,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::R1, Level::R2, Level::R3, Level::Med];
    pub fn code(self) -> &'static str {
        match self {
            Level::R1 => "R1",
            Level::R2 => "R2",
            Level::R3 => "R3",
            Level::Med => "MED",
        }
    }
    pub fn from_code(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(s.trim()))
    }
    /// The level that follows the highest one reached (`None`: all reached).
    pub fn after(reached: impl IntoIterator<Item = Level>) -> Option<Level> {
        match reached.into_iter().max() {
            None => Some(Level::R1),
            Some(Level::R1) => Some(Level::R2),
            Some(Level::R2) => Some(Level::R3),
            Some(Level::R3) => Some(Level::Med),
            Some(Level::Med) => None,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Level::R1 => "Relance",
            Level::R2 => "Deuxième relance",
            Level::R3 => "Dernière relance avant mise en demeure",
            Level::Med => "Mise en demeure de payer",
        }
    }
}

/// A rate per half-year: `("2026-1", 215)` is 2.15 % for January–June 2026.
pub type RateTable = Vec<(String, i64)>;

/// The half-year of a date: `2026-1` or `2026-2`.
pub fn half_of(year: i32, month: u32) -> String {
    format!("{year}-{}", if month <= 6 { 1 } else { 2 })
}

/// The rate of a half-year: its own, else the latest known before it (flagged), else
/// the earliest known (flagged); `None` when the table is empty.
pub fn rate_for(table: &RateTable, half: &str) -> Option<(i64, bool)> {
    if let Some((_, r)) = table.iter().find(|(h, _)| h == half) {
        return Some((*r, true));
    }
    let mut sorted: Vec<&(String, i64)> = table.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.iter().rev().find(|(h, _)| h.as_str() < half).or(sorted.first()).map(|(_, r)| (*r, false))
}

/// Simple interest on `amount` (cents) for each day `from..=to` (days since the Unix
/// epoch), each day at the annual rate (basis points) `rate(day)`, rounded half up.
pub fn interest(amount: i64, from: i64, to: i64, rate: impl Fn(i64) -> i64) -> i64 {
    if amount <= 0 || to < from {
        return 0;
    }
    let bp_days: i128 = (from..=to).map(|d| rate(d) as i128).sum();
    let num = amount as i128 * bp_days;
    let den: i128 = 10_000 * 365;
    ((num + den / 2) / den) as i64
}

/// Rates known when the company starts (editable data, not rules): ECB main refinancing
/// rate on 1 January / 1 July, legal interest rates (creditor a private person / other).
pub const INITIAL_RATES: &[(&str, &str, i64)] = &[
    ("bce", "2024-1", 450),
    ("bce", "2024-2", 425),
    ("bce", "2025-1", 315),
    ("bce", "2025-2", 215),
    ("legal_particulier", "2024-1", 801),
    ("legal_particulier", "2024-2", 816),
    ("legal_particulier", "2025-1", 721),
    ("legal_particulier", "2025-2", 665),
    ("legal_autre", "2024-1", 507),
    ("legal_autre", "2024-2", 492),
    ("legal_autre", "2025-1", 371),
    ("legal_autre", "2025-2", 276),
];

/// A claim against a consumer lapses two years after the due date (Code de la
/// consommation L218-2)…
pub const PRESCRIPTION_DAYS: i64 = 730;
/// …and the work list warns this many days before.
pub const PRESCRIPTION_NOTICE_DAYS: i64 = 90;

/// The delays of «Gestion des relances»: days after the due date, 0 to 365, growing from
/// R1 to MED; the formal notice gives 1 to 60 days to pay.
pub fn check_delays(s: &ReminderSettings) -> Result<(), AppError> {
    let days = [("r1_days", s.r1_days), ("r2_days", s.r2_days), ("r3_days", s.r3_days), ("med_days", s.med_days)];
    for (f, d) in days {
        if !(0..=365).contains(&d) {
            return Err(AppError::invalid(f, "Le délai est un nombre de jours entre 0 et 365 après l'échéance."));
        }
    }
    if !(s.r1_days < s.r2_days && s.r2_days < s.r3_days && s.r3_days < s.med_days) {
        return Err(AppError::invalid("r2_days", "Les délais doivent croître : R1, puis R2, puis R3, puis MED."));
    }
    if !(1..=60).contains(&s.med_deadline_days) {
        return Err(AppError::invalid("med_deadline_days", "Le délai de paiement de la mise en demeure est compris entre 1 et 60 jours."));
    }
    Ok(())
}

/// A contractual penalty rate (basis points) is never below three times the legal
/// interest rate `legal_bp` (L441-10), nor above 100 %.
pub fn check_contract_rate(bp: i64, legal_bp: i64) -> Result<(), AppError> {
    if bp < 3 * legal_bp || bp > 10_000 {
        return Err(AppError::invalid(
            "contract_rate",
            format!(
                "Le taux contractuel ne peut être inférieur à trois fois le taux d'intérêt légal ({} %).",
                crate::fmt::percent_bp(3 * legal_bp)
            ),
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub use dated::*;

/// The rules that count days (chrono is on the server only).
#[cfg(feature = "ssr")]
mod dated {
    use chrono::{Datelike, Duration, NaiveDate};

    use super::{ECB_MARGIN_BP, INDEMNITY_CENTS, PRESCRIPTION_DAYS, PRESCRIPTION_NOTICE_DAYS, RateTable, half_of, interest, rate_for};

    pub fn day_number(d: NaiveDate) -> i64 {
        (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
    }

    /// The day a consumer's invoice due on `due` lapses, when that is near enough on
    /// `today` to warn.
    pub fn lapse_warning(due: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
        let lapse = due + Duration::days(PRESCRIPTION_DAYS);
        (today + Duration::days(PRESCRIPTION_NOTICE_DAYS) >= lapse).then_some(lapse)
    }

    /// The amounts of one invoice at date `on`.
    pub struct Amounts {
        pub penalties: i64,
        pub indemnity: i64,
    }

    /// The company's rates and its contractual rate, as of now (`store::Law::load`).
    pub struct Law {
        pub ecb: RateTable,
        pub legal_particulier: RateTable,
        pub legal_autre: RateTable,
        pub contract_rate_bp: Option<i64>,
    }

    impl Law {
        /// The legal default rate of a day: the ECB rate of its half-year plus 10 points.
        fn ecb_plus_10(&self, day: NaiveDate) -> i64 {
            rate_for(&self.ecb, &half_of(day.year(), day.month())).map(|r| r.0).unwrap_or(0) + ECB_MARGIN_BP
        }

        /// The B2B penalty rate of a day (basis points), as the company's settings say today.
        pub fn penalty_rate(&self, day: NaiveDate) -> i64 {
            self.contract_rate_bp.unwrap_or_else(|| self.ecb_plus_10(day))
        }

        /// The rate of a day for an invoice that stated `stated` when issued (its
        /// `document.penalty_rate_bp`: `STATED_LEGAL_DEFAULT` for the ECB rate + 10 points;
        /// `None` for an invoice issued before rates were kept: the company's current rate).
        pub fn stated_rate(&self, stated: Option<i64>, day: NaiveDate) -> i64 {
            match stated {
                None => self.penalty_rate(day),
                Some(super::STATED_LEGAL_DEFAULT) => self.ecb_plus_10(day),
                Some(bp) => bp,
            }
        }

        /// The amounts of an invoice, at the rate it stated ([`Law::stated_rate`]).
        pub fn amounts(&self, business: bool, stated: Option<i64>, remaining: i64, due: NaiveDate, on: NaiveDate) -> Amounts {
            if !business {
                // Private client: interest at the legal rate runs from the formal notice only.
                return Amounts { penalties: 0, indemnity: 0 };
            }
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
            let penalties =
                interest(remaining, day_number(due) + 1, day_number(on), |d| self.stated_rate(stated, epoch + Duration::days(d)));
            Amounts { penalties, indemnity: INDEMNITY_CENTS }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_late_at_one_rate() {
        // 1,000.00 € due 31/01/2026, on 02/03/2026: 30 days (1 Feb – 2 Mar) at 12.15 %.
        // 100000 × 1215 × 30 / 3,650,000 = 998.63 → 9.99 €.
        assert_eq!(interest(100_000, 1, 30, |_| 1215), 999);
    }

    #[test]
    fn across_two_half_years() {
        // 5,000.00 €: 10 days at 13.15 % then 10 days at 12.15 %.
        // 500000 × (13150 + 12150) / 3,650,000 = 3465.75 → 34.66 €.
        assert_eq!(interest(500_000, 0, 19, |d| if d < 10 { 1315 } else { 1215 }), 3466);
    }

    #[test]
    fn nothing_before_it_runs() {
        assert_eq!(interest(100_000, 10, 9, |_| 1215), 0);
        assert_eq!(interest(0, 1, 30, |_| 1215), 0);
    }

    #[test]
    fn rates_by_half_year() {
        let t: RateTable = vec![("2025-1".into(), 315), ("2025-2".into(), 215)];
        assert_eq!(rate_for(&t, "2025-1"), Some((315, true)));
        assert_eq!(rate_for(&t, "2026-1"), Some((215, false)), "the latest known, flagged");
        assert_eq!(rate_for(&t, "2024-2"), Some((315, false)), "the earliest known, flagged");
        assert_eq!(half_of(2026, 6), "2026-1");
        assert_eq!(half_of(2026, 7), "2026-2");
        assert_eq!(Level::from_code("med"), Some(Level::Med));
        assert_eq!(Level::after([]), Some(Level::R1));
        assert_eq!(Level::after([Level::R1, Level::Med]), None, "after a formal notice, nothing");
        assert_eq!(Level::after([Level::R1]), Some(Level::R2));
    }

    #[test]
    fn delays_grow_and_a_contract_rate_has_a_floor() {
        let ok = ReminderSettings::default();
        assert!(check_delays(&ok).is_ok());
        let flat = ReminderSettings { r2_days: 7, ..ok.clone() };
        assert!(check_delays(&flat).unwrap_err().to_string().contains("croître"));
        let late = ReminderSettings { med_days: 366, ..ok.clone() };
        assert!(check_delays(&late).is_err());
        let deadline = ReminderSettings { med_deadline_days: 0, ..ok };
        assert!(check_delays(&deadline).is_err());
        // Legal rate 2.76 %: at least 8.28 %.
        assert!(check_contract_rate(828, 276).is_ok());
        let e = check_contract_rate(827, 276).unwrap_err().to_string();
        assert!(e.contains("8,28 %"), "{e}");
        assert!(check_contract_rate(10_001, 0).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_business_invoice_owes_penalties_and_the_indemnity_a_private_one_nothing() {
        use chrono::NaiveDate;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let law = Law {
            ecb: vec![("2025-1".into(), 315), ("2025-2".into(), 215)],
            legal_particulier: vec![],
            legal_autre: vec![],
            contract_rate_bp: None,
        };
        // 5,000.00 € due 20/06/2025, on 10/07/2025: 10 days at 13.15 % then 10 at 12.15 %.
        let a = law.amounts(true, None, 500_000, d("2025-06-20"), d("2025-07-10"));
        assert_eq!((a.penalties, a.indemnity), (3466, INDEMNITY_CENTS));
        let a = law.amounts(false, None, 500_000, d("2025-06-20"), d("2025-07-10"));
        assert_eq!((a.penalties, a.indemnity), (0, 0));
        let contract = Law { contract_rate_bp: Some(1500), ..law };
        assert_eq!(contract.penalty_rate(d("2025-07-01")), 1500);
        assert_eq!(lapse_warning(d("2024-12-31"), d("2026-10-01")), None);
        assert_eq!(lapse_warning(d("2024-12-31"), d("2026-10-02")), Some(d("2026-12-31")));
    }
}
