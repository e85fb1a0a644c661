//! Server functions of contact records. A form's server function takes one argument per
//! field (that is how a plain HTML form posts), hence the long signatures.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::contacts::model::ContactPage;
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
    Ok(c)
}

/// «Nouveau contact» › «Valider».
#[server(prefix = "/api", endpoint = "contacts/create")]
pub async fn create_contact(
    statut: String,
    #[server(default)] civilite: String,
    #[server(default)] nom: String,
    #[server(default)] prenom: String,
    #[server(default)] societe: String,
    #[server(default)] adresse: String,
    #[server(default)] code_postal: String,
    #[server(default)] ville: String,
    #[server(default)] phones: Vec<String>,
    #[server(default)] email: String,
    #[server(default)] notes: String,
    #[server(default)] bloque: String,
    #[server(default)] bloque_motif: String,
    #[server(default)] plafond_encours: String,
) -> Result<(), AppError> {
    use crate::auth::Right;
    use crate::contacts::model::{ContactForm, Statut};
    let cx = crate::auth::session::ctx().await?;
    let form = ContactForm { statut, civilite, nom, prenom, societe, adresse, code_postal, ville, phones, email, notes, bloque, bloque_motif, plafond_encours };
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
pub async fn update_contact(
    id: i64,
    statut: String,
    #[server(default)] civilite: String,
    #[server(default)] nom: String,
    #[server(default)] prenom: String,
    #[server(default)] societe: String,
    #[server(default)] adresse: String,
    #[server(default)] code_postal: String,
    #[server(default)] ville: String,
    #[server(default)] phones: Vec<String>,
    #[server(default)] email: String,
    #[server(default)] notes: String,
    #[server(default)] bloque: String,
    #[server(default)] bloque_motif: String,
    #[server(default)] plafond_encours: String,
) -> Result<(), AppError> {
    use crate::auth::Right;
    use crate::contacts::model::{ContactForm, Statut};
    let cx = crate::auth::session::ctx().await?;
    let form = ContactForm { statut, civilite, nom, prenom, societe, adresse, code_postal, ville, phones, email, notes, bloque, bloque_motif, plafond_encours };
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
