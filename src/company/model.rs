//! The company's identity as «Paramètres › Entreprise» edits it and every document prints
//! it (docs/company.md, docs/legal.md).

use serde::{Deserialize, Serialize};

use crate::company::check;
use crate::error::AppError;
use crate::fmt::{cents_field, parse_cents};

/// «Immatriculation»: the register the company is in.
pub const REGISTRES: [(&str, &str); 3] = [("rcs", "RCS"), ("rm", "RM"), ("dispense", "Dispensé d'immatriculation")];

/// The category of the company's operations (the e-invoicing reform's mention).
pub const CATEGORIES: [(&str, &str); 3] =
    [("prestation", "Prestation de services"), ("biens", "Livraison de biens"), ("mixte", "Livraison de biens et prestation de services")];

pub const LOGO_MAX_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub raison_sociale: String,
    pub forme_juridique: String,
    pub capital_cents: Option<i64>,
    pub siren: String,
    pub siret: String,
    pub registre: String,
    pub registre_ville: String,
    pub tva_intra: String,
    pub franchise_tva: bool,
    pub tva_debits: bool,
    pub categorie: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub telephone: String,
    pub email: String,
    pub site_web: String,
    pub has_logo: bool,
    pub iban: String,
    pub bic: String,
    pub decennale_assureur: String,
    pub decennale_contrat: String,
    pub decennale_adresse: String,
    pub decennale_couverture: String,
    pub mediateur_nom: String,
    pub mediateur_site: String,
    pub paiement_jours: i64,
    /// The early-payment discount's terms; empty: none.
    pub escompte: String,
    /// «Taux des pénalités de retard» (basis points); `None`: the legal default, the ECB
    /// rate plus 10 points (L441-10). The reminders charge the same.
    pub penalty_rate_bp: Option<i64>,
    pub is_demo: bool,
}

impl Identity {
    /// What a document to a consumer (`consumer`) or a business cannot be issued without,
    /// as the labels of «Entreprise» (docs/legal.md, «Seller identity»).
    pub fn missing(&self, consumer: bool) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut need = |empty: bool, label: &'static str| {
            if empty {
                out.push(label);
            }
        };
        need(self.raison_sociale.trim().is_empty(), "Raison sociale");
        need(self.forme_juridique.trim().is_empty(), "Forme juridique");
        // R123-238: a company (not a sole trader) states its capital.
        let company =
            ["SARL", "SAS", "SASU", "EURL", "SA", "SCOP", "SELARL"].contains(&self.forme_juridique.trim().to_uppercase().as_str());
        need(company && self.capital_cents.is_none(), "Capital social");
        need(self.siren.is_empty(), "SIREN");
        need(self.siret.is_empty(), "SIRET");
        need(self.registre.is_empty(), "Immatriculation (RCS, RM ou Dispensé d'immatriculation)");
        need(matches!(self.registre.as_str(), "rcs" | "rm") && self.registre_ville.trim().is_empty(), "Ville d'immatriculation");
        need(!self.franchise_tva && self.tva_intra.is_empty(), "N° TVA intracommunautaire");
        need(self.adresse.trim().is_empty() || self.ville.trim().is_empty(), "Adresse du siège");
        need(self.decennale_assureur.trim().is_empty(), "Assureur (assurance décennale)");
        need(self.decennale_contrat.trim().is_empty(), "N° de contrat (assurance décennale)");
        need(self.decennale_adresse.trim().is_empty(), "Adresse de l'assureur");
        need(self.decennale_couverture.trim().is_empty(), "Couverture géographique");
        need(consumer && (self.mediateur_nom.trim().is_empty() || self.mediateur_site.trim().is_empty()), "Médiateur de la consommation");
        out
    }

    /// Refuses what would go out with an incomplete identity (a real company; the demo
    /// says on its documents that it is the demo): `what` is «émettre», «une relance»…
    pub fn check_complete(&self, consumer: bool, what: &str) -> Result<(), AppError> {
        let missing = self.missing(consumer);
        if self.is_demo || missing.is_empty() {
            return Ok(());
        }
        Err(AppError::invalid(
            "entreprise",
            format!("Identité de l'entreprise incomplète pour {what} : {}. Complétez-la dans Paramètres › Entreprise.", missing.join(", ")),
        ))
    }

    pub fn categorie_label(&self) -> &'static str {
        CATEGORIES.iter().find(|(c, _)| *c == self.categorie).map_or(CATEGORIES[0].1, |(_, l)| l)
    }

    /// «SARL au capital de 10 000,00 €», «SAS», or nothing.
    pub fn form_and_capital(&self) -> String {
        match (self.forme_juridique.trim(), self.capital_cents) {
            ("", _) => String::new(),
            (f, Some(c)) => format!("{f} au capital de {}", crate::fmt::euros(c)),
            (f, None) => f.to_string(),
        }
    }

    /// «RCS Saint-Étienne 443 061 841», «RM 443 061 841 (Saint-Étienne)», «Dispensé
    /// d'immatriculation…», or nothing.
    pub fn registration(&self) -> String {
        let siren = check::group_siren(&self.siren);
        match self.registre.as_str() {
            "rcs" => format!("RCS {} {siren}", self.registre_ville.trim()),
            "rm" => format!("RM {siren} ({})", self.registre_ville.trim()),
            "dispense" => {
                "Dispensé d'immatriculation au registre du commerce et des sociétés (RCS) et au répertoire des métiers (RM)".into()
            }
            _ => String::new(),
        }
    }

    /// The identity lines under the company's name on every document and letter.
    pub fn seller_lines(&self) -> Vec<String> {
        let mut lines = vec![
            self.form_and_capital(),
            format!("Siège social : {}, {} {}", self.adresse.trim(), self.code_postal.trim(), self.ville.trim()),
        ];
        let mut ids = Vec::new();
        if !self.siren.is_empty() {
            ids.push(format!("SIREN {}", check::group_siren(&self.siren)));
        }
        if !self.siret.is_empty() {
            ids.push(format!("SIRET {}", check::group_siret(&self.siret)));
        }
        lines.push(ids.join(" · "));
        lines.push(self.registration());
        if !self.tva_intra.is_empty() {
            lines.push(format!("N° TVA intracommunautaire : {}", self.tva_intra));
        }
        let contact: Vec<String> = [
            (!self.telephone.is_empty()).then(|| format!("Tél. {}", self.telephone)),
            (!self.email.is_empty()).then(|| self.email.clone()),
            (!self.site_web.is_empty()).then(|| self.site_web.clone()),
        ]
        .into_iter()
        .flatten()
        .collect();
        lines.push(contact.join(" · "));
        lines.retain(|l| !l.trim().is_empty() && l.trim() != "Siège social : ,");
        lines
    }

    /// The «Assurance décennale» mention (loi 96-603 art. 22-2).
    pub fn decennale_mention(&self) -> String {
        format!(
            "Assurance décennale obligatoire : {}, {} – contrat n° {} – couverture géographique : {}",
            self.decennale_assureur.trim(),
            self.decennale_adresse.trim(),
            self.decennale_contrat.trim(),
            self.decennale_couverture.trim()
        )
    }

    /// The consumer mediator mention (Code de la consommation L612-1, L616-1).
    pub fn mediateur_mention(&self) -> String {
        format!(
            "Médiation de la consommation : en cas de litige, le client consommateur peut recourir gratuitement au médiateur {}, {} (art. L612-1 et L616-1 du Code de la consommation).",
            self.mediateur_nom.trim(),
            self.mediateur_site.trim()
        )
    }

    /// The late-payment penalties mention of an invoice to a business: the rate the
    /// reminders charge (L441-10).
    pub fn penalty_mention(&self) -> String {
        match self.penalty_rate_bp {
            Some(bp) => format!(
                "Pénalités de retard : {} % l'an, exigibles dès le lendemain de la date d'échéance sans qu'un rappel soit nécessaire (art. L441-10 du Code de commerce).",
                crate::fmt::percent_bp(bp)
            ),
            None => "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points, exigibles dès le lendemain de la date d'échéance sans qu'un rappel soit nécessaire (art. L441-10 du Code de commerce).".into(),
        }
    }

    pub fn escompte_mention(&self) -> String {
        if self.escompte.trim().is_empty() {
            "Pas d'escompte pour paiement anticipé.".into()
        } else {
            format!("Escompte pour paiement anticipé : {}", self.escompte.trim())
        }
    }
}

/// «Entreprise» as posted: every field as typed (the HTML form's names).
/// A field not posted is empty (an unticked checkbox is not posted at all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityForm {
    pub raison_sociale: String,
    pub forme_juridique: String,
    pub capital_social: String,
    pub siren: String,
    pub siret: String,
    pub registre: String,
    pub registre_ville: String,
    pub tva_intra: String,
    /// A checkbox: present when ticked.
    pub franchise_tva: Option<String>,
    pub tva_debits: Option<String>,
    pub categorie: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub telephone: String,
    pub email: String,
    pub site_web: String,
    pub iban: String,
    pub bic: String,
    pub decennale_assureur: String,
    pub decennale_contrat: String,
    pub decennale_adresse: String,
    pub decennale_couverture: String,
    pub mediateur_nom: String,
    pub mediateur_site: String,
    pub paiement_jours: String,
    /// «Escompte pour paiement anticipé» (`oui`) or «Pas d'escompte» (`non`).
    pub escompte: String,
    pub escompte_conditions: String,
    pub penalites_taux: String,
}

impl IdentityForm {
    /// A complete identity with real-shaped numbers that pass their keys: the company of
    /// the tests and of `bench-documents`.
    pub fn sample() -> IdentityForm {
        IdentityForm {
            raison_sociale: "Dupont Chauffage".into(),
            forme_juridique: "SARL".into(),
            capital_social: "10 000".into(),
            siren: "443 061 841".into(),
            siret: "443 061 841 00047".into(),
            registre: "rcs".into(),
            registre_ville: "Lyon".into(),
            tva_intra: "FR64443061841".into(),
            adresse: "3 rue du Port".into(),
            code_postal: "69002".into(),
            ville: "Lyon".into(),
            telephone: "04 72 00 00 00".into(),
            email: "contact@dupont-chauffage.fr".into(),
            iban: "FR76 3000 6000 0112 3456 7890 189".into(),
            bic: "BNPAFRPP".into(),
            decennale_assureur: "Mutuelle du Bâtiment".into(),
            decennale_contrat: "DEC-2026-4411".into(),
            decennale_adresse: "8 avenue des Assureurs, 69003 Lyon".into(),
            decennale_couverture: "France métropolitaine".into(),
            mediateur_nom: "Médiateur du Bâtiment".into(),
            mediateur_site: "www.mediateur-batiment.fr".into(),
            paiement_jours: "30".into(),
            escompte: "non".into(),
            ..Default::default()
        }
    }

    /// The form as the page shows it for a stored identity.
    pub fn of(i: &Identity) -> IdentityForm {
        IdentityForm {
            raison_sociale: i.raison_sociale.clone(),
            forme_juridique: i.forme_juridique.clone(),
            capital_social: i.capital_cents.map(cents_field).unwrap_or_default(),
            siren: check::group_siren(&i.siren),
            siret: check::group_siret(&i.siret),
            registre: i.registre.clone(),
            registre_ville: i.registre_ville.clone(),
            tva_intra: i.tva_intra.clone(),
            franchise_tva: i.franchise_tva.then(|| "on".into()),
            tva_debits: i.tva_debits.then(|| "on".into()),
            categorie: i.categorie.clone(),
            adresse: i.adresse.clone(),
            code_postal: i.code_postal.clone(),
            ville: i.ville.clone(),
            telephone: i.telephone.clone(),
            email: i.email.clone(),
            site_web: i.site_web.clone(),
            iban: check::group_iban(&i.iban),
            bic: i.bic.clone(),
            decennale_assureur: i.decennale_assureur.clone(),
            decennale_contrat: i.decennale_contrat.clone(),
            decennale_adresse: i.decennale_adresse.clone(),
            decennale_couverture: i.decennale_couverture.clone(),
            mediateur_nom: i.mediateur_nom.clone(),
            mediateur_site: i.mediateur_site.clone(),
            paiement_jours: i.paiement_jours.to_string(),
            escompte: if i.escompte.is_empty() { "non".into() } else { "oui".into() },
            escompte_conditions: i.escompte.clone(),
            penalites_taux: i.penalty_rate_bp.map(crate::fmt::percent_bp).unwrap_or_default(),
        }
    }

    /// The values as typed, for the form shown again after a refusal.
    pub fn typed(&self) -> Vec<(String, String)> {
        let checkbox = |b: &Option<String>| b.clone().unwrap_or_default();
        [
            ("raison_sociale", self.raison_sociale.clone()),
            ("forme_juridique", self.forme_juridique.clone()),
            ("capital_social", self.capital_social.clone()),
            ("siren", self.siren.clone()),
            ("siret", self.siret.clone()),
            ("registre", self.registre.clone()),
            ("registre_ville", self.registre_ville.clone()),
            ("tva_intra", self.tva_intra.clone()),
            ("franchise_tva", checkbox(&self.franchise_tva)),
            ("tva_debits", checkbox(&self.tva_debits)),
            ("categorie", self.categorie.clone()),
            ("adresse", self.adresse.clone()),
            ("code_postal", self.code_postal.clone()),
            ("ville", self.ville.clone()),
            ("telephone", self.telephone.clone()),
            ("email", self.email.clone()),
            ("site_web", self.site_web.clone()),
            ("iban", self.iban.clone()),
            ("bic", self.bic.clone()),
            ("decennale_assureur", self.decennale_assureur.clone()),
            ("decennale_contrat", self.decennale_contrat.clone()),
            ("decennale_adresse", self.decennale_adresse.clone()),
            ("decennale_couverture", self.decennale_couverture.clone()),
            ("mediateur_nom", self.mediateur_nom.clone()),
            ("mediateur_site", self.mediateur_site.clone()),
            ("paiement_jours", self.paiement_jours.clone()),
            ("escompte", self.escompte.clone()),
            ("escompte_conditions", self.escompte_conditions.clone()),
            ("penalites_taux", self.penalites_taux.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), crate::auth::model::shorten(&v, 300)))
        .collect()
    }

    /// Checks every field; the logo and the demo flag are not the form's (`is_demo`,
    /// `has_logo` stay false here).
    pub fn parse(&self) -> Result<Identity, AppError> {
        self.parse_inner().map_err(|e| e.with_values(self.typed()))
    }

    fn parse_inner(&self) -> Result<Identity, AppError> {
        let text = |field: &'static str, label: &str, v: &str, max: usize| -> Result<String, AppError> {
            let v = crate::fmt::one_line(v);
            if v.chars().count() > max {
                return Err(AppError::invalid(field, format!("{label} : {max} caractères au plus.")));
            }
            Ok(v)
        };
        let optional = |field: &'static str, raw: &str, f: fn(&str) -> Result<String, String>| -> Result<String, AppError> {
            if raw.trim().is_empty() { Ok(String::new()) } else { f(raw).map_err(|m| AppError::invalid(field, m)) }
        };
        let raison_sociale = text("raison_sociale", "Raison sociale", &self.raison_sociale, 120)?;
        if raison_sociale.is_empty() {
            return Err(AppError::invalid("raison_sociale", "Indiquez la raison sociale de l'entreprise."));
        }
        let capital_cents = match self.capital_social.trim() {
            "" => None,
            raw => Some(parse_cents(raw).filter(|c| *c >= 0).ok_or_else(|| {
                AppError::invalid("capital_social", "Le capital social est un montant en euros, par exemple « 10 000 ».")
            })?),
        };
        let siren = optional("siren", &self.siren, check::siren)?;
        let siret = optional("siret", &self.siret, check::siret)?;
        if !siren.is_empty() && !siret.is_empty() && !siret.starts_with(&siren) {
            return Err(AppError::invalid("siret", "Le SIRET commence par le SIREN de l'entreprise."));
        }
        let registre = self.registre.trim().to_string();
        if !registre.is_empty() && !REGISTRES.iter().any(|(c, _)| *c == registre) {
            return Err(AppError::invalid("registre", "Choisissez RCS, RM ou Dispensé d'immatriculation."));
        }
        let tva_intra = if self.tva_intra.trim().is_empty() {
            String::new()
        } else {
            check::vat_number(&self.tva_intra, Some(siren.as_str()).filter(|s| !s.is_empty()))
                .map_err(|m| AppError::invalid("tva_intra", m))?
        };
        if self.franchise_tva.is_some() && self.tva_debits.is_some() {
            return Err(AppError::invalid(
                "tva_debits",
                "En franchise en base de TVA, il n'y a pas de TVA à payer sur les débits : décochez l'une des deux.",
            ));
        }
        let categorie = if self.categorie.trim().is_empty() { "prestation".to_string() } else { self.categorie.trim().to_string() };
        if !CATEGORIES.iter().any(|(c, _)| *c == categorie) {
            return Err(AppError::invalid("categorie", "Catégorie d'opérations inconnue."));
        }
        let email = if self.email.trim().is_empty() { String::new() } else { crate::auth::model::parse_email("email", &self.email)? };
        let site_web = text("site_web", "Site internet", &self.site_web, 200)?;
        let mediateur_site = text("mediateur_site", "Site du médiateur", &self.mediateur_site, 200)?;
        for (field, v) in [("site_web", &site_web), ("mediateur_site", &mediateur_site)] {
            if !v.is_empty() && (v.contains(' ') || !v.contains('.')) {
                return Err(AppError::invalid(field, "Adresse de site invalide (par exemple « www.exemple.fr »)."));
            }
        }
        let paiement_jours = match self.paiement_jours.trim() {
            "" => 30,
            raw => raw.parse::<i64>().ok().filter(|d| (0..=60).contains(d)).ok_or_else(|| {
                AppError::invalid(
                    "paiement_jours",
                    "Le délai de paiement est un nombre de jours entre 0 et 60 (art. L441-10 du Code de commerce).",
                )
            })?,
        };
        let escompte = match self.escompte.trim() {
            "oui" => {
                let c = text("escompte_conditions", "Conditions d'escompte", &self.escompte_conditions, 200)?;
                if c.is_empty() {
                    return Err(AppError::invalid(
                        "escompte_conditions",
                        "Indiquez les conditions de l'escompte (par exemple « 2 % pour un paiement sous 8 jours »).",
                    ));
                }
                c
            }
            _ => String::new(),
        };
        let penalty_rate_bp = match self.penalites_taux.trim() {
            "" => None,
            raw => Some(
                crate::fmt::parse_percent_bp(raw)
                    .ok_or_else(|| AppError::invalid("penalites_taux", "Le taux est un pourcentage, par exemple « 12,15 »."))?,
            ),
        };
        Ok(Identity {
            raison_sociale,
            forme_juridique: text("forme_juridique", "Forme juridique", &self.forme_juridique, 60)?,
            capital_cents,
            siren,
            siret,
            registre,
            registre_ville: text("registre_ville", "Ville d'immatriculation", &self.registre_ville, 80)?,
            tva_intra,
            franchise_tva: self.franchise_tva.is_some(),
            tva_debits: self.tva_debits.is_some(),
            categorie,
            adresse: text("adresse", "Adresse du siège", &self.adresse, 200)?,
            code_postal: text("code_postal", "Code postal", &self.code_postal, 10)?,
            ville: text("ville", "Ville", &self.ville, 80)?,
            telephone: text("telephone", "Téléphone", &self.telephone, 30)?,
            email,
            site_web,
            has_logo: false,
            iban: optional("iban", &self.iban, check::iban)?,
            bic: optional("bic", &self.bic, check::bic)?,
            decennale_assureur: text("decennale_assureur", "Assureur", &self.decennale_assureur, 120)?,
            decennale_contrat: text("decennale_contrat", "N° de contrat", &self.decennale_contrat, 60)?,
            decennale_adresse: text("decennale_adresse", "Adresse de l'assureur", &self.decennale_adresse, 200)?,
            decennale_couverture: text("decennale_couverture", "Couverture géographique", &self.decennale_couverture, 120)?,
            mediateur_nom: text("mediateur_nom", "Médiateur de la consommation", &self.mediateur_nom, 120)?,
            mediateur_site,
            paiement_jours,
            escompte,
            penalty_rate_bp,
            is_demo: false,
        })
    }
}

/// What a logo's first bytes say it is: PNG or JPEG, nothing else (an SVG, which may
/// carry a script, is refused).
pub fn logo_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample company without its insurance nor its mediator.
    fn form() -> IdentityForm {
        IdentityForm {
            decennale_assureur: String::new(),
            decennale_contrat: String::new(),
            decennale_adresse: String::new(),
            decennale_couverture: String::new(),
            mediateur_nom: String::new(),
            mediateur_site: String::new(),
            ..IdentityForm::sample()
        }
    }

    #[test]
    fn a_valid_identity_is_kept_compact() {
        let i = form().parse().unwrap();
        assert_eq!((i.siren.as_str(), i.siret.as_str(), i.iban.as_str()), ("443061841", "44306184100047", "FR7630006000011234567890189"));
        assert_eq!(i.capital_cents, Some(1_000_000));
        assert_eq!(i.registration(), "RCS Lyon 443 061 841");
        assert_eq!(i.paiement_jours, 30);
    }

    #[test]
    fn bad_numbers_are_refused_beside_their_field() {
        let field = |f: IdentityForm| match f.parse().unwrap_err() {
            AppError::Invalid { field, .. } => field,
            e => panic!("{e:?}"),
        };
        assert_eq!(field(IdentityForm { siren: "443 061 842".into(), ..form() }), "siren");
        assert_eq!(field(IdentityForm { tva_intra: "FR96552100554".into(), ..form() }), "tva_intra");
        assert_eq!(field(IdentityForm { iban: "FR76 3000 6000 0112 3456 7890 188".into(), ..form() }), "iban");
        assert_eq!(field(IdentityForm { bic: "BNP".into(), ..form() }), "bic");
        assert_eq!(field(IdentityForm { siret: "552 100 554 00013".into(), ..form() }), "siret");
        assert_eq!(field(IdentityForm { escompte: "oui".into(), ..form() }), "escompte_conditions");
        assert_eq!(field(IdentityForm { paiement_jours: "90".into(), ..form() }), "paiement_jours");
    }

    #[test]
    fn what_is_missing_to_issue() {
        let mut i = form().parse().unwrap();
        assert_eq!(
            i.missing(true),
            vec![
                "Assureur (assurance décennale)",
                "N° de contrat (assurance décennale)",
                "Adresse de l'assureur",
                "Couverture géographique",
                "Médiateur de la consommation"
            ]
        );
        i.franchise_tva = true;
        i.tva_intra.clear();
        assert!(!i.missing(false).contains(&"N° TVA intracommunautaire"));
    }

    #[test]
    fn only_png_and_jpeg_logos() {
        assert_eq!(logo_kind(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(logo_kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(logo_kind(b"<svg onload=alert(1)>"), None);
    }
}
