//! The kill switch on the workspace: its state on Today and the compliance page, and the
//! managers' button that engages or releases it (`POST /compliance/kill-switch`), through the same
//! engine entry point as `POST /api/v1/dealerships/{id}/kill-switch`, attributed to the signed-in
//! manager. A manager of one dealership flips its switch; a manager of every dealership flips the
//! switch over all of them.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use keepwarm_engine::kill_switch::{KillSwitchFlip, KillSwitchStatus};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout::csrf_field;
use super::session::Viewer;
use crate::error::ApiError;
use crate::AppState;

/// The switch a manager of `dealership` answers for (every dealership's for `None`).
pub(super) async fn status(
    state: &AppState,
    dealership: Option<&str>,
) -> Result<KillSwitchStatus, PageError> {
    Ok(state.engine.kill_switch_status(dealership).await?)
}

/// The state in one line, for Today.
pub(super) fn summary(words: &Words, s: &KillSwitchStatus) -> Markup {
    html! {
        p {
            "Kill switch: "
            @if s.holding {
                strong.late { "engaged — no automated message leaves" }
                @if let Some(why) = &s.hold_reason { span.muted { " (" (why) ")" } }
            } @else {
                strong { "off" } span.muted { " (automated messages go out)" }
            }
            @if let Some(last) = s.history.first() {
                span.muted { " · last changed " (words.relative(last.at)) " by " (words.staff(&last.by)) }
            }
            " " a href="/compliance#kill-h" { "Change" }
        }
    }
}

/// The card with the state, the recent changes and the button.
pub(super) async fn card(
    state: &AppState,
    viewer: &Viewer,
    words: &Words<'_>,
) -> Result<Markup, PageError> {
    let s = status(state, viewer.staff.dealership.as_deref()).await?;
    let scope = match viewer.staff.dealership.as_deref() {
        Some(d) => state
            .engine
            .config()
            .dealership(Some(d))
            .map_or(d.to_owned(), |x| x.name.clone()),
        None => "every dealership".to_owned(),
    };
    Ok(html! {
        section.card aria-labelledby="kill-h" {
            h2 id="kill-h" { "Kill switch" }
            p {
                "For " (scope) ": "
                @if s.holding { strong.late { "engaged" } " — no automated text, call or e-mail leaves. Staff alerts, opt-out confirmations and people's own messages still go." }
                @else { strong { "off" } " — automated messages go out." }
            }
            @if s.holding && !s.engaged {
                p.muted { "Held by the switch over every dealership: " (s.hold_reason.clone().unwrap_or_default()) }
            }
            form method="post" action="/compliance/kill-switch" {
                (csrf_field(viewer))
                input type="hidden" name="engaged" value=(if s.engaged { "false" } else { "true" });
                label for="kill-reason" { "Why" }
                input id="kill-reason" name="reason" type="text" required maxlength="500";
                " "
                @if s.engaged { button type="submit" { "Release: let automated messages go again" } }
                @else { button.danger type="submit" { "Engage: stop every automated message" } }
            }
            @if !s.history.is_empty() {
                h3 { "Recent changes" }
                ul.items {
                    @for c in s.history.iter().take(5) {
                        li {
                            @if c.engaged { "Engaged" } @else { "Released" }
                            " " (words.time(c.at)) " by " (words.staff(&c.by)) ": " (c.reason)
                        }
                    }
                }
            }
        }
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct FlipForm {
    csrf: Option<String>,
    engaged: String,
    #[serde(default)]
    reason: String,
}

/// `POST /compliance/kill-switch` (managers).
pub(super) async fn flip(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<FlipForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(f) = form.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    viewer.check_csrf(f.csrf.as_deref())?;
    viewer.caller().require_everything()?;
    let engaged = match f.engaged.as_str() {
        "true" => true,
        "false" => false,
        other => {
            return Err(
                ApiError::field("engaged", format!("`{other}` is neither true nor false")).into(),
            )
        }
    };
    let flip = KillSwitchFlip {
        dealership: viewer.staff.dealership.as_deref(),
        engaged,
        reason: &f.reason,
        by: &viewer.staff.id,
    };
    state.engine.set_kill_switch(&flip).await?;
    Ok(Redirect::to(if engaged {
        "/compliance?done=engaged#kill-h"
    } else {
        "/compliance?done=released#kill-h"
    })
    .into_response())
}
