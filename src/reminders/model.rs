//! What the reminder pages show.

use serde::{Deserialize, Serialize};

/// «Gestion des relances»: delays (days after the due date), automatic levels, the MED
/// payment deadline, an optional contractual penalty rate (basis points).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    pub r1_days: i64,
    pub r2_days: i64,
    pub r3_days: i64,
    pub med_days: i64,
    /// «Envoyer les relances R1 par email»
    pub auto_r1: bool,
    pub auto_r2: bool,
    pub auto_r3: bool,
    pub med_deadline_days: i64,
    pub contract_rate_bp: Option<i64>,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            r1_days: 7,
            r2_days: 15,
            r3_days: 30,
            med_days: 45,
            auto_r1: false,
            auto_r2: false,
            auto_r3: false,
            med_deadline_days: 8,
            contract_rate_bp: None,
        }
    }
}

impl ReminderSettings {
    pub fn delay(&self, level: crate::reminders::law::Level) -> i64 {
        use crate::reminders::law::Level;
        match level {
            Level::R1 => self.r1_days,
            Level::R2 => self.r2_days,
            Level::R3 => self.r3_days,
            Level::Med => self.med_days,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub level: String,
    pub letter: String,
    pub email_subject: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRow {
    pub kind: String,
    pub half: String,
    pub rate_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsData {
    pub settings: ReminderSettings,
    pub templates: Vec<Template>,
    pub rates: Vec<RateRow>,
    pub placeholders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueInvoice {
    pub id: i64,
    pub number: String,
    pub doc_date: String,
    pub due_date: String,
    pub days_late: i64,
    pub remaining: i64,
    /// Levels already reached.
    pub done: Vec<String>,
    pub next_level: Option<String>,
    pub next_date: String,
}

/// A client of «Relance factures clients», with its overdue invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueClient {
    pub contact_id: i64,
    pub name: String,
    pub business: bool,
    pub invoices: Vec<OverdueInvoice>,
    pub total: i64,
    pub last_level: Option<String>,
    pub last_date: Option<String>,
    pub next_level: Option<String>,
    /// Consumer claims lapse after two years: said before.
    pub warning: Option<String>,
}

/// A reminder made (letter or e-mail), as «Porte doc» › «Relances» lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterView {
    pub id: i64,
    pub level: String,
    pub channel: String,
    pub comment: String,
    pub author: String,
    pub on_date: String,
    pub amount_due: i64,
    pub penalties: i64,
    pub indemnity: i64,
    pub invoices: Vec<String>,
    /// The e-mail's state when it was sent by e-mail.
    pub mail_status: Option<String>,
    pub mail_advice: String,
}

/// The dashboard widget: per level, how many clients and how much is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkSummary {
    pub levels: Vec<(String, i64, i64)>,
}
