//! The checksums of the identifiers a French company and its professional clients carry:
//! SIREN and SIRET (Luhn; La Poste's establishments by the sum of their digits), the
//! intra-community VAT number (its key computed from the SIREN), IBAN (ISO 13616, mod
//! 97) and BIC (ISO 9362). Each returns the value as stored (digits or capitals, no
//! spaces) or the French message shown beside the field. docs/company.md.

/// The characters a person types between groups, dropped before checking.
fn compact(raw: &str) -> String {
    raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{00A0}' | '\u{202F}' | '\t')).collect::<String>().to_uppercase()
}

/// Luhn's checksum over decimal digits.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// La Poste's SIREN: its thousands of establishments are numbered past what Luhn allows,
/// so INSEE checks their SIRET by the sum of the digits (a multiple of 5).
const LA_POSTE: &str = "356000000";

pub fn siren(raw: &str) -> Result<String, String> {
    let s = compact(raw);
    if !all_digits(&s, 9) {
        return Err("Le SIREN compte 9 chiffres.".into());
    }
    if !luhn(&s) {
        return Err("Ce SIREN n'est pas valide (clé de contrôle) : vérifiez les chiffres.".into());
    }
    Ok(s)
}

pub fn siret(raw: &str) -> Result<String, String> {
    let s = compact(raw);
    if !all_digits(&s, 14) {
        return Err("Le SIRET compte 14 chiffres : le SIREN (9) puis le numéro de l'établissement (5).".into());
    }
    let ok = if s.starts_with(LA_POSTE) { s.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0 } else { luhn(&s) };
    if !ok || !luhn(&s[..9]) {
        return Err("Ce SIRET n'est pas valide (clé de contrôle) : vérifiez les chiffres.".into());
    }
    Ok(s)
}

/// The key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97, on two digits.
pub fn vat_key(siren: &str) -> Option<String> {
    let n: u64 = siren.parse().ok()?;
    Some(format!("{:02}", (12 + 3 * (n % 97)) % 97))
}

/// A French intra-community VAT number «FR» + key + SIREN; with `siren` given, it must be
/// that SIREN's. Other EU numbers (another country's prefix) are kept as typed, checked for
/// shape only.
pub fn vat_number(raw: &str, siren: Option<&str>) -> Result<String, String> {
    let s = compact(raw);
    if !s.is_ascii() {
        return Err("Un numéro de TVA intracommunautaire ne compte que des lettres et des chiffres (FR…).".into());
    }
    let Some(rest) = s.strip_prefix("FR") else {
        let shaped = s.len() >= 4
            && s.len() <= 16
            && s[..2].bytes().all(|b| b.is_ascii_uppercase())
            && s[2..].bytes().all(|b| b.is_ascii_alphanumeric());
        return if shaped { Ok(s) } else { Err("Un numéro de TVA intracommunautaire commence par le code du pays (FR…).".into()) };
    };
    if !all_digits(rest, 11) {
        return Err("Un numéro de TVA français s'écrit FR, une clé de 2 chiffres et le SIREN (9 chiffres).".into());
    }
    let (key, number) = rest.split_at(2);
    if vat_key(number).as_deref() != Some(key) {
        return Err(format!(
            "La clé de ce numéro de TVA ne correspond pas au SIREN {} : la clé attendue est {}.",
            group_siren(number),
            vat_key(number).unwrap_or_default()
        ));
    }
    if let Some(expected) = siren.filter(|s| !s.is_empty())
        && expected != number
    {
        return Err(format!("Ce numéro de TVA est celui du SIREN {}, pas du SIREN {}.", group_siren(number), group_siren(expected)));
    }
    Ok(s)
}

/// The IBAN lengths of the SEPA countries a French firm's account is in.
fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "FR" | "MC" | "IT" | "SM" => 27,
        "DE" => 22,
        "BE" => 16,
        "ES" => 24,
        "LU" => 20,
        "CH" => 21,
        "NL" => 18,
        "PT" => 25,
        "GB" => 22,
        "AD" => 24,
        _ => return None,
    })
}

pub fn iban(raw: &str) -> Result<String, String> {
    let s = compact(raw);
    if s.len() < 15 || s.len() > 34 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) || !s[..2].bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("Un IBAN commence par le code du pays (FR76…) et compte de 15 à 34 caractères.".into());
    }
    if let Some(n) = iban_length(&s[..2])
        && s.len() != n
    {
        return Err(format!("Un IBAN de ce pays compte {n} caractères ; celui-ci en compte {}.", s.len()));
    }
    // ISO 13616: the first four characters moved to the end, letters as 10…35, mod 97 = 1.
    let mut rem = 0u32;
    for c in s[4..].chars().chain(s[..4].chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    if rem != 1 {
        return Err("Cet IBAN n'est pas valide (clé de contrôle) : vérifiez les caractères.".into());
    }
    Ok(s)
}

pub fn bic(raw: &str) -> Result<String, String> {
    let s = compact(raw);
    let b = s.as_bytes();
    let shaped =
        (s.len() == 8 || s.len() == 11) && b[..6].iter().all(u8::is_ascii_uppercase) && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if !shaped {
        return Err("Un BIC compte 8 ou 11 caractères : banque (4 lettres), pays (2 lettres), lieu (2), agence (3, facultatif).".into());
    }
    Ok(s)
}

/// «123456789» → «123 456 789».
pub fn group_siren(s: &str) -> String {
    if s.len() != 9 {
        return s.to_string();
    }
    format!("{} {} {}", &s[..3], &s[3..6], &s[6..])
}

/// «12345678900012» → «123 456 789 00012».
pub fn group_siret(s: &str) -> String {
    if s.len() != 14 {
        return s.to_string();
    }
    format!("{} {}", group_siren(&s[..9]), &s[9..])
}

/// An IBAN in groups of four.
pub fn group_iban(s: &str) -> String {
    s.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_and_siret() {
        assert_eq!(siren("443 061 841").unwrap(), "443061841");
        assert!(siren("443 061 842").unwrap_err().contains("clé"));
        assert!(siren("44306184").unwrap_err().contains("9 chiffres"));
        assert_eq!(siret("443 061 841 00047").unwrap(), "44306184100047");
        assert!(siret("443 061 841 00048").is_err());
        assert!(siret("123 456 789 00012").is_err(), "the old demo SIRET fails its key");
        // La Poste: not Luhn, the sum of the digits is a multiple of 5.
        assert_eq!(siret("356 000 000 00001").unwrap(), "35600000000001");
        assert!(siret("356 000 000 00002").is_err());
    }

    #[test]
    fn vat_numbers_match_their_siren() {
        assert_eq!(vat_key("443061841").unwrap(), "64");
        assert_eq!(vat_number("FR 64 443061841", Some("443061841")).unwrap(), "FR64443061841");
        assert!(vat_number("FR65443061841", None).unwrap_err().contains("clé attendue est 64"));
        assert!(vat_number("FR96552100554", Some("443061841")).unwrap_err().contains("pas du SIREN 443 061 841"));
        assert_eq!(vat_number("DE123456789", None).unwrap(), "DE123456789");
        assert!(vat_number("64443061841", None).is_err());
        assert!(vat_number("€€€€€", None).is_err(), "no panic on a character of several bytes");
        assert!(siren("€€€").is_err() && siret("é").is_err() && iban("€€€€€€€€€€€€€€€€").is_err() && bic("€€€€€€€€").is_err());
    }

    #[test]
    fn iban_and_bic() {
        assert_eq!(iban("FR76 3000 6000 0112 3456 7890 189").unwrap(), "FR7630006000011234567890189");
        assert!(iban("FR76 3000 6000 0112 3456 7890 188").unwrap_err().contains("clé"));
        assert!(iban("FR76 3000 6000 0112 3456 7890 18").unwrap_err().contains("27 caractères"));
        assert_eq!(bic("bnpa fr pp xxx").unwrap(), "BNPAFRPPXXX");
        assert_eq!(bic("AGRIFRPP").unwrap(), "AGRIFRPP");
        assert!(bic("BNP1FRPP").is_err());
        assert!(bic("BNPAFRPPXX").is_err());
        assert_eq!(group_iban("FR7630006000011234567890189"), "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(group_siret("44306184100047"), "443 061 841 00047");
    }
}
