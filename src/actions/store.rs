//! Actions in the database: types and responses («Paramètres» › «Actions»), actions,
//! who may change them, «Mes actions» and the due count of the top bar.

use chrono::{Datelike, NaiveDate};
use sqlx::FromRow;

use crate::actions::model::{ActionTypeView, ActionView, ClientActionsView, MyActionsView, ResponseView, UserRef};
use crate::auth::{Me, Right};
use crate::db::{Db, Tenant, Tx, internal, now};
use crate::error::AppError;
use crate::on_conn;

pub const LABEL_MAX: usize = 60;
pub const NOTE_MAX: usize = 5000;

/// An action as typed, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInput {
    pub type_id: i64,
    pub note: String,
    pub alert_date: NaiveDate,
    pub alert_time: Option<(u32, u32)>,
    pub assignee: Option<i64>,
    pub shared: Vec<i64>,
}

/// The action form's fields, as posted.
pub struct ActionForm<'a> {
    pub type_id: &'a str,
    pub alert_date: &'a str,
    pub alert_time: &'a str,
    pub note: &'a str,
    pub partager: bool,
    pub shared: &'a [String],
    pub attribuer: bool,
    pub assignee: &'a str,
}

impl ActionForm<'_> {
    pub fn typed(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("type_id".to_string(), self.type_id.to_string()),
            ("alert_date".to_string(), self.alert_date.to_string()),
            ("alert_time".to_string(), self.alert_time.to_string()),
            ("note".to_string(), crate::auth::model::shorten(self.note, NOTE_MAX)),
            ("assignee".to_string(), self.assignee.to_string()),
        ];
        v.extend(self.shared.iter().map(|s| ("shared".to_string(), s.clone())));
        v
    }

    pub fn parse(&self) -> Result<ActionInput, AppError> {
        self.check().map_err(|e| e.with_values(self.typed()))
    }

    fn check(&self) -> Result<ActionInput, AppError> {
        let type_id = self.type_id.trim().parse::<i64>().map_err(|_| AppError::invalid("type_id", "Choisissez le type d'action."))?;
        let raw = self.alert_date.trim();
        if raw.is_empty() {
            return Err(AppError::invalid("alert_date", "Indiquez la date d'alerte."));
        }
        let alert_date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
            .map_err(|_| AppError::invalid("alert_date", "La date d'alerte n'est pas une date valide (jj/mm/aaaa)."))?;
        if !(2000..=2099).contains(&alert_date.year()) {
            return Err(AppError::invalid("alert_date", "La date d'alerte doit être comprise entre 2000 et 2099."));
        }
        let alert_time = match self.alert_time.trim() {
            "" => None,
            t => {
                let (h, m) = t.split_once(':').ok_or_else(|| AppError::invalid("alert_time", "L'heure doit être au format hh:mm."))?;
                let (h, m) = (h.parse::<u32>(), m.get(..2).unwrap_or(m).parse::<u32>());
                match (h, m) {
                    (Ok(h), Ok(m)) if h < 24 && m < 60 => Some((h, m)),
                    _ => return Err(AppError::invalid("alert_time", "L'heure doit être au format hh:mm.")),
                }
            }
        };
        let note = self.note.trim().to_string();
        if note.chars().count() > NOTE_MAX {
            return Err(AppError::invalid("note", format!("La note : {NOTE_MAX} caractères au plus.")));
        }
        let id = |s: &str| s.trim().parse::<i64>().ok();
        let mut shared: Vec<i64> = if self.partager { self.shared.iter().filter_map(|s| id(s)).collect() } else { Vec::new() };
        shared.sort_unstable();
        shared.dedup();
        if self.partager && shared.is_empty() {
            return Err(AppError::invalid("shared", "Choisissez au moins un collègue avec qui partager l'action."));
        }
        let assignee = if self.attribuer {
            Some(id(self.assignee).ok_or_else(|| AppError::invalid("assignee", "Choisissez le collaborateur à qui attribuer l'action."))?)
        } else {
            None
        };
        Ok(ActionInput { type_id, note, alert_date, alert_time, assignee, shared })
    }
}

impl ActionInput {
    pub fn alert_at(&self) -> i64 {
        let (h, m) = self.alert_time.unwrap_or((0, 0));
        crate::fmt::paris_to_utc(self.alert_date, h, m)
    }
    fn time_text(&self) -> String {
        self.alert_time.map(|(h, m)| format!("{h:02}:{m:02}")).unwrap_or_default()
    }
}

// ---- types and responses ------------------------------------------------------------

#[derive(FromRow)]
struct TypeRow {
    id: i64,
    label: String,
    retired: bool,
    in_use: i64,
}

#[derive(FromRow)]
struct ResponseRow {
    id: i64,
    type_id: i64,
    label: String,
    retired: bool,
}

pub async fn types(tx: &mut Tx, tenant: &Tenant, with_retired: bool) -> Result<Vec<ActionTypeView>, AppError> {
    let cond = if with_retired { "" } else { " AND t.retired = FALSE" };
    let sql = format!(
        "SELECT t.id, t.label, t.retired, (SELECT COUNT(*) FROM action a WHERE a.company_id = t.company_id AND a.type_id = t.id) AS in_use \
         FROM action_type t WHERE t.company_id = $1{cond} ORDER BY t.position, t.id"
    );
    let rows: Vec<TypeRow> = on_conn!(tx, c => sqlx::query_as(&sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    let rcond = if with_retired { "" } else { " AND retired = FALSE" };
    let sql = format!("SELECT id, type_id, label, retired FROM action_response WHERE company_id = $1{rcond} ORDER BY position, id");
    let responses: Vec<ResponseRow> =
        on_conn!(tx, c => sqlx::query_as(&sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|t| ActionTypeView {
            responses: responses
                .iter()
                .filter(|r| r.type_id == t.id)
                .map(|r| ResponseView { id: r.id, label: r.label.clone(), retired: r.retired })
                .collect(),
            id: t.id,
            label: t.label,
            retired: t.retired,
            in_use: t.in_use,
        })
        .collect())
}

fn label(field: &str, what: &str, raw: &str) -> Result<String, AppError> {
    let l = raw.trim();
    if l.is_empty() {
        return Err(AppError::invalid(field, format!("Indiquez le libellé {what}.")));
    }
    if l.chars().count() > LABEL_MAX || l.chars().any(char::is_control) {
        return Err(AppError::invalid(field, format!("Le libellé {what} : une ligne de {LABEL_MAX} caractères au plus.")));
    }
    Ok(l.to_string())
}

pub async fn create_type(tx: &mut Tx, tenant: &Tenant, raw: &str) -> Result<i64, AppError> {
    let l = label("label", "du type d'action", raw)?;
    let sql = "INSERT INTO action_type (company_id, label, position, retired, created_at) \
               VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM action_type WHERE company_id = $1), FALSE, $3) \
               ON CONFLICT (company_id, label) DO NOTHING RETURNING id";
    on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(&l).bind(now()).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::invalid("label", format!("Le type « {l} » existe déjà.")))
}

pub async fn rename_type(tx: &mut Tx, tenant: &Tenant, id: i64, raw: &str) -> Result<(), AppError> {
    let l = label("label", "du type d'action", raw)?;
    let taken: Option<i64> =
        on_conn!(tx, c => sqlx::query_scalar("SELECT id FROM action_type WHERE company_id = $1 AND label = $2 AND id <> $3")
        .bind(tenant.company_id()).bind(&l).bind(id).fetch_optional(c).await)
        .map_err(internal)?;
    if taken.is_some() {
        return Err(AppError::invalid("label", format!("Le type « {l} » existe déjà.")));
    }
    let n = on_conn!(tx, c => sqlx::query("UPDATE action_type SET label = $1 WHERE company_id = $2 AND id = $3")
        .bind(&l).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound("Type d'action".into()));
    }
    Ok(())
}

pub async fn add_response(tx: &mut Tx, tenant: &Tenant, type_id: i64, raw: &str) -> Result<i64, AppError> {
    let l = label("response", "de la réponse", raw)?;
    let exists: Option<i64> = on_conn!(tx, c => sqlx::query_scalar("SELECT id FROM action_type WHERE company_id = $1 AND id = $2")
        .bind(tenant.company_id()).bind(type_id).fetch_optional(c).await)
    .map_err(internal)?;
    exists.ok_or_else(|| AppError::NotFound("Type d'action".into()))?;
    let sql = "INSERT INTO action_response (company_id, type_id, label, position, retired) \
               VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM action_response WHERE company_id = $1 AND type_id = $2), FALSE) \
               ON CONFLICT (company_id, type_id, label) DO NOTHING RETURNING id";
    on_conn!(tx, c => sqlx::query_scalar(sql).bind(tenant.company_id()).bind(type_id).bind(&l).fetch_optional(c).await)
        .map_err(internal)?
        .ok_or_else(|| AppError::invalid("response", format!("La réponse « {l} » existe déjà pour ce type.")))
}

/// Which list an ordered item belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Type,
    Response,
}

impl Item {
    fn table(self) -> &'static str {
        match self {
            Item::Type => "action_type",
            Item::Response => "action_response",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Item::Type => "Type d'action",
            Item::Response => "Réponse",
        }
    }
}

/// «Retirer» / «Réactiver»: a type or a response is never deleted (actions keep theirs).
pub async fn set_retired(tx: &mut Tx, tenant: &Tenant, item: Item, id: i64, retired: bool) -> Result<(), AppError> {
    let sql = format!("UPDATE {} SET retired = $1 WHERE company_id = $2 AND id = $3", item.table());
    let n =
        on_conn!(tx, c => sqlx::query(&sql).bind(retired).bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    if n == 0 {
        return Err(AppError::NotFound(item.name().into()));
    }
    Ok(())
}

/// «Monter» / «Descendre»: swaps with the neighbour in the same list.
pub async fn move_item(tx: &mut Tx, tenant: &Tenant, item: Item, id: i64, up: bool) -> Result<(), AppError> {
    let ids: Vec<i64> = match item {
        Item::Type => on_conn!(tx, c => sqlx::query_scalar("SELECT id FROM action_type WHERE company_id = $1 ORDER BY position, id")
            .bind(tenant.company_id()).fetch_all(c).await),
        Item::Response => on_conn!(tx, c => sqlx::query_scalar(
            "SELECT id FROM action_response WHERE company_id = $1 \
             AND type_id = (SELECT type_id FROM action_response WHERE company_id = $1 AND id = $2) ORDER BY position, id")
            .bind(tenant.company_id()).bind(id).fetch_all(c).await),
    }
    .map_err(internal)?;
    if !ids.contains(&id) {
        return Err(AppError::NotFound(item.name().into()));
    }
    crate::db::move_in_list(tx, tenant, item.table(), &ids, id, up).await
}

// ---- users ----------------------------------------------------------------------------

pub async fn users(tx: &mut Tx, tenant: &Tenant) -> Result<Vec<UserRef>, AppError> {
    let rows: Vec<(i64, String)> =
        on_conn!(tx, c => sqlx::query_as("SELECT id, name FROM app_user WHERE company_id = $1 AND active = TRUE ORDER BY name, id")
        .bind(tenant.company_id()).fetch_all(c).await)
        .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, name)| UserRef { id, name }).collect())
}

async fn check_users(tx: &mut Tx, tenant: &Tenant, input: &ActionInput) -> Result<(), AppError> {
    let active = users(tx, tenant).await?;
    let known = |id: &i64| active.iter().any(|u| u.id == *id);
    if let Some(a) = input.assignee
        && !known(&a)
    {
        return Err(AppError::invalid("assignee", "Ce collaborateur n'existe pas dans votre société ou son compte est désactivé."));
    }
    if !input.shared.iter().all(known) {
        return Err(AppError::invalid("shared", "Un des collègues choisis n'existe pas dans votre société ou son compte est désactivé."));
    }
    let open_type: Option<bool> = on_conn!(tx, c => sqlx::query_scalar("SELECT retired FROM action_type WHERE company_id = $1 AND id = $2")
        .bind(tenant.company_id()).bind(input.type_id).fetch_optional(c).await)
    .map_err(internal)?;
    match open_type {
        None => Err(AppError::invalid("type_id", "Choisissez le type d'action.")),
        Some(true) => Err(AppError::invalid("type_id", "Ce type d'action est retiré : choisissez-en un autre.")),
        Some(false) => Ok(()),
    }
}

// ---- actions --------------------------------------------------------------------------

pub async fn create(tx: &mut Tx, tenant: &Tenant, author: i64, contact_id: i64, input: &ActionInput) -> Result<i64, AppError> {
    let statut: Option<String> = on_conn!(tx, c => sqlx::query_scalar("SELECT statut FROM contact WHERE company_id = $1 AND id = $2")
        .bind(tenant.company_id()).bind(contact_id).fetch_optional(c).await)
    .map_err(internal)?;
    match statut.as_deref() {
        None => return Err(AppError::NotFound("Contact".into())),
        Some("corbeille") => {
            return Err(AppError::invalid(
                "contact_id",
                "Ce contact est dans la « Corbeille » : restaurez-le avant de lui ajouter une action.",
            ));
        }
        _ => {}
    }
    check_users(tx, tenant, input).await?;
    let at = now();
    let sql = "INSERT INTO action (company_id, contact_id, type_id, note, alert_date, alert_time, alert_at, author_id, assignee_id, status, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ouverte', $10, $10) RETURNING id";
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(sql)
        .bind(tenant.company_id()).bind(contact_id).bind(input.type_id).bind(&input.note)
        .bind(input.alert_date.format("%Y-%m-%d").to_string()).bind(input.time_text()).bind(input.alert_at())
        .bind(author).bind(input.assignee).bind(at)
        .fetch_one(c).await)
    .map_err(internal)?;
    set_shares(tx, tenant, id, &input.shared).await?;
    crate::db::audit(tx, tenant, Some(author), "action", id, "created", &format!("contact {contact_id}")).await?;
    Ok(id)
}

async fn set_shares(tx: &mut Tx, tenant: &Tenant, id: i64, users: &[i64]) -> Result<(), AppError> {
    on_conn!(tx, c => sqlx::query("DELETE FROM action_share WHERE company_id = $1 AND action_id = $2")
        .bind(tenant.company_id()).bind(id).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    for u in users {
        on_conn!(tx, c => sqlx::query("INSERT INTO action_share (company_id, action_id, user_id) VALUES ($1, $2, $3)")
            .bind(tenant.company_id()).bind(id).bind(*u).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    }
    Ok(())
}

/// Whether `me` may change the action: its author, assignee, a colleague it is shared
/// with, or a manager («Paramétrer l'application»).
async fn may_change(tx: &mut Tx, tenant: &Tenant, me: &Me, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64, Option<i64>, bool)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT author_id, assignee_id, EXISTS (SELECT 1 FROM action_share s WHERE s.company_id = $1 AND s.action_id = $2 AND s.user_id = $3) \
         FROM action WHERE company_id = $1 AND id = $2")
        .bind(tenant.company_id()).bind(id).bind(me.user_id).fetch_optional(c).await)
    .map_err(internal)?;
    let Some((author, assignee, shared)) = row else { return Err(AppError::NotFound("Action".into())) };
    Ok(author == me.user_id || assignee == Some(me.user_id) || shared || me.can(Right::Settings))
}

async fn guard(tx: &mut Tx, tenant: &Tenant, me: &Me, id: i64) -> Result<(), AppError> {
    crate::db::lock_row(tx, tenant, "action", id).await?;
    if !may_change(tx, tenant, me, id).await? {
        return Err(AppError::Forbidden("modifier une action dont vous n'êtes ni l'auteur, ni le destinataire".into()));
    }
    Ok(())
}

/// Saves an action's form. A new «Date d'alerte» means a new alert (and e-mail).
pub async fn update(tx: &mut Tx, tenant: &Tenant, me: &Me, id: i64, input: &ActionInput) -> Result<(), AppError> {
    guard(tx, tenant, me, id).await?;
    check_users(tx, tenant, input).await?;
    let sql = "UPDATE action SET type_id = $1, note = $2, alert_date = $3, alert_time = $4, alert_at = $5, assignee_id = $6, updated_at = $7 \
               WHERE company_id = $8 AND id = $9";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(input.type_id).bind(&input.note).bind(input.alert_date.format("%Y-%m-%d").to_string()).bind(input.time_text())
        .bind(input.alert_at()).bind(input.assignee).bind(now()).bind(tenant.company_id()).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    set_shares(tx, tenant, id, &input.shared).await?;
    crate::db::audit(tx, tenant, Some(me.user_id), "action", id, "updated", "").await
}

/// «Clore»: with one of its type's responses and an optional comment.
pub async fn close(tx: &mut Tx, tenant: &Tenant, me: &Me, id: i64, response: &str, comment: &str) -> Result<(), AppError> {
    guard(tx, tenant, me, id).await?;
    let response_id =
        response.trim().parse::<i64>().map_err(|_| AppError::invalid("response_id", "Choisissez la réponse qui clôt l'action."))?;
    let comment = comment.trim();
    if comment.chars().count() > NOTE_MAX {
        return Err(AppError::invalid("comment", format!("Le commentaire : {NOTE_MAX} caractères au plus.")));
    }
    let ok: Option<(String, bool)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT a.status, r.retired FROM action a JOIN action_response r ON r.company_id = a.company_id AND r.type_id = a.type_id \
         WHERE a.company_id = $1 AND a.id = $2 AND r.id = $3")
        .bind(tenant.company_id()).bind(id).bind(response_id).fetch_optional(c).await)
    .map_err(internal)?;
    match ok {
        None => return Err(AppError::invalid("response_id", "Cette réponse n'appartient pas au type de l'action.")),
        Some((status, _)) if status != "ouverte" => return Err(AppError::invalid("response_id", "Cette action est déjà close.")),
        Some((_, true)) => return Err(AppError::invalid("response_id", "Cette réponse est retirée : choisissez-en une autre.")),
        _ => {}
    }
    let at = now();
    on_conn!(tx, c => sqlx::query(
        "UPDATE action SET status = 'close', response_id = $1, close_comment = $2, closed_by = $3, closed_at = $4, updated_at = $4 WHERE company_id = $5 AND id = $6")
        .bind(response_id).bind(comment).bind(me.user_id).bind(at).bind(tenant.company_id()).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    crate::db::audit(tx, tenant, Some(me.user_id), "action", id, "closed", comment).await
}

// ---- reading --------------------------------------------------------------------------

#[derive(FromRow)]
struct ActionRow {
    id: i64,
    contact_id: i64,
    nom: String,
    prenom: String,
    societe: String,
    type_id: i64,
    type_label: String,
    note: String,
    alert_date: String,
    alert_time: String,
    alert_at: i64,
    author_id: i64,
    author_name: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    status: String,
    response: Option<String>,
    close_comment: String,
}

enum Filter {
    Contact(i64),
    One(i64),
    /// Open actions where the user is author, assignee or shared.
    Mine(i64),
}

async fn load(tx: &mut Tx, tenant: &Tenant, me: &Me, filter: Filter, at: i64) -> Result<Vec<ActionView>, AppError> {
    let (cond, arg) = match filter {
        Filter::Contact(id) => ("a.contact_id = $2", id),
        Filter::One(id) => ("a.id = $2", id),
        Filter::Mine(user) => (
            "a.status = 'ouverte' AND (a.author_id = $2 OR a.assignee_id = $2 OR EXISTS (SELECT 1 FROM action_share s WHERE s.company_id = $1 AND s.action_id = a.id AND s.user_id = $2))",
            user,
        ),
    };
    let sql = format!(
        "SELECT a.id, a.contact_id, c.nom, c.prenom, c.societe, a.type_id, t.label AS type_label, a.note, a.alert_date, a.alert_time, a.alert_at, \
                a.author_id, au.name AS author_name, a.assignee_id, asg.name AS assignee_name, a.status, r.label AS response, a.close_comment \
         FROM action a \
         JOIN contact c ON c.company_id = a.company_id AND c.id = a.contact_id \
         JOIN action_type t ON t.company_id = a.company_id AND t.id = a.type_id \
         JOIN app_user au ON au.company_id = a.company_id AND au.id = a.author_id \
         LEFT JOIN app_user asg ON asg.company_id = a.company_id AND asg.id = a.assignee_id \
         LEFT JOIN action_response r ON r.company_id = a.company_id AND r.id = a.response_id \
         WHERE a.company_id = $1 AND {cond} ORDER BY a.alert_at, a.id"
    );
    let rows: Vec<ActionRow> =
        on_conn!(tx, c => sqlx::query_as(&sql).bind(tenant.company_id()).bind(arg).fetch_all(c).await).map_err(internal)?;
    let share_sql = format!(
        "SELECT s.action_id, u.id, u.name FROM action_share s JOIN app_user u ON u.company_id = s.company_id AND u.id = s.user_id \
         JOIN action a ON a.company_id = s.company_id AND a.id = s.action_id WHERE s.company_id = $1 AND {cond} ORDER BY u.name"
    );
    let shares: Vec<(i64, i64, String)> =
        on_conn!(tx, c => sqlx::query_as(&share_sql).bind(tenant.company_id()).bind(arg).fetch_all(c).await).map_err(internal)?;
    let manager = me.can(Right::Settings);
    Ok(rows
        .into_iter()
        .map(|r| {
            let shared: Vec<UserRef> =
                shares.iter().filter(|(a, _, _)| *a == r.id).map(|(_, id, name)| UserRef { id: *id, name: name.clone() }).collect();
            let can_change =
                manager || r.author_id == me.user_id || r.assignee_id == Some(me.user_id) || shared.iter().any(|u| u.id == me.user_id);
            let open = r.status == "ouverte";
            ActionView {
                id: r.id,
                contact_id: r.contact_id,
                contact_name: crate::contacts::model::contact_title(&r.nom, &r.prenom, &r.societe),
                type_id: r.type_id,
                type_label: r.type_label,
                note: r.note,
                alert_date: r.alert_date,
                alert_time: r.alert_time,
                alert_at: r.alert_at,
                author: UserRef { id: r.author_id, name: r.author_name },
                assignee: r.assignee_id.map(|id| UserRef { id, name: r.assignee_name.unwrap_or_default() }),
                shared,
                open,
                response: r.response,
                close_comment: r.close_comment,
                due: open && r.alert_at <= at,
                can_change,
            }
        })
        .collect())
}

pub async fn one(db: &Db, tenant: &Tenant, me: &Me, id: i64) -> Result<ActionView, AppError> {
    let mut tx = db.read().await?;
    load(&mut tx, tenant, me, Filter::One(id), now()).await?.into_iter().next().ok_or_else(|| AppError::NotFound("Action".into()))
}

pub async fn for_contact(db: &Db, tenant: &Tenant, me: &Me, contact_id: i64) -> Result<ClientActionsView, AppError> {
    let mut tx = db.read().await?;
    let contact_name = crate::contacts::store::title_of(&mut tx, tenant, contact_id).await?;
    let all = load(&mut tx, tenant, me, Filter::Contact(contact_id), now()).await?;
    let (open, mut done): (Vec<_>, Vec<_>) = all.into_iter().partition(|a| a.open);
    done.reverse();
    Ok(ClientActionsView {
        contact_id,
        contact_name,
        open,
        done,
        types: types(&mut tx, tenant, false).await?,
        users: users(&mut tx, tenant).await?,
    })
}

/// «Mes actions» at instant `at`: overdue (alert before today, Paris), today, upcoming.
pub async fn mine(db: &Db, tenant: &Tenant, me: &Me, at: i64) -> Result<MyActionsView, AppError> {
    let mut tx = db.read().await?;
    let all = load(&mut tx, tenant, me, Filter::Mine(me.user_id), at).await?;
    let today = crate::fmt::paris_date(at).format("%Y-%m-%d").to_string();
    let mut m = MyActionsView { overdue: vec![], today: vec![], upcoming: vec![] };
    for a in all {
        match a.alert_date.as_str().cmp(today.as_str()) {
            std::cmp::Ordering::Less => m.overdue.push(a),
            std::cmp::Ordering::Equal => m.today.push(a),
            std::cmp::Ordering::Greater => m.upcoming.push(a),
        }
    }
    Ok(m)
}

/// A client's open actions for its «Accueil», soonest first: only what the widget shows.
pub async fn open_of_contact(
    db: &Db,
    tenant: &Tenant,
    contact_id: i64,
    at: i64,
) -> Result<Vec<crate::actions::model::OpenAction>, AppError> {
    let sql = "SELECT a.id, t.label, a.alert_date, a.alert_time, a.alert_at FROM action a \
               JOIN action_type t ON t.company_id = a.company_id AND t.id = a.type_id \
               WHERE a.company_id = $1 AND a.contact_id = $2 AND a.status = 'ouverte' ORDER BY a.alert_at, a.id";
    let rows: Vec<(i64, String, String, String, i64)> =
        crate::on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).bind(contact_id).fetch_all(c).await).map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(id, type_label, date, time, alert_at)| crate::actions::model::OpenAction {
            id,
            type_label,
            when: crate::actions::model::when(&date, &time),
            due: alert_at <= at,
            alert_at,
        })
        .collect())
}

/// The top bar's count: my open actions whose alert has come.
pub async fn due_count(db: &Db, tenant: &Tenant, user_id: i64, at: i64) -> Result<i64, AppError> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| due_count_sql("$1", "$2", "$3"));
    crate::on_pool!(db, c => sqlx::query_scalar(&SQL).bind(tenant.company_id()).bind(at).bind(user_id).fetch_one(c).await).map_err(internal)
}

/// The session statement of a page's render: the session's row with the top bar's count
/// of due actions (one statement for a page's first read).
pub static SESSION_WITH_DUE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::auth::store::session_sql(&format!("({})", due_count_sql("s.company_id", "$2", "s.user_id"))));

/// The statement of [`due_count`] for a company, a time and a user given as SQL
/// expressions.
fn due_count_sql(company: &str, at: &str, user: &str) -> String {
    format!(
        "SELECT COUNT(*) FROM action a WHERE a.company_id = {company} AND a.status = 'ouverte' AND a.alert_at <= {at} \
         AND (a.author_id = {user} OR a.assignee_id = {user} OR EXISTS (SELECT 1 FROM action_share sh WHERE sh.company_id = {company} AND sh.action_id = a.id AND sh.user_id = {user}))"
    )
}

pub async fn page_data(db: &Db, tenant: &Tenant, me: &Me, id: i64) -> Result<crate::actions::model::ActionPageData, AppError> {
    let action = one(db, tenant, me, id).await?;
    let mut tx = db.read().await?;
    Ok(crate::actions::model::ActionPageData { action, types: types(&mut tx, tenant, true).await?, users: users(&mut tx, tenant).await? })
}
