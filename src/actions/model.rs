//! What the action pages show.

use serde::{Deserialize, Deserializer, Serialize};

/// The action form as posted («Nouvelle action», an action's «Enregistrer»): the field
/// names are the HTML form's (`shared[]` for the colleagues), each may be missing (empty).
/// `partager` and `attribuer` are checkboxes: ticked when present and not empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFields {
    #[serde(default)]
    pub type_id: String,
    #[serde(default)]
    pub alert_date: String,
    #[serde(default)]
    pub alert_time: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, deserialize_with = "checkbox")]
    pub partager: Option<String>,
    #[serde(default)]
    pub shared: Vec<String>,
    #[serde(default, deserialize_with = "checkbox")]
    pub attribuer: Option<String>,
    #[serde(default)]
    pub assignee: String,
}

/// An empty value is no value, as the query-string format reads an `Option` at the top
/// level (`partager=` is unticked). Needed once the fields are flattened into a server
/// function's arguments: serde then buffers them and would read `partager=` as `Some("")`.
fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|v| !v.is_empty()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseView {
    pub id: i64,
    pub label: String,
    pub retired: bool,
}

/// An action type of «Paramètres» › «Actions», with its responses in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTypeView {
    pub id: i64,
    pub label: String,
    pub retired: bool,
    pub responses: Vec<ResponseView>,
    /// Actions of this type (a type in use is retired, never deleted).
    pub in_use: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub type_id: i64,
    pub type_label: String,
    pub note: String,
    /// «Date d'alerte» as typed: `YYYY-MM-DD`, and `HH:MM` or empty (Europe/Paris).
    pub alert_date: String,
    pub alert_time: String,
    pub alert_at: i64,
    pub author: UserRef,
    pub assignee: Option<UserRef>,
    pub shared: Vec<UserRef>,
    pub open: bool,
    pub response: Option<String>,
    pub close_comment: String,
    /// The alert date has come and the action is open.
    pub due: bool,
    /// Whether the current user may change it (author, assignee, shared, or manager).
    pub can_change: bool,
}

impl ActionView {
    pub fn when(&self) -> String {
        when(&self.alert_date, &self.alert_time)
    }
}

/// An alert's date and time as shown: «12/03/2026 à 09:30», or the date alone.
pub fn when(date: &str, time: &str) -> String {
    let d = crate::fmt::date_fr(date);
    if time.is_empty() { d } else { format!("{d} à {time}") }
}

/// A client's «Actions»: open first, then done; what the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientActionsView {
    pub contact_id: i64,
    pub contact_name: String,
    pub open: Vec<ActionView>,
    pub done: Vec<ActionView>,
    pub types: Vec<ActionTypeView>,
    pub users: Vec<UserRef>,
}

/// «Mes actions»: what I am assigned, shared or wrote, open, by alert date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyActionsView {
    pub overdue: Vec<ActionView>,
    pub today: Vec<ActionView>,
    pub upcoming: Vec<ActionView>,
}

/// One action's page: the action, the types and users for its form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPageData {
    pub action: ActionView,
    pub types: Vec<ActionTypeView>,
    pub users: Vec<UserRef>,
}

/// An open action as the client «Accueil» lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAction {
    pub id: i64,
    pub type_label: String,
    /// «12/03/2026 à 09:30»
    pub when: String,
    /// Its alert has come («À faire»).
    pub due: bool,
    /// When it comes (seconds since the epoch).
    pub alert_at: i64,
}
