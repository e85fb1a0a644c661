//! SAV tickets and services as the pages show them.

use serde::{Deserialize, Serialize};

pub const SAV_STATUSES: [(&str, &str); 3] = [("ouvert", "Ouvert"), ("en_cours", "En cours"), ("clos", "Clos")];

pub fn status_label(code: &str) -> &'static str {
    SAV_STATUSES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("Ouvert")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavView {
    pub id: i64,
    pub contact_id: i64,
    pub title: String,
    /// «Observations»
    pub observations: String,
    pub opened_on: String,
    pub closed_on: String,
    pub status: String,
    /// «Archivé»
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: i64,
    pub contact_id: i64,
    pub label: String,
    pub start_date: String,
    pub periodicity_months: i64,
    pub next_due: String,
    pub notes: String,
    pub active: bool,
}

impl ServiceView {
    pub fn periodicity(&self) -> String {
        match self.periodicity_months {
            1 => "Mensuel".into(),
            3 => "Trimestriel".into(),
            6 => "Semestriel".into(),
            12 => "Annuel".into(),
            24 => "Tous les deux ans".into(),
            n => format!("Tous les {n} mois"),
        }
    }
}

/// A client's «SAV et services».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSavView {
    pub contact_id: i64,
    pub contact_name: String,
    pub sav: Vec<SavView>,
    pub services: Vec<ServiceView>,
}
