use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub user: String,
    pub what: String,
    pub link: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: i64,
    pub more: bool,
}

pub const PER_PAGE: i64 = 100;

/// What an entry says, in French.
pub fn label(entity: &str, action: &str, detail: &str) -> String {
    match (entity, action) {
        ("contact", "statut") => "Changement de statut".into(),
        ("contact", "bloque") if detail.starts_with("oui") => "Gestion commerciale bloquée".into(),
        ("contact", "bloque") => "Gestion commerciale débloquée".into(),
        ("contact", "fusion") => "Fusion de contacts".into(),
        ("contact", "fusion_annulee") => "Fusion annulée".into(),
        ("contact", "fichier") => "Fichier importé".into(),
        ("document", "cree") => "Pièce créée".into(),
        ("document", "emise") => "Pièce émise".into(),
        ("document", "paiement") => "Paiement enregistré".into(),
        ("document", "annulee") => "Pièce annulée".into(),
        ("user", "created") => "Compte créé".into(),
        ("user", "updated") => "Compte modifié (droits)".into(),
        ("user", "password_changed") => "Mot de passe changé".into(),
        ("user", "login") => "Connexion".into(),
        _ => format!("{entity} : {action}"),
    }
}
