//! Server functions of «Importer» (the upload itself is a plain route, see routes.rs).
//! All need the right «Paramétrer l'application».

use leptos::prelude::*;

use crate::error::AppError;
use crate::imports::model::{ImportRow, ImportView, Progress};

#[cfg(feature = "ssr")]
async fn cx() -> Result<crate::auth::session::Ctx, AppError> {
    crate::auth::session::ctx_with(crate::auth::Right::Settings).await
}

/// «Imports précédents».
#[server(prefix = "/api", endpoint = "imports/list")]
pub async fn list_imports() -> Result<Vec<ImportRow>, AppError> {
    let cx = cx().await?;
    crate::imports::store::list(&cx.db, &cx.tenant).await
}

#[server(prefix = "/api", endpoint = "imports/get")]
pub async fn get_import(id: i64) -> Result<ImportView, AppError> {
    let cx = cx().await?;
    crate::imports::store::view(&cx.db, &cx.tenant, id).await
}

/// The progress bar's figures.
#[server(prefix = "/api", endpoint = "imports/progress")]
pub async fn import_progress(id: i64) -> Result<Progress, AppError> {
    let cx = cx().await?;
    crate::imports::store::progress(&cx.db, &cx.tenant, id).await
}

/// The preview's form: `colonne[i]` is the field of column i, `rang[k]` a duplicate row
/// whose choice is `choix[k]`; «Mettre à jour l'aperçu» saves and analyses again,
/// «Importer» (`lancer`) also starts the import.
#[server(prefix = "/api", endpoint = "imports/configure")]
pub async fn configure_import(
    id: i64,
    #[server(default)] statut: String,
    #[server(default)] choix_defaut: String,
    #[server(default)] colonne: Vec<String>,
    #[server(default)] rang: Vec<usize>,
    #[server(default)] choix: Vec<String>,
    #[server(default)] lancer: Option<String>,
) -> Result<(), AppError> {
    use crate::imports::store::{Settings, check_choice};
    let cx = cx().await?;
    if rang.len() != choix.len() {
        return Err(AppError::invalid("choix", "Formulaire incomplet : rechargez la page."));
    }
    let statut = crate::contacts::model::Statut::from_code(statut.trim())
        .ok_or_else(|| AppError::invalid("statut", "Choisissez le statut des contacts importés : Client ou Prospect."))?;
    let default_choice = check_choice(&choix_defaut)?;
    // An empty choice is «Comme pour tous».
    let choices = rang
        .into_iter()
        .zip(choix)
        .filter(|(_, c)| !c.is_empty())
        .map(|(r, c)| Ok((r, check_choice(&c)?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    let settings = Settings { mapping: colonne.into_iter().map(|c| c.trim().to_string()).collect(), statut, default_choice, choices };
    crate::imports::store::configure(&cx.db, &cx.tenant, id, &settings).await?;
    if lancer.is_some() {
        crate::imports::store::start(&cx.db, &cx.tenant, id).await?;
    }
    leptos_axum::redirect(&format!("/clients/importer/{id}"));
    Ok(())
}

/// «Interrompre», «Reprendre l'import», «Annuler l'import» (`op`: stop, resume, undo).
#[server(prefix = "/api", endpoint = "imports/act")]
pub async fn act_on_import(id: i64, op: String) -> Result<(), AppError> {
    let cx = cx().await?;
    match op.as_str() {
        "stop" => crate::imports::store::stop(&cx.db, &cx.tenant, id).await?,
        "resume" => crate::imports::store::resume(&cx.db, &cx.tenant, id).await?,
        "undo" => crate::imports::store::undo(&cx.db, &cx.tenant, cx.user_id(), id).await?,
        _ => return Err(AppError::invalid("op", "Action inconnue.")),
    }
    leptos_axum::redirect(&format!("/clients/importer/{id}"));
    Ok(())
}
