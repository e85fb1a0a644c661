//! The company's «Plateforme Agréée» as «Paramètres › Facturation électronique» shows and
//! edits it, and the lifecycle statuses of the reform (docs/e-invoicing.md).

use serde::{Deserialize, Serialize};

/// The settings as the page shows them: the secret is never sent back, only whether one
/// is kept; the webhook token is shown to be given to the PA.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformView {
    pub name: String,
    pub url: String,
    pub client_id: String,
    pub has_secret: bool,
    pub enabled: bool,
    pub regime_tva: String,
    /// The header the PA sends with each notification (`Authorization: Bearer …`).
    pub webhook_token: String,
}

/// «Enregistrer» as posted. An empty `secret` keeps the one kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub secret: String,
    /// «Déposer les factures B2B»: a checkbox.
    #[serde(default)]
    pub enabled: Option<String>,
    /// «Régime de TVA»: one of [`REGIMES`].
    #[serde(default)]
    pub regime_tva: String,
}

/// The VAT regimes, which set the e-reporting periods (DSFE v3.2, Tableau 13).
pub const REGIMES: [(&str, &str); 3] = [
    ("reel_mensuel", "Réel normal mensuel (ventes par décade, encaissements par mois)"),
    ("reel_trimestriel", "Réel normal trimestriel (par mois)"),
    ("simplifie", "Régime simplifié (par mois)"),
];

/// One e-reporting period as «E-reporting» lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodView {
    /// transactions | paiements
    pub kind: String,
    pub kind_label: String,
    /// 'YYYY-MM-DD'
    pub start: String,
    pub end: String,
    /// Documents (sales) or days with payments.
    pub documents: i64,
    /// Cents: sales HT, payments received.
    pub ht: i64,
    pub paid: i64,
    pub state: String,
    pub error: String,
    /// Ended: it can be transmitted (again).
    pub can_send: bool,
}

/// The lifecycle statuses of the reform (code, French label). The mandatory ones:
/// 200 Déposée, 210 Refusée, 212 Encaissée, 213 Rejetée.
pub const STATUSES: [(&str, &str); 16] = [
    ("200", "Déposée"),
    ("201", "Émise par la plateforme"),
    ("202", "Reçue par la plateforme"),
    ("203", "Mise à disposition"),
    ("204", "Prise en charge"),
    ("205", "Approuvée"),
    ("206", "Approuvée partiellement"),
    ("207", "En litige"),
    ("208", "Suspendue"),
    ("209", "Complétée"),
    ("210", "Refusée"),
    ("211", "Paiement transmis"),
    ("212", "Encaissée"),
    ("213", "Rejetée"),
    ("214", "Visée"),
    ("501", "Irrecevable"),
];

pub fn status_label(code: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == code).map_or("Statut inconnu", |(_, l)| l)
}

/// One status of a document's lifecycle, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    pub code: String,
    pub label: String,
    pub reason: String,
    /// Cents, for «Encaissée».
    pub amount: Option<i64>,
    /// 'jj/mm/aaaa hh:mm', Paris time: when the PA says it happened.
    pub at: String,
}

/// A document's electronic life: its deposit to the PA and the statuses since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EinvoiceState {
    /// pending, claimed, sending, deposited, failed, uncertain — or empty: not deposited.
    pub deposit: String,
    pub deposit_id: Option<i64>,
    pub flow_id: String,
    pub error: String,
    pub statuses: Vec<StatusView>,
}

impl EinvoiceState {
    /// The deposit's state in French.
    pub fn deposit_label(&self) -> &'static str {
        match self.deposit.as_str() {
            "pending" | "claimed" => "En attente de dépôt",
            "sending" => "Dépôt en cours",
            "deposited" => "Déposée sur la plateforme",
            "failed" => "Dépôt refusé",
            "uncertain" => "Envoi incertain",
            _ => "Non déposée",
        }
    }
    /// The last status received, its code.
    pub fn last_code(&self) -> Option<&str> {
        self.statuses.last().map(|s| s.code.as_str())
    }
    /// A rejected or refused invoice: corrected by an avoir and issued again.
    pub fn needs_correction(&self) -> bool {
        matches!(self.last_code(), Some("213" | "210" | "501")) || self.deposit == "failed"
    }
}

/// A line of a received invoice as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLineView {
    pub name: String,
    pub quantity_milli: i64,
    pub unit: String,
    pub price: i64,
    pub net: i64,
    pub vat_bp: i64,
}

/// The lines and VAT breakdown of a received invoice (kept as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedDetail {
    pub lines: Vec<ReceivedLineView>,
    /// (category, rate in basis points, base, VAT), cents.
    pub vat: Vec<(String, i64, i64, i64)>,
}

/// A received invoice («Factures reçues»).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedView {
    pub id: i64,
    pub syntax: String,
    pub number: String,
    pub type_code: String,
    pub issue_date: String,
    pub due_date: String,
    pub supplier_name: String,
    pub supplier_siren: String,
    pub supplier_vat: String,
    pub supplier_address: String,
    pub total_ht: i64,
    pub total_tva: i64,
    pub total_ttc: i64,
    pub due_payable: i64,
    pub original_name: String,
    pub detail: ReceivedDetail,
}

impl ReceivedView {
    pub fn kind_label(&self) -> &'static str {
        match self.type_code.as_str() {
            "381" | "261" | "396" | "502" | "503" => "Avoir",
            "386" | "500" => "Facture d'acompte",
            _ => "Facture",
        }
    }
}
