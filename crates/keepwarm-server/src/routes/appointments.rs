//! `/api/v1/appointments`: the appointment book, for the BDC's day sheet and the show-rate board.
//! Appointments are booked and moved through `POST /api/v1/leads/{id}/outcomes`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use jiff::Timestamp;
use keepwarm_domain::appointment::AppointmentStatus;
use keepwarm_domain::LeadId;
use keepwarm_store::{AppointmentFilter, AppointmentView};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The appointment routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/appointments", get(list_appointments))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppointmentQuery {
    status: Option<String>,
    lead: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

fn instant(field: &str, text: Option<&str>) -> ApiResult<Option<Timestamp>> {
    text.map(|t| {
        t.parse::<Timestamp>()
            .map_err(|e| ApiError::field(field, format!("`{t}` is not an RFC 3339 instant: {e}")))
    })
    .transpose()
}

async fn list_appointments(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    query: Result<Query<AppointmentQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = q
        .status
        .as_deref()
        .map(str::parse::<AppointmentStatus>)
        .transpose()
        .map_err(|e| ApiError::field("status", e))?;
    let lead = q
        .lead
        .as_deref()
        .map(|l| {
            l.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(LeadId)
                .ok_or_else(|| ApiError::field("lead", format!("`{l}` is not a lead id")))
        })
        .transpose()?;
    let (from, to) = (
        instant("from", q.from.as_deref())?,
        instant("to", q.to.as_deref())?,
    );
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            return Err(ApiError::field("to", "must be after `from`"));
        }
    }
    let page = super::paging::requested("appointments", q.limit, q.cursor.as_deref(), 500)?;
    let after = super::paging::key_of::<2>("appointments", &page)?
        .map(|[starts_at, id]| {
            jiff::Timestamp::from_millisecond(starts_at)
                .map(|t| (t, id))
                .map_err(|_| ApiError::field("cursor", "not a cursor of this list"))
        })
        .transpose()?;
    let filter = AppointmentFilter {
        lead,
        status,
        from,
        to,
        limit: Some(page.limit),
        after,
    };
    let rows = state.engine.store().appointments(&filter).await?;
    Ok(super::paging::respond(
        "appointments",
        &uri,
        &page,
        rows,
        |a: &AppointmentView| vec![a.starts_at.as_millisecond(), a.id],
    ))
}
