//! Password hashing (argon2id, m=19 MiB, t=2, p=1) and the full password check.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::auth::model::password_shape;
use crate::error::AppError;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "argon2 hash failed");
        AppError::Internal
    })
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the e-mail is unknown so that the
/// answer takes as long as for a real account.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash("Aucun-compte-0!").unwrap_or_default());

/// Common passwords (Openwall's public-domain list plus French favourites), lower-cased.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().filter(|l| !l.is_empty()).collect());

/// True when the password is, or is built on, a common password: «Password123!»,
/// «Azerty2026€» and «P@ssw0rd!!» are all refused.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return true;
    }
    let unleet: String = lower
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' => 'i',
            '3' | '€' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            c => c,
        })
        .collect();
    let core = |s: &str| s.trim_matches(|c: char| !c.is_alphabetic()).to_string();
    [core(&lower), core(&unleet)].iter().any(|c| c.chars().count() >= 4 && COMMON.contains(c.as_str()))
}

/// The whole rule, as the server enforces it.
pub fn check(field: &str, password: &str) -> Result<(), AppError> {
    password_shape(field, password)?;
    if is_common(password) {
        return Err(AppError::invalid(field, "Ce mot de passe est trop courant et serait deviné facilement. Choisissez-en un autre."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("Chaudiere-2026").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Chaudiere-2026", &h));
        assert!(!verify("chaudiere-2026", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn common_passwords_refused() {
        assert!(COMMON.len() > 3000);
        for p in ["Password123!", "Azerty2026€", "P@ssw0rd!!", "Motdepasse1!", "Soleil-2026", "Marseille13!"] {
            assert!(is_common(p), "{p} should be common");
            assert!(check("p", p).unwrap_err().to_string().contains("trop courant"), "{p}");
        }
        for p in ["Chaudiere-Vaillant-77", "Tr0mb@ne€€", "Ouvrage-Demo-2026"] {
            assert!(!is_common(p), "{p} should be accepted");
            assert!(check("p", p).is_ok(), "{p}");
        }
    }
}
