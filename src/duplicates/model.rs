//! Duplicates: what the pages show.

use serde::{Deserialize, Serialize};

/// The fields chosen one by one in «Fusionner» (notes are joined, phones united).
pub const MERGE_FIELDS: [(&str, &str); 8] = [
    ("civilite", "Civilité"),
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("societe", "Société"),
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("ville", "Ville"),
    ("email", "E-mail"),
];

/// One record of a pair, or of the merge page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeSide {
    pub id: i64,
    pub title: String,
    pub statut: String,
    pub fields: Vec<(String, String)>,
    pub phones: Vec<String>,
    pub merged_into: Option<i64>,
}

impl MergeSide {
    pub fn brief(id: i64, nom: &str, prenom: &str, societe: &str, cp: &str, ville: &str) -> MergeSide {
        MergeSide {
            id,
            title: crate::contacts::model::contact_title(nom, prenom, societe),
            statut: String::new(),
            fields: vec![("code_postal".into(), cp.into()), ("ville".into(), ville.into())],
            phones: vec![],
            merged_into: None,
        }
    }
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// A scored pair of «Doublons».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairView {
    pub a: MergeSide,
    pub b: MergeSide,
    pub score: u32,
    pub reasons: String,
}

/// The «Doublons» page: the latest scan and its pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scan_id: Option<i64>,
    pub running: bool,
    pub done: i64,
    pub total: i64,
    pub pairs: Vec<PairView>,
}

/// «Doublon possible» while a contact is typed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub score: u32,
    pub reasons: String,
}

/// The merge page: both records, and the merges that can be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeView {
    pub survivor: MergeSide,
    pub other: MergeSide,
}
