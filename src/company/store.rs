//! The company's identity in the `company` row (its penalty rate in the reminders'
//! settings, which charge it).

use chrono::NaiveDate;

use crate::company::model::Identity;
use crate::db::{Tenant, Tx, internal};
use crate::error::AppError;
use crate::on_conn;

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    forme_juridique: String,
    capital_cents: Option<i64>,
    siren: String,
    siret: String,
    registre: String,
    registre_ville: String,
    tva_intra: String,
    franchise_tva: bool,
    tva_debits: bool,
    categorie: String,
    adresse: String,
    code_postal: String,
    ville: String,
    telephone: String,
    email: String,
    site_web: String,
    has_logo: bool,
    iban: String,
    bic: String,
    decennale_assureur: String,
    decennale_contrat: String,
    decennale_adresse: String,
    decennale_couverture: String,
    mediateur_nom: String,
    mediateur_site: String,
    paiement_jours: i64,
    escompte: String,
    is_demo: bool,
    contract_rate_bp: Option<i64>,
}

pub async fn identity(tx: &mut Tx, tenant: &Tenant) -> Result<Identity, AppError> {
    let sql = "SELECT c.name, c.forme_juridique, c.capital_cents, c.siren, c.siret, c.registre, c.registre_ville, c.tva_intra, c.franchise_tva, \
               c.tva_debits, c.categorie, c.adresse, c.code_postal, c.ville, c.telephone, c.email, c.site_web, c.logo IS NOT NULL AS has_logo, \
               c.iban, c.bic, c.decennale_assureur, c.decennale_contrat, c.decennale_adresse, c.decennale_couverture, c.mediateur_nom, \
               c.mediateur_site, c.paiement_jours, c.escompte, c.is_demo, s.contract_rate_bp \
               FROM company c LEFT JOIN reminder_settings s ON s.company_id = c.id WHERE c.id = $1";
    let r: Row = on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_one(c).await).map_err(internal)?;
    Ok(Identity {
        raison_sociale: r.name,
        forme_juridique: r.forme_juridique,
        capital_cents: r.capital_cents,
        siren: r.siren,
        siret: r.siret,
        registre: r.registre,
        registre_ville: r.registre_ville,
        tva_intra: r.tva_intra,
        franchise_tva: r.franchise_tva,
        tva_debits: r.tva_debits,
        categorie: r.categorie,
        adresse: r.adresse,
        code_postal: r.code_postal,
        ville: r.ville,
        telephone: r.telephone,
        email: r.email,
        site_web: r.site_web,
        has_logo: r.has_logo,
        iban: r.iban,
        bic: r.bic,
        decennale_assureur: r.decennale_assureur,
        decennale_contrat: r.decennale_contrat,
        decennale_adresse: r.decennale_adresse,
        decennale_couverture: r.decennale_couverture,
        mediateur_nom: r.mediateur_nom,
        mediateur_site: r.mediateur_site,
        paiement_jours: r.paiement_jours,
        escompte: r.escompte,
        penalty_rate_bp: r.contract_rate_bp,
        is_demo: r.is_demo,
    })
}

/// Saves the identity and writes what changed in the «Journal» (one line per field).
pub async fn save(tx: &mut Tx, tenant: &Tenant, user_id: Option<i64>, new: &Identity, today: NaiveDate) -> Result<(), AppError> {
    let old = identity(tx, tenant).await?;
    let sql = "UPDATE company SET name = $2, forme_juridique = $3, capital_cents = $4, siren = $5, siret = $6, registre = $7, registre_ville = $8, \
               tva_intra = $9, franchise_tva = $10, tva_debits = $11, categorie = $12, adresse = $13, code_postal = $14, ville = $15, telephone = $16, \
               email = $17, site_web = $18, iban = $19, bic = $20, decennale_assureur = $21, decennale_contrat = $22, decennale_adresse = $23, \
               decennale_couverture = $24, mediateur_nom = $25, mediateur_site = $26, paiement_jours = $27, escompte = $28 WHERE id = $1";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id()).bind(&new.raison_sociale).bind(&new.forme_juridique).bind(new.capital_cents).bind(&new.siren).bind(&new.siret)
        .bind(&new.registre).bind(&new.registre_ville).bind(&new.tva_intra).bind(new.franchise_tva).bind(new.tva_debits).bind(&new.categorie)
        .bind(&new.adresse).bind(&new.code_postal).bind(&new.ville).bind(&new.telephone).bind(&new.email).bind(&new.site_web).bind(&new.iban)
        .bind(&new.bic).bind(&new.decennale_assureur).bind(&new.decennale_contrat).bind(&new.decennale_adresse).bind(&new.decennale_couverture)
        .bind(&new.mediateur_nom).bind(&new.mediateur_site).bind(new.paiement_jours).bind(&new.escompte)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if new.penalty_rate_bp != old.penalty_rate_bp {
        crate::reminders::store::save_contract_rate(tx, tenant, new.penalty_rate_bp, today).await?;
    }
    for (label, before, after) in changes(&old, new) {
        crate::db::audit(tx, tenant, user_id, "company", tenant.company_id(), "identity", &format!("{label} : « {before} » → « {after} »"))
            .await?;
    }
    Ok(())
}

/// The fields that differ, as the page labels them.
fn changes(old: &Identity, new: &Identity) -> Vec<(&'static str, String, String)> {
    let a = crate::company::model::IdentityForm::of(old);
    let b = crate::company::model::IdentityForm::of(new);
    let fields: [(&'static str, &String, &String); 26] = [
        ("Raison sociale", &a.raison_sociale, &b.raison_sociale),
        ("Forme juridique", &a.forme_juridique, &b.forme_juridique),
        ("Capital social", &a.capital_social, &b.capital_social),
        ("SIREN", &a.siren, &b.siren),
        ("SIRET", &a.siret, &b.siret),
        ("Immatriculation", &a.registre, &b.registre),
        ("Ville d'immatriculation", &a.registre_ville, &b.registre_ville),
        ("N° TVA intracommunautaire", &a.tva_intra, &b.tva_intra),
        ("Catégorie des opérations", &a.categorie, &b.categorie),
        ("Adresse du siège", &a.adresse, &b.adresse),
        ("Code postal", &a.code_postal, &b.code_postal),
        ("Ville", &a.ville, &b.ville),
        ("Téléphone", &a.telephone, &b.telephone),
        ("E-mail", &a.email, &b.email),
        ("Site internet", &a.site_web, &b.site_web),
        ("IBAN", &a.iban, &b.iban),
        ("BIC", &a.bic, &b.bic),
        ("Assureur", &a.decennale_assureur, &b.decennale_assureur),
        ("N° de contrat", &a.decennale_contrat, &b.decennale_contrat),
        ("Adresse de l'assureur", &a.decennale_adresse, &b.decennale_adresse),
        ("Couverture géographique", &a.decennale_couverture, &b.decennale_couverture),
        ("Médiateur de la consommation", &a.mediateur_nom, &b.mediateur_nom),
        ("Site du médiateur", &a.mediateur_site, &b.mediateur_site),
        ("Conditions de paiement (jours)", &a.paiement_jours, &b.paiement_jours),
        ("Escompte pour paiement anticipé", &a.escompte_conditions, &b.escompte_conditions),
        ("Taux des pénalités de retard", &a.penalites_taux, &b.penalites_taux),
    ];
    let mut out: Vec<(&'static str, String, String)> =
        fields.into_iter().filter(|(_, x, y)| x != y).map(|(l, x, y)| (l, x.clone(), y.clone())).collect();
    let yes = |b: bool| if b { "oui" } else { "non" }.to_string();
    if old.franchise_tva != new.franchise_tva {
        out.push(("Franchise en base de TVA", yes(old.franchise_tva), yes(new.franchise_tva)));
    }
    if old.tva_debits != new.tva_debits {
        out.push(("TVA sur les débits", yes(old.tva_debits), yes(new.tva_debits)));
    }
    out
}

/// Keeps the company's logo (already checked: PNG or JPEG, bounded).
pub async fn save_logo(tx: &mut Tx, tenant: &Tenant, user_id: i64, mime: &str, data: &[u8]) -> Result<(), AppError> {
    let sql = "UPDATE company SET logo = $2, logo_mime = $3 WHERE id = $1";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).bind(data).bind(mime).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    crate::db::audit(
        tx,
        tenant,
        Some(user_id),
        "company",
        tenant.company_id(),
        "identity",
        &format!("Logo : nouveau fichier ({} octets)", data.len()),
    )
    .await
}

/// The logo's type and bytes, if any.
pub async fn logo(tx: &mut Tx, tenant: &Tenant) -> Result<Option<(String, Vec<u8>)>, AppError> {
    let sql = "SELECT logo_mime, logo FROM company WHERE id = $1 AND logo IS NOT NULL";
    on_conn!(tx, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_optional(c).await).map_err(internal)
}

/// The demo company's identity: invented values, and the company marked as the demo (its
/// documents say so).
pub async fn set_demo_identity(tx: &mut Tx, tenant: &Tenant) -> Result<(), AppError> {
    let sql = "UPDATE company SET name = CASE WHEN name = '' THEN 'Martin Chauffage Sanitaire' ELSE name END, forme_juridique = 'SARL', capital_cents = 1000000, siren = '999999998', siret = '99999999800019', registre = 'rcs', \
               registre_ville = 'Saint-Étienne', tva_intra = 'FR11999999998', adresse = '12 rue des Artisans', code_postal = '42000', \
               ville = 'Saint-Étienne', telephone = '04 77 00 00 00', email = 'contact@demo.ouvrage.fr', site_web = 'demo.ouvrage.fr', \
               iban = 'FR7630006000011234567890189', bic = 'AGRIFRPP', decennale_assureur = 'Assurances de démonstration', \
               decennale_contrat = 'DEMO-0001', decennale_adresse = '1 place de l''Exemple, 75001 Paris', decennale_couverture = 'France métropolitaine', \
               mediateur_nom = 'Médiateur de démonstration', mediateur_site = 'mediateur.demo.ouvrage.fr', is_demo = TRUE WHERE id = $1";
    on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    Ok(())
}

/// The company stops being the demo (its demo users were disabled for a real start): the
/// invented identity is removed, so that nothing made up is printed for a real company.
pub async fn leave_demo(tx: &mut Tx, tenant: &Tenant) -> Result<(), AppError> {
    let sql = "UPDATE company SET is_demo = FALSE, siren = '', siret = '', tva_intra = '', registre = '', registre_ville = '', adresse = '', \
               code_postal = '', ville = '', telephone = '', email = '', site_web = '', iban = '', bic = '', decennale_assureur = '', \
               decennale_contrat = '', decennale_adresse = '', decennale_couverture = '', mediateur_nom = '', mediateur_site = '' \
               WHERE id = $1 AND is_demo = TRUE";
    let n = on_conn!(tx, c => sqlx::query(sql).bind(tenant.company_id()).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    if n > 0 {
        crate::db::audit(
            tx,
            tenant,
            None,
            "company",
            tenant.company_id(),
            "identity",
            "Entreprise de démonstration : identité inventée effacée",
        )
        .await?;
    }
    Ok(())
}
