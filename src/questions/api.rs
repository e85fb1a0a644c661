//! Server functions of complementary questions.

use leptos::prelude::*;

use crate::error::AppError;
use crate::questions::model::{AnswerView, QuestionView};

#[server(prefix = "/api", endpoint = "questions/list")]
pub async fn list_questions() -> Result<Vec<QuestionView>, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.read().await?;
    crate::questions::store::list(&mut tx, &cx.tenant).await
}

/// «Ajouter» a question, or edit one (`id`).
#[server(prefix = "/api", endpoint = "questions/save")]
pub async fn save_question(
    #[server(default)] id: Option<i64>,
    #[server(default)] label: String,
    #[server(default)] kind: String,
    #[server(default)] choices: String,
    #[server(default)] pinned: Option<String>,
) -> Result<i64, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let q = crate::questions::store::parse(&label, &kind, &choices, pinned.is_some())?;
    let mut tx = cx.db.begin().await?;
    let id = crate::questions::store::save(&mut tx, &cx.tenant, id, &q).await?;
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "question", id, "saved", &q.label).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/parametres/questions?modifie=1#question-{id}"));
    Ok(id)
}

/// «Monter», «Descendre», «Retirer», «Réactiver».
#[server(prefix = "/api", endpoint = "questions/arrange")]
pub async fn arrange_question(id: i64, op: String) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Settings).await?;
    let mut tx = cx.db.begin().await?;
    crate::questions::store::arrange(&mut tx, &cx.tenant, id, &op).await?;
    tx.commit().await?;
    leptos_axum::redirect("/parametres/questions?modifie=1");
    Ok(())
}

/// A contact's answers (every active question, and retired ones that were answered).
#[server(prefix = "/api", endpoint = "questions/answers")]
pub async fn contact_answers(contact_id: i64) -> Result<Vec<AnswerView>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::questions::store::answers(&cx.db, &cx.tenant, contact_id).await
}

/// Saves the answers typed on «Fiche contact»: `question[i]` answered by `value[i]`.
#[server(prefix = "/api", endpoint = "questions/answer")]
pub async fn save_answers(
    contact_id: i64,
    #[server(default)] question: Vec<i64>,
    #[server(default)] value: Vec<String>,
) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx().await?;
    // One answer per question, and no more questions than a company can have: checked
    // before the write transaction, which holds SQLite's one write lock.
    AppError::at_most("answers", &question, crate::questions::model::MAX_QUESTIONS)?;
    let mut seen = std::collections::HashSet::with_capacity(question.len());
    if !question.iter().all(|q| seen.insert(*q)) {
        return Err(AppError::invalid("answers", "Une question est répondue deux fois : rechargez la page."));
    }
    if question.len() != value.len() {
        return Err(AppError::invalid("answers", "Formulaire incomplet : rechargez la page."));
    }
    let pairs: Vec<(i64, String)> = question.into_iter().zip(value).collect();
    let typed: Vec<(String, String)> = pairs.iter().map(|(q, v)| (format!("q{q}"), v.clone())).collect();
    let mut tx = cx.db.begin().await?;
    crate::questions::store::save_answers(&mut tx, &cx.tenant, cx.user_id(), contact_id, &pairs).await.map_err(|e| e.with_values(typed))?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/clients/{contact_id}?fait=reponses"));
    Ok(())
}
