//! Downloads of an issued document's electronic forms (plain HTTP: files go as bytes):
//!   GET /pieces/{id}/facturx   «Télécharger (Factur-X)»: the PDF/A-3 with its CII
//!   GET /pieces/{id}/ubl       «Télécharger (UBL)»: the UBL 2.1 XML
//!   GET /pieces/{id}/cii       the CII XML alone
//! Each authenticates with the session cookie, needs «Gestion commerciale» (as the PDF),
//! and reads only the caller's company.
//!   POST /pa/notifications     the Plateforme Agréée's notifications (its webhook
//!                              callback: a `Flow`, XP Z12-013), authenticated by the
//!                              company's token (`Authorization: Bearer …`)

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::Right;
use crate::einvoice::store::Form;
use crate::error::AppError;
use crate::files::{error_response, file_response};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pieces/{id}/facturx", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::FacturX)))
        .route("/pieces/{id}/ubl", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::Ubl)))
        .route("/pieces/{id}/cii", get(|st: State<AppState>, h: HeaderMap, id: Path<i64>| download(st, h, id, Form::Cii)))
        .route("/pa/notifications", post(notification).layer(axum::extract::DefaultBodyLimit::max(NOTIFICATION_MAX_BYTES)))
        .route("/factures-recues/importer", post(receive).layer(axum::extract::DefaultBodyLimit::max(RECEIVED_BODY_MAX_BYTES)))
        .route("/factures-recues/{id}/original", get(original))
}

/// The largest received file (a Factur-X PDF, a CII or UBL XML).
const RECEIVED_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The body read at most: a file up to 64 Mo (a 50 Mo XML sent by mistake) is read and
/// dropped so that the sender gets the French message; beyond, the connection is cut.
const RECEIVED_BODY_MAX_BYTES: usize = 64 * 1024 * 1024;

/// «Factures reçues» › «Recevoir»: a supplier's Factur-X, CII or UBL, read, checked, kept.
async fn receive(State(st): State<AppState>, headers: HeaderMap, form: axum::extract::Multipart) -> Response {
    const BACK: &str = "/gestion-commerciale/factures-recues";
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        let (name, _mime, data) = crate::files::read_file(
            form,
            RECEIVED_MAX_BYTES,
            "Le fichier dépasse 10 Mo : une facture électronique reçue en fait bien moins.",
            "Choisissez le fichier de la facture (Factur-X PDF, CII ou UBL).",
        )
        .await?;
        let name = crate::files::check_file_name(&name)?;
        let (data, read) = tokio::task::spawn_blocking(move || {
            let read = crate::einvoice::reception::store::read_file(&data);
            (data, read)
        })
        .await
        .map_err(|_| AppError::Internal)?;
        let received = read?;
        let mut tx = cx.db.begin().await?;
        let id = crate::einvoice::reception::store::receive(&mut tx, &cx.tenant, cx.user_id(), &name, &data, &received).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => axum::response::Redirect::to(&format!("/factures-recues/{id}?fait=recue")).into_response(),
        Err(AppError::Invalid { message, .. }) => crate::files::refused(&st, &headers, BACK, &message),
        Err(e) => error_response(e),
    }
}

async fn original(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        crate::einvoice::reception::store::original(&cx.db, &cx.tenant, id).await
    }
    .await;
    match result {
        Ok((name, mime, bytes)) => file_response(&name, &mime, bytes),
        Err(e) => error_response(e),
    }
}

/// A notification is a flow's metadata: small.
const NOTIFICATION_MAX_BYTES: usize = 64 * 1024;

static HTTP: std::sync::LazyLock<reqwest::Client> =
    std::sync::LazyLock::new(|| crate::einvoice::pa::client(std::time::Duration::from_secs(15)));

/// The answer to the PA: JSON, the Flow Service's `Error` shape when refused.
fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "errorCode": code, "errorMessage": message }).to_string(),
    )
        .into_response()
}

async fn notification(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let company = match crate::einvoice::store::company_of_token(&st.db, token).await {
        Ok(Some(c)) => c,
        Ok(None) => return answer(StatusCode::UNAUTHORIZED, "MISSING_TOKEN", "Jeton de notification inconnu."),
        Err(_) => return answer(StatusCode::SERVICE_UNAVAILABLE, "RESOURCE_ERROR", "Base de données indisponible, réessayez."),
    };
    let flow: crate::einvoice::pa::FlowMeta = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(_) => {
            return answer(StatusCode::BAD_REQUEST, "MISSING_REQUIRED_FIELD", "Notification illisible : un objet Flow (JSON) est attendu.");
        }
    };
    let tenant = crate::db::Tenant::trusted(company);
    // A lifecycle: its CDAR is read from the PA, with the company's credentials.
    let lifecycle = flow.flow_syntax == "CDAR" || flow.flow_type.ends_with("LC");
    let cdar = if lifecycle {
        let account = match crate::einvoice::store::credentials(&st.db, company, &st.data_key).await {
            Ok(Some((url, organization, token))) => crate::einvoice::pa::Account { url, organization, token },
            _ => return answer(StatusCode::CONFLICT, "FORBIDDEN_ACCESS", "Plateforme non configurée : le cycle de vie ne peut être lu."),
        };
        match crate::einvoice::pa::original(&HTTP, &account, &flow.flow_id).await {
            Ok(bytes) => Some(bytes),
            Err(why) => {
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "RESOURCE_ERROR",
                    &format!("Cycle de vie non lu ({why}) : renvoyez la notification."),
                );
            }
        }
    } else {
        None
    };
    let result = async {
        let mut tx = st.db.begin().await?;
        let r = crate::einvoice::store::notified(&mut tx, &tenant, &flow, cdar.as_deref()).await?;
        tx.commit().await?;
        Ok::<_, AppError>(r)
    }
    .await;
    match result {
        Ok((_, unknown)) if !unknown.is_empty() => {
            answer(StatusCode::NOT_FOUND, "MISSING_RESOURCE", &format!("Facture inconnue de cette entreprise : {}.", unknown.join(", ")))
        }
        Ok((n, _)) => {
            (StatusCode::OK, [(axum::http::header::CONTENT_TYPE, "application/json")], serde_json::json!({ "recorded": n }).to_string())
                .into_response()
        }
        Err(AppError::Invalid { message, .. }) => answer(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE_ENTITY", &message),
        Err(_) => answer(StatusCode::SERVICE_UNAVAILABLE, "RESOURCE_ERROR", "Enregistrement impossible, réessayez."),
    }
}

async fn download(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, form: Form) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Commercial)?;
        let mut tx = cx.db.read().await?;
        match crate::einvoice::store::form_tx(&mut tx, &cx.tenant, id, form).await? {
            Some(file) => Ok(file),
            None => {
                // Another company's document, or none: not found; one of ours: why not.
                crate::documents::store::view_tx(&mut tx, &cx.tenant, id).await?;
                Err(AppError::invalid(
                    "document",
                    "Cette pièce n'a pas de forme électronique : seuls les factures et avoirs émis en ont une (Factur-X, UBL).",
                ))
            }
        }
    }
    .await;
    match result {
        Ok((name, mime, bytes)) => file_response(&name, mime, bytes),
        Err(e) => error_response(e),
    }
}
