//! First start: the company, the administrator named by the environment, and the demo
//! company (a few users, ~200 French contacts), made reproducibly from a fixed seed.

use crate::auth::model::Right;
use crate::db::{Db, Tenant, internal, now};
use crate::error::AppError;
use crate::users::model::UserInput;
use crate::{on_conn, on_pool};

pub const DEMO_PASSWORD: &str = "Ouvrage-Demo-2026";
pub const DEMO_ADMIN: &str = "sophie.martin@demo.ouvrage.fr";

/// The first company, created when the database is empty. Returns its id.
pub async fn ensure_company(db: &Db) -> Result<i64, AppError> {
    let existing: Option<i64> =
        on_pool!(db, c => sqlx::query_scalar("SELECT MIN(id) FROM company").fetch_one(c).await).map_err(internal)?;
    if let Some(id) = existing {
        return Ok(id);
    }
    // No invented name: «Raison sociale» is the company's to enter (the demo names its own).
    let name = std::env::var("OUVRAGE_COMPANY").unwrap_or_default();
    // Its name only: the rest of its identity is the company's to enter («Paramètres ›
    // Entreprise»); nothing invented (the demo company gets its values with the demo).
    insert_company(db, &name).await
}

/// A new company (tenant); returns its id.
pub async fn insert_company(db: &Db, name: &str) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let sql = "INSERT INTO company (name, created_at) VALUES ($1, $2) RETURNING id";
    let id: i64 = on_conn!(&mut tx, c => sqlx::query_scalar(sql).bind(name).bind(now()).fetch_one(c).await).map_err(internal)?;
    tx.commit().await?;
    Ok(id)
}

/// Creates the administrator (all rights) when the company has no user yet.
pub async fn ensure_admin(db: &Db, tenant: &Tenant, email: &str, password: &str) -> Result<(), AppError> {
    if crate::users::store::count(db, tenant).await? > 0 {
        return Ok(());
    }
    crate::auth::password::check("password", password)?;
    let rights: Vec<String> = Right::ALL.iter().map(|r| r.code().to_string()).collect();
    let input = UserInput::parse("Administrateur", email, "", &rights)?;
    let hash = crate::auth::password::hash(password)?;
    let mut tx = db.begin().await?;
    let id = crate::users::store::create(&mut tx, tenant, &input, &hash).await?;
    crate::db::audit(&mut tx, tenant, None, "user", id, "created", "administrateur initial").await?;
    tx.commit().await?;
    tracing::info!(%email, "administrator created");
    Ok(())
}

/// A production start (a release build, or an administrator given) disables the demo
/// users an earlier start may have made: their password is published. Returns how many.
pub async fn disable_demo_users(db: &Db) -> Result<usize, AppError> {
    let sql = "SELECT id, company_id, password_hash FROM app_user WHERE email LIKE '%@demo.ouvrage.fr' AND active = TRUE";
    let users: Vec<(i64, i64, String)> = on_pool!(db, c => sqlx::query_as(sql).fetch_all(c).await).map_err(internal)?;
    let mut disabled = 0;
    for (id, company, hash) in users {
        let published = tokio::task::spawn_blocking(move || crate::auth::password::verify(DEMO_PASSWORD, &hash)).await.unwrap_or(false);
        if !published {
            continue;
        }
        let tenant = Tenant::trusted(company);
        let mut tx = db.begin().await?;
        let sql = "UPDATE app_user SET active = FALSE WHERE company_id = $1 AND id = $2";
        on_conn!(&mut tx, c => sqlx::query(sql).bind(company).bind(id).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        crate::db::audit(
            &mut tx,
            &tenant,
            None,
            "user",
            id,
            "disabled",
            "compte de démonstration (mot de passe publié) désactivé au démarrage en production",
        )
        .await?;
        // A company used for real is no longer the demo: its documents drop the demo
        // marking and it must complete its own identity (the demo's is cleared).
        crate::company::store::leave_demo(&mut tx, &tenant).await?;
        tx.commit().await?;
        disabled += 1;
    }
    if disabled > 0 {
        tracing::warn!(disabled, "demo users with the published password disabled");
    }
    Ok(disabled)
}

/// Loads the demo users and contacts into a company that has no contact yet.
pub async fn load_if_empty(db: &Db, tenant: &Tenant) -> Result<bool, AppError> {
    let sql = "SELECT COUNT(*) FROM contact WHERE company_id = $1";
    let n: i64 = on_pool!(db, c => sqlx::query_scalar(sql).bind(tenant.company_id()).fetch_one(c).await).map_err(internal)?;
    if n > 0 {
        return Ok(false);
    }
    let hash = crate::auth::password::hash(DEMO_PASSWORD)?;
    let all: Vec<String> = Right::ALL.iter().map(|r| r.code().to_string()).collect();
    let office = vec![Right::Commercial.code().to_string(), Right::Reminders.code().to_string()];
    let users = [
        ("Sophie Martin", DEMO_ADMIN, "Sophie Martin\nGérante — Martin Chauffage Sanitaire\n04 77 21 35 80", all),
        ("Léa Roux", "lea.roux@demo.ouvrage.fr", "Léa Roux\nSecrétariat\n04 77 21 35 80", office),
        ("Karim Benali", "karim.benali@demo.ouvrage.fr", "Karim Benali\nTechnicien chauffagiste", vec![]),
    ];
    let mut tx = db.begin().await?;
    crate::company::store::set_demo_identity(&mut tx, tenant).await?;
    for (name, email, signature, rights) in users {
        let taken: Option<i64> = on_conn!(&mut tx, c => sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
            .bind(email)
            .fetch_optional(c)
            .await)
        .map_err(internal)?;
        if taken.is_none() {
            let input = UserInput::parse(name, email, signature, &rights)?;
            crate::users::store::create(&mut tx, tenant, &input, &hash).await?;
        }
    }
    let mut rng = SplitMix64(20261129);
    for i in 0..200 {
        crate::contacts::store::create(&mut tx, tenant, None, &fake_contact(&mut rng, i).input()).await?;
    }
    tx.commit().await?;
    tracing::info!("demo company loaded");
    Ok(true)
}

/// A small, fast, reproducible generator (SplitMix64).
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

impl FakeContact {
    pub fn input(&self) -> crate::contacts::model::ContactInput {
        crate::contacts::model::ContactInput {
            statut: crate::contacts::model::Statut::from_code(self.statut).unwrap_or(crate::contacts::model::Statut::Prospect),
            civilite: self.civilite.to_string(),
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            societe: self.societe.clone(),
            adresse: self.adresse.clone(),
            code_postal: self.code_postal.clone(),
            ville: self.ville.clone(),
            phones: self.phones.iter().map(|(_, n)| n.clone()).collect(),
            email: self.email.clone(),
            notes: String::new(),
            commercial: Default::default(),
            ids: crate::contacts::model::ClientIds { professionnel: !self.societe.is_empty(), ..Default::default() },
        }
    }
}

pub struct FakeContact {
    pub statut: &'static str,
    pub civilite: &'static str,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub phones: Vec<(String, String)>,
}

const NOMS: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Müller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Pavière",
    "Lemaître",
    "Noël",
    "Bénard",
    "Cœurdevey",
    "L'Hôte",
    "Saint-Just",
    "Le Gall",
    "De la Tour",
    "Øster",
];
const SYL_START: &[&str] = &[
    "Ber", "Mar", "Lef", "Dur", "Gar", "Rou", "Mor", "Fau", "Bou", "Che", "Gi", "La", "Le", "Ma", "Pe", "Ri", "Va", "Vi", "Bo", "Co", "Da",
    "Fo", "Ga", "Jo", "Lo", "Mo", "No", "Po", "Ro", "Sa", "Ta", "Au", "Bé", "Dé", "Lé",
];
const SYL_MID: &[&str] = &["", "n", "r", "l", "ch", "ss", "t", "v", "gn"];
const SYL_END: &[&str] =
    &["and", "ard", "eau", "ier", "in", "on", "ot", "et", "elle", "ière", "ais", "ault", "ec", "ez", "y", "oux", "ès", "at"];
const PRENOMS_H: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "René",
    "Louis",
    "Alain",
    "Jacques",
    "Bernard",
    "Marcel",
    "Daniel",
    "Roger",
    "Robert",
    "Paul",
    "Claude",
    "Christian",
    "Henri",
    "Georges",
    "Nicolas",
    "François",
    "Jérôme",
    "Stéphane",
    "Loïc",
    "Hervé",
    "Gaël",
    "Anaël",
    "Jean-Luc",
    "Noé",
];
const PRENOMS_F: &[&str] = &[
    "Marie",
    "Jeanne",
    "Françoise",
    "Monique",
    "Catherine",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Anne",
    "Martine",
    "Christine",
    "Sophie",
    "Valérie",
    "Céline",
    "Hélène",
    "Chloé",
    "Zoé",
    "Maëlle",
    "Anaïs",
    "Agnès",
    "Béatrice",
    "Léa",
    "Marie-Thérèse",
    "Éloïse",
];
const VILLES: &[(&str, &str, &str)] = &[
    ("42000", "Saint-Étienne", "04 77"),
    ("42100", "Saint-Étienne", "04 77"),
    ("42400", "Saint-Chamond", "04 77"),
    ("42500", "Le Chambon-Feugerolles", "04 77"),
    ("42700", "Firminy", "04 77"),
    ("43000", "Le Puy-en-Velay", "04 71"),
    ("69001", "Lyon", "04 78"),
    ("69100", "Villeurbanne", "04 72"),
    ("38200", "Vienne", "04 74"),
    ("25000", "Besançon", "03 81"),
    ("45000", "Orléans", "02 38"),
    ("94240", "L'Haÿ-les-Roses", "01 46"),
    ("13001", "Marseille", "04 91"),
    ("31000", "Toulouse", "05 61"),
    ("29200", "Brest", "02 98"),
    ("59000", "Lille", "03 20"),
];
const RUES: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "place de l'Hôtel de Ville",
    "rue Victor Hugo",
    "chemin des Vignes",
    "boulevard Pasteur",
    "impasse des Tilleuls",
    "rue du Général de Gaulle",
    "allée des Érables",
    "route de Lyon",
];
const SOCIETES: &[&str] = &[
    "SCI Les Tilleuls",
    "Boulangerie",
    "Garage",
    "Syndic Foncia",
    "Mairie de",
    "Cabinet médical",
    "EHPAD Les Glycines",
    "Restaurant Le Cœur Fidèle",
    "Hôtel du Parc",
    "SARL Bâti-Rénov",
];

fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => Some('e'),
            'î' | 'ï' => Some('i'),
            'ô' | 'ö' | 'Ø' | 'ø' => Some('o'),
            'ù' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            'ÿ' => Some('y'),
            'œ' | 'Œ' => Some('o'),
            ' ' | '\'' => None,
            c if c.is_ascii_alphanumeric() || c == '-' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn two_digits(rng: &mut SplitMix64) -> String {
    format!("{:02}", rng.below(100))
}

/// One realistic French contact. `i` only makes the first one «PAVIÈRE Robert».
pub fn fake_contact(rng: &mut SplitMix64, i: usize) -> FakeContact {
    let female = rng.below(2) == 0;
    let (civilite, prenom) = if female { ("Mme", rng.pick(PRENOMS_F)) } else { ("M.", rng.pick(PRENOMS_H)) };
    // Half the surnames come from the common list, half from a long tail of plausible
    // French surnames (≈ 3,000), as in a real base.
    let tail;
    let nom = if rng.below(2) == 0 {
        rng.pick(NOMS)
    } else {
        tail = format!("{}{}{}", rng.pick(SYL_START), rng.pick(SYL_MID), rng.pick(SYL_END));
        tail.as_str()
    };
    let (nom, prenom, civilite) = if i == 0 { ("Pavière", "Robert", "M.") } else { (nom, prenom, civilite) };
    let (cp, ville, indicatif) = VILLES[rng.below(VILLES.len())];
    let societe = if rng.below(6) == 0 {
        let s = rng.pick(SOCIETES);
        if s.ends_with(" de") {
            format!("{s} {ville}")
        } else if s.contains(' ') {
            s.to_string()
        } else {
            format!("{s} {nom}")
        }
    } else {
        String::new()
    };
    let statut = match rng.below(100) {
        0..=59 => "client",
        60..=94 => "prospect",
        _ => "corbeille",
    };
    let mut phones = Vec::new();
    if rng.below(5) > 0 {
        let prefix = if rng.below(2) == 0 { "06" } else { "07" };
        phones.push((
            "Portable".to_string(),
            format!("{prefix} {} {} {} {}", two_digits(rng), two_digits(rng), two_digits(rng), two_digits(rng)),
        ));
    }
    if phones.is_empty() || rng.below(3) == 0 {
        phones.push(("Fixe".to_string(), format!("{indicatif} {} {} {}", two_digits(rng), two_digits(rng), two_digits(rng))));
    }
    let email = if rng.below(4) > 0 {
        let domain = ["orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "wanadoo.fr"][rng.below(6)];
        let n = if rng.below(3) == 0 { format!("{}", rng.below(100)) } else { String::new() };
        format!("{}.{}{n}@{domain}", ascii_fold(prenom), ascii_fold(nom))
    } else {
        String::new()
    };
    FakeContact {
        statut,
        civilite,
        nom: nom.to_string(),
        prenom: prenom.to_string(),
        societe,
        adresse: format!("{} {}", 1 + rng.below(120), rng.pick(RUES)),
        code_postal: cp.to_string(),
        ville: ville.to_string(),
        email,
        phones,
    }
}

/// Creates another company with its administrator (all rights); returns the company id.
/// Used to onboard a company on a shared deployment, and by the tenancy tests.
pub async fn create_company(db: &Db, name: &str, admin_email: &str, admin_password: &str) -> Result<i64, AppError> {
    let id = insert_company(db, name).await?;
    ensure_admin(db, &Tenant::trusted(id), admin_email, admin_password).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_french() {
        let a: Vec<String> = {
            let mut r = SplitMix64(7);
            (0..50).map(|i| fake_contact(&mut r, i).nom).collect()
        };
        let b: Vec<String> = {
            let mut r = SplitMix64(7);
            (0..50).map(|i| fake_contact(&mut r, i).nom).collect()
        };
        assert_eq!(a, b);
        assert_eq!(a[0], "Pavière");
        let mut r = SplitMix64(1);
        let all: Vec<FakeContact> = (0..500).map(|i| fake_contact(&mut r, i)).collect();
        assert!(all.iter().all(|c| !c.phones.is_empty()));
        assert!(all.iter().filter(|c| c.statut == "corbeille").count() > 5);
        assert!(all.iter().any(|c| c.nom.contains('è') || c.nom.contains('é')));
    }
}
