use serde::{Deserialize, Serialize};

use crate::auth::model::{Right, bounded_text, parse_email, required_text};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub rights: Vec<Right>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub signature: String,
    pub active: bool,
    pub rights: Vec<Right>,
}

/// A user's identity as typed in the form, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInput {
    pub name: String,
    pub email: String,
    pub signature: String,
    pub rights: Vec<Right>,
}

pub const NAME_MAX: usize = 120;
pub const SIGNATURE_MAX: usize = 4000;

impl UserInput {
    /// Validates the typed values; on error, the message names its field and the typed
    /// values (without the password) come back so the form can be shown again.
    pub fn parse(name: &str, email: &str, signature: &str, rights: &[String]) -> Result<UserInput, AppError> {
        let typed = || {
            let mut v = vec![
                ("name".to_string(), crate::auth::model::shorten(name, NAME_MAX)),
                ("email".to_string(), crate::auth::model::shorten(email, 254)),
                ("signature".to_string(), crate::auth::model::shorten(signature, SIGNATURE_MAX)),
            ];
            v.extend(rights.iter().take(Right::ALL.len()).map(|r| ("rights".to_string(), crate::auth::model::shorten(r, 40))));
            v
        };
        let run = || -> Result<UserInput, AppError> {
            let name = required_text("name", "Nom", name, NAME_MAX)?;
            let email = parse_email("email", email)?;
            let signature = bounded_text("signature", "Signature", signature, SIGNATURE_MAX)?;
            let mut parsed = Vec::new();
            for code in rights {
                let r = Right::from_code(code).ok_or_else(|| AppError::invalid("rights", "Droit inconnu."))?;
                if !parsed.contains(&r) {
                    parsed.push(r);
                }
            }
            Ok(UserInput { name, email, signature, rights: parsed })
        };
        run().map_err(|e| e.with_values(typed()))
    }

    /// The values to show again in the form when a later check fails.
    pub fn typed_values(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("name".to_string(), self.name.clone()),
            ("email".to_string(), self.email.clone()),
            ("signature".to_string(), self.signature.clone()),
        ];
        v.extend(self.rights.iter().map(|r| ("rights".to_string(), r.code().to_string())));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_user() {
        let u =
            UserInput::parse(" Léa Roux ", "Lea@Exemple.fr", "Léa\nSecrétariat", &["utilisateurs".into(), "utilisateurs".into()]).unwrap();
        assert_eq!(u.name, "Léa Roux");
        assert_eq!(u.email, "lea@exemple.fr");
        assert_eq!(u.rights, vec![Right::Users]);

        let e = UserInput::parse("", "lea@exemple.fr", "", &[]).unwrap_err();
        assert!(e.for_field("name").is_some());
        assert_eq!(e.typed("email").as_deref(), Some("lea@exemple.fr"));

        let huge = "x".repeat(10 * 1024 * 1024);
        let e = UserInput::parse(&huge, "lea@exemple.fr", "", &[]).unwrap_err();
        assert!(e.for_field("name").unwrap().contains("trop long"));
        assert!(e.typed("name").unwrap().chars().count() <= NAME_MAX + 1);

        assert!(UserInput::parse("Léa", "lea@exemple.fr", "", &["root".into()]).unwrap_err().for_field("rights").is_some());
    }
}
