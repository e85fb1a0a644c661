//! Imports as the pages show them.

use serde::{Deserialize, Serialize};

/// The fields a column can be imported into (besides complementary questions, «q<id>»);
/// the empty code is «Ignorer».
pub const FIELDS: [(&str, &str); 15] = [
    ("", "— Ignorer —"),
    ("civilite", "Civilité"),
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("societe", "Société"),
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("ville", "Ville"),
    ("telephone", "Téléphone"),
    ("email", "E-mail"),
    ("notes", "Notes"),
    ("type_client", "Type de client"),
    ("siren", "SIREN"),
    ("siret", "SIRET"),
    ("tva_intra", "N° TVA intracommunautaire"),
];

/// One field code per column of the file.
pub type Mapping = Vec<String>;

/// What to do with a row that looks like a contact already there.
pub const CHOICES: [(&str, &str); 3] =
    [("ignorer", "Ne pas importer"), ("fusionner", "Compléter la fiche existante"), ("creer", "Créer quand même")];

pub fn choice_label(code: &str) -> &'static str {
    CHOICES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

/// A row of the file that looks like a contact of the base (or an earlier row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DupRow {
    /// Index of the row among the data rows.
    pub row: usize,
    /// Line in the file.
    pub line: usize,
    pub title: String,
    /// The contact of the base it matches, or none when it matches an earlier row.
    pub target_id: Option<i64>,
    pub target_title: String,
    pub reasons: String,
    pub score: u32,
}

/// The preview's findings, kept with the import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    pub encoding: String,
    pub separator: String,
    pub header_line: Option<usize>,
    pub headers: Vec<String>,
    /// The first data rows, as read.
    pub sample: Vec<Vec<String>>,
    pub total: usize,
    pub new_rows: usize,
    pub duplicates: Vec<DupRow>,
    /// (line, reason).
    pub invalid: Vec<(usize, String)>,
    /// How many duplicates and invalid rows there are (the lists above are cut).
    pub duplicate_count: usize,
    pub invalid_count: usize,
}

/// The most rows of each kind listed on the preview (the counts are always whole).
pub const LISTED_MAX: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    /// apercu, en_cours, interrompu, termine, echec, annule.
    pub state: String,
    /// A running import whose worker stopped answering (server restarted): it can resume.
    pub stalled: bool,
    pub by: String,
    /// When it was uploaded, as read in Paris.
    pub when: String,
    pub statut: String,
    pub default_choice: String,
    pub mapping: Mapping,
    /// Per-row choices for duplicates: (row, choice).
    pub choices: Vec<(usize, String)>,
    pub analysis: Analysis,
    /// The fields a column can take here: FIELDS, then the active questions.
    pub options: Vec<(String, String)>,
    pub progress: Progress,
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub created: i64,
    pub merged: i64,
    pub skipped: i64,
    pub invalid: i64,
}

impl Progress {
    pub fn percent(&self) -> i64 {
        if self.total > 0 { self.done * 100 / self.total } else { 100 }
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "apercu" => "Aperçu, pas encore importé",
        "en_cours" => "Import en cours",
        "interrompu" => "Interrompu",
        "termine" => "Terminé",
        "echec" => "Échec",
        "annule" => "Annulé (import défait)",
        "bloque" => "Bloqué (reprenez l'import)",
        _ => "",
    }
}

/// A line of «Imports précédents».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub id: i64,
    pub file_name: String,
    pub by: String,
    pub when: String,
    pub progress: Progress,
}
