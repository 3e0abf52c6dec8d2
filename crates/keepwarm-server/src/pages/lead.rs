//! `/leads/{id}`: one lead, everything a person needs to work it: who (contacts with their consent
//! state), what they want, segment and the rule that chose it, owner, stage, cadence and version
//! with the next touch in local time, the conversation thread, a reply box with the approved
//! blocks as templates, the actions (call, reassign, pause, resume, stop, outcome, appointment),
//! and the whole timeline in words.
//!
//! A lead the viewer may not see answers 404, exactly like one that does not exist.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::response::Response;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::thread::{Direction, Medium, Who};
use keepwarm_domain::{LeadStatus, TimelineEvent as E};
use keepwarm_store::{LeadRow, RevocationInForce, TimelineEntry};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout;
use super::session::Viewer;
use super::words::{channel, describe, CadenceRef};
use super::{lead_actions, lead_title};
use crate::routes::lead_id;
use crate::AppState;

/// Everything the page shows of one lead.
pub(super) struct LeadPage {
    pub lead: LeadRow,
    pub timeline: Vec<TimelineEntry>,
    pub thread: Vec<keepwarm_domain::thread::ThreadEntry>,
    pub revocations: HashMap<String, Vec<RevocationInForce>>,
    pub draft: Option<keepwarm_engine::staff_messages::Draft>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LeadQuery {
    /// An approved block to draft the reply from.
    block: Option<String>,
    /// A notice to show (after an action).
    done: Option<String>,
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    raw_id: &str,
    block: Option<&str>,
) -> Result<LeadPage, PageError> {
    let id = lead_id(raw_id)?;
    let lead = viewer.caller().lead(state, id).await?;
    let store = state.engine.store();
    let timeline = store.timeline(id).await?;
    let thread = store.conversation(id).await?;
    let mut revocations = HashMap::new();
    for c in &lead.contacts {
        let r = store.revocations_in_force(&c.value).await?;
        if !r.is_empty() {
            revocations.insert(c.value.clone(), r);
        }
    }
    let draft = match block {
        Some(b) if state.engine.config().blocks.contains_key(b) => {
            Some(state.engine.draft_message(id, b, &viewer.staff.id).await?)
        }
        Some(b) => {
            return Err(
                crate::error::ApiError::field("block", format!("unknown block `{b}`")).into(),
            )
        }
        None => None,
    };
    Ok(LeadPage {
        lead,
        timeline,
        thread,
        revocations,
        draft,
    })
}

fn cadence_of(lead: &LeadRow) -> Option<CadenceRef<'_>> {
    lead.enrollment.as_ref().map(|e| CadenceRef {
        name: &e.cadence_name,
        version: &e.cadence_version,
    })
}

/// The next planned touch: the latest scheduled touch nothing has happened to since.
fn next_touch(timeline: &[TimelineEntry]) -> Option<&keepwarm_domain::timeline::TouchScheduled> {
    let mut settled = HashSet::new();
    for e in timeline {
        match &e.event {
            E::TouchSent(t) => {
                settled.insert(t.touch_id);
            }
            E::TouchFailed(t) => {
                settled.insert(t.touch_id);
            }
            E::TouchCancelled(t) => {
                settled.insert(t.touch_id);
            }
            E::TouchSkipped(t) => {
                if let Some(id) = t.touch_id {
                    settled.insert(id);
                }
            }
            _ => {}
        }
    }
    timeline.iter().rev().find_map(|e| match &e.event {
        E::TouchScheduled(t) if !settled.contains(&t.touch_id) => Some(t),
        _ => None,
    })
}

fn who(words: &Words, page: &LeadPage) -> Markup {
    let lead = &page.lead;
    html! {
        section aria-labelledby="who-h" {
            h2 id="who-h" { "Who" }
            ul.items {
                @for c in &lead.contacts {
                    li {
                        @if c.kind == "phone" {
                            a href={ "tel:" (c.value) } { (words.phone(&c.value)) }
                        } @else {
                            a href={ "mailto:" (c.value) } { (c.value) }
                        }
                        span.muted { " · " (words.label(&c.kind)) " · " }
                        @if let Some(revoked) = page.revocations.get(&c.value) {
                            @for r in revoked {
                                span.late { "opted out of " (r.channel) } span.muted { " " (words.time(r.revoked_at)) ": “" (r.words) "”" } " "
                            }
                        } @else if !c.usable {
                            span.late { "unusable" } span.muted { ": " (c.reason.as_deref().unwrap_or("")) }
                        } @else if lead.opted_out {
                            span.late { "opted out" }
                        } @else {
                            "may be contacted"
                        }
                    }
                }
            }
        }
    }
}

fn wants(lead: &LeadRow) -> Markup {
    let input: Option<LeadInput> = serde_json::from_value(lead.payload.clone()).ok();
    html! {
        section aria-labelledby="wants-h" {
            h2 id="wants-h" { "What they want" }
            @if let Some(input) = input {
                dl.facts {
                    @for v in &input.vehicles {
                        dt { (v.interest.map(|i| super::format::label(i.as_str())).unwrap_or_else(|| "Vehicle".into())) }
                        dd {
                            (keepwarm_engine::context::vehicle_name(v).unwrap_or_else(|| "a vehicle".into()))
                            @if let Some(p) = v.price { " · $" (format!("{p:.0}")) }
                            @if let Some(o) = v.odometer { " · " (o) " mi" }
                        }
                    }
                    @if let Some(p) = input.payment.as_ref().map(payment_words).filter(|p| !p.is_empty()) {
                        dt { "Payment" } dd { (p) }
                    }
                    @if let Some(t) = input.timeframe.as_ref().and_then(|t| t.description.as_deref()) {
                        dt { "Timeframe" } dd { (t) }
                    }
                    @if let Some(c) = &input.comments { dt { "Comments" } dd { (c) } }
                }
                @if input.vehicles.is_empty() && input.comments.is_none() {
                    p.empty { "The lead says nothing about what they want." }
                }
            } @else {
                p.empty { "The lead's document cannot be read as a lead." }
            }
        }
    }
}

/// How they want to pay, from what the lead says: `Finance · $450/month · $2000 down`; empty when
/// it says nothing.
fn payment_words(p: &keepwarm_domain::lead::PaymentInput) -> String {
    let method = p
        .method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(super::format::label);
    let monthly = p.monthly_target.map(|m| format!("${m:.0}/month"));
    let down = p.down_payment.map(|d| format!("${d:.0} down"));
    [method, monthly, down]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn facts(words: &Words, page: &LeadPage) -> Markup {
    let lead = &page.lead;
    html! {
        section aria-labelledby="facts-h" {
            h2 id="facts-h" { "Follow-up" }
            dl.facts {
                dt { "Owner" } dd { (words.staff(&lead.owner_id)) }
                dt { "Stage" } dd { (words.label(lead.stage.as_str())) }
                dt { "Status" } dd {
                    (words.label(lead.status.as_str()))
                    @if let Some(r) = &lead.stop_reason { span.muted { " (" (r) ")" } }
                }
                dt { "Segment" } dd { (words.label(&lead.segment)) span.muted { " · rule " (words.label(&lead.segment_rule)) } }
                dt { "Source" } dd {
                    (words.label(lead.source_kind.as_str()))
                    @if let Some(p) = &lead.provider { " · " (p) }
                }
                dt { "Received" } dd { (words.time(lead.received_at)) span.muted { " (" (words.relative(lead.received_at)) ")" } }
                @if let Some(e) = &lead.enrollment {
                    dt { "Cadence" } dd {
                        (words.cadence(&e.cadence_name)) " v" (e.cadence_version.chars().take(7).collect::<String>())
                        span.muted { " · " (words.label(e.status.as_str())) }
                    }
                }
                dt { "Next touch" } dd {
                    @match next_touch(&page.timeline).filter(|_| lead.status == LeadStatus::Active) {
                        Some(t) => { (channel(t.channel)) ": " (words.label(&t.block)) " · " (words.time(t.due_at)) span.muted { " (" (words.relative(t.due_at)) ")" } }
                        None => { span.muted { "none planned" } }
                    }
                }
            }
        }
    }
}

/// Who said a thread entry, for people.
fn speaker(words: &Words, lead: &LeadRow, who: &Who) -> String {
    match who {
        Who::Customer => lead_title(lead),
        Who::Automation => "keepwarm (automated)".into(),
        Who::Staff { id, .. } => words.staff(id),
    }
}

fn medium(m: Medium) -> &'static str {
    match m {
        Medium::Sms => "Text",
        Medium::Email => "E-mail",
        Medium::Call => "Call",
        Medium::Voicemail => "Voicemail",
        Medium::Note => "Note",
    }
}

/// The conversation as the read model keeps it: the words that were sent, not the block's name.
fn thread(words: &Words, page: &LeadPage) -> Markup {
    html! {
        section aria-labelledby="thread-h" {
            h2 id="thread-h" { "Conversation" }
            @if page.thread.is_empty() { p.empty { "Nothing sent or received yet." } }
            ol.thread {
                @for m in &page.thread {
                    li class=(match m.direction { Direction::Inbound => "in", Direction::Outbound => "out", Direction::Internal => "note" }) {
                        div.meta {
                            strong { (speaker(words, &page.lead, &m.who)) } " · " (medium(m.channel)) " · "
                            time datetime=(m.at.to_string()) title=(words.time(m.at)) { (words.time(m.at)) }
                            span.muted { " (" (words.relative(m.at)) ")" }
                            @if m.direction == Direction::Outbound { " · " (words.label(&m.status)) }
                            @if let Some(d) = &m.detail { span.late { " " (d) } }
                        }
                        @if let Some(subject) = &m.subject { div { strong { (subject) } } }
                        div.body { (m.body) }
                    }
                }
            }
        }
    }
}

fn timeline(words: &Words, page: &LeadPage) -> Markup {
    let cadence = cadence_of(&page.lead);
    html! {
        section aria-labelledby="timeline-h" {
            details {
                summary { h2.inline id="timeline-h" { "Timeline (" (page.timeline.len()) " events)" } }
                ol.timeline reversed {
                    @for e in page.timeline.iter().rev() {
                        li {
                            time datetime=(e.at.to_string()) { (words.time(e.at)) }
                            " — " (describe(words, &e.event, cadence))
                        }
                    }
                }
            }
        }
    }
}

/// The live region: everything but the forms being typed in.
fn region(words: &Words, page: &LeadPage) -> Markup {
    let id = page.lead.id;
    html! {
        div id="lead" data-live={ "/fragments/leads/" (id) } {
            div.lead-grid {
                div { (facts(words, page)) (who(words, page)) (wants(&page.lead)) }
                div { (thread(words, page)) }
            }
            (timeline(words, page))
        }
    }
}

/// `GET /leads/{id}` (`?block=NAME` drafts the reply from an approved block).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<LeadQuery>,
) -> Result<Response, PageError> {
    let page = load(&state, &viewer, &id, q.block.as_deref()).await?;
    let words = Words::for_dealership(
        state.engine.config(),
        state.engine.now(),
        Some(&page.lead.dealership),
    );
    let title = lead_title(&page.lead);
    let body = html! {
        h1 { (title) }
        @if let Some(done) = q.done.as_deref().and_then(lead_actions::notice) {
            p.notice role="status" { (done) }
        }
        (region(&words, &page))
        (lead_actions::forms(&state, &words, &viewer, &page))
    };
    Ok(layout::page(&viewer, &words, &title, "/leads", body))
}

/// `GET /fragments/leads/{id}`: the page's live region alone.
pub(super) async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = load(&state, &viewer, &id, None).await?;
    let words = Words::for_dealership(
        state.engine.config(),
        state.engine.now(),
        Some(&page.lead.dealership),
    );
    Ok(layout::fragment(region(&words, &page)))
}
