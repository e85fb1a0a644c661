//! Plain HTTP routes of import and export (files go as bytes, not through server
//! functions); both need the right «Paramétrer l'application».
//!   POST /clients/importer/fichier  «Importer» (multipart form, works without JS)
//!   GET  /clients/exporter?format=csv|xlsx&statut=…&q=…  «Exporter»

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::Right;
use crate::contacts::model::Statut;
use crate::error::AppError;
use crate::files::{attachment, error_response, read_file, refused};
use crate::imports::export::{self, Filter};
use crate::imports::parse::{FILE_MAX_BYTES, too_big};
use crate::state::AppState;

/// A larger upload is read to its end (so that the browser shows our French message,
/// not a reset connection) but not kept; beyond this the connection is cut.
const DRAIN_MAX_BYTES: usize = 512 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clients/importer/fichier", post(upload).layer(DefaultBodyLimit::max(DRAIN_MAX_BYTES)))
        .route("/clients/exporter", get(download))
}

async fn upload(State(st): State<AppState>, headers: HeaderMap, form: Multipart) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Settings)?;
        let (name, _, data) = read_file(form, FILE_MAX_BYTES, &too_big(), "Choisissez un fichier CSV ou XLSX.").await?;
        crate::imports::store::create(&cx.db, &cx.tenant, cx.user_id(), &name, data).await
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/clients/importer/{id}")).into_response(),
        Err(AppError::Invalid { message, .. }) => refused(&st, &headers, "/clients/importer", &message),
        Err(e) => error_response(e),
    }
}

#[derive(serde::Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    statut: String,
    #[serde(default)]
    q: String,
}

async fn download(State(st): State<AppState>, headers: HeaderMap, Query(p): Query<ExportQuery>) -> Response {
    let result = async {
        let cx = crate::auth::session::ctx_for(&st, &headers).await?;
        cx.require(Right::Settings)?;
        let statut = if p.statut.is_empty() {
            Statut::Client
        } else {
            Statut::from_code(&p.statut).ok_or_else(|| AppError::invalid("statut", "Base inconnue."))?
        };
        // The «Corbeille» is listed with «Corbeille et fusion des doublons»: exporting it
        // needs that right too.
        if statut == Statut::Corbeille {
            cx.require(Right::TrashMerge)?;
        }
        let filter = Filter { statut, q: p.q.chars().take(200).collect() };
        let questions = {
            let mut tx = cx.db.read().await?;
            crate::questions::store::list(&mut tx, &cx.tenant).await?
        };
        let base = match statut {
            Statut::Client => "clients",
            Statut::Prospect => "prospects",
            Statut::Corbeille => "corbeille",
            Statut::Fournisseur => "fournisseurs",
        };
        let name = format!("{base}-{}", crate::fmt::today_paris());
        let (name, mime, body) = match p.format.as_str() {
            "xlsx" => (
                format!("{name}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                Body::from(export::xlsx(&cx.db, &cx.tenant, &filter, &questions).await?),
            ),
            "" | "csv" => (
                format!("{name}.csv"),
                "text/csv; charset=utf-8",
                Body::from_stream(csv_stream(cx.db.clone(), cx.tenant, filter, questions)),
            ),
            _ => return Err(AppError::invalid("format", "Format d'export inconnu : CSV ou XLSX.")),
        };
        Ok::<_, AppError>((name, mime, body))
    }
    .await;
    match result {
        Ok((name, mime, body)) => {
            let mut r = Response::new(body);
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(header::CONTENT_DISPOSITION, attachment(&name));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            r
        }
        Err(e) => error_response(e),
    }
}

/// The BOM and header, then a chunk per page of contacts.
fn csv_stream(
    db: crate::db::Db,
    tenant: crate::db::Tenant,
    f: Filter,
    questions: Vec<crate::questions::model::QuestionView>,
) -> impl futures::Stream<Item = Result<Vec<u8>, AppError>> {
    let mut head = "\u{feff}".as_bytes().to_vec();
    head.extend(export::csv_chunk(&[export::header(&questions)]));
    let first = futures::stream::once(async move { Ok(head) });
    let pages = futures::stream::try_unfold(Some(0i64), move |after| {
        let (db, f, questions) = (db.clone(), f.clone(), questions.clone());
        async move {
            let Some(after) = after else { return Ok(None) };
            let (rows, last) = export::page(&db, &tenant, &f, &questions, after).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            Ok(Some((export::csv_chunk(&rows), Some(last))))
        }
    });
    futures::StreamExt::chain(first, pages)
}
