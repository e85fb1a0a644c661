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

pub const INDEMNITY_CENTS: i64 = 4000;
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
}
