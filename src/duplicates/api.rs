//! Server functions of duplicates. Merging, undoing and the whole-base report need the
//! right «Corbeille et fusion des doublons»; the warning while typing needs a session.

use leptos::prelude::*;

use crate::duplicates::model::{Candidate, MergeView, Report};
use crate::error::AppError;

/// «Doublon possible»: likely duplicates of the contact being typed in.
#[server(prefix = "/api", endpoint = "duplicates/check")]
pub async fn check_duplicates(
    #[server(default)] nom: String,
    #[server(default)] prenom: String,
    #[server(default)] societe: String,
    #[server(default)] adresse: String,
    #[server(default)] code_postal: String,
    #[server(default)] ville: String,
    #[server(default)] email: String,
    #[server(default)] phones: Vec<String>,
    #[server(default)] siren: String,
    #[server(default)] exclude: Option<i64>,
) -> Result<Vec<Candidate>, AppError> {
    use crate::duplicates::score::Person;
    let cx = crate::auth::session::ctx().await?;
    let cut = |s: String| s.chars().take(200).collect::<String>();
    let typed = Person {
        id: 0,
        nom: cut(nom),
        prenom: cut(prenom),
        societe: cut(societe),
        adresse: cut(adresse),
        code_postal: cut(code_postal),
        ville: cut(ville),
        email: cut(email),
        phones: phones.into_iter().take(crate::contacts::model::PHONES_MAX).map(cut).collect(),
        siren: crate::company::check::siren(&siren).unwrap_or_default(),
    };
    crate::duplicates::store::candidates(&cx.db, &cx.tenant, &typed, exclude).await
}

#[server(prefix = "/api", endpoint = "duplicates/report")]
pub async fn duplicates_report() -> Result<Report, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    Ok(match crate::duplicates::store::report(&cx.db, &cx.tenant).await? {
        None => Report { scan_id: None, running: false, done: 0, total: 0, pairs: vec![] },
        Some((id, status, done, total, pairs)) => Report { scan_id: Some(id), running: status == "running", done, total, pairs },
    })
}

/// «Lancer l'analyse»: a whole-base scan in the background.
#[server(prefix = "/api", endpoint = "duplicates/scan")]
pub async fn scan_duplicates() -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    let id = crate::duplicates::store::start_scan(&cx.db, &cx.tenant, cx.user_id()).await?;
    leptos_axum::redirect("/clients/doublons");
    Ok(id)
}

/// «Pas un doublon».
#[server(prefix = "/api", endpoint = "duplicates/not_duplicate")]
pub async fn not_duplicate(a: i64, b: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    let mut tx = cx.db.begin().await?;
    crate::duplicates::store::mark_not_duplicate(&mut tx, &cx.tenant, cx.user_id(), a, b).await?;
    tx.commit().await?;
    leptos_axum::redirect("/clients/doublons?fait=pas-doublon");
    Ok(())
}

#[server(prefix = "/api", endpoint = "duplicates/merge_page")]
pub async fn merge_choice(survivor: i64, other: i64) -> Result<MergeView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    let (survivor, other) = crate::duplicates::store::merge_sides(&cx.db, &cx.tenant, survivor, other).await?;
    Ok(MergeView { survivor, other })
}

/// «Fusionner»: each `f_<field>` is «survivant» or «autre».
#[server(prefix = "/api", endpoint = "duplicates/merge")]
pub async fn merge_contacts(
    survivor: i64,
    other: i64,
    #[server(default)] f_civilite: String,
    #[server(default)] f_nom: String,
    #[server(default)] f_prenom: String,
    #[server(default)] f_societe: String,
    #[server(default)] f_adresse: String,
    #[server(default)] f_code_postal: String,
    #[server(default)] f_ville: String,
    #[server(default)] f_email: String,
) -> Result<i64, AppError> {
    use crate::duplicates::model::MERGE_FIELDS;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    let choices = [f_civilite, f_nom, f_prenom, f_societe, f_adresse, f_code_postal, f_ville, f_email];
    let mut from_other = Vec::new();
    for ((field, label), choice) in MERGE_FIELDS.iter().zip(choices) {
        match choice.as_str() {
            "" | "survivant" => {}
            "autre" => from_other.push(field.to_string()),
            _ => return Err(AppError::invalid("other", format!("Choix invalide pour « {label} »."))),
        }
    }
    let mut tx = cx.db.begin().await?;
    let commercial = cx.me.can(crate::auth::Right::Commercial);
    let id = crate::duplicates::store::merge(&mut tx, &cx.tenant, cx.user_id(), survivor, other, &from_other, commercial).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{survivor}?modifie=fusion"));
    Ok(id)
}

/// «Annuler la fusion».
#[server(prefix = "/api", endpoint = "duplicates/undo")]
pub async fn undo_merge(merge_id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::TrashMerge).await?;
    let mut tx = cx.db.begin().await?;
    let (survivor, _) = crate::duplicates::store::undo(&mut tx, &cx.tenant, cx.user_id(), merge_id).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{survivor}?modifie=fusion-annulee"));
    Ok(())
}

/// The merges a record took part in that can be undone: (merge, survivor, other).
#[server(prefix = "/api", endpoint = "duplicates/merges")]
pub async fn merges_of(id: i64) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::duplicates::store::merges_of(&cx.db, &cx.tenant, id).await
}
