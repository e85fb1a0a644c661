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
        let p = Person { id, nom: c.nom, prenom: c.prenom, societe: c.societe, code_postal: c.code_postal, ville: c.ville, email: c.email, phones: c.phones };
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
    println!("pairs reported   {:>8}     (likely ≥ 60; {} injected found: recall {:.3})", pairs.len(), tp, tp as f64 / truth.len().max(1) as f64);
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
    println!("all-pairs        {:>8.2} s   (measured on {} contacts: {hits} pairs; {:.0} pairs/s; extrapolated to {n})", per_pair * naive_pairs, slice.len(), 1.0 / per_pair);
}
