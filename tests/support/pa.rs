//! A local «Plateforme Agréée» for the tests: the Flow Service of AFNOR XP Z12-013 (Annex
//! A, 1.2.0) on a loopback port, as docs/e-invoicing.md describes it.
//! - `POST /v1/flows` (multipart `flowInfo` JSON + `file`, Bearer token): answers 202
//!   `FullFlowInfo` `{flowId, submittedAt, trackingId, name, flowSyntax, …}`, or what the
//!   test scripted for the next deposits: an error status with the `Error` body, or a delay
//!   longer than the client's timeout (the flow is kept all the same, as a real PA that
//!   answered too late would).
//! - `POST /v1/flows/search` (`where.trackingId`), `GET /v1/flows/{flowId}?docType=Original`.
//! - `push` notifies the application as the PA's webhook would: a `Flow` object posted to
//!   its callback with the company's header; `lifecycle` stores a CDAR to be read back.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub const TOKEN: &str = "pa-test-token-0123456789";

/// What the PA does with the next deposit.
#[derive(Clone, Debug)]
pub enum Next {
    /// Answers this status with an `Error` body (nothing kept).
    Fail(u16, &'static str),
    /// Keeps the flow, then answers only after this delay.
    Late(Duration),
}

#[derive(Clone, Debug)]
pub struct Deposited {
    pub flow_id: String,
    pub info: serde_json::Value,
    pub file: Vec<u8>,
    pub file_name: String,
    pub organization: Option<String>,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Next>,
    flows: Vec<Deposited>,
    /// Lifecycle files the PA serves (flowId → CDAR).
    originals: Vec<(String, Vec<u8>)>,
    counter: u64,
}

#[derive(Clone)]
pub struct Pa {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Pa {
    pub async fn start() -> Pa {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v1/flows", post(deposit))
            .route("/v1/flows/search", post(search))
            .route("/v1/flows/{id}", get(original))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Pa { url, inner }
    }

    pub fn script(&self, next: Next) {
        self.inner.lock().unwrap().script.push_back(next);
    }

    pub fn flows(&self) -> Vec<Deposited> {
        self.inner.lock().unwrap().flows.clone()
    }

    /// Waits until `n` flows were deposited (10 s at most).
    pub async fn wait_flows(&self, n: usize) -> Vec<Deposited> {
        for _ in 0..400 {
            let f = self.flows();
            if f.len() >= n {
                return f;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the PA received {} flows, {n} expected", self.flows().len());
    }

    /// Stores a lifecycle (CDAR) under a new flow id, returned.
    pub fn lifecycle(&self, cdar: &str) -> String {
        let mut i = self.inner.lock().unwrap();
        i.counter += 1;
        let id = format!("lc-{}", i.counter);
        i.originals.push((id.clone(), cdar.as_bytes().to_vec()));
        id
    }

    /// Notifies the application (its callback, with the company's header) of a flow.
    pub async fn push(&self, app_base: &str, token: &str, flow: serde_json::Value) -> (u16, String) {
        let r = reqwest::Client::new().post(format!("{app_base}/pa/notifications")).bearer_auth(token).json(&flow).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        serde_json::json!({ "errorCode": code, "errorMessage": message }).to_string(),
    )
        .into_response()
}

fn authorised(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn deposit(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, mut form: Multipart) -> Response {
    if !authorised(&headers) {
        return error(401, "MISSING_TOKEN", "Jeton absent ou invalide");
    }
    let (mut info, mut file, mut file_name) = (None, None, String::new());
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("flowInfo") => info = serde_json::from_slice::<serde_json::Value>(&field.bytes().await.unwrap_or_default()).ok(),
            Some("file") => {
                file_name = field.file_name().unwrap_or_default().to_string();
                file = Some(field.bytes().await.unwrap_or_default().to_vec());
            }
            _ => {}
        }
    }
    let (Some(info), Some(file)) = (info, file) else { return error(400, "MISSING_REQUIRED_FIELD", "flowInfo et file sont requis") };
    if info["flowSyntax"].as_str().is_none() || info["name"].as_str().is_none() {
        return error(400, "MISSING_REQUIRED_FIELD", "flowSyntax et name sont requis");
    }
    let next = inner.lock().unwrap().script.pop_front();
    let delay = match next {
        Some(Next::Fail(status, message)) => {
            return error(status, if status >= 500 { "INTERNAL_ERROR" } else { "UNPROCESSABLE_ENTITY" }, message);
        }
        Some(Next::Late(d)) => Some(d),
        None => None,
    };
    let flow_id = {
        let mut i = inner.lock().unwrap();
        i.counter += 1;
        let flow_id = format!("flow-{}", i.counter);
        let organization = headers.get("organization-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        i.flows.push(Deposited { flow_id: flow_id.clone(), info: info.clone(), file, file_name, organization });
        flow_id
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    (
        StatusCode::ACCEPTED,
        [("content-type", "application/json")],
        serde_json::json!({
            "flowId": flow_id, "submittedAt": "2026-12-06T10:00:00Z", "trackingId": info["trackingId"],
            "name": info["name"], "flowSyntax": info["flowSyntax"], "processingRule": info["processingRule"],
        })
        .to_string(),
    )
        .into_response()
}

async fn search(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !authorised(&headers) {
        return error(401, "MISSING_TOKEN", "Jeton absent ou invalide");
    }
    let q: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let tracking = q["where"]["trackingId"].as_str().unwrap_or_default().to_string();
    let results: Vec<serde_json::Value> = inner
        .lock()
        .unwrap()
        .flows
        .iter()
        .filter(|f| f.info["trackingId"].as_str() == Some(tracking.as_str()))
        .map(|f| {
            serde_json::json!({ "flowId": f.flow_id, "trackingId": tracking, "name": f.info["name"], "flowSyntax": f.info["flowSyntax"],
                "flowDirection": "Out", "flowType": "CustomerInvoice", "submittedAt": "2026-12-06T10:00:00Z", "updatedAt": "2026-12-06T10:00:00Z",
                "processingRuleSource": "Input", "acknowledgement": { "status": "Pending" } })
        })
        .collect();
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        serde_json::json!({ "limit": 1, "filters": q["where"], "results": results }).to_string(),
    )
        .into_response()
}

async fn original(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&headers) {
        return error(401, "MISSING_TOKEN", "Jeton absent ou invalide");
    }
    match inner.lock().unwrap().originals.iter().find(|(f, _)| *f == id) {
        Some((_, bytes)) => (StatusCode::OK, [("content-type", "application/octet-stream")], bytes.clone()).into_response(),
        None => error(404, "MISSING_RESOURCE", "Flux inconnu"),
    }
}

/// A lifecycle (CDAR) the PA or the buyer would send for invoice `number`.
pub fn cdar(number: &str, code: &str, label: &str, reason: Option<(&str, &str)>) -> String {
    let reason = reason
        .map(|(c, t)| format!("<ram:SpecifiedDocumentStatus><ram:ReasonCode>{c}</ram:ReasonCode><ram:Reason>{t}</ram:Reason></ram:SpecifiedDocumentStatus>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>REGULATED</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{number}_{code}_20261206110000</ram:ID><ram:IssueDateTime><udt:DateTimeString format="204">20261206110000</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:AcknowledgementDocument><ram:TypeCode>23</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="204">20261206110000</udt:DateTimeString></ram:IssueDateTime>
<ram:ReferenceReferencedDocument><ram:IssuerAssignedID>{number}</ram:IssuerAssignedID><ram:TypeCode>380</ram:TypeCode><ram:ProcessConditionCode>{code}</ram:ProcessConditionCode><ram:ProcessCondition>{label}</ram:ProcessCondition>{reason}</ram:ReferenceReferencedDocument>
</rsm:AcknowledgementDocument></rsm:CrossDomainAcknowledgementAndResponse>"#
    )
}
