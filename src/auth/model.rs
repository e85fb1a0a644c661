//! Shared auth types and rules (compiled for the browser too): rights, the password
//! rule, e-mail syntax. The server enforces all of them; the UI only mirrors them.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A named permission. `code` is what the database stores; `label` is the French name
/// shown in «Paramètres» › «Utilisateurs».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Right {
    Users,
    Settings,
    Commercial,
    Reminders,
    TrashMerge,
}

impl Right {
    pub const ALL: [Right; 5] = [Right::Users, Right::Settings, Right::Commercial, Right::Reminders, Right::TrashMerge];

    pub fn code(self) -> &'static str {
        match self {
            Right::Users => "utilisateurs",
            Right::Settings => "parametres",
            Right::Commercial => "gestion_commerciale",
            Right::Reminders => "relances",
            Right::TrashMerge => "corbeille_fusion",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Right::Users => "Paramétrer les comptes utilisateurs",
            Right::Settings => "Paramétrer l'application",
            Right::Commercial => "Gestion commerciale",
            Right::Reminders => "Relances factures clients",
            Right::TrashMerge => "Corbeille et fusion des doublons",
        }
    }

    pub fn from_code(code: &str) -> Option<Right> {
        Right::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The rights named by stored codes, in [`Right::ALL`]'s order (unknown codes ignored).
    pub fn from_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<Right> {
        let codes: Vec<&str> = codes.into_iter().collect();
        Right::ALL.into_iter().filter(|r| codes.contains(&r.code())).collect()
    }
}

/// The logged-in user as pages see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub name: String,
    pub email: String,
    pub rights: Vec<Right>,
    /// My open actions whose alert has come (the top bar's count); filled for pages only.
    #[serde(default)]
    pub due_actions: i64,
}

impl Me {
    pub fn can(&self, right: Right) -> bool {
        self.rights.contains(&right)
    }
}

pub const PASSWORD_RULE: &str = "Au moins 10 caractères, dont une majuscule, un chiffre et un caractère spécial (par exemple @ ! €).";

/// Checks the password rule (length and character classes). The common-password list is
/// checked on the server only (`auth::password::check`).
pub fn password_shape(field: &str, password: &str) -> Result<(), AppError> {
    let count = password.chars().count();
    if count < 10 {
        return Err(AppError::invalid(field, format!("Le mot de passe est trop court ({count} caractères). {PASSWORD_RULE}")));
    }
    if count > 256 {
        return Err(AppError::invalid(field, "Le mot de passe est trop long (256 caractères au plus)."));
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        return Err(AppError::invalid(field, format!("Il manque une majuscule. {PASSWORD_RULE}")));
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(field, format!("Il manque un chiffre. {PASSWORD_RULE}")));
    }
    if !password.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace()) {
        return Err(AppError::invalid(field, format!("Il manque un caractère spécial. {PASSWORD_RULE}")));
    }
    Ok(())
}

/// Normalises and checks an e-mail address: trimmed, lower-cased, one `@`, a dotted
/// domain, no spaces, at most 254 characters.
pub fn parse_email(field: &str, raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid(field, "L'adresse e-mail est obligatoire."));
    }
    let bad = || AppError::invalid(field, format!("« {} » n'est pas une adresse e-mail valide.", shorten(raw.trim(), 60)));
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let Some((local, domain)) = email.split_once('@') else { return Err(bad()) };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(email)
}

/// Checks a required, bounded single-line text.
pub fn required_text(field: &str, label: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("« {label} » est obligatoire.")));
    }
    bounded_text(field, label, v, max)
}

/// Checks a bounded text (may be empty).
pub fn bounded_text(field: &str, label: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(AppError::invalid(field, format!("« {label} » est trop long ({max} caractères au plus).")));
    }
    Ok(v.to_string())
}

/// Cuts a text for display inside a message.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rule() {
        assert!(password_shape("p", "Chaudiere-2026").is_ok());
        assert!(password_shape("p", "Tr0mb@ne€€").is_ok());
        for bad in ["Court-1", "sans-majuscule-12", "SANS-chiffre-ici", "SansSpecial123", ""] {
            let e = password_shape("p", bad).unwrap_err();
            assert!(e.for_field("p").is_some(), "{bad}");
        }
        assert!(password_shape("p", "Court-1").unwrap_err().to_string().contains("trop court"));
        assert!(password_shape("p", "SansSpecial123").unwrap_err().to_string().contains("caractère spécial"));
    }

    #[test]
    fn emails() {
        assert_eq!(parse_email("e", "  Robert.Paviere@Exemple.FR ").unwrap(), "robert.paviere@exemple.fr");
        for bad in ["", "robert", "robert@", "@exemple.fr", "a@b", "a b@c.fr", "a@@b.fr", "a@b..fr", "a@.b.fr"] {
            assert!(parse_email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rights_round_trip() {
        for r in Right::ALL {
            assert_eq!(Right::from_code(r.code()), Some(r));
        }
        assert_eq!(Right::from_code("nope"), None);
    }
}
