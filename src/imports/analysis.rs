//! The analysis behind an import's preview, and the verdict on each row the job applies:
//! a row as a contact (civilité, phone and postcode repaired, answers checked), the
//! duplicates detector over the base and the rows above, the preview's figures. Pure: no
//! database, no async; the store gives it the base's people and the company's questions.

use std::collections::HashMap;

use crate::contacts::model::{ContactForm, ContactInput, Statut, contact_title};
use crate::duplicates::score::{LIKELY, Norm, Person, block_limit, keys, normalise, score};
use crate::error::AppError;
use crate::imports::model::{Analysis, DupRow, LISTED_MAX};
use crate::imports::parse::Table;
use crate::questions::model::{QuestionView, check_answer};
use crate::search::text::fold;

/// Rows shown as read on the preview.
const SAMPLE_ROWS: usize = 10;

/// The French text of an error, for a row or a failed job.
pub(crate) fn message(e: AppError) -> String {
    match e {
        AppError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn civilite(v: &str) -> Option<&'static str> {
    match fold(v).as_str() {
        "m" | "mr" | "monsieur" => Some("M."),
        "mme" | "madame" | "mlle" | "mademoiselle" | "mrs" | "ms" => Some("Mme"),
        "m et mme" | "mr et mme" | "monsieur et madame" | "m mme" | "mme et m" => Some("M. et Mme"),
        _ => None,
    }
}

/// A number a spreadsheet stored as a number lost its leading zero: «612345678».
fn phone(v: &str) -> String {
    let digits = v.chars().all(|c| c.is_ascii_digit());
    match v.len() {
        9 if digits && !v.starts_with('0') => format!("0{v}"),
        11 if digits && v.starts_with("33") => format!("+{v}"),
        _ => v.to_string(),
    }
}

/// A data row as a contact and its answers, or the French reason it cannot be imported.
pub fn row_input(
    cells: &[String],
    mapping: &[String],
    statut: Statut,
    questions: &[QuestionView],
) -> Result<(ContactInput, Vec<(i64, String)>), String> {
    let mut f = ContactForm { statut: statut.code().into(), ..Default::default() };
    let mut answers = Vec::new();
    for (field, v) in mapping.iter().zip(cells) {
        if v.is_empty() {
            continue;
        }
        match field.as_str() {
            "" => {}
            "civilite" => f.civilite = civilite(v).ok_or_else(|| format!("Civilité inconnue : « {v} » (M., Mme ou M. et Mme)."))?.into(),
            "nom" => f.nom = v.clone(),
            "prenom" => f.prenom = v.clone(),
            "societe" => f.societe = v.clone(),
            "adresse" => f.adresse = v.clone(),
            "code_postal" if v.len() == 4 && v.chars().all(|c| c.is_ascii_digit()) => f.code_postal = format!("0{v}"),
            "code_postal" => f.code_postal = v.clone(),
            "ville" => f.ville = v.clone(),
            "telephone" => f.phones.push(phone(v)),
            "email" => f.email = v.clone(),
            "notes" => f.notes = v.clone(),
            "type_client" => {
                f.type_client = match crate::search::text::fold(v).as_str() {
                    "professionnel" | "pro" | "entreprise" | "societe" | "b2b" => "professionnel",
                    "particulier" | "part" | "prive" | "b2c" => "particulier",
                    _ => return Err(format!("Type de client inconnu : « {v} » (Particulier ou Professionnel).")),
                }
                .into()
            }
            "siren" => f.siren = v.clone(),
            "siret" => f.siret = v.clone(),
            "tva_intra" => f.tva_intra = v.clone(),
            q => {
                let id = q.strip_prefix('q').and_then(|id| id.parse::<i64>().ok());
                let Some(q) = questions.iter().find(|x| Some(x.id) == id && !x.retired) else { continue };
                if let Some(value) = check_answer("fichier", &q.label, q.kind, &q.choices, v).map_err(message)? {
                    answers.push((q.id, value));
                }
            }
        }
    }
    // Without a «Type de client» column, a row with a business identifier is a
    // professional's (docs/import-export.md).
    if f.type_client.is_empty() && [&f.siren, &f.siret, &f.tva_intra].iter().any(|v| !v.trim().is_empty()) {
        f.type_client = "professionnel".into();
    }
    let input = f.parse().map_err(message)?;
    Ok((input, answers))
}

fn person(c: &ContactInput) -> Person {
    Person {
        id: 0,
        nom: c.nom.clone(),
        prenom: c.prenom.clone(),
        societe: c.societe.clone(),
        adresse: c.adresse.clone(),
        code_postal: c.code_postal.clone(),
        ville: c.ville.clone(),
        email: c.email.clone(),
        phones: c.phones.clone(),
        siren: c.ids.siren.clone(),
    }
}

/// What a row looks like a duplicate of: a contact of the base, or an earlier row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    Contact(i64),
    Row(usize),
}

/// The duplicates detector over the base and the rows seen so far: the scan's blocking
/// keys and score, one row against its candidates.
pub(crate) struct Detector {
    norms: Vec<Norm>,
    titles: Vec<String>,
    pub(crate) targets: Vec<Target>,
    blocks: HashMap<String, Vec<usize>>,
    /// For each entry, the last lookup that scored it (no entry scored twice per row).
    stamps: Vec<u32>,
    lookup: u32,
}

impl Detector {
    pub(crate) fn new(people: Vec<Person>) -> Detector {
        let mut d =
            Detector { norms: Vec::new(), titles: Vec::new(), targets: Vec::new(), blocks: HashMap::new(), stamps: Vec::new(), lookup: 0 };
        for p in people {
            let title = contact_title(&p.nom, &p.prenom, &p.societe);
            d.add(normalise(&p), title, Target::Contact(p.id));
        }
        d
    }

    pub(crate) fn add(&mut self, n: Norm, title: String, target: Target) {
        let i = self.norms.len();
        for k in keys(&n) {
            self.blocks.entry(k).or_default().push(i);
        }
        self.norms.push(n);
        self.titles.push(title);
        self.targets.push(target);
        self.stamps.push(0);
    }

    /// The best likely match: (index, score, reasons).
    fn best(&mut self, n: &Norm) -> Option<(usize, u32, Vec<String>)> {
        let mut best: Option<(usize, u32, Vec<String>)> = None;
        self.lookup += 1;
        for k in keys(n) {
            let Some(block) = self.blocks.get(&k).filter(|b| b.len() <= block_limit(&k)) else { continue };
            for &i in block {
                if self.stamps[i] == self.lookup {
                    continue;
                }
                self.stamps[i] = self.lookup;
                let (s, reasons) = score(n, &self.norms[i]);
                if s >= LIKELY && best.as_ref().is_none_or(|b| s > b.1) {
                    best = Some((i, s, reasons));
                }
            }
        }
        best
    }
}

/// How a row stands against the base.
pub(crate) enum Verdict {
    Invalid(String),
    New(ContactInput, Vec<(i64, String)>, Norm),
    Duplicate(ContactInput, Vec<(i64, String)>, Norm, usize, u32, Vec<String>),
}

pub(crate) fn classify(det: &mut Detector, cells: &[String], mapping: &[String], statut: Statut, questions: &[QuestionView]) -> Verdict {
    match row_input(cells, mapping, statut, questions) {
        Err(reason) => Verdict::Invalid(reason),
        Ok((input, answers)) => {
            let n = normalise(&person(&input));
            match det.best(&n) {
                Some((i, s, reasons)) => Verdict::Duplicate(input, answers, n, i, s, reasons),
                None => Verdict::New(input, answers, n),
            }
        }
    }
}

/// The preview: every row classified against the base and the rows above it.
pub(crate) fn analyse(table: &Table, mapping: &[String], statut: Statut, questions: &[QuestionView], people: Vec<Person>) -> Analysis {
    let mut det = Detector::new(people);
    let mut a = Analysis {
        encoding: table.encoding.to_string(),
        separator: match table.separator {
            None => String::new(),
            Some('\t') => "tabulation".into(),
            Some(c) => format!("« {c} »"),
        },
        header_line: table.header_line,
        headers: table.headers.clone(),
        sample: table.rows.iter().take(SAMPLE_ROWS).map(|(_, c)| c.clone()).collect(),
        total: table.rows.len(),
        ..Default::default()
    };
    for (row, (line, cells)) in table.rows.iter().enumerate() {
        match classify(&mut det, cells, mapping, statut, questions) {
            Verdict::Invalid(reason) => {
                a.invalid_count += 1;
                if a.invalid.len() < LISTED_MAX {
                    a.invalid.push((*line, reason));
                }
            }
            Verdict::New(input, _, n) => {
                a.new_rows += 1;
                det.add(n, input_title(&input), Target::Row(row));
            }
            Verdict::Duplicate(input, _, n, i, s, reasons) => {
                a.duplicate_count += 1;
                if a.duplicates.len() < LISTED_MAX {
                    let (target_id, target_title) = match det.targets[i] {
                        Target::Contact(id) => (Some(id), det.titles[i].clone()),
                        Target::Row(r) => (None, format!("{} (ligne {} du fichier)", det.titles[i], table.rows[r].0)),
                    };
                    a.duplicates.push(DupRow {
                        row,
                        line: *line,
                        title: input_title(&input),
                        target_id,
                        target_title,
                        reasons: reasons.join(", "),
                        score: s,
                    });
                }
                det.add(n, input_title(&input), Target::Row(row));
            }
        }
    }
    a
}

pub(crate) fn input_title(c: &ContactInput) -> String {
    contact_title(&c.nom, &c.prenom, &c.societe)
}

/// The questions a column may be imported into: (id, label) of those not retired.
pub(crate) fn active(questions: &[QuestionView]) -> Vec<(i64, String)> {
    questions.iter().filter(|q| !q.retired).map(|q| (q.id, q.label.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::model::Kind;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|c| c.to_string()).collect()
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            encoding: "UTF-8",
            separator: Some(';'),
            header_line: Some(1),
            headers: cells(headers),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, cells(r))).collect(),
        }
    }

    fn base(id: i64, nom: &str, prenom: &str, phone: &str) -> Person {
        Person {
            id,
            nom: nom.into(),
            prenom: prenom.into(),
            code_postal: "69003".into(),
            ville: "Lyon".into(),
            phones: vec![phone.into()],
            ..Default::default()
        }
    }

    fn question(id: i64, kind: Kind, choices: &[&str], retired: bool) -> QuestionView {
        QuestionView { id, label: format!("Question {id}"), kind, choices: cells(choices), pinned: false, retired, answers: 0 }
    }

    #[test]
    fn a_row_becomes_a_contact_with_what_spreadsheets_lose_put_back() {
        let mapping = cells(&["civilite", "nom", "prenom", "telephone", "code_postal", "ville", "email"]);
        let (c, answers) =
            row_input(&cells(&["Monsieur", "Pavière", "Robert", "612345678", "1000", "Bourg", "r@x.fr"]), &mapping, Statut::Prospect, &[])
                .unwrap();
        assert_eq!((c.civilite.as_str(), c.nom.as_str(), c.prenom.as_str()), ("M.", "Pavière", "Robert"));
        assert_eq!(c.phones, ["06 12 34 56 78"], "the leading zero a number cell lost");
        assert_eq!(c.code_postal, "01000", "the leading zero of a department below 10");
        assert_eq!(c.statut, Statut::Prospect);
        assert!(answers.is_empty());
        let (c, _) =
            row_input(&cells(&["mme", "Léon", "33612345678"]), &cells(&["civilite", "nom", "telephone"]), Statut::Client, &[]).unwrap();
        assert_eq!(
            (c.civilite.as_str(), c.phones.as_slice()),
            ("Mme", &["06 12 34 56 78".to_string()][..]),
            "33… as a number: +33, a French number"
        );
    }

    #[test]
    fn a_row_that_cannot_be_a_contact_says_why_in_french() {
        let mapping = cells(&["civilite", "nom"]);
        assert_eq!(
            row_input(&cells(&["Dr", "Durand"]), &mapping, Statut::Client, &[]).unwrap_err(),
            "Civilité inconnue : « Dr » (M., Mme ou M. et Mme)."
        );
        assert_eq!(row_input(&cells(&["M.", ""]), &mapping, Statut::Client, &[]).unwrap_err(), "Indiquez au moins un nom ou une société.");
        let e = row_input(&cells(&["Durand", "12"]), &cells(&["nom", "code_postal"]), Statut::Client, &[]).unwrap_err();
        assert!(e.contains("code postal"), "{e}");
    }

    #[test]
    fn answers_go_to_active_questions_only_and_are_checked() {
        let qs = [question(5, Kind::Choix, &["Maison", "Appartement"], false), question(6, Kind::Texte, &[], true)];
        let mapping = cells(&["nom", "q5", "q6", "q99", ""]);
        let (_, answers) =
            row_input(&cells(&["Durand", "Maison", "retired", "unknown", "ignored"]), &mapping, Statut::Client, &qs).unwrap();
        assert_eq!(answers, [(5, "Maison".to_string())], "a retired or unknown question is left out");
        assert!(row_input(&cells(&["Durand", "Château"]), &mapping[..2], Statut::Client, &qs).is_err(), "not one of the choices");
        assert_eq!(active(&qs), [(5, "Question 5".to_string())]);
    }

    #[test]
    fn the_preview_classifies_rows_against_the_base_and_the_rows_above() {
        let t = table(
            &["Nom", "Prénom", "Téléphone", "CP", "Ville"],
            &[
                &["Durand", "Marie", "0612345678", "69003", "Lyon"],        // the base's contact 7
                &["Martin", "Paul", "0698765432", "38000", "Grenoble"],     // new
                &["", "", "0600000000", "", ""],                            // invalid: no name
                &["MARTIN", "Paul", "06 98 76 54 32", "38000", "Grenoble"], // the row above
                &["Bernard", "Zoé", "0611111111", "75011", "Paris"],        // new
            ],
        );
        let mapping = cells(&["nom", "prenom", "telephone", "code_postal", "ville"]);
        let a = analyse(&t, &mapping, Statut::Client, &[], vec![base(7, "Durand", "Marie", "06 12 34 56 78")]);
        assert_eq!((a.total, a.new_rows, a.duplicate_count, a.invalid_count), (5, 2, 2, 1));
        assert_eq!(a.invalid, [(4, "Indiquez au moins un nom ou une société.".to_string())], "the file's line, the reason");
        let d: Vec<(usize, usize, Option<i64>, &str)> =
            a.duplicates.iter().map(|d| (d.row, d.line, d.target_id, d.target_title.as_str())).collect();
        assert_eq!(d, [(0, 2, Some(7), "DURAND Marie"), (3, 5, None, "MARTIN Paul (ligne 3 du fichier)")]);
        assert!(a.duplicates.iter().all(|d| d.score >= LIKELY && !d.reasons.is_empty()));
        assert_eq!((a.encoding.as_str(), a.separator.as_str(), a.header_line), ("UTF-8", "« ; »", Some(1)));
        assert_eq!(a.sample.len(), 5);
        assert_eq!(a.sample[3][0], "MARTIN");
    }

    #[test]
    fn a_detector_finds_a_contact_added_while_the_job_runs() {
        let mut det = Detector::new(Vec::new());
        let mapping = cells(&["nom", "prenom", "telephone"]);
        let row = cells(&["Durand", "Marie", "0612345678"]);
        let Verdict::New(input, _, n) = classify(&mut det, &row, &mapping, Statut::Client, &[]) else {
            panic!("an empty base has no duplicate")
        };
        det.add(n, input_title(&input), Target::Contact(42));
        match classify(&mut det, &row, &mapping, Statut::Client, &[]) {
            Verdict::Duplicate(_, _, _, i, s, _) => assert_eq!((det.targets[i], s >= LIKELY), (Target::Contact(42), true)),
            _ => panic!("the same row again is a duplicate of the contact just created"),
        }
        assert!(matches!(classify(&mut det, &cells(&["", "", ""]), &mapping, Statut::Client, &[]), Verdict::Invalid(_)));
    }
}
