use crate::db::{Db, Dialect, Tenant, Tx, from_db_json, internal};
use crate::error::AppError;
use crate::home::model::Prefs;
use crate::{on_conn, on_pool};

pub async fn prefs(db: &Db, tenant: &Tenant, user_id: i64) -> Result<Prefs, AppError> {
    let sql = "SELECT show_archived_sav, observations_tooltip, action_alert_email FROM user_pref WHERE company_id = $1 AND user_id = $2";
    Ok(on_pool!(db, c => sqlx::query_as::<_, Prefs>(sql).bind(tenant.company_id()).bind(user_id).fetch_optional(c).await)
        .map_err(internal)?
        .unwrap_or_default())
}

pub async fn save_prefs(tx: &mut Tx, tenant: &Tenant, user_id: i64, p: &Prefs) -> Result<(), AppError> {
    // Portable upsert: both SQLite and PostgreSQL accept ON CONFLICT … DO UPDATE.
    let sql = "INSERT INTO user_pref (company_id, user_id, show_archived_sav, observations_tooltip, action_alert_email) VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (user_id) DO UPDATE SET show_archived_sav = $3, observations_tooltip = $4, action_alert_email = $5 \
               WHERE user_pref.company_id = $1";
    on_conn!(tx, c => sqlx::query(sql)
        .bind(tenant.company_id())
        .bind(user_id)
        .bind(p.show_archived_sav)
        .bind(p.observations_tooltip)
        .bind(p.action_alert_email)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// How long a server reuses what it read or wrote for the dashboard's counts and the
/// «Clients consultés récemment» visits (a minute: a count on a dashboard may lag that
/// much; a visit is a visit of that minute).
const REUSE: std::time::Duration = std::time::Duration::from_secs(60);

/// Contacts per statut, for the dashboard: counted at most once a minute per company and
/// server (counting a million contacts on every view would dominate the page). Past the
/// minute, the last count is shown while one recount runs in the background: no dashboard
/// waits for a recount, only the very first one for the first count.
pub async fn contact_counts(db: &Db, tenant: &Tenant) -> Result<(i64, i64), AppError> {
    type Counts = std::collections::HashMap<(u64, i64), (std::time::Instant, (i64, i64))>;
    static CACHE: std::sync::LazyLock<std::sync::Mutex<Counts>> = std::sync::LazyLock::new(Default::default);
    // One count at a time: the dashboards opened meanwhile do not all count the same
    // million rows.
    static COUNTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let key = (db.identity(), tenant.company_id());
    let cached = || CACHE.lock().ok().and_then(|c| c.get(&key).copied());
    let keep = move |counts| {
        if let Ok(mut c) = CACHE.lock() {
            c.insert(key, (std::time::Instant::now(), counts));
        }
    };
    match cached() {
        Some((at, counts)) if at.elapsed() < REUSE => Ok(counts),
        Some((_, counts)) => {
            if let Ok(one) = COUNTING.try_lock() {
                let (db, tenant) = (db.clone(), *tenant);
                tokio::spawn(async move {
                    let _one = one;
                    // A failure is logged by `internal`; the last count stays until the next try.
                    if let Ok(fresh) = count_contacts(&db, &tenant).await {
                        keep(fresh);
                    }
                });
            }
            Ok(counts)
        }
        None => {
            let _one = COUNTING.lock().await;
            if let Some((_, counts)) = cached() {
                return Ok(counts);
            }
            let counts = count_contacts(db, tenant).await?;
            keep(counts);
            Ok(counts)
        }
    }
}

async fn count_contacts(db: &Db, tenant: &Tenant) -> Result<(i64, i64), AppError> {
    let sql = "SELECT statut, COUNT(*) FROM contact WHERE company_id = $1 GROUP BY statut";
    let rows: Vec<(String, i64)> = on_pool!(db, c => sqlx::query_as(sql).bind(tenant.company_id()).fetch_all(c).await).map_err(internal)?;
    let get = |s: &str| rows.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
    Ok((get("client"), get("prospect")))
}

/// A user's widget layout for `page` (`client` or `tableau`).
pub async fn layout(db: &Db, tenant: &Tenant, user_id: i64, page: &str) -> Result<Vec<crate::home::model::WidgetSlot>, AppError> {
    let widgets = crate::home::model::widgets_of(page).ok_or_else(|| AppError::invalid("page", "Page inconnue."))?;
    let stored: Option<String> =
        on_pool!(db, c => sqlx::query_scalar("SELECT widgets FROM user_layout WHERE company_id = $1 AND user_id = $2 AND page = $3")
        .bind(tenant.company_id()).bind(user_id).bind(page).fetch_optional(c).await)
        .map_err(internal)?;
    Ok(crate::home::model::layout_from(widgets, stored.as_deref()))
}

/// What a client's «Accueil» opens with, in one statement: the contact (`NotFound`
/// outside the company) with its phones in order, the revisions of what its list widgets
/// show (`HomeRev`), and the user's «Préférences» and widget layout. Each statement is a
/// round trip to a SQLite connection's thread: the page's reads are two, this and the
/// session's.
pub async fn client_home(db: &Db, tenant: &Tenant, user_id: i64, contact_id: i64) -> Result<crate::home::model::ClientHome, AppError> {
    // Read by position (a tuple; sqlx finds a struct's columns by name, one search each):
    // the client's eight texts, the reason it is blocked (NULL when it is not), its phones
    // as a JSON array, the two revisions, the three «Préférences», the layout.
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        i64,
        Option<bool>,
        Option<bool>,
        Option<bool>,
        Option<String>,
    );
    let cid = tenant.company_id();
    let row: Option<Row> = match db {
        Db::Sqlite(_, lent) => {
            let mut conn = lent.get().await.map_err(internal)?;
            sqlx::query_as(&CLIENT_HOME_SQLITE).bind(cid).bind(contact_id).bind(user_id).fetch_optional(&mut *conn).await
        }
        Db::Pg(p) => sqlx::query_as(&CLIENT_HOME_PG).bind(cid).bind(contact_id).bind(user_id).fetch_optional(p).await,
    }
    .map_err(internal)?;
    let (
        civilite,
        nom,
        prenom,
        societe,
        adresse,
        code_postal,
        ville,
        email,
        blocked,
        phones,
        contact_rev,
        lists_rev,
        archived,
        tooltip,
        alert,
        widgets,
    ) = row.ok_or_else(|| AppError::NotFound("Contact".into()))?;
    let phones: Vec<String> = from_db_json(&phones)?;
    let prefs = match (archived, tooltip, alert) {
        (Some(show_archived_sav), Some(observations_tooltip), Some(action_alert_email)) => {
            Prefs { show_archived_sav, observations_tooltip, action_alert_email }
        }
        _ => Prefs::default(),
    };
    Ok(crate::home::model::ClientHome {
        layout: crate::home::model::layout_from(crate::home::model::CLIENT_WIDGETS, widgets.as_deref()),
        prefs,
        title: crate::contacts::model::contact_title(&nom, &prenom, &societe),
        identity: crate::home::model::Identity {
            name: crate::fmt::words(&[&civilite, &nom, &prenom]),
            address: crate::fmt::words(&[&adresse, &code_postal, &ville]),
            societe,
            phones,
            email,
            blocked,
        },
        rev: crate::home::model::HomeRev { company: cid, contact: contact_rev, lists: lists_rev },
    })
}

/// `{agg}`: the aggregate that makes a JSON array of the phone numbers in order.
fn client_home_sql(agg: &str) -> String {
    format!(
        "SELECT c.civilite, c.nom, c.prenom, c.societe, c.adresse, c.code_postal, c.ville, c.email, \
         CASE WHEN c.bloque <> 0 THEN c.bloque_motif END, \
         (SELECT {agg} FROM contact_phone ph WHERE ph.company_id = $1 AND ph.contact_id = c.id), \
         c.home_rev, (SELECT home_rev FROM company WHERE id = $1), \
         p.show_archived_sav, p.observations_tooltip, p.action_alert_email, l.widgets \
         FROM contact c \
         LEFT JOIN user_pref p ON p.company_id = $1 AND p.user_id = $3 \
         LEFT JOIN user_layout l ON l.company_id = $1 AND l.user_id = $3 AND l.page = 'client' \
         WHERE c.company_id = $1 AND c.id = $2"
    )
}
static CLIENT_HOME_SQLITE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| client_home_sql(&Dialect::Sqlite.json_agg("ph.number", "ph.position")));
static CLIENT_HOME_PG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| client_home_sql(&Dialect::Postgres.json_agg("ph.number", "ph.position")));

/// Saves the shown widgets, in order (unknown keys are refused).
pub async fn save_layout(tx: &mut Tx, tenant: &Tenant, user_id: i64, page: &str, shown: &[String]) -> Result<(), AppError> {
    let widgets = crate::home::model::widgets_of(page).ok_or_else(|| AppError::invalid("page", "Page inconnue."))?;
    if let Some(bad) = shown.iter().find(|k| !widgets.iter().any(|(w, _)| w == k)) {
        return Err(AppError::invalid("widgets", format!("Widget inconnu : « {} ».", crate::auth::model::shorten(bad, 40))));
    }
    let mut keys: Vec<&str> = Vec::new();
    for k in shown {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO user_layout (company_id, user_id, page, widgets) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, page) DO UPDATE SET widgets = excluded.widgets WHERE user_layout.company_id = $1")
        .bind(tenant.company_id()).bind(user_id).bind(page).bind(keys.join(",")).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    Ok(())
}

/// Notes that the user opened a client (for «Clients consultés récemment»), at most once a
/// minute per user and client on this server: opening a page should not take the write lock
/// each time.
pub async fn viewed(db: &Db, tenant: &Tenant, user_id: i64, contact_id: i64) -> Result<(), AppError> {
    type Seen = std::collections::HashMap<(u64, i64, i64), std::time::Instant>;
    static SEEN: std::sync::LazyLock<std::sync::Mutex<Seen>> = std::sync::LazyLock::new(Default::default);
    if let Ok(mut seen) = SEEN.lock() {
        let key = (db.identity(), user_id, contact_id);
        if seen.get(&key).is_some_and(|at| at.elapsed() < REUSE) {
            return Ok(());
        }
        if seen.len() > 100_000 {
            seen.retain(|_, at| at.elapsed() < REUSE);
        }
        seen.insert(key, std::time::Instant::now());
    }
    let mut tx = db.begin().await?;
    on_conn!(&mut tx, c => sqlx::query(
        "INSERT INTO recent_view (company_id, user_id, contact_id, viewed_at) SELECT $1, $2, id, $4 FROM contact WHERE company_id = $1 AND id = $3 \
         ON CONFLICT (user_id, contact_id) DO UPDATE SET viewed_at = excluded.viewed_at")
        .bind(tenant.company_id()).bind(user_id).bind(contact_id).bind(crate::db::now()).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    tx.commit().await
}

pub async fn recent(db: &Db, tenant: &Tenant, user_id: i64) -> Result<Vec<crate::home::model::RecentClient>, AppError> {
    let rows: Vec<(i64, String, String, String, String)> = on_pool!(db, c => sqlx::query_as(
        "SELECT c.id, c.nom, c.prenom, c.societe, c.ville FROM recent_view r JOIN contact c ON c.company_id = r.company_id AND c.id = r.contact_id \
         WHERE r.company_id = $1 AND r.user_id = $2 AND c.statut <> 'corbeille' ORDER BY r.viewed_at DESC LIMIT 10")
        .bind(tenant.company_id()).bind(user_id).fetch_all(c).await)
    .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, p, s, v)| crate::home::model::RecentClient { id, name: crate::contacts::model::contact_title(&n, &p, &s), ville: v })
        .collect())
}
