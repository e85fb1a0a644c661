use serde::{Deserialize, Serialize};

/// Per-user preferences («Préférences»).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Prefs {
    /// «Afficher les sav archivés»
    pub show_archived_sav: bool,
    /// «Afficher les observations en infos bulles»
    pub observations_tooltip: bool,
    /// «Recevoir par e-mail les alertes de mes actions»
    pub action_alert_email: bool,
}

/// What the «Tableau de bord» shows today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub user_name: String,
    pub company_name: String,
    pub clients: i64,
    pub prospects: i64,
}

/// The widget pages and their widgets (key, French title), in default order.
pub const CLIENT_WIDGETS: &[(&str, &str)] = &[
    ("identite", "Identité et contact"),
    ("questions", "Questions complémentaires"),
    ("sav", "SAV"),
    ("services", "Services"),
    ("actions", "Actions ouvertes"),
    ("factures", "Factures impayées et relances"),
];
pub const DASHBOARD_WIDGETS: &[(&str, &str)] = &[
    ("relances", "Relances à faire"),
    ("actions", "Mes actions"),
    ("sav", "SAV ouverts"),
    ("recents", "Clients consultés récemment"),
    ("chiffres", "Clients et prospects"),
];

pub fn widgets_of(page: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match page {
        "client" => Some(CLIENT_WIDGETS),
        "tableau" => Some(DASHBOARD_WIDGETS),
        _ => None,
    }
}

/// One widget of a user's layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSlot {
    pub key: String,
    pub title: String,
    pub shown: bool,
}

/// A user's layout: the shown widgets in their order, then the hidden ones.
pub fn layout_from(page: &[(&str, &str)], stored: Option<&str>) -> Vec<WidgetSlot> {
    let Some(stored) = stored else {
        return page.iter().map(|(k, t)| WidgetSlot { key: k.to_string(), title: t.to_string(), shown: true }).collect();
    };
    let mut out: Vec<WidgetSlot> = stored
        .split(',')
        .filter_map(|k| page.iter().find(|(key, _)| *key == k))
        .map(|(k, t)| WidgetSlot { key: k.to_string(), title: t.to_string(), shown: true })
        .collect();
    out.dedup_by(|a, b| a.key == b.key);
    for (k, t) in page {
        if !out.iter().any(|s| s.key == *k) {
            out.push(WidgetSlot { key: k.to_string(), title: t.to_string(), shown: false });
        }
    }
    out
}

/// The «Identité et contact» widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub societe: String,
    /// Civilité, nom and prénom.
    pub name: String,
    pub address: String,
    pub phones: Vec<String>,
    pub email: String,
    /// «Bloquée» and its reason.
    pub blocked: Option<String>,
}

/// What a client's «Accueil» opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHome {
    pub layout: Vec<WidgetSlot>,
    pub prefs: Prefs,
    pub title: String,
    pub identity: Identity,
    pub rev: HomeRev,
}

pub use crate::home::cache::HomeRev;

/// A recently viewed client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentClient {
    pub id: i64,
    pub name: String,
    pub ville: String,
}
