//! The default texts of each reminder level (used until the company writes its own in
//! «Gestion des relances»), their placeholders, and how a text is filled.
//!
//! The letters and e-mails are the files beside this one, included at compile time:
//! `r1.txt`, `r2.txt`, `r3.txt`, `med.txt` (letters) and `<level>-email.txt` (e-mails).
//! Keep them without a final line break: the text is used byte for byte.

use std::collections::BTreeMap;

use crate::reminders::law::Level;
use crate::reminders::model::Template;

/// The variables a template may use, as `{name}`.
pub const PLACEHOLDERS: &[&str] = &[
    "client",
    "societe",
    "date",
    "factures",
    "montant_du",
    "penalites",
    "indemnite",
    "total",
    "date_limite",
    "relances_precedentes",
    "taux",
    "signature",
];

/// (letter, e-mail subject, e-mail) of a level, as shipped.
fn defaults(level: Level) -> (&'static str, &'static str, &'static str) {
    match level {
        Level::R1 => (include_str!("r1.txt"), "Relance : factures impayées — {societe}", include_str!("r1-email.txt")),
        Level::R2 => (include_str!("r2.txt"), "Deuxième relance : factures impayées — {societe}", include_str!("r2-email.txt")),
        Level::R3 => (include_str!("r3.txt"), "Dernière relance avant mise en demeure — {societe}", include_str!("r3-email.txt")),
        Level::Med => (include_str!("med.txt"), "Mise en demeure de payer — {societe}", include_str!("med-email.txt")),
    }
}

pub fn default_template(level: Level) -> Template {
    let (letter, subject, email) = defaults(level);
    Template { level: level.code().to_string(), letter: letter.into(), email_subject: subject.into(), email: email.into() }
}

/// The placeholders of a text that are not known (`{inconnu}`).
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                let name = &after[..j];
                if !PLACEHOLDERS.contains(&name) && !out.contains(&name.to_string()) {
                    out.push(name.to_string());
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push(after.chars().take(20).collect());
                break;
            }
        }
    }
    out
}

pub fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_texts_use_known_placeholders_only() {
        for level in Level::ALL {
            let t = default_template(level);
            for text in [&t.letter, &t.email_subject, &t.email] {
                assert!(unknown_placeholders(text).is_empty(), "{level:?}: {text}");
                assert!(!text.ends_with('\n') && !text.starts_with('\n'), "{level:?}: a line break at an end of the file changes the text");
            }
            assert!(t.letter.contains("{factures}") && t.email.contains("{factures}"), "{level:?}");
        }
        assert!(
            default_template(Level::Med)
                .letter
                .starts_with("Lettre recommandée avec accusé de réception\n\nObjet : MISE EN DEMEURE DE PAYER")
        );
        assert!(default_template(Level::R1).letter.ends_with("Nous vous prions d'agréer nos salutations distinguées.\n\n{signature}"));
    }

    #[test]
    fn placeholders_filled_and_unknown_ones_named() {
        let values: BTreeMap<&str, String> =
            [("client", "M. DURAND".to_string()), ("total", "1 040,00 €".to_string())].into_iter().collect();
        assert_eq!(fill("{client} doit {total} ({client})", &values), "M. DURAND doit 1 040,00 € (M. DURAND)");
        assert_eq!(unknown_placeholders("{client} {montant} {montant} {date"), ["montant", "date"]);
    }
}
