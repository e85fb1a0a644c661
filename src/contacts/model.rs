use serde::{Deserialize, Serialize};

/// «Statut» of a contact: two bases in one table, and the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statut {
    Prospect,
    Client,
    Corbeille,
}

impl Statut {
    pub const ALL: [Statut; 3] = [Statut::Prospect, Statut::Client, Statut::Corbeille];

    pub fn code(self) -> &'static str {
        match self {
            Statut::Prospect => "prospect",
            Statut::Client => "client",
            Statut::Corbeille => "corbeille",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Statut::Prospect => "Prospect",
            Statut::Client => "Client",
            Statut::Corbeille => "Corbeille",
        }
    }
    pub fn from_code(code: &str) -> Option<Statut> {
        Statut::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ContactRow {
    pub id: i64,
    pub statut: String,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactPage {
    pub rows: Vec<ContactRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 50;
