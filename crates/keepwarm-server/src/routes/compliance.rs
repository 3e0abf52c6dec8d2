//! `/api/v1/compliance/report` (a week's compliance report, JSON or Markdown) and
//! `/api/v1/compliance/dnc` (the do-not-call list in force and whether it is stale), for managers
//! and the shared token.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use keepwarm_domain::audit::IsoWeek;
use keepwarm_domain::compliance::report::{render_markdown, ComplianceReport};
use keepwarm_domain::lead::FieldError;
use keepwarm_engine::dnc::DncStatus;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The compliance routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(weekly_report))
        .routes(routes!(dnc_status))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// The ISO week (`2026-W49`); default the last complete week in the dealership's zone.
    week: Option<String>,
    /// `json` (default) or `md`.
    #[param(pattern = "^(json|md)$")]
    format: Option<String>,
    /// The dealership (default the caller's, else the first).
    dealership: Option<String>,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::BadQuery(vec![FieldError {
        field: field.to_owned(),
        message,
    }])
}

/// A week's compliance report: deferrals by rule, kill-switch holds, do-not-call skips, opt-outs
/// with the time taken to honour each, and automated sends after a revocation (must be 0).
#[utoipa::path(get, path = "/api/v1/compliance/report", tag = "compliance", params(ReportQuery),
    responses((status = 200, description = "The report (JSON, or Markdown with format=md).",
            content((ComplianceReport = "application/json"), (String = "text/markdown"))),
        (status = 400, description = "A bad week or format.", body = crate::openapi::ErrorBody)))]
async fn weekly_report(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| bad(".", e.body_text()))?;
    let dealership = caller.dealership(q.dealership.as_deref())?;
    let week = match q.week.as_deref() {
        Some(w) => w.parse::<IsoWeek>().map_err(|e| bad("week", e))?,
        None => {
            let zone = state
                .engine
                .config()
                .dealership(dealership.as_deref())
                .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
            IsoWeek::containing(state.engine.now(), &zone).minus(1)
        }
    };
    let report = state
        .engine
        .compliance_report(week, dealership.as_deref())
        .await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(report).into_response()),
        "md" => Ok((
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            render_markdown(&report),
        )
            .into_response()),
        other => Err(bad(
            "format",
            format!("`{other}` is not a format (json or md)"),
        )),
    }
}

/// The do-not-call list in force: its registry date, size, and whether it is older than 31 days.
#[utoipa::path(get, path = "/api/v1/compliance/dnc", tag = "compliance",
    responses((status = 200, description = "The list in force.", body = DncStatus)))]
async fn dnc_status(State(state): State<AppState>) -> ApiResult<Json<DncStatus>> {
    Ok(Json(state.engine.dnc_status().await?))
}
