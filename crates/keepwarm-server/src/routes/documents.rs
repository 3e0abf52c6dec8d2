//! `/api/v1/leads/adf` and `/api/v1/documents`: ADF/XML intake, and the raw inbound documents every
//! intake path keeps (to read, and to replay after a parser fix).
//!
//! A manager of one dealership reads the documents whose every lead is their dealership's; posting
//! and replaying documents (which may name any dealership) needs a caller who works for all.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use keepwarm_domain::LeadId;
use keepwarm_engine::documents::{DocumentKind, DocumentOutcome};
use keepwarm_store::DocumentRow;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::paging;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Largest ADF document accepted (the parser's own limit).
pub const MAX_ADF: usize = keepwarm_adf::DEFAULT_MAX_BYTES;

/// The document routes.
pub fn router() -> OpenApiRouter<AppState> {
    let (schemas, paths, adf) = routes!(create_from_adf);
    OpenApiRouter::new()
        .routes((schemas, paths, adf.layer(DefaultBodyLimit::max(MAX_ADF))))
        .routes(routes!(list_documents))
        .routes(routes!(show_document))
        .routes(routes!(raw_document))
        .routes(routes!(replay_document))
}

fn is_xml(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/xml" | "text/xml" | "application/x-adf+xml" | "application/adf+xml"
    )
}

/// Ingest an ADF/XML document (at most 1 MiB): one lead per prospect, duplicates merged. The raw
/// document is kept.
#[utoipa::path(post, path = "/api/v1/leads/adf", tag = "documents",
    request_body(description = "An ADF 1.0 document.", content(
        (String = "application/xml"), (String = "text/xml"),
        (String = "application/x-adf+xml"), (String = "application/adf+xml"))),
    responses((status = 201, description = "What came of the document.", body = DocumentOutcome)))]
async fn create_from_adf(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<DocumentOutcome>)> {
    caller.require_all_dealerships()?;
    let body = body.map_err(|r| ApiError::from_body(r, MAX_ADF))?;
    if !is_xml(&headers) {
        return Err(ApiError::UnsupportedMediaType(
            "expected Content-Type: application/xml or application/x-adf+xml".into(),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let outcome = state
        .engine
        .ingest_document(DocumentKind::Adf, "api_adf", content_type, body.to_vec())
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DocumentQuery {
    /// Only documents with this status.
    #[param(value_type = Option<String>, pattern = "^(received|parsed|partial|failed|unrecognized|held)$")]
    status: Option<String>,
    /// Rows per page (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

/// Raw inbound documents (ADF, e-mail), newest first. Paged.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentQuery),
    responses((status = 200, description = "A page of documents.", body = Vec<DocumentRow>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
async fn list_documents(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    caller: Caller,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    const STATUSES: [&str; 6] = [
        "received",
        "parsed",
        "partial",
        "failed",
        "unrecognized",
        "held",
    ];
    if let Some(s) = &q.status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::field(
                "status",
                format!(
                    "unknown status `{s}` (expected one of: {})",
                    STATUSES.join(", ")
                ),
            ));
        }
    }
    let page = paging::requested("documents", q.limit, q.cursor.as_deref(), 100)?;
    paging::key_of::<1>("documents", &page)?;
    let rows = state
        .engine
        .store()
        .documents(q.status.as_deref(), &page)
        .await?;
    let visible = visible_documents(&state, &caller, &rows).await?;
    Ok(paging::respond_visible(
        "documents",
        &uri,
        &page,
        rows,
        |d: &DocumentRow| vec![d.id],
        |d| visible.contains(&d.id),
    ))
}

/// Of `rows`, the documents the caller may read: every one for a caller who works for every
/// dealership; otherwise those whose every lead the caller sees (a document that made no lead is
/// no one dealership's).
async fn visible_documents(
    state: &AppState,
    caller: &Caller,
    rows: &[DocumentRow],
) -> ApiResult<HashSet<i64>> {
    if caller.works_for_all() {
        return Ok(rows.iter().map(|d| d.id).collect());
    }
    let named: Vec<LeadId> = rows
        .iter()
        .flat_map(|d| d.lead_ids.iter().copied().map(LeadId))
        .collect();
    let leads = caller.visible_leads(state, named).await?;
    Ok(rows
        .iter()
        .filter(|d| {
            !d.lead_ids.is_empty() && d.lead_ids.iter().all(|l| leads.contains(&LeadId(*l)))
        })
        .map(|d| d.id)
        .collect())
}

/// Document `id` and its bytes, if the caller may read it; 404 otherwise, as for one that does not
/// exist.
async fn readable(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(DocumentRow, Vec<u8>)> {
    let missing = || ApiError::NotFound(format!("document {id}"));
    let (row, body) = state
        .engine
        .store()
        .document(id)
        .await?
        .ok_or_else(missing)?;
    let visible = visible_documents(state, caller, std::slice::from_ref(&row)).await?;
    if visible.contains(&id) {
        Ok((row, body))
    } else {
        Err(missing())
    }
}

fn document_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::BadRequest(format!("`{raw}` is not a document id (a positive integer)"))
    })
}

/// One inbound document's metadata and the leads it produced.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(crate::openapi::IdPath),
    responses((status = 200, description = "The document.", body = DocumentRow)))]
async fn show_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentRow>> {
    let id = document_id(&id)?;
    let (row, _) = readable(&state, &caller, id).await?;
    Ok(Json(row))
}

/// The document's bytes as received (always as an attachment, never rendered).
#[utoipa::path(get, path = "/api/v1/documents/{id}/raw", tag = "documents", params(crate::openapi::IdPath),
    responses((status = 200, description = "The bytes.", body = [u8], content_type = "application/octet-stream")))]
async fn raw_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id = document_id(&id)?;
    let (_, body) = readable(&state, &caller, id).await?;
    // The stored type came from whoever sent the document: never let a browser render it.
    let disposition = format!("attachment; filename=\"document-{id}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    ))
}

/// Parse a stored document again (after a parser fix); leads it produced merge into themselves.
#[utoipa::path(post, path = "/api/v1/documents/{id}/replay", tag = "documents", params(crate::openapi::IdPath),
    responses((status = 200, description = "What came of the document this time.", body = DocumentOutcome)))]
async fn replay_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentOutcome>> {
    let id = document_id(&id)?;
    readable(&state, &caller, id).await?;
    caller.require_all_dealerships()?;
    Ok(Json(state.engine.replay_document(id).await?))
}
