//! Questions and answers in the database.

use sqlx::FromRow;

use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::on_conn;
use crate::questions::model::{AnswerView, CHOICES_MAX, Kind, LABEL_MAX, QuestionView, check_answer};

#[derive(FromRow)]
struct Row {
    id: i64,
    label: String,
    kind: String,
    choices: String,
    pinned: bool,
    retired: bool,
    answers: i64,
}

impl Row {
    fn view(self) -> QuestionView {
        QuestionView {
            id: self.id,
            label: self.label,
            kind: Kind::from_code(&self.kind).unwrap_or(Kind::Texte),
            choices: self.choices.lines().map(str::to_string).filter(|c| !c.is_empty()).collect(),
            pinned: self.pinned,
            retired: self.retired,
            answers: self.answers,
        }
    }
}

pub async fn list(tx: &mut Tx, tenant: &Tenant) -> Result<Vec<QuestionView>, AppError> {
    let rows: Vec<Row> = on_conn!(tx, c => sqlx::query_as(
        "SELECT q.id, q.label, q.kind, q.choices, q.pinned, q.retired, \
         (SELECT COUNT(*) FROM answer a WHERE a.company_id = q.company_id AND a.question_id = q.id) AS answers \
         FROM question q WHERE q.company_id = $1 ORDER BY q.position, q.id")
        .bind(tenant.company_id()).fetch_all(c).await)
    .map_err(internal)?;
    Ok(rows.into_iter().map(Row::view).collect())
}

/// A question as typed in «Paramètres».
pub struct QuestionInput {
    pub label: String,
    pub kind: Kind,
    pub choices: Vec<String>,
    pub pinned: bool,
}

pub fn parse(label: &str, kind: &str, choices: &str, pinned: bool) -> Result<QuestionInput, AppError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(AppError::invalid("label", "Indiquez la question."));
    }
    if label.chars().count() > LABEL_MAX || label.chars().any(char::is_control) {
        return Err(AppError::invalid("label", format!("La question tient sur une ligne de {LABEL_MAX} caractères au plus.")));
    }
    let kind = Kind::from_code(kind).ok_or_else(|| AppError::invalid("kind", "Choisissez le type de réponse."))?;
    let mut list: Vec<String> = Vec::new();
    for c in choices.lines().map(str::trim).filter(|c| !c.is_empty()) {
        if c.chars().count() > LABEL_MAX {
            return Err(AppError::invalid("choices", format!("Une réponse proposée : {LABEL_MAX} caractères au plus.")));
        }
        if !list.iter().any(|x| x == c) {
            list.push(c.to_string());
        }
    }
    if kind == Kind::Choix && list.len() < 2 {
        return Err(AppError::invalid("choices", "Une question à choix propose au moins deux réponses, une par ligne."));
    }
    if list.len() > CHOICES_MAX {
        return Err(AppError::invalid("choices", format!("{CHOICES_MAX} réponses proposées au plus.")));
    }
    if kind != Kind::Choix {
        list.clear();
    }
    Ok(QuestionInput { label: label.to_string(), kind, choices: list, pinned })
}

/// Creates a question, or edits one (`id`). Answers are never touched: an answer given
/// under an earlier kind or choice list stays as it was typed.
pub async fn save(tx: &mut Tx, tenant: &Tenant, id: Option<i64>, q: &QuestionInput) -> Result<i64, AppError> {
    let at = now();
    if id.is_none() {
        let n: i64 = on_conn!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM question WHERE company_id = $1").bind(tenant.company_id()).fetch_one(c).await)
            .map_err(internal)?;
        if n >= crate::questions::model::MAX_QUESTIONS as i64 {
            return Err(AppError::invalid(
                "label",
                format!("{} questions au plus : modifiez ou retirez-en une.", crate::questions::model::MAX_QUESTIONS),
            ));
        }
    }
    match id {
        None => on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO question (company_id, label, kind, choices, position, pinned, retired, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM question WHERE company_id = $1), $5, FALSE, $6, $6) RETURNING id")
            .bind(tenant.company_id()).bind(&q.label).bind(q.kind.code()).bind(q.choices.join("\n")).bind(q.pinned).bind(at)
            .fetch_one(c).await)
        .map_err(internal),
        Some(id) => {
            let n = on_conn!(tx, c => sqlx::query("UPDATE question SET label = $1, kind = $2, choices = $3, pinned = $4, updated_at = $5 WHERE company_id = $6 AND id = $7")
                .bind(&q.label).bind(q.kind.code()).bind(q.choices.join("\n")).bind(q.pinned).bind(at).bind(tenant.company_id()).bind(id)
                .execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
            if n == 0 {
                return Err(AppError::NotFound("Question".into()));
            }
            Ok(id)
        }
    }
}

/// «Monter», «Descendre», «Retirer», «Réactiver».
pub async fn arrange(tx: &mut Tx, tenant: &Tenant, id: i64, op: &str) -> Result<(), AppError> {
    let ids: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar("SELECT id FROM question WHERE company_id = $1 ORDER BY position, id")
        .bind(tenant.company_id()).fetch_all(c).await)
    .map_err(internal)?;
    if !ids.contains(&id) {
        return Err(AppError::NotFound("Question".into()));
    }
    match op {
        "retire" | "restore" => {
            on_conn!(tx, c => sqlx::query("UPDATE question SET retired = $1, updated_at = $2 WHERE company_id = $3 AND id = $4")
                .bind(op == "retire").bind(now()).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
        }
        "up" | "down" => crate::db::move_in_list(tx, tenant, "question", &ids, id, op == "up").await?,
        _ => return Err(AppError::invalid("op", "Opération inconnue.")),
    }
    Ok(())
}

/// A contact's answers: every active question (answered or not), then retired questions
/// that have an answer (shown as retired).
pub async fn answers(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<AnswerView>, AppError> {
    let mut tx = db.read().await?;
    answers_tx(&mut tx, tenant, contact_id).await
}

pub async fn answers_tx(tx: &mut Tx, tenant: &Tenant, contact_id: i64) -> Result<Vec<AnswerView>, AppError> {
    crate::contacts::store::title_of(tx, tenant, contact_id).await?;
    let questions = list(tx, tenant).await?;
    let values: Vec<(i64, String)> =
        on_conn!(tx, c => sqlx::query_as("SELECT question_id, value FROM answer WHERE company_id = $1 AND contact_id = $2")
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
        .map_err(internal)?;
    Ok(questions
        .into_iter()
        .filter_map(|q| {
            let value = values.iter().find(|(id, _)| *id == q.id).map(|(_, v)| v.clone());
            if q.retired && value.is_none() {
                return None;
            }
            Some(AnswerView { question: q, value: value.unwrap_or_default() })
        })
        .collect())
}

/// A client's pinned questions with its answers (its «Accueil»): one query; a retired
/// question shows only where it was answered. (`answers` is not counted here.)
pub async fn pinned_answers(db: &Db, tenant: &Tenant, contact_id: i64) -> Result<Vec<AnswerView>, AppError> {
    #[derive(FromRow)]
    struct Pinned {
        #[sqlx(flatten)]
        question: Row,
        value: Option<String>,
    }
    let rows: Vec<Pinned> = crate::on_pool!(db, c => sqlx::query_as(
        "SELECT q.id, q.label, q.kind, q.choices, q.pinned, q.retired, CAST(0 AS BIGINT) AS answers, a.value FROM question q \
         LEFT JOIN answer a ON a.company_id = q.company_id AND a.question_id = q.id AND a.contact_id = $2 \
         WHERE q.company_id = $1 AND q.pinned = TRUE AND (q.retired = FALSE OR a.value IS NOT NULL) ORDER BY q.position, q.id")
        .bind(tenant.company_id()).bind(contact_id).fetch_all(c).await)
    .map_err(internal)?;
    Ok(rows.into_iter().map(|r| AnswerView { question: r.question.view(), value: r.value.unwrap_or_default() }).collect())
}

/// Stores an answer already checked against its question (none stored before).
pub async fn insert_answer(
    tx: &mut Tx,
    tenant: &Tenant,
    user: i64,
    contact_id: i64,
    question_id: i64,
    value: &str,
    at: i64,
) -> Result<(), AppError> {
    on_conn!(tx, c => sqlx::query("INSERT INTO answer (company_id, contact_id, question_id, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant.company_id()).bind(contact_id).bind(question_id).bind(value).bind(user).bind(at).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// Saves a contact's answers (pairs of question id and typed value), each checked by its
/// question's kind; all or nothing. An empty value removes the answer.
pub async fn save_answers(tx: &mut Tx, tenant: &Tenant, user: i64, contact_id: i64, pairs: &[(i64, String)]) -> Result<(), AppError> {
    if !crate::db::lock_row(tx, tenant, "contact", contact_id).await? {
        return Err(AppError::NotFound("Contact".into()));
    }
    let questions = list(tx, tenant).await?;
    let at = now();
    for (qid, raw) in pairs {
        let q = questions
            .iter()
            .find(|q| q.id == *qid && !q.retired)
            .ok_or_else(|| AppError::invalid("answers", "Cette question n'existe pas ou est retirée."))?;
        let value = check_answer(&format!("q{}", q.id), &q.label, q.kind, &q.choices, raw)?;
        on_conn!(tx, c => sqlx::query("DELETE FROM answer WHERE company_id = $1 AND contact_id = $2 AND question_id = $3")
            .bind(tenant.company_id()).bind(contact_id).bind(q.id).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
        if let Some(v) = value {
            insert_answer(tx, tenant, user, contact_id, q.id, &v, at).await?;
        }
    }
    crate::db::audit(tx, tenant, Some(user), "contact", contact_id, "questions", &format!("{} réponse(s)", pairs.len())).await
}
