use leptos::prelude::*;

use crate::error::AppError;
use crate::home::model::{Dashboard, Prefs};

#[server(prefix = "/api", endpoint = "prefs/get")]
pub async fn get_prefs() -> Result<Prefs, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::home::store::prefs(&cx.db, &cx.tenant, cx.user_id()).await
}

/// Saves «Préférences». Check boxes are sent only when ticked.
#[server(prefix = "/api", endpoint = "prefs/save")]
pub async fn save_prefs(
    #[server(default)] show_archived_sav: Option<String>,
    #[server(default)] observations_tooltip: Option<String>,
    #[server(default)] action_alert_email: Option<String>,
) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let p = Prefs {
        show_archived_sav: show_archived_sav.is_some(),
        observations_tooltip: observations_tooltip.is_some(),
        action_alert_email: action_alert_email.is_some(),
    };
    let mut tx = cx.db.begin().await?;
    crate::home::store::save_prefs(&mut tx, &cx.tenant, cx.user_id(), &p).await?;
    tx.commit().await?;
    leptos_axum::redirect("/preferences?modifie=preferences");
    Ok(())
}

#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let (clients, prospects) = crate::home::store::contact_counts(&cx.db, &cx.tenant).await?;
    Ok(Dashboard { user_name: cx.me.name, company_name: cx.me.company_name, clients, prospects })
}

/// The user's widgets for a page (`client` or `tableau`), in order.
#[server(prefix = "/api", endpoint = "home/layout")]
pub async fn get_layout(page: String) -> Result<Vec<crate::home::model::WidgetSlot>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::home::store::layout(&cx.db, &cx.tenant, cx.user_id(), &page).await
}

/// «Personnaliser»: the widgets shown, in order (`shown[]` in the order wanted; with
/// `move_key` and `direction`, one widget moves up or down).
#[server(prefix = "/api", endpoint = "home/save_layout")]
pub async fn save_layout(
    page: String,
    #[server(default)] shown: Vec<String>,
    #[server(default)] order: Vec<String>,
    #[server(default)] back: String,
    #[server(default)] mv: String,
) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let widgets = crate::home::model::widgets_of(&page).ok_or_else(|| AppError::invalid("page", "Page inconnue."))?;
    AppError::at_most("widgets", &shown, widgets.len())?;
    AppError::at_most("widgets", &order, widgets.len())?;
    // `order[]` lists every widget in the wanted order; `shown[]` the checked ones;
    // `mv` = `key:up` or `key:down` moves one.
    let mut order = if order.is_empty() { shown.clone() } else { order };
    if let Some((key, dir)) = mv.split_once(':')
        && let Some(i) = order.iter().position(|k| k == key)
    {
        let j = if dir == "up" { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < order.len()) };
        if let Some(j) = j {
            order.swap(i, j);
        }
    }
    let ordered: Vec<String> = order.into_iter().filter(|k| shown.contains(k)).collect();
    let mut tx = cx.db.begin().await?;
    crate::home::store::save_layout(&mut tx, &cx.tenant, cx.user_id(), &page, &ordered).await?;
    tx.commit().await?;
    leptos_axum::redirect(crate::fmt::local_path(&back).unwrap_or("/"));
    Ok(())
}

/// «Personnaliser» from the island: saves at once, no redirect (the page rearranges itself).
#[server(prefix = "/api", endpoint = "home/save_layout_live")]
pub async fn save_layout_live(page: String, #[server(default)] shown: Vec<String>) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    let widgets = crate::home::model::widgets_of(&page).ok_or_else(|| AppError::invalid("page", "Page inconnue."))?;
    AppError::at_most("widgets", &shown, widgets.len())?;
    let mut tx = cx.db.begin().await?;
    crate::home::store::save_layout(&mut tx, &cx.tenant, cx.user_id(), &page, &shown).await?;
    tx.commit().await
}

/// «Clients consultés récemment».
#[server(prefix = "/api", endpoint = "home/recent")]
pub async fn recent_clients() -> Result<Vec<crate::home::model::RecentClient>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::home::store::recent(&cx.db, &cx.tenant, cx.user_id()).await
}

/// Opens a client's «Accueil»: notes the visit, returns the user's widget layout and
/// «Préférences», the client's name and «Identité et contact» (its widget reads nothing
/// more), and the revisions of what the list widgets show.
#[server(prefix = "/api", endpoint = "home/client")]
pub async fn client_home(contact_id: i64) -> Result<crate::home::model::ClientHome, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let mut home = crate::home::store::client_home(&cx.db, &cx.tenant, cx.user_id(), contact_id).await?;
    cx.note_contact(contact_id);
    // Invoices are commercial documents: their widget is for those who manage them.
    if !sees_invoices(&cx.me) {
        home.layout.retain(|w| w.key != "factures");
    }
    crate::home::store::viewed(&cx.db, &cx.tenant, cx.user_id(), contact_id).await?;
    Ok(home)
}

// The client «Accueil»'s widgets, each read on its own (one Suspense each) with only
// what it shows: the page opens many of them at once.

/// «Questions complémentaires»: the pinned ones and this client's answers.
#[server(prefix = "/api", endpoint = "home/questions")]
pub async fn home_questions(contact_id: i64) -> Result<Vec<crate::questions::model::AnswerView>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    check_client(&cx, contact_id).await?;
    crate::questions::store::pinned_answers(&cx.db, &cx.tenant, contact_id).await
}

/// «SAV» (the archived ones with `archives`, as «Afficher les sav archivés» says).
#[server(prefix = "/api", endpoint = "home/sav")]
pub async fn home_sav(contact_id: i64, #[server(default)] archives: bool) -> Result<Vec<crate::sav::model::SavView>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    check_client(&cx, contact_id).await?;
    crate::sav::store::tickets_of(&cx.db, &cx.tenant, contact_id, archives).await
}

/// «Services».
#[server(prefix = "/api", endpoint = "home/services")]
pub async fn home_services(contact_id: i64) -> Result<Vec<crate::sav::model::ServiceView>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    check_client(&cx, contact_id).await?;
    crate::sav::store::services_of(&cx.db, &cx.tenant, contact_id).await
}

/// «Actions ouvertes».
#[server(prefix = "/api", endpoint = "home/actions")]
pub async fn home_actions(contact_id: i64) -> Result<Vec<crate::actions::model::OpenAction>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    check_client(&cx, contact_id).await?;
    crate::actions::store::open_of_contact(&cx.db, &cx.tenant, contact_id, crate::db::now()).await
}

/// «Factures impayées et relances».
#[server(prefix = "/api", endpoint = "home/unpaid")]
pub async fn home_unpaid(contact_id: i64) -> Result<crate::documents::model::Unpaid, AppError> {
    let cx = crate::auth::session::ctx().await?;
    if !sees_invoices(&cx.me) {
        return Err(AppError::Forbidden(crate::auth::Right::Commercial.label().to_string()));
    }
    check_client(&cx, contact_id).await?;
    crate::documents::store::unpaid_of(&cx.db, &cx.tenant, contact_id).await
}

/// Refuses a contact outside the caller's company (`NotFound`); read once per request.
#[cfg(feature = "ssr")]
async fn check_client(cx: &crate::auth::session::Ctx, id: i64) -> Result<(), AppError> {
    if !cx.contact_checked(id) {
        crate::contacts::store::title(&cx.db, &cx.tenant, id).await?;
        cx.note_contact(id);
    }
    Ok(())
}

/// «Factures impayées et relances» shows commercial documents: for users with «Gestion
/// commerciale», as the documents themselves.
#[cfg(feature = "ssr")]
fn sees_invoices(me: &crate::auth::Me) -> bool {
    me.can(crate::auth::Right::Commercial)
}
