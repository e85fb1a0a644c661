//! What the pages show of mails and of a sender domain's check.

use serde::{Deserialize, Serialize};

/// One mail of the outbox, as shown on the document (or reminder, action) it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub status: String,
    /// The address it went out from (the user's, or the application's: see `sender_note`).
    pub sent_from: String,
    pub sender_note: String,
    /// The SMTP server's last answer, as it gave it.
    pub smtp_reply: String,
    /// What to do about a failure, in French.
    pub advice: String,
    pub attempts: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MailView {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
    pub fn is_failure(&self) -> bool {
        matches!(self.status.as_str(), "failed" | "uncertain")
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" | "claimed" => "En attente d'envoi",
        "sending" => "Envoi en cours",
        "sent" => "Envoyé",
        "failed" => "Échec de l'envoi",
        "uncertain" => "Envoi incertain",
        "cancelled" => "Annulé",
        _ => "Inconnu",
    }
}

/// The outcome of «Vérifier mon domaine».
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainStatus {
    /// The SPF record authorises our sending servers.
    Authorised,
    /// An SPF record exists and does not authorise them.
    NotAuthorised,
    /// No SPF record.
    NoRecord,
    /// The record is broken (two records, syntax, loop, too many lookups).
    Broken,
    /// DNS did not answer: «impossible de vérifier»; sending is not blocked.
    Unknown,
}

impl DomainStatus {
    /// Whether mail may go From the user's own address.
    pub fn sends_as_user(self) -> bool {
        matches!(self, DomainStatus::Authorised | DomainStatus::Unknown)
    }
    pub fn code(self) -> &'static str {
        match self {
            DomainStatus::Authorised => "authorised",
            DomainStatus::NotAuthorised => "not_authorised",
            DomainStatus::NoRecord => "no_record",
            DomainStatus::Broken => "broken",
            DomainStatus::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainReport {
    pub domain: String,
    pub status: DomainStatus,
    /// The domain's SPF records as published (more than one is an error).
    pub spf_records: Vec<String>,
    /// The one record to publish instead (their record with our `include:` added).
    pub proposed: Option<String>,
    pub dmarc: Option<String>,
    /// The verdict in plain French.
    pub message: String,
    pub checked_at: i64,
}
