//! How likely two contacts are the same person or company: a score (0–100) with its
//! reasons in French. Pure functions, unit-tested on hand-written French cases.
//!
//! Evidence (see docs/duplicates.md): a shared phone (E.164) is strong; a shared e-mail is
//! strong unless the first names differ (a family sharing an address); the name, compared
//! after normalisation (accents, case, hyphens, particles, word order) with Jaro–Winkler,
//! counts with the place: the same postcode makes a similar name likely, a different one
//! makes a namesake. A namesake in another town never reaches «certain».

use std::collections::BTreeSet;

use crate::search::text::{fold, phone_digits};

/// A contact as the detector sees it.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub id: i64,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub phones: Vec<String>,
    /// A professional's SIREN (compact), or empty.
    pub siren: String,
}

/// Normalised forms, computed once per contact.
#[derive(Debug, Clone, Default)]
pub struct Norm {
    pub id: i64,
    /// Name words (nom + prénom, or the company), particles dropped, sorted.
    pub name: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: String,
    pub phones: BTreeSet<String>,
    pub siren: String,
}

const PARTICLES: [&str; 12] = ["de", "du", "des", "la", "le", "les", "d", "l", "van", "von", "der", "di"];

fn name_words(s: &str) -> Vec<String> {
    fold(s).split(' ').filter(|w| !w.is_empty() && !PARTICLES.contains(w)).map(str::to_string).collect()
}

/// A phone in E.164 («+33612345678»), from any common format.
pub fn e164(raw: &str) -> Option<String> {
    let d = phone_digits(raw)?;
    if let Some(intl) = d.strip_prefix("00") {
        return Some(format!("+{intl}"));
    }
    d.strip_prefix('0').filter(|n| n.len() == 9).map(|n| format!("+33{n}"))
}

pub fn normalise(p: &Person) -> Norm {
    let nom = name_words(&p.nom).join(" ");
    let prenom = name_words(&p.prenom).join(" ");
    let societe = name_words(&p.societe).join(" ");
    let mut words = name_words(&format!("{} {}", p.nom, p.prenom));
    if words.is_empty() {
        words = name_words(&p.societe);
    }
    words.sort();
    Norm {
        id: p.id,
        name: words.join(" "),
        nom,
        prenom,
        societe,
        address: fold(&p.adresse),
        postcode: p.code_postal.trim().replace(' ', ""),
        city: fold(&p.ville),
        email: p.email.trim().to_lowercase(),
        phones: p.phones.iter().filter_map(|x| e164(x)).collect(),
        siren: p.siren.trim().to_string(),
    }
}

/// Jaro–Winkler similarity of two normalised strings (0 when either is empty).
pub fn similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    strsim::jaro_winkler(a, b)
}

/// How alike two names are: surname with surname and first name with first name (or
/// crossed, for a swapped entry), the weaker of the two deciding; companies by their name.
/// A missing first name neither confirms nor contradicts.
pub fn name_similarity(a: &Norm, b: &Norm) -> f64 {
    if a.name.is_empty() || b.name.is_empty() {
        return 0.0;
    }
    if a.name == b.name {
        return 1.0;
    }
    if a.nom.is_empty() && b.nom.is_empty() {
        return similarity(&a.societe, &b.societe);
    }
    // One typed letter wrong, missing, extra or swapped in a word of four letters or more
    // («Grpen», «Royke») is as alike as Jaro–Winkler's «semblable».
    let part = |x: &str, y: &str| {
        if x.is_empty() || y.is_empty() {
            0.93
        } else if x.chars().count() >= 4 && crate::search::text::within_one_edit(x, y) {
            similarity(x, y).max(0.93)
        } else {
            similarity(x, y)
        }
    };
    let direct = part(&a.nom, &b.nom).min(part(&a.prenom, &b.prenom));
    let crossed = part(&a.nom, &b.prenom).min(part(&a.prenom, &b.nom));
    direct.max(crossed)
}

/// At or above this, a pair is listed in «Doublons» and warned about.
pub const LIKELY: u32 = 60;
/// At or above this, a pair is called «certain».
pub const CERTAIN: u32 = 90;

/// The score of a pair and its reasons, strongest first.
pub fn score(a: &Norm, b: &Norm) -> (u32, Vec<String>) {
    let mut points: i32 = 0;
    let mut reasons = Vec::new();
    let same_phone = a.phones.intersection(&b.phones).next().is_some();
    if same_phone {
        // Alone it is worth a warning (a household's landline, a mistyped name).
        points += LIKELY as i32;
        reasons.push("même téléphone".to_string());
    }
    // One SIREN is one legal person: strong evidence (a group's establishments share it,
    // so the rest of the score still decides «certain»).
    let same_siren = !a.siren.is_empty() && a.siren == b.siren;
    if same_siren {
        // Enough for a warning even in another town (an establishment of the same firm).
        points += LIKELY as i32 + 20;
        reasons.push("même SIREN".to_string());
    }
    let first_names_differ = !a.prenom.is_empty() && !b.prenom.is_empty() && similarity(&a.prenom, &b.prenom) < 0.85;
    if !a.email.is_empty() && a.email == b.email {
        if first_names_differ {
            points += 15;
            reasons.push("même e-mail, prénoms différents (famille ?)".to_string());
        } else {
            points += 35;
            reasons.push("même e-mail".to_string());
        }
    }
    let name_sim = name_similarity(a, b);
    // The same postcode, or one mistyped (or two swapped) digits within the same town,
    // itself perhaps mistyped.
    let same_place = !a.postcode.is_empty()
        && (a.postcode == b.postcode
            || (!a.city.is_empty()
                && similarity(&a.city, &b.city) >= 0.9
                && crate::search::text::within_one_edit(&a.postcode, &b.postcode)));
    let other_place = !same_place && !a.postcode.is_empty() && !b.postcode.is_empty() && a.postcode != b.postcode && a.city != b.city;
    if name_sim >= 0.999 {
        points += 45;
        reasons.push("même nom".to_string());
    } else if name_sim >= 0.93 {
        points += 40;
        reasons.push("nom semblable".to_string());
    } else if name_sim >= 0.88 {
        points += 20;
        reasons.push("nom proche".to_string());
    } else if !a.societe.is_empty() && similarity(&a.societe, &b.societe) >= 0.95 {
        points += 20;
        reasons.push("même société".to_string());
    }
    if first_names_differ && name_sim < 0.93 {
        points -= 10;
    }
    let same_address = !a.address.is_empty() && similarity(&a.address, &b.address) >= 0.93;
    if same_address {
        points += 25;
        reasons.push("même adresse".to_string());
        // Same first name at the same address under another surname: a married name, a
        // mistyped one (a family shares the surname, not the first name).
        if name_sim < 0.88 && !a.prenom.is_empty() && similarity(&a.prenom, &b.prenom) >= 0.93 {
            points += 20;
            reasons.push("même prénom".to_string());
        }
    }
    // Same surname at the same address, first names apart: a mistyped first name, or a
    // household. Worth a look, never «certain».
    let household = same_address && name_sim < 0.88 && !a.nom.is_empty() && similarity(&a.nom, &b.nom) >= 0.93;
    if household {
        points += 25;
        reasons.push("même nom de famille à la même adresse (famille ?)".to_string());
    }
    if same_place {
        points += 20;
        reasons.push("même code postal".to_string());
    } else if !a.city.is_empty() && a.city == b.city {
        // A mistyped postcode, or a town with several.
        points += 15;
        reasons.push("même ville".to_string());
    } else if other_place && !same_address {
        points -= 20;
        reasons.push("autre ville".to_string());
    }
    let mut score = points.clamp(0, 100) as u32;
    // A namesake elsewhere, with nothing else in common, is never certain.
    if (other_place && !same_phone && !same_address) || household {
        score = score.min(CERTAIN - 1);
    }
    (score, reasons)
}

/// The largest block of a key worth comparing: a block larger is too common to mean
/// anything (a common name in a town, a street shared across towns) and is skipped.
pub fn block_limit(key: &str) -> usize {
    if key.starts_with("g:") { 20 } else { 200 }
}

/// Blocking keys: two contacts are compared only when they share one, so a whole-base
/// scan stays near-linear. Phones, e-mail, and the name's beginning within a postcode
/// (in both word orders).
pub fn keys(n: &Norm) -> Vec<String> {
    let mut k: Vec<String> = n.phones.iter().map(|p| format!("t:{p}")).collect();
    if !n.email.is_empty() {
        k.push(format!("e:{}", n.email));
    }
    let head = |s: &str, len: usize| s.chars().take(len).collect::<String>();
    // Postcode and city both give keys (one of them may be mistyped): the beginning of a
    // name word with the initial of another (either order, so a typo in one word or
    // swapped names still meet), and the beginning of the address.
    let words: Vec<&str> = n.name.split(' ').filter(|w| !w.is_empty()).collect();
    // The whole name anywhere: a move, or a postcode and town both mistyped (a common name
    // makes a block too large to keep, which is what it should do).
    if words.len() > 1 {
        k.push(format!("f:{}", n.name));
    }
    for place in [&n.postcode, &n.city].into_iter().filter(|p| !p.is_empty()) {
        match words.as_slice() {
            [] => {}
            [one] => k.push(format!("n:{place}:{}", head(one, 4))),
            _ => {
                for (i, w) in words.iter().enumerate() {
                    for (j, other) in words.iter().enumerate() {
                        if i != j {
                            k.push(format!("n:{place}:{}:{}", head(w, 4), head(other, 1)));
                        }
                    }
                }
            }
        }
        if n.address.len() >= 6 {
            k.push(format!("a:{place}:{}", head(&n.address, 8)));
        }
    }
    // The whole address anywhere: postcode and town both mistyped (an address shared by
    // more than a few contacts is not a clue: see [`block_limit`]).
    if n.address.len() >= 10 {
        k.push(format!("g:{}", n.address));
    }
    if !n.siren.is_empty() {
        k.push(format!("s:{}", n.siren));
    }
    k.sort();
    k.dedup();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(nom: &str, prenom: &str, cp: &str, ville: &str, phone: &str, email: &str) -> Norm {
        normalise(&Person {
            id: 0,
            nom: nom.into(),
            prenom: prenom.into(),
            societe: String::new(),
            adresse: String::new(),
            code_postal: cp.into(),
            ville: ville.into(),
            email: email.into(),
            phones: if phone.is_empty() { vec![] } else { vec![phone.into()] },
            siren: String::new(),
        })
    }

    #[test]
    fn french_cases() {
        let robert = p("Pavière", "Robert", "42000", "Saint-Étienne", "06 12 34 56 78", "robert.paviere@orange.fr");
        // Accents dropped, first/last swapped, reformatted phone: certain.
        let same = p("ROBERT", "paviere", "42000", "Saint-Etienne", "+33 6 12 34 56 78", "");
        let (s, why) = score(&robert, &same);
        assert!(s >= CERTAIN, "{s} {why:?}");
        assert!(why.contains(&"même téléphone".to_string()));
        // One typo, same postcode, no phone: likely.
        let (s, why) = score(&robert, &p("Pavierre", "Robert", "42000", "", "", ""));
        assert!((LIKELY..CERTAIN).contains(&s), "{s} {why:?}");
        // A namesake in another town: not certain, not even likely.
        let (s, _) = score(&robert, &p("Pavière", "Robert", "75011", "Paris", "01 40 00 00 00", ""));
        assert!(s < LIKELY, "{s}");
        // A household at one address: worth a look, never certain.
        let (s, why) = score(&p("Martin", "Jean", "69001", "Lyon", "", ""), &{
            let mut x = p("Martin", "Sophie", "69001", "Lyon", "", "");
            x.address = "3 rue neuve".into();
            x
        });
        assert!(s < LIKELY, "no address on one side: {s} {why:?}");
        // A family sharing an e-mail: not certain.
        let (s, why) = score(
            &p("Martin", "Jean", "69001", "Lyon", "", "famille.martin@free.fr"),
            &p("Martin", "Sophie", "69001", "Lyon", "", "famille.martin@free.fr"),
        );
        assert!(s < CERTAIN, "{s} {why:?}");
        // Strangers.
        assert!(score(&robert, &p("Dupont", "Zoé", "59000", "Lille", "", "")).0 < 20);
        // Particles and hyphens: «De la Tour» = «Delatour»? No; «de la Tour» = «La Tour».
        assert_eq!(p("de la Tour", "Noé", "", "", "", "").name, p("Tour", "Noé", "", "", "", "").name);
        assert_eq!(p("Saint-Just", "Anaël", "", "", "", "").name, "anael just saint");
    }

    #[test]
    fn phones_in_e164() {
        assert_eq!(e164("06 12 34 56 78").as_deref(), Some("+33612345678"));
        assert_eq!(e164("+33 (0)6 12 34 56 78").as_deref(), Some("+33612345678"));
        assert_eq!(e164("+41 22 345 67 89").as_deref(), Some("+41223456789"));
        assert_eq!(e164("12"), None);
    }

    #[test]
    fn blocking_keys_bring_swapped_names_together() {
        let a = p("Pavière", "Robert", "42000", "", "", "");
        let b = p("Robert", "Pavière", "42000", "", "", "");
        assert!(keys(&a).iter().any(|k| keys(&b).contains(k)));
        // A namesake elsewhere is compared (the whole name is a key) but not flagged.
        let c = p("Pavière", "Robert", "75011", "Paris", "", "");
        assert!(keys(&a).iter().any(|k| keys(&c).contains(k)));
        assert!(score(&a, &c).0 < LIKELY);
    }

    #[test]
    fn a_one_letter_typo_and_a_mistyped_town() {
        // «Roix» for «Roux»: one letter wrong in a short name (Jaro–Winkler alone says «proche»).
        let a = p("Roux", "Jeanne", "69003", "Lyon", "", "");
        let b = p("Roix", "Jeanne", "69003", "Lyon", "", "");
        let (s, why) = score(&a, &b);
        assert!(s >= LIKELY, "{s} {why:?}");
        assert!(why.contains(&"nom semblable".to_string()));
        // Postcode digits swapped and the town typed without its hyphen: the same place.
        let c = p("Lagrange", "Aurélien", "42600", "Saint-Romain-le-Puy", "", "");
        let d = p("Lagrange", "Aurélien", "42060", "Saint Romain le Puy", "", "");
        let (s, why) = score(&c, &d);
        assert!(s >= LIKELY && !why.contains(&"autre ville".to_string()), "{s} {why:?}");
        // Another first name a letter away is still someone else.
        let e = p("Roux", "Jean", "69003", "Lyon", "", "");
        assert!(score(&a, &e).0 < LIKELY || score(&a, &e).1.iter().all(|r| r != "même nom"));
    }

    #[test]
    fn one_siren_is_one_legal_person() {
        let mut a = p("Alpha Bâtiment", "", "69002", "Lyon", "", "");
        let mut b = p("Zêta Construction", "", "38000", "Grenoble", "", "");
        assert!(score(&a, &b).0 < LIKELY, "different names, other town");
        a.siren = "552100554".into();
        b.siren = "552100554".into();
        let (s, reasons) = score(&a, &b);
        assert!(s >= LIKELY && reasons.contains(&"même SIREN".to_string()), "{s} {reasons:?}");
        assert!(s < CERTAIN, "another town: never certain on the SIREN alone");
        assert!(keys(&a).contains(&"s:552100554".to_string()), "the SIREN brings them together");
    }
}
