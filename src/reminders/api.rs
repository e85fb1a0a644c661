//! Server functions of reminders.

use leptos::prelude::*;

use crate::error::AppError;
use crate::reminders::model::{LetterView, OverdueClient, SettingsData, WorkSummary};

#[cfg(feature = "ssr")]
fn today() -> chrono::NaiveDate {
    crate::fmt::paris_date(crate::db::now())
}

/// «Relance factures clients»: overdue invoices by client (optionally those whose next
/// level is `level`).
#[server(prefix = "/api", endpoint = "reminders/worklist")]
pub async fn reminder_worklist(#[server(default)] level: String) -> Result<Vec<OverdueClient>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Reminders).await?;
    let level = crate::reminders::law::Level::from_code(&level);
    crate::reminders::store::worklist(&cx.db, &cx.tenant, today(), level).await
}

/// A click on «R1», «R2», «R3» or «MED» for a client, with the «Commentaire».
#[server(prefix = "/api", endpoint = "reminders/make")]
pub async fn make_reminder(
    contact_id: i64,
    level: String,
    #[server(default)] comment: String,
    #[server(default)] confirm_skip: Option<String>,
    #[server(default)] channel: String,
) -> Result<i64, AppError> {
    use crate::reminders::store::Channel;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Reminders).await?;
    let st = crate::auth::session::state()?;
    let lv = crate::reminders::law::Level::from_code(&level).ok_or_else(|| AppError::invalid("level", "Niveau de relance inconnu."))?;
    let channel = match channel.as_str() {
        "" | "courrier" => Channel::Courrier,
        "email" => Channel::Email,
        _ => return Err(AppError::invalid("channel", "Choisissez « Imprimer » ou « Envoyer un email »."))?,
    };
    let mut tx = cx.db.begin().await?;
    let id = crate::reminders::store::make(
        &mut tx,
        &cx.tenant,
        Some(cx.user_id()),
        contact_id,
        lv,
        &comment,
        confirm_skip.is_some(),
        channel,
        today(),
        &st.config.mail.host,
        false,
    )
    .await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/gestion-commerciale/relances?fait={}&client={contact_id}&relance={id}", lv.code()));
    Ok(id)
}

/// «Porte doc» › «Relances» of a client (right «Relances factures clients», as making,
/// printing and e-mailing them).
#[server(prefix = "/api", endpoint = "reminders/of_client")]
pub async fn client_reminders(contact_id: i64) -> Result<Vec<LetterView>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Reminders).await?;
    crate::reminders::store::letters_of(&cx.db, &cx.tenant, contact_id).await
}

/// «Envoyer un email» for a reminder made as a letter.
#[server(prefix = "/api", endpoint = "reminders/email")]
pub async fn email_reminder(id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Reminders).await?;
    let st = crate::auth::session::state()?;
    let mut tx = cx.db.begin().await?;
    let contact: Option<i64> =
        crate::on_conn!(&mut tx, c => sqlx::query_scalar("SELECT contact_id FROM reminder_letter WHERE company_id = $1 AND id = $2")
        .bind(cx.tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(crate::db::internal)?;
    let contact = contact.ok_or_else(|| AppError::NotFound("Relance".into()))?;
    crate::reminders::store::email(&mut tx, &cx.tenant, Some(cx.user_id()), id, &st.config.mail.host).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact}/porte-doc?fait=relance-envoyee"));
    Ok(())
}

/// The dashboard widget.
#[server(prefix = "/api", endpoint = "reminders/summary")]
pub async fn reminder_summary() -> Result<WorkSummary, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Reminders).await?;
    crate::reminders::store::summary(&cx.db, &cx.tenant, today()).await
}

/// «Paramètres» › «Gestion des relances».
#[server(prefix = "/api", endpoint = "reminders/settings")]
pub async fn reminder_settings() -> Result<SettingsData, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.read().await?;
    Ok(SettingsData {
        settings: crate::reminders::store::settings(&mut tx, &cx.tenant).await?,
        templates: crate::reminders::store::templates(&mut tx, &cx.tenant).await?,
        rates: crate::reminders::store::rate_rows(&mut tx, &cx.tenant).await?,
        placeholders: crate::reminders::store::PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect(),
    })
}

#[server(prefix = "/api", endpoint = "reminders/save_settings")]
pub async fn save_reminder_settings(
    r1_days: String,
    r2_days: String,
    r3_days: String,
    med_days: String,
    med_deadline_days: String,
    #[server(default)] auto_r1: Option<String>,
    #[server(default)] auto_r2: Option<String>,
    #[server(default)] auto_r3: Option<String>,
) -> Result<(), AppError> {
    use crate::reminders::model::ReminderSettings;
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let n = |f: &str, v: &str| v.trim().parse::<i64>().map_err(|_| AppError::invalid(f, "Indiquez un nombre de jours."));
    let mut tx = cx.db.begin().await?;
    // The penalty rate is set on «Entreprise» (invoices state it): kept as it is.
    let kept = crate::reminders::store::settings(&mut tx, &cx.tenant).await?.contract_rate_bp;
    let s = ReminderSettings {
        r1_days: n("r1_days", &r1_days)?,
        r2_days: n("r2_days", &r2_days)?,
        r3_days: n("r3_days", &r3_days)?,
        med_days: n("med_days", &med_days)?,
        med_deadline_days: n("med_deadline_days", &med_deadline_days)?,
        auto_r1: auto_r1.is_some(),
        auto_r2: auto_r2.is_some(),
        auto_r3: auto_r3.is_some(),
        contract_rate_bp: kept,
    };
    crate::reminders::store::save_settings(&mut tx, &cx.tenant, &s, today()).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/relances?modifie=1");
    Ok(())
}

#[server(prefix = "/api", endpoint = "reminders/save_template")]
pub async fn save_reminder_template(level: String, letter: String, email_subject: String, email: String) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let t = crate::reminders::model::Template { level, letter, email_subject, email };
    let mut tx = cx.db.begin().await?;
    crate::reminders::store::save_template(&mut tx, &cx.tenant, &t).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/parametres/relances?modifie=1#modele-{}", t.level));
    Ok(())
}

#[server(prefix = "/api", endpoint = "reminders/save_rate")]
pub async fn save_rate(kind: String, half: String, rate: String) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.begin().await?;
    crate::reminders::store::save_rate(&mut tx, &cx.tenant, &kind, &half, &rate).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/relances?modifie=1#taux");
    Ok(())
}

/// «En litige» on an issued invoice (or back).
#[server(prefix = "/api", endpoint = "documents/dispute")]
pub async fn dispute_document(id: i64, #[server(default)] litige: Option<String>) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    crate::reminders::store::set_dispute(&mut tx, &cx.tenant, cx.user_id(), id, litige.is_some()).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=litige"));
    Ok(())
}
