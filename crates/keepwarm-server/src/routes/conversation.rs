//! The conversation for people (issue 13): `GET /api/v1/leads/{id}/conversation` (one ordered
//! thread of every text, e-mail and call in both directions, with notes), `POST
//! /api/v1/leads/{id}/notes` (an internal note, never sent) and `GET /api/v1/conversations?waiting=true`
//! (the "waiting on us" queue, oldest first, with how long each customer has waited).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use jiff::Timestamp;
use keepwarm_domain::access::LeadScope;
use keepwarm_domain::thread::{ThreadEntry, Waiting, Who};
use keepwarm_domain::LeadId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The conversation routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(conversation))
        .routes(routes!(add_note))
        .routes(routes!(waiting_queue))
}

/// An instant in the dealership's zone, with its offset (`2026-12-01T09:00:00-06:00`).
pub fn local_time(state: &AppState, dealership: &str, at: Timestamp) -> String {
    let zone = state
        .engine
        .config()
        .dealership(Some(dealership))
        .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
    at.to_zoned_datetime(zone)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A thread entry as the API shows it: the entry, its local time, and the staff member's name.
#[derive(Debug, Serialize)]
struct EntryView {
    #[serde(flatten)]
    entry: ThreadEntry,
    local_time: String,
}

/// Whether and since when the customer waits on an answer.
#[derive(Debug, Serialize, ToSchema)]
struct WaitingView {
    since: Timestamp,
    since_local: String,
    due_at: Timestamp,
    waited_seconds: i64,
    overdue: bool,
    hot: bool,
}

/// A lead's whole conversation, oldest first.
#[derive(Debug, Serialize, ToSchema)]
struct ConversationView {
    lead_id: i64,
    time_zone: String,
    waiting: Option<WaitingView>,
    /// Each entry: `at`, `local_time`, `direction`, `channel`, `who`, `body`, delivery `status`.
    #[schema(value_type = Vec<Object>)]
    entries: Vec<EntryView>,
}

fn waiting_view(state: &AppState, dealership: &str, w: &Waiting, now: Timestamp) -> WaitingView {
    WaitingView {
        since: w.since,
        since_local: local_time(state, dealership, w.since),
        due_at: w.due_at,
        waited_seconds: w.waited(now).as_secs(),
        overdue: w.overdue(now),
        hot: w.hot,
    }
}

/// Since when the customer of lead `id` has been waiting on us, if they are.
pub async fn waiting_of(state: &AppState, id: LeadId) -> ApiResult<Option<Waiting>> {
    Ok(state
        .engine
        .store()
        .waiting(None, Some(id))
        .await?
        .into_iter()
        .next())
}

/// The lead's conversation: every text, e-mail, call and note, both ways, with local times.
#[utoipa::path(get, path = "/api/v1/leads/{id}/conversation", tag = "leads", params(crate::openapi::IdPath),
    responses((status = 200, description = "The thread.", body = ConversationView)))]
async fn conversation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    let id = lead_id(&id)?;
    let lead = caller.lead(&state, id).await?;
    let config = state.engine.config();
    let entries = state
        .engine
        .store()
        .conversation(id)
        .await?
        .into_iter()
        .map(|mut entry| {
            if let Who::Staff { id, name: None } = &entry.who {
                let name = config.staff_member(id).map(|s| s.name.clone());
                entry.who = Who::Staff {
                    id: id.clone(),
                    name,
                };
            }
            EntryView {
                local_time: local_time(&state, &lead.dealership, entry.at),
                entry,
            }
        })
        .collect();
    let now = state.engine.now();
    let waiting = waiting_of(&state, id)
        .await?
        .map(|w| waiting_view(&state, &lead.dealership, &w, now));
    Ok(Json(ConversationView {
        lead_id: id.0,
        time_zone: config
            .dealership(Some(&lead.dealership))
            .map_or("UTC".into(), |d| d.time_zone_name.clone()),
        waiting,
        entries,
    }))
}

/// An internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    body: String,
    #[serde(default)]
    by: Option<String>,
}

/// Writes an internal note (201): on the timeline and in the thread, never sent.
#[utoipa::path(post, path = "/api/v1/leads/{id}/notes", tag = "leads", params(crate::openapi::IdPath),
    request_body = NoteBody, responses((status = 201, description = "The note.", body = Object)))]
async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let note: NoteBody = parse_json(&headers, &body?)?;
    let by = caller.person(&state, note.by.as_deref())?;
    let added = state.engine.add_note(id, &note.body, &by).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Which queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct QueueQuery {
    waiting: Option<String>,
    owner: Option<String>,
}

/// One lead in the waiting queue.
#[derive(Debug, Serialize, ToSchema)]
struct QueueEntry {
    lead_id: i64,
    name: Option<String>,
    owner: OwnerView,
    #[serde(flatten)]
    waiting: WaitingView,
    last_message: String,
}

/// The lead's owner.
#[derive(Debug, Serialize, ToSchema)]
struct OwnerView {
    id: String,
    name: Option<String>,
}

/// The "waiting on us" queue, oldest wait first. A staff member who does not see everything lists
/// their own queue.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "leads", params(QueueQuery),
    responses((status = 200, description = "Waiting customers, oldest first.", body = Vec<QueueEntry>)))]
async fn waiting_queue(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<QueueEntry>>> {
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if q.waiting.as_deref() != Some("true") {
        return Err(ApiError::field(
            "waiting",
            "only the waiting queue is listed: give waiting=true",
        ));
    }
    if let Some(me) = caller.staff().filter(|_| !caller.sees_everything()) {
        match q.owner.as_deref() {
            None => q.owner = Some(me.id.clone()),
            Some(owner) if owner == me.id => {}
            Some(owner) => {
                return Err(ApiError::NotAllowed(format!(
                    "this token lists `{}`'s queue, not `{owner}`'s",
                    me.id
                )))
            }
        }
    }
    let config = state.engine.config();
    if let Some(owner) = &q.owner {
        if config.staff_member(owner).is_none() {
            return Err(ApiError::field(
                "owner",
                format!("unknown staff member `{owner}`"),
            ));
        }
    }
    let now = state.engine.now();
    let mut out = Vec::new();
    for w in state
        .engine
        .store()
        .waiting(q.owner.as_deref(), None)
        .await?
    {
        let scope = LeadScope {
            owner: &w.owner,
            segment: &w.segment,
            dealership: &w.dealership,
        };
        if !caller.sees_work_of(&state, &w.owner) || !caller.sees(&state, scope) {
            continue;
        }
        out.push(QueueEntry {
            lead_id: w.lead_id.0,
            name: w.customer.clone(),
            owner: OwnerView {
                name: config.staff_member(&w.owner).map(|s| s.name.clone()),
                id: w.owner.clone(),
            },
            waiting: waiting_view(&state, &w.dealership, &w, now),
            last_message: w.last_message,
        });
    }
    Ok(Json(out))
}
