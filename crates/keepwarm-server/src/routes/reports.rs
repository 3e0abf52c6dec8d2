//! `/api/v1/reports`: the funnel by segment, cadence version, source or owner.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use jiff::Timestamp;
use keepwarm_domain::report::{FunnelRow, GroupBy};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(funnel_report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FunnelQuery {
    /// `segment` (default), `cadence`, `source` or `owner`.
    #[param(pattern = "^(segment|cadence|source|owner)$")]
    by: Option<String>,
    /// From (RFC 3339, or YYYY-MM-DD at midnight in the dealership's zone).
    from: Option<String>,
    /// To (same forms); default now.
    to: Option<String>,
}

/// An instant from RFC 3339 text, or a date (`2026-11-23`) at midnight in the dealership's zone.
pub fn parse_bound(state: &AppState, field: &str, text: &str) -> ApiResult<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        ApiError::field(
            field,
            format!("`{text}` is neither an RFC 3339 instant nor a date (YYYY-MM-DD)"),
        )
    })?;
    let zone = state
        .engine
        .config()
        .dealerships
        .first()
        .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
    date.to_zoned_datetime(zone)
        .map(|z| z.timestamp())
        .map_err(|e| ApiError::field(field, e.to_string()))
}

/// The funnel per group: leads, contacted, appointment set, showed, sold, lost, rates with 95%
/// Wilson intervals, speed to lead, escalations acknowledged within SLA. Reconciles with the
/// timeline.
#[utoipa::path(get, path = "/api/v1/reports/funnel", tag = "reports", params(FunnelQuery),
    responses((status = 200, description = "One row per group.", body = Vec<FunnelRow>)))]
async fn funnel_report(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<FunnelQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<FunnelRow>>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let by: GroupBy =
        q.by.as_deref()
            .unwrap_or("segment")
            .parse()
            .map_err(|e: String| ApiError::field("by", e))?;
    let from = match &q.from {
        Some(f) => parse_bound(&state, "from", f)?,
        None => Timestamp::UNIX_EPOCH,
    };
    let to = match &q.to {
        Some(t) => parse_bound(&state, "to", t)?,
        None => state.engine.now() + jiff::SignedDuration::from_millis(1),
    };
    if to <= from {
        return Err(ApiError::field("to", "must be after `from`"));
    }
    // A manager of one dealership is reported theirs only.
    let dealership = caller.staff().and_then(|s| s.dealership.as_deref());
    let tallies = state
        .engine
        .store()
        .report_tallies(from, to, dealership, &[by])
        .await?;
    Ok(Json(
        tallies.into_iter().flatten().map(FunnelRow::from).collect(),
    ))
}
