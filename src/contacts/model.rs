use serde::{Deserialize, Serialize};

/// «Statut» of a contact: the bases in one table (clients, prospects, and the suppliers
/// whose invoices the company receives: docs/e-invoicing.md), and the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statut {
    Prospect,
    Client,
    Corbeille,
    Fournisseur,
}

impl Statut {
    pub const ALL: [Statut; 4] = [Statut::Prospect, Statut::Client, Statut::Fournisseur, Statut::Corbeille];

    pub fn code(self) -> &'static str {
        match self {
            Statut::Prospect => "prospect",
            Statut::Client => "client",
            Statut::Corbeille => "corbeille",
            Statut::Fournisseur => "fournisseur",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Statut::Prospect => "Prospect",
            Statut::Client => "Client",
            Statut::Corbeille => "Corbeille",
            Statut::Fournisseur => "Fournisseur",
        }
    }
    pub fn from_code(code: &str) -> Option<Statut> {
        Statut::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ContactRow {
    pub id: i64,
    pub statut: String,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactPage {
    pub sort: String,
    pub rows: Vec<ContactRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 50;

/// The sort orders of a list; the first is the default.
pub const SORTS: [(&str, &str); 4] = [("nom", "Nom"), ("code_postal", "Code postal"), ("ville", "Ville"), ("recent", "Plus récents")];

/// How a person is named everywhere: «PAVIÈRE Robert» (empty when the contact is only a
/// company).
pub fn person_name(nom: &str, prenom: &str) -> String {
    format!("{} {}", nom.to_uppercase(), prenom).trim().to_string()
}

/// A contact's title: the person's name, else the company's.
pub fn contact_title(nom: &str, prenom: &str, societe: &str) -> String {
    let person = person_name(nom, prenom);
    if person.is_empty() { societe.to_string() } else { person }
}

pub const CIVILITES: [&str; 4] = ["", "M.", "Mme", "M. et Mme"];
pub const PHONES_MAX: usize = 4;
pub const TEXT_MAX: usize = 200;
pub const NOTES_MAX: usize = 20_000;

/// A contact as typed in «Fiche contact», validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactInput {
    pub statut: Statut,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub phones: Vec<String>,
    pub email: String,
    pub notes: String,
    pub commercial: Commercial,
    pub ids: ClientIds,
}

/// «Particulier» or «Professionnel», and a professional's identifiers (stored compact,
/// checked like the company's own: company::check).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIds {
    pub professionnel: bool,
    pub siren: String,
    pub siret: String,
    pub tva_intra: String,
}

/// A job site of a client («Adresse de chantier»): where the work is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SiteView {
    pub id: i64,
    pub libelle: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
}

impl SiteView {
    /// «Maison de Lyon — 5 rue X, 69002 Lyon».
    pub fn label(&self) -> String {
        let address = format!("{}, {} {}", self.adresse, self.code_postal, self.ville).trim().to_string();
        if self.libelle.is_empty() { address } else { format!("{} — {address}", self.libelle) }
    }
}

impl ClientIds {
    /// The stored `type_client`.
    pub fn type_code(&self) -> &'static str {
        if self.professionnel { "professionnel" } else { "particulier" }
    }
}

/// «Bloquer la gestion commerciale» (with its reason) and «Plafond d'encours» (cents).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Commercial {
    pub bloque: bool,
    pub motif: String,
    pub plafond: Option<i64>,
}

/// The raw form («Nouveau contact», «Modifier»); its field names are the HTML form's
/// (`contacts/create` and `contacts/update` take it flattened): `statut` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactForm {
    pub statut: String,
    #[serde(default)]
    pub civilite: String,
    #[serde(default)]
    pub nom: String,
    #[serde(default)]
    pub prenom: String,
    #[serde(default)]
    pub societe: String,
    #[serde(default)]
    pub adresse: String,
    #[serde(default)]
    pub code_postal: String,
    #[serde(default)]
    pub ville: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub notes: String,
    /// «Oui» / «Non».
    #[serde(default)]
    pub bloque: String,
    #[serde(default)]
    pub bloque_motif: String,
    /// Euros, empty for none.
    #[serde(default)]
    pub plafond_encours: String,
    /// `particulier` (also when absent) or `professionnel`.
    #[serde(default)]
    pub type_client: String,
    #[serde(default)]
    pub siren: String,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub tva_intra: String,
}

impl ContactForm {
    fn typed(&self) -> Vec<(String, String)> {
        use crate::auth::model::shorten;
        let mut v: Vec<(String, String)> = [
            ("statut", &self.statut),
            ("civilite", &self.civilite),
            ("nom", &self.nom),
            ("prenom", &self.prenom),
            ("societe", &self.societe),
            ("adresse", &self.adresse),
            ("code_postal", &self.code_postal),
            ("ville", &self.ville),
            ("email", &self.email),
            ("notes", &self.notes),
            ("bloque", &self.bloque),
            ("bloque_motif", &self.bloque_motif),
            ("plafond_encours", &self.plafond_encours),
            ("type_client", &self.type_client),
            ("siren", &self.siren),
            ("siret", &self.siret),
            ("tva_intra", &self.tva_intra),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), shorten(v, if *k == "notes" { NOTES_MAX } else { TEXT_MAX })))
        .collect();
        v.extend(self.phones.iter().take(PHONES_MAX).map(|p| ("phones".to_string(), shorten(p, 40))));
        v
    }

    /// Validates every field; the first error names its field and carries what was typed.
    pub fn parse(&self) -> Result<ContactInput, crate::error::AppError> {
        self.parse_inner().map_err(|e| e.with_values(self.typed()))
    }

    fn parse_inner(&self) -> Result<ContactInput, crate::error::AppError> {
        use crate::auth::model::{bounded_text, parse_email};
        use crate::error::AppError;
        let statut = Statut::from_code(self.statut.trim())
            .ok_or_else(|| AppError::invalid("statut", "Choisissez un statut : Prospect, Client ou Corbeille."))?;
        let civilite = self.civilite.trim().to_string();
        if !CIVILITES.contains(&civilite.as_str()) {
            return Err(AppError::invalid("civilite", "Civilité inconnue."));
        }
        // Typed text with a line break or a control character was refused at the form
        // (server::security); what comes from a file is made clean here.
        let line = |v: &str| crate::fmt::clean_text(false, v);
        let nom = bounded_text("nom", "Nom", &line(&self.nom), TEXT_MAX)?;
        let prenom = bounded_text("prenom", "Prénom", &line(&self.prenom), TEXT_MAX)?;
        let societe = bounded_text("societe", "Société", &line(&self.societe), TEXT_MAX)?;
        if nom.is_empty() && societe.is_empty() {
            return Err(AppError::invalid("nom", "Indiquez au moins un nom ou une société."));
        }
        let adresse = bounded_text("adresse", "Adresse", &line(&self.adresse), TEXT_MAX)?;
        let code_postal = self.code_postal.trim().to_string();
        let digits = code_postal.chars().all(|c| c.is_ascii_digit());
        if !code_postal.is_empty()
            && ((digits && code_postal.len() != 5)
                || (!digits && !(3..=10).contains(&code_postal.len()))
                || !code_postal.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'))
        {
            return Err(AppError::invalid("code_postal", "Le code postal doit compter 5 chiffres (ou être un code étranger valide)."));
        }
        let ville = bounded_text("ville", "Ville", &line(&self.ville), TEXT_MAX)?;
        let mut phones = Vec::new();
        for raw in self.phones.iter().filter(|p| !p.trim().is_empty()) {
            if phones.len() == PHONES_MAX {
                return Err(AppError::invalid("phones", format!("{PHONES_MAX} numéros de téléphone au plus.")));
            }
            let ok = crate::search::text::phone_digits(raw)
                .filter(|d| if d.starts_with("00") { (10..=17).contains(&d.len()) } else { d.len() == 10 && d.starts_with('0') });
            if ok.is_none() {
                return Err(AppError::invalid(
                    "phones",
                    format!(
                        "« {} » n'est pas un numéro de téléphone valide (10 chiffres, ou +33…).",
                        crate::auth::model::shorten(raw.trim(), 40)
                    ),
                ));
            }
            phones.push(crate::search::text::phone_display(raw));
        }
        let email = if self.email.trim().is_empty() { String::new() } else { parse_email("email", &self.email)? };
        let notes = bounded_text("notes", "Notes", &crate::fmt::clean_text(true, &self.notes), NOTES_MAX)?;
        let bloque = match self.bloque.trim() {
            "" | "non" | "Non" => false,
            "oui" | "Oui" => true,
            _ => return Err(AppError::invalid("bloque", "Répondez Oui ou Non.")),
        };
        let motif = bounded_text("bloque_motif", "Raison du blocage", &self.bloque_motif, TEXT_MAX)?;
        if bloque && motif.is_empty() {
            return Err(AppError::invalid("bloque_motif", "Indiquez la raison du blocage de la gestion commerciale."));
        }
        let plafond = match self.plafond_encours.trim() {
            "" => None,
            raw => match crate::fmt::parse_cents(raw) {
                Some(c) if c >= 0 => Some(c),
                _ => {
                    return Err(AppError::invalid(
                        "plafond_encours",
                        "Plafond d'encours invalide : un montant en euros, 2 décimales au plus.",
                    ));
                }
            },
        };
        let commercial = Commercial { bloque, motif: if bloque { motif } else { String::new() }, plafond };
        let ids = self.client_ids()?;
        Ok(ContactInput { statut, civilite, nom, prenom, societe, adresse, code_postal, ville, phones, email, notes, commercial, ids })
    }

    /// «Particulier» has no identifier; a professional's are checked (the SIREN is taken
    /// from the SIRET when only that is given; the VAT number must be the SIREN's).
    fn client_ids(&self) -> Result<ClientIds, crate::error::AppError> {
        use crate::company::check;
        use crate::error::AppError;
        let professionnel = match self.type_client.trim() {
            "" | "particulier" => false,
            "professionnel" => true,
            _ => return Err(AppError::invalid("type_client", "Choisissez Particulier ou Professionnel.")),
        };
        if !professionnel {
            return Ok(ClientIds::default());
        }
        let checked = |field: &'static str, raw: &str, f: fn(&str) -> Result<String, String>| {
            if raw.trim().is_empty() { Ok(String::new()) } else { f(raw).map_err(|m| AppError::invalid(field, m)) }
        };
        let siret = checked("siret", &self.siret, check::siret)?;
        let mut siren = checked("siren", &self.siren, check::siren)?;
        if siren.is_empty() {
            siren = siret.get(..9).unwrap_or_default().to_string();
        }
        if !siret.is_empty() && !siret.starts_with(&siren) {
            return Err(AppError::invalid("siret", "Le SIRET commence par le SIREN du client."));
        }
        let tva_intra = if self.tva_intra.trim().is_empty() {
            String::new()
        } else {
            check::vat_number(&self.tva_intra, Some(siren.as_str()).filter(|s| !s.is_empty()))
                .map_err(|m| AppError::invalid("tva_intra", m))?
        };
        Ok(ClientIds { professionnel, siren, siret, tva_intra })
    }
}

/// A contact with everything «Fiche contact» shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: i64,
    pub statut: String,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub societe: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub email: String,
    pub notes: String,
    pub commercial: Commercial,
    pub ids: ClientIds,
    /// «Adresses de chantier» (not archived).
    pub sites: Vec<SiteView>,
    /// Its type was set by the migration's rule (a «Société» made it professional), not
    /// chosen: to review.
    pub type_to_review: bool,
    pub phones: Vec<String>,
    pub history: Vec<StatusChange>,
    pub can_trash: bool,
}

impl ContactDetail {
    pub fn title(&self) -> String {
        contact_title(&self.nom, &self.prenom, &self.societe)
    }
    pub fn form(&self) -> ContactForm {
        ContactForm {
            statut: self.statut.clone(),
            civilite: self.civilite.clone(),
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            societe: self.societe.clone(),
            adresse: self.adresse.clone(),
            code_postal: self.code_postal.clone(),
            ville: self.ville.clone(),
            phones: self.phones.clone(),
            email: self.email.clone(),
            notes: self.notes.clone(),
            bloque: if self.commercial.bloque { "oui" } else { "non" }.into(),
            bloque_motif: self.commercial.motif.clone(),
            plafond_encours: self.commercial.plafond.map(crate::fmt::cents_field).unwrap_or_default(),
            type_client: if self.ids.professionnel { "professionnel" } else { "particulier" }.into(),
            siren: crate::company::check::group_siren(&self.ids.siren),
            siret: crate::company::check::group_siret(&self.ids.siret),
            tva_intra: self.ids.tva_intra.clone(),
        }
    }
}

/// One change of «Statut»: who, when, from, to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: String,
    pub user: String,
    pub from: String,
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ContactForm {
        ContactForm { statut: "client".into(), nom: "Pavière".into(), prenom: "Robert".into(), ..Default::default() }
    }

    #[test]
    fn valid_contact() {
        let mut f = form();
        f.phones = vec!["0612345678".into(), "".into(), "+33 4 77 21 35 80".into()];
        f.email = " Robert@Exemple.fr".into();
        f.code_postal = "42000".into();
        let c = f.parse().unwrap();
        assert_eq!(c.phones, vec!["06 12 34 56 78", "04 77 21 35 80"]);
        assert_eq!(c.email, "robert@exemple.fr");
        assert_eq!(c.statut, Statut::Client);
    }

    #[test]
    fn bad_contacts() {
        type Change = Box<dyn Fn(&mut ContactForm)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|f| f.email = "robert@".into()), "email"),
            (Box::new(|f| f.phones = vec!["06 12".into()]), "phones"),
            (Box::new(|f| f.phones = vec!["appelez-moi".into()]), "phones"),
            (Box::new(|f| f.code_postal = "4200".into()), "code_postal"),
            (Box::new(|f| f.statut = "supprime".into()), "statut"),
            (
                Box::new(|f| {
                    f.nom = "".into();
                    f.societe = "".into();
                }),
                "nom",
            ),
            (Box::new(|f| f.notes = "x".repeat(NOTES_MAX + 1)), "notes"),
            (Box::new(|f| f.civilite = "Sa Majesté".into()), "civilite"),
        ];
        for (change, field) in cases {
            let mut f = form();
            change(&mut f);
            let e = f.parse().unwrap_err();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
            assert_eq!(e.typed("prenom").as_deref(), Some("Robert"));
        }
    }
}
