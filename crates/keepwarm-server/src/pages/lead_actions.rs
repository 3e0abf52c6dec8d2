//! The lead page's forms and what they post to: reply (with an approved block as a template),
//! reassign, pause, resume, stop, record an outcome or book an appointment.
//!
//! Each post checks the session's CSRF token, finds the lead through the viewer's visibility
//! (404 otherwise), calls the same engine entry point the API calls, attributed to the viewer,
//! and redirects back to the lead (303) with a notice.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use jiff::civil::DateTime;
use keepwarm_domain::appointment::{AppointmentInput, AppointmentKind};
use keepwarm_domain::{LeadId, LeadStatus, Stage};
use keepwarm_engine::{OutcomeInput, StaffMessage};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout::csrf_field;
use super::lead::LeadPage;
use super::session::Viewer;
use crate::error::ApiError;
use crate::routes::lead_id;
use crate::AppState;

/// The action routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/leads/{id}/reply", post(reply))
        .route("/leads/{id}/reassign", post(reassign))
        .route("/leads/{id}/pause", follow_up_route(FollowUp::Pause))
        .route("/leads/{id}/resume", follow_up_route(FollowUp::Resume))
        .route("/leads/{id}/stop", follow_up_route(FollowUp::Stop))
        .route("/leads/{id}/outcome", post(outcome))
}

/// The notice for `?done=WORD` after an action; `None` for a word no action uses.
pub(super) fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "reply" => "Your message is on its way.",
        "reassign" => "The lead has a new owner.",
        "pause" => "Automated follow-up is paused.",
        "resume" => "Automated follow-up resumed.",
        "stop" => "Automated follow-up stopped.",
        "outcome" => "Outcome recorded.",
        _ => return None,
    })
}

fn back(id: LeadId, done: &str) -> Response {
    Redirect::to(&format!("/leads/{id}?done={done}")).into_response()
}

/// The lead after the CSRF check and the visibility check.
async fn checked_lead(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
    csrf: Option<&str>,
) -> Result<LeadId, PageError> {
    viewer.check_csrf(csrf)?;
    let id = lead_id(raw)?;
    viewer.caller().lead(state, id).await?;
    Ok(id)
}

fn reason(text: &str) -> Result<String, PageError> {
    Ok(crate::routes::leads::checked_reason(text)?)
}

#[derive(Debug, Deserialize)]
pub(super) struct ReplyForm {
    csrf: Option<String>,
    channel: String,
    body: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    block: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, PageError> {
    let id = checked_lead(&state, &viewer, &id, f.csrf.as_deref()).await?;
    let message = StaffMessage {
        channel: f.channel,
        body: Some(f.body),
        block: f.block.filter(|b| !b.is_empty()),
        subject: f.subject.filter(|s| !s.trim().is_empty()),
        by: viewer.staff.id.clone(),
        idempotency_key: None,
    };
    state.engine.send_staff_message(id, message).await?;
    Ok(back(id, "reply"))
}

#[derive(Debug, Deserialize)]
pub(super) struct ReassignForm {
    csrf: Option<String>,
    owner: String,
    reason: String,
}

async fn reassign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<ReassignForm>,
) -> Result<Response, PageError> {
    let id = checked_lead(&state, &viewer, &id, f.csrf.as_deref()).await?;
    let why = reason(&f.reason)?;
    state
        .engine
        .reassign(id, f.owner.trim(), &why, &viewer.staff.id)
        .await?;
    // Given away to someone else's queue, the lead is no longer the viewer's to see.
    if viewer.caller().lead(&state, id).await.is_err() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(back(id, "reassign"))
}

#[derive(Debug, Deserialize)]
pub(super) struct ReasonForm {
    csrf: Option<String>,
    reason: String,
}

/// A change to automated follow-up with a reason: the three share one form.
#[derive(Debug, Clone, Copy)]
enum FollowUp {
    Pause,
    Resume,
    Stop,
}

impl FollowUp {
    fn word(self) -> &'static str {
        match self {
            FollowUp::Pause => "pause",
            FollowUp::Resume => "resume",
            FollowUp::Stop => "stop",
        }
    }
}

async fn change_follow_up(
    state: AppState,
    viewer: Viewer,
    id: String,
    f: ReasonForm,
    change: FollowUp,
) -> Result<Response, PageError> {
    let id = checked_lead(&state, &viewer, &id, f.csrf.as_deref()).await?;
    let (why, by) = (reason(&f.reason)?, viewer.staff.id.as_str());
    match change {
        FollowUp::Pause => state.engine.pause(id, &why, by).await?,
        FollowUp::Resume => state.engine.resume(id, &why, by).await?,
        FollowUp::Stop => state.engine.stop(id, &why, by, false).await?,
    }
    Ok(back(id, change.word()))
}

/// The handler of one follow-up change.
fn follow_up_route(change: FollowUp) -> axum::routing::MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              viewer: Viewer,
              Path(id): Path<String>,
              Form(f): Form<ReasonForm>| change_follow_up(state, viewer, id, f, change),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct OutcomeForm {
    csrf: Option<String>,
    stage: String,
    #[serde(default)]
    reason: Option<String>,
    /// `YYYY-MM-DDTHH:MM` in the dealership's zone (a `datetime-local` field).
    #[serde(default)]
    appointment_at: Option<String>,
    #[serde(default)]
    appointment_kind: Option<String>,
}

fn appointment(words: &Words, f: &OutcomeForm) -> Result<Option<AppointmentInput>, PageError> {
    let Some(raw) = f
        .appointment_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let local: DateTime = raw.parse().map_err(|_| {
        ApiError::field(
            "appointment_at",
            format!("`{raw}` is not a date and time (YYYY-MM-DDTHH:MM)"),
        )
    })?;
    let at = local
        .to_zoned_datetime(words.zone().clone())
        .map_err(|e| ApiError::field("appointment_at", e.to_string()))?
        .timestamp();
    let kind = match f.appointment_kind.as_deref().unwrap_or("sales") {
        "service" => AppointmentKind::Service,
        "sales" => AppointmentKind::Sales,
        other => {
            return Err(ApiError::field(
                "appointment_kind",
                format!("`{other}` is not sales or service"),
            )
            .into())
        }
    };
    Ok(Some(AppointmentInput {
        at,
        kind,
        duration_minutes: None,
    }))
}

async fn outcome(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    let id = checked_lead(&state, &viewer, &id, f.csrf.as_deref()).await?;
    let stage: Stage = f
        .stage
        .parse()
        .map_err(|e: String| ApiError::field("stage", e))?;
    let words = Words::new(state.engine.config(), state.engine.now());
    let input = OutcomeInput {
        stage,
        at: None,
        reason: f
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        appointment: appointment(&words, &f)?,
        by: viewer.staff.id.clone(),
        via: "workspace".into(),
    };
    state.engine.record_outcome(id, input).await?;
    Ok(back(id, "outcome"))
}

fn reply_form(state: &AppState, words: &Words, viewer: &Viewer, page: &LeadPage) -> Markup {
    let id = page.lead.id;
    let blocks = &state.engine.config().blocks;
    let draft = page.draft.as_ref();
    let email = draft.is_some_and(|d| d.channel == keepwarm_domain::cadence::Channel::Email);
    html! {
        section.card aria-labelledby="reply-h" {
            h2 id="reply-h" { "Reply" }
            form method="get" action={ "/leads/" (id) } .actions {
                label for="block" { "Template" }
                select id="block" name="block" {
                    @for (name, block) in blocks {
                        option value=(name) selected[draft.is_some_and(|d| &d.block == name)] {
                            (words.label(name)) " (" (super::words::channel(block.channel)) ")"
                        }
                    }
                }
                button.secondary type="submit" { "Use template" }
            }
            form method="post" action={ "/leads/" (id) "/reply" } {
                (csrf_field(viewer))
                @if let Some(d) = draft { input type="hidden" name="block" value=(d.block); }
                label for="channel" { "Send as" }
                select id="channel" name="channel" {
                    option value="sms" selected[!email] { "Text" }
                    option value="email" selected[email] { "E-mail" }
                }
                label for="subject" { "Subject (e-mail only)" }
                input id="subject" name="subject" type="text" maxlength="200" value=(draft.and_then(|d| d.subject.clone()).unwrap_or_default());
                label for="body" { "Message" }
                textarea id="body" name="body" required maxlength="16384" { (draft.map(|d| d.body.as_str()).unwrap_or("")) }
                p { button type="submit" { "Send" } }
            }
        }
    }
}

fn reason_form(id: LeadId, viewer: &Viewer, action: &str, button: &str) -> Markup {
    let field = format!("{action}-reason");
    html! {
        form method="post" action={ "/leads/" (id) "/" (action) } {
            (csrf_field(viewer))
            label for=(field) { "Reason" }
            input id=(field) name="reason" type="text" required maxlength="500";
            " "
            button.secondary type="submit" { (button) }
        }
    }
}

/// Every form of the lead page.
pub(super) fn forms(state: &AppState, words: &Words, viewer: &Viewer, page: &LeadPage) -> Markup {
    let lead = &page.lead;
    let id = lead.id;
    let config = state.engine.config();
    html! {
        (reply_form(state, words, viewer, page))
        section.card aria-labelledby="act-h" {
            h2 id="act-h" { "Actions" }
            @if let Some(phone) = lead.phone() {
                p { a.button href={ "tel:" (phone.as_str()) } { "Call " (words.phone(phone.as_str())) } }
            }
            details {
                summary { "Reassign" }
                form method="post" action={ "/leads/" (id) "/reassign" } {
                    (csrf_field(viewer))
                    label for="owner" { "New owner" }
                    select id="owner" name="owner" {
                        @for s in &config.staff {
                            option value=(s.id) selected[s.id == lead.owner_id] { (s.name) }
                        }
                    }
                    label for="reassign-reason" { "Reason" }
                    input id="reassign-reason" name="reason" type="text" required maxlength="500";
                    p { button.secondary type="submit" { "Reassign" } }
                }
            }
            details {
                summary { "Pause, resume or stop automation" }
                @match lead.status {
                    LeadStatus::Active => { (reason_form(id, viewer, "pause", "Pause")) (reason_form(id, viewer, "stop", "Stop")) }
                    LeadStatus::Paused => { (reason_form(id, viewer, "resume", "Resume")) (reason_form(id, viewer, "stop", "Stop")) }
                    _ => { p.muted { "Automated follow-up is " (words.label(lead.status.as_str())) "." } }
                }
            }
            details {
                summary { "Record an outcome or book an appointment" }
                form method="post" action={ "/leads/" (id) "/outcome" } {
                    (csrf_field(viewer))
                    label for="stage" { "Outcome" }
                    select id="stage" name="stage" {
                        @for s in Stage::ALL.iter().filter(|s| **s != Stage::New) {
                            option value=(s.as_str()) { (words.label(s.as_str())) }
                        }
                    }
                    label for="appointment_at" { "Appointment (local time, for “Appointment set”)" }
                    input id="appointment_at" name="appointment_at" type="datetime-local";
                    label for="appointment_kind" { "Appointment for" }
                    select id="appointment_kind" name="appointment_kind" {
                        option value="sales" { "Sales" }
                        option value="service" { "Service" }
                    }
                    label for="outcome-reason" { "Reason (needed for “Lost”)" }
                    input id="outcome-reason" name="reason" type="text" maxlength="500";
                    p { button.secondary type="submit" { "Record" } }
                }
            }
        }
    }
}
