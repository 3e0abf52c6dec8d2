//! `/reports/audit?week=2026-W48`: the weekly follow-up audit (the same [`Audit`] the API and the
//! e-mail give) rendered in the workspace, every lead a link to its page, times in the
//! dealership's zone, staff by name. Managers only; a manager of one dealership sees its audit.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use keepwarm_domain::audit::{Audit, IsoWeek, RateChange};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout;
use super::session::Viewer;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    #[serde(default)]
    week: String,
}

fn lead(id: i64) -> Markup {
    html! { a href={ "/leads/" (id) } { "Lead " (id) } }
}

fn rate(r: &RateChange) -> Markup {
    html! {
        @match r.rate {
            None => { "—" }
            Some(x) => {
                ((x * 100.0).round()) "% (" (r.hits) "/" (r.of) ")"
                @if let Some(change) = r.change_points { span.muted { " " (format!("{change:+}")) " pts" } }
            }
        }
    }
}

fn segments(words: &Words, a: &Audit) -> Markup {
    html! {
        section aria-labelledby="seg-h" {
            h2 id="seg-h" { "Segments" }
            p.muted { "Appointment rate here: appointments set in the week over every lead active in it; the Reports funnel divides by leads contacted instead." }
            div.table-wrap tabindex="0" role="region" aria-label="Segments" { table {
                thead { tr {
                    th scope="col" { "Segment" } th scope="col" { "Active" } th scope="col" { "Sampled" }
                    th scope="col" { "On time" } th scope="col" { "Message score" }
                    th scope="col" { "Appointment rate" } th scope="col" { "Show rate" }
                } }
                tbody {
                    @for s in &a.segments {
                        tr {
                            th scope="row" { (words.label(&s.segment)) }
                            td { (s.active_leads) } td { (s.sampled_leads) }
                            td { (s.on_time) "/" (s.touches) }
                            td { (s.message_score.map_or("—".into(), |m| m.to_string())) }
                            td { (rate(&s.appointment_rate)) } td { (rate(&s.show_rate)) }
                        }
                    }
                }
            } }
        }
    }
}

fn escalations(words: &Words, a: &Audit) -> Markup {
    let e = &a.escalations;
    html! {
        section aria-labelledby="esc-h" {
            h2 id="esc-h" { "Hot replies acknowledged in under " (a.settings.acknowledge_within_minutes) " min" }
            p { (e.acknowledged_in_time) " of " (e.total)
                @if let Some(s) = e.share { " (" ((s * 100.0).round()) "%)" } "." }
            @if !e.misses.is_empty() {
                div.table-wrap tabindex="0" role="region" aria-label="Late acknowledgements" { table {
                    thead { tr {
                        th scope="col" { "Lead" } th scope="col" { "Segment" } th scope="col" { "Alerted" }
                        th scope="col" { "Raised" } th scope="col" { "Acknowledged" } th scope="col" { "Delay" }
                    } }
                    tbody {
                        @for m in &e.misses {
                            tr {
                                td { (lead(m.lead_id)) } td { (words.label(&m.segment)) } td { (words.staff(&m.owner)) }
                                td { (words.time(m.created_at)) }
                                td { @match (m.acknowledged_at, &m.acknowledged_by) {
                                    (Some(t), Some(by)) => { (words.time(t)) " by " (words.staff(by)) },
                                    (Some(t), None) => { (words.time(t)) },
                                    _ => { span.late { "not yet" } },
                                } }
                                td { (m.delay_minutes) " min" }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn late(words: &Words, a: &Audit) -> Markup {
    html! {
        section aria-labelledby="late-h" {
            h2 id="late-h" { "Late touches (" (a.late_touches.len()) ")" }
            @if a.late_touches.is_empty() { p.empty { "None in the sample." } }
            ul.items {
                @for t in &a.late_touches {
                    li {
                        (lead(t.lead_id)) " — step " (t.step) ", " (words.label(&t.block)) " (" (t.channel) ")"
                        br;
                        span.late { (t.minutes_late) " min late" }
                        span.muted { " · due " (words.time(t.due_at)) " · "
                            @match t.sent_at { Some(s) => { "sent " (words.time(s)) }, None => { "not sent yet" } }
                            " · " (words.staff(&t.owner)) }
                    }
                }
            }
        }
    }
}

fn messages(words: &Words, a: &Audit) -> Markup {
    html! {
        section aria-labelledby="msg-h" {
            h2 id="msg-h" { "Messages" }
            p { (a.messages.scored) " scored, average "
                (a.messages.average_score.map_or("—".into(), |s| s.to_string())) " / 100." }
            ul.items {
                @for w in &a.messages.weakest {
                    li {
                        strong { (w.score) " / 100" } " — " (words.label(&w.block)) " (" (w.channel) ") to " (lead(w.lead_id))
                        ", " (words.time(w.sent_at))
                        br; span.muted { (w.problems.join("; ")) }
                        blockquote { (w.text) }
                    }
                }
            }
        }
    }
}

fn sample(words: &Words, a: &Audit) -> Markup {
    html! {
        section aria-labelledby="sample-h" {
            h2 id="sample-h" { "Leads sampled (" (a.sample.len()) ")" }
            ul.items {
                @for s in &a.sample {
                    li {
                        a href={ "/leads/" (s.lead_id) } {
                            (s.name.clone().unwrap_or_else(|| format!("Lead {}", s.lead_id)))
                        }
                        span.muted { " · " (words.label(&s.segment)) " · " (words.staff(&s.owner))
                            " · " (s.late) " of " (s.touches) " touches late" }
                    }
                }
            }
        }
    }
}

/// `GET /reports/audit` (managers).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let caller = viewer.caller();
    caller.require_everything()?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let dealership = caller.dealership(None)?;
    let config = state.engine.config();
    let words = Words::for_dealership(config, state.engine.now(), dealership.as_deref());
    let week = if q.week.trim().is_empty() {
        IsoWeek::containing(words.now(), words.zone()).minus(1)
    } else {
        q.week
            .trim()
            .parse()
            .map_err(|e: String| ApiError::field("week", e))?
    };
    let a = state
        .engine
        .audit(week, None, dealership.as_deref())
        .await?;
    let body = html! {
        h1 { "Follow-up audit " (a.week) }
        p.muted {
            (words.time(a.start)) " to " (words.time(a.end)) " (" (a.time_zone) "). "
            a href={ "/reports/audit?week=" (week.minus(1)) } { "Week before" }
            " · "
            a href="/reports" { "Back to reports" }
        }
        section aria-labelledby="fix-h" {
            h2 id="fix-h" { "Fix first" }
            @if a.fix_first.is_empty() { p.empty { "Nothing stood out this week." } }
            ol { @for f in &a.fix_first { li { strong { (words.label(&f.area)) } ": " (f.text) } } }
        }
        (segments(&words, &a))
        (escalations(&words, &a))
        (late(&words, &a))
        (messages(&words, &a))
        (sample(&words, &a))
    };
    Ok(layout::page(
        &viewer,
        &words,
        "Follow-up audit",
        "/reports",
        body,
    ))
}
