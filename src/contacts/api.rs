//! Server functions of contact records. «Nouveau contact» and «Modifier» post the same
//! fields: both take one `ContactForm`, flattened (`#[server(flatten)]`, serde's
//! `flatten`), so the form posts its fields at the top level (`nom=…&phones[]=…`).

use leptos::prelude::*;

use crate::contacts::model::{ContactForm, ContactPage};
use crate::error::AppError;

/// A page of the client base, the prospect base or the «Corbeille».
#[server(prefix = "/api", endpoint = "contacts/list")]
pub async fn list_contacts(
    statut: String,
    #[server(default)] q: String,
    #[server(default)] sort: String,
    #[server(default)] page: i64,
) -> Result<ContactPage, AppError> {
    use crate::auth::Right;
    use crate::contacts::model::{PER_PAGE, Statut};
    let cx = crate::auth::session::ctx().await?;
    let statut = Statut::from_code(&statut).ok_or_else(|| AppError::invalid("statut", "Statut inconnu."))?;
    if statut == Statut::Corbeille {
        cx.require(Right::TrashMerge)?;
    }
    let q: String = q.chars().take(200).collect();
    let page = page.clamp(0, 1_000_000);
    let sort = crate::contacts::model::SORTS.iter().find(|(k, _)| *k == sort).map(|(k, _)| *k).unwrap_or("nom");
    let (rows, total) = crate::contacts::store::list(&cx.db, &cx.tenant, statut, &q, sort, page, PER_PAGE).await?;
    Ok(ContactPage { sort: sort.to_string(), rows, total, page, per_page: PER_PAGE })
}

use crate::contacts::model::ContactDetail;

#[server(prefix = "/api", endpoint = "contacts/get")]
pub async fn get_contact(id: i64) -> Result<ContactDetail, AppError> {
    use crate::auth::Right;
    let cx = crate::auth::session::ctx().await?;
    let mut c = crate::contacts::store::get(&cx.db, &cx.tenant, id).await?;
    c.can_trash = cx.me.can(Right::TrashMerge);
    // The «Corbeille» is for those who may list it, record by record too.
    if c.statut == crate::contacts::model::Statut::Corbeille.code() {
        cx.require(Right::TrashMerge)?;
    }
    Ok(c)
}

/// «Nouveau contact» › «Valider».
#[server(prefix = "/api", endpoint = "contacts/create")]
pub async fn create_contact(#[server(flatten)] form: ContactForm) -> Result<(), AppError> {
    use crate::auth::Right;
    use crate::contacts::model::Statut;
    let cx = crate::auth::session::ctx().await?;
    let input = form.parse()?;
    if input.statut == Statut::Corbeille {
        cx.require(Right::TrashMerge)?;
    }
    // «Bloquer la gestion commerciale» and «Plafond d'encours» start empty without the right.
    if input.commercial != crate::contacts::model::Commercial::default() {
        cx.require(Right::Commercial)?;
    }
    let mut tx = cx.db.begin().await?;
    let id = crate::contacts::store::create(&mut tx, &cx.tenant, Some(cx.user_id()), &input).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{id}?modifie=cree"));
    Ok(())
}

/// «Fiche contact» › «Modifier» › «Valider». Moving a contact to or from the
/// «Corbeille» needs the right «Corbeille et fusion des doublons»; changing «Bloquer la
/// gestion commerciale», its reason or «Plafond d'encours» needs «Gestion commerciale».
/// Without that right the form carries the stored values back unchanged (read-only on the
/// page), so the rest of the record still saves; any difference is refused (403), nothing
/// saved.
#[server(prefix = "/api", endpoint = "contacts/update")]
pub async fn update_contact(id: i64, #[server(flatten)] form: ContactForm) -> Result<(), AppError> {
    use crate::auth::Right;
    use crate::contacts::model::Statut;
    let cx = crate::auth::session::ctx().await?;
    let mut tx = cx.db.begin().await?;
    // Unknown or foreign id: «introuvable» before anything else.
    let before = crate::contacts::store::lock_statut(&mut tx, &cx.tenant, id).await?;
    let input = form.parse()?;
    if (input.statut == Statut::Corbeille) != (before == Statut::Corbeille) {
        cx.require(Right::TrashMerge)?;
    }
    if !cx.me.can(Right::Commercial) {
        // Read in the transaction, under the contact's lock: what is compared is what
        // the update would overwrite.
        let stored = crate::documents::store::commercial_tx(&mut tx, &cx.tenant, id).await?;
        if !crate::documents::model::same_commercial(&stored, &input.commercial) {
            return Err(AppError::Forbidden(Right::Commercial.label().to_string()));
        }
    }
    crate::contacts::store::update(&mut tx, &cx.tenant, Some(cx.user_id()), id, before, &input).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{id}?modifie=enregistre"));
    Ok(())
}

/// «Types de client à vérifier»: the records whose «Particulier» / «Professionnel» was set
/// by the migration's rule, not chosen (id, name, société); 500 at most.
#[server(prefix = "/api", endpoint = "contacts/types_to_review")]
pub async fn types_to_review() -> Result<Vec<(i64, String, bool)>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::contacts::store::types_to_review(&cx.db, &cx.tenant).await
}

/// «Adresses de chantier» › «Ajouter».
#[server(prefix = "/api", endpoint = "contacts/add_site")]
pub async fn add_site(
    contact_id: i64,
    #[server(default)] site_libelle: String,
    site_adresse: String,
    #[server(default)] site_code_postal: String,
    #[server(default)] site_ville: String,
) -> Result<i64, AppError> {
    use crate::auth::model::bounded_text;
    let cx = crate::auth::session::ctx().await?;
    let line = |field: &'static str, label: &str, v: &str| bounded_text(field, label, &crate::fmt::clean_text(false, v), 200);
    let site = crate::contacts::model::SiteView {
        id: 0,
        libelle: line("site_libelle", "Libellé du chantier", &site_libelle)?,
        adresse: line("site_adresse", "Adresse du chantier", &site_adresse)?,
        code_postal: line("site_code_postal", "Code postal du chantier", &site_code_postal)?,
        ville: line("site_ville", "Ville du chantier", &site_ville)?,
    };
    if site.adresse.is_empty() || site.ville.is_empty() {
        let e = AppError::invalid(
            if site.adresse.is_empty() { "site_adresse" } else { "site_ville" },
            "Indiquez l'adresse et la ville du chantier.",
        );
        return Err(e.with_values(vec![
            ("site_libelle".into(), site_libelle),
            ("site_adresse".into(), site_adresse),
            ("site_code_postal".into(), site_code_postal),
            ("site_ville".into(), site_ville),
        ]));
    }
    let mut tx = cx.db.begin().await?;
    let id = crate::contacts::store::add_site(&mut tx, &cx.tenant, cx.user_id(), contact_id, &site).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}/modifier?modifie=chantier#chantiers"));
    Ok(id)
}

/// «Adresses de chantier» › «Archiver».
#[server(prefix = "/api", endpoint = "contacts/archive_site")]
pub async fn archive_site(contact_id: i64, id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let mut tx = cx.db.begin().await?;
    crate::contacts::store::archive_site(&mut tx, &cx.tenant, cx.user_id(), contact_id, id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}/modifier?modifie=chantier#chantiers"));
    Ok(())
}

/// The form posts what it posted when each field was an argument: every body decodes to
/// what the former signature read (defaults included), or both refuse it.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::decode_form as decode;

    /// The former arguments of `contacts/update`, one per form field.
    #[derive(serde::Deserialize)]
    struct Before {
        id: i64,
        statut: String,
        #[serde(default)]
        civilite: String,
        #[serde(default)]
        nom: String,
        #[serde(default)]
        prenom: String,
        #[serde(default)]
        societe: String,
        #[serde(default)]
        adresse: String,
        #[serde(default)]
        code_postal: String,
        #[serde(default)]
        ville: String,
        #[serde(default)]
        phones: Vec<String>,
        #[serde(default)]
        email: String,
        #[serde(default)]
        notes: String,
        #[serde(default)]
        bloque: String,
        #[serde(default)]
        bloque_motif: String,
        #[serde(default)]
        plafond_encours: String,
    }

    #[test]
    fn same_fields_as_the_former_arguments() {
        let bodies = [
            "statut=client&civilite=M.&nom=Pavi%C3%A8re&prenom=Robert&societe=&adresse=1+rue+Haute&code_postal=42000&ville=Saint-%C3%89tienne&phones[]=06+12+34+56+78&phones[]=&email=r%40exemple.fr&notes=a%0Ab&bloque=Oui&bloque_motif=Impay%C3%A9s&plafond_encours=1+000",
            "statut=prospect",
            "statut=client&nom=A&phones%5B%5D=0612345678&phones%5B%5D=0477213580",
            "statut=client&phones[0]=0612345678&phones[1]=0477213580",
            "statut=client&phones[]=0612345678",
            "statut=client&nom=A&autre=1&q[x]=2",
            "statut=&nom=",
            "nom=A",
            "statut=client&phones=0612345678",
            "statut=client&nom=A&nom=B",
            "statut=client&nom[]=A",
        ];
        let mut accepted = 0;
        for body in bodies {
            let with_id = format!("id=7&{body}");
            let before = decode::<Before>(&with_id).map(|b| {
                let form = ContactForm {
                    statut: b.statut,
                    civilite: b.civilite,
                    nom: b.nom,
                    prenom: b.prenom,
                    societe: b.societe,
                    adresse: b.adresse,
                    code_postal: b.code_postal,
                    ville: b.ville,
                    phones: b.phones,
                    email: b.email,
                    notes: b.notes,
                    bloque: b.bloque,
                    bloque_motif: b.bloque_motif,
                    plafond_encours: b.plafond_encours,
                    ..Default::default()
                };
                (b.id, form)
            });
            let update = decode::<UpdateContact>(&with_id).map(|u| (u.id, u.form));
            let create = decode::<CreateContact>(body).map(|c| (7, c.form));
            match (&before, &update, &create) {
                (Ok(b), Ok(u), Ok(c)) => {
                    assert_eq!(b, u, "{body}");
                    assert_eq!(b, c, "{body}");
                    accepted += 1;
                }
                (Err(_), Err(_), Err(_)) => {}
                _ => panic!("{body}: before {before:?}, update {update:?}, create {create:?}"),
            }
        }
        assert_eq!(accepted, 7);
        assert!(decode::<UpdateContact>("statut=client&nom=A").is_err(), "the id is required");
        let full = decode::<UpdateContact>(&format!("id=7&{}", bodies[0])).expect("full form");
        assert_eq!(full.form.phones, ["06 12 34 56 78", ""]);
        assert_eq!(full.form.ville, "Saint-Étienne");
        assert_eq!(full.form.plafond_encours, "1 000");
    }
}
