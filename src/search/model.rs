use serde::{Deserialize, Serialize};

/// One search result: enough to recognise the contact and open it. (The search reads it
/// from the database as an array in the order of these fields.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: i64,
    pub statut: String,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub phone: Option<String>,
}

impl Hit {
    /// «PAVIÈRE Robert», or the company name.
    pub fn title(&self) -> String {
        let person = crate::contacts::model::person_name(&self.nom, &self.prenom);
        match (person.is_empty(), self.societe.is_empty()) {
            (true, _) => self.societe.clone(),
            (false, true) => person,
            (false, false) => format!("{person} — {}", self.societe),
        }
    }
    pub fn sort_key(&self) -> (String, String, i64) {
        (self.nom.to_lowercase(), self.prenom.to_lowercase(), self.id)
    }
}
