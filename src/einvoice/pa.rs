//! The connector to a «Plateforme Agréée»: the Flow Service of AFNOR XP Z12-013 (Annex A,
//! version 1.2.0; docs/e-invoicing.md). One interface for every PA: `POST /v1/flows`
//! (multipart `flowInfo` + `file`) to deposit, `POST /v1/flows/search` by `trackingId` to
//! settle an uncertain deposit, `GET /v1/flows/{flowId}?docType=Original` to read a
//! lifecycle (CDAR) the PA notified. Bearer authentication; `Organization-Id` when given.

use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::einvoice::outbox::Outcome;

/// A PA account: its Flow Service address, the company's id there, its token.
#[derive(Clone)]
pub struct Account {
    pub url: String,
    pub organization: String,
    pub token: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("url", &self.url).field("organization", &self.organization).field("token", &"…").finish()
    }
}

/// The largest answer read from a PA (a flow's metadata, an error, a search).
const ANSWER_MAX_BYTES: usize = 256 * 1024;

/// A response's body, at most `max` bytes (a PA, or whatever its address points to, cannot
/// fill the server's memory).
async fn read_body(mut r: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| short(&e.to_string()))? {
        out.extend_from_slice(&chunk);
        if out.len() > max {
            return Err("réponse trop longue".into());
        }
    }
    Ok(out)
}

/// One flow to deposit.
pub struct Flow<'a> {
    pub name: &'a str,
    pub tracking_id: &'a str,
    /// `Factur-X`, `CII`, `UBL`, `CDAR`, `FRR`.
    pub syntax: &'a str,
    /// `B2B`, `B2C`, `NotApplicable`…
    pub rule: &'a str,
    pub mime: &'a str,
    pub file: Vec<u8>,
}

/// The PA's answer to a deposit (FullFlowInfo) or an error (Error).
#[derive(Deserialize, Default)]
struct Answer {
    #[serde(default, rename = "flowId")]
    flow_id: String,
    #[serde(default, rename = "errorCode")]
    error_code: String,
    #[serde(default, rename = "errorMessage")]
    error_message: String,
}

pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        // A PA answers; it does not send us elsewhere (an address inside our network).
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

fn request(http: &reqwest::Client, account: &Account, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    let r = http.request(method, format!("{}{path}", account.url)).bearer_auth(&account.token);
    if account.organization.is_empty() { r } else { r.header("Organization-Id", &account.organization) }
}

/// Deposits one flow. Refused before it left (connection refused, DNS): transient. Sent
/// and no answer (timeout, connection cut): uncertain. 2xx with a flow id: deposited.
/// 429, 5xx: transient. Other 4xx: permanent, with the PA's reason.
pub async fn deposit(http: &reqwest::Client, account: &Account, flow: Flow<'_>) -> Outcome {
    let sha = Sha256::digest(&flow.file).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let info = serde_json::json!({
        "trackingId": flow.tracking_id,
        "name": flow.name,
        "processingRule": flow.rule,
        "flowSyntax": flow.syntax,
        "flowProfile": "Basic",
        "sha256": sha,
    });
    let form = reqwest::multipart::Form::new()
        .part("flowInfo", reqwest::multipart::Part::text(info.to_string()).mime_str("application/json").expect("a MIME type"))
        .part(
            "file",
            reqwest::multipart::Part::bytes(flow.file).file_name(flow.name.to_string()).mime_str(flow.mime).expect("a MIME type"),
        );
    let sent = request(http, account, reqwest::Method::POST, "/v1/flows").multipart(form).send().await;
    let response = match sent {
        Ok(r) => r,
        Err(e) if e.is_connect() => return Outcome::Transient { error: format!("Plateforme injoignable : {}", short(&e.to_string())) },
        Err(e) => return Outcome::Uncertain { error: short(&e.to_string()) },
    };
    let status = response.status();
    let body = match read_body(response, ANSWER_MAX_BYTES).await {
        Ok(b) => b,
        Err(e) => return Outcome::Uncertain { error: e },
    };
    let answer: Answer = serde_json::from_slice(&body).unwrap_or_default();
    let reason = || {
        let text = [answer.error_code.as_str(), answer.error_message.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" : ");
        if text.is_empty() { format!("réponse HTTP {}", status.as_u16()) } else { short(&text) }
    };
    match status.as_u16() {
        200..=299 if !answer.flow_id.is_empty() => Outcome::Deposited { flow_id: short(&answer.flow_id) },
        200..=299 => Outcome::Uncertain { error: "réponse sans identifiant de flux".into() },
        401 | 403 => Outcome::Permanent {
            error: format!("Accès refusé par la plateforme ({}) : vérifiez le jeton dans Paramètres › Facturation électronique.", reason()),
        },
        408 | 429 | 500..=599 => Outcome::Transient { error: format!("La plateforme est indisponible ({}).", reason()) },
        _ => Outcome::Permanent { error: format!("Dépôt refusé par la plateforme : {}", reason()) },
    }
}

#[derive(Deserialize)]
struct SearchResult {
    #[serde(default)]
    results: Vec<FlowMeta>,
}

/// A flow's metadata (`Flow`): what the search returns and the webhook posts.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct FlowMeta {
    #[serde(default, rename = "flowId")]
    pub flow_id: String,
    #[serde(default, rename = "trackingId")]
    pub tracking_id: String,
    #[serde(default, rename = "flowType")]
    pub flow_type: String,
    #[serde(default, rename = "flowDirection")]
    pub flow_direction: String,
    #[serde(default, rename = "flowSyntax")]
    pub flow_syntax: String,
    #[serde(default, rename = "updatedAt")]
    pub updated_at: String,
    #[serde(default)]
    pub acknowledgement: Option<Acknowledgement>,
}

#[derive(Deserialize, Debug, Clone, Default)]
pub struct Acknowledgement {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub details: Vec<AckDetail>,
}

#[derive(Deserialize, Debug, Clone, Default)]
pub struct AckDetail {
    #[serde(default, rename = "reasonCode")]
    pub reason_code: String,
    #[serde(default, rename = "reasonMessage")]
    pub reason_message: String,
}

/// The flow the PA has under our tracking id, if any (an uncertain deposit settled).
pub async fn find(http: &reqwest::Client, account: &Account, tracking_id: &str) -> Result<Option<String>, String> {
    let body = serde_json::json!({ "limit": 1, "where": { "trackingId": tracking_id, "flowDirection": ["Out"] } });
    let r =
        request(http, account, reqwest::Method::POST, "/v1/flows/search").json(&body).send().await.map_err(|e| short(&e.to_string()))?;
    if !r.status().is_success() {
        return Err(format!("recherche refusée (HTTP {})", r.status().as_u16()));
    }
    let found: SearchResult = serde_json::from_slice(&read_body(r, ANSWER_MAX_BYTES).await?).map_err(|e| short(&e.to_string()))?;
    Ok(found.results.into_iter().find(|f| f.tracking_id == tracking_id && !f.flow_id.is_empty()).map(|f| f.flow_id))
}

/// The largest lifecycle file read from the PA.
pub const CDAR_MAX_BYTES: usize = 2 * 1024 * 1024;

/// A flow's original file (a CDAR the PA notified), at most [`CDAR_MAX_BYTES`].
pub async fn original(http: &reqwest::Client, account: &Account, flow_id: &str) -> Result<Vec<u8>, String> {
    let id: String = flow_id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(36).collect();
    let r = request(http, account, reqwest::Method::GET, &format!("/v1/flows/{id}?docType=Original"))
        .send()
        .await
        .map_err(|e| short(&e.to_string()))?;
    if !r.status().is_success() {
        return Err(format!("flux {id} illisible (HTTP {})", r.status().as_u16()));
    }
    read_body(r, CDAR_MAX_BYTES).await.map_err(|e| format!("flux {id} : {e}"))
}

fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}
