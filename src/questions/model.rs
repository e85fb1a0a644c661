//! Questions and answers as the pages show them; the checks of an answer by kind.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Texte,
    OuiNon,
    Nombre,
    Date,
    Choix,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Texte, Kind::OuiNon, Kind::Nombre, Kind::Date, Kind::Choix];
    pub fn code(self) -> &'static str {
        match self {
            Kind::Texte => "texte",
            Kind::OuiNon => "oui_non",
            Kind::Nombre => "nombre",
            Kind::Date => "date",
            Kind::Choix => "choix",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Texte => "Texte",
            Kind::OuiNon => "Oui / Non",
            Kind::Nombre => "Nombre",
            Kind::Date => "Date",
            Kind::Choix => "Choix dans une liste",
        }
    }
    pub fn from_code(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i64,
    pub label: String,
    pub kind: Kind,
    pub choices: Vec<String>,
    /// «Afficher sur la page d'accueil du client»
    pub pinned: bool,
    pub retired: bool,
    pub answers: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    pub question: QuestionView,
    /// As stored: `oui`/`non`, `12,5`, `2026-11-29`, the chosen option, text.
    pub value: String,
}

impl AnswerView {
    /// How the answer reads on a page.
    pub fn display(&self) -> String {
        match self.question.kind {
            Kind::OuiNon => match self.value.as_str() {
                "oui" => "Oui".into(),
                "non" => "Non".into(),
                v => v.into(),
            },
            Kind::Date => crate::fmt::date_fr(&self.value),
            _ => self.value.clone(),
        }
    }
}

pub const LABEL_MAX: usize = 120;
pub const TEXT_MAX: usize = 2000;
pub const CHOICES_MAX: usize = 50;
/// Questions a company may have (retired ones included): the «Fiche contact» shows them
/// all, and one form answers them all.
pub const MAX_QUESTIONS: usize = 200;

/// Checks an answer typed for a question of `kind`; `Ok(None)` for an empty answer
/// (no answer). Numbers are kept the French way («12,5»), dates as `YYYY-MM-DD`.
pub fn check_answer(field: &str, label: &str, kind: Kind, choices: &[String], raw: &str) -> Result<Option<String>, crate::error::AppError> {
    use crate::error::AppError;
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = |m: String| Err(AppError::invalid(field, m));
    match kind {
        Kind::Texte => {
            if v.chars().count() > TEXT_MAX {
                return bad(format!("« {label} » : {TEXT_MAX} caractères au plus."));
            }
            // One line (typed text with a break was refused at the form; a file's is cleaned).
            Ok(Some(crate::fmt::clean_text(false, v)).filter(|v| !v.is_empty()))
        }
        Kind::OuiNon => match v.to_lowercase().as_str() {
            "oui" | "o" | "yes" | "true" | "on" => Ok(Some("oui".into())),
            "non" | "n" | "no" | "false" | "off" => Ok(Some("non".into())),
            _ => bad(format!("« {label} » : répondez Oui ou Non.")),
        },
        Kind::Nombre => {
            let t = v.replace([' ', '\u{a0}', '\u{202f}'], "");
            let normal = t.replace(',', ".");
            let ok = !normal.is_empty()
                && normal.chars().filter(|c| *c == '.').count() <= 1
                && normal.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
                && normal.trim_start_matches('-').chars().any(|c| c.is_ascii_digit())
                && normal.len() <= 20;
            if !ok {
                return bad(format!("« {label} » : un nombre est attendu (par exemple 12,5)."));
            }
            Ok(Some(normal.replace('.', ",")))
        }
        Kind::Date => {
            let parsed = parse_date(v);
            match parsed {
                Some(d) => Ok(Some(d)),
                None => bad(format!("« {label} » : une date est attendue (jj/mm/aaaa).")),
            }
        }
        Kind::Choix => {
            if choices.iter().any(|c| c == v) {
                Ok(Some(v.to_string()))
            } else {
                bad(format!("« {label} » : choisissez une des réponses proposées."))
            }
        }
    }
}

/// `2026-11-29` or `29/11/2026` → `2026-11-29` (years 1900–2100, real days).
pub fn parse_date(v: &str) -> Option<String> {
    let (y, m, d) = if let Some((a, rest)) = v.split_once('-') {
        let (b, c) = rest.split_once('-')?;
        (a.parse::<i32>().ok()?, b.parse::<u32>().ok()?, c.parse::<u32>().ok()?)
    } else {
        let mut it = v.split('/');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)
    };
    if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
    (1..=days).contains(&d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_by_kind() {
        let c = vec!["Gaz".to_string(), "Fioul".to_string()];
        assert_eq!(check_answer("a", "Q", Kind::OuiNon, &[], " Oui ").unwrap(), Some("oui".into()));
        assert!(check_answer("a", "Q", Kind::OuiNon, &[], "peut-être").is_err());
        assert_eq!(check_answer("a", "Q", Kind::Nombre, &[], "12,5").unwrap(), Some("12,5".into()));
        assert_eq!(check_answer("a", "Q", Kind::Nombre, &[], "1 200.75").unwrap(), Some("1200,75".into()));
        assert!(check_answer("a", "Q", Kind::Nombre, &[], "douze").is_err());
        assert!(check_answer("a", "Q", Kind::Nombre, &[], "1,2,3").is_err());
        assert_eq!(check_answer("a", "Q", Kind::Date, &[], "29/02/2024").unwrap(), Some("2024-02-29".into()));
        assert!(check_answer("a", "Q", Kind::Date, &[], "29/02/2025").is_err());
        assert_eq!(check_answer("a", "Q", Kind::Choix, &c, "Fioul").unwrap(), Some("Fioul".into()));
        assert!(check_answer("a", "Q", Kind::Choix, &c, "Bois").is_err());
        assert_eq!(check_answer("a", "Q", Kind::Texte, &[], "  ").unwrap(), None, "empty: no answer");
    }
}
