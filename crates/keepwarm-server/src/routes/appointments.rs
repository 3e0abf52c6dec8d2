//! `/api/v1/appointments`: the appointment book, for the BDC's day sheet and the show-rate board.
//! Appointments are booked and moved through `POST /api/v1/leads/{id}/outcomes`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jiff::Timestamp;
use keepwarm_domain::appointment::AppointmentStatus;
use keepwarm_domain::LeadId;
use keepwarm_store::{AppointmentFilter, AppointmentView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The appointment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_appointments))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AppointmentQuery {
    /// Only appointments in this state.
    #[param(value_type = Option<AppointmentStatus>)]
    status: Option<String>,
    /// Only this lead's (its id).
    #[param(value_type = Option<i64>, minimum = 1)]
    lead: Option<String>,
    /// Starting at or after (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    from: Option<String>,
    /// Starting before (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    to: Option<String>,
    /// Rows per page (default 500).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

fn instant(field: &str, text: Option<&str>) -> ApiResult<Option<Timestamp>> {
    text.map(|t| {
        t.parse::<Timestamp>()
            .map_err(|e| ApiError::field(field, format!("`{t}` is not an RFC 3339 instant: {e}")))
    })
    .transpose()
}

/// Appointments, soonest first. Paged. A manager of one dealership sees its leads' only.
///
/// Appointments are booked and moved through `POST /api/v1/leads/{id}/outcomes`.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", params(AppointmentQuery),
    responses((status = 200, description = "A page of appointments.", body = Vec<AppointmentView>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
async fn list_appointments(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    caller: Caller,
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
    // A manager of one dealership sees its leads' appointments only.
    let visible = caller
        .visible_leads(&state, rows.iter().map(|a| a.lead_id).collect())
        .await?;
    Ok(super::paging::respond_visible(
        "appointments",
        &uri,
        &page,
        rows,
        |a: &AppointmentView| vec![a.starts_at.as_millisecond(), a.id],
        |a| visible.contains(&a.lead_id),
    ))
}
