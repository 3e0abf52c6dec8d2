//! `GET /api/v1/audit`: the weekly follow-up audit as JSON (the documented shape, `docs/audit.md`),
//! Markdown or HTML.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use keepwarm_domain::audit::{render_markdown, IsoWeek};
use keepwarm_domain::lead::FieldError;
use keepwarm_engine::audit::render_html;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The audit route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(weekly_audit))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    week: Option<String>,
    seed: Option<String>,
    format: Option<String>,
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

async fn weekly_audit(
    State(state): State<AppState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let week = week_of(&state, q.week.as_deref(), q.dealership.as_deref())?;
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
        .audit(week, seed, q.dealership.as_deref())
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
