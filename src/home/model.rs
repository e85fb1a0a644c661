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
