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
                            a href={ "tel:" (c.value) } { (c.value) }
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
                    @if let Some(p) = &input.payment {
                        dt { "Payment" }
                        dd {
                            (p.method.as_deref().unwrap_or("—"))
                            @if let Some(m) = p.monthly_target { " · $" (format!("{m:.0}")) "/month" }
                            @if let Some(d) = p.down_payment { " · $" (format!("{d:.0}")) " down" }
                        }
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

/// One message of the thread: direction (`in`, `out`, `note`), channel, who, words, status.
struct ThreadEntry {
    at: jiff::Timestamp,
    side: &'static str,
    what: String,
    who: String,
    body: String,
    status: Option<String>,
}

fn thread_entries(words: &Words, page: &LeadPage) -> Vec<ThreadEntry> {
    let mut delivery: HashMap<i64, String> = HashMap::new();
    for e in &page.timeline {
        if let E::DeliveryStatus(d) = &e.event {
            delivery.insert(d.touch_id, d.status.clone());
        }
    }
    // A person's message is queued, then sent or failed: the thread shows it once, as it ended.
    let finished: HashSet<(&str, &str)> = page
        .timeline
        .iter()
        .filter_map(|e| match &e.event {
            E::StaffMessageSent(m) | E::StaffMessageFailed(m) => {
                Some((m.by.as_str(), m.body.as_str()))
            }
            _ => None,
        })
        .collect();
    let name = lead_title(&page.lead);
    page.timeline
        .iter()
        .filter_map(|e| {
            let (side, what, who, body, status) = match &e.event {
                E::InboundMessage(m) => (
                    "in",
                    super::words::channel_word(&m.channel),
                    name.clone(),
                    m.body.clone(),
                    None,
                ),
                E::InboundCall(m) => ("in", "Call".into(), name.clone(), m.body.clone(), None),
                E::TouchSent(t) if t.mode.is_none() => (
                    "out",
                    channel(t.channel).into(),
                    "keepwarm (automated)".into(),
                    words.label(&t.block),
                    Some(
                        delivery
                            .get(&t.touch_id)
                            .cloned()
                            .unwrap_or_else(|| "sent".into()),
                    ),
                ),
                E::StaffMessageQueued(m)
                    if finished.contains(&(m.by.as_str(), m.body.as_str())) =>
                {
                    return None
                }
                E::StaffMessageQueued(m) => (
                    "out",
                    channel(m.channel).into(),
                    words.staff(&m.by),
                    m.body.clone(),
                    Some("queued".into()),
                ),
                E::StaffMessageSent(m) => (
                    "out",
                    channel(m.channel).into(),
                    words.staff(&m.by),
                    m.body.clone(),
                    Some("sent".into()),
                ),
                E::StaffMessageFailed(m) => (
                    "out",
                    channel(m.channel).into(),
                    words.staff(&m.by),
                    m.body.clone(),
                    Some("failed".into()),
                ),
                E::CallLogged(t) => (
                    "out",
                    "Call".into(),
                    words.staff(&t.by),
                    t.note.clone().unwrap_or_default(),
                    Some(words.label(&t.outcome)),
                ),
                _ => return None,
            };
            Some(ThreadEntry {
                at: e.at,
                side,
                what,
                who,
                body,
                status,
            })
        })
        .collect()
}

fn thread(words: &Words, page: &LeadPage) -> Markup {
    let entries = thread_entries(words, page);
    html! {
        section aria-labelledby="thread-h" {
            h2 id="thread-h" { "Conversation" }
            @if entries.is_empty() { p.empty { "Nothing sent or received yet." } }
            ol.thread {
                @for m in &entries {
                    li class=(m.side) {
                        div.meta {
                            strong { (m.who) } " · " (m.what) " · "
                            time datetime=(m.at.to_string()) { (words.time(m.at)) }
                            @if let Some(s) = &m.status { " · " (words.label(s)) }
                        }
                        div { (m.body) }
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
    let words = Words::new(state.engine.config(), state.engine.now());
    let page = load(&state, &viewer, &id, q.block.as_deref()).await?;
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
    let words = Words::new(state.engine.config(), state.engine.now());
    let page = load(&state, &viewer, &id, None).await?;
    Ok(layout::fragment(region(&words, &page)))
}
