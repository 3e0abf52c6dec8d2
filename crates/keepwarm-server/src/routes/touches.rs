//! `/api/v1/touches/{id}/compliance`: why a touch went, waited or was skipped.

use axum::extract::{Path, State};
use axum::Json;
use keepwarm_domain::LeadId;
use keepwarm_engine::compliance_explain::TouchCompliance;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The touch routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(touch_compliance))
}

/// Why a touch went, waited or was skipped.
///
/// The compliance gate asked again now (or at the touch's due time, if later) with the lead's
/// phone, address, consent ledger and recent automated sends as they are: the recipient's zones and
/// jurisdictions, every rule row evaluated with its citation, the verdict, and the touch's own
/// deferrals and sends from the timeline. Not legal advice.
#[utoipa::path(get, path = "/api/v1/touches/{id}/compliance", tag = "leads", params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "The touch's compliance explanation.", body = TouchCompliance),
        (status = 404, description = "No such touch, or not one the caller sees.", body = crate::openapi::ErrorBody)))]
async fn touch_compliance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TouchCompliance>> {
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::BadRequest(format!("`{id}` is not a touch id (a positive integer)"))
    })?;
    let touch = state
        .engine
        .store()
        .touch(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("touch {id}")))?;
    caller.lead(&state, LeadId(touch.lead_id.0)).await?;
    Ok(Json(state.engine.explain_touch(id).await?))
}
