//! `GET /api/v1/audit`: the weekly follow-up audit as JSON (the documented shape, `docs/audit.md`),
//! Markdown or HTML.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use keepwarm_domain::audit::{render_markdown, IsoWeek};
use keepwarm_domain::lead::FieldError;
use keepwarm_engine::audit::render_html;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The audit route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(weekly_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// The ISO week (`2026-W47`); default the last complete week in the dealership's zone.
    week: Option<String>,
    /// The sample's seed (a whole number from 0 to 2^64 - 1); default year × 100 + week.
    #[param(pattern = "^[0-9]+$")]
    seed: Option<String>,
    /// `json` (default), `md` or `html`.
    #[param(pattern = "^(json|md|html)$")]
    format: Option<String>,
    /// The dealership (default the first).
    dealership: Option<String>,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::BadQuery(vec![FieldError {
        field: field.to_owned(),
        message,
    }])
}

/// The week asked for, or the last complete week in the dealership's zone.
fn week_of(state: &AppState, text: Option<&str>, dealership: Option<&str>) -> ApiResult<IsoWeek> {
    match text {
        Some(t) => t.parse().map_err(|e| bad("week", e)),
        None => {
            let zone = state
                .engine
                .config()
                .dealership(dealership)
                .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
            Ok(IsoWeek::containing(state.engine.now(), &zone).minus(1))
        }
    }
}

/// The weekly follow-up audit (docs/audit.md).
///
/// Sampled timing and message scores, hot replies acknowledged in under 5 minutes with each miss,
/// appointment and show rates against a baseline, what to fix first. 400 naming `week` for a week
/// that does not exist.
#[utoipa::path(get, path = "/api/v1/audit", tag = "reports", params(AuditQuery),
    responses((status = 200, description = "The audit, in the format asked for.", content(
        (keepwarm_domain::audit::Audit = "application/json"),
        (String = "text/markdown"),
        (String = "text/html")))))]
async fn weekly_audit(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let dealership = caller.dealership(q.dealership.as_deref())?;
    let week = week_of(&state, q.week.as_deref(), dealership.as_deref())?;
    let seed = match q.seed.as_deref() {
        None => None,
        Some(s) => Some(s.parse::<u64>().map_err(|_| {
            bad(
                "seed",
                format!("`{s}` is not a whole number from 0 to {}", u64::MAX),
            )
        })?),
    };
    let format = q.format.as_deref().unwrap_or("json");
    if !["json", "md", "html"].contains(&format) {
        return Err(bad(
            "format",
            format!("unknown format `{format}` (expected json, md or html)"),
        ));
    }
    let audit = state
        .engine
        .audit(week, seed, dealership.as_deref())
        .await?;
    Ok(match format {
        "md" => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            render_markdown(&audit),
        )
            .into_response(),
        "html" => axum::response::Html(render_html(&audit).into_string()).into_response(),
        _ => Json(audit).into_response(),
    })
}
