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
    /// Whether SPF authorises our sending servers (`Pass` for each of them). Necessary,
    /// not sufficient, to send From the user: the company must also have proved the
    /// domain ([`DomainView::sends_as_user`]). Anything else (no record, `-all`, broken,
    /// DNS failure) fails closed.
    pub fn authorises_us(self) -> bool {
        matches!(self, DomainStatus::Authorised)
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

/// Whether the company has proved that it holds the sender domain: the TXT record
/// `_ouvrage.<domain>` = `ouvrage-verification=<token>` (the company's own token) seen in
/// DNS. One company at most holds a domain (the first to prove it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ownership {
    /// No token asked yet («Vérifier mon domaine» never clicked for this domain).
    #[default]
    NotRequested,
    /// The token is not (or no longer) published.
    Pending,
    /// The token is published and the domain belongs to this company.
    Verified,
    /// Another company proved this domain first.
    OtherCompany,
    /// The DNS did not answer for the verification record.
    Unknown,
    /// Withdrawn by Ouvrage's administrator (the domain changed hands); never claimed
    /// again automatically.
    Revoked,
}

impl Ownership {
    pub fn code(self) -> &'static str {
        match self {
            Ownership::NotRequested => "not_requested",
            Ownership::Pending => "pending",
            Ownership::Verified => "verified",
            Ownership::OtherCompany => "other_company",
            Ownership::Unknown => "unknown",
            Ownership::Revoked => "revoked",
        }
    }
    pub fn from_code(code: &str) -> Ownership {
        match code {
            "verified" => Ownership::Verified,
            "other_company" => Ownership::OtherCompany,
            "unknown" => Ownership::Unknown,
            "revoked" => Ownership::Revoked,
            _ => Ownership::Pending,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Ownership::NotRequested => "Domaine non vérifié",
            Ownership::Pending => "Domaine en attente de vérification",
            Ownership::Verified => "Domaine vérifié",
            Ownership::OtherCompany => "Domaine vérifié par une autre entreprise",
            Ownership::Unknown => "Vérification impossible pour le moment",
            Ownership::Revoked => "Vérification retirée",
        }
    }
}

/// The proof of a sender domain for one company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainProof {
    pub domain: String,
    pub ownership: Ownership,
    /// The name of the TXT record to publish: `_ouvrage.<domain>`.
    pub record_name: String,
    /// Its value, `ouvrage-verification=<token>` (empty until a token is asked).
    pub record_value: String,
    /// When this company first proved the domain.
    pub verified_at: Option<i64>,
    /// The state in plain French.
    pub message: String,
}

/// What decides a mail's sender: the SPF check and the company's proof of the domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainView {
    pub report: DomainReport,
    pub proof: DomainProof,
}

impl DomainView {
    /// Mail goes From the user's own address only when the domain is proved by this
    /// company AND its SPF record authorises our sending servers; anything else goes
    /// From the application's address with Reply-To the user.
    pub fn sends_as_user(&self) -> bool {
        self.proof.ownership == Ownership::Verified && self.report.status.authorises_us()
    }
}
